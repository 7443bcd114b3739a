"""The floor: agent state (AgentSessions) wired to the engine's calls and campaigns.

The call controller asks `willing(agent)` before giving a call and reports what happened to
its lines; this class turns those reports into state transitions, runs the wrap-up timer, and
applies dispositions (an agent's, or the timer's) to the database. AgentSessions stays the only
owner of agent state; nothing here keeps a second copy.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable
from datetime import UTC, datetime

from sqlalchemy.engine import Engine

from agents.session import AgentSessions, AgentState, SessionError, Transition
from agents.session.rows import AgentRow
from engine.campaign import records
from pacing.events import AgentState as PacerAgentState

log = logging.getLogger(__name__)

TIMER_SECONDS = 1.0
TIMEOUT_CODE = "NODISP"


class FloorError(Exception):
    """An agent action that cannot be done now; the message says why in one line."""


class AgentFloor:
    """Agents' states and the events that move them, for one engine.

    `clock` is monotonic seconds (AgentSessions' time base); `wall` stamps dispositions.
    """

    def __init__(self, db: Engine, *, login_ready: bool = True, max_wrap_up: float = 60.0,
                 on_available: Callable[[], None] = lambda: None,
                 on_transition: Callable[[Transition], None] = lambda t: None,
                 clock: Callable[[], float] = time.monotonic,
                 wall: Callable[[], datetime] = lambda: datetime.now(UTC)) -> None:
        self._db = db
        self._login_ready = login_ready
        self._clock = clock
        self._wall = wall
        self._on_available = on_available
        self.sessions = AgentSessions(on_transition=self._transition, max_wrap_up=max_wrap_up)
        self._listener = on_transition
        self._disposed: set[str] = set()

    # what the call controller calls (engine.calls.controller.AgentHooks)

    def willing(self, endpoint: str) -> bool:
        return self.sessions.is_ready(endpoint)

    def logged_in(self, endpoint: str) -> None:
        self.sessions.login(endpoint, self._clock(), ready=self._login_ready)

    def connected(self, endpoint: str, attempt_id: str) -> None:
        self.sessions.connected(endpoint, attempt_id, self._clock())

    def customer_left(self, endpoint: str, attempt_id: str) -> None:
        if self.sessions.state(endpoint) is AgentState.ON_CALL:
            self.sessions.customer_left(endpoint, self._clock())
            if attempt_id in self._disposed:
                # The engine already disposed it (a hang-up on pick-up): no wrap-up owed.
                self._disposed.discard(attempt_id)
                self.sessions.disposed(endpoint, attempt_id, self._clock())

    def logged_out(self, endpoint: str) -> None:
        if self.sessions.state(endpoint) is not AgentState.LOGGED_OUT:
            self.sessions.logout(endpoint, self._clock())

    # what the campaign runner calls

    def system_disposed(self, endpoint: str | None, attempt_id: str) -> None:
        """The engine disposed a call itself (no conversation): the agent owes nothing."""
        if endpoint is None:
            return
        row = self._row(endpoint)
        if row is not None and row.attempt_id == attempt_id and row.state is AgentState.WRAP_UP:
            self.sessions.disposed(endpoint, attempt_id, self._clock())
        elif row is not None and row.attempt_id == attempt_id:
            self._disposed.add(attempt_id)

    def pacer_snapshot(self) -> list[tuple[str, PacerAgentState, float]]:
        """(agent, state, seconds in it) of every logged-in agent, for the pacer."""
        return [(row.agent, PacerAgentState[row.state.name], row.seconds)
                for row in self.sessions.snapshot(self._clock()) if row.state is not AgentState.LOGGED_OUT]

    # what agents do (API, DTMF)

    async def dispose(self, endpoint: str, attempt_id: str, code: str, then_pause: str | None = None) -> None:
        """Store the agent's disposition, then free them (or pause them)."""
        row = self._row(endpoint)
        if row is None or row.attempt_id != attempt_id or row.state not in (AgentState.ON_CALL, AgentState.WRAP_UP):
            raise FloorError(f"{endpoint} has no call {attempt_id} to dispose")
        await asyncio.to_thread(records.dispose, self._db, attempt_id, code, endpoint, self._wall())
        if self.sessions.state(endpoint) is AgentState.WRAP_UP:
            self.sessions.disposed(endpoint, attempt_id, self._clock(), then_pause=then_pause)
        else:
            self._disposed.add(attempt_id)

    def go_ready(self, endpoint: str) -> None:
        self._act(lambda: self.sessions.go_ready(endpoint, self._clock()))

    def pause(self, endpoint: str, code: str) -> None:
        self._act(lambda: self.sessions.pause(endpoint, code, self._clock()))

    def snapshot(self) -> list[AgentRow]:
        return self.sessions.snapshot(self._clock())

    async def run_timer(self) -> None:
        """Close wrap-ups that ran out of time with the NODISP code, once a second, forever."""
        while True:
            await asyncio.sleep(TIMER_SECONDS)
            for expired in self.sessions.tick(self._clock()):
                if expired.attempt_id is None:
                    continue
                try:
                    await asyncio.to_thread(records.dispose, self._db, expired.attempt_id, TIMEOUT_CODE, None, self._wall())
                except ValueError as exc:
                    log.warning("could not close %s after wrap-up ran out: %s", expired.attempt_id, exc)

    # internals

    def _act(self, action: Callable[[], None]) -> None:
        try:
            action()
        except SessionError as exc:
            raise FloorError(str(exc)) from exc

    def _row(self, endpoint: str) -> AgentRow | None:
        return next((row for row in self.sessions.snapshot(self._clock()) if row.agent == endpoint), None)

    def _transition(self, transition: Transition) -> None:
        self._listener(transition)
        if transition.to_state is AgentState.READY:
            self._on_available()
