"""`phonebank demo`: a predictive campaign dialled for a few minutes through a real Asterisk, the
simulated carrier and the lab's agent phones, worked by simulated volunteers over the engine's
API; then a report from the database, a chart, and the checks that decide the exit code.

The parts, in order: `demo_contacts` plans the voter file, `demo_setup` imports it and starts
the campaign, `demo_run` runs the engine and the volunteers, `demo_report` counts and checks,
`demo_chart` draws. The CLI (cli/demo.py) and the smoke test call `run_demo` alike.
"""

from __future__ import annotations

import asyncio
import random
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from engine.config import Settings
from engine.lab.demo_chart import write_chart
from engine.lab.demo_contacts import plan_contacts
from engine.lab.demo_report import DemoReport, build_report
from engine.lab.demo_run import DemoError, LiveSnapshot, ServeFn, run_dialling
from engine.lab.demo_setup import DemoCampaign, prepare_campaign, stop_leftover_campaigns
from engine.lab.phones import LabPhone
from engine.store.db import open_database

CHART_NAME = "report.png"


@dataclass(frozen=True)
class DemoOptions:
    """What `phonebank demo` is asked for."""

    minutes: float = 5.0
    contacts: int = 1000
    agents: int = 5
    seed: int = 1


@dataclass(frozen=True)
class DemoHooks:
    """How the demo talks to whoever runs it."""

    say: Callable[[str], None]
    on_import: Callable[[int, int], None]  # (bytes read, file size)
    on_tick: Callable[[LiveSnapshot], None]


@dataclass(frozen=True)
class DemoOutcome:
    """The campaign the demo ran, its report and where the chart is."""

    campaign: DemoCampaign
    report: DemoReport
    chart: Path


def agent_phones(phones: list[LabPhone], count: int) -> list[LabPhone]:
    """The first ``count`` agent phones; DemoError naming the fix when there are fewer."""
    agents = [p for p in phones if p.endpoint.role == "agent"]
    if len(agents) < count:
        raise DemoError(f"phonebank.toml has {len(agents)} agents, the demo wants {count}: "
                        f"pass --agents {len(agents)} or add [[agents]] entries")
    return agents[:count]


async def run_demo(settings: Settings, phones: list[LabPhone], options: DemoOptions, serve: ServeFn,
                   hooks: DemoHooks, folder: Path) -> DemoOutcome:
    """Plan, import and start a campaign, dial it for ``options.minutes`` with ``serve`` running
    the engine, then report on it and draw ``folder/report.png``."""
    agents = agent_phones(phones, options.agents)
    db = await asyncio.to_thread(open_database, settings.database_url)
    try:
        stopped = await asyncio.to_thread(stop_leftover_campaigns, db)
        if stopped:
            hooks.say(f"stopped demo campaigns an interrupted run left active: {', '.join(stopped)}")
        now = datetime.now(UTC)
        plan = plan_contacts(options.contacts, now, random.Random(f"{options.seed}-contacts"))
        hooks.say(f"{len(plan.contacts)} contacts in zones open now ({', '.join(plan.open_zones)}); "
                  f"night in {', '.join(plan.closed_zones)}")
        campaign = await asyncio.to_thread(prepare_campaign, settings, db, plan, now, folder, hooks.on_import)
        hooks.say(f"campaign {campaign.name}: {campaign.imported.imported} contacts imported, "
                  f"{campaign.imported.dnc_marked} held back by the do-not-call list; started")
        run = await run_dialling(settings, db, agents, campaign, options.minutes, serve, hooks.on_tick,
                                 random.Random(f"{options.seed}-volunteers"))
        tones = {p.endpoint.endpoint: p.tone_hz for p in agents}
        report = await asyncio.to_thread(build_report, db, campaign.campaign_id, plan, run, tones,
                                         settings.recordings_dir, random.Random(f"{options.seed}-recordings"))
        chart = await asyncio.to_thread(write_chart, report, folder / CHART_NAME)
        return DemoOutcome(campaign, report, chart)
    finally:
        db.dispose()
