"""The `phonebank` command: thin Typer commands over the other packages."""
