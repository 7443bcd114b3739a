"""Refusals of the session machine, each a one-line message a person can act on."""

from __future__ import annotations

from collections.abc import Iterable

from agents.session.states import AgentState


class SessionError(Exception):
    """An event the session machine refuses; ``str(error)`` is one line naming the fix."""


class IllegalTransition(SessionError):
    """The event does not apply to the agent's current state."""

    @classmethod
    def refuse(
        cls,
        agent: str,
        state: AgentState,
        action: str,
        leads_to: AgentState | None = None,
        why: str | None = None,
    ) -> IllegalTransition:
        """Build "agent1001 is ON_CALL: cannot go READY before the call ends".

        ``leads_to`` is the one state the event always leads to, if any (a repeated event says
        "already"); ``why`` overrides the reason derived from the state.
        """
        if why is None:
            why = f"(already {state.name})" if state is leads_to else _WHY[state]
        return cls(f"{agent} is {state.name}: cannot {action} {why}")


_WHY = {
    AgentState.LOGGED_OUT: "before logging in",
    AgentState.PAUSED: "while PAUSED",
    AgentState.READY: "while READY (no call in progress)",
    AgentState.ON_CALL: "before the call ends",
    AgentState.WRAP_UP: "before submitting a disposition",
}


class UnknownPauseCode(SessionError):
    """A pause code outside the configured set."""

    @classmethod
    def refuse(cls, code: str, known: Iterable[str]) -> UnknownPauseCode:
        """Build a message listing the codes that would have been accepted."""
        return cls(f"unknown pause code {code!r}: use one of {', '.join(sorted(known))}")
