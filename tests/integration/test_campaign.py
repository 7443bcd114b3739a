"""A 40-contact campaign on the real lab: every contact ends as the number plan says, and the
do-not-call and out-of-hours contacts are never originated (the carrier never sees them).

The campaign's clock is set to a Tuesday 17:00 UTC, so the test means the same thing whatever
the hour CI runs at: 13:00 in New York, 10:00 in San Francisco, 07:00 in Honolulu (closed) and
03:00 in Guam (closed).
"""

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
from engine.dnc.entries import add_number
from engine.lab.phones import control
from engine.lab.session import RunningLab
from engine.leads.campaigns import create_campaign
from engine.lists.importer import ImportOptions, import_list
from engine.store.models import CallAttempt, CampaignStatus, Contact

pytestmark = pytest.mark.integration

CAMPAIGN_INSTANT = datetime(2026, 11, 24, 17, 0, tzinfo=UTC)  # a Tuesday, no holiday

# (line digits, how many, expected outcome); area codes rotate over open time zones.
PLAN = [("1103", 12, "connected"), ("5100", 5, "machine"), ("3000", 5, "busy"), ("2000", 3, "no_answer"),
        ("7000", 3, "invalid_number"), ("4000", 3, "congestion"), ("6000", 3, "callee_hangup")]
OPEN_AREAS = ["202", "212", "312", "415", "617", "305"]
OPTED_OUT = ("+12029991103", "+13129991103", "+14159991103")


def _contacts() -> tuple[list[dict[str, str]], dict[str, str], set[str]]:
    rows: list[dict[str, str]] = []
    expected: dict[str, str] = {}
    forbidden: set[str] = set()
    exchange = 200
    for line, count, outcome in PLAN:
        for i in range(count):
            exchange += 1
            number = f"+1{OPEN_AREAS[i % len(OPEN_AREAS)]}{exchange}{line}"
            rows.append({"phone": number, "first_name": f"Voter{exchange}", "last_name": "Lab",
                         "address": f"{exchange} Main St", "zip": ""})
            expected[number] = outcome
    # Three on the internal do-not-call list, three whose local time is the middle of the night.
    for number in OPTED_OUT:
        rows.append({"phone": number, "first_name": "Opted", "last_name": "Out", "address": "1 DNC Way", "zip": ""})
        forbidden.add(number)
    for number in ("+18085551103", "+18085561103", "+16715551103"):
        rows.append({"phone": number, "first_name": "Night", "last_name": "Owl", "address": "2 Late Rd", "zip": ""})
        forbidden.add(number)
    return rows, expected, forbidden


async def test_forty_contacts_run_to_completion_compliantly(lab: RunningLab, calls: CallController, database: Engine,
                                                            carrier_calls: list[str], tmp_path: Path) -> None:
    rows, expected, forbidden = _contacts()
    assert len(rows) == 40
    voter_file = tmp_path / "voters.csv"
    with voter_file.open("w", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    with Session(database) as session:
        campaign = create_campaign(
            session, "lab-forty", mode="progressive", states=["DC", "NY", "IL", "CA", "MA", "FL", "HI", "GU"],
            calling_hours={"weekday": "09:00-21:00", "saturday": None, "sunday": None},
            caller_ids=["+12025550100", "+14155550100"], uses_national_dnc=False, cell_policy="dial",
            dialing={"trunks": ["lab"], "amd": True, "ring_timeout": 15},
            status=CampaignStatus.ACTIVE)
        for number in OPTED_OUT:
            add_number(session, number, source="test", reason="opted out earlier", actor="test")
        session.commit()
        campaign_id = campaign.id
    assert campaign_id is not None
    await asyncio.to_thread(import_list, database, campaign_id, voter_file, ImportOptions(list_name="voters"))

    offset = CAMPAIGN_INSTANT - datetime.now(UTC)
    trunks = [TrunkLimiter("lab", max_channels=20, max_cps=10)]
    runner = CampaignRunner(db=database, campaign_id=campaign_id, controller=calls, settings=lab.settings,
                            trunks=trunks, agents=controller_snapshot(calls), node="test-node",
                            disposer=lambda result: "SUP", clock=lambda: datetime.now(UTC) + offset,
                            stop_when_done=True)
    async with AsyncExitStack() as stack:
        phones = [await stack.enter_async_context(control(phone)) for phone in lab.agents]
        for phone in phones:
            await phone.dial(lab.settings.dialplan.agent_login)
        await calls.wait_for_agents(len(phones), timeout=15)
        await asyncio.wait_for(runner.run(), timeout=300)
        for phone in phones:
            await phone.hangup()

    with Session(database) as session:
        attempts = session.exec(select(CallAttempt)).all()
        contacts = {c.e164: c for c in session.exec(select(Contact)).all()}
    by_number: dict[str, list[CallAttempt]] = {}
    for attempt in attempts:
        by_number.setdefault(attempt.number_called, []).append(attempt)

    assert not forbidden & set(by_number), "a do-not-call or out-of-hours contact was dialled"
    assert not forbidden & set(carrier_calls), "the carrier was asked to ring a forbidden number"
    assert set(by_number) == set(expected)
    for number, outcome in expected.items():
        assert len(by_number[number]) == 1, f"{number} dialled {len(by_number[number])} times"
        attempt = by_number[number][0]
        assert attempt.outcome == outcome, (number, attempt.outcome, attempt.hangup_cause)
        assert attempt.caller_id in ("+12025550100", "+14155550100")
        assert attempt.dialed_at is not None and attempt.hangup_at is not None
        assert attempt.disposition is not None, f"{number} has no disposition"
        if outcome == "connected":
            assert attempt.recording_path and Path(attempt.recording_path).exists()
            assert attempt.connected_at is not None and attempt.agent
        else:
            assert attempt.recording_path is None
    assert sorted(carrier_calls) == sorted(expected), "the carrier saw exactly the dialled numbers"
    for number in forbidden:
        assert contacts[number].attempts == 0
