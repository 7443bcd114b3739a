"""`phonebank lists`: placeholder until the lists and compliance work lands."""

import typer


def register(app: typer.Typer) -> None:
    """Add this module's commands to the top-level app."""
