"""Reconnect delays: exponential backoff with jitter, capped."""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class Backoff:
    """How long to wait before reconnect attempt ``n`` (0-based).

    The nominal delay doubles from ``initial`` up to ``cap``; jitter scales it by a random
    factor in [1 - jitter, 1] so that engines restarting together do not reconnect in step.
    """

    initial: float = 0.2
    cap: float = 5.0
    jitter: float = 0.5

    def __post_init__(self) -> None:
        if not 0 < self.initial <= self.cap:
            raise ValueError("Backoff needs 0 < initial <= cap")
        if not 0 <= self.jitter < 1:
            raise ValueError("Backoff jitter must be in [0, 1)")

    def delay(self, attempt: int, uniform: Callable[[], float] = random.random) -> float:
        """The delay in seconds before attempt ``attempt``; ``uniform`` returns [0, 1)."""
        nominal = min(self.cap, self.initial * 2 ** min(attempt, 32))
        return nominal * (1 - self.jitter * uniform())
