"""What dashboards and the pacer read: one typed row per logged-in agent."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from agents.session.states import AgentState
from pacing import AgentState as PacerAgentState


@dataclass(frozen=True, slots=True)
class AgentRow:
    """An agent's state at one instant: since when, for how many seconds, on which attempt."""

    agent: str
    state: AgentState
    since: float
    seconds: float
    attempt_id: str | None
    pause_code: str | None


def pacer_agents(rows: Iterable[AgentRow]) -> list[tuple[PacerAgentState, float]]:
    """Rows as ``(state, seconds in state)`` pairs for ``pacing.PacerState.from_agents``.

    Logged-out agents are left out: the pacer only knows agents who are logged in.
    """
    return [
        (PacerAgentState[row.state.name], row.seconds)
        for row in rows
        if row.state is not AgentState.LOGGED_OUT
    ]
