"""`phonebank lists`: import voter files into a campaign, and see or undo past imports."""

from __future__ import annotations

from dataclasses import asdict
from pathlib import Path
from typing import Annotated

import typer
from rich.progress import BarColumn, DownloadColumn, Progress, TextColumn, TimeRemainingColumn
from rich.table import Table
from sqlmodel import Session, select

from cli.common import ConfigOption, JsonOption, console, fail, print_json, settings_or_exit
from engine.compliance.registry import RegistryError
from engine.dnc.national import open_registry
from engine.leads.campaigns import CampaignError, find_campaign
from engine.lists.headers import HeaderError, parse_overrides
from engine.lists.importer import ImportFailed, ImportOptions, import_list, rollback_run
from engine.lists.reader import ListFileError
from engine.store.db import open_database
from engine.store.models import ImportRun, ImportStatus

lists_app = typer.Typer(help="Import contact lists (voter files) into campaigns.", no_args_is_help=True)


@lists_app.command("import")
def import_command(
    file: Annotated[Path, typer.Argument(help="CSV file with a header line.")],
    campaign: Annotated[str, typer.Option("--campaign", help="Campaign name or id.")],
    list_name: Annotated[str | None, typer.Option("--list", help="List name (default: the file name).")] = None,
    mapping: Annotated[list[str] | None, typer.Option("--map", help="COLUMN=FIELD, e.g. 'Cell Phone=cell' or 'Notes=skip' (repeat).")] = None,
    report: Annotated[Path | None, typer.Option(help="Where to write rejected rows (default FILE.rejects.csv).")] = None,
    encoding: Annotated[str | None, typer.Option(help="File encoding when not UTF-8, e.g. cp1252 or latin-1.")] = None,
    config: ConfigOption = None,
    json_output: JsonOption = False,
) -> None:
    """Import FILE: normalise numbers, reject bad rows to a report, skip numbers already in the campaign."""
    settings = settings_or_exit(config)
    if not file.is_file():
        fail(f"{file} is not a file: pass the path of a CSV export")
    try:
        options = ImportOptions(
            list_name=list_name, overrides=parse_overrides(mapping or []), encoding=encoding,
            report_path=report,
        )
        registry = open_registry(settings.state_dir)
    except (HeaderError, RegistryError) as exc:
        fail(str(exc))
    engine = open_database(settings.database_url)
    with Session(engine) as session:
        try:
            campaign_id = find_campaign(session, campaign).id
        except CampaignError as exc:
            fail(str(exc))
    assert campaign_id is not None
    columns = (TextColumn("importing {task.description}"), BarColumn(), DownloadColumn(), TimeRemainingColumn())
    with Progress(*columns, console=console, transient=True, disable=json_output) as progress:
        task = progress.add_task(file.name, total=file.stat().st_size)
        try:
            result = import_list(
                engine, campaign_id, file, options, registry=registry,
                progress=lambda done, total: progress.update(task, completed=done, total=total),
            )
        except (ListFileError, HeaderError, ImportFailed) as exc:
            fail(f"{exc} (nothing was imported)" if isinstance(exc, (ListFileError, HeaderError)) else str(exc))
        except KeyboardInterrupt:
            fail("interrupted: the partial import was rolled back; run the same command again")
    if json_output:
        print_json(asdict(result))
        return
    if result.already_imported:
        console.print(f"{file.name} was already imported into this campaign (run {result.run_id}): nothing added")
        return
    console.print(
        f"imported [bold]{result.imported:,}[/] contacts from {result.rows:,} rows: "
        f"{result.rejected:,} rejected, {result.duplicates:,} duplicates skipped, "
        f"{result.dnc_marked:,} on a do-not-call list (kept, never dialled)"
    )
    if not result.national_scrubbed:
        console.print("[yellow]national registry not loaded:[/] campaigns that use it will not dial until `phonebank dnc import FILE --national`")
    if result.report_path:
        console.print(f"rejected rows with reasons: {result.report_path}")


@lists_app.command("runs")
def runs_command(
    campaign: Annotated[str, typer.Option("--campaign", help="Campaign name or id.")],
    config: ConfigOption = None,
    json_output: JsonOption = False,
) -> None:
    """Show the campaign's imports with their counts and status."""
    engine = open_database(settings_or_exit(config).database_url)
    with Session(engine) as session:
        try:
            campaign_id = find_campaign(session, campaign).id
        except CampaignError as exc:
            fail(str(exc))
        runs = [r.model_dump() for r in session.exec(
            select(ImportRun).where(ImportRun.campaign_id == campaign_id).order_by(ImportRun.id)  # type: ignore[arg-type]
        )]
    if json_output:
        print_json(runs)
        return
    table = Table("run", "file", "status", "rows", "imported", "rejected", "duplicates", "DNC", "started")
    for run in runs:
        table.add_row(
            str(run["id"]), Path(run["file_name"]).name, run["status"], f"{run['rows']:,}",
            f"{run['imported']:,}", f"{run['rejected']:,}", f"{run['duplicates']:,}",
            f"{run['dnc_marked']:,}", f"{run['started_at']:%Y-%m-%d %H:%M}",
        )
    console.print(table)


@lists_app.command("rollback")
def rollback_command(
    run_id: Annotated[int, typer.Argument(help="Import run id (see `phonebank lists runs`).")],
    config: ConfigOption = None,
) -> None:
    """Remove every contact one import added (for instance a file imported into the wrong campaign)."""
    engine = open_database(settings_or_exit(config).database_url)
    with Session(engine) as session:
        run = session.get(ImportRun, run_id)
        if run is None:
            fail(f"no import run {run_id}: see `phonebank lists runs --campaign C`")
        if run.status == ImportStatus.ROLLED_BACK:
            fail(f"import run {run_id} was already rolled back")
    try:
        rollback_run(engine, run_id, "rolled back by `phonebank lists rollback`")
    except ImportFailed as exc:
        fail(str(exc))
    console.print(f"import run {run_id} rolled back: its contacts were removed")


def register(app: typer.Typer) -> None:
    """Add `phonebank lists` to the top-level app."""
    app.add_typer(lists_app, name="lists")
