"""Seconds per state and occupancy from a transition log, clipped to a window."""

from __future__ import annotations

import pytest

from agents.session import AgentSessions, AgentState, Reason, StateTimes, Transition, occupancy

S = AgentState


def _shift(sessions: AgentSessions) -> None:
    """One agent: logs in at 0, ready at 10, call 20-80, wrap-up to 100, break 100-130, out at 160."""
    sessions.login("a", 0.0)
    sessions.go_ready("a", 10.0)
    sessions.connected("a", "call-1", 20.0)
    sessions.customer_left("a", 80.0)
    sessions.disposed("a", "call-1", 100.0, then_pause="break")
    sessions.go_ready("a", 130.0)
    sessions.logout("a", 160.0)


@pytest.fixture
def log() -> list[Transition]:
    transitions: list[Transition] = []
    _shift(AgentSessions(on_transition=transitions.append))
    return transitions


def test_whole_shift(log: list[Transition]) -> None:
    times = occupancy(log, 0.0, 200.0)["a"]
    assert times == StateTimes(paused=40.0, ready=40.0, on_call=60.0, wrap_up=20.0)
    assert times.logged_in == 160.0
    assert times.occupancy == pytest.approx(80.0 / 160.0)


def test_window_clips_both_ends(log: list[Transition]) -> None:
    times = occupancy(log, 50.0, 120.0)["a"]
    assert times == StateTimes(paused=20.0, ready=0.0, on_call=30.0, wrap_up=20.0)
    assert times.occupancy == pytest.approx(50.0 / 70.0)


def test_log_starting_inside_the_window_assumes_the_first_from_state(log: list[Transition]) -> None:
    later = [t for t in log if t.at >= 80.0]  # begins with ON_CALL -> WRAP_UP at 80
    assert occupancy(later, 70.0, 90.0)["a"] == StateTimes(on_call=10.0, wrap_up=10.0)


def test_unsorted_input_and_several_agents() -> None:
    log = [
        Transition("b", S.PAUSED, S.READY, 30.0, Reason.READY),
        Transition("a", S.LOGGED_OUT, S.PAUSED, 0.0, Reason.LOGIN),
        Transition("b", S.LOGGED_OUT, S.PAUSED, 20.0, Reason.LOGIN),
    ]
    result = occupancy(reversed(log), 0.0, 50.0)
    assert result["a"] == StateTimes(paused=50.0)
    assert result["b"] == StateTimes(paused=10.0, ready=20.0)
    assert result["a"].occupancy == 0.0


def test_never_logged_in_within_the_window(log: list[Transition]) -> None:
    times = occupancy(log, 170.0, 200.0)["a"]
    assert times.logged_in == 0.0 and times.occupancy is None


def test_reversed_window_is_refused(log: list[Transition]) -> None:
    with pytest.raises(ValueError, match="swap start and end"):
        occupancy(log, 10.0, 5.0)
