"""The campaign runner's database work: synchronous, short transactions, run in a thread.

The rule that makes a crash safe: an attempt row is committed *before* its originate, and its
result after the call. A restarted engine finds every dial it made, finished or not, and never
dials a lead it still holds twice (the attempt id is the channel id, and the lease is released
only once the attempt has a result).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from engine.calls.model import CallOutcome, CallResult
from engine.campaign.settings import DialingSettings
from engine.compliance.registry import Registry
from engine.dnc.entries import add_number
from engine.leads.dispositions import OUTCOME_CODES
from engine.leads.gate import may_dial
from engine.leads.hopper import Lease
from engine.leads.lifecycle import AttemptTimes, finish_attempt, record_disposition, start_attempt
from engine.store.db import begin_immediate
from engine.store.models import CallAttempt, Campaign, Contact

INTERRUPTED = "interrupted"
NO_DISPOSITION = "NODISP"


@dataclass(frozen=True)
class CampaignView:
    """What the runner needs of a campaign row, read once per refresh."""

    id: int
    name: str
    mode: str
    status: str
    caller_ids: tuple[str, ...]
    abandon_target: float
    dialing: DialingSettings
    pacing_state: dict[str, Any]


def load_campaign(db: Engine, campaign_id: int) -> CampaignView:
    with Session(db) as session:
        campaign = session.get(Campaign, campaign_id)
        if campaign is None:
            raise LookupError(f"no campaign with id {campaign_id}")
        return CampaignView(
            id=campaign_id, name=campaign.name, mode=campaign.mode, status=campaign.status,
            caller_ids=tuple(campaign.caller_ids), abandon_target=campaign.abandon_target,
            dialing=DialingSettings.model_validate(campaign.dialing or {}),
            pacing_state=dict(campaign.pacing_state or {}),
        )


def begin_dial(db: Engine, lease: Lease, attempt_id: str, caller_id: str, trunk: str, node: str,
               registry: Registry | None, now: datetime) -> str | None:
    """Check the lead once more and commit its attempt row; the reason not to dial, or None."""
    with begin_immediate(db) as session:
        reason = may_dial(session, lease.contact_id, lease.owner, now, registry)
        if reason is not None:
            return reason
        start_attempt(session, attempt_id, lease.contact_id, caller_id, now, trunk=trunk, node=node)
        session.commit()
    return None


def household_has_voicemail(db: Engine, contact_id: int) -> bool:
    """Has this contact's household already been left a voicemail by this campaign?"""
    with Session(db) as session:
        contact = session.get(Contact, contact_id)
        if contact is None:
            return True
        household = contact.household_key
        query = select(CallAttempt.id).join(Contact, col(Contact.id) == CallAttempt.contact_id).where(
            CallAttempt.campaign_id == contact.campaign_id, col(CallAttempt.voicemail_dropped).is_(True))
        query = query.where(Contact.household_key == household) if household else query.where(Contact.id == contact_id)
        return session.exec(query.limit(1)).first() is not None


def finish_dial(db: Engine, result: CallResult, *, disposition: str | None, now: datetime) -> None:
    """Store the call's facts; dispose of it now unless an agent will (connected calls).

    An opt-out pressed during the safe-harbor message lands on the internal do-not-call list
    in the same transaction.
    """
    with begin_immediate(db) as session:
        recording = result.recording
        finish_attempt(
            session, result.request.attempt_id, result.outcome.value,
            AttemptTimes(result.answered_at, result.greeting_end_at, result.connected_at, result.hungup_at),
            hangup_cause=result.cause, hangup_cause_text=result.cause_txt or None,
            amd_result=result.amd_status or None, agent=result.agent,
            recording_path=str(recording.path) if recording else None,
            recording_sha256=recording.sha256 if recording else None,
            safe_harbor_at=result.safe_harbor_at, voicemail_dropped=result.voicemail_dropped,
        )
        if result.opted_out:
            add_number(session, result.request.number, source="keypress during safe-harbor message",
                       reason="callee opted out", actor="engine")
        if disposition is not None:
            record_disposition(session, result.request.attempt_id, disposition, now, agent=result.agent)
        session.commit()


def not_dialled(db: Engine, attempt_id: str, contact_id: int, node: str) -> None:
    """The originate never reached Asterisk: keep the attempt row (it was recorded before the
    try), mark it, and hand the lead straight back to the hopper."""
    with begin_immediate(db) as session:
        finish_attempt(session, attempt_id, CallOutcome.NOT_DIALLED.value, AttemptTimes())
        contact = session.get(Contact, contact_id)
        if contact is not None and contact.lease_owner == node:
            contact.lease_owner = contact.lease_expires_at = None
            session.add(contact)
        session.commit()


def system_disposition(result: CallResult) -> str | None:
    """The automatic code for a call no agent talked to; None for a conversation."""
    if result.outcome is CallOutcome.CONNECTED:
        return None
    if result.opted_out:
        return "DNC"
    code = OUTCOME_CODES.get(result.outcome.value)
    return code or OUTCOME_CODES["failed"]


def dispose(db: Engine, attempt_id: str, code: str, agent: str | None, now: datetime) -> None:
    """An agent's disposition of a conversation (or the wrap-up timer's)."""
    with begin_immediate(db) as session:
        record_disposition(session, attempt_id, code, now, agent=agent)
        session.commit()


def interrupted_attempts(db: Engine, campaign_id: int, node: str, keep: set[str], now: datetime) -> list[str]:
    """Close attempts this node started but never finished (a crash): their calls are gone.

    They are recorded as interrupted and recycled like a failed call, so the lead is neither
    lost nor dialled twice at once.
    """
    with begin_immediate(db) as session:
        open_attempts = session.exec(select(CallAttempt).where(
            CallAttempt.campaign_id == campaign_id, CallAttempt.node == node,
            col(CallAttempt.outcome).is_(None))).all()
        closed = []
        for attempt in open_attempts:
            if attempt.id in keep:
                continue
            finish_attempt(session, attempt.id, INTERRUPTED, AttemptTimes(hangup_at=now))
            record_disposition(session, attempt.id, OUTCOME_CODES["failed"], now, agent=None)
            closed.append(attempt.id)
        # Conversations whose agent never got to dispose them: closed as such, so the lead
        # waits its recycle delay instead of being rung again minutes after a talk.
        undisposed = session.exec(select(CallAttempt).where(
            CallAttempt.campaign_id == campaign_id, CallAttempt.node == node,
            col(CallAttempt.outcome).is_not(None), col(CallAttempt.disposition).is_(None),
            CallAttempt.outcome != CallOutcome.NOT_DIALLED.value)).all()
        for attempt in undisposed:
            if attempt.id not in keep:
                record_disposition(session, attempt.id, NO_DISPOSITION, now, agent=attempt.agent)
                closed.append(attempt.id)
        session.commit()
    return closed


def renew_own_leases(db: Engine, campaign_id: int, node: str, until: datetime) -> int:
    """Keep every lead this node holds leased until `until`: a conversation, its wrap-up and the
    wait for a disposition can outlast any fixed lease, and an expired lease could be dialled
    again by the hopper while the first call is still going."""
    with begin_immediate(db) as session:
        held = session.exec(select(Contact).where(
            Contact.campaign_id == campaign_id, Contact.lease_owner == node)).all()
        for contact in held:
            contact.lease_expires_at = until
            session.add(contact)
        session.commit()
    return len(held)


def release_own_leases(db: Engine, campaign_id: int, node: str) -> int:
    """Give back every lead this node still holds in the campaign: at start-up, after a crash,
    they were leased but never dialled (dialled ones were closed by `interrupted_attempts`)."""
    with begin_immediate(db) as session:
        held = session.exec(select(Contact).where(
            Contact.campaign_id == campaign_id, Contact.lease_owner == node)).all()
        for contact in held:
            contact.lease_owner = contact.lease_expires_at = None
            session.add(contact)
        session.commit()
    return len(held)


def save_pacing_state(db: Engine, campaign_id: int, state: dict[str, Any]) -> None:
    with begin_immediate(db) as session:
        campaign = session.get(Campaign, campaign_id)
        if campaign is not None:
            campaign.pacing_state = state
            session.add(campaign)
            session.commit()
