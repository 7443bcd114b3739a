"""The `phonebank` command. Each module in this package registers its own commands."""

from __future__ import annotations

import typer

from cli import asterisk, campaigns, demo, dnc, export, lab, lists, recordings, serve, setup, simulate

app = typer.Typer(
    name="phonebank",
    help="A predictive dialer engine on a real Asterisk PBX.",
    no_args_is_help=True,
    pretty_exceptions_show_locals=False,
)

for module in (setup, asterisk, lab, serve, demo, campaigns, lists, dnc, export, recordings, simulate):
    module.register(app)
