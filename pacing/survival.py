"""Kaplan-Meier survival on a fixed time grid, with priors and exponential forgetting.

Observations land in grid bins, so adding one is O(1) and the curve is rebuilt only when asked.
Forgetting uses a growing weight (each new observation weighs ``2 ** (1 / half_life)`` times the
previous one) instead of decaying every stored count, which keeps ``add`` constant-time.
"""

from __future__ import annotations

import math

import numpy as np

_RESCALE_AT = 1e100


class GridSurvival:
    """S(t) = P(T > t) on the grid ``0, dt, 2 dt, ...``, estimated by Kaplan-Meier.

    ``prior`` is a survival curve on the same grid (``S[0] == 1``) worth ``prior_weight``
    observations; it keeps early estimates sane and is forgotten like any other data.
    Where fewer than ``thin`` of all observations remain at risk the curve is held flat, as
    Kaplan-Meier is past its last observation: otherwise a few prior pseudo-observations beyond
    a censoring point (the ring-out timeout) would alone decide the tail.
    """

    def __init__(
        self,
        dt: float,
        t_max: float,
        prior: np.ndarray,
        prior_weight: float = 20.0,
        half_life: float = 2000.0,
        thin: float = 0.01,
    ) -> None:
        self.dt = dt
        self.thin = thin
        self.bins = math.ceil(t_max / dt)
        self.events = np.zeros(self.bins + 1)
        self.censored = np.zeros(self.bins + 1)
        self._growth = 2.0 ** (1.0 / half_life)
        self._weight = 1.0
        self.observations = 0
        self._curve: np.ndarray | None = None
        prior = np.asarray(prior, dtype=np.float64)
        if prior.shape != (self.bins + 1,):
            raise ValueError(f"prior must have {self.bins + 1} points on this grid")
        # Mass left at the end of the prior means "still going at t_max": censor it there.
        self.events[:-1] += prior_weight * -np.diff(prior)
        self.censored[-1] += prior_weight * prior[-1]

    def add(self, duration: float, event: bool = True) -> None:
        """Record one duration; ``event=False`` means it was cut short (censored) at ``duration``."""
        index = min(int(max(duration, 0.0) / self.dt), self.bins)
        (self.events if event else self.censored)[index] += self._weight
        self._weight *= self._growth
        self.observations += 1
        self._curve = None
        if self._weight > _RESCALE_AT:
            self.events /= self._weight
            self.censored /= self._weight
            self._weight = 1.0

    def survival(self) -> np.ndarray:
        """S at the grid points ``k * dt`` for ``k = 0 .. bins + 1``; S[0] = 1."""
        if self._curve is None:
            at_risk = np.cumsum((self.events + self.censored)[::-1])[::-1]
            enough = at_risk > self.thin * at_risk[0]
            hazard = np.divide(self.events, at_risk, out=np.zeros_like(at_risk), where=enough)
            self._curve = np.concatenate(([1.0], np.cumprod(1.0 - hazard)))
        return self._curve


def lognormal_survival(mean: float, sd: float, dt: float, t_max: float) -> np.ndarray:
    """A lognormal survival curve on a grid: the usual prior for durations."""
    sigma2 = math.log(1.0 + (sd / mean) ** 2)
    mu = math.log(mean) - sigma2 / 2.0
    grid = np.arange(math.ceil(t_max / dt) + 1) * dt
    with np.errstate(divide="ignore"):
        z = (np.log(grid) - mu) / math.sqrt(2.0 * sigma2)
    return 0.5 * _erfc(z)


def _erfc(x: np.ndarray) -> np.ndarray:
    # numpy has no erfc; math.erfc per element is fine for grids of a few thousand points.
    return np.array([math.erfc(v) for v in x.tolist()])
