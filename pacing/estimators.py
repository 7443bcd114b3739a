"""What the predictive pacer has learned: how calls resolve and how long agents take.

``CallModel`` turns dial outcomes into P(a call becomes a live answer within h seconds), for
calls still ringing (given how long they have rung) and for calls not yet dialled.
``HandleModel`` turns finished calls into P(an agent is ready within h seconds), given their
state and time in it, with talk and wrap-up estimated separately.

Both rebuild their curves every ``refresh_every`` observations rather than on each one: a curve
a few observations stale costs nothing, a rebuild per tick costs the engine's latency budget.
"""

from __future__ import annotations

from collections.abc import Hashable
from dataclasses import dataclass

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

from pacing.events import ANSWERED, FAST_FAILURES, CallOutcome, DialOutcome
from pacing.lookahead import NewDial
from pacing.rates import BetaRate, KeyedRate
from pacing.survival import GridSurvival, lognormal_survival

_TINY = 1e-12


@dataclass(frozen=True)
class CallPriors:
    """Where the call model starts before it has data, and how fast it forgets."""

    answer_mean: float = 12.0
    answer_sd: float = 8.0
    fail_mean: float = 3.0
    fail_sd: float = 2.0
    answer_rate: float = 0.4
    human_share: float = 0.4
    fail_share: float = 0.1
    ring_dt: float = 0.5
    ring_max: float = 90.0
    half_life: float = 3000.0
    refresh_every: int = 25


class CallModel:
    """Answer-time survival (Kaplan-Meier, ring-outs censored) plus the outcome mix.

    A dial fast-fails with probability ``f``; otherwise it is answered with probability ``a``
    (per list and hour) at a time whose shape G comes from the Kaplan-Meier curve, else it rings
    out; an answer is human with probability ``s`` (per list and hour).
    """

    def __init__(self, priors: CallPriors | None = None) -> None:
        p = priors or CallPriors()
        self.priors = p
        self.answer_time = GridSurvival(
            p.ring_dt,
            p.ring_max,
            lognormal_survival(p.answer_mean, p.answer_sd, p.ring_dt, p.ring_max),
            half_life=p.half_life,
        )
        self.fail_time = GridSurvival(
            p.ring_dt,
            p.ring_max,
            lognormal_survival(p.fail_mean, p.fail_sd, p.ring_dt, p.ring_max),
            half_life=p.half_life,
        )
        self.fail_share = BetaRate(p.fail_share, half_life=p.half_life)
        self.answer_rate = KeyedRate(p.answer_rate, half_life=p.half_life)
        self.human_share = KeyedRate(p.human_share, half_life=p.half_life)
        self.answers = 0
        self._pending = p.refresh_every
        self._shape = np.zeros(0)
        self._fail_survival = np.zeros(0)
        self._tables: dict[tuple[Hashable, int], CallTable] = {}
        self._refresh()

    def observe(self, event: DialOutcome) -> None:
        """Learn from one resolved dial."""
        key = (event.list_id, event.hour)
        failed = event.outcome in FAST_FAILURES
        answered = event.outcome in ANSWERED
        self.fail_share.add(failed)
        self.fail_time.add(event.ring_time, failed)
        self.answer_time.add(event.ring_time, answered)
        if not failed:
            self.answer_rate.add(key, answered)
        if answered:
            self.answers += 1
            self.human_share.add(key, event.outcome == CallOutcome.HUMAN)
        self._pending -= 1
        if self._pending <= 0:
            self._refresh()

    def _refresh(self) -> None:
        latent = self.answer_time.survival()
        answered_by_end = max(1.0 - latent[-1], _TINY)
        # G: the answer-time CDF among calls that do answer (the KM plateau is the no-answer share).
        self._shape = np.minimum((1.0 - latent) / answered_by_end, 1.0)
        fail = self.fail_time.survival()
        failed_by_end = max(1.0 - fail[-1], _TINY)
        self._fail_survival = np.clip((fail - fail[-1]) / failed_by_end, 0.0, 1.0)
        self._tables.clear()
        self._pending = self.priors.refresh_every

    def _index(self, seconds: np.ndarray) -> np.ndarray:
        return np.minimum(
            (seconds * (1.0 / self.priors.ring_dt)).astype(np.intp), self._shape.size - 1
        )

    def live_within(
        self, elapsed: np.ndarray, horizons: np.ndarray, key: Hashable = ("", None)
    ) -> np.ndarray:
        """P(each ringing call becomes a live answer within each horizon): shape (calls, horizons)."""
        f = self.fail_share.mean
        a = self.answer_rate.mean(key)
        s = self.human_share.mean(key)
        start = self._index(elapsed)
        ends = self._index(elapsed[:, None] + horizons[None, :])
        g_start = self._shape[start]
        still_ringing = (1.0 - f) * (1.0 - a * g_start) + f * self._fail_survival[start]
        gained = self._shape[ends] - g_start[:, None]
        return (1.0 - f) * a * s * gained / np.maximum(still_ringing, _TINY)[:, None]

    def live_table(self, steps: int, key: Hashable = ("", None)) -> CallTable:
        """``live_within`` for whole-second horizons 0..steps-1, tabulated by time rung so far.

        Rebuilt with the curves (rates as of the last refresh): the pacer reads it every tick.
        """
        table = self._tables.get((key, steps))
        if table is None:
            horizons = np.arange(steps, dtype=np.float64)
            rung = np.arange(self._shape.size) * self.priors.ring_dt
            # A hair past each grid point so floor() lands on it despite rounding.
            table = self._tables[(key, steps)] = CallTable(
                self.live_within(rung + 1e-9, horizons, key),
                NewDial.of(self.new_dial_within(horizons, key)),
                1.0 / self.priors.ring_dt,
            )
        return table

    def new_dial_within(self, horizons: np.ndarray, key: Hashable = ("", None)) -> np.ndarray:
        """P(a call dialled now becomes a live answer within each horizon)."""
        f = self.fail_share.mean
        return (
            (1.0 - f)
            * self.answer_rate.mean(key)
            * self.human_share.mean(key)
            * self._shape[self._index(horizons)]
        )


@dataclass(frozen=True)
class HandlePriors:
    """Handle-time priors (talk and wrap-up separately), grids and forgetting."""

    talk_mean: float = 120.0
    talk_sd: float = 100.0
    wrap_mean: float = 30.0
    wrap_sd: float = 20.0
    talk_max: float = 3600.0
    wrap_max: float = 900.0
    half_life: float = 1000.0
    refresh_every: int = 25


class HandleModel:
    """Talk and wrap-up survival curves, and the chance each agent is ready within a horizon.

    Time steps are one second: horizons are whole seconds and elapsed times are floored.
    """

    def __init__(self, priors: HandlePriors | None = None) -> None:
        p = priors or HandlePriors()
        self.priors = p
        self.talk = GridSurvival(
            1.0,
            p.talk_max,
            lognormal_survival(p.talk_mean, p.talk_sd, 1.0, p.talk_max),
            half_life=p.half_life,
        )
        self.wrap = GridSurvival(
            1.0,
            p.wrap_max,
            lognormal_survival(p.wrap_mean, p.wrap_sd, 1.0, p.wrap_max),
            half_life=p.half_life,
        )
        self.handled = 0
        self._pending = p.refresh_every
        self._talk_s = np.zeros(0)
        self._wrap_s = np.zeros(0)
        self._tables: dict[tuple[int, int], ReadyTable] = {}
        self._refresh()

    def observe(self, talk: float, wrap: float) -> None:
        """Learn from one finished call."""
        self.talk.add(talk)
        self.wrap.add(wrap)
        self.handled += 1
        self._pending -= 1
        if self._pending <= 0:
            self._refresh()

    def _refresh(self) -> None:
        self._talk_s = self.talk.survival()
        self._wrap_s = self.wrap.survival()
        self._tables.clear()
        self._pending = self.priors.refresh_every

    def wrap_ready_within(self, elapsed: np.ndarray, steps: int) -> np.ndarray:
        """P(ready within 0..steps-1 seconds) for agents in wrap-up: shape (agents, steps)."""
        return _lookup(self.ready_table(steps).wrap, elapsed)

    def talk_ready_within(self, elapsed: np.ndarray, steps: int) -> np.ndarray:
        """P(talk and then wrap-up both end within 0..steps-1 seconds) for agents on a call."""
        return _lookup(self.ready_table(steps).talk, elapsed)

    def ready_table(self, steps: int, skip: int = 0) -> ReadyTable:
        """P(ready within skip..steps-1 s) for agents talking or in wrap-up, by whole seconds.

        Built once per refresh: the pacer reads it every second.
        """
        table = self._tables.get((steps, skip))
        if table is None:
            talk = self._talk_ready(steps)[:, skip:]
            wrap = self._wrap_ready(steps)[:, skip:]
            table = self._tables[(steps, skip)] = ReadyTable(talk, wrap)
        return table

    def _wrap_ready(self, steps: int) -> np.ndarray:
        """Rows by whole seconds of wrap-up so far: P(wrap-up ends within 0..steps-1 s).

        The last row stands for every later second: past the last wrap-up seen to end, the
        Kaplan-Meier curve is flat and the row is zero.
        """
        s = self._wrap_s
        rows = min(_last_drop(s) + 1, s.size)
        ahead = _windows(s, steps)[:rows]
        alive = np.maximum(s[:rows], _TINY)[:, None]
        return (alive - ahead) / alive

    def _talk_ready(self, steps: int) -> np.ndarray:
        """Rows by whole seconds of talk so far: P(talk, then wrap-up, end within 0..steps-1 s).

        As for wrap-up, the last row (zero) stands for every second past the last talk seen to
        end, which keeps the table, and its rebuild, small.
        """
        talk = self._talk_s
        density = talk[:-1] - talk[1:]
        rows = min(_last_drop(talk) + 1, density.size)
        # Talk ends in second k with density f_k; the wrap-up then has (j - k) seconds left.
        ahead = _windows(density, steps)[:rows]
        alive = np.maximum(talk[:rows], _TINY)[:, None]
        return _small_products(ahead / alive, self._wrap_toeplitz(steps))

    def _wrap_toeplitz(self, steps: int) -> np.ndarray:
        """T[k, j] = P(wrap-up <= j - k seconds): turns talk-end densities into ready-by-j."""
        wrap_cdf = 1.0 - _windows(self._wrap_s, steps)[0]
        lag = np.arange(steps)[None, :] - np.arange(steps)[:, None]
        return np.where(lag >= 0, wrap_cdf[np.maximum(lag, 0)], 0.0)


def _small_products(left: np.ndarray, right: np.ndarray, block: int = 64) -> np.ndarray:
    """``left @ right``, a block of rows at a time.

    Each block is too small for OpenBLAS to wake its thread pool: threads that then spin
    between these occasional products cost the caller (and a simulator running beside it on a
    2-core machine) several times the product itself.
    """
    out = np.empty((left.shape[0], right.shape[1]))
    for start in range(0, left.shape[0], block):
        np.matmul(left[start : start + block], right, out=out[start : start + block])
    return out


def _last_drop(survival: np.ndarray) -> int:
    """Index of the last grid step where a survival curve falls (0 if it never does)."""
    drops = np.flatnonzero(survival[:-1] > survival[1:])
    return int(drops[-1]) + 1 if drops.size else 0


def _windows(values: np.ndarray, steps: int) -> np.ndarray:
    """Row i holds values[i .. i + steps - 1], the last value repeated past the end."""
    padded = np.concatenate((values, np.full(steps - 1, values[-1])))
    return sliding_window_view(padded, steps)


def _lookup(table: np.ndarray, elapsed: np.ndarray, per_second: float = 1.0) -> np.ndarray:
    """Rows of ``table`` for ``elapsed`` seconds; the last row stands for everything later."""
    return table[np.minimum((elapsed * per_second).astype(np.intp), table.shape[0] - 1)]


@dataclass(frozen=True)
class CallTable:
    """P(a call becomes a live answer within each horizon) by time rung so far, and for a new dial.

    Row ``floor(seconds rung * per_second)`` (the last row for anything later) holds a call's
    probabilities; ``new_dial`` holds the same for a call dialled now, in the terms the decision
    uses.
    """

    live: np.ndarray
    new_dial: NewDial
    per_second: float

    def live_for(self, elapsed: np.ndarray) -> np.ndarray:
        """The rows of calls that have rung ``elapsed`` seconds: shape (calls, horizons)."""
        return _lookup(self.live, elapsed, self.per_second)


@dataclass(frozen=True)
class ReadyTable:
    """P(an agent is ready within each horizon) by whole seconds talking or in wrap-up.

    Row ``floor(seconds in state)`` (the last row for anything later) holds an agent's
    probabilities; the last rows are zero: past the longest call seen, nobody is expected to end.
    """

    talk: np.ndarray
    wrap: np.ndarray
