"""Seconds per state, and occupancy, from a log of transitions."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from operator import attrgetter

from agents.session.states import AgentState, Transition


@dataclass(frozen=True, slots=True)
class StateTimes:
    """Seconds one agent spent in each logged-in state within a window."""

    paused: float = 0.0
    ready: float = 0.0
    on_call: float = 0.0
    wrap_up: float = 0.0

    @property
    def logged_in(self) -> float:
        """Seconds logged in, in any state."""
        return self.paused + self.ready + self.on_call + self.wrap_up

    @property
    def occupancy(self) -> float | None:
        """Share of logged-in time spent on calls and their wrap-up; None if never logged in."""
        if self.logged_in == 0:
            return None
        return (self.on_call + self.wrap_up) / self.logged_in


def occupancy(transitions: Iterable[Transition], start: float, end: float) -> dict[str, StateTimes]:
    """Per agent, the seconds spent in each state between ``start`` and ``end``.

    Pass each agent's last transition before ``start`` too, so their state at ``start`` is
    known; without it, the first transition's ``from_state`` is taken to hold from ``start``.
    """
    if end < start:
        raise ValueError(f"window ends ({end}) before it starts ({start}): swap start and end")
    logs: dict[str, list[Transition]] = defaultdict(list)
    for transition in transitions:
        logs[transition.agent].append(transition)
    return {
        agent: _times(sorted(log, key=attrgetter("at")), start, end) for agent, log in logs.items()
    }


def _times(log: list[Transition], start: float, end: float) -> StateTimes:
    seconds = dict.fromkeys(AgentState, 0.0)
    state, since = log[0].from_state, start
    for transition in log:
        seconds[state] += _overlap(since, transition.at, start, end)
        state, since = transition.to_state, transition.at
    seconds[state] += _overlap(since, end, start, end)
    return StateTimes(
        paused=seconds[AgentState.PAUSED],
        ready=seconds[AgentState.READY],
        on_call=seconds[AgentState.ON_CALL],
        wrap_up=seconds[AgentState.WRAP_UP],
    )


def _overlap(a: float, b: float, start: float, end: float) -> float:
    return max(0.0, min(b, end) - max(a, start))
