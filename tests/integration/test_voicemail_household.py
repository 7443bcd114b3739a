"""A household gets one voicemail per campaign: three machines at one address, one message left.

The lab's 5RXX numbers answer as machines; the campaign leaves a tone-coded (3000 Hz) voicemail,
and the carrier's recording of each machine shows which ones heard it.
"""

from __future__ import annotations

import asyncio
import csv
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from engine.audio import heard_tones, write_tone
from engine.calls.controller import CallController
from engine.campaign.runner import CampaignRunner, controller_snapshot
from engine.dialing.trunks import TrunkLimiter
from engine.lab.carrier import heard_path
from engine.lab.phones import control
from engine.lab.session import RunningLab
from engine.leads.campaigns import create_campaign
from engine.lists.importer import ImportOptions, import_list
from engine.store.models import CallAttempt, CampaignStatus
from tests.integration.waits import complete_wav

pytestmark = pytest.mark.integration

CAMPAIGN_INSTANT = datetime(2026, 11, 24, 17, 0, tzinfo=UTC)  # a Tuesday: 12:00 in New York
VOICEMAIL_HZ = 3000.0
HOUSEHOLD = ["+12122015100", "+12122025100", "+12122035100"]  # one address, three machines
NEIGHBOUR = "+12122045100"  # next door: a household of its own


async def test_one_voicemail_per_household(lab: RunningLab, calls: CallController, database: Engine,
                                           tmp_path: Path) -> None:
    voicemail = lab.settings.sounds_dir / "vm-household" / "voicemail.wav"
    write_tone(voicemail, VOICEMAIL_HZ, 3.0)
    for folder in (voicemail.parent, voicemail.parent.parent):
        folder.chmod(0o755)
    voter_file = tmp_path / "voters.csv"
    with voter_file.open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["phone", "first_name", "last_name", "address", "zip"])
        writer.writerows([number, "Member", "Smith", "12 Elm St", "10001"] for number in HOUSEHOLD)
        writer.writerow([NEIGHBOUR, "Neighbour", "Jones", "14 Elm St", "10001"])
    with Session(database) as session:
        campaign = create_campaign(
            session, "vm-household", mode="progressive", states=["NY"], caller_ids=["+12125550100"],
            calling_hours={"weekday": "09:00-21:00", "saturday": None, "sunday": None},
            uses_national_dnc=False, cell_policy="dial", status=CampaignStatus.ACTIVE,
            dialing={"trunks": ["lab"], "ring_timeout": 15, "amd": True, "machine_action": "voicemail",
                     "voicemail": "voicemail.wav"})
        session.commit()
        campaign_id = campaign.id
    assert campaign_id is not None
    await asyncio.to_thread(import_list, database, campaign_id, voter_file, ImportOptions(list_name="voters"))

    offset = CAMPAIGN_INSTANT - datetime.now(UTC)
    # One line at a time, so the household's calls cannot overlap.
    runner = CampaignRunner(db=database, campaign_id=campaign_id, controller=calls, settings=lab.settings,
                            trunks=[TrunkLimiter("lab", 1, 5)], agents=controller_snapshot(calls),
                            node="vm-node", clock=lambda: datetime.now(UTC) + offset, stop_when_done=True)
    async with control(lab.agents[0]) as phone:
        await phone.dial(lab.settings.dialplan.agent_login)
        await calls.wait_for_agents(1, timeout=15)
        await asyncio.wait_for(runner.run(), timeout=240)
        await phone.hangup()

    with Session(database) as session:
        attempts = {a.number_called: a for a in session.exec(select(CallAttempt)).all()}
    assert set(attempts) == {*HOUSEHOLD, NEIGHBOUR}
    assert all(a.outcome == "machine" for a in attempts.values())
    dropped = [n for n in HOUSEHOLD if attempts[n].voicemail_dropped]
    assert len(dropped) == 1, f"the household got {len(dropped)} voicemails"
    assert attempts[NEIGHBOUR].voicemail_dropped, "the neighbour is another household"
    for number, attempt in attempts.items():
        heard = heard_tones(await complete_wav(heard_path(lab.settings, attempt.id)), [VOICEMAIL_HZ])
        assert (VOICEMAIL_HZ in heard) == attempt.voicemail_dropped, number
