"""The predictive pacer: estimators + lookahead + abandon budget, behind the Pacer contract."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from pacing.caps import apply_caps
from pacing.estimators import CallModel, CallPriors, CallTable, HandleModel, HandlePriors
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
from pacing.lookahead import moments, one_more_is_safe, safe_dials
from pacing.margin import MarginController
from pacing.policies import LedgerPacer, progressive_dials
from pacing.totals import TotalsTable


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
        self._steps = p.horizon + 1
        self._totals = TotalsTable()

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
        p = self.params
        progressive = progressive_dials(state)
        if state.active <= p.small_team or not self.warmed_up:
            return apply_caps(progressive, state)
        calls = self.calls.live_table(self._steps, (state.list_id, state.hour))
        if p.exact_finish and state.finish_in is not None:
            gap, variance, demand = self._known_totals(state, calls)
        else:
            d = p.abandon_deadline
            self._totals.update(self.handles.ready_table(self._steps + d, d), calls)
            gap, variance, demand = self._totals.totals(state, calls.per_second)
        z = self.margin.z
        if not one_more_is_safe(gap, variance, demand, z, p.negligible_demand):
            # Most ticks end here, with nobody ready: the caps need no reading then.
            return apply_caps(progressive, state) if progressive > 0 else 0
        limit = apply_caps(10**9, state)
        # The totals count one more dial; take it back out to solve for n.
        dial = calls.new_dial
        n = safe_dials(
            gap - dial.q, variance - dial.w, demand - dial.q, dial, z, limit, p.negligible_demand
        )
        return min(max(n, progressive), limit)

    def _known_totals(
        self, state: PacerState, calls: CallTable
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Totals with each agent's exact finish time (the simulator-only bound), one dial more."""
        states = state.agent_states
        busy = (states == ON_CALL) | (states == WRAP_UP)
        finish = state.finish_in[busy][:, None] - self.params.abandon_deadline
        known = (finish <= np.arange(self._steps)[None, :]).astype(np.float64)
        supply_mean, supply_var = moments(known, float(state.ready))
        demand_mean, demand_var = moments(calls.live_for(state.calls_elapsed), float(state.waiting))
        dial = calls.new_dial
        demand_mean += dial.q
        return demand_mean - supply_mean, demand_var + supply_var + dial.w, demand_mean
