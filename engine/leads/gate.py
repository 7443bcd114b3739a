"""The last check before a number is dialled: lease, do-not-call, calling window, limits."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from sqlmodel import Session, col, select

from engine.compliance.windows import dialable_keys
from engine.compliance.zones import candidate_zones
from engine.dnc.checks import is_blocked
from engine.leads.campaigns import calling_hours
from engine.leads.limits import exhausted, next_allowed
from engine.store.models import CallAttempt, Campaign, Contact, LeadState

if TYPE_CHECKING:
    from engine.compliance.registry import Registry


def may_dial(
    session: Session, contact_id: int, owner: str, now: datetime, registry: Registry | None = None
) -> str | None:
    """None when ``owner`` may dial the contact at ``now``; otherwise the reason it may not.

    The engine calls this right before originating, in the same breath as ``start_attempt``:
    the hopper checked the same things when it leased, but an opt-out or the end of a calling
    window can arrive in between. Raises RegistryUnavailable like ``is_blocked``.
    """
    contact = session.get(Contact, contact_id)
    if contact is None:
        return f"no contact with id {contact_id}"
    if contact.lease_owner != owner or contact.lease_expires_at is None or contact.lease_expires_at <= now:
        return "lease not held (expired or taken by another engine)"
    if contact.lead_state != LeadState.READY:
        return f"lead is {contact.lead_state}"
    campaign = session.get(Campaign, contact.campaign_id)
    assert campaign is not None
    blocked = is_blocked(session, contact.e164, campaign.id, registry)  # type: ignore[arg-type]
    if blocked is not None:
        return blocked.describe()
    if not dialable_keys([contact.window_key], calling_hours(campaign), now, campaign.states):
        return "outside the callee's calling window"
    if exhausted(contact.attempts, campaign):
        return "lifetime attempt limit reached"
    times = session.exec(
        select(CallAttempt.dialed_at).where(
            CallAttempt.contact_id == contact.id, col(CallAttempt.dialed_at) > now - timedelta(hours=50)
        )
    ).all()
    zones = candidate_zones(contact.e164, contact.zip_code, contact.state)
    if next_allowed(list(times), now, campaign, zones) is not None:
        return "daily or 24-hour attempt limit reached"
    return None
