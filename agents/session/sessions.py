"""The single owner of every agent's session state.

Phone (DTMF) flows, the web console and the engine's call controller all drive agents through
one `AgentSessions`. Every change is handed, as a `Transition`, to the injected `on_transition`
listener (the engine persists them for occupancy reports) after the state has changed; the
listener should not raise.

Agents are named by their SIP endpoint (e.g. ``agent1001``), the name the call controller's
``willing(endpoint)`` predicate is asked about. Times are floats of seconds on one caller's
clock; an event dated before the agent's current state began is refused. Not thread-safe: it is
driven from one asyncio loop.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from agents.session.errors import IllegalTransition, SessionError, UnknownPauseCode
from agents.session.rows import AgentRow
from agents.session.states import AgentState, Reason, Transition, WrapUpExpired

DEFAULT_PAUSE_CODES = frozenset({"break", "lunch", "training", "meeting"})
DEFAULT_MAX_WRAP_UP = 60.0
"""Seconds an agent may spend in wrap-up before going READY with an automatic disposition."""

_S = AgentState


def _ignore(_: Transition) -> None:
    """The listener used when nobody persists transitions."""


@dataclass(slots=True)
class _Session:
    state: AgentState
    since: float
    attempt_id: str | None = None
    pause_code: str | None = None
    max_wrap_up: float = math.inf


class AgentSessions:
    """Session state of all agents, changed only through its event methods.

    ``pause_codes`` is the configured set of pause reasons; ``max_wrap_up`` the default wrap-up
    limit in seconds (``math.inf`` for none), overridable per call in `connected` because it is
    the campaign's.
    """

    def __init__(
        self,
        *,
        on_transition: Callable[[Transition], None] = _ignore,
        pause_codes: Iterable[str] = DEFAULT_PAUSE_CODES,
        max_wrap_up: float = DEFAULT_MAX_WRAP_UP,
    ) -> None:
        self._pause_codes = frozenset(pause_codes)
        if not self._pause_codes:
            raise ValueError("pause_codes is empty: configure at least one pause code")
        self._max_wrap_up = _wrap_limit(max_wrap_up)
        self._on_transition = on_transition
        self._sessions: dict[str, _Session] = {}

    # -- events -----------------------------------------------------------------------------

    def login(self, agent: str, now: float, ready: bool = False) -> None:
        """Log ``agent`` in, PAUSED (no pause code), or straight on to READY if ``ready``."""
        if agent in self._sessions:
            state = self._sessions[agent].state
            raise IllegalTransition.refuse(agent, state, "log in", why="(log out first)")
        session = _Session(_S.LOGGED_OUT, now)
        self._sessions[agent] = session
        self._move(agent, session, _S.PAUSED, now, Reason.LOGIN)
        if ready:
            self._move(agent, session, _S.READY, now, Reason.READY)

    def go_ready(self, agent: str, now: float) -> None:
        """PAUSED -> READY: the agent takes calls again."""
        session = self._require(agent, now, "go READY", _S.READY, {_S.PAUSED})
        self._move(agent, session, _S.READY, now, Reason.READY)

    def pause(self, agent: str, code: str, now: float) -> None:
        """READY -> PAUSED with a configured pause ``code``; while PAUSED, changes the code."""
        self._check_code(code)
        session = self._require(agent, now, "pause", _S.PAUSED, {_S.READY, _S.PAUSED})
        self._move(agent, session, _S.PAUSED, now, Reason.PAUSE, pause_code=code)

    def connected(
        self, agent: str, attempt_id: str, now: float, *, max_wrap_up: float | None = None
    ) -> None:
        """READY -> ON_CALL: a customer was bridged to the agent.

        ``max_wrap_up`` is the call's campaign's wrap-up limit (default: the sessions' own).
        """
        limit = self._max_wrap_up if max_wrap_up is None else _wrap_limit(max_wrap_up)
        session = self._require(agent, now, "take a call", _S.ON_CALL, {_S.READY})
        session.max_wrap_up = limit
        self._move(agent, session, _S.ON_CALL, now, Reason.CONNECTED, attempt_id=attempt_id)

    def customer_left(self, agent: str, now: float) -> None:
        """ON_CALL -> WRAP_UP: the customer hung up or was transferred away."""
        session = self._require(agent, now, "end a call", _S.WRAP_UP, {_S.ON_CALL})
        self._move(
            agent, session, _S.WRAP_UP, now, Reason.CUSTOMER_LEFT, attempt_id=session.attempt_id
        )

    def disposed(
        self, agent: str, attempt_id: str, now: float, then_pause: str | None = None
    ) -> None:
        """WRAP_UP -> READY, or PAUSED with code ``then_pause``: the disposition was submitted.

        A disposition that arrives after the limit passed but before `tick` noticed still counts.
        """
        if then_pause is not None:
            self._check_code(then_pause)
        session = self._require(agent, now, "submit a disposition", None, {_S.WRAP_UP})
        if attempt_id != session.attempt_id:
            raise IllegalTransition(
                f"{agent} is wrapping up attempt {session.attempt_id}: "
                f"cannot dispose attempt {attempt_id}"
            )
        target = _S.READY if then_pause is None else _S.PAUSED
        self._move(
            agent,
            session,
            target,
            now,
            Reason.DISPOSED,
            attempt_id=attempt_id,
            pause_code=then_pause,
        )

    def logout(self, agent: str, now: float) -> None:
        """Any state -> LOGGED_OUT (logout, or the phone hung up).

        On a call or in wrap-up, the transition's reason is LOGOUT_UNDISPOSED and it carries the
        attempt, so the disposition still owed is on record.
        """
        logged_in = {_S.PAUSED, _S.READY, _S.ON_CALL, _S.WRAP_UP}
        session = self._require(agent, now, "log out", _S.LOGGED_OUT, logged_in)
        owed = session.state in (_S.ON_CALL, _S.WRAP_UP)
        reason = Reason.LOGOUT_UNDISPOSED if owed else Reason.LOGOUT
        # Forgotten before the listener hears of it, so it never sees a logged-out row.
        del self._sessions[agent]
        self._move(
            agent,
            session,
            _S.LOGGED_OUT,
            now,
            reason,
            attempt_id=session.attempt_id if owed else None,
        )

    def tick(self, now: float) -> list[WrapUpExpired]:
        """Move every agent whose wrap-up limit has passed by ``now`` on to READY.

        The transition is dated when the limit expired, not when the tick noticed, so occupancy
        does not depend on the tick rate. Returned in order of expiry.
        """
        due = sorted(
            (session.since + session.max_wrap_up, agent)
            for agent, session in self._sessions.items()
            if session.state is _S.WRAP_UP and session.since + session.max_wrap_up <= now
        )
        expired = []
        for deadline, agent in due:
            session = self._sessions[agent]
            attempt_id = session.attempt_id
            assert attempt_id is not None  # WRAP_UP is only entered from a call
            self._move(
                agent, session, _S.READY, deadline, Reason.WRAP_UP_EXPIRED, attempt_id=attempt_id
            )
            expired.append(WrapUpExpired(agent, attempt_id, deadline))
        return expired

    # -- queries ----------------------------------------------------------------------------

    def state(self, agent: str) -> AgentState:
        """The agent's state; LOGGED_OUT for agents never seen."""
        session = self._sessions.get(agent)
        return _S.LOGGED_OUT if session is None else session.state

    def is_ready(self, agent: str) -> bool:
        """Whether the agent may be given a call now (the call controller's ``willing``)."""
        return self.state(agent) is _S.READY

    def ready_agents(self) -> list[str]:
        """READY agents, longest-idle (earliest READY) first; ties by name."""
        ready = ((s.since, agent) for agent, s in self._sessions.items() if s.state is _S.READY)
        return [agent for _, agent in sorted(ready)]

    def time_in_state(self, agent: str, now: float) -> float:
        """Seconds the logged-in ``agent`` has been in their current state at ``now``."""
        session = self._sessions.get(agent)
        if session is None:
            raise SessionError(f"{agent} is not logged in: log in first")
        return max(0.0, now - session.since)

    def snapshot(self, now: float) -> list[AgentRow]:
        """One row per logged-in agent, by name, for dashboards and the pacer."""
        return [
            AgentRow(agent, s.state, s.since, max(0.0, now - s.since), s.attempt_id, s.pause_code)
            for agent, s in sorted(self._sessions.items())
        ]

    # -- internals --------------------------------------------------------------------------

    def _require(
        self,
        agent: str,
        now: float,
        action: str,
        leads_to: AgentState | None,
        allowed: set[AgentState],
    ) -> _Session:
        session = self._sessions.get(agent)
        state = _S.LOGGED_OUT if session is None else session.state
        if session is None or state not in allowed:
            raise IllegalTransition.refuse(agent, state, action, leads_to)
        if now < session.since:
            raise SessionError(
                f"{agent}: event at {now} predates their {state.name} since {session.since}: "
                "pass every time from one clock"
            )
        return session

    def _check_code(self, code: str) -> None:
        if code not in self._pause_codes:
            raise UnknownPauseCode.refuse(code, self._pause_codes)

    def _move(
        self,
        agent: str,
        session: _Session,
        to_state: AgentState,
        at: float,
        reason: Reason,
        *,
        attempt_id: str | None = None,
        pause_code: str | None = None,
    ) -> None:
        transition = Transition(agent, session.state, to_state, at, reason, attempt_id, pause_code)
        session.state = to_state
        session.since = at
        # Only a call's own states keep the attempt; only PAUSED keeps a pause code.
        session.attempt_id = attempt_id if to_state in (_S.ON_CALL, _S.WRAP_UP) else None
        session.pause_code = pause_code if to_state is _S.PAUSED else None
        self._on_transition(transition)


def _wrap_limit(seconds: float) -> float:
    if not seconds >= 0:
        raise ValueError(f"max_wrap_up is {seconds}: give seconds >= 0 (math.inf for no limit)")
    return seconds
