"""The predictive pacer: estimators + lookahead + abandon budget, behind the Pacer contract."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from pacing.caps import apply_caps
from pacing.estimators import CallModel, CallPriors, HandleModel, HandlePriors
from pacing.events import (
    ON_CALL,
    WRAP_UP,
    Abandon,
    CallHandled,
    CallOutcome,
    DialOutcome,
    PacerEvent,
    PacerState,
)
from pacing.ledger import AbandonLedger
from pacing.lookahead import largest_safe_dials, moments
from pacing.margin import MarginController
from pacing.policies import LedgerPacer, progressive_dials


@dataclass(frozen=True)
class PredictiveParams:
    """Tuning of the predictive pacer; the defaults suit a typical phone bank.

    ``horizon`` should cover the no-answer timeout (calls answered later than that do not
    exist). Until ``warmup_answers`` answered dials and ``warmup_handled`` finished calls have
    been seen, the pacer dials progressively. Teams of ``small_team`` active agents or fewer are
    always dialled progressively: one unlucky double answer is a large share of their abandons.
    A horizon whose expected live answers stay under ``negligible_demand`` counts as safe.
    """

    target_abandon: float = 0.03
    operating_target: float = 0.025
    horizon: int = 25
    abandon_deadline: int = 2
    initial_margin: float = 2.5
    margin_gain: float = 0.015
    warmup_answers: int = 30
    warmup_handled: int = 20
    small_team: int = 2
    negligible_demand: float = 0.05
    exact_finish: bool = False
    call_priors: CallPriors = field(default_factory=CallPriors)
    handle_priors: HandlePriors = field(default_factory=HandlePriors)


class PredictivePacer(LedgerPacer):
    """Dials the largest n whose projected abandon risk stays within the steered margin.

    With ``exact_finish`` it reads ``state.finish_in`` instead of estimating when agents finish:
    the bound a simulator can measure, not something an engine can run.
    """

    def __init__(
        self, params: PredictiveParams | None = None, ledger: AbandonLedger | None = None
    ) -> None:
        super().__init__(ledger)
        self.params = p = params or PredictiveParams()
        self.calls = CallModel(p.call_priors)
        self.handles = HandleModel(p.handle_priors)
        self.margin = MarginController(
            p.target_abandon, p.operating_target, p.initial_margin, p.margin_gain
        )
        self._horizons = np.arange(p.horizon + 1, dtype=np.float64)

    def observe(self, event: PacerEvent) -> None:
        """Update the ledger, the margin and the estimators."""
        super().observe(event)
        if isinstance(event, DialOutcome):
            self.calls.observe(event)
            if event.outcome == CallOutcome.HUMAN:
                self.margin.on_live_answer(self.ledger, event.at)
        elif isinstance(event, Abandon):
            self.margin.on_abandon()
        elif isinstance(event, CallHandled):
            self.handles.observe(event.talk, event.wrap)

    @property
    def warmed_up(self) -> bool:
        """Whether there is enough data to predict rather than dial progressively."""
        p = self.params
        return self.calls.answers >= p.warmup_answers and self.handles.handled >= p.warmup_handled

    def decide(self, state: PacerState) -> int:
        """Calls to start now, within the hard caps."""
        progressive = progressive_dials(state)
        if state.active <= self.params.small_team or not self.warmed_up:
            return apply_caps(progressive, state)
        limit = apply_caps(10**9, state)
        key = (state.list_id, state.hour)
        ringing = self.calls.live_within(state.calls_elapsed, self._horizons, key)
        demand = moments(ringing, float(state.waiting))
        supply = self._supply(state)
        n = largest_safe_dials(
            supply,
            demand,
            self.calls.new_dial_within(self._horizons, key),
            self.margin.z,
            limit,
            self.params.negligible_demand,
        )
        return apply_caps(max(n, progressive), state)

    def _supply(self, state: PacerState) -> tuple[np.ndarray, np.ndarray]:
        """Mean and variance of agents ready within each horizon plus the abandon deadline."""
        p = self.params
        steps = p.horizon + p.abandon_deadline + 1
        states = state.agent_states
        if p.exact_finish and state.finish_in is not None:
            busy = (states == ON_CALL) | (states == WRAP_UP)
            known = (state.finish_in[busy][:, None] <= np.arange(steps)[None, :]).astype(np.float64)
            mean, variance = moments(known, float(state.ready))
        else:
            wrapping = self.handles.wrap_ready_within(state.agent_elapsed[states == WRAP_UP], steps)
            talking = self.handles.talk_ready_within(state.agent_elapsed[states == ON_CALL], steps)
            mean, variance = moments(np.vstack((wrapping, talking)), float(state.ready))
        return mean[p.abandon_deadline :], variance[p.abandon_deadline :]
