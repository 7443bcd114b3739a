"""The demo's dialling phase: the whole engine (`serve`) in this process, the lab phones logged in
as agents, simulated volunteers on the API, a snapshot for the live view every second, and at
the end a drain: the campaign is stopped, calls in flight end, volunteers dispose the last of
them, and only then is the engine stopped.

`serve` is passed in (it is `agents.server.serve`): the engine package does not import agents.
"""

from __future__ import annotations

import asyncio
import random
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import AsyncExitStack, asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import httpx
from sqlalchemy import Engine
from sqlmodel import Session

from engine.ami.client import AmiClient
from engine.config import Settings
from engine.lab.demo_floor import FloorWatch, Segment, StateLog, Volunteers
from engine.lab.demo_setup import DemoCampaign, stop_demo_campaign
from engine.lab.phones import LabPhone, control
from engine.metrics.campaign import CampaignMetrics, LiveCounters, campaign_metrics
from engine.store.models import CallAttempt

ServeFn = Callable[[Settings, asyncio.Event], Awaitable[None]]
TICK_SECONDS = 1.0
STARTUP_SECONDS = 30.0
DRAIN_SECONDS = 150.0  # ring timeout + the longest talk + wrap-up, with room
STOP_SECONDS = 60.0


class DemoError(RuntimeError):
    """The demo could not run; the message says what failed and where to look."""


@dataclass(frozen=True)
class LiveSnapshot:
    """What the live view shows, once a second."""

    phase: str  # "dialling" or "draining"
    seconds_left: float
    metrics: CampaignMetrics | None
    agents: dict[str, int]  # agents per state


@dataclass(frozen=True)
class DemoRun:
    """What the dialling phase saw; times are epoch seconds."""

    started: float  # agents logged in, the campaign free to dial
    dial_ended: float  # the campaign stopped
    ended: float  # every call over, the engine stopped
    agents: tuple[str, ...]
    segments: tuple[Segment, ...]
    rung: tuple[str, ...]  # every number the carrier was asked to ring
    hangups: int  # calls a volunteer ended
    interrupted: bool  # stopped early (Ctrl-C)


@asynccontextmanager
async def carrier_calls(settings: Settings) -> AsyncIterator[list[str]]:
    """Every number the simulated carrier is asked to ring while open, from its own AMI:
    the ground truth for "never dialled", independent of the engine's records."""
    lab = settings.lab
    if lab is None:
        raise DemoError("phonebank.toml has no [lab] section: write one with `phonebank init --lab`")
    rung: list[str] = []
    async with AmiClient("127.0.0.1", lab.carrier_ami_port, lab.carrier_ami_username, lab.carrier_ami_secret) as ami, \
            ami.events() as events:

        async def collect() -> None:
            while True:
                event = await events.next()
                if event.name == "Newchannel" and event.get("Exten"):
                    rung.append(event.get("Exten"))

        collector = asyncio.create_task(collect())
        try:
            yield rung
        finally:
            collector.cancel()


def api_client(settings: Settings) -> httpx.AsyncClient:
    """A client for the engine's API with the bearer token from phonebank.toml."""
    web = settings.web
    return httpx.AsyncClient(base_url=f"http://{web.bind_address}:{web.port}", timeout=5,
                             headers={"Authorization": f"Bearer {web.api_token}"})


async def _get_json(api: httpx.AsyncClient, path: str) -> object | None:
    try:
        answer = await api.get(path)
        answer.raise_for_status()
        return answer.json()
    except (httpx.HTTPError, ValueError):
        return None


async def _stopped(server: asyncio.Task[None]) -> None:
    """Wait for the engine to finish; its failure, or a hang, becomes a DemoError."""
    done, _ = await asyncio.wait({server}, timeout=STOP_SECONDS)
    if not done:
        server.cancel()
        raise DemoError(f"the engine did not stop within {STOP_SECONDS:.0f} s after the drain")
    error = None if server.cancelled() else server.exception()
    if error is not None:
        raise DemoError(f"the engine failed: {error or type(error).__name__}") from error


async def _until(check: Callable[[], Awaitable[bool]], timeout: float, server: asyncio.Task[None], what: str) -> None:
    """Poll an API condition (there is no event to wait on) while the engine runs."""
    deadline = time.monotonic() + timeout
    while not await check():
        if server.done():
            error = server.exception()
            raise DemoError(f"the engine stopped while waiting for {what}: {error or 'no error'}")
        if time.monotonic() > deadline:
            raise DemoError(f"{what}: not within {timeout:.0f} s (see the engine log)")
        await asyncio.sleep(0.2)


def _attempt_number(db: Engine, attempt_id: str) -> str | None:
    with Session(db) as session:
        attempt = session.get(CallAttempt, attempt_id)
        return attempt.number_called if attempt else None


@dataclass
class _Dialling:
    """One dialling phase: the engine task, the floor and the clock; see `run_dialling`."""

    db: Engine
    campaign: DemoCampaign
    api: httpx.AsyncClient
    server: asyncio.Task[None]
    stop: asyncio.Event
    watch: FloorWatch
    on_tick: Callable[[LiveSnapshot], None]

    async def engine_up(self) -> bool:
        health = await _get_json(self.api, "/healthz")
        return isinstance(health, dict) and health.get("asterisk") is True

    async def campaign_row(self) -> dict[str, Any] | None:
        rows = await _get_json(self.api, "/api/campaigns")
        if not isinstance(rows, list):
            return None
        return next((row for row in rows if row.get("campaign_id") == self.campaign.campaign_id), None)

    async def waiting(self) -> int:
        """Callees waiting for an agent, from /metrics (only the engine knows it)."""
        try:
            text = (await self.api.get("/metrics")).text
        except httpx.HTTPError:
            return 0
        prefix = f'phonebank_calls_waiting{{campaign="{self.campaign.name}"}} '
        return next((int(float(line[len(prefix):])) for line in text.splitlines() if line.startswith(prefix)), 0)

    async def snapshot(self, phase: str, seconds_left: float) -> LiveSnapshot:
        counts = self.watch.counts()
        row = await self.campaign_row()
        in_flight = int(row["in_flight"]) if row else 0
        live = LiveCounters(
            in_flight=in_flight, waiting=await self.waiting(),
            agents_logged_in=sum(n for state, n in counts.items() if state != "logged_out"),
            agents_ready=counts.get("ready", 0), agents_on_call=counts.get("on_call", 0),
            agents_wrap_up=counts.get("wrap_up", 0), agents_paused=counts.get("paused", 0))
        metrics = await asyncio.to_thread(campaign_metrics, self.db, self.campaign.campaign_id, datetime.now(UTC), live)
        return LiveSnapshot(phase, seconds_left, metrics, counts)

    async def drained(self) -> bool:
        row = await self.campaign_row()
        idle = not any(r["state"] in ("on_call", "wrap_up") for r in self.watch.rows)
        return row is not None and not row["running"] and row["in_flight"] == 0 and idle

    async def tick_until(self, phase: str, deadline: float, done: Callable[[], Awaitable[bool]] | None = None) -> None:
        """Refresh the live view every second until the deadline, `done()`, or a stop."""
        while time.time() < deadline and not self.stop.is_set() and not self.server.done():
            self.on_tick(await self.snapshot(phase, deadline - time.time()))
            if done is not None and await done():
                return
            await asyncio.sleep(TICK_SECONDS)


async def run_dialling(settings: Settings, db: Engine, phones: list[LabPhone], campaign: DemoCampaign,
                       minutes: float, serve: ServeFn, on_tick: Callable[[LiveSnapshot], None],
                       rng: random.Random) -> DemoRun:
    """Run the engine, log ``phones`` in, dial for ``minutes``, drain, and stop the engine."""
    stop = asyncio.Event()
    state_log = StateLog()
    async with AsyncExitStack() as stack:
        rung = await stack.enter_async_context(carrier_calls(settings))
        api = await stack.enter_async_context(api_client(settings))

        async def is_opt_out(attempt_id: str) -> bool:
            number = await asyncio.to_thread(_attempt_number, db, attempt_id)
            behaviour = campaign.plan.behaviour_of(number) if number else None
            return behaviour is not None and behaviour.key == "opt_out"

        volunteers = Volunteers(api, rng, is_opt_out)
        watch = FloorWatch(api, state_log, volunteers, time.time)
        server = asyncio.create_task(serve(settings, stop))
        run = _Dialling(db, campaign, api, server, stop, watch, on_tick)
        watcher: asyncio.Task[None] | None = None
        try:
            await _until(run.engine_up, STARTUP_SECONDS, server, "the engine to connect to Asterisk")
            sessions = [await stack.enter_async_context(control(phone)) for phone in phones]
            for session in sessions:
                await session.dial(settings.dialplan.agent_login)
            watcher = asyncio.create_task(watch.run())

            async def logged_in() -> bool:
                return sum(r["state"] != "logged_out" for r in watch.rows) >= len(phones)

            await _until(logged_in, STARTUP_SECONDS, server, f"{len(phones)} agent phones to log in")
            started = time.time()
            await run.tick_until("dialling", started + minutes * 60)
            interrupted = stop.is_set()  # Ctrl-C: serve's own signal handler set it
            if server.done() and not interrupted:
                raise DemoError("the engine stopped while dialling")
            dial_ended = time.time()
            await asyncio.to_thread(stop_demo_campaign, db, campaign.campaign_id)
            await run.tick_until("draining", dial_ended + DRAIN_SECONDS, run.drained)
            for session in sessions:
                await session.hangup()
        finally:
            if watcher is not None:
                watcher.cancel()
            volunteers.stop()
            stop.set()
            await _stopped(server)
        return DemoRun(started, dial_ended, time.time(), tuple(p.endpoint.endpoint for p in phones),
                       tuple(state_log.segments()), tuple(rung), volunteers.hangups, interrupted)
