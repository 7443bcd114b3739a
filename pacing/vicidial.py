"""An emulation of VICIdial's ADAPT_HARD_LIMIT dial method, for comparison in benchmarks.

Written from VICIdial's public documentation (the campaign settings' help text, the changelog of
its AST_VDadapt.pl, and its author's forum answers), not from its code:

- lines = dial level x counted agents. Counted agents are the "active" ones, READY or INCALL
  (agents in wrap-up are PAUSED in VICIdial and do not count), and lines include the calls those
  agents are on, so level 1.0 is progressive. "Available Only Tally" (``available_only``) leaves
  INCALL agents out: lines = level x READY agents, counting only calls ringing or waiting.
- The level is recalculated every 15 seconds (``interval``) from the last 15 one-second samples
  of (agents waiting - calls waiting): it rises while agents wait and falls while calls wait.
  "Dial Level Difference Target" (``diff_target``, -40..40) shifts the aim: -1 keeps one agent
  waiting on average, +1 one call. VICIdial publishes no formula for the size of a step; here a
  step changes the level by the differential's share of counted agents (an average of 2 of 20
  agents waiting raises it by 10%).
- "Adapt Intensity Modifier" (``intensity``, -40..40) scales steps by that many per cent:
  +10 makes rises 10% larger and falls 10% smaller, -10 the reverse.
- The level stays within 1.0 and "Maximum Adapt Dial Level" (``max_level``, default 3.0).
- The hard limit: once more than 50 calls were dialled today and today's drop percentage
  (drops / answered calls, refreshed every ``drop_interval`` = 60 s) is above "Drop Percentage
  Limit" (``drop_limit``, whole per cent, default 3), the level is held at 1.0 (no aggressive
  dialling) until the percentage falls back under the limit.
- A campaign starts at level 1.0 (``start_level``); the level carries over from day to day,
  today's counts do not.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from pacing.caps import apply_caps
from pacing.events import ON_CALL, DialOutcome, PacerEvent, PacerState
from pacing.ledger import AbandonLedger
from pacing.policies import LedgerPacer

_WARM_UP_CALLS = 50


@dataclass(frozen=True)
class AdaptParams:
    """The campaign settings the emulation honours (VICIdial's names in the docstring above)."""

    drop_limit: float = 0.03
    max_level: float = 3.0
    start_level: float = 1.0
    interval: float = 15.0
    drop_interval: float = 60.0
    intensity: int = 0
    diff_target: int = 0
    available_only: bool = False

    def __post_init__(self) -> None:
        if not 0.0 < self.drop_limit <= 1.0:
            raise ValueError("drop_limit is a fraction of answered calls, e.g. 0.03 for 3%")
        if not 1.0 <= self.start_level <= self.max_level:
            raise ValueError("need 1.0 <= start_level <= max_level (VICIdial's dial levels)")
        if not -40 <= self.intensity <= 40 or not -40 <= self.diff_target <= 40:
            raise ValueError("intensity and diff_target take VICIdial's range, -40 to 40")


class AdaptHardLimitPacer(LedgerPacer):
    """VICIdial-style adaptive dial level with a hard drop-percentage limit."""

    def __init__(
        self, params: AdaptParams | None = None, ledger: AbandonLedger | None = None
    ) -> None:
        super().__init__(ledger)
        self.params = params or AdaptParams()
        self.level = self.params.start_level
        self._next_adapt: float | None = None
        self._next_drops = -math.inf
        self._over_limit = False
        self._day = -1
        self._dials_today = 0
        self._diff_sum = 0.0
        self._samples = 0

    def observe(self, event: PacerEvent) -> None:
        """Count today's dials for the hard limit's 50-call gate, then keep the ledger."""
        super().observe(event)
        if isinstance(event, DialOutcome):
            day = math.floor(event.at / self.ledger.day_seconds)
            if day != self._day:
                self._day, self._dials_today = day, 0
            self._dials_today += 1

    def decide(self, state: PacerState) -> int:
        """``ceil(level * counted agents) - lines in use``, within the caps."""
        p = self.params
        self._diff_sum += state.ready - state.waiting
        self._samples += 1
        if self._next_adapt is None:
            self._next_adapt = state.now + p.interval
        elif state.now >= self._next_adapt:
            self._adapt(state)
            self._next_adapt = state.now + p.interval
        if state.now >= self._next_drops:
            self._refresh_drops(state.now)
            self._next_drops = state.now + p.drop_interval
        level = 1.0 if self._over_limit else self.level
        if p.available_only:
            lines_wanted, lines_used = level * state.ready, state.in_flight + state.waiting
        else:
            talking = int(np.count_nonzero(state.agent_states == ON_CALL))
            lines_wanted = level * (state.ready + talking)
            lines_used = state.in_flight + state.waiting + talking
        return apply_caps(math.ceil(lines_wanted - 1e-9) - lines_used, state)

    def _adapt(self, state: PacerState) -> None:
        p = self.params
        differential = self._diff_sum / max(self._samples, 1) + p.diff_target
        self._diff_sum, self._samples = 0.0, 0
        counted = state.ready + int(np.count_nonzero(state.agent_states == ON_CALL))
        if counted == 0:
            return
        step = differential / counted
        step *= 1.0 + (p.intensity if step > 0 else -p.intensity) / 100.0
        self.level = min(p.max_level, max(1.0, self.level * (1.0 + step)))

    def _refresh_drops(self, now: float) -> None:
        """Today's drop percentage against the limit, as VICIdial reads it once a minute."""
        day = math.floor(now / self.ledger.day_seconds)
        if day != self._day:
            self._day, self._dials_today = day, 0
        abandons, live = self.ledger.day_totals(now)
        self._over_limit = (
            self._dials_today > _WARM_UP_CALLS
            and live > 0
            and abandons / live > self.params.drop_limit
        )
