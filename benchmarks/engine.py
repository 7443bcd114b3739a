"""Engine load: how many calls per second one engine and one Asterisk carry, every call
answered, connected to an agent and recorded; how many such calls they hold at once.

Design (issue 5, "Done when"):
- A PBX of its own from the project's image and rendered config (ports shifted by 40000,
  containers suffixed "-load"), with one endpoint per simulated agent. This run's own
  phonebank.toml widens the PBX's RTP range to fit every leg and adds a second trunk.
- No lab carrier, no baresip: SIPp from the lab image, host network, loopback only.
  Two *callees*, one per trunk, answer every call at once, talk (a looped "hello" tone then
  silence, so AMD hears a human) and hang up after their hold time: short on the `lab` trunk
  (the ramp), long on `lab-hold` (the plateau). The *agents* instance dials the login extension
  once per agent, authenticating as that agent's endpoint (injection CSV), talks a steady tone
  and stays nailed up in Stasis until the engine logs it out: real SIP and RTP legs through
  the real dialplan. Scenarios are in benchmarks/sipp/; audio is generated per run.
- This process runs the production CallController with no agent state tracker (any idle
  line takes a call) and starts calls on a fixed schedule. A call counts only if it ended
  CONNECTED with its recording on disk. Phases, each bounded in calls and time:
    ramp      10, 20, 30, 40 calls/s for 20 s each, held 4 s; stops at the first step where
              more than 2% of calls fail (a step stops early once they do);
    AMD batch 40 calls at 5/s through AMD(): greeting end (the verdict) -> agent;
    plateau   10 calls/s held 32 s: about 320 calls up at once.
  Enough agents are logged in for every phase without calls waiting for one.
- Delays come from Asterisk's event timestamps (answer or AMD verdict -> entered bridge); CPU
  from getrusage for this process (user+sys, every thread), /proc for the Asterisk and SIPp
  containers and /proc/stat for the machine; ARI request latency from a timing transport
  under the controller's own client. SIPp shares the machine, and so may other work: both
  show in the table. Prints tables with ratios to the targets; asserts nothing. A sample of
  recordings is checked by FFT for both parties' tones after the timed windows.

    .venv/bin/python benchmarks/engine.py [--quick] [--steps 10 20 30 40] [--plateau 320]
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
import json
import math
import os
import re
import resource
import shutil
import tempfile
import time
import traceback
import uuid
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

import httpx
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
LAB_TRUNK = "lab"  # the trunk `phonebank init --lab` writes
HOLD_TRUNK = "lab-hold"
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
IDLE_SECONDS = 5.0
# Seconds a line stays busy beyond the hold: bridging, recording stop and release, which stretch
# once the engine lags. Spare lines keep calls from waiting for an agent, which is not measured.
LINE_SLACK = 5.0


@dataclass(frozen=True)
class Phase:
    """Calls started at a fixed rate for a while, on one trunk (one SIPp callee, one hold)."""

    name: str
    cps: float
    seconds: float
    trunk: str
    hold: float
    amd: bool = False


@dataclass(frozen=True)
class Plan:
    """What one run does: the cps ramp, the AMD batch, the concurrency plateau, the agents."""

    ramp: tuple[Phase, ...]
    amd: Phase | None
    plateau: Phase | None
    agents: int

    @property
    def phases(self) -> tuple[Phase, ...]:
        return self.ramp + tuple(p for p in (self.amd, self.plateau) if p is not None)


@dataclass
class StepRun:
    """One phase as measured."""

    name: str
    target_cps: float
    results: list[CallResult] = field(default_factory=list)
    started: int = 0
    unfinished: int = 0
    dial_seconds: float = 0.0
    wall_seconds: float = 0.0
    engine_cpu: float = 0.0
    asterisk_cpu: float | None = None
    sipp_cpu: float | None = None
    machine_cpu: float | None = None
    peak_in_flight: int = 0
    loop_lag_ms: list[float] = field(default_factory=list)
    request_ms: dict[str, list[float]] = field(default_factory=dict)
    events: int = 0
    stopped_early: bool = False

    @property
    def good(self) -> list[CallResult]:
        return [r for r in self.results if call_ok(r)]

    @property
    def failures(self) -> int:
        return self.started - len(self.good)

    @property
    def failed(self) -> bool:
        return self.stopped_early or self.failures > FAILURE_SHARE * max(self.started, 1)


def call_ok(result: CallResult) -> bool:
    """Connected to an agent, with a non-empty recording in place on disk."""
    recording = result.recording
    return (result.outcome is CallOutcome.CONNECTED and recording is not None
            and recording.path.exists() and recording.duration > 0)


# ---- the PBX's config for this run ----

def write_run_config(root: Path, agents: int) -> Settings:
    """A fresh phonebank.toml for this run: a PBX RTP range wide enough for every leg, and a
    second trunk to a second callee that holds its calls longer (the concurrency plateau)."""
    path = write_config(root / "phonebank.toml", InitOptions(
        lab=True, agents=agents, supervisors=0, port_offset=PORT_OFFSET, name_suffix=NAME_SUFFIX))
    settings = load_settings(path)
    lab = settings.trunks[0]
    rtp_end = settings.pbx.rtp_start + max(999, PORTS_PER_LEG * agents + 200)
    text, count = re.subn(r"(?m)^rtp_end = \d+$", f"rtp_end = {rtp_end}", path.read_text(), count=1)
    if count != 1:
        raise SystemExit(f"{path} has no [pbx] rtp_end line: engine/initconfig.py changed its layout")
    text += "\n".join([
        "", "[[trunks]]", f'name = "{HOLD_TRUNK}"', f'host = "{lab.host}"', f"port = {lab.port + 1}",
        f"username = {json.dumps(lab.username)}", f"password = {json.dumps(lab.password)}",
        f"max_channels = {lab.max_channels}", f"max_cps = {lab.max_cps:g}", ""])
    path.write_text(text)
    return load_settings(path)


# ---- the SIPp parties ----

@dataclass(frozen=True)
class Parties:
    """The SIPp containers: a callee per trunk, and the agents."""

    callees: tuple[ContainerSpec, ...]
    agents: ContainerSpec
    workdir: Path

    @property
    def all(self) -> tuple[ContainerSpec, ...]:
        return (*self.callees, self.agents)


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
    """Write the scenarios, audio and agent credentials SIPp reads, and describe the containers."""
    assert settings.lab is not None
    workdir.mkdir(parents=True, exist_ok=True)
    # SIPp runs as the image's asterisk user and writes its error logs here.
    workdir.chmod(0o777)
    shutil.copy(SCENARIOS / "agent.xml", workdir / "agent.xml")
    (workdir / "callee.ulaw").write_bytes(_callee_audio())
    (workdir / "agent.ulaw").write_bytes(_ulaw(_tone(AGENT_HZ, 1.0, 0.2)))
    rows = [f"agent{a.number};{a.password}" for a in settings.agents[:plan.agents]]
    (workdir / "agents.csv").write_text("SEQUENTIAL\n" + "\n".join(rows) + "\n")

    host, image = settings.pbx.bind_address, settings.lab.phone_image
    media = PORTS_PER_LEG * plan.agents + 200
    next_rtp = itertools.count(settings.pbx.rtp_end + 1, media)
    common = ("-i", host, "-mi", host, "-aa", "-nostdin", "-trace_err",
              # A starved SIPp (two cores shared with Asterisk and the engine) must not quit on
              # its own watchdog: the benchmark decides when a run has failed.
              "-watchdog_minor_maxtriggers", "1000000", "-watchdog_major_maxtriggers", "1000000")

    def sipp(name: str, port: int, args: tuple[str, ...]) -> ContainerSpec:
        rtp = next(next_rtp)
        return ContainerSpec(
            name=f"phonebank-sipp-{name}{NAME_SUFFIX}", image=image,
            mounts=(Mount(workdir, "/work"),), entrypoint="sipp",
            args=(*args, "-key", "instance", name, "-p", str(port), "-cp", str(port + 100), "-min_rtp_port", str(rtp),
                  "-max_rtp_port", str(rtp + media - 1), "-error_file", f"/work/{name}-errors.log", *common))

    holds = {LAB_TRUNK: plan.ramp[0].hold}
    if plan.plateau is not None:
        holds[HOLD_TRUNK] = plan.plateau.hold
    callees = []
    for trunk in settings.trunks:
        if trunk.name in holds:
            scenario = f"callee-{trunk.name}.xml"
            (workdir / scenario).write_text(
                (SCENARIOS / "callee.xml").read_text().replace("HOLD_MS", str(int(holds[trunk.name] * 1000))))
            callees.append(sipp(f"callee-{trunk.name}", trunk.port,
                                ("-sf", f"/work/{scenario}", "-l", str(4 * plan.agents))))
    agents = sipp("agents", settings.lab.carrier_sip_port + 10, (
        f"{host}:{settings.pbx.sip_port}", "-sf", "/work/agent.xml", "-inf", "/work/agents.csv",
        "-s", settings.dialplan.agent_login, "-r", str(LOGIN_RATE), "-m", str(plan.agents),
        "-l", str(plan.agents)))
    for path in workdir.iterdir():
        path.chmod(0o644)
    return Parties(tuple(callees), agents, workdir)


def error_tail(parties: Parties, lines: int = 3) -> str:
    """The last lines SIPp logged as unexpected, for a failure message."""
    tails = []
    for path in sorted(parties.workdir.glob("*-errors.log")):
        tails += [f"{path.name}: {line}" for line in path.read_text(errors="replace").splitlines()[-lines:]]
    return "\n".join(tails)


# ---- CPU accounting ----

def engine_cpu() -> float:
    """User+system CPU seconds of this process, every thread included."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


CpuReader = Callable[[], float | None]


def container_cpu_reader(engine: ContainerEngine, names: list[str]) -> CpuReader:
    """A reader of the CPU seconds of these containers' main processes, summed (None where
    /proc cannot tell, as with a docker daemon on another machine)."""
    pids = [engine.run(["inspect", "--format", "{{.State.Pid}}", n], check=False).stdout.strip() for n in names]
    ticks = os.sysconf("SC_CLK_TCK")

    def read() -> float | None:
        total = 0
        for pid in pids:
            try:
                # utime and stime (fields 14, 15) follow the parenthesised command name.
                fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            except (OSError, IndexError):
                return None
            total += int(fields[11]) + int(fields[12])
        return total / ticks

    return read


def machine_cpu() -> float | None:
    """CPU seconds every core of this machine has spent busy, from /proc/stat."""
    try:
        fields = Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]
    except OSError:
        return None
    user, nice, system, _idle, _iowait, irq, softirq, steal = (int(f) for f in fields[:8])
    return (user + nice + system + irq + softirq + steal) / os.sysconf("SC_CLK_TCK")


def _spent(before: float | None, after: float | None) -> float | None:
    return after - before if after is not None and before is not None else None


@contextmanager
def cpu_window(run: StepRun, asterisk: CpuReader, sipp: CpuReader) -> Iterator[None]:
    """Charge the CPU this process, Asterisk, SIPp and the whole machine spent inside the block
    to `run`."""
    wall, mine, pbx, load, box = time.monotonic(), engine_cpu(), asterisk(), sipp(), machine_cpu()
    try:
        yield
    finally:
        run.wall_seconds = time.monotonic() - wall
        run.engine_cpu = engine_cpu() - mine
        run.asterisk_cpu = _spent(pbx, asterisk())
        run.sipp_cpu = _spent(load, sipp())
        run.machine_cpu = _spent(box, machine_cpu())


# ---- the measurement ----

# The last path segment names the operation for these; other requests are named by their first.
_VERBS = {"addChannel", "removeChannel", "record", "stop", "answer", "continue", "play", "variable", "ping"}


def request_kind(request: httpx.Request) -> str:
    """'POST bridges/addChannel', 'DELETE channels', ...: one ARI operation, ids left out."""
    segments = request.url.path.split("/ari/", 1)[-1].split("/")
    verb = f"/{segments[-1]}" if len(segments) > 1 and segments[-1] in _VERBS else ""
    return f"{request.method} {segments[0]}{verb}"


class TimedTransport(httpx.AsyncBaseTransport):
    """The ARI client's HTTP transport, timing every request (to response headers) by kind
    into the run being measured."""

    def __init__(self) -> None:
        self._inner = httpx.AsyncHTTPTransport()
        self.sink: dict[str, list[float]] | None = None

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        sent = time.perf_counter()
        response = await self._inner.handle_async_request(request)
        if self.sink is not None:
            self.sink.setdefault(request_kind(request), []).append((time.perf_counter() - sent) * 1000)
        return response

    async def aclose(self) -> None:
        await self._inner.aclose()


async def _count_events(ari: AriClient, run: StepRun) -> None:
    async with ari.events() as events:
        while True:
            await events.next()
            run.events += 1


def _request(phase: Phase, index: int) -> CallRequest:
    return CallRequest(str(uuid.uuid4()), f"+1202555{index % 10000:04d}", phase.trunk, "load",
                       ring_timeout=15, amd=phase.amd)


async def _probe(controller: CallController, run: StepRun) -> None:
    """Every 0.1 s: calls in flight, and how late the event loop woke (CPU starvation shows here)."""
    loop = asyncio.get_running_loop()
    while True:
        run.peak_in_flight = max(run.peak_in_flight, controller.in_flight)
        due = loop.time() + 0.1
        await asyncio.sleep(0.1)
        run.loop_lag_ms.append((loop.time() - due) * 1000)


async def run_phase(ari: AriClient, controller: CallController, phase: Phase, run: StepRun) -> None:
    """Start calls at the phase's rate for its length (fewer if failures mount), then drain."""
    loop = asyncio.get_running_loop()
    counter = asyncio.create_task(_count_events(ari, run))
    failed = 0

    def tally(future: asyncio.Future[CallResult]) -> None:
        nonlocal failed
        if not future.cancelled():
            run.results.append(future.result())
            failed += not call_ok(future.result())

    futures: list[asyncio.Future[CallResult]] = []
    probe = asyncio.create_task(_probe(controller, run))
    start = loop.time()
    for index in range(round(phase.cps * phase.seconds)):
        delay = start + index / phase.cps - loop.time()
        if delay > 0:
            await asyncio.sleep(delay)
        future = controller.start(_request(phase, index))
        future.add_done_callback(tally)
        futures.append(future)
        run.started = len(futures)
        if failed > max(FAILURE_FLOOR, FAILURE_SHARE * len(futures)):
            run.stopped_early = True
            break
    run.dial_seconds = loop.time() - start + 1 / phase.cps
    try:
        _, pending = await asyncio.wait(futures, timeout=phase.hold + DRAIN_GRACE)
        run.unfinished = len(pending)
    finally:
        probe.cancel()
        counter.cancel()


@dataclass
class Measured:
    """Everything one run measured, as far as it got."""

    runs: list[StepRun] = field(default_factory=list)
    idle: StepRun | None = None
    crash: str | None = None

    def of(self, phases: tuple[Phase, ...]) -> list[StepRun]:
        names = {p.name for p in phases}
        return [r for r in self.runs if r.name.removesuffix(" (crashed)") in names]


def crash_line(group: BaseExceptionGroup) -> str:
    """The first failure inside the controller's task group, and where it was raised."""
    leaf: BaseException = group
    while isinstance(leaf, BaseExceptionGroup):
        leaf = leaf.exceptions[0]
    frames = traceback.extract_tb(leaf.__traceback__)
    # The controller's own frame says which of its tasks died; the last frame, what raised.
    where = [f for f in frames if Path(f.filename).name == "controller.py"] or frames
    frame = where[-1]
    return f"{type(leaf).__name__}: {leaf} (in {Path(frame.filename).name}:{frame.lineno} {frame.name}())"


async def measure(settings: Settings, engine: ContainerEngine, parties: Parties, plan: Plan,
                  console: Console) -> Measured:
    """Log the agents in, run every phase, log the agents out.

    A crash of the controller ends the run; what was measured until then is kept."""
    measured = Measured()
    try:
        await _measure(settings, engine, parties, plan, console, measured)
    except ExceptionGroup as group:
        measured.crash = crash_line(group)
        if measured.runs:
            running = measured.runs[-1]
            running.name += " (crashed)"
            running.unfinished = running.started - len(running.results)
    return measured


async def _measure(settings: Settings, engine: ContainerEngine, parties: Parties, plan: Plan,
                   console: Console, measured: Measured) -> None:
    asterisk_cpu = container_cpu_reader(engine, [settings.pbx.container_name])
    timer = TimedTransport()
    async with AriClient.from_settings(settings.ari, transport=timer) as ari, \
            CallController(ari, ControllerConfig.from_settings(settings)) as controller:
        await asyncio.to_thread(engine.start, parties.agents)
        try:
            await controller.wait_for_agents(plan.agents, timeout=30 + plan.agents / LOGIN_RATE * 2)
        except TimeoutError:
            raise SystemExit(f"only {len(controller.lines)} of {plan.agents} agents logged in:\n"
                             f"{error_tail(parties)}") from None
        console.print(f"[dim]· {len(controller.lines)} agents nailed up[/]")
        sipp_cpu = container_cpu_reader(engine, [spec.name for spec in parties.all])
        idle = StepRun("idle", 0)
        with cpu_window(idle, asterisk_cpu, sipp_cpu):
            await asyncio.sleep(IDLE_SECONDS)
        measured.idle = idle
        ramp_failed = False
        for phase in plan.phases:
            if ramp_failed and phase in plan.ramp:
                continue
            run = StepRun(phase.name, phase.cps)
            measured.runs.append(run)
            console.print(f"[dim]· {phase.name}: {phase.cps:g} calls/s for {phase.seconds:g} s, "
                          f"held {phase.hold:g} s[/]")
            timer.sink = run.request_ms
            with cpu_window(run, asterisk_cpu, sipp_cpu):
                await run_phase(ari, controller, phase, run)
            timer.sink = None
            if run.failed and phase in plan.ramp:
                console.print(f"[yellow]· {run.name}: {run.failures} of {run.started} calls failed; "
                              f"the ramp stops here[/]")
                ramp_failed = True
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


def why_failed(runs: list[StepRun]) -> str:
    """Why calls did not count, per run that had any."""
    lines = []
    for run in runs:
        reasons = Counter("no recording" if r.outcome is CallOutcome.CONNECTED else r.outcome.value
                          for r in run.results if not call_ok(r))
        reasons["unfinished"] += run.unfinished
        if +reasons:
            lines.append(f"{run.name}: " + ", ".join(f"{why} {n}" for why, n in (+reasons).most_common()))
    return "calls that did not count: " + ("; ".join(lines) if lines else "none")


def _cores(run: StepRun) -> list[str]:
    """Cores used on average during the run by the engine, Asterisk, SIPp, and everything else
    on the machine (other people's work shares these cores)."""
    parts = (run.engine_cpu, run.asterisk_cpu, run.sipp_cpu)
    known = [cpu for cpu in parts if cpu is not None]
    # A difference of counters read moments apart: a few hundredths below zero is noise.
    others = (max(0.0, run.machine_cpu - sum(known))
              if run.machine_cpu is not None and len(known) == len(parts) else None)
    return [f"{cpu / run.wall_seconds:.2f}" if cpu is not None else "n/a" for cpu in (*parts, others)]


def phase_table(runs: list[StepRun], cores: int, plan: Plan) -> Table:
    table = Table(title=f"Engine load on loopback: {cores} cores, {plan.agents} SIPp agents nailed up, "
                        f"every call must be connected to an agent and recorded")
    for column in ("phase", "started", "offered cps", "connected + recorded", "failed", "good cps",
                   "peak connected", "peak in flight", "answer→agent p50 ms", "p99 ms", "> 2 s",
                   "ARI events/call", "engine CPU ms/attempt", "cores: engine", "Asterisk", "SIPp", "others",
                   "loop lag p99 ms"):
        table.add_column(column, justify="right")
    for run in runs:
        good = run.good
        delays = delays_ms(run.results)
        p50, p99 = np.percentile(delays, [50, 99]) if delays.size else (math.nan, math.nan)
        table.add_row(
            run.name + (" (stopped early)" if run.stopped_early else ""), str(run.started),
            f"{run.started / run.dial_seconds:.1f}", str(len(good)),
            str(run.failures), f"{len(good) / run.dial_seconds:.1f}",
            str(peak_connected(run.results)), str(run.peak_in_flight), f"{p50:.1f}", f"{p99:.1f}",
            str(int((delays > LATE_MS).sum())), f"{run.events / max(run.started, 1):.1f}",
            f"{run.engine_cpu / max(run.started, 1) * 1000:.2f}", *_cores(run), _percentile(run.loop_lag_ms, 99))
    return table


def request_table(runs: list[StepRun]) -> Table:
    """ARI request latency by operation and phase: the controller awaits addChannel (on the
    answer) and record (on entering the bridge) inside its single event reader."""
    table = Table(title="ARI requests: count, p50 / p99 ms (to response headers)")
    table.add_column("request")
    for run in runs:
        table.add_column(run.name, justify="right")
    kinds = sorted({kind for run in runs for kind in run.request_ms},
                   key=lambda k: -sum(len(r.request_ms.get(k, [])) for r in runs))
    for kind in kinds:
        cells = []
        for run in runs:
            values = run.request_ms.get(kind, [])
            cells.append(f"{len(values)}: {_percentile(values, 50)} / {_percentile(values, 99)}" if values else "")
        table.add_row(kind, *cells)
    return table


def sustained(ramp: list[StepRun]) -> StepRun | None:
    """The highest step that started its calls on schedule and lost none beyond the threshold."""
    held = [r for r in ramp if not r.failed and r.started / r.dial_seconds >= 0.95 * r.target_cps]
    return max(held, key=lambda r: r.target_cps, default=None)


def summary_table(measured: Measured, plan: Plan) -> Table:
    table = Table(title="Against the targets (issue 5)")
    for column in ("measure", "value", "target", "verdict"):
        table.add_column(column, justify="right")
    best = sustained(measured.of(plan.ramp))
    cps = len(best.good) / best.dial_seconds if best else 0.0
    table.add_row("sustained calls/s, all connected + recorded", f"{cps:.1f}", f"≥ {TARGET_CPS:g}",
                  _ratio(cps, TARGET_CPS))
    if best is not None and delays_ms(best.results).size:
        p99 = float(np.percentile(delays_ms(best.results), 99))
        table.add_row(f"answer→agent p99 at {best.name}", f"{p99:.1f} ms", f"≤ {TARGET_P99_MS:g} ms",
                      _ratio(p99, TARGET_P99_MS, lower_is_better=True))
    held = [r for r in measured.runs if not r.failed]
    peak = max((peak_connected(r.results) for r in held), default=0)
    table.add_row("peak concurrent calls held, in a phase with all connected + recorded", str(peak),
                  f"≥ {TARGET_CONCURRENT}", _ratio(peak, TARGET_CONCURRENT))
    top = max(measured.runs, key=lambda r: peak_connected(r.results), default=None)
    if top is not None and top.failed:
        table.add_row(f"peak concurrent calls held in any phase ({top.name}: {top.failures} of "
                      f"{top.started} calls did not count)", str(peak_connected(top.results)),
                      f"≥ {TARGET_CONCURRENT}", _ratio(peak_connected(top.results), TARGET_CONCURRENT))
    for amd_run in measured.of((plan.amd,) if plan.amd else ()):
        delays = delays_ms(amd_run.results)
        verdicts = Counter(r.amd_status or "none" for r in amd_run.results)
        counts = ", ".join(f"{v} {n}" for v, n in verdicts.most_common())
        if delays.size:
            p50, p99 = np.percentile(delays, [50, 99])
            table.add_row(f"greeting end→agent p50 / p99 ({amd_run.name}; {counts})",
                          f"{p50:.1f} / {p99:.1f} ms", f"p99 ≤ {TARGET_P99_MS:g} ms",
                          _ratio(float(p99), TARGET_P99_MS, lower_is_better=True))
        else:
            table.add_row(f"greeting end→agent ({amd_run.name}; {counts})", "no connected calls", "", "")
    return table


def audio_check(runs: list[StepRun], per_run: int) -> str:
    """Both parties audible in a sample of each run's recordings (FFT), outside the timed windows."""
    checked = both = 0
    for run in runs:
        for result in run.good[:: max(1, len(run.good) // per_run)][:per_run]:
            assert result.recording is not None
            checked += 1
            both += heard_tones(result.recording.path, [CALLEE_HZ, AGENT_HZ]) == {CALLEE_HZ, AGENT_HZ}
    return (f"recordings holding both callee ({CALLEE_HZ:g} Hz) and agent ({AGENT_HZ:g} Hz): "
            f"{both} of {checked} sampled")


# ---- the run ----

def parse_plan(argv: list[str] | None = None) -> Plan:
    """The run's phases from the command line; bad values end with one line naming the fix."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true",
                        help="10 and 20 cps for 10 s, 10 AMD calls, a 60-call plateau (about 2 minutes)")
    parser.add_argument("--steps", type=float, nargs="+", help="ramp: calls/s of each step (default 10 20 30 40)")
    parser.add_argument("--step-seconds", type=float, help="ramp: how long each step dials (default 20)")
    parser.add_argument("--hold", type=float, help="ramp and AMD: seconds each call stays up (default 4)")
    parser.add_argument("--amd-calls", type=int, help="calls in the AMD batch, at 5/s (default 40)")
    parser.add_argument("--plateau", type=int,
                        help="concurrent calls to hold, dialled at 10/s (default 320; 0 skips)")
    parser.add_argument("--agents", type=int, help="simulated agents (default: enough for every phase)")
    args = parser.parse_args(argv)
    quick = args.quick
    steps = tuple(args.steps or ((10.0, 20.0) if quick else (10.0, 20.0, 30.0, 40.0)))
    step_seconds = args.step_seconds or (10.0 if quick else 20.0)
    hold = args.hold or 4.0
    amd_calls = args.amd_calls if args.amd_calls is not None else (10 if quick else 40)
    plateau = args.plateau if args.plateau is not None else (60 if quick else 320)
    if min(steps) <= 0 or step_seconds <= 0 or hold < 1 or amd_calls < 0 or plateau < 0 or (args.agents or 1) < 1:
        parser.error("--steps and --step-seconds must be positive, --hold at least 1 s, "
                     "--amd-calls and --plateau not negative, --agents at least 1")
    if step_seconds * max(steps) > 5000 or plateau > 2000:
        parser.error("more than 5000 calls in a step or 2000 held at once: lower --steps, --step-seconds or --plateau")
    ramp = tuple(Phase(f"ramp {cps:g} cps", cps, step_seconds, LAB_TRUNK, hold) for cps in steps)
    amd = Phase("AMD batch", 5.0, amd_calls / 5.0, LAB_TRUNK, hold, amd=True) if amd_calls else None
    # The plateau dials at 10/s and holds each call long enough for `plateau` to be up at once,
    # then dials a little longer so the level stays there for a while.
    plateau_cps = 10.0 if plateau >= 10 else 1.0
    plateau_hold = plateau / plateau_cps
    held = (Phase(f"plateau {plateau} held", plateau_cps, plateau_hold + 10, HOLD_TRUNK, plateau_hold)
            if plateau else None)
    needed = max(p.cps * (p.hold + LINE_SLACK) for p in (*ramp, *(x for x in (amd, held) if x)))
    return Plan(ramp, amd, held, args.agents or math.ceil(needed))


def main() -> None:
    plan = parse_plan()
    console = Console(width=220)
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
        for callee in parties.callees:
            engine.start(callee)
        measured = asyncio.run(measure(settings, engine, parties, plan, console))
        # Before cleanup: the report checks the recordings on disk.
        console.print(phase_table(measured.runs, cores, plan))
        console.print(why_failed(measured.runs))
        console.print(request_table(measured.runs))
        console.print(summary_table(measured, plan))
        if measured.idle is not None:
            engine_cores, asterisk_cores, sipp_cores, other_cores = _cores(measured.idle)
            console.print(f"{plan.agents} agents nailed up, no calls ({IDLE_SECONDS:g} s): cores used by "
                          f"the engine {engine_cores}, Asterisk {asterisk_cores}, SIPp {sipp_cores}, "
                          f"everything else {other_cores}")
        console.print(audio_check(measured.runs, per_run=10))
        if measured.crash:
            console.print(f"[red]the CallController crashed, which ended the run: {measured.crash}[/]")
        console.print(f"load average at the end {os.getloadavg()[0]:.1f} on {cores} cores; "
                      f"whole run {time.monotonic() - started:.0f} s")
    except ContainerError as exc:
        raise SystemExit(str(exc)) from None
    finally:
        if engine is not None and settings is not None:
            for spec in parties.all if parties is not None else ():
                engine.kill(spec.name)
            engine.stop(settings.pbx.container_name)
        if os.environ.get("PHONEBANK_KEEP_LAB") is None:
            shutil.rmtree(root, ignore_errors=True)
        else:
            console.print(f"kept {root}")


if __name__ == "__main__":
    main()
