"""An emulation of VICIdial's ADAPT_HARD_LIMIT dial method, for comparison in benchmarks.

Written from VICIdial's public documentation of its campaign settings, not from its code:
- lines = dial level x counted agents, where counted agents are those READY or INCALL and lines
  include those agents are talking on (so level 1.0 is progressive); with ``available_only``
  ("available only ratio tally") only READY agents count, and only lines ringing or waiting;
- the dial level is recomputed every ``interval`` seconds: it rises when agents have been
  waiting for calls more than ``diff_target`` ("dial level difference target") and falls when
  calls have been waiting for agents; ``intensity`` ("adapt intensity modifier") makes it climb
  faster and fall slower when positive, and the reverse when negative;
- it never exceeds ``max_level`` ("adapt maximum dial level");
- the hard limit: while the day's drop percentage is at or above ``drop_limit``, the level is
  held at 1.0 (no over-dialling) until the percentage falls again.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from pacing.caps import apply_caps
from pacing.events import ON_CALL, PacerState
from pacing.ledger import AbandonLedger
from pacing.policies import LedgerPacer


@dataclass(frozen=True)
class AdaptParams:
    """The campaign settings the emulation honours (VICIdial's names in the docstring above)."""

    drop_limit: float = 0.03
    max_level: float = 3.0
    start_level: float = 1.0
    interval: float = 15.0
    intensity: float = 0.0
    diff_target: float = 0.0
    available_only: bool = False


class AdaptHardLimitPacer(LedgerPacer):
    """VICIdial-style adaptive dial level with a hard drop-percentage limit."""

    def __init__(
        self, params: AdaptParams | None = None, ledger: AbandonLedger | None = None
    ) -> None:
        super().__init__(ledger)
        self.params = params or AdaptParams()
        self.level = self.params.start_level
        self._next_adapt: float | None = None
        self._diff_sum = 0.0
        self._samples = 0

    def decide(self, state: PacerState) -> int:
        """``ceil(level * counted agents) - ringing - waiting``, within the caps."""
        p = self.params
        self._diff_sum += state.ready - state.waiting
        self._samples += 1
        if self._next_adapt is None:
            self._next_adapt = state.now + p.interval
        elif state.now >= self._next_adapt:
            self._adapt(state)
            self._next_adapt = state.now + p.interval
        if p.available_only:
            lines_wanted, lines_used = self.level * state.ready, state.in_flight + state.waiting
        else:
            # Lines per active agent count the lines agents are talking on, so level 1.0 is
            # progressive: one line per agent, busy or not.
            talking = int(np.count_nonzero(state.agent_states == ON_CALL))
            lines_wanted = self.level * (state.ready + talking)
            lines_used = state.in_flight + state.waiting + talking
        return apply_caps(math.ceil(lines_wanted - 1e-9) - lines_used, state)

    def _adapt(self, state: PacerState) -> None:
        p = self.params
        diff = self._diff_sum / max(self._samples, 1) - p.diff_target
        self._diff_sum, self._samples = 0.0, 0
        step = diff / max(state.active, 1)
        intensity = 1.0 + p.intensity / 20.0
        step *= intensity if step > 0 else 1.0 / max(intensity, 0.05)
        self.level = min(p.max_level, max(1.0, self.level * (1.0 + step)))
        abandons, live = self.ledger.day_totals(state.now)
        if live and abandons / live >= p.drop_limit:
            self.level = 1.0
