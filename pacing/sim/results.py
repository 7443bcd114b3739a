"""What a simulation run measured: totals, KPIs and per-bucket series for plots."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np


@dataclass
class SimResult:
    """Totals over the run's dialling windows, and per-bucket series.

    ``busy`` is agent-seconds talking or wrapping up, ``available`` is agent-seconds logged in
    and not on a break, both counted only inside the dialling days. ``day_live`` and
    ``day_abandons`` are per-day counts for the rolling legal window.
    """

    policy: str
    agents: int
    days: int
    seed: int
    dials: int
    live: int
    abandons: int
    busy: float
    available: float
    bucket: float
    series_busy: np.ndarray
    series_available: np.ndarray
    series_live: np.ndarray
    series_abandons: np.ndarray
    day_live: np.ndarray
    day_abandons: np.ndarray

    @property
    def occupancy(self) -> float:
        """(talk + wrap) / logged-in time."""
        return self.busy / self.available if self.available else 0.0

    @property
    def abandon_rate(self) -> float:
        """Abandons / live answers over the whole run."""
        return self.abandons / self.live if self.live else 0.0

    @property
    def contacts(self) -> int:
        """Live answers that reached an agent."""
        return self.live - self.abandons

    @property
    def contacts_per_agent_hour(self) -> float:
        """Contacts per logged-in agent-hour."""
        return self.contacts / (self.available / 3600.0) if self.available else 0.0

    def window_rates(self, window_days: int = 30) -> np.ndarray:
        """The legal rolling abandon rate as it stood at the end of each day."""
        live = np.convolve(self.day_live, np.ones(window_days))[: self.days]
        abandons = np.convolve(self.day_abandons, np.ones(window_days))[: self.days]
        return np.divide(abandons, live, out=np.zeros_like(abandons, dtype=float), where=live > 0)

    def kpis(self) -> dict[str, Any]:
        """The headline numbers as plain JSON-ready values."""
        return {
            "policy": self.policy,
            "agents": self.agents,
            "days": self.days,
            "seed": self.seed,
            "occupancy": round(self.occupancy, 4),
            "abandon_rate": round(self.abandon_rate, 4),
            "contacts_per_agent_hour": round(self.contacts_per_agent_hour, 3),
            "dials": self.dials,
            "live_answers": self.live,
            "abandons": self.abandons,
            "contacts": self.contacts,
            "max_30_day_abandon_rate": round(float(self.window_rates().max(initial=0.0)), 4),
        }

    def series(self) -> dict[str, list[float]]:
        """Per-bucket occupancy and abandon rate, the running abandon rate, and bucket start hours."""
        occupancy = np.divide(
            self.series_busy,
            self.series_available,
            out=np.zeros_like(self.series_busy),
            where=self.series_available > 0,
        )
        rate = np.divide(
            self.series_abandons,
            self.series_live,
            out=np.zeros_like(self.series_abandons, dtype=float),
            where=self.series_live > 0,
        )
        live, abandons = np.cumsum(self.series_live), np.cumsum(self.series_abandons)
        running = np.divide(abandons, live, out=np.zeros_like(abandons), where=live > 0)
        hours = np.arange(occupancy.size) * self.bucket / 3600.0
        return {
            "hours": hours.tolist(),
            "occupancy": occupancy.tolist(),
            "abandon_rate": rate.tolist(),
            "running_abandon_rate": running.tolist(),
        }
