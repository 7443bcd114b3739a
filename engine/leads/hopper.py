"""The hopper: lease the next dialable leads of a campaign, atomically and with an expiry.

One transaction does everything: it works out which window keys are inside calling hours at
``now``, selects due leads in priority order (callbacks first), re-checks every candidate
against the do-not-call lists and the call-count limits, and writes the lease. On SQLite the
transaction starts with BEGIN IMMEDIATE, so leasers queue on the write lock; on PostgreSQL the
candidate rows are taken with SELECT ... FOR UPDATE SKIP LOCKED, so concurrent engines skip
each other's rows. A lease is only a time stamp: when it expires (a crashed engine) the lead
is simply due again.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from sqlalchemy import Engine, and_, not_, or_, update
from sqlmodel import Session, col, select

from engine.compliance.windows import dialable_keys
from engine.compliance.zones import candidate_zones
from engine.dnc.checks import blocked_numbers
from engine.leads.campaigns import calling_hours
from engine.leads.limits import exhausted, next_allowed
from engine.store.db import begin_immediate
from engine.store.models import (
    CallAttempt,
    Callback,
    CallbackStatus,
    Campaign,
    CampaignWindowKey,
    CellPolicy,
    Contact,
    LeadState,
    LineType,
)

if TYPE_CHECKING:
    from engine.compliance.registry import Registry

DEFAULT_LEASE_SECONDS = 120
# Fetch a few more candidates than asked for, so leads dropped by the re-checks rarely cost
# a second round trip.
SPARE = 16
MAX_ROUNDS = 8


@dataclass(frozen=True)
class Lease:
    """A lead held by ``owner`` until ``expires_at``; dial it, then record the attempt."""

    contact_id: int
    campaign_id: int
    e164: str
    owner: str
    expires_at: datetime
    priority: int
    callback_id: int | None = None
    callback_agent: str | None = None  # set: connect this call to that agent only


def next_dialable(
    engine: Engine,
    campaign_id: int,
    now: datetime,
    n: int,
    owner: str,
    lease_seconds: int = DEFAULT_LEASE_SECONDS,
    registry: Registry | None = None,
    agents: Collection[str] = (),
    manual: bool = False,
) -> list[Lease]:
    """Lease up to ``n`` dialable leads of the campaign to ``owner`` for ``lease_seconds``.

    Due callbacks come first (agent-specific ones only when that agent is in ``agents``), then
    leads by priority and oldest due time. ``manual`` is for an agent's preview/manual dial:
    it also returns cell phones without consent when the campaign's policy is "manual".
    Raises RegistryUnavailable when the campaign uses the national registry and ``registry``
    is None.
    """
    if n <= 0:
        return []
    expires = now + timedelta(seconds=lease_seconds)
    with begin_immediate(engine) as session:
        campaign = session.get(Campaign, campaign_id)
        if campaign is None:
            raise ValueError(f"no campaign with id {campaign_id}")
        keys = session.exec(
            select(CampaignWindowKey.window_key).where(CampaignWindowKey.campaign_id == campaign_id)
        ).all()
        open_keys = dialable_keys(keys, calling_hours(campaign), now, campaign.states)
        if not open_keys:
            return []
        picker = _Picker(session, campaign, now, sorted(open_keys), registry, manual)
        leases = picker.callbacks(n, owner, expires, set(agents))
        rounds = 0
        while len(leases) < n and rounds < MAX_ROUNDS:
            rounds += 1
            found = picker.regular(n - len(leases), owner, expires)
            if found is None:
                break
            leases.extend(found)
        session.commit()
    return leases


@dataclass(frozen=True)
class _Candidate:
    """The columns the re-checks need, without loading whole Contact objects."""

    id: int
    e164: str
    zip_code: str | None
    state: str | None
    attempts: int
    priority: int


_CANDIDATE_COLUMNS = (
    Contact.id, Contact.e164, Contact.zip_code, Contact.state, Contact.attempts, Contact.priority,
)


class _Picker:
    """Selects, re-checks and leases candidates inside the caller's transaction."""

    def __init__(
        self, session: Session, campaign: Campaign, now: datetime, open_keys: Sequence[str],
        registry: Registry | None, manual: bool,
    ) -> None:
        self.session, self.campaign, self.now = session, campaign, now
        self.open_keys, self.registry = open_keys, registry
        self.locking = session.get_bind().dialect.name == "postgresql"
        self.eligible = self._eligible(manual)
        pending_callback = select(Callback.id).where(
            Callback.contact_id == Contact.id, Callback.status == CallbackStatus.PENDING
        ).exists()
        # Leads with a pending callback go only through the callback path, so an agent's
        # callback is never handed to someone else.
        self.due = [
            or_(col(Contact.next_attempt_at).is_(None), col(Contact.next_attempt_at) <= now),
            col(Contact.attempts) < campaign.max_attempts,
            not_(pending_callback),
        ]

    def _eligible(self, manual: bool) -> list[Any]:
        conditions = [
            Contact.campaign_id == self.campaign.id,
            Contact.lead_state == LeadState.READY,
            col(Contact.window_key).in_(self.open_keys),
            or_(col(Contact.lease_expires_at).is_(None), col(Contact.lease_expires_at) <= self.now),
        ]
        policy = self.campaign.cell_policy
        if policy == CellPolicy.SKIP or (policy == CellPolicy.MANUAL and not manual):
            conditions.append(not_(and_(
                Contact.line_type == LineType.CELL, col(Contact.consent_at).is_(None)
            )))
        return conditions

    def _lock(self, statement: Any) -> Any:
        # SQLite already holds the database write lock (BEGIN IMMEDIATE).
        return statement.with_for_update(skip_locked=True, of=Contact) if self.locking else statement

    def callbacks(self, n: int, owner: str, expires: datetime, agents: set[str]) -> list[Lease]:
        who = col(Callback.agent).is_(None)
        if agents:
            who = or_(who, col(Callback.agent).in_(sorted(agents)))
        statement = self._lock(
            select(*_CANDIDATE_COLUMNS, Callback.id, Callback.agent)
            .join(Callback, col(Callback.contact_id) == Contact.id)
            .where(
                Callback.campaign_id == self.campaign.id,
                Callback.status == CallbackStatus.PENDING,
                col(Callback.due_at) <= self.now,
                who,
                *self.eligible,
            )
            .order_by(col(Callback.due_at), col(Callback.id))
            .limit(n + SPARE)
        )
        chosen: dict[int, tuple[_Candidate, int, str | None]] = {}
        for row in self.session.exec(statement).all():
            chosen.setdefault(row[0], (_Candidate(*row[:-2]), row[-2], row[-1]))
        passed = self._recheck([c for c, _, _ in chosen.values()])[:n]
        self._write_leases(passed, owner, expires)
        return [
            self._lease(c, owner, expires, chosen[c.id][1], chosen[c.id][2]) for c in passed
        ]

    def regular(self, n: int, owner: str, expires: datetime) -> list[Lease] | None:
        """Lease up to n; None when no candidates were left at all."""
        statement = self._lock(
            select(*_CANDIDATE_COLUMNS)
            .where(*self.eligible, *self.due)
            .order_by(col(Contact.priority).desc(), col(Contact.next_attempt_at), col(Contact.id))
            .limit(n + SPARE)
        )
        candidates = [_Candidate(*row) for row in self.session.exec(statement).all()]
        if not candidates:
            return None
        passed = self._recheck(candidates)[:n]
        self._write_leases(passed, owner, expires)
        return [self._lease(c, owner, expires) for c in passed]

    def _recheck(self, candidates: list[_Candidate]) -> list[_Candidate]:
        """Drop candidates a do-not-call list or a call-count limit now forbids (and park them)."""
        if not candidates:
            return []
        blocked = blocked_numbers(self.session, [c.e164 for c in candidates], self.campaign.id, self.registry)  # type: ignore[arg-type]
        # Only leads called before can hit a daily or 24-hour limit.
        history = self._attempt_times([c.id for c in candidates if c.attempts and c.e164 not in blocked])
        passed = []
        for candidate in candidates:
            reason = blocked.get(candidate.e164)
            if reason is not None:
                self._park(candidate.id, lead_state=LeadState.DNC, dnc_reason=reason.describe())
            elif exhausted(candidate.attempts, self.campaign):
                self._park(candidate.id, lead_state=LeadState.DONE)
            elif candidate.id not in history:
                passed.append(candidate)
            else:
                zones = candidate_zones(candidate.e164, candidate.zip_code, candidate.state)
                later = next_allowed(history[candidate.id], self.now, self.campaign, zones)
                if later is None:
                    passed.append(candidate)
                else:
                    self._park(candidate.id, next_attempt_at=later)
        return passed

    def _park(self, contact_id: int, **values: Any) -> None:
        self.session.exec(update(Contact).where(col(Contact.id) == contact_id).values(**values))  # type: ignore[call-overload]

    def _attempt_times(self, contact_ids: list[int]) -> dict[int, list[datetime]]:
        if not contact_ids:
            return {}
        # Two days back covers the rolling 24 hours and any zone's local day.
        since = self.now - timedelta(hours=50)
        rows = self.session.exec(
            select(CallAttempt.contact_id, CallAttempt.dialed_at).where(
                col(CallAttempt.contact_id).in_(contact_ids), col(CallAttempt.dialed_at) > since
            )
        ).all()
        times: dict[int, list[datetime]] = {}
        for contact_id, dialed_at in rows:
            times.setdefault(contact_id, []).append(dialed_at)
        return times

    def _write_leases(self, candidates: list[_Candidate], owner: str, expires: datetime) -> None:
        if candidates:
            self.session.exec(  # type: ignore[call-overload]
                update(Contact)
                .where(col(Contact.id).in_([c.id for c in candidates]))
                .values(lease_owner=owner, lease_expires_at=expires)
            )

    def _lease(
        self, candidate: _Candidate, owner: str, expires: datetime,
        callback_id: int | None = None, agent: str | None = None,
    ) -> Lease:
        return Lease(
            contact_id=candidate.id, campaign_id=self.campaign.id, e164=candidate.e164,  # type: ignore[arg-type]
            owner=owner, expires_at=expires, priority=candidate.priority,
            callback_id=callback_id, callback_agent=agent,
        )


def release(engine: Engine, owner: str, contact_ids: Collection[int]) -> int:
    """Give leads back before their lease expires (not dialled); returns how many were held."""
    with Session(engine) as session:
        count = session.exec(  # type: ignore[call-overload]
            update(Contact)
            .where(col(Contact.id).in_(sorted(contact_ids)), Contact.lease_owner == owner)
            .values(lease_owner=None, lease_expires_at=None)
        ).rowcount
        session.commit()
    return int(count)


def renew(
    engine: Engine, owner: str, contact_ids: Collection[int], now: datetime,
    lease_seconds: int = DEFAULT_LEASE_SECONDS,
) -> set[int]:
    """Extend ``owner``'s unexpired leases; returns the ids still held (an expired one is lost)."""
    with begin_immediate(engine) as session:
        held = set(session.exec(
            select(Contact.id).where(
                col(Contact.id).in_(sorted(contact_ids)), Contact.lease_owner == owner,
                col(Contact.lease_expires_at) > now,
            )
        ).all())
        if held:
            session.exec(  # type: ignore[call-overload]
                update(Contact).where(col(Contact.id).in_(sorted(held)))  # type: ignore[type-var]
                .values(lease_expires_at=now + timedelta(seconds=lease_seconds))
            )
        session.commit()
    return {i for i in held if i is not None}
