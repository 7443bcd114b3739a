"""`phonebank campaigns`: create a campaign and list them (enough to import lists into)."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.table import Table
from sqlmodel import Session, func, select

from cli.common import ConfigOption, JsonOption, console, fail, print_json, settings_or_exit
from engine.leads.campaigns import CampaignError, create_campaign
from engine.store.db import open_database
from engine.store.models import Campaign, Contact

campaigns_app = typer.Typer(help="Create and list campaigns.", no_args_is_help=True)


@campaigns_app.command("create")
def create(
    name: Annotated[str, typer.Argument(help="Campaign name (unique).")],
    states: Annotated[list[str] | None, typer.Option("--state", help="A state the campaign calls (repeat).")] = None,
    cell_policy: Annotated[str, typer.Option(help="Cell phones without consent: dial, skip or manual.")] = "manual",
    national_dnc: Annotated[bool, typer.Option("--national-dnc/--no-national-dnc", help="Scrub against the national registry.")] = True,
    config: ConfigOption = None,
    json_output: JsonOption = False,
) -> None:
    """Create a campaign with the default dispositions and calling hours."""
    engine = open_database(settings_or_exit(config).database_url)
    with Session(engine, expire_on_commit=False) as session:
        try:
            campaign = create_campaign(
                session, name, states=[s.upper() for s in states or []], cell_policy=cell_policy,
                uses_national_dnc=national_dnc,
            )
        except CampaignError as exc:
            fail(str(exc))
        session.commit()
        data = campaign.model_dump()
    if json_output:
        print_json(data)
    else:
        console.print(f"created campaign [bold]{name}[/] (id {data['id']})")


@campaigns_app.command("list")
def list_campaigns(config: ConfigOption = None, json_output: JsonOption = False) -> None:
    """List campaigns with their contact counts."""
    engine = open_database(settings_or_exit(config).database_url)
    with Session(engine) as session:
        counts = dict(session.exec(
            select(Contact.campaign_id, func.count()).group_by(Contact.campaign_id)  # type: ignore[arg-type]
        ).all())
        rows = [(c.model_dump(), counts.get(c.id, 0)) for c in session.exec(select(Campaign).order_by(Campaign.id))]
    if json_output:
        print_json([{**data, "contacts": count} for data, count in rows])
        return
    table = Table("id", "name", "status", "states", "cell policy", "national DNC", "contacts")
    for data, count in rows:
        table.add_row(
            str(data["id"]), data["name"], data["status"], ",".join(data["states"]) or "all",
            data["cell_policy"], "yes" if data["uses_national_dnc"] else "no", f"{count:,}",
        )
    console.print(table)


def register(app: typer.Typer) -> None:
    """Add `phonebank campaigns` to the top-level app."""
    app.add_typer(campaigns_app, name="campaigns")
