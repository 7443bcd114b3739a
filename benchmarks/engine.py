"""Engine load: how many calls per second one engine and one Asterisk carry, all answered,
all connected to an agent, all recorded.

Design (issue 5, "Done when"):
- A PBX of its own from the project's image and rendered config (ports shifted by 40000,
  containers suffixed "-load"), with one agent endpoint per simulated agent and an RTP port
  range widened in this run's own phonebank.toml to fit every call leg.
- No lab carrier and no baresip phones: two SIPp instances from the lab image, on the host
  network and loopback only. The *callee* listens where the lab trunk points, answers every
  call at once, talks (a looped "hello" tone then silence, so AMD hears a human) and hangs up
  after the hold time. The *agents* instance places one call per agent to the login extension,
  authenticating as that agent's endpoint (injection CSV), talks a steady tone, and stays
  nailed up in Stasis until the engine logs it out. Agents are real SIP/RTP legs through the
  real dialplan, so the PBX carries the same media a call center would.
- This process runs one CallController, the production one, with no agent state tracker
  (any idle line takes a call). Calls are started on a fixed schedule per step of a ramp; a
  call counts only if it ended CONNECTED with its recording on disk. A step stops early once
  failures pass 2%, and the ramp stops there.
- Numbers come from Asterisk's event timestamps (answer or AMD verdict -> entered bridge), from
  getrusage for this process (user+sys CPU per attempt) and from /proc for the Asterisk process.
  After the ramp, a smaller batch with AMD measures greeting end -> connect.
Prints tables with ratios to the targets; asserts nothing. A sample of recordings is checked by
FFT for both parties' tones (callee 440 Hz, agent 1000 Hz) after the measured windows.

    .venv/bin/python benchmarks/engine.py [--quick] [--steps 10 20 30 40] [--step-seconds 30]
"""
# This file is named engine.py: run as a script, its own folder comes first on sys.path and
# would shadow the `engine` package it measures, so that folder is dropped before any import.

from __future__ import annotations

import sys
from pathlib import Path

_HERE = Path(__file__).resolve().parent
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != _HERE]

import argparse
import asyncio
import itertools
import math
import os
import re
import resource
import shutil
import tempfile
import time
import traceback
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

import numpy as np
from rich.console import Console
from rich.table import Table

from engine.ari.client import AriClient
from engine.audio import SAMPLE_RATE, heard_tones
from engine.calls.controller import CallController, ControllerConfig
from engine.calls.model import CallOutcome, CallRequest, CallResult
from engine.config import Settings, load_settings
from engine.initconfig import InitOptions, write_config
from engine.lab.session import start_pbx
from engine.pbx.container import ContainerEngine, ContainerError, ContainerSpec, Mount

SCENARIOS = _HERE / "sipp"
PORT_OFFSET = 40000
NAME_SUFFIX = "-load"
TARGET_CPS = 30.0
TARGET_CONCURRENT = 300
TARGET_P99_MS = 150.0
# The safe-harbor rule's limit: a callee who waits longer than this after "hello" is an abandon,
# whatever the engine's own deadline (counted from when it saw the answer) made of it.
LATE_MS = 2000.0
CALLEE_HZ, AGENT_HZ = 440.0, 1000.0
# Each call leg takes an RTP and an RTCP port on each side; the PBX sees an agent leg and a
# customer leg per call, and a few spare pairs cover legs still closing.
PORTS_PER_LEG = 4
FAILURE_SHARE = 0.02
FAILURE_FLOOR = 5
DRAIN_GRACE = 45.0
LOGIN_RATE = 50


@dataclass(frozen=True)
class Plan:
    """What one run does: the ramp, the hold time, the AMD batch and the agents it needs."""

    steps: tuple[float, ...]
    step_seconds: float
    hold: float
    amd_calls: int
    amd_cps: float
    agents: int

    @classmethod
    def sized(cls, steps: tuple[float, ...], step_seconds: float, hold: float, amd_calls: int,
              agents: int | None) -> Plan:
        # Agents busy at the top step: each call holds a line for the hold time plus bridging,
        # recording stop and release, which stretch to seconds once the engine lags; spare
        # lines keep calls from waiting for an agent, which is not what this measures.
        needed = math.ceil(max(steps) * (hold + 5))
        return cls(steps, step_seconds, hold, amd_calls, 5.0, agents or needed)


@dataclass
class StepRun:
    """One step of the ramp (or the AMD batch) as measured."""

    name: str
    target_cps: float
    results: list[CallResult] = field(default_factory=list)
    started: int = 0
    unfinished: int = 0
    dial_seconds: float = 0.0
    wall_seconds: float = 0.0
    engine_cpu: float = 0.0
    asterisk_cpu: float | None = None
    peak_in_flight: int = 0
    loop_lag_ms: list[float] = field(default_factory=list)
    ari_rtt_ms: list[float] = field(default_factory=list)
    stopped_early: bool = False

    @property
    def good(self) -> list[CallResult]:
        return [r for r in self.results if call_ok(r)]

    @property
    def failures(self) -> int:
        return self.started - len(self.good)


def call_ok(result: CallResult) -> bool:
    """Connected to an agent, with a non-empty recording in place on disk."""
    recording = result.recording
    return (result.outcome is CallOutcome.CONNECTED and recording is not None
            and recording.path.exists() and recording.duration > 0)


# ---- the PBX's config for this run ----

def write_run_config(root: Path, agents: int) -> Settings:
    """A fresh phonebank.toml for this run, with a PBX RTP range wide enough for every leg."""
    path = write_config(root / "phonebank.toml", InitOptions(
        lab=True, agents=agents, supervisors=0, port_offset=PORT_OFFSET, name_suffix=NAME_SUFFIX))
    settings = load_settings(path)
    rtp_end = settings.pbx.rtp_start + max(999, PORTS_PER_LEG * agents + 200)
    text, count = re.subn(r"(?m)^rtp_end = \d+$", f"rtp_end = {rtp_end}", path.read_text(), count=1)
    if count != 1:
        raise SystemExit(f"{path} has no [pbx] rtp_end line: engine/initconfig.py changed its layout")
    path.write_text(text)
    return load_settings(path)


# ---- the SIPp parties ----

@dataclass(frozen=True)
class Parties:
    """The two SIPp containers and where each one's ports sit."""

    callee: ContainerSpec
    agents: ContainerSpec
    workdir: Path


def _ulaw(samples: np.ndarray) -> bytes:
    """G.711 mu-law of 16-bit samples (what SIPp streams as payload type 0)."""
    x = np.clip(samples.astype(np.int32), -32635, 32635)
    sign = (x < 0).astype(np.int32) << 7
    magnitude = np.abs(x) + 0x84
    exponent = np.floor(np.log2(magnitude)).astype(np.int32) - 7
    mantissa = (magnitude >> (exponent + 3)) & 0x0F
    return (~(sign | (exponent << 4) | mantissa) & 0xFF).astype(np.uint8).tobytes()


def _tone(hz: float, seconds: float, amplitude: float) -> np.ndarray:
    t = np.arange(int(SAMPLE_RATE * seconds)) / SAMPLE_RATE
    return amplitude * 32767 * np.sin(2 * np.pi * hz * t)


def _callee_audio() -> bytes:
    # 0.3 s pause, a 0.6 s "hello", 1.6 s of silence, looped: wherever AMD starts listening it
    # hears a short word followed by silence well inside its initial-silence limit: a human.
    silence = np.zeros
    return _ulaw(np.concatenate([silence(int(0.3 * SAMPLE_RATE)), _tone(CALLEE_HZ, 0.6, 0.3),
                                 silence(int(1.6 * SAMPLE_RATE))]))


def prepare_parties(settings: Settings, plan: Plan, workdir: Path) -> Parties:
    """Write the scenarios, audio and agent credentials SIPp reads, and describe both containers."""
    assert settings.lab is not None
    workdir.mkdir(parents=True, exist_ok=True)
    # SIPp runs as the image's asterisk user and writes its error logs here.
    workdir.chmod(0o777)
    hold_ms = str(int(plan.hold * 1000))
    (workdir / "callee.xml").write_text((SCENARIOS / "callee.xml").read_text().replace("HOLD_MS", hold_ms))
    shutil.copy(SCENARIOS / "agent.xml", workdir / "agent.xml")
    (workdir / "callee.ulaw").write_bytes(_callee_audio())
    (workdir / "agent.ulaw").write_bytes(_ulaw(_tone(AGENT_HZ, 1.0, 0.2)))
    rows = [f"agent{a.number};{a.password}" for a in settings.agents[:plan.agents]]
    (workdir / "agents.csv").write_text("SEQUENTIAL\n" + "\n".join(rows) + "\n")
    for path in workdir.iterdir():
        path.chmod(0o644)

    host = settings.pbx.bind_address
    media = PORTS_PER_LEG * plan.agents + 200
    callee_rtp = settings.pbx.rtp_end + 1
    agents_rtp = callee_rtp + media
    common = ["-i", host, "-mi", host, "-aa", "-nostdin", "-trace_err",
              # A starved SIPp (two cores shared with Asterisk and the engine) must not quit on
              # its own watchdog: the benchmark decides when a run has failed.
              "-watchdog_minor_maxtriggers", "1000000", "-watchdog_major_maxtriggers", "1000000"]
    callee = ContainerSpec(
        name=f"phonebank-sipp-callee{NAME_SUFFIX}", image=settings.lab.phone_image,
        mounts=(Mount(workdir, "/work"),), entrypoint="sipp",
        args=("-sf", "/work/callee.xml", "-p", str(settings.lab.carrier_sip_port),
              "-cp", str(settings.lab.carrier_sip_port + 20), "-l", str(4 * plan.agents),
              "-min_rtp_port", str(callee_rtp), "-max_rtp_port", str(callee_rtp + media - 1),
              "-error_file", "/work/callee-errors.log", *common))
    agents = ContainerSpec(
        name=f"phonebank-sipp-agents{NAME_SUFFIX}", image=settings.lab.phone_image,
        mounts=(Mount(workdir, "/work"),), entrypoint="sipp",
        args=(f"{host}:{settings.pbx.sip_port}", "-sf", "/work/agent.xml", "-inf", "/work/agents.csv",
              "-s", settings.dialplan.agent_login, "-p", str(settings.lab.carrier_sip_port + 10),
              "-cp", str(settings.lab.carrier_sip_port + 21), "-r", str(LOGIN_RATE),
              "-m", str(plan.agents), "-l", str(plan.agents),
              "-min_rtp_port", str(agents_rtp), "-max_rtp_port", str(agents_rtp + media - 1),
              "-error_file", "/work/agents-errors.log", *common))
    return Parties(callee, agents, workdir)


def error_tail(parties: Parties, lines: int = 3) -> str:
    """The last lines SIPp logged as unexpected, for a failure message."""
    tails = []
    for name in ("callee-errors.log", "agents-errors.log"):
        path = parties.workdir / name
        if path.exists():
            tails += [f"{name}: {line}" for line in path.read_text(errors="replace").splitlines()[-lines:]]
    return "\n".join(tails)


# ---- CPU accounting ----

def engine_cpu() -> float:
    """User+system CPU seconds of this process, every thread included."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def container_cpu_reader(engine: ContainerEngine, name: str) -> Callable[[], float | None]:
    """A reader of a container's main process CPU seconds (None where /proc cannot tell)."""
    result = engine.run(["inspect", "--format", "{{.State.Pid}}", name], check=False)
    stat = Path(f"/proc/{result.stdout.strip()}/stat")
    ticks = os.sysconf("SC_CLK_TCK")

    def read() -> float | None:
        try:
            # Fields 14 and 15 (utime, stime) follow the parenthesised command name.
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            return None
        return (int(fields[11]) + int(fields[12])) / ticks

    return read


@contextmanager
def cpu_window(run: StepRun, asterisk_cpu: Callable[[], float | None]) -> Iterator[None]:
    """Charge the CPU this process and Asterisk spent inside the block to `run`."""
    wall, mine, theirs = time.monotonic(), engine_cpu(), asterisk_cpu()
    try:
        yield
    finally:
        run.wall_seconds = time.monotonic() - wall
        run.engine_cpu = engine_cpu() - mine
        after = asterisk_cpu()
        run.asterisk_cpu = after - theirs if after is not None and theirs is not None else None


# ---- the measurement ----

def _request(settings: Settings, index: int, *, amd: bool) -> CallRequest:
    return CallRequest(str(uuid.uuid4()), f"+1202555{index % 10000:04d}", settings.trunks[0].name,
                       "load", ring_timeout=15, amd=amd)


async def _probe(ari: AriClient, controller: CallController, run: StepRun) -> None:
    """Every 0.1 s: calls in flight and how late the event loop woke; every 0.5 s: one ARI
    round trip. The controller handles ARI events one at a time and awaits some requests inline,
    so the round trip bounds how many events per second it can take."""
    loop = asyncio.get_running_loop()
    for tick in itertools.count():
        run.peak_in_flight = max(run.peak_in_flight, controller.in_flight)
        due = loop.time() + 0.1
        await asyncio.sleep(0.1)
        run.loop_lag_ms.append((loop.time() - due) * 1000)
        if tick % 5 == 0:
            sent = loop.time()
            await ari.ping()
            run.ari_rtt_ms.append((loop.time() - sent) * 1000)


async def run_step(ari: AriClient, controller: CallController, settings: Settings, run: StepRun,
                   seconds: float, hold: float, *, amd: bool = False) -> None:
    """Start calls at `run.target_cps` for `seconds` (fewer if failures mount), then drain."""
    loop = asyncio.get_running_loop()
    failed = 0

    def tally(future: asyncio.Future[CallResult]) -> None:
        nonlocal failed
        if not future.cancelled():
            run.results.append(future.result())
            failed += not call_ok(future.result())

    futures: list[asyncio.Future[CallResult]] = []
    probe = asyncio.create_task(_probe(ari, controller, run))
    start = loop.time()
    for index in range(round(run.target_cps * seconds)):
        delay = start + index / run.target_cps - loop.time()
        if delay > 0:
            await asyncio.sleep(delay)
        future = controller.start(_request(settings, index, amd=amd))
        future.add_done_callback(tally)
        futures.append(future)
        run.started = len(futures)
        if failed > max(FAILURE_FLOOR, FAILURE_SHARE * len(futures)):
            run.stopped_early = True
            break
    run.dial_seconds = loop.time() - start + 1 / run.target_cps
    try:
        _, pending = await asyncio.wait(futures, timeout=hold + DRAIN_GRACE)
        run.unfinished = len(pending)
    finally:
        probe.cancel()


@dataclass
class Measured:
    """Everything one run measured, as far as it got."""

    steps: list[StepRun] = field(default_factory=list)
    amd_run: StepRun | None = None
    crash: str | None = None


def crash_line(group: BaseExceptionGroup) -> str:
    """The first failure inside the controller's task group, and where it was raised."""
    leaf: BaseException = group
    while isinstance(leaf, BaseExceptionGroup):
        leaf = leaf.exceptions[0]
    frame = traceback.extract_tb(leaf.__traceback__)[-1]
    return f"{type(leaf).__name__}: {leaf} at {Path(frame.filename).name}:{frame.lineno} in {frame.name}()"


async def measure(settings: Settings, engine: ContainerEngine, parties: Parties, plan: Plan,
                  console: Console) -> Measured:
    """Log the agents in, run the ramp and the AMD batch, log the agents out.

    A crash of the controller ends the run; what was measured until then is kept."""
    measured = Measured()
    try:
        await _measure(settings, engine, parties, plan, console, measured)
    except ExceptionGroup as group:
        measured.crash = crash_line(group)
        running = measured.amd_run or (measured.steps[-1] if measured.steps else None)
        if running is not None:
            running.name += " (crashed)"
            running.unfinished = running.started - len(running.results)
    return measured


async def _measure(settings: Settings, engine: ContainerEngine, parties: Parties, plan: Plan,
                   console: Console, measured: Measured) -> None:
    asterisk_cpu = container_cpu_reader(engine, settings.pbx.container_name)
    async with AriClient.from_settings(settings.ari) as ari, \
            CallController(ari, ControllerConfig.from_settings(settings)) as controller:
        await asyncio.to_thread(engine.start, parties.agents)
        try:
            await controller.wait_for_agents(plan.agents, timeout=30 + plan.agents / LOGIN_RATE * 2)
        except TimeoutError:
            raise SystemExit(f"only {len(controller.lines)} of {plan.agents} agents logged in:\n"
                             f"{error_tail(parties)}") from None
        console.print(f"[dim]· {len(controller.lines)} agents nailed up[/]")
        for cps in plan.steps:
            run = StepRun(f"{cps:g} cps", cps)
            measured.steps.append(run)
            console.print(f"[dim]· step {run.name} for {plan.step_seconds:g} s[/]")
            with cpu_window(run, asterisk_cpu):
                await run_step(ari, controller, settings, run, plan.step_seconds, plan.hold)
            if run.stopped_early or run.failures > FAILURE_SHARE * max(run.started, 1):
                console.print(f"[yellow]· {run.name}: {run.failures} of {run.started} calls failed; "
                              f"ramp stops here[/]")
                break
        if plan.amd_calls:
            measured.amd_run = StepRun(f"AMD, {plan.amd_cps:g} cps", plan.amd_cps)
            console.print(f"[dim]· {plan.amd_calls} calls with AMD[/]")
            with cpu_window(measured.amd_run, asterisk_cpu):
                await run_step(ari, controller, settings, measured.amd_run, plan.amd_calls / plan.amd_cps,
                               plan.hold, amd=True)
        for line in controller.lines.all():
            await controller.logout(line.endpoint)


# ---- the report ----

def peak_connected(results: list[CallResult]) -> int:
    """Most calls bridged to agents at one instant, from Asterisk's timestamps."""
    edges = sorted(
        [(r.connected_at, 1) for r in results if r.connected_at and r.hungup_at]
        + [(r.hungup_at, -1) for r in results if r.connected_at and r.hungup_at],
        key=lambda edge: (edge[0], edge[1]))
    peak = level = 0
    for _, step in edges:
        level += step
        peak = max(peak, level)
    return peak


def delays_ms(results: list[CallResult]) -> np.ndarray:
    return np.array([r.connect_delay * 1000 for r in results
                     if r.outcome is CallOutcome.CONNECTED and r.connect_delay is not None])


def _percentile(values: list[float], q: float) -> str:
    return f"{np.percentile(values, q):.1f}" if values else ""


def _ratio(value: float, target: float, *, lower_is_better: bool = False) -> str:
    met = value <= target if lower_is_better else value >= target
    return f"{'met' if met else 'MISSED'} {value / target:.2f}×"


def step_table(steps: list[StepRun], cores: int, plan: Plan) -> Table:
    table = Table(title=f"Engine load on loopback: {cores} cores, {plan.agents} SIPp agents, "
                        f"calls held {plan.hold:g} s, every call must be connected and recorded")
    for column in ("step", "started", "offered cps", "connected+recorded", "failed", "good cps",
                   "peak connected", "peak in flight", "answer→agent p50 ms", "p99 ms", "> 2 s",
                   "engine CPU ms/attempt", "engine cores", "Asterisk cores", "loop lag p99 ms",
                   "ARI round trip p50 ms"):
        table.add_column(column, justify="right")
    for run in steps:
        good = run.good
        delays = delays_ms(run.results)
        p50, p99 = np.percentile(delays, [50, 99]) if delays.size else (math.nan, math.nan)
        asterisk = f"{run.asterisk_cpu / run.wall_seconds:.2f}" if run.asterisk_cpu is not None else "n/a"
        table.add_row(
            run.name + (" (stopped early)" if run.stopped_early else ""), str(run.started),
            f"{run.started / run.dial_seconds:.1f}", str(len(good)),
            f"{run.failures}" + (f" ({run.unfinished} unfinished)" if run.unfinished else ""),
            f"{len(good) / run.dial_seconds:.1f}", str(peak_connected(run.results)), str(run.peak_in_flight),
            f"{p50:.1f}", f"{p99:.1f}", str(int((delays > LATE_MS).sum())), f"{run.engine_cpu / max(run.started, 1) * 1000:.2f}",
            f"{run.engine_cpu / run.wall_seconds:.2f}", asterisk, _percentile(run.loop_lag_ms, 99),
            _percentile(run.ari_rtt_ms, 50))
    return table


def sustained(steps: list[StepRun]) -> StepRun | None:
    """The highest step that started its calls on schedule and lost none beyond the threshold."""
    held = [r for r in steps if not r.stopped_early and r.started / r.dial_seconds >= 0.95 * r.target_cps
            and r.failures <= FAILURE_SHARE * r.started]
    return max(held, key=lambda r: r.target_cps, default=None)


def summary_table(steps: list[StepRun], amd_run: StepRun | None) -> Table:
    table = Table(title="Against the targets (issue 5)")
    for column in ("measure", "value", "target", "verdict"):
        table.add_column(column, justify="right")
    best = sustained(steps)
    cps = len(best.good) / best.dial_seconds if best else 0.0
    table.add_row("sustained calls/s (connected + recorded)", f"{cps:.1f}", f"≥ {TARGET_CPS:g}",
                  _ratio(cps, TARGET_CPS))
    peak = max((peak_connected(r.results) for r in steps), default=0)
    table.add_row("peak concurrent calls held", str(peak), f"≥ {TARGET_CONCURRENT}",
                  _ratio(peak, TARGET_CONCURRENT))
    if best is not None and delays_ms(best.results).size:
        p99 = float(np.percentile(delays_ms(best.results), 99))
        table.add_row(f"answer→agent p99 at {best.name}", f"{p99:.1f} ms", f"≤ {TARGET_P99_MS:g} ms",
                      _ratio(p99, TARGET_P99_MS, lower_is_better=True))
    if amd_run is not None:
        delays = delays_ms(amd_run.results)
        verdicts = sorted({r.amd_status or "none" for r in amd_run.results})
        counts = ", ".join(f"{v} {sum((r.amd_status or 'none') == v for r in amd_run.results)}" for v in verdicts)
        if delays.size:
            p50, p99 = np.percentile(delays, [50, 99])
            table.add_row(f"greeting end→agent p50 / p99 ({amd_run.name}; {counts})",
                          f"{p50:.1f} / {p99:.1f} ms", f"p99 ≤ {TARGET_P99_MS:g} ms",
                          _ratio(float(p99), TARGET_P99_MS, lower_is_better=True))
        else:
            table.add_row(f"greeting end→agent ({amd_run.name}; {counts})", "no connected calls", "", "")
    return table


def audio_check(steps: list[StepRun], per_step: int) -> str:
    """Both parties audible in a sample of each step's recordings (FFT), outside the timed windows."""
    checked = both = 0
    for run in steps:
        for result in run.good[:: max(1, len(run.good) // per_step)][:per_step]:
            assert result.recording is not None
            checked += 1
            both += heard_tones(result.recording.path, [CALLEE_HZ, AGENT_HZ]) == {CALLEE_HZ, AGENT_HZ}
    return f"recordings holding both callee ({CALLEE_HZ:g} Hz) and agent ({AGENT_HZ:g} Hz): {both} of {checked} sampled"


# ---- the run ----

def parse_plan(argv: list[str] | None = None) -> Plan:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="two short steps (10, 20 cps), hold 5 s, 10 AMD calls")
    parser.add_argument("--steps", type=float, nargs="+", help="calls per second of each step (default 10 20 30 40)")
    parser.add_argument("--step-seconds", type=float, help="how long each step dials (default 30)")
    parser.add_argument("--hold", type=float, help="seconds the callee stays on after answering (default 11)")
    parser.add_argument("--amd-calls", type=int, help="calls in the AMD batch (default 40)")
    parser.add_argument("--agents", type=int, help="simulated agents (default: enough for the top step)")
    args = parser.parse_args(argv)
    quick = args.quick
    steps = tuple(args.steps or ((10.0, 20.0) if quick else (10.0, 20.0, 30.0, 40.0)))
    step_seconds = args.step_seconds or (15.0 if quick else 30.0)
    hold = args.hold or (5.0 if quick else 11.0)
    amd_calls = args.amd_calls if args.amd_calls is not None else (10 if quick else 40)
    if min(steps) <= 0 or step_seconds <= 0 or hold < 1 or amd_calls < 0 or (args.agents or 1) < 1:
        parser.error("steps and --step-seconds must be positive, --hold at least 1 s, --agents at least 1")
    if step_seconds * max(steps) > 5000:
        parser.error("a step of more than 5000 calls: lower --steps or --step-seconds")
    return Plan.sized(steps, step_seconds, hold, amd_calls, args.agents)


def main() -> None:
    plan = parse_plan()
    console = Console(width=200)
    cores = os.cpu_count() or 1
    root = Path(tempfile.mkdtemp(prefix="phonebank-load-"))
    report = lambda message: console.print(f"[dim]· {message}[/]")
    started = time.monotonic()
    engine: ContainerEngine | None = None
    settings: Settings | None = None
    parties: Parties | None = None
    try:
        settings = write_run_config(root, plan.agents)
        parties = prepare_parties(settings, plan, root / "sipp")
        engine = start_pbx(settings, report)
        engine.start(parties.callee)
        measured = asyncio.run(measure(settings, engine, parties, plan, console))
        # Before cleanup: the report checks the recordings on disk.
        console.print(step_table(measured.steps, cores, plan))
        console.print(summary_table(measured.steps, measured.amd_run))
        console.print(audio_check(measured.steps, per_step=10))
        if measured.crash:
            console.print(f"[red]the CallController crashed, which ended the run: {measured.crash}[/]")
        console.print(f"load average at the end {os.getloadavg()[0]:.1f} on {cores} cores; "
                      f"whole run {time.monotonic() - started:.0f} s")
    except ContainerError as exc:
        raise SystemExit(str(exc)) from None
    finally:
        if engine is not None and settings is not None:
            if parties is not None:
                engine.kill(parties.agents.name)
                engine.kill(parties.callee.name)
            engine.stop(settings.pbx.container_name)
        if os.environ.get("PHONEBANK_KEEP_LAB") is None:
            shutil.rmtree(root, ignore_errors=True)
        else:
            console.print(f"kept {root}")


if __name__ == "__main__":
    main()
