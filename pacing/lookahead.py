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

from dataclasses import dataclass

import numpy as np

_TINY = 1e-12


def moments(probabilities: np.ndarray, sure: float = 0.0) -> tuple[np.ndarray, np.ndarray]:
    """Mean and variance per horizon of ``sure`` + a sum of independent Bernoullis.

    ``probabilities`` has one row per agent or call and one column per horizon.
    """
    mean = sure + probabilities.sum(axis=0)
    variance = (probabilities * (1.0 - probabilities)).sum(axis=0)
    return mean, variance


@dataclass(frozen=True)
class NewDial:
    """The per-horizon terms of one new dial that :func:`safe_dials` needs.

    They change only when the call model refreshes, so the pacer builds them once per refresh
    rather than once per tick.
    """

    q: np.ndarray
    w: np.ndarray
    inv_q: np.ndarray
    a: np.ndarray
    four_a: np.ndarray
    inv_2a: np.ndarray

    @classmethod
    def of(cls, new_call: np.ndarray) -> NewDial:
        """Terms for ``new_call`` = P(one new dial is a live answer within each horizon)."""
        q = np.maximum(np.asarray(new_call, dtype=np.float64), _TINY)
        a = 1.0 / np.maximum(1.0 - q, _TINY)
        return cls(q, q * (1.0 - q), 1.0 / q, a, 4.0 * a, 0.5 / a)


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
    return safe_dials(
        demand[0] - supply[0],
        demand[1] + supply[1],
        demand[0],
        NewDial.of(new_call),
        margin,
        limit,
        negligible,
    )


def one_more_is_safe(
    gap: np.ndarray, variance: np.ndarray, demand: np.ndarray, margin: float, negligible: float
) -> bool:
    """Whether one more dial is safe at every horizon, from the totals with that dial counted.

    Two ticks in three dial nothing, and this settles them in a few numpy calls: if one more
    dial is unsafe the answer is 0, whether or not no dial is.
    """
    unsafe = (gap + margin * np.sqrt(variance) > 0.5) & (demand > negligible)
    return not unsafe.any()


def safe_dials(
    gap: np.ndarray,
    variance: np.ndarray,
    demand: np.ndarray,
    dial: NewDial,
    margin: float,
    limit: int,
    negligible: float,
) -> int:
    """:func:`largest_safe_dials` from E[D - S], Var D + Var S and E[D] per horizon.

    Solved per horizon in closed form rather than by trying every n: the pacer asks every
    second. With q = P(live), v the variance at n = 0 and s = 1/2 - E[D - S], n dials are safe
    when n q + z sqrt(v + n q (1 - q)) <= s. In y = sqrt(v + n q (1 - q)) that is the quadratic
    a y^2 + z y - (s + a v) <= 0 with a = 1 / (1 - q), whose larger root gives n = (s - z y) / q;
    the left side is monotone or convex in n, so if n = 0 is safe every n up to that root is.
    The Markov clause E[D] + n q <= negligible gives its own bound; a horizon allows the larger.
    """
    if limit <= 0:
        return 0
    slack = 0.5 - gap
    c = slack + dial.a * variance
    root = np.sqrt(np.maximum(dial.four_a * c + margin * margin, 0.0))
    # The two forms of the larger root, each free of cancellation for its sign of z (for z near
    # 0 either is exact, and the first would divide by almost nothing where the root is 0).
    y = (c + c) / (root + margin) if margin > 1e-3 else (root - margin) * dial.inv_2a
    by_margin = (slack - margin * y) * dial.inv_q
    by_margin[margin * np.sqrt(variance) > slack] = -1.0
    by_markov = (negligible - demand) * dial.inv_q
    by_markov[demand > negligible] = -1.0
    n = float(np.maximum(by_margin, by_markov).min())
    # The epsilon keeps an n that meets a bound exactly from rounding down to n - 1.
    return int(min(max(n + 1e-9, 0.0), limit))
