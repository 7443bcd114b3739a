"""`campaigns show --watch`: the screen it draws, with and without a running engine."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from rich.console import Console
from sqlmodel import Session

from cli.watch import _live, metrics_table
from engine.config import load_settings
from engine.initconfig import InitOptions, write_config
from engine.leads.campaigns import create_campaign
from engine.metrics.campaign import campaign_metrics
from engine.store.db import open_database


def test_without_an_engine_the_view_says_so_and_shows_the_database(tmp_path: Path) -> None:
    settings = load_settings(write_config(tmp_path / "phonebank.toml", InitOptions(port_offset=41000)))
    db = open_database(settings.database_url)
    with Session(db) as session:
        campaign = create_campaign(session, "watched", caller_ids=["+12025550100"], states=["NY"])
        session.commit()
        campaign_id = campaign.id
    assert campaign_id is not None
    live, state = _live(settings, campaign_id)
    assert state.startswith("engine not reachable") and live.in_flight == 0
    screen = Console(record=True, width=140)
    screen.print(metrics_table(campaign_metrics(db, campaign_id, datetime.now(UTC), live), state))
    text = screen.export_text()
    assert "watched (draft, predictive)" in text and "engine not reachable" in text
    assert "abandon rate 30 days / target" in text and "3.0%" in text
