"""`phonebank campaigns show NAME --watch`: a campaign's live metrics, refreshed every second or two.

The database gives the rates (dials, contacts, abandons, handle time, conversion); the running
engine's API gives what only it knows (lines in flight, agents by state). Without a running
engine the view still shows the database side and says so.
"""

from __future__ import annotations

import time
from collections import Counter
from datetime import UTC, datetime

import httpx
from rich.live import Live
from rich.table import Table
from sqlalchemy.engine import Engine

from cli.common import console
from engine.config import Settings
from engine.metrics.campaign import CampaignMetrics, LiveCounters, campaign_metrics

REFRESH_SECONDS = 2.0


def _live(settings: Settings, campaign_id: int) -> tuple[LiveCounters, str]:
    web = settings.web
    try:
        with httpx.Client(base_url=f"http://{web.bind_address}:{web.port}", timeout=2,
                          headers={"Authorization": f"Bearer {web.api_token}"}) as api:
            agents = api.get("/api/agents").raise_for_status().json()
            campaigns = api.get("/api/campaigns").raise_for_status().json()
    except httpx.HTTPError:
        return LiveCounters(0, 0, 0, 0, 0, 0, 0), "engine not reachable: live counters are zero"
    states = Counter(row["state"] for row in agents)
    in_flight = sum(c["in_flight"] for c in campaigns if c["campaign_id"] == campaign_id)
    return LiveCounters(in_flight=in_flight, waiting=0, agents_logged_in=len(agents),
                        agents_ready=states["ready"], agents_on_call=states["on_call"],
                        agents_wrap_up=states["wrap_up"], agents_paused=states["paused"]), "engine running"


def _pct(value: float | None) -> str:
    return "-" if value is None else f"{value:.1%}"


def metrics_table(metrics: CampaignMetrics, engine_state: str) -> Table:
    """One screen of a campaign's live state."""
    live = metrics.live
    table = Table("metric", "value", title=f"{metrics.name} ({metrics.status}, {metrics.mode}) at "
                  f"{metrics.at:%H:%M:%S} UTC: {engine_state}", title_justify="left")
    rows = [
        ("dial level", f"{metrics.dial_level:.2f}"),
        ("lines in flight", str(live.in_flight)),
        ("agents ready / on call / wrap-up / paused",
         f"{live.agents_ready} / {live.agents_on_call} / {live.agents_wrap_up} / {live.agents_paused}"),
        ("dials today / last hour", f"{metrics.dialed_today:,} / {metrics.dialed_last_hour:,}"),
        ("contact rate (last hour)", _pct(metrics.contact_rate)),
        ("abandon rate today", f"{_pct(metrics.abandon_rate_today)} ({metrics.abandoned_today} of {metrics.live_answers_today})"),
        ("abandon rate 30 days / target", f"{_pct(metrics.abandon_rate_30d)} / {metrics.abandon_target:.1%}"),
        ("average talk time (last hour)", "-" if metrics.average_handle_seconds is None else f"{metrics.average_handle_seconds:.0f} s"),
        ("connected calls per hour", f"{metrics.calls_per_hour:,.0f}" if metrics.calls_per_hour is not None else "-"),
        ("conversion today", _pct(metrics.conversion_rate)),
        ("outcomes today", ", ".join(f"{k} {v}" for k, v in sorted(metrics.outcomes_today.items())) or "-"),
    ]
    for name, value in rows:
        table.add_row(name, value)
    return table


def watch(settings: Settings, db: Engine, campaign_id: int) -> None:
    """Redraw until Ctrl-C."""
    with Live(console=console, refresh_per_second=1) as screen:
        try:
            while True:
                live, engine_state = _live(settings, campaign_id)
                screen.update(metrics_table(campaign_metrics(db, campaign_id, datetime.now(UTC), live), engine_state))
                time.sleep(REFRESH_SECONDS)
        except KeyboardInterrupt:
            return
