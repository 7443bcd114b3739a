"""The predictive decision: the largest dial count whose projected abandon risk stays in margin.

Over a grid of horizons h, supply S(h) = ready agents + sum of P(agent i is ready within h + d)
(d = abandon deadline: a call answered at h can wait d seconds) and demand D(h) = waiting calls +
sum of P(ringing call j becomes a live answer within h) + n * q(h) for n new dials. Both are
Poisson-binomial sums; with their variances, dialling n is safe when, at every horizon,

    E[D(h)] - E[S(h)] + z * sqrt(Var D(h) + Var S(h)) <= 1/2.

The cumulative condition at every h is exactly what lets each answered call find an agent within
its deadline; ``z`` is the risk margin steered by :mod:`pacing.margin`. The 1/2 is the continuity
correction for integer counts (an abandon needs D - S >= 1). The normal approximation overstates
rare events, so a horizon whose expected demand is at most ``negligible`` also counts as safe: by
Markov's inequality it risks at most that many abandons. Without these two, a horizon with no
agent free yet and a one-in-a-thousand chance of an early answer would forbid every dial.
"""

from __future__ import annotations

import numpy as np


def moments(probabilities: np.ndarray, sure: float = 0.0) -> tuple[np.ndarray, np.ndarray]:
    """Mean and variance per horizon of ``sure`` + a sum of independent Bernoullis.

    ``probabilities`` has one row per agent or call and one column per horizon.
    """
    mean = sure + probabilities.sum(axis=0)
    variance = (probabilities * (1.0 - probabilities)).sum(axis=0)
    return mean, variance


def largest_safe_dials(
    supply: tuple[np.ndarray, np.ndarray],
    demand: tuple[np.ndarray, np.ndarray],
    new_call: np.ndarray,
    margin: float,
    limit: int,
    negligible: float = 0.02,
) -> int:
    """The largest n in 0..limit that keeps demand under supply by ``margin`` std devs everywhere.

    ``supply`` and ``demand`` are (mean, variance) per horizon; ``new_call`` is P(one new dial is
    a live answer within each horizon). Returns 0 when even n = 0 is already unsafe.
    """
    if limit <= 0:
        return 0
    supply_mean, supply_var = supply
    demand_mean, demand_var = demand
    n = np.arange(limit + 1, dtype=np.float64)[:, None]
    q = new_call[None, :]
    spread = np.sqrt(demand_var + supply_var + n * q * (1.0 - q))
    demand = demand_mean + n * q
    safe = ((demand - supply_mean + margin * spread <= 0.5) | (demand <= negligible)).all(axis=1)
    if safe.all():
        return limit
    return max(int(np.argmin(safe)) - 1, 0)
