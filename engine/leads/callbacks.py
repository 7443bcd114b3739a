"""Scheduled callbacks: a promise to call a contact back, for one agent or for anyone."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import update
from sqlmodel import Session, col

from engine.store.models import Callback, CallbackStatus, Contact, LeadState


def schedule_callback(
    session: Session, contact_id: int, due_at: datetime, agent: str | None = None,
    note: str | None = None,
) -> Callback:
    """Book a callback; the hopper leases it first once due (still only inside calling hours).

    ``agent`` None means whoever is free. The contact goes back to the pool if it had been
    closed, since a callback is a request to be called. The caller commits.
    """
    contact = session.get(Contact, contact_id)
    if contact is None:
        raise ValueError(f"no contact with id {contact_id}")
    if contact.lead_state == LeadState.DNC:
        raise ValueError(f"{contact.e164} is on a do-not-call list: no callback can be booked")
    callback = Callback(
        campaign_id=contact.campaign_id, contact_id=contact_id, agent=agent, due_at=due_at, note=note,
    )
    contact.lead_state = LeadState.READY
    contact.next_attempt_at = due_at
    session.add_all([callback, contact])
    session.flush()
    return callback


def close_callbacks(session: Session, contact_id: int, now: datetime) -> None:
    """Mark the contact's due callbacks done (called when an attempt on it is recorded)."""
    session.exec(  # type: ignore[call-overload]
        update(Callback)
        .where(
            Callback.contact_id == contact_id, Callback.status == CallbackStatus.PENDING,
            col(Callback.due_at) <= now,
        )
        .values(status=CallbackStatus.DONE)
    )


def cancel_callbacks(session: Session, contact_id: int) -> None:
    """Cancel every pending callback of the contact (an opt-out, for instance)."""
    session.exec(  # type: ignore[call-overload]
        update(Callback)
        .where(Callback.contact_id == contact_id, Callback.status == CallbackStatus.PENDING)
        .values(status=CallbackStatus.CANCELLED)
    )
