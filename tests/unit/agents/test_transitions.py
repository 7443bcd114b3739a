"""Every legal transition happens and is logged; every illegal one is refused and changes nothing."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest

from agents.session import (
    LEGAL_TRANSITIONS,
    AgentSessions,
    AgentState,
    IllegalTransition,
    Reason,
    SessionError,
    UnknownPauseCode,
)

from .conftest import AGENT, Recorded, put_in

S = AgentState
ATTEMPT = f"call-{AGENT}"

Event = Callable[[AgentSessions, float], None]
EVENTS: dict[str, Event] = {
    "login": lambda s, t: s.login(AGENT, t),
    "go_ready": lambda s, t: s.go_ready(AGENT, t),
    "pause": lambda s, t: s.pause(AGENT, "lunch", t),
    "connected": lambda s, t: s.connected(AGENT, "call-new", t),
    "customer_left": lambda s, t: s.customer_left(AGENT, t),
    "disposed": lambda s, t: s.disposed(AGENT, ATTEMPT, t),
    "disposed_then_pause": lambda s, t: s.disposed(AGENT, ATTEMPT, t, then_pause="break"),
    "logout": lambda s, t: s.logout(AGENT, t),
}

# (from state, event) -> (to state, reason, attempt on the transition, pause code on it)
LEGAL: dict[tuple[AgentState, str], tuple[AgentState, Reason, str | None, str | None]] = {
    (S.LOGGED_OUT, "login"): (S.PAUSED, Reason.LOGIN, None, None),
    (S.PAUSED, "go_ready"): (S.READY, Reason.READY, None, None),
    (S.PAUSED, "pause"): (S.PAUSED, Reason.PAUSE, None, "lunch"),
    (S.READY, "pause"): (S.PAUSED, Reason.PAUSE, None, "lunch"),
    (S.READY, "connected"): (S.ON_CALL, Reason.CONNECTED, "call-new", None),
    (S.ON_CALL, "customer_left"): (S.WRAP_UP, Reason.CUSTOMER_LEFT, ATTEMPT, None),
    (S.WRAP_UP, "disposed"): (S.READY, Reason.DISPOSED, ATTEMPT, None),
    (S.WRAP_UP, "disposed_then_pause"): (S.PAUSED, Reason.DISPOSED, ATTEMPT, "break"),
    (S.PAUSED, "logout"): (S.LOGGED_OUT, Reason.LOGOUT, None, None),
    (S.READY, "logout"): (S.LOGGED_OUT, Reason.LOGOUT, None, None),
    (S.ON_CALL, "logout"): (S.LOGGED_OUT, Reason.LOGOUT_UNDISPOSED, ATTEMPT, None),
    (S.WRAP_UP, "logout"): (S.LOGGED_OUT, Reason.LOGOUT_UNDISPOSED, ATTEMPT, None),
}
ILLEGAL = [(state, event) for state in S for event in EVENTS if (state, event) not in LEGAL]


def test_the_table_covers_every_legal_pair() -> None:
    assert {(state, to) for (state, _), (to, *_rest) in LEGAL.items()} == LEGAL_TRANSITIONS


@pytest.mark.parametrize(("state", "event"), list(LEGAL), ids=lambda v: str(v))
def test_legal_event_moves_and_logs_one_transition(state: AgentState, event: str) -> None:
    rec = Recorded()
    put_in(rec.sessions, AGENT, state, 10.0)
    rec.log.clear()
    EVENTS[event](rec.sessions, 25.0)
    to, reason, attempt, code = LEGAL[(state, event)]
    assert rec.sessions.state(AGENT) is to
    [transition] = rec.log
    assert (transition.agent, transition.from_state, transition.to_state) == (AGENT, state, to)
    assert (transition.at, transition.reason) == (25.0, reason)
    assert (transition.attempt_id, transition.pause_code) == (attempt, code)


@pytest.mark.parametrize(("state", "event"), ILLEGAL, ids=lambda v: str(v))
def test_illegal_event_raises_and_changes_nothing(state: AgentState, event: str) -> None:
    rec = Recorded()
    put_in(rec.sessions, AGENT, state, 10.0)
    before, logged = rec.sessions.snapshot(30.0), len(rec.log)
    with pytest.raises(IllegalTransition) as refused:
        EVENTS[event](rec.sessions, 20.0)
    message = str(refused.value)
    assert message.startswith(f"{AGENT} is {state.name}: cannot ") and "\n" not in message
    assert rec.sessions.snapshot(30.0) == before and len(rec.log) == logged


@pytest.mark.parametrize(
    ("state", "event", "message"),
    [
        (S.ON_CALL, "go_ready", "agent1001 is ON_CALL: cannot go READY before the call ends"),
        (S.WRAP_UP, "pause", "agent1001 is WRAP_UP: cannot pause before submitting a disposition"),
        (S.READY, "go_ready", "agent1001 is READY: cannot go READY (already READY)"),
        (S.PAUSED, "login", "agent1001 is PAUSED: cannot log in (log out first)"),
        (S.LOGGED_OUT, "logout", "agent1001 is LOGGED_OUT: cannot log out (already LOGGED_OUT)"),
        (S.LOGGED_OUT, "go_ready", "agent1001 is LOGGED_OUT: cannot go READY before logging in"),
        (
            S.READY,
            "disposed",
            "agent1001 is READY: cannot submit a disposition while READY (no call in progress)",
        ),
    ],
)
def test_refusals_say_why(state: AgentState, event: str, message: str) -> None:
    sessions = AgentSessions()
    put_in(sessions, AGENT, state, 0.0)
    with pytest.raises(IllegalTransition, match=f"^{re.escape(message)}$"):
        EVENTS[event](sessions, 1.0)


def test_login_ready_passes_through_paused_at_the_same_instant(recorded: Recorded) -> None:
    recorded.sessions.login(AGENT, 5.0, ready=True)
    assert [(t.from_state, t.to_state, t.at) for t in recorded.log] == [
        (S.LOGGED_OUT, S.PAUSED, 5.0),
        (S.PAUSED, S.READY, 5.0),
    ]
    assert recorded.sessions.is_ready(AGENT)


def test_unknown_pause_codes_are_refused_with_the_known_ones(recorded: Recorded) -> None:
    put_in(recorded.sessions, AGENT, S.READY, 0.0)
    with pytest.raises(
        UnknownPauseCode, match="^unknown pause code 'nap': use one of break, lunch"
    ):
        recorded.sessions.pause(AGENT, "nap", 1.0)
    assert recorded.sessions.state(AGENT) is S.READY


def test_disposed_then_pause_checks_the_code_before_moving(recorded: Recorded) -> None:
    put_in(recorded.sessions, AGENT, S.WRAP_UP, 0.0)
    with pytest.raises(UnknownPauseCode):
        recorded.sessions.disposed(AGENT, ATTEMPT, 1.0, then_pause="nap")
    assert recorded.sessions.state(AGENT) is S.WRAP_UP


def test_configured_pause_codes_replace_the_defaults() -> None:
    sessions = AgentSessions(pause_codes={"coaching"})
    put_in(sessions, AGENT, S.READY, 0.0)
    with pytest.raises(UnknownPauseCode):
        sessions.pause(AGENT, "lunch", 1.0)
    sessions.pause(AGENT, "coaching", 1.0)
    assert sessions.snapshot(2.0)[0].pause_code == "coaching"


def test_disposing_another_attempt_is_refused(recorded: Recorded) -> None:
    put_in(recorded.sessions, AGENT, S.WRAP_UP, 0.0)
    with pytest.raises(
        IllegalTransition, match=f"wrapping up attempt {ATTEMPT}: cannot dispose attempt other"
    ):
        recorded.sessions.disposed(AGENT, "other", 1.0)
    assert recorded.sessions.state(AGENT) is S.WRAP_UP


def test_an_event_dated_before_the_current_state_is_refused(recorded: Recorded) -> None:
    put_in(recorded.sessions, AGENT, S.PAUSED, 10.0)
    with pytest.raises(SessionError, match="one clock"):
        recorded.sessions.go_ready(AGENT, 9.0)
    assert recorded.sessions.state(AGENT) is S.PAUSED


def test_logging_out_mid_call_keeps_the_attempt_on_record_and_forgets_the_session(
    recorded: Recorded,
) -> None:
    put_in(recorded.sessions, AGENT, S.ON_CALL, 0.0)
    recorded.sessions.logout(AGENT, 3.0)
    assert recorded.log[-1].reason is Reason.LOGOUT_UNDISPOSED
    assert recorded.log[-1].attempt_id == ATTEMPT
    assert recorded.sessions.snapshot(4.0) == []
    recorded.sessions.login(AGENT, 5.0)
    assert recorded.sessions.snapshot(6.0)[0].attempt_id is None


def test_bad_configuration_is_refused() -> None:
    with pytest.raises(ValueError, match="at least one pause code"):
        AgentSessions(pause_codes=())
    with pytest.raises(ValueError, match="seconds >= 0"):
        AgentSessions(max_wrap_up=-1.0)
    sessions = AgentSessions()
    put_in(sessions, AGENT, S.READY, 0.0)
    with pytest.raises(ValueError, match="seconds >= 0"):
        sessions.connected(AGENT, "x", 1.0, max_wrap_up=float("nan"))
    assert sessions.is_ready(AGENT)
