"""The agents' side of the demo, seen only through the engine's JSON API.

`FloorWatch` polls `GET /api/agents` twice a second. Each row gives an agent's state and how
long they have been in it, so the moment of every transition is known even though it is seen
up to half a second late; `StateLog` keeps those segments, and occupancy follows from them.
`Volunteers` act on what the watch sees, as people at a web console would: hang up on a
talkative callee now and then, and dispose every call a few seconds into wrap-up.
"""

from __future__ import annotations

import asyncio
import random
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass, field, replace
from typing import Any

import httpx

POLL_SECONDS = 0.5
# Two sightings of one state whose start times differ by less than this are one segment; the
# start is computed from the engine's clock minus the request's time, so it jitters by ms.
SAME_SEGMENT_SECONDS = 0.5
BUSY_STATES = frozenset({"on_call", "wrap_up"})
LOGGED_IN_STATES = frozenset({"ready", "paused", "on_call", "wrap_up"})
DISPOSITIONS = ("SUP", "UND", "OPP", "NI", "CB")
OPT_OUT_CODE = "DNC"


@dataclass(frozen=True)
class Segment:
    """An agent in one state from ``start`` to ``end`` (epoch seconds)."""

    agent: str
    state: str
    start: float
    end: float


@dataclass
class StateLog:
    """Every agent's state segments, rebuilt from polled rows."""

    closed: list[Segment] = field(default_factory=list)
    current: dict[str, Segment] = field(default_factory=dict)

    def observe(self, at: float, rows: Iterable[dict[str, Any]]) -> None:
        """Take one poll answered at ``at``: rows with ``agent``, ``state`` and ``seconds``."""
        seen = set()
        for row in rows:
            agent, state = row["agent"], row["state"]
            seen.add(agent)
            since = at - float(row["seconds"])
            open_segment = self.current.get(agent)
            if open_segment is None:
                self.current[agent] = Segment(agent, state, since, at)
            elif open_segment.state == state and abs(open_segment.start - since) < SAME_SEGMENT_SECONDS:
                self.current[agent] = replace(open_segment, end=at)
            else:
                # A state missed between two polls is counted in the one before it.
                start = max(since, open_segment.start)
                self.closed.append(replace(open_segment, end=start))
                self.current[agent] = Segment(agent, state, start, at)
        for agent in set(self.current) - seen:
            self.closed.append(replace(self.current.pop(agent), end=at))

    def segments(self) -> list[Segment]:
        """Every segment so far, the open ones up to their last sighting."""
        return [*self.closed, *self.current.values()]


def occupancy(segments: Iterable[Segment], start: float, end: float) -> float | None:
    """Share of logged-in time between ``start`` and ``end`` spent on calls and wrap-up."""
    busy = logged_in = 0.0
    for segment in segments:
        overlap = max(0.0, min(segment.end, end) - max(segment.start, start))
        if segment.state in LOGGED_IN_STATES:
            logged_in += overlap
        if segment.state in BUSY_STATES:
            busy += overlap
    return busy / logged_in if logged_in else None


@dataclass
class Volunteers:
    """Simulated volunteers, one per agent, acting through the API.

    ``is_opt_out(attempt_id)`` says whether the callee asked not to be called again (the
    volunteer heard it); such calls are disposed with the DNC code, the rest at random.
    """

    api: httpx.AsyncClient
    rng: random.Random
    is_opt_out: Callable[[str], Awaitable[bool]]
    hangup_share: float = 0.3
    hangup_after: tuple[float, float] = (6.0, 25.0)
    dispose_after: tuple[float, float] = (1.0, 4.0)
    hangups: int = 0
    dispositions: int = 0
    _handled: set[tuple[str, str]] = field(default_factory=set)
    _latest: dict[str, dict[str, Any]] = field(default_factory=dict)
    _tasks: set[asyncio.Task[None]] = field(default_factory=set)

    def observe(self, rows: Iterable[dict[str, Any]]) -> None:
        """React to one poll: plan a hang-up for some new calls, a disposition for each wrap-up."""
        for row in rows:
            agent, state, attempt = row["agent"], row["state"], row["attempt_id"]
            self._latest[agent] = row
            if attempt is None or (attempt, state) in self._handled:
                continue
            if state == "on_call":
                self._handled.add((attempt, state))
                if self.rng.random() < self.hangup_share:
                    self._spawn(self._hang_up(agent, attempt, self.rng.uniform(*self.hangup_after)))
            elif state == "wrap_up":
                self._handled.add((attempt, state))
                code = self.rng.choice(DISPOSITIONS)
                self._spawn(self._dispose(agent, attempt, code, self.rng.uniform(*self.dispose_after)))

    def stop(self) -> None:
        """Cancel every planned action."""
        for task in self._tasks:
            task.cancel()

    def _spawn(self, action: Awaitable[None]) -> None:
        task = asyncio.ensure_future(action)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _hang_up(self, agent: str, attempt: str, after: float) -> None:
        await asyncio.sleep(after)  # the volunteer listens this long before ending the call
        latest = self._latest.get(agent, {})
        # The hang-up acts on the agent's current call: only while it is still this one.
        if latest.get("state") != "on_call" or latest.get("attempt_id") != attempt:
            return
        try:
            answer = await self.api.post(f"/api/agents/{agent}/hangup")
        except httpx.HTTPError:
            return
        if answer.status_code == 200:
            self.hangups += 1

    async def _dispose(self, agent: str, attempt: str, code: str, after: float) -> None:
        await asyncio.sleep(after)  # the volunteer types their notes first
        if await self.is_opt_out(attempt):
            code = OPT_OUT_CODE
        try:
            answer = await self.api.post(f"/api/agents/{agent}/disposition", json={"attempt_id": attempt, "code": code})
        except httpx.HTTPError:
            return
        if answer.status_code == 200:
            self.dispositions += 1


@dataclass
class FloorWatch:
    """Polls the agents' rows, feeding the state log and the volunteers; keeps the last rows."""

    api: httpx.AsyncClient
    log: StateLog
    volunteers: Volunteers
    clock: Callable[[], float]
    rows: list[dict[str, Any]] = field(default_factory=list)

    async def run(self) -> None:
        """Poll until cancelled; a failed poll (the engine stopping) is skipped."""
        while True:
            try:
                answer = await self.api.get("/api/agents")
                answer.raise_for_status()
                rows = answer.json()
            except (httpx.HTTPError, ValueError):
                rows = None
            if rows is not None:
                self.log.observe(self.clock(), rows)
                self.volunteers.observe(rows)
                self.rows = rows
            await asyncio.sleep(POLL_SECONDS)

    def counts(self) -> dict[str, int]:
        """Agents per state in the last poll."""
        counts: dict[str, int] = {}
        for row in self.rows:
            counts[row["state"]] = counts.get(row["state"], 0) + 1
        return counts
