"""`phonebank demo`, short: 40 contacts dialled for 45 s by 2 agents through the same code the
command runs (engine in-process, volunteers over the API), and every number of its report
recomputed from the database.
"""

from __future__ import annotations

import random
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlmodel import Session, select

from agents.server import serve
from engine.lab.demo import DemoHooks, DemoOptions, run_demo
from engine.lab.demo_contacts import ContactKind, plan_contacts
from engine.lab.demo_run import LiveSnapshot
from engine.lab.session import RunningLab
from engine.metrics.campaign import LIVE_OUTCOMES
from engine.store.db import open_database
from engine.store.models import CallAttempt, Contact, LeadState

pytestmark = pytest.mark.integration

# A seed whose voter file (its order does not depend on the hour) starts with live callees, so
# calls reach the agents within the short run.
OPTIONS = DemoOptions(minutes=0.75, contacts=40, agents=2, seed=14)


def test_seed_puts_live_callees_first() -> None:
    plan = plan_contacts(OPTIONS.contacts, datetime.now(UTC), random.Random(f"{OPTIONS.seed}-contacts"))
    first = [c.behaviour for c in plan.contacts if c.kind is ContactKind.DIALABLE][:4]
    assert first.count("live") >= 2, f"pick another seed: the first dialable callees are {first}"
    assert plan.numbers(ContactKind.DNC) and plan.numbers(ContactKind.CLOSED)


async def test_short_demo_reports_what_the_database_holds(lab: RunningLab, tmp_path: Path) -> None:
    settings = lab.settings.model_copy(deep=True)
    settings.database.url = f"sqlite:///{tmp_path}/demo.db"
    ticks: list[LiveSnapshot] = []
    imported: list[tuple[int, int]] = []
    hooks = DemoHooks(say=print, on_import=lambda done, size: imported.append((done, size)), on_tick=ticks.append)

    outcome = await run_demo(settings, list(lab.phones.values()), OPTIONS, serve, hooks, tmp_path)

    report, plan = outcome.report, outcome.campaign.plan
    assert report.problems == []
    db = open_database(settings.database_url)
    with Session(db) as session:
        attempts = session.exec(select(CallAttempt).where(CallAttempt.campaign_id == outcome.campaign.campaign_id)).all()
        states = session.exec(select(Contact.lead_state).where(Contact.campaign_id == outcome.campaign.campaign_id)).all()
    db.dispose()
    outcomes = Counter(a.outcome for a in attempts)
    live = sum(outcomes[o] for o in LIVE_OUTCOMES)
    assert report.calls == len(attempts) > 0
    assert report.contacts == len(states) == OPTIONS.contacts
    assert report.contacts_dnc == states.count(LeadState.DNC) >= len(plan.numbers(ContactKind.DNC))
    assert report.outcomes == dict(outcomes) and None not in outcomes
    assert report.dispositions == dict(Counter(a.disposition for a in attempts if a.disposition))
    assert (report.live_answers, report.connected, report.abandoned) == (live, outcomes["connected"], outcomes["abandoned"])
    assert report.abandon_rate == (outcomes["abandoned"] / live if live else None)
    assert report.contacts_reached == len({a.contact_id for a in attempts if a.outcome == "connected"}) >= 1
    assert report.recordings == sum(a.recording_path is not None for a in attempts) >= report.connected
    assert report.checks and all(check.ok for check in report.checks)
    dialled = {a.number_called for a in attempts}
    assert not dialled & (plan.numbers(ContactKind.DNC) | plan.numbers(ContactKind.CLOSED))
    assert report.carrier_calls == len(attempts), "the carrier rang a number without an attempt, or missed one"
    assert report.occupancy is not None and 0 < report.occupancy <= 1
    assert outcome.chart.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert imported and imported[-1][0] == imported[-1][1], "the import's progress never reached the end"
    dialling = [t for t in ticks if t.phase == "dialling" and t.metrics is not None]
    assert dialling and dialling[-1].metrics is not None and dialling[-1].metrics.dialed_today <= report.calls
    assert all(sum(t.agents.values()) == OPTIONS.agents for t in dialling)
