"""`phonebank dnc`: the internal, campaign and national do-not-call lists."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.progress import BarColumn, DownloadColumn, Progress, TextColumn
from sqlmodel import Session, select

from cli.common import ConfigOption, JsonOption, console, fail, print_json, settings_or_exit
from engine.compliance.registry import RegistryError, import_registry
from engine.dnc import add_number, import_numbers, remove_number
from engine.dnc.files import read_dnc_file
from engine.dnc.national import open_registry, registry_path
from engine.leads.campaigns import CampaignError, find_campaign
from engine.lists.phones import PhoneNormaliser
from engine.lists.reader import ListFileError, inspect_file
from engine.store.db import open_database
from engine.store.models import Campaign, DncEntry

dnc_app = typer.Typer(help="Do-not-call lists: internal (all campaigns), per campaign, national.", no_args_is_help=True)
CampaignOption = Annotated[str | None, typer.Option("--campaign", help="A campaign's own list (default: the internal list, all campaigns).")]


def _e164(number: str) -> str:
    normalised = PhoneNormaliser().normalise(number)
    if normalised.e164 is None:
        fail(f"{normalised.reason}: give a full number such as +12025550143 or 202-555-0143")
    return normalised.e164


def _campaign_id(session: Session, campaign: str | None) -> int | None:
    if campaign is None:
        return None
    try:
        return find_campaign(session, campaign).id
    except CampaignError as exc:
        fail(str(exc))


@dnc_app.command("import")
def import_command(
    file: Annotated[Path, typer.Argument(help="Numbers, one per line, or a CSV with a phone column; FTC files with --national.")],
    campaign: CampaignOption = None,
    national: Annotated[bool, typer.Option("--national", help="FTC national registry download(s).")] = False,
    merge: Annotated[bool, typer.Option("--merge", help="With --national: add to the loaded registry instead of replacing it.")] = False,
    encoding: Annotated[str | None, typer.Option(help="File encoding when not UTF-8.")] = None,
    config: ConfigOption = None,
    json_output: JsonOption = False,
) -> None:
    """Import a do-not-call file into the internal list, a campaign's list, or the national registry."""
    settings = settings_or_exit(config)
    if national and campaign:
        fail("--national and --campaign exclude each other: the registry applies to every campaign that uses it")
    if not file.is_file():
        fail(f"{file} is not a file")
    columns = (TextColumn("{task.description}"), BarColumn(), DownloadColumn())
    if national:
        registry_path(settings.state_dir).parent.mkdir(parents=True, exist_ok=True)
        with Progress(*columns, console=console, transient=True, disable=json_output) as progress:
            task = progress.add_task(file.name, total=file.stat().st_size)
            try:
                stats = import_registry(
                    [file], registry_path(settings.state_dir),
                    progress=lambda read: progress.advance(task, read), merge=merge,
                )
            except RegistryError as exc:
                fail(f"{exc} (the registry in use is unchanged)")
        data = {"scope": "national", "size": stats.size, "accepted": stats.accepted, "malformed": stats.malformed}
        if json_output:
            print_json(data)
        else:
            console.print(f"national registry: {stats.size:,} numbers ({stats.accepted:,} read, {stats.malformed:,} malformed lines skipped)")
        return
    engine = open_database(settings.database_url)
    with Session(engine) as session:
        campaign_id = _campaign_id(session, campaign)
    try:
        facts = inspect_file(file, encoding)
        with Progress(*columns, console=console, transient=True, disable=json_output) as progress:
            progress.add_task(file.name, total=None)
            result = import_numbers(
                engine, read_dnc_file(facts, PhoneNormaliser()), campaign_id, source=f"file {file.name}"
            )
    except ListFileError as exc:
        fail(f"{exc} (batches already committed stay; re-run the import to finish it)")
    scope = "internal" if campaign_id is None else f"campaign {campaign}"
    if json_output:
        print_json({"scope": scope, "added": result.added, "invalid": result.invalid, "examples": result.examples})
        return
    console.print(f"{scope} do-not-call: {result.added:,} numbers added, {result.invalid:,} invalid lines skipped")
    for example in result.examples:
        console.print(f"  {example}")


@dnc_app.command("add")
def add_command(
    number: Annotated[str, typer.Argument(help="Phone number.")],
    campaign: CampaignOption = None,
    reason: Annotated[str | None, typer.Option(help="Why (kept with the entry).")] = None,
    config: ConfigOption = None,
) -> None:
    """Add a number; on the internal list it blocks every campaign at once."""
    e164 = _e164(number)
    engine = open_database(settings_or_exit(config).database_url)
    with Session(engine) as session:
        added = add_number(session, e164, _campaign_id(session, campaign), source="cli", reason=reason)
        session.commit()
    where = "the internal list (all campaigns)" if campaign is None else f"campaign {campaign}'s list"
    console.print(f"{e164} {'added to' if added else 'was already on'} {where}")


@dnc_app.command("remove")
def remove_command(
    number: Annotated[str, typer.Argument(help="Phone number.")],
    campaign: CampaignOption = None,
    config: ConfigOption = None,
) -> None:
    """Remove a number from the internal list (or a campaign's list). The national registry is read-only."""
    e164 = _e164(number)
    settings = settings_or_exit(config)
    engine = open_database(settings.database_url)
    with Session(engine) as session:
        removed = remove_number(session, e164, _campaign_id(session, campaign), registry=open_registry(settings.state_dir))
        session.commit()
    if not removed:
        fail(f"{e164} is not on that list: see `phonebank dnc check {e164}`")
    console.print(f"{e164} removed")


@dnc_app.command("check")
def check_command(
    number: Annotated[str, typer.Argument(help="Phone number.")],
    config: ConfigOption = None,
    json_output: JsonOption = False,
) -> None:
    """Show every do-not-call list the number is on."""
    e164 = _e164(number)
    settings = settings_or_exit(config)
    registry = open_registry(settings.state_dir)
    engine = open_database(settings.database_url)
    with Session(engine) as session:
        entries = session.exec(select(DncEntry, Campaign.name).join(Campaign, isouter=True).where(DncEntry.e164 == e164)).all()
        found = [
            {"scope": e.scope, "campaign": name, "source": e.source, "reason": e.reason, "since": e.created_at}
            for e, name in entries
        ]
    national = None if registry is None else registry.contains(e164)
    if json_output:
        print_json({"number": e164, "entries": found, "national_registry": national})
        return
    for entry in found:
        where = "internal (all campaigns)" if entry["scope"] == "internal" else f"campaign {entry['campaign']}"
        console.print(f"{e164}: {where}, since {entry['since']:%Y-%m-%d}, source {entry['source']}" + (f", reason: {entry['reason']}" if entry["reason"] else ""))
    if national is None:
        console.print(f"{e164}: national registry not loaded")
    elif national:
        console.print(f"{e164}: on the national registry")
    if not found and not national:
        console.print(f"{e164}: on no internal or campaign list" + ("" if national is None else " nor the national registry"))


def register(app: typer.Typer) -> None:
    """Add `phonebank dnc` to the top-level app."""
    app.add_typer(dnc_app, name="dnc")
