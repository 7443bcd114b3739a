"""The legal abandon measure: abandons / live answers per campaign over a rolling window.

Counts are kept per day (day = floor(seconds / day_seconds) on the caller's clock), so the window
is "the last ``window_days`` days", or the campaign's life when that is shorter. The ledger
round-trips through a plain dict so the engine can persist it across restarts.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

DAY_SECONDS = 86400.0


@dataclass
class AbandonLedger:
    """Per-day abandon and live-answer counts for one campaign."""

    window_days: int = 30
    day_seconds: float = DAY_SECONDS
    days: dict[int, list[int]] = field(default_factory=dict)

    def _day(self, at: float) -> int:
        return math.floor(at / self.day_seconds)

    def _bucket(self, at: float) -> list[int]:
        day = self._day(at)
        bucket = self.days.get(day)
        if bucket is None:
            bucket = self.days[day] = [0, 0]
            oldest = day - self.window_days + 1
            for stale in [d for d in self.days if d < oldest]:
                del self.days[stale]
        return bucket

    def record_live(self, at: float) -> None:
        """A live human answered (whether or not an agent got them)."""
        self._bucket(at)[1] += 1

    def record_abandon(self, at: float) -> None:
        """A live answer was abandoned (its live answer is recorded separately)."""
        self._bucket(at)[0] += 1

    def totals(self, now: float) -> tuple[int, int]:
        """(abandons, live answers) in the window ending at ``now``."""
        oldest = self._day(now) - self.window_days + 1
        abandons = live = 0
        for day, (day_abandons, day_live) in self.days.items():
            if day >= oldest:
                abandons += day_abandons
                live += day_live
        return abandons, live

    def day_totals(self, now: float) -> tuple[int, int]:
        """(abandons, live answers) so far on the day containing ``now``."""
        abandons, live = self.days.get(self._day(now), (0, 0))
        return abandons, live

    def rate(self, now: float) -> float:
        """Abandon rate over the window (0 before any live answer)."""
        abandons, live = self.totals(now)
        return abandons / live if live else 0.0

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict; :meth:`from_dict` restores it exactly."""
        return {
            "window_days": self.window_days,
            "day_seconds": self.day_seconds,
            "days": {str(day): list(counts) for day, counts in sorted(self.days.items())},
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> AbandonLedger:
        """Rebuild a ledger saved with :meth:`to_dict`."""
        try:
            days = {
                int(day): [int(counts[0]), int(counts[1])] for day, counts in data["days"].items()
            }
            return cls(int(data["window_days"]), float(data["day_seconds"]), days)
        except (KeyError, TypeError, ValueError, IndexError) as exc:
            raise ValueError(
                f"not a saved abandon ledger ({exc}); save one with AbandonLedger.to_dict()"
            ) from exc
