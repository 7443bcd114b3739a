"""`phonebank export results`: a campaign's contacts with outcomes, ready to load back into a CRM."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer
from sqlmodel import Session

from cli.common import ConfigOption, err_console, fail, settings_or_exit
from engine.leads.campaigns import CampaignError, find_campaign
from engine.lists.export import export_results
from engine.store.db import open_database

export_app = typer.Typer(help="Export campaign results.", no_args_is_help=True)


@export_app.command("results")
def results(
    campaign: Annotated[str, typer.Option("--campaign", help="Campaign name or id.")],
    out: Annotated[Path | None, typer.Option("--out", help="CSV file to write (default: standard output).")] = None,
    config: ConfigOption = None,
) -> None:
    """Write every contact: original voter-file columns, last disposition, attempts, survey answers."""
    engine = open_database(settings_or_exit(config).database_url)
    with Session(engine) as session:
        try:
            campaign_id = find_campaign(session, campaign).id
        except CampaignError as exc:
            fail(str(exc))
    assert campaign_id is not None
    if out is None:
        export_results(engine, campaign_id, sys.stdout)
        return
    partial = out.with_name(out.name + ".partial")
    try:
        with partial.open("w", encoding="utf-8", newline="") as handle:
            count = export_results(engine, campaign_id, handle)
    except OSError as exc:
        fail(f"cannot write {out}: {exc.strerror}")
    partial.replace(out)  # a reader never sees a half-written export
    err_console.print(f"wrote {count:,} contacts to {out}")


def register(app: typer.Typer) -> None:
    """Add `phonebank export` to the top-level app."""
    app.add_typer(export_app, name="export")
