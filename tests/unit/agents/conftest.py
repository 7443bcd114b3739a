"""Shared helpers: sessions that record their transitions, and agents put into any state."""

from __future__ import annotations

import pytest

from agents.session import AgentSessions, AgentState, Transition

AGENT = "agent1001"


class Recorded:
    """An `AgentSessions` with the list its listener appends to."""

    def __init__(self, max_wrap_up: float = 30.0) -> None:
        self.log: list[Transition] = []
        self.sessions = AgentSessions(on_transition=self.log.append, max_wrap_up=max_wrap_up)


def put_in(sessions: AgentSessions, agent: str, state: AgentState, now: float) -> None:
    """Drive a logged-out ``agent`` into ``state`` at ``now`` by legal events only."""
    if state is AgentState.LOGGED_OUT:
        return
    sessions.login(agent, now)
    if state is AgentState.PAUSED:
        return
    sessions.go_ready(agent, now)
    if state is AgentState.READY:
        return
    sessions.connected(agent, f"call-{agent}", now)
    if state is AgentState.WRAP_UP:
        sessions.customer_left(agent, now)


@pytest.fixture
def recorded() -> Recorded:
    return Recorded()
