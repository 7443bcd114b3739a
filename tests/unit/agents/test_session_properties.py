"""Random event sequences never leave the session machine inconsistent.

A small model decides which events are legal; the machine must accept exactly those, and after
every step its rows, its ready queue and its transition log must agree with each other.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial

import pytest
from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule

from agents.session import (
    LEGAL_TRANSITIONS,
    AgentSessions,
    AgentState,
    IllegalTransition,
    Transition,
    UnknownPauseCode,
)

S = AgentState
AGENTS = st.sampled_from(["a1", "a2", "a3"])
CODES = st.sampled_from(["break", "lunch", "nap"])
STEPS = st.sampled_from([0.0, 0.5, 3.0, 20.0])
MAX_WRAP_UP = 10.0


class SessionMachine(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        self.log: list[Transition] = []
        self.sessions = AgentSessions(
            on_transition=self.log.append, pause_codes={"break", "lunch"}, max_wrap_up=MAX_WRAP_UP
        )
        self.now = 0.0
        self.calls = 0
        self.model: dict[str, S] = {}
        self.wrap_since: dict[str, float] = {}

    def _expect(self, agent: str, legal_from: set[S], then: S, event: Callable[[], None]) -> bool:
        """Run ``event``; it must succeed exactly when the model says so. True if it moved."""
        before = self.model.get(agent, S.LOGGED_OUT)
        if before not in legal_from:
            with pytest.raises(IllegalTransition):
                event()
            return False
        event()
        self.model[agent] = then
        return True

    @rule(step=STEPS)
    def clock(self, step: float) -> None:
        self.now += step

    @rule(agent=AGENTS, ready=st.booleans())
    def login(self, agent: str, ready: bool) -> None:
        then = S.READY if ready else S.PAUSED
        self._expect(
            agent, {S.LOGGED_OUT}, then, partial(self.sessions.login, agent, self.now, ready)
        )

    @rule(agent=AGENTS)
    def go_ready(self, agent: str) -> None:
        self._expect(agent, {S.PAUSED}, S.READY, partial(self.sessions.go_ready, agent, self.now))

    @rule(agent=AGENTS, code=CODES)
    def pause(self, agent: str, code: str) -> None:
        event = partial(self.sessions.pause, agent, code, self.now)
        if code == "nap":
            with pytest.raises(UnknownPauseCode):
                event()
        else:
            self._expect(agent, {S.READY, S.PAUSED}, S.PAUSED, event)

    @rule(agent=AGENTS)
    def connected(self, agent: str) -> None:
        self.calls += 1
        event = partial(self.sessions.connected, agent, f"call-{self.calls}", self.now)
        self._expect(agent, {S.READY}, S.ON_CALL, event)

    @rule(agent=AGENTS)
    def customer_left(self, agent: str) -> None:
        event = partial(self.sessions.customer_left, agent, self.now)
        if self._expect(agent, {S.ON_CALL}, S.WRAP_UP, event):
            self.wrap_since[agent] = self.now

    @rule(agent=AGENTS, pause=st.sampled_from([None, "lunch"]))
    def disposed(self, agent: str, pause: str | None) -> None:
        rows = {row.agent: row for row in self.sessions.snapshot(self.now)}
        attempt = rows[agent].attempt_id if agent in rows else None
        then = S.READY if pause is None else S.PAUSED
        event = partial(self.sessions.disposed, agent, attempt or "none", self.now, pause)
        if self._expect(agent, {S.WRAP_UP}, then, event):
            del self.wrap_since[agent]

    @rule(agent=AGENTS)
    def logout(self, agent: str) -> None:
        logged_in = {S.PAUSED, S.READY, S.ON_CALL, S.WRAP_UP}
        self._expect(agent, logged_in, S.LOGGED_OUT, partial(self.sessions.logout, agent, self.now))
        self.wrap_since.pop(agent, None)

    @rule()
    def tick(self) -> None:
        due = {a for a, since in self.wrap_since.items() if since + MAX_WRAP_UP <= self.now}
        expired = self.sessions.tick(self.now)
        assert {e.agent for e in expired} == due
        for agent in due:
            self.model[agent] = S.READY
            del self.wrap_since[agent]

    @invariant()
    def states_match_the_model(self) -> None:
        for agent, state in self.model.items():
            assert self.sessions.state(agent) is state

    @invariant()
    def rows_are_consistent(self) -> None:
        for row in self.sessions.snapshot(self.now):
            assert (row.attempt_id is not None) == (row.state in (S.ON_CALL, S.WRAP_UP))
            assert (row.pause_code is not None) <= (row.state is S.PAUSED)
            assert row.seconds >= 0.0

    @invariant()
    def ready_queue_is_the_ready_agents_longest_idle_first(self) -> None:
        rows = {row.agent: row for row in self.sessions.snapshot(self.now)}
        queue = self.sessions.ready_agents()
        assert set(queue) == {agent for agent, row in rows.items() if row.state is S.READY}
        assert [rows[agent].since for agent in queue] == sorted(rows[a].since for a in queue)

    @invariant()
    def log_is_contiguous_legal_and_ends_in_the_current_state(self) -> None:
        last: dict[str, Transition] = {}
        for transition in self.log:
            previous = last.get(transition.agent)
            assert transition.from_state is (
                S.LOGGED_OUT if previous is None else previous.to_state
            )
            assert previous is None or previous.at <= transition.at
            assert (transition.from_state, transition.to_state) in LEGAL_TRANSITIONS
            last[transition.agent] = transition
        for agent, transition in last.items():
            assert self.sessions.state(agent) is transition.to_state


SessionMachine.TestCase.settings = settings(max_examples=200, stateful_step_count=40, deadline=None)
TestSessionMachine = SessionMachine.TestCase
