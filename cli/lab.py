"""`phonebank lab ...`: the simulated carrier and the test phones."""

from __future__ import annotations

import typer

from cli.asterisk import start_pbx
from cli.common import ConfigOption, console, fail, settings_or_exit
from engine.lab.lab import lab_down, lab_up
from engine.pbx.container import ContainerError, detect
from engine.pbx.render import RenderError

lab_app = typer.Typer(help="The lab: a simulated carrier and baresip phones (docs/lab.md).", no_args_is_help=True)


@lab_app.command("up")
def up(config: ConfigOption = None) -> None:
    """Start the PBX if needed, the simulated carrier, and a phone per agent and supervisor."""
    settings = settings_or_exit(config)
    engine = start_pbx(settings)
    try:
        phones = lab_up(engine, settings, lambda m: console.print(f"[dim]·[/] {m}", highlight=False))
    except (ContainerError, RenderError) as exc:
        fail(str(exc))
    console.print(f"lab up: carrier on :{settings.lab.carrier_sip_port if settings.lab else '?'}, {len(phones)} phones")


@lab_app.command("down")
def down(config: ConfigOption = None) -> None:
    """Stop the phones and the carrier (the PBX keeps running: `phonebank asterisk down`)."""
    settings = settings_or_exit(config)
    try:
        lab_down(detect(settings.pbx.container_engine), settings)
    except (ContainerError, RenderError) as exc:
        fail(str(exc))
    console.print("lab down")


def register(app: typer.Typer) -> None:
    """Add `lab` to the top-level app."""
    app.add_typer(lab_app, name="lab")
