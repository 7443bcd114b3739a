"""`phonebank demo`: a predictive campaign on the lab for a few minutes, a live view, a report."""

from __future__ import annotations

import asyncio
import logging
import time
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Group, RenderableType
from rich.live import Live
from rich.progress import BarColumn, DownloadColumn, Progress, TextColumn
from rich.table import Table
from rich.text import Text

from agents.server import serve
from cli.common import console, fail
from engine.ami.errors import AmiError
from engine.ari.errors import AriError
from engine.config import ConfigError, Settings, load_settings
from engine.initconfig import InitOptions, write_config
from engine.lab.demo import DemoHooks, DemoOptions, DemoOutcome, run_demo
from engine.lab.demo_contacts import ContactKind, PlanError
from engine.lab.demo_report import DemoReport
from engine.lab.demo_run import DemoError, LiveSnapshot
from engine.lab.phones import PhoneError
from engine.lab.session import running_lab
from engine.leads.campaigns import CampaignError
from engine.lists.importer import ImportFailed
from engine.lists.reader import ListFileError
from engine.pbx.container import ContainerError
from engine.pbx.render import RenderError

DEMO_DIR = Path(".demo")
DEFAULT_AGENTS = 5
DEMO_FAILURES = (ContainerError, RenderError, PhoneError, AriError, AmiError, TimeoutError, DemoError, PlanError,
                 CampaignError, ImportFailed, ListFileError)
AGENT_STATES = ("ready", "on_call", "wrap_up", "paused")
LOG_SECONDS = 30.0


def _say(message: str) -> None:
    console.print(f"[dim]·[/] {message}", highlight=False)


def _pct(value: float | None, digits: int = 1) -> str:
    return f"{value:.{digits}%}" if value is not None else "–"


class DemoView:
    """The live view: the import's progress bar, then the campaign's numbers every second.

    Without a terminal (make's output piped to a log) nothing redraws, so a one-line summary
    is printed every LOG_SECONDS instead.
    """

    def __init__(self, interactive: bool) -> None:
        self.progress = Progress(TextColumn("importing contacts"), BarColumn(), DownloadColumn(), console=console)
        self.task = self.progress.add_task("import", total=None)
        self.body: RenderableType = Text("")
        self.interactive = interactive
        self._next_line = 0.0

    def __rich__(self) -> RenderableType:
        return Group(self.progress, self.body)

    def imported(self, done: int, total: int) -> None:
        self.progress.update(self.task, completed=done, total=total)

    def tick(self, snapshot: LiveSnapshot) -> None:
        self.body = live_table(snapshot)
        if not self.interactive and time.monotonic() >= self._next_line and snapshot.metrics is not None:
            self._next_line = time.monotonic() + LOG_SECONDS
            metrics = snapshot.metrics
            _say(f"{snapshot.phase}, {snapshot.seconds_left:.0f} s left: {metrics.live.in_flight} lines, "
                 f"{metrics.dialed_today} dialled, {metrics.connected_today} connected, "
                 f"abandon rate {_pct(metrics.abandon_rate_today, 2)}")


def live_table(snapshot: LiveSnapshot) -> Table:
    """One second of the run: time, lines, agents, calls and outcomes."""
    table = Table.grid(padding=(0, 2))
    table.add_column(style="bold")
    table.add_column()
    minutes, seconds = divmod(max(0, int(snapshot.seconds_left)), 60)
    clock = "left dialling" if snapshot.phase == "dialling" else "left to drain at most"
    table.add_row(snapshot.phase, f"{minutes}:{seconds:02d} {clock}")
    agents = "  ".join(f"{state.replace('_', ' ')} {snapshot.agents.get(state, 0)}" for state in AGENT_STATES)
    table.add_row("agents", agents)
    metrics = snapshot.metrics
    if metrics is not None:
        table.add_row("lines", f"{metrics.live.in_flight} in flight, {metrics.live.waiting} waiting for an agent, "
                               f"dial level {metrics.dial_level:.1f} per agent")
        table.add_row("calls", f"{metrics.dialed_today} dialled, {metrics.live_answers_today} live answers, "
                               f"{metrics.connected_today} connected to an agent")
        outcomes = "  ".join(f"{name.replace('_', ' ')} {count}" for name, count in metrics.outcomes_today.items() if count)
        table.add_row("outcomes", outcomes or "–")
        table.add_row("abandon rate", f"{_pct(metrics.abandon_rate_today, 2)} today "
                                      f"({metrics.abandoned_today} of {metrics.live_answers_today}); "
                                      f"limit {metrics.abandon_target:.0%}")
    return table


def kpi_table(report: DemoReport) -> Table:
    """The report's headline numbers."""
    table = Table(title=f"phonebank demo: {report.campaign}", show_header=False)
    table.add_column(style="bold")
    table.add_column(justify="right")
    table.add_column(style="dim")
    latency = report.answer_to_agent_ms
    rows = [
        ("dialling", f"{report.dial_minutes:.1f} min", f"{report.agents} agents on lab phones, predictive, AMD on"
                                                        + (", stopped early" if report.interrupted else "")),
        ("contacts", f"{report.contacts:,}",
         f"{report.contacts_dnc} on the DNC list now, {report.contacts_dnc - report.opt_outs} before the run"),
        ("calls", f"{report.calls:,}", f"to {report.contacts_called:,} contacts; the carrier saw {report.carrier_calls:,}"),
        ("live answers", f"{report.live_answers:,}", "connected + abandoned + hung up on pick-up"),
        ("contacts reached", f"{report.contacts_reached:,}", f"{report.connected} calls connected to an agent"),
        ("abandon rate", _pct(report.abandon_rate, 2),
         f"{report.abandoned} of {report.live_answers} live answers; limit {report.abandon_target:.0%}"),
        ("occupancy", _pct(report.occupancy), "on call + wrap-up / logged in, from agent states (/api/agents)"),
        ("talk share", _pct(report.talk_share), "talk time / agents x dialling time, from attempts"),
        ("answer → agent", f"{latency[0]:.0f} / {latency[1]:.0f} ms" if latency else "–",
         "p50 / p99, answer (or AMD verdict) to bridged"),
        ("volunteer hang-ups", str(report.volunteer_hangups), "calls the agent ended via POST /hangup"),
        ("opt-outs", str(report.opt_outs), "numbers put on the internal DNC list by this run"),
    ]
    for row in rows:
        table.add_row(*row)
    return table


def counts_table(title: str, counts: dict[str, int]) -> Table:
    """A name → count table."""
    table = Table(title=title)
    table.add_column("")
    table.add_column("calls", justify="right")
    for name, count in counts.items():
        table.add_row(name.replace("_", " "), str(count))
    return table


def print_report(outcome: DemoOutcome) -> None:
    """Everything the demo found, ending with its checks."""
    report = outcome.report
    console.print(kpi_table(report))
    console.print(Group(counts_table("outcomes", report.outcomes), counts_table("dispositions", report.dispositions)))
    console.print(f"recordings: {report.recordings} in {report.recordings_dir}")
    for check in report.checks:
        mark = "[green]✓[/]" if check.ok else "[red]✗[/]"
        heard = "+".join(f"{hz:.0f}" for hz in sorted(check.heard)) or "nothing"
        console.print(f"  {mark} {check.path.name}: heard {heard} Hz", highlight=False)
    console.print(f"chart: {outcome.chart}")
    plan = outcome.campaign.plan
    dnc, closed = len(plan.numbers(ContactKind.DNC)), len(plan.numbers(ContactKind.CLOSED))
    console.print(f"never dialled: {dnc} DNC and {closed} closed-zone contacts "
                  f"({'none dialled' if not (report.dnc_dialled or report.closed_dialled) else 'SOME DIALLED'}), "
                  f"by the attempts and by the carrier's own log")


def _settings(directory: Path, agents: int) -> Settings:
    config = directory / "phonebank.toml"
    if not config.exists():
        write_config(config, InitOptions(lab=True, agents=max(agents, DEFAULT_AGENTS), supervisors=0))
    try:
        settings = load_settings(config)
    except ConfigError as exc:
        fail(str(exc))
    if len(settings.agents) < agents:
        fail(f"{config} has {len(settings.agents)} agents, the demo wants {agents}: pass --agents "
             f"{len(settings.agents)}, or delete {config} to write one with {max(agents, DEFAULT_AGENTS)}")
    return settings


def _log_to(path: Path) -> None:
    # The engine runs in this process: its log goes to a file, not across the live view.
    handler = logging.FileHandler(path)
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    logging.basicConfig(level=logging.INFO, handlers=[handler], force=True)
    logging.getLogger("httpx").setLevel(logging.WARNING)  # the volunteers' requests, twice a second


def demo(
    minutes: Annotated[float, typer.Option("--minutes", min=0.5, max=120, help="How long to dial.")] = 5.0,
    contacts: Annotated[int, typer.Option("--contacts", min=20, max=100_000, help="Size of the voter file.")] = 1000,
    agents: Annotated[int, typer.Option("--agents", min=1, max=50, help="Agent phones to log in.")] = DEFAULT_AGENTS,
    seed: Annotated[int, typer.Option("--seed", help="Seed for the contacts and the volunteers.")] = 1,
    directory: Annotated[Path, typer.Option("--dir", help="Where the demo keeps its config, state and recordings.")] = DEMO_DIR,
    keep: Annotated[bool, typer.Option("--keep", help="Leave the PBX and lab running afterwards.")] = False,
) -> None:
    """Dial a predictive campaign of generated contacts through the lab, then report and check it."""
    settings = _settings(directory, agents)
    _log_to(directory / "engine.log")
    view = DemoView(console.is_terminal)
    try:
        with running_lab(settings, _say, keep=keep) as lab, \
                Live(view, console=console, refresh_per_second=4, transient=True):
            hooks = DemoHooks(say=_say, on_import=view.imported, on_tick=view.tick)
            outcome = asyncio.run(run_demo(settings, list(lab.phones.values()),
                                           DemoOptions(minutes, contacts, agents, seed), serve, hooks, directory))
    except DEMO_FAILURES as exc:
        fail(f"demo stopped: {exc or type(exc).__name__} (engine log: {directory / 'engine.log'})")
    print_report(outcome)
    problems = outcome.report.problems
    if problems:
        fail("; ".join(problems))
    console.print("[green]all checks passed[/]")


def register(app: typer.Typer) -> None:
    """Add `demo` to the top-level app."""
    app.command("demo")(demo)
