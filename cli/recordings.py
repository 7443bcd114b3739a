"""`phonebank recordings verify`: prove every recorded call is on disk as it was recorded."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn
from rich.table import Table
from sqlmodel import Session

from cli.common import (
    ConfigOption,
    JsonOption,
    console,
    err_console,
    fail,
    print_json,
    settings_or_exit,
)
from engine.leads.campaigns import CampaignError, find_campaign
from engine.archive.verify import RecordingStatus, VerifyReport, verify_recordings
from engine.store.db import open_database

recordings_app = typer.Typer(help="Check the call recordings archive.", no_args_is_help=True)

# Enough rows to act on at a glance; --json has them all.
SHOWN_ROWS = 20


@recordings_app.command("verify")
def verify(
    campaign: Annotated[
        str | None, typer.Option("--campaign", help="Campaign name or id (default: all).")
    ] = None,
    config: ConfigOption = None,
    json_output: JsonOption = False,
) -> None:
    """Re-hash every recording and compare it with its attempt's sha256.

    Exits 1 when any recording is missing, altered or unreadable, so cron can alert.
    """
    settings = settings_or_exit(config)
    engine = open_database(settings.database_url)
    campaign_id = None
    if campaign is not None:
        with Session(engine) as session:
            try:
                campaign_id = find_campaign(session, campaign).id
            except CampaignError as exc:
                fail(str(exc))
    # No bar under cron or a pipe: it would only leave blank lines in the mail.
    with Progress(
        TextColumn("verifying recordings"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeRemainingColumn(),
        console=err_console,
        transient=True,
        disable=json_output or not err_console.is_terminal,
    ) as bar:
        task = bar.add_task("verify", total=None)
        report = verify_recordings(
            engine,
            settings.recordings_dir,
            campaign_id,
            progress=lambda done, total: bar.update(task, completed=done, total=total),
        )
    if json_output:
        print_json(report.to_dict())
    else:
        _print_report(report, settings.recordings_dir)
    if report.failed:
        fail(
            f"{len(report.problems):,} of {report.checked:,} recordings are missing, altered "
            "or unreadable: restore them from backup and find out who changed them"
        )
    if not json_output:
        console.print(f"all {report.checked:,} recordings verified")


def _shown(path: Path, recordings_dir: Path) -> str:
    return (
        str(path.relative_to(recordings_dir)) if path.is_relative_to(recordings_dir) else str(path)
    )


def _print_report(report: VerifyReport, recordings_dir: Path) -> None:
    console.print(f"Recordings in {recordings_dir}", highlight=False)
    summary = Table("status", "count")
    summary.columns[1].justify = "right"
    for status in RecordingStatus:
        summary.add_row(status.value, f"{report.count(status):,}")
    summary.add_row("orphan files", f"{len(report.orphans):,}")
    console.print(summary)
    if report.problems:
        problems = Table(title="Problems")
        problems.add_column("attempt", no_wrap=True)
        problems.add_column("status", no_wrap=True)
        problems.add_column("path", overflow="fold")
        problems.add_column("detail")
        for problem in report.problems[:SHOWN_ROWS]:
            problems.add_row(
                problem.attempt_id,
                problem.status.value,
                _shown(problem.path, recordings_dir),
                problem.detail,
            )
        console.print(problems)
    for path in report.orphans[:SHOWN_ROWS]:
        console.print(
            f"orphan (no attempt references it): {_shown(path, recordings_dir)}", highlight=False
        )
    hidden = max(0, len(report.problems) - SHOWN_ROWS) + max(0, len(report.orphans) - SHOWN_ROWS)
    if hidden:
        console.print(f"... and {hidden:,} more: run with --json for the full list")


def register(app: typer.Typer) -> None:
    """Add `phonebank recordings` to the top-level app."""
    app.add_typer(recordings_app, name="recordings")
