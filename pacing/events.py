"""What the pacer is told: outcome events, and the snapshot it decides from.

Every time is a float of seconds on the caller's clock (epoch seconds in the engine, simulated
seconds in the simulator). The pacer never reads a clock of its own.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from enum import IntEnum, StrEnum

import numpy as np


class CallOutcome(StrEnum):
    """How a dialled call resolved."""

    HUMAN = "human"
    MACHINE = "machine"
    NO_ANSWER = "no_answer"
    BUSY = "busy"
    CONGESTION = "congestion"
    FAILED = "failed"


ANSWERED = frozenset({CallOutcome.HUMAN, CallOutcome.MACHINE})
FAST_FAILURES = frozenset({CallOutcome.BUSY, CallOutcome.CONGESTION, CallOutcome.FAILED})


class AgentState(IntEnum):
    """An agent's state as the pacer sees it (logged-out agents are simply absent)."""

    READY = 0
    ON_CALL = 1
    WRAP_UP = 2
    PAUSED = 3


# Plain ints for array comparisons in hot paths (IntEnum attribute access is slow).
READY, ON_CALL, WRAP_UP, PAUSED = (int(s) for s in AgentState)


@dataclass(frozen=True, slots=True)
class DialOutcome:
    """A dialled call resolved: answered (human or machine), rang out, or failed.

    ``ring_time`` is seconds from dial to that resolution (to the answer for HUMAN and MACHINE).
    ``list_id`` and ``hour`` key the answer-rate estimate; leave them empty if unknown.
    """

    at: float
    ring_time: float
    outcome: CallOutcome
    list_id: str = ""
    hour: int | None = None


@dataclass(frozen=True, slots=True)
class Abandon:
    """A live answer found no agent within the deadline and got the safe-harbor message."""

    at: float
    waited: float = 0.0


@dataclass(frozen=True, slots=True)
class CallHandled:
    """An agent finished a call: ``talk`` seconds connected, then ``wrap`` seconds of wrap-up."""

    at: float
    talk: float
    wrap: float


PacerEvent = DialOutcome | Abandon | CallHandled


def _floats(values: Sequence[float] | np.ndarray) -> np.ndarray:
    return np.asarray(values, dtype=np.float64).reshape(-1)


@dataclass(slots=True)
class PacerState:
    """Everything ``decide`` needs at one instant.

    ``agent_states`` and ``agent_elapsed`` are parallel arrays over logged-in agents (codes from
    :class:`AgentState`, seconds in that state). ``calls_elapsed`` holds, for each call still
    ringing, seconds since it was dialled. ``waiting`` counts answered humans not yet bridged.

    Hard caps from the engine: ``lines_per_agent`` bounds calls in progress per non-paused agent,
    ``trunk_channels_free`` is what the trunks can still carry, ``cps_budget`` is how many calls
    the trunks' calls-per-second limits allow to start now (``None`` means no limit).

    ``ready`` (agents ready now) and ``active`` (not paused) are derived counts.

    ``finish_in`` is for simulators only: seconds until each agent is ready again (0 when
    ready). It lets a benchmark measure the bound of a pacer that knows the future; engines leave
    it ``None``.
    """

    now: float
    agent_states: np.ndarray
    agent_elapsed: np.ndarray
    calls_elapsed: np.ndarray = field(default_factory=lambda: np.zeros(0))
    waiting: int = 0
    lines_per_agent: float = 3.0
    trunk_channels_free: int | None = None
    cps_budget: int | None = None
    list_id: str = ""
    hour: int | None = None
    finish_in: np.ndarray | None = None
    ready: int = field(init=False, default=0)
    active: int = field(init=False, default=0)

    def __post_init__(self) -> None:
        self.agent_states = np.asarray(self.agent_states, dtype=np.int8).reshape(-1)
        self.agent_elapsed = _floats(self.agent_elapsed)
        self.calls_elapsed = _floats(self.calls_elapsed)
        if self.agent_states.shape != self.agent_elapsed.shape:
            raise ValueError("agent_states and agent_elapsed must have one entry per agent")
        if self.finish_in is not None:
            self.finish_in = _floats(self.finish_in)
            if self.finish_in.shape != self.agent_states.shape:
                raise ValueError("finish_in must have one entry per agent")
        # Counted once here, in one pass: decide() reads them several times per tick.
        try:
            counts = np.bincount(self.agent_states, minlength=PAUSED + 1)
        except ValueError:
            raise ValueError("agent_states must be AgentState codes (0 to 3)") from None
        self.ready = int(counts[READY])
        self.active = self.agent_states.size - int(counts[PAUSED])

    @classmethod
    def from_agents(
        cls,
        now: float,
        agents: Sequence[tuple[AgentState, float]],
        calls_elapsed: Sequence[float] = (),
        **caps: object,
    ) -> PacerState:
        """Build a state from ``(state, seconds in state)`` pairs, the engine's natural shape."""
        states = np.array([int(state) for state, _ in agents], dtype=np.int8)
        elapsed = np.array([seconds for _, seconds in agents], dtype=np.float64)
        return cls(now, states, elapsed, np.asarray(calls_elapsed, dtype=np.float64), **caps)  # type: ignore[arg-type]

    @property
    def in_flight(self) -> int:
        """Calls dialled and still ringing."""
        return int(self.calls_elapsed.size)
