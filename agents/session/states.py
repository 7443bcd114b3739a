"""The vocabulary of an agent session: states, the legal moves between them, and their log.

Times are floats of seconds on the caller's clock (the engine's, or a simulator's), exactly as
in `pacing`: nothing in this package reads a clock of its own.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class AgentState(StrEnum):
    """Where an agent is in their session."""

    LOGGED_OUT = "logged_out"
    PAUSED = "paused"
    READY = "ready"
    ON_CALL = "on_call"
    WRAP_UP = "wrap_up"


_S = AgentState

LEGAL_TRANSITIONS: frozenset[tuple[AgentState, AgentState]] = frozenset(
    {
        (_S.LOGGED_OUT, _S.PAUSED),
        (_S.PAUSED, _S.READY),
        (_S.READY, _S.PAUSED),
        # Changing pause code (break -> lunch) without passing through READY, where a call
        # could land on an agent who is walking away.
        (_S.PAUSED, _S.PAUSED),
        (_S.READY, _S.ON_CALL),
        (_S.ON_CALL, _S.WRAP_UP),
        (_S.WRAP_UP, _S.READY),
        (_S.WRAP_UP, _S.PAUSED),
    }
    | {(state, _S.LOGGED_OUT) for state in AgentState if state is not _S.LOGGED_OUT}
)
"""Every (from, to) pair the session machine can produce."""


class Reason(StrEnum):
    """Why a transition happened."""

    LOGIN = "login"
    READY = "ready"
    PAUSE = "pause"
    CONNECTED = "connected"
    CUSTOMER_LEFT = "customer_left"
    DISPOSED = "disposed"
    WRAP_UP_EXPIRED = "wrap_up_expired"
    """The wrap-up limit passed: the attempt needs an automatic disposition."""
    LOGOUT = "logout"
    LOGOUT_UNDISPOSED = "logout_undisposed"
    """Logged out on a call or in wrap-up: the attempt is still waiting for its disposition."""


@dataclass(frozen=True, slots=True)
class Transition:
    """One state change of one agent, as the engine persists it for occupancy reports.

    ``attempt_id`` names the call the change concerns (connecting, leaving, disposing, expiring,
    or logging out with it undisposed); ``pause_code`` is the reason for a move into PAUSED.
    """

    agent: str
    from_state: AgentState
    to_state: AgentState
    at: float
    reason: Reason
    attempt_id: str | None = None
    pause_code: str | None = None


@dataclass(frozen=True, slots=True)
class WrapUpExpired:
    """An agent's wrap-up ran past its limit at ``at``; they are READY again.

    The engine records an automatic disposition for ``attempt_id``.
    """

    agent: str
    attempt_id: str
    at: float
