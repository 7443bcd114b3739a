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

from pacing.events import ANSWERED, FAST_FAILURES, CallOutcome, DialOutcome
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
    refresh_every: int = 10


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
        self._toeplitz: dict[int, np.ndarray] = {}
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
        self._toeplitz.clear()
        self._pending = self.priors.refresh_every

    def wrap_ready_within(self, elapsed: np.ndarray, steps: int) -> np.ndarray:
        """P(ready within 0..steps-1 seconds) for agents in wrap-up: shape (agents, steps)."""
        s = self._wrap_s
        start = np.minimum(elapsed.astype(np.intp), s.size - 1)
        ends = np.minimum(start[:, None] + np.arange(steps)[None, :], s.size - 1)
        alive = np.maximum(s[start], _TINY)
        return (alive[:, None] - s[ends]) / alive[:, None]

    def talk_ready_within(self, elapsed: np.ndarray, steps: int) -> np.ndarray:
        """P(talk and then wrap-up both end within 0..steps-1 seconds) for agents on a call."""
        talk = self._talk_s
        start = np.minimum(elapsed.astype(np.intp), talk.size - 2)
        offsets = np.minimum(start[:, None] + np.arange(steps)[None, :], talk.size - 2)
        # Talk ends in second k with density f_k; the wrap-up then has (j - k) seconds left.
        density = (talk[offsets] - talk[offsets + 1]) / np.maximum(talk[start], _TINY)[:, None]
        return density @ self._wrap_toeplitz(steps)

    def _wrap_toeplitz(self, steps: int) -> np.ndarray:
        """T[k, j] = P(wrap-up <= j - k seconds): turns talk-end densities into ready-by-j."""
        toeplitz = self._toeplitz.get(steps)
        if toeplitz is None:
            wrap_cdf = 1.0 - self._wrap_s[:steps]
            lag = np.arange(steps)[None, :] - np.arange(steps)[:, None]
            toeplitz = self._toeplitz[steps] = np.where(lag >= 0, wrap_cdf[np.maximum(lag, 0)], 0.0)
        return toeplitz
