"""Calls to a campaign's caller-ID number: a known contact reaches an agent of that campaign
(with an attempt an agent can dispose), anyone else hears the message and can opt out by key.

The lab carrier places the calls (AMI Originate into its `carrier-caller` context), sending
440 Hz and recording what the caller heard.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from engine.ami.client import AmiClient
from engine.ari.client import AriClient
from engine.audio import heard_tones, write_tone
from engine.calls.controller import CallController, ControllerConfig
from engine.campaign.inbound import DatabaseInboundRouter
from engine.lab.carrier import heard_path
from engine.lab.phones import control
from engine.lab.session import RunningLab
from engine.leads.campaigns import create_campaign
from engine.store.models import (
    AuditEntry,
    CallAttempt,
    CampaignStatus,
    Contact,
    ContactList,
    DncEntry,
)
from tests.integration.waits import complete_wav

pytestmark = pytest.mark.integration

CAMPAIGN_NUMBER = "+12025550177"
KNOWN, STRANGER = "+12125550142", "+13125550199"
SAFE_HARBOR_HZ = 2400.0


@pytest.fixture
async def inbound_calls(lab: RunningLab, ari: AriClient, database: Engine) -> AsyncIterator[CallController]:
    message = lab.settings.sounds_dir / "inbound-test" / "message.wav"
    write_tone(message, SAFE_HARBOR_HZ, 3.0)
    for folder in (message.parent, message.parent.parent):
        folder.chmod(0o755)
    with Session(database) as session:
        campaign = create_campaign(session, "inbound-test", mode="progressive", states=["NY"],
                                   caller_ids=[CAMPAIGN_NUMBER], status=CampaignStatus.ACTIVE,
                                   uses_national_dnc=False, dialing={"safe_harbor": "message.wav"})
        session.flush()
        voters = ContactList(campaign_id=campaign.id, name="voters")  # type: ignore[arg-type]
        session.add(voters)
        session.flush()
        session.add(Contact(campaign_id=campaign.id, list_id=voters.id, e164=KNOWN, first_name="Known",  # type: ignore[arg-type]
                            window_key="|America/New_York"))
        session.commit()
    router = DatabaseInboundRouter(database, lab.settings)
    async with CallController(ari, ControllerConfig.from_settings(lab.settings), inbound=router) as controller:
        yield controller


async def _call_in(lab: RunningLab, caller: str, **variables: str) -> str:
    """The carrier rings the campaign's number from `caller`; returns the tag of its recording."""
    assert lab.settings.lab is not None
    tag = str(uuid.uuid4())
    async with AmiClient("127.0.0.1", lab.settings.lab.carrier_ami_port, lab.settings.lab.carrier_ami_username,
                         lab.settings.lab.carrier_ami_secret) as carrier, carrier.events() as events:
        await carrier.originate(f"PJSIP/{CAMPAIGN_NUMBER}@pbx", channel_id=tag, context="carrier-caller", exten="s",
                                caller_id=caller, variables={"CALL_TAG": tag, **variables})
        await events.wait_for(lambda e: e.name == "Hangup" and e.get("Uniqueid") == tag, timeout=40)
    return tag


async def _settled(database: Engine, what: str, check: object) -> None:
    async with asyncio.timeout(10):
        while True:
            with Session(database) as session:
                if check(session):  # type: ignore[operator]
                    return
            await asyncio.sleep(0.1)  # the router commits right after the hang-up: polled briefly


async def test_a_known_contact_calling_back_reaches_an_agent(lab: RunningLab, inbound_calls: CallController,
                                                             database: Engine) -> None:
    agent = lab.agents[0]
    async with control(agent) as phone:
        await phone.dial(lab.settings.dialplan.agent_login)
        await inbound_calls.wait_for_agents(1, timeout=15)
        tag = await _call_in(lab, KNOWN, HOLD="5")
        await phone.hangup()

    await _settled(database, "attempt", lambda s: s.exec(select(CallAttempt).where(
        CallAttempt.caller_id == KNOWN, CallAttempt.outcome.is_not(None))).first())  # type: ignore[union-attr]
    with Session(database) as session:
        attempt = session.exec(select(CallAttempt).where(CallAttempt.caller_id == KNOWN)).one()
    assert attempt.outcome == "inbound_connected" and attempt.agent == agent.endpoint.endpoint
    assert attempt.number_called == CAMPAIGN_NUMBER and attempt.recording_path
    heard = await complete_wav(heard_path(lab.settings, tag))
    assert agent.tone_hz in heard_tones(heard, [agent.tone_hz, SAFE_HARBOR_HZ])


async def test_a_stranger_hears_the_message_and_opts_out_by_key(lab: RunningLab, inbound_calls: CallController,
                                                                database: Engine) -> None:
    tag = await _call_in(lab, STRANGER, PRESS="9", HOLD="8")

    await _settled(database, "audit", lambda s: s.exec(select(AuditEntry).where(
        AuditEntry.action == "inbound.call", AuditEntry.actor == STRANGER)).first())
    with Session(database) as session:
        internal = session.exec(select(DncEntry).where(DncEntry.e164 == STRANGER, DncEntry.scope == "internal")).first()
        assert internal is not None, "the opt-out did not reach the internal do-not-call list"
        assert not session.exec(select(CallAttempt).where(CallAttempt.caller_id == STRANGER)).all()
    heard = await complete_wav(heard_path(lab.settings, tag))
    assert SAFE_HARBOR_HZ in heard_tones(heard, [SAFE_HARBOR_HZ])
