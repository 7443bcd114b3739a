"""Add, remove and bulk-import internal and campaign do-not-call entries."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from sqlalchemy import Engine, and_, delete, update
from sqlmodel import Session, col, select

from engine.dnc.checks import IN_CHUNK, RegistryUnavailable, blocked_numbers
from engine.store.bulk import insert_ignoring_duplicates
from engine.store.db import begin_immediate
from engine.store.models import AuditEntry, Contact, DncEntry, DncScope, LeadState
from engine.store.types import utcnow

if TYPE_CHECKING:
    from engine.compliance.registry import Registry

IMPORT_BATCH = 10_000


@dataclass
class DncImportResult:
    added: int = 0  # new entries (numbers already on the list are not counted)
    invalid: int = 0
    examples: list[str] = field(default_factory=list)  # the first few invalid lines


def _scope(campaign_id: int | None) -> str:
    return DncScope.INTERNAL if campaign_id is None else DncScope.CAMPAIGN


def _mark_contacts(session: Session, numbers: list[str], campaign_id: int | None, why: str) -> None:
    """Take the numbers' leads out of the pool now (the hopper re-checks anyway)."""
    condition = [col(Contact.e164).in_(numbers), Contact.lead_state == LeadState.READY]
    if campaign_id is not None:
        condition.append(Contact.campaign_id == campaign_id)
    session.exec(  # type: ignore[call-overload]
        update(Contact).where(and_(*condition)).values(lead_state=LeadState.DNC, dnc_reason=why)
    )


def add_number(
    session: Session, e164: str, campaign_id: int | None = None, source: str = "cli",
    reason: str | None = None, actor: str = "cli",
) -> bool:
    """Put ``e164`` on the internal list (campaign_id None: every campaign) or a campaign's list.

    Returns False when it was already there. The caller commits; once committed, the number
    is blocked for every lease and dial that follows.
    """
    scope = _scope(campaign_id)
    existing = session.exec(
        select(DncEntry).where(
            DncEntry.e164 == e164, DncEntry.scope == scope, DncEntry.campaign_id == campaign_id
        )
    ).first()
    if existing is not None:
        return False
    session.add(DncEntry(e164=e164, scope=scope, campaign_id=campaign_id, source=source, reason=reason))
    _mark_contacts(session, [e164], campaign_id, f"{scope} do-not-call ({source})")
    session.add(AuditEntry(
        actor=actor, action="dnc.add", entity="dnc", entity_id=e164,
        detail={"scope": scope, "campaign_id": campaign_id, "source": source, "reason": reason},
    ))
    return True


def remove_number(
    session: Session, e164: str, campaign_id: int | None = None, actor: str = "cli",
    registry: Registry | None = None,
) -> int:
    """Take ``e164`` off the internal list (or one campaign's); returns how many entries went.

    Its leads return to the pool only where no other list still blocks them; where the
    national registry would be needed to decide and is absent, they stay blocked.
    """
    scope = _scope(campaign_id)
    removed = session.exec(  # type: ignore[call-overload]
        delete(DncEntry).where(
            DncEntry.e164 == e164, DncEntry.scope == scope, DncEntry.campaign_id == campaign_id
        )
    ).rowcount
    contacts = session.exec(
        select(Contact).where(Contact.e164 == e164, Contact.lead_state == LeadState.DNC)
    ).all()
    for contact in contacts:
        try:
            still = blocked_numbers(session, [e164], contact.campaign_id, registry)
        except RegistryUnavailable:
            continue
        if not still:
            contact.lead_state, contact.dnc_reason = LeadState.READY, None
            session.add(contact)
    session.add(AuditEntry(
        actor=actor, action="dnc.remove", entity="dnc", entity_id=e164,
        detail={"scope": scope, "campaign_id": campaign_id, "removed": removed},
    ))
    return int(removed)


def import_numbers(
    engine: Engine, numbers: Iterable[tuple[int, str | None, str]], campaign_id: int | None,
    source: str, progress: Callable[[int], None] | None = None,
) -> DncImportResult:
    """Bulk-add ``(line, e164 or None, reason)`` items in batches; None marks an invalid line.

    Each batch is one transaction; entries already present are skipped, so re-running an
    interrupted import completes it without duplicates.
    """
    result = DncImportResult()
    scope = _scope(campaign_id)
    batch: list[dict[str, object]] = []
    now = utcnow()

    def flush() -> None:
        with begin_immediate(engine) as session:
            before = _count(session, [str(row["e164"]) for row in batch], campaign_id)
            insert_ignoring_duplicates(session.connection(), DncEntry.__table__, batch)  # type: ignore[arg-type]
            result.added += _count(session, [str(row["e164"]) for row in batch], campaign_id) - before
            _mark_contacts(session, [str(row["e164"]) for row in batch], campaign_id, f"{scope} do-not-call ({source})")
            session.commit()
        batch.clear()

    for line, e164, text in numbers:
        if e164 is None:
            result.invalid += 1
            if len(result.examples) < 5:
                result.examples.append(f"line {line}: {text}")
            continue
        batch.append({
            "e164": e164, "scope": scope, "campaign_id": campaign_id, "source": source,
            "reason": text or None, "created_at": now,
        })
        if len(batch) >= IMPORT_BATCH:
            flush()
            if progress is not None:
                progress(line)
    if batch:
        flush()
    return result


def _count(session: Session, numbers: list[str], campaign_id: int | None) -> int:
    total = 0
    for start in range(0, len(numbers), IN_CHUNK):
        chunk = numbers[start:start + IN_CHUNK]
        total += len(session.exec(
            select(DncEntry.id).where(
                col(DncEntry.e164).in_(chunk), DncEntry.scope == _scope(campaign_id),
                DncEntry.campaign_id == campaign_id,
            )
        ).all())
    return total
