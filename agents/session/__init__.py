"""The agent session state machine: LOGGED_OUT -> PAUSED <-> READY -> ON_CALL -> WRAP_UP.

`AgentSessions` owns every agent's state; `occupancy` turns its transition log into reports.
Times are floats of seconds on the caller's clock, as in `pacing`.
"""

from agents.session.errors import IllegalTransition, SessionError, UnknownPauseCode
from agents.session.occupancy import StateTimes, occupancy
from agents.session.rows import AgentRow, pacer_agents
from agents.session.sessions import DEFAULT_MAX_WRAP_UP, DEFAULT_PAUSE_CODES, AgentSessions
from agents.session.states import (
    LEGAL_TRANSITIONS,
    AgentState,
    Reason,
    Transition,
    WrapUpExpired,
)

__all__ = [
    "DEFAULT_MAX_WRAP_UP",
    "DEFAULT_PAUSE_CODES",
    "LEGAL_TRANSITIONS",
    "AgentRow",
    "AgentSessions",
    "AgentState",
    "IllegalTransition",
    "Reason",
    "SessionError",
    "StateTimes",
    "Transition",
    "UnknownPauseCode",
    "WrapUpExpired",
    "occupancy",
    "pacer_agents",
]
