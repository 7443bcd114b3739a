"""`phonebank serve`: run the dialer engine (every active campaign) until stopped."""

from __future__ import annotations

import asyncio
import logging

import typer

from agents.server import serve as run_server
from cli.common import ConfigOption, console, fail, settings_or_exit
from engine.ami.errors import AmiError
from engine.ari.errors import AriError


def serve(config: ConfigOption = None) -> None:
    """Run the engine: dial active campaigns, connect agents, serve the API. SIGTERM drains."""
    settings = settings_or_exit(config)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    console.print(f"phonebank engine {settings.engine.node}: ARI {settings.ari.base_url}, "
                  f"API http://{settings.web.bind_address}:{settings.web.port}")
    try:
        asyncio.run(run_server(settings))
    except (AriError, AmiError) as exc:
        fail(str(exc))
    except ExceptionGroup as group:
        # Errors surface from the engine's task groups wrapped; the first Asterisk one is the
        # story a sysadmin needs (unreachable, wrong credentials).
        matched, _ = group.split((AriError, AmiError))
        if matched is None:
            raise
        fail(str(_first(matched)))


def _first(group: BaseExceptionGroup[BaseException]) -> BaseException:
    first = group.exceptions[0]
    return _first(first) if isinstance(first, BaseExceptionGroup) else first


def register(app: typer.Typer) -> None:
    """Add `serve` to the top-level app."""
    app.command("serve")(serve)
