"""`phonebank demo`: the whole call path on the lab, end to end, with a readable summary."""

from __future__ import annotations

import asyncio
import statistics
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from cli.common import console, fail
from engine.ari.errors import AriError
from engine.calls.model import CallOutcome
from engine.config import ConfigError, load_settings
from engine.initconfig import InitOptions, write_config
from engine.lab.demo import DemoResult, run_demo
from engine.lab.phones import PhoneError
from engine.lab.session import running_lab
from engine.pbx.container import ContainerError
from engine.pbx.render import RenderError

DEMO_DIR = Path(".demo")


def _say(message: str) -> None:
    console.print(f"[dim]·[/] {message}", highlight=False)


def _row(table: Table, item: DemoResult) -> None:
    result = item.result
    delay = f"{result.connect_delay * 1000:.0f}" if result.connect_delay is not None else ""
    tones = "+".join(f"{hz:.0f}" for hz in sorted(item.tones_in_recording))
    recording = result.recording.path.name[:8] + "….wav" if result.recording else ""
    check = "[green]✓[/]" if item.as_expected else "[red]✗[/]"
    table.add_row(check, item.call.number, item.call.behaviour, result.outcome.value,
                  str(result.cause or ""), result.amd_status, result.agent or "", delay, tones, recording)


def demo(
    directory: Annotated[Path, typer.Option("--dir", help="Where the demo keeps its config, state and recordings.")] = DEMO_DIR,
    keep: Annotated[bool, typer.Option("--keep", help="Leave the PBX and lab running afterwards.")] = False,
) -> None:
    """Start the PBX and lab, log two agent phones in, dial ten numbers across every behaviour."""
    config = directory / "phonebank.toml"
    if not config.exists():
        write_config(config, InitOptions(lab=True, agents=2, supervisors=0))
    try:
        settings = load_settings(config)
    except ConfigError as exc:
        fail(str(exc))
    table = Table(title="phonebank demo: ten calls through a real Asterisk")
    for column in ("ok", "number", "callee", "outcome", "cause", "AMD", "agent", "answer→agent ms",
                   "tones heard (Hz)", "recording"):
        table.add_column(column)
    try:
        with running_lab(settings, _say, keep=keep) as lab, console.status("agents logging in, calls in progress…"):
            results = asyncio.run(run_demo(
                settings, list(lab.phones.values()), settings.trunks[0].name,
                lambda item: _say(f"{item.call.number}: {item.result.outcome.value}")))
    except (ContainerError, RenderError, PhoneError, AriError, TimeoutError) as exc:
        fail(f"demo stopped: {exc or type(exc).__name__}")
    for item in sorted(results, key=lambda r: r.result.dialed_at or 0):
        _row(table, item)
    console.print(table)
    delays = [r.result.connect_delay * 1000 for r in results if r.result.connect_delay is not None]
    connected = [r for r in results if r.result.outcome is CallOutcome.CONNECTED]
    wrong = [r for r in results if not r.as_expected]
    console.print(f"{len(results)} calls, {len(connected)} connected to an agent and recorded; "
                  f"{len(results) - len(wrong)} of {len(results)} as the number plan promises (docs/lab.md)")
    if delays:
        console.print(f"answer (or AMD verdict) to agent bridged: median {statistics.median(delays):.0f} ms, "
                      f"max {max(delays):.0f} ms, from Asterisk's event timestamps")
    console.print(f"recordings: {settings.recordings_dir}")
    if wrong:
        fail(f"{len(wrong)} calls did not end as expected ({', '.join(r.call.number for r in wrong)}): "
             "see `phonebank asterisk logs`")


def register(app: typer.Typer) -> None:
    """Add `demo` to the top-level app."""
    app.command("demo")(demo)
