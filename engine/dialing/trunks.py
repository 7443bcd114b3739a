"""Per-trunk origination limits: concurrent channels and calls per second (CPS).

A carrier rejects or flags calls beyond a trunk's channel count or its CPS limit, so the
origination path asks a limiter before every dial and the pacer receives ``available()`` as its
hard cap.

The CPS limit is a sliding one-second window, not a token bucket: a bucket of capacity C refilled
at r/s admits C + r calls in some one-second window (spend the full bucket, then the refill), up
to twice the carrier's limit, while a bucket of capacity 1 would let a pacer that ticks once a
second start one call per tick. The window admits a burst of up to ``floor(max_cps)`` calls and
never more than that in any one second. A fractional limit above 1 rounds down (2.5 -> 2 per
second) because a second holds whole calls; a limit below 1 allows one call per ``1/max_cps``
seconds.

Time comes from an injected clock (``time.monotonic`` by default): no sleeps, no asyncio.
"""

from __future__ import annotations

import math
import time
from collections import deque
from collections.abc import Callable, Sequence


class TrunkLimiter:
    """The channel and CPS budget of one trunk."""

    def __init__(
        self,
        name: str,
        max_channels: int,
        max_cps: float,
        *,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        """A limiter for trunk ``name``: at most ``max_channels`` calls up, ``max_cps`` starts/s."""
        if not name:
            raise ValueError("trunk name is empty; use the trunk's PJSIP endpoint name")
        if max_channels < 1:
            raise ValueError(f"trunk {name}: max_channels must be at least 1, got {max_channels}")
        if not (math.isfinite(max_cps) and max_cps > 0):
            raise ValueError(f"trunk {name}: max_cps must be a positive number, got {max_cps}")
        self.name = name
        self.max_channels = max_channels
        self.max_cps = max_cps
        self._clock = clock
        self._burst = max(1, math.floor(max_cps))
        self._window = max(1.0, 1.0 / max_cps)
        self._starts: deque[float] = deque()
        self._in_use = 0

    @property
    def in_use(self) -> int:
        """Channels taken by calls that have started and not been released."""
        return self._in_use

    @property
    def free_channels(self) -> int:
        """Channels not in use (ignoring the CPS limit)."""
        return self.max_channels - self._in_use

    def available(self) -> int:
        """How many calls could start right now: free channels capped by the CPS window."""
        return min(self.free_channels, self._free_starts(self._clock()))

    def try_acquire(self) -> bool:
        """Take a channel and a CPS slot for one call; False (and nothing taken) if either is out."""
        now = self._clock()
        if self.free_channels == 0 or self._free_starts(now) == 0:
            return False
        self._starts.append(now)
        self._in_use += 1
        return True

    def release(self) -> None:
        """Give back the channel of a call that ended (the CPS slot expires with time)."""
        if self._in_use == 0:
            raise ValueError(
                f"trunk {self.name}: release() with no call up; release once per acquired call"
            )
        self._in_use -= 1

    def _free_starts(self, now: float) -> int:
        while self._starts and now - self._starts[0] >= self._window:
            self._starts.popleft()
        return self._burst - len(self._starts)


class TrunkPool:
    """Several trunks behind one acquire/release, spreading calls by free channels."""

    def __init__(self, limiters: Sequence[TrunkLimiter]) -> None:
        """A pool of ``limiters``, each with a distinct name; their order breaks ties."""
        if not limiters:
            raise ValueError("trunk pool is empty; configure at least one trunk")
        self._limiters: dict[str, TrunkLimiter] = {}
        for limiter in limiters:
            if limiter.name in self._limiters:
                raise ValueError(f"trunk {limiter.name} is listed twice; give each trunk one entry")
            self._limiters[limiter.name] = limiter

    def acquire(self) -> str | None:
        """Start a call on the trunk with the most free channels that has a CPS slot.

        Returns the trunk's name, or None when no trunk can take a call now.
        """
        # sorted() is stable, so equal trunks keep the order they were given in.
        by_free = sorted(self._limiters.values(), key=lambda limiter: -limiter.free_channels)
        for limiter in by_free:
            if limiter.try_acquire():
                return limiter.name
        return None

    def release(self, name: str) -> None:
        """Give back the channel of a call that ended on trunk ``name``."""
        limiter = self._limiters.get(name)
        if limiter is None:
            known = ", ".join(self._limiters)
            raise ValueError(f"unknown trunk {name!r}; the pool has: {known}")
        limiter.release()

    def available(self) -> int:
        """How many calls could start right now across all trunks."""
        return sum(limiter.available() for limiter in self._limiters.values())
