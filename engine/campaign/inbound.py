"""Inbound calls to a campaign's caller-ID numbers: who is calling back, and what to keep.

A known contact gets an agent of that campaign (and an attempt row, so the agent disposes it
like any call); anyone else hears the campaign's message with its opt-out key. Every inbound
call is written down: an attempt for contacts, an audit entry otherwise.
"""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

from sqlalchemy.engine import Engine
from sqlmodel import select

from engine.calls.controller import InboundRoute
from engine.calls.model import CallResult
from engine.campaign.settings import DialingSettings
from engine.config import Settings
from engine.dnc.entries import add_number
from engine.leads.lifecycle import AttemptTimes, finish_attempt
from engine.store.db import begin_immediate
from engine.store.models import AuditEntry, CallAttempt, Campaign, CampaignStatus, Contact

INBOUND_PREFIX = "inbound_"


class DatabaseInboundRouter:
    """Routes inbound calls by the number dialled (a campaign's caller ID) and the caller's."""

    def __init__(self, db: Engine, settings: Settings) -> None:
        self._db = db
        self._settings = settings
        self._contacts: dict[str, int | None] = {}

    async def route(self, call_id: str, dialled: str, caller: str) -> InboundRoute | None:
        return await asyncio.to_thread(self._route, call_id, dialled, caller)

    async def finished(self, route: InboundRoute, result: CallResult) -> None:
        await asyncio.to_thread(self._finished, route, result)

    def _route(self, call_id: str, dialled: str, caller: str) -> InboundRoute | None:
        with begin_immediate(self._db) as session:
            campaign = next((c for c in session.exec(select(Campaign)).all()
                             if _same(dialled, c.caller_ids) and c.status != CampaignStatus.ARCHIVED), None)
            if campaign is None or campaign.id is None:
                return None
            contact = session.exec(select(Contact).where(
                Contact.campaign_id == campaign.id, Contact.e164 == caller)).first()
            dialing = DialingSettings.model_validate(campaign.dialing or {})
            message = None
            if dialing.safe_harbor:
                message = self._settings.media_uri(self._settings.sounds_dir / campaign.name / dialing.safe_harbor)
            self._contacts[call_id] = contact.id if contact else None
            if contact is not None:
                # The row exists before an agent could dispose of the call.
                session.add(CallAttempt(id=call_id, campaign_id=campaign.id, contact_id=contact.id,  # type: ignore[arg-type]
                                        number_called=dialled, caller_id=caller, node=self._settings.engine.node,
                                        dialed_at=datetime.now(UTC)))
                session.commit()
            return InboundRoute(campaign=campaign.name, contact_known=contact is not None, message=message,
                                optout_digit=dialing.optout_digit)

    def _finished(self, route: InboundRoute, result: CallResult) -> None:
        call_id = result.request.attempt_id
        contact_id = self._contacts.pop(call_id, None)
        with begin_immediate(self._db) as session:
            if contact_id is not None:
                recording = result.recording
                finish_attempt(
                    session, call_id, INBOUND_PREFIX + result.outcome.value,
                    AttemptTimes(result.answered_at, None, result.connected_at, result.hungup_at),
                    hangup_cause=result.cause, hangup_cause_text=result.cause_txt or None, agent=result.agent,
                    recording_path=str(recording.path) if recording else None,
                    recording_sha256=recording.sha256 if recording else None, safe_harbor_at=result.safe_harbor_at)
            else:
                session.add(AuditEntry(actor=result.request.number or "unknown caller", action="inbound.call",
                                       entity="campaign", entity_id=route.campaign,
                                       detail={"outcome": result.outcome.value, "opted_out": result.opted_out}))
            if result.opted_out and result.request.number:
                add_number(session, result.request.number, source="keypress on an inbound call",
                           reason="caller opted out", actor="engine")
            session.commit()


def _same(dialled: str, caller_ids: list[str]) -> bool:
    digits = dialled.lstrip("+")
    return any(number.lstrip("+") == digits or number.lstrip("+").removeprefix("1") == digits
               for number in caller_ids)
