"""Is this number blocked for this campaign, and by which list?"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
from sqlalchemy import and_, or_, update
from sqlmodel import Session, col, select

from engine.lists.phones import national_number
from engine.store.models import Campaign, Contact, DncEntry, DncScope, LeadState

if TYPE_CHECKING:
    from engine.compliance.registry import Registry

NATIONAL = "national"
# SQLite's default limit on bound parameters is 32766; stay well under it.
IN_CHUNK = 5_000


class RegistryUnavailable(RuntimeError):
    """The campaign uses the national registry but none was given: refuse rather than guess."""


@dataclass(frozen=True)
class BlockReason:
    """Why a number must not be dialled: which list, and what its entry says."""

    scope: str  # "internal", "campaign" or "national"
    source: str
    reason: str | None = None

    def describe(self) -> str:
        detail = f": {self.reason}" if self.reason else ""
        return f"{self.scope} do-not-call ({self.source}){detail}"


def _national_required(campaign: Campaign, registry: Registry | None, optional: bool) -> bool:
    if campaign.uses_national_dnc and registry is None and not optional:
        raise RegistryUnavailable(
            f"campaign {campaign.name!r} uses the national do-not-call registry but none is "
            "loaded: run `phonebank dnc import FILE --national`, or turn uses_national_dnc off"
        )
    return campaign.uses_national_dnc


def is_blocked(
    session: Session, e164: str, campaign_id: int, registry: Registry | None = None
) -> BlockReason | None:
    """The first list that blocks ``e164`` for the campaign, or None when it may be dialled.

    Raises RegistryUnavailable when the campaign uses the national registry and ``registry``
    is None: a missing registry must stop dialling, never wave numbers through.
    """
    return blocked_numbers(session, [e164], campaign_id, registry).get(e164)


def blocked_numbers(
    session: Session, numbers: Iterable[str], campaign_id: int, registry: Registry | None = None,
    registry_optional: bool = False,
) -> dict[str, BlockReason]:
    """Every number of ``numbers`` that is blocked for the campaign, with why (bulk is_blocked).

    ``registry_optional`` lets a caller that is not about to dial (an import marking what it
    can) go on without the national registry; every leasing and dialling path leaves it off.
    """
    campaign = session.get(Campaign, campaign_id)
    if campaign is None:
        raise ValueError(f"no campaign with id {campaign_id}")
    check_national = _national_required(campaign, registry, registry_optional)
    wanted = list(dict.fromkeys(numbers))
    blocked: dict[str, BlockReason] = {}
    for start in range(0, len(wanted), IN_CHUNK):
        chunk = wanted[start:start + IN_CHUNK]
        entries = session.exec(
            select(DncEntry).where(
                col(DncEntry.e164).in_(chunk),
                or_(
                    DncEntry.scope == DncScope.INTERNAL,
                    col(DncEntry.campaign_id) == campaign_id,
                ),
            )
        ).all()
        # Internal entries win so the reason shown is the one that blocks everywhere.
        for entry in sorted(entries, key=lambda e: e.scope != DncScope.INTERNAL):
            blocked.setdefault(entry.e164, BlockReason(entry.scope, entry.source, entry.reason))
    if check_national and registry is not None:
        blocked.update(registry_hits([n for n in wanted if n not in blocked], registry))
    return blocked


def registry_hits(numbers: list[str], registry: Registry) -> dict[str, BlockReason]:
    """The numbers of ``numbers`` on the national registry (NANP only; one vectorised look-up)."""
    nanp = [(n, national_number(n)) for n in numbers]
    nanp = [(n, national) for n, national in nanp if national is not None]
    if not nanp:
        return {}
    found = registry.contains_many(np.fromiter((v for _, v in nanp), dtype=np.int64, count=len(nanp)))
    return {
        number: BlockReason(NATIONAL, "national registry")
        for (number, _), hit in zip(nanp, found, strict=True)
        if hit
    }


def mark_listed_contacts(session: Session, campaign_id: int, run_id: int, after_id: int) -> int:
    """Mark an import run's contacts with id > ``after_id`` that are on an internal or campaign list.

    Two set-based UPDATEs instead of a look-up per number; internal first, so its reason wins.
    Returns how many contacts were marked.
    """
    marked = 0
    for scope, applies in (
        (DncScope.INTERNAL, DncEntry.scope == DncScope.INTERNAL),
        (DncScope.CAMPAIGN, and_(DncEntry.scope == DncScope.CAMPAIGN, DncEntry.campaign_id == campaign_id)),
    ):
        listed = select(DncEntry.id).where(DncEntry.e164 == Contact.e164, applies).exists()
        marked += session.exec(  # type: ignore[call-overload]
            update(Contact)
            .where(
                Contact.import_run_id == run_id, col(Contact.id) > after_id,
                Contact.lead_state == LeadState.READY, listed,
            )
            .values(lead_state=LeadState.DNC, dnc_reason=f"{scope} do-not-call list")
        ).rowcount
    return marked
