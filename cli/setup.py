"""`phonebank init`: write phonebank.toml with freshly generated secrets."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from cli.common import console, fail
from engine.config import DEFAULT_CONFIG_NAME
from engine.initconfig import InitOptions, write_config


def init(
    path: Annotated[Path, typer.Option("--path", "-p", help="Where to write the file.")] = Path(DEFAULT_CONFIG_NAME),
    lab: Annotated[bool, typer.Option("--lab", help="Add the lab: a simulated carrier trunk and test phones.")] = False,
    agents: Annotated[int, typer.Option(min=0, max=500, help="Agent SIP endpoints to create.")] = 2,
    supervisors: Annotated[int, typer.Option(min=0, max=50, help="Supervisor SIP endpoints to create.")] = 1,
    force: Annotated[bool, typer.Option("--force", help="Replace an existing file (its secrets are lost).")] = False,
) -> None:
    """Write phonebank.toml with new secrets for AMI, ARI and every SIP endpoint."""
    try:
        written = write_config(path, InitOptions(lab=lab, agents=agents, supervisors=supervisors), force=force)
    except FileExistsError as exc:
        fail(str(exc))
    console.print(f"wrote [bold]{written}[/] (mode 600) with new secrets; next: `phonebank asterisk up`")


def register(app: typer.Typer) -> None:
    """Add `init` to the top-level app."""
    app.command("init")(init)
