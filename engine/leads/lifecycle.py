"""The attempt lifecycle: start an attempt, record how it ended, and decide the lead's next step.

The engine calls, in order: ``start_attempt`` right before originating (after ``may_dial``),
``finish_attempt`` when the call ends, and ``record_disposition`` when the result is known
(at once for system outcomes such as no answer; after wrap-up for agent dispositions).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlmodel import Session, select

from engine.dnc.entries import add_number
from engine.leads.callbacks import cancel_callbacks, close_callbacks, schedule_callback
from engine.leads.limits import exhausted
from engine.store.models import CallAttempt, Campaign, Contact, Disposition, LeadState


class LifecycleError(ValueError):
    """An attempt or disposition that does not exist or does not fit; the message says which."""


@dataclass(frozen=True)
class AttemptTimes:
    """Timestamps the engine observed on a call (all aware UTC; None when it did not happen)."""

    answered_at: datetime | None = None
    greeting_ended_at: datetime | None = None
    connected_at: datetime | None = None
    hangup_at: datetime | None = None


def start_attempt(
    session: Session, attempt_id: str, contact_id: int, caller_id: str, now: datetime,
    trunk: str | None = None, node: str | None = None,
) -> CallAttempt:
    """Record a dial about to start; ``attempt_id`` is the UUID used as Asterisk's channelId.

    Idempotent: calling it again with the same id returns the existing attempt unchanged,
    so a retried origination never counts twice. The caller commits before originating.
    """
    existing = session.get(CallAttempt, attempt_id)
    if existing is not None:
        return existing
    contact = session.get(Contact, contact_id)
    if contact is None:
        raise LifecycleError(f"no contact with id {contact_id}")
    attempt = CallAttempt(
        id=attempt_id, campaign_id=contact.campaign_id, contact_id=contact_id,
        number_called=contact.e164, caller_id=caller_id, trunk=trunk, node=node, dialed_at=now,
    )
    contact.attempts += 1
    contact.last_attempt_at = now
    session.add_all([attempt, contact])
    session.flush()
    return attempt


def finish_attempt(
    session: Session, attempt_id: str, outcome: str, times: AttemptTimes,
    hangup_cause: int | None = None, hangup_cause_text: str | None = None,
    amd_result: str | None = None, agent: str | None = None,
    recording_path: str | None = None, recording_sha256: str | None = None,
    safe_harbor_at: datetime | None = None, voicemail_dropped: bool = False,
) -> CallAttempt:
    """Store how the call went (TSR record-keeping fields); the caller commits."""
    attempt = _attempt(session, attempt_id)
    attempt.safe_harbor_at, attempt.voicemail_dropped = safe_harbor_at, voicemail_dropped
    attempt.outcome = outcome
    attempt.answered_at, attempt.greeting_ended_at = times.answered_at, times.greeting_ended_at
    attempt.connected_at, attempt.hangup_at = times.connected_at, times.hangup_at
    attempt.hangup_cause, attempt.hangup_cause_text = hangup_cause, hangup_cause_text
    attempt.amd_result, attempt.agent = amd_result, agent or attempt.agent
    attempt.recording_path, attempt.recording_sha256 = recording_path, recording_sha256
    if times.hangup_at is not None:
        start = times.connected_at or times.answered_at
        attempt.duration_seconds = (times.hangup_at - start).total_seconds() if start else 0.0
    session.add(attempt)
    return attempt


def record_disposition(
    session: Session, attempt_id: str, code: str, now: datetime, agent: str | None = None,
    callback_at: datetime | None = None, callback_agent: str | None = None,
) -> Contact:
    """Apply a disposition to the attempt and move its lead on; the caller commits.

    - an opt-out code (``is_dnc``) puts the number on the internal list: every campaign, now;
    - a final or success code closes the lead;
    - a callback time books a callback (for ``callback_agent`` or anyone);
    - otherwise the lead recycles after the code's delay, unless the code's own maximum or
      the campaign's lifetime limit is reached. The daily and 24-hour limits are enforced
      when the hopper leases.
    The lease is released in every case.
    """
    attempt = _attempt(session, attempt_id)
    contact = session.get(Contact, attempt.contact_id)
    campaign = session.get(Campaign, attempt.campaign_id)
    assert contact is not None and campaign is not None
    disposition = session.exec(
        select(Disposition).where(Disposition.campaign_id == campaign.id, Disposition.code == code)
    ).first()
    if disposition is None:
        raise LifecycleError(f"campaign {campaign.name!r} has no disposition {code!r}")
    attempt.disposition = code
    attempt.agent = agent or attempt.agent
    contact.last_disposition = code
    contact.lease_owner = contact.lease_expires_at = None
    close_callbacks(session, contact.id, now)  # type: ignore[arg-type]
    if disposition.is_dnc:
        add_number(session, contact.e164, source=f"disposition {code} by {agent or 'engine'}",
                   reason=disposition.label, actor=agent or "engine")
        cancel_callbacks(session, contact.id)  # type: ignore[arg-type]
        contact.lead_state, contact.dnc_reason = LeadState.DNC, "internal do-not-call (opt-out)"
    elif callback_at is not None:
        session.add_all([attempt, contact])
        schedule_callback(session, contact.id, callback_at, callback_agent)  # type: ignore[arg-type]
    elif disposition.is_final or disposition.is_success:
        contact.lead_state = LeadState.DONE
    elif exhausted(contact.attempts, campaign) or _code_exhausted(session, contact, disposition):
        contact.lead_state = LeadState.DONE
    else:
        contact.next_attempt_at = now + timedelta(minutes=disposition.recycle_delay_minutes or 0)
    session.add_all([attempt, contact])
    session.flush()
    return contact


def _code_exhausted(session: Session, contact: Contact, disposition: Disposition) -> bool:
    if disposition.max_attempts is None:
        return False
    with_code = session.exec(
        select(CallAttempt.id).where(
            CallAttempt.contact_id == contact.id, CallAttempt.disposition == disposition.code
        )
    ).all()
    return len(with_code) >= disposition.max_attempts


def _attempt(session: Session, attempt_id: str) -> CallAttempt:
    attempt = session.get(CallAttempt, attempt_id)
    if attempt is None:
        raise LifecycleError(f"no call attempt {attempt_id!r}: start_attempt must come first")
    return attempt
