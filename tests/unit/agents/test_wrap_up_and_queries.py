"""Wrap-up expiry through tick, who is ready and for how long, and what dashboards see."""

from __future__ import annotations

import math

import pytest

from agents.session import (
    AgentRow,
    AgentSessions,
    AgentState,
    Reason,
    SessionError,
    WrapUpExpired,
    pacer_agents,
)
from pacing import AgentState as PacerAgentState
from pacing import PacerState

from .conftest import Recorded, put_in

S = AgentState


def test_tick_moves_expired_wrap_ups_to_ready_dated_at_the_limit() -> None:
    rec = Recorded(max_wrap_up=30.0)
    put_in(rec.sessions, "a", S.WRAP_UP, 100.0)
    put_in(rec.sessions, "b", S.WRAP_UP, 110.0)
    assert rec.sessions.tick(129.9) == []
    assert rec.sessions.tick(130.0) == [WrapUpExpired("a", "call-a", 130.0)]
    assert rec.sessions.state("a") is S.READY and rec.sessions.state("b") is S.WRAP_UP
    last = rec.log[-1]
    assert (last.agent, last.from_state, last.to_state) == ("a", S.WRAP_UP, S.READY)
    assert (last.at, last.reason, last.attempt_id) == (130.0, Reason.WRAP_UP_EXPIRED, "call-a")
    assert rec.sessions.time_in_state("a", 135.0) == 5.0
    assert rec.sessions.tick(135.0) == []


def test_tick_reports_several_expiries_in_order_of_expiry() -> None:
    rec = Recorded(max_wrap_up=10.0)
    put_in(rec.sessions, "late", S.WRAP_UP, 5.0)
    put_in(rec.sessions, "early", S.WRAP_UP, 1.0)
    assert [e.agent for e in rec.sessions.tick(60.0)] == ["early", "late"]
    assert rec.sessions.ready_agents() == ["early", "late"]


def test_the_campaign_limit_given_at_connect_overrides_the_default() -> None:
    sessions = AgentSessions(max_wrap_up=30.0)
    for agent, limit in (("short", 5.0), ("unlimited", math.inf), ("default", None)):
        put_in(sessions, agent, S.READY, 0.0)
        sessions.connected(agent, f"call-{agent}", 0.0, max_wrap_up=limit)
        sessions.customer_left(agent, 10.0)
    assert [e.agent for e in sessions.tick(20.0)] == ["short"]
    assert [e.agent for e in sessions.tick(40.0)] == ["default"]
    assert sessions.tick(1e9) == []
    assert sessions.state("unlimited") is S.WRAP_UP


def test_a_disposition_beats_an_expiry_tick_has_not_seen() -> None:
    rec = Recorded(max_wrap_up=10.0)
    put_in(rec.sessions, "a", S.WRAP_UP, 0.0)
    rec.sessions.disposed("a", "call-a", 12.0, then_pause="break")
    assert rec.sessions.tick(20.0) == []
    assert rec.log[-1].reason is Reason.DISPOSED and rec.sessions.state("a") is S.PAUSED


def test_ready_agents_are_ordered_longest_idle_first() -> None:
    sessions = AgentSessions()
    put_in(sessions, "b", S.READY, 30.0)
    put_in(sessions, "a", S.READY, 10.0)
    put_in(sessions, "c", S.READY, 20.0)
    put_in(sessions, "paused", S.PAUSED, 0.0)
    assert sessions.ready_agents() == ["a", "c", "b"]
    sessions.connected("a", "x", 40.0)
    sessions.customer_left("a", 50.0)
    sessions.disposed("a", "x", 60.0)
    sessions.pause("c", "break", 61.0)
    sessions.go_ready("c", 62.0)
    assert sessions.ready_agents() == ["b", "a", "c"]
    assert [sessions.is_ready(agent) for agent in ("a", "paused", "nobody")] == [True, False, False]


def test_ready_ties_are_broken_by_name() -> None:
    sessions = AgentSessions()
    for agent in ("z", "m", "a"):
        put_in(sessions, agent, S.READY, 5.0)
    assert sessions.ready_agents() == ["a", "m", "z"]


def test_time_in_state_needs_a_logged_in_agent() -> None:
    sessions = AgentSessions()
    put_in(sessions, "a", S.PAUSED, 3.0)
    assert sessions.time_in_state("a", 10.5) == 7.5
    with pytest.raises(SessionError, match="^ghost is not logged in: log in first$"):
        sessions.time_in_state("ghost", 10.0)
    assert sessions.state("ghost") is S.LOGGED_OUT


def test_snapshot_rows_and_their_pacer_view() -> None:
    sessions = AgentSessions()
    put_in(sessions, "b", S.ON_CALL, 10.0)
    put_in(sessions, "a", S.READY, 4.0)
    put_in(sessions, "c", S.READY, 0.0)
    sessions.pause("c", "training", 6.0)
    put_in(sessions, "gone", S.READY, 0.0)
    sessions.logout("gone", 1.0)
    rows = sessions.snapshot(12.0)
    assert rows == [
        AgentRow("a", S.READY, 4.0, 8.0, None, None),
        AgentRow("b", S.ON_CALL, 10.0, 2.0, "call-b", None),
        AgentRow("c", S.PAUSED, 6.0, 6.0, None, "training"),
    ]
    pairs = pacer_agents(rows)
    assert pairs == [
        (PacerAgentState.READY, 8.0),
        (PacerAgentState.ON_CALL, 2.0),
        (PacerAgentState.PAUSED, 6.0),
    ]
    state = PacerState.from_agents(12.0, pairs)
    assert (state.ready, state.active) == (1, 2)
