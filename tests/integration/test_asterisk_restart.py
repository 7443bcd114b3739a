"""Asterisk restarts in the middle of a campaign: the engine stops dialling while it is gone,
settles the calls it lost, takes agents back when their phones log in again, and finishes the
campaign without losing or duplicating a single call record."""

from __future__ import annotations

import asyncio
import csv
from contextlib import AsyncExitStack
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from engine.calls.controller import CallController
from engine.campaign.runner import CampaignRunner, controller_snapshot
from engine.dialing.trunks import TrunkLimiter
from engine.lab.phones import PhoneControl, control
from engine.lab.session import RunningLab
from engine.leads.campaigns import create_campaign
from engine.lists.importer import ImportOptions, import_list
from engine.pbx import instance
from engine.pbx.pbx import pbx_instance
from engine.store.models import CallAttempt, CampaignStatus

pytestmark = pytest.mark.integration

CAMPAIGN_INSTANT = datetime(2026, 11, 24, 17, 0, tzinfo=UTC)  # a Tuesday: 12:00 in New York
NUMBERS = [f"+1212{200 + i}1104" for i in range(24)] + [f"+1415{200 + i}3000" for i in range(4)]


async def _log_in(phones: list[PhoneControl], calls: CallController, login: str) -> None:
    for phone in phones:
        await phone.dial(login)
    await calls.wait_for_agents(len(phones), timeout=20)


def _restart_pbx(lab: RunningLab) -> None:
    pbx = pbx_instance(lab.settings)
    lab.engine.run(["restart", "-t", "2", pbx.name], timeout=60)
    instance.wait_booted(lab.engine, pbx, timeout=60)


async def test_campaign_recovers_from_an_asterisk_restart(lab: RunningLab, calls: CallController, database: Engine,
                                                          carrier_calls: list[str], tmp_path: Path) -> None:
    voter_file = tmp_path / "voters.csv"
    with voter_file.open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["phone", "first_name"])
        writer.writerows([number, "Voter"] for number in NUMBERS)
    with Session(database) as session:
        campaign = create_campaign(
            session, "restart-test", mode="progressive", states=["NY", "CA"], caller_ids=["+12125550100"],
            calling_hours={"weekday": "09:00-21:00", "saturday": None, "sunday": None},
            uses_national_dnc=False, cell_policy="dial", status=CampaignStatus.ACTIVE,
            dialing={"trunks": ["lab"], "ring_timeout": 15})
        session.commit()
        campaign_id = campaign.id
    assert campaign_id is not None
    await asyncio.to_thread(import_list, database, campaign_id, voter_file, ImportOptions(list_name="voters"))

    def finished() -> int:
        with Session(database) as session:
            return len(session.exec(select(CallAttempt).where(CallAttempt.outcome.is_not(None))).all())  # type: ignore[union-attr]

    offset = CAMPAIGN_INSTANT - datetime.now(UTC)
    runner = CampaignRunner(db=database, campaign_id=campaign_id, controller=calls, settings=lab.settings,
                            trunks=[TrunkLimiter("lab", 20, 10)], agents=controller_snapshot(calls),
                            node="restart-node", disposer=lambda result: "SUP",
                            clock=lambda: datetime.now(UTC) + offset, stop_when_done=True)
    async with AsyncExitStack() as stack:
        phones = [await stack.enter_async_context(control(p)) for p in lab.agents]
        await _log_in(phones, calls, lab.settings.dialplan.agent_login)
        campaign_task = asyncio.create_task(runner.run())
        async with asyncio.timeout(90):
            while await asyncio.to_thread(finished) < 4:
                await asyncio.sleep(0.2)  # a DB count has no event; polled under a deadline
        await asyncio.to_thread(_restart_pbx, lab)
        for phone in phones:
            await phone.wait_event("CALL_CLOSED", timeout=30)
        await calls.wait_connected(timeout=60)
        assert not calls.lines.all(), "agent lines from before the restart are still counted"
        back_at = datetime.now(UTC) + offset
        await _log_in(phones, calls, lab.settings.dialplan.agent_login)
        await asyncio.wait_for(campaign_task, timeout=180)
        for phone in phones:
            await phone.hangup()

    with Session(database) as session:
        rows = session.exec(select(CallAttempt)).all()
    # Dials refused while Asterisk was going down never left: their rows stay, marked.
    attempts = [a for a in rows if a.outcome != "not_dialled"]
    assert all(a.disposition is None for a in rows if a.outcome == "not_dialled")
    per_number: dict[str, int] = {}
    for attempt in attempts:
        per_number[attempt.number_called] = per_number.get(attempt.number_called, 0) + 1
    assert set(per_number) == set(NUMBERS), "every contact was called"
    assert all(count == 1 for count in per_number.values()), f"dialled twice: {per_number}"
    assert all(a.outcome is not None and a.disposition is not None for a in attempts), "a call record was lost"
    assert set(carrier_calls) <= set(per_number), "the carrier rang a number with no attempt record"
    assert len(carrier_calls) == len(set(carrier_calls)), "the carrier was rung twice for one number"
    after = [a for a in attempts if a.dialed_at >= back_at]
    assert any(a.outcome == "connected" and a.recording_path for a in after), [(a.number_called, a.outcome, a.dialed_at >= back_at) for a in rows]
    for attempt in attempts:
        expected = "busy" if attempt.number_called.endswith("3000") else "connected"
        # A call up when Asterisk went down ends as failed; nothing else may differ.
        assert attempt.outcome in (expected, "failed"), (attempt.number_called, attempt.outcome)
