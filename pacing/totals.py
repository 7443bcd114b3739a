"""Per-tick totals of the lookahead: E[D - S], Var D + Var S and E[D] per horizon in one gather.

The pacer asks every second, so the per-tick work is kept to a handful of numpy calls: every
agent and every ringing call is one row of a single table, found by a code (the agent's state,
or "ringing") and a time index (whole seconds in the state, or time rung on the call model's
grid). A row holds an agent's (-P, P(1 - P), 0) or a call's (P, P(1 - P), P) per horizon, with P
the chance the agent is ready or the call is a live answer within that horizon; summing the rows
gives the three totals at once. One more row, a call dialled now, is always summed in: most
ticks only need to know whether one more dial is safe, and that answers it. The table is rebuilt from the estimators' tables only when they
change (every few dozen observations).
"""

from __future__ import annotations

import numpy as np

from pacing.estimators import CallTable, ReadyTable
from pacing.events import ON_CALL, PAUSED, READY, WRAP_UP, PacerState

RINGING = PAUSED + 1
"""The table code of a call still ringing (agent states take the codes below it)."""
NEW_DIAL = RINGING + 1
"""The table code of one call dialled now (row 0)."""


class TotalsTable:
    """The combined table, refreshed from the estimators' tables when they change."""

    def __init__(self) -> None:
        self._ready: ReadyTable | None = None
        self._calls: CallTable | None = None
        self._table = np.zeros((NEW_DIAL + 1, 1, 3, 1))
        self._last_call_row = 0
        self._codes = np.zeros(0, dtype=np.int8)
        self._times = np.zeros(0)

    def update(self, ready: ReadyTable, calls: CallTable) -> None:
        """Use these estimator tables (cheap when they are the ones already in use)."""
        rows = max(ready.talk.shape[0], ready.wrap.shape[0], calls.live.shape[0])
        table = self._table
        if ready is not self._ready or rows > table.shape[1]:
            if table.shape[1:] != (rows, 3, ready.talk.shape[1]):
                table = self._table = np.zeros((NEW_DIAL + 1, rows, 3, ready.talk.shape[1]))
                table[READY, :, 0, :] = -1.0
                self._calls = None
            # Agents' times are clipped to the table's last row: their blocks are padded.
            self._fill(ON_CALL, -ready.talk, ready.talk, 0.0, pad=True)
            self._fill(WRAP_UP, -ready.wrap, ready.wrap, 0.0, pad=True)
            self._ready = ready
        if calls is not self._calls:
            # Calls are clipped to their own last row, so a refresh writes only their rows.
            self._fill(RINGING, calls.live, calls.live, calls.live, pad=False)
            q = calls.new_dial.q
            self._table[NEW_DIAL, 0] = q, q * (1.0 - q), q
            self._last_call_row = calls.live.shape[0] - 1
            self._calls = calls

    def _fill(
        self, code: int, gap: np.ndarray, p: np.ndarray, demand: np.ndarray | float, pad: bool
    ) -> None:
        """Write one code's rows, with its last row repeated to the table's end if ``pad``."""
        block = self._table[code]
        rows = p.shape[0]
        block[:rows, 0], block[:rows, 1], block[:rows, 2] = gap, p * (1.0 - p), demand
        if pad:
            block[rows:] = block[rows - 1]

    def totals(
        self, state: PacerState, per_second: float
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(E[D - S], Var D + Var S, E[D]) per horizon for ``state`` plus one call dialled now.

        Answered calls waiting count in. ``per_second`` is the call table's grid (rows per
        second rung).
        """
        calls = state.calls_elapsed
        if calls.size >= self._codes.size:
            # Ringing codes, then the new dial's code and time, sliced from the end each tick.
            self._codes = np.full(2 * calls.size + 64, RINGING, dtype=np.int8)
            self._codes[-1] = NEW_DIAL
            self._times = np.zeros(self._codes.size)
        tail = -calls.size - 1
        codes = np.concatenate((state.agent_states, self._codes[tail:]))
        times = self._times[tail:]
        np.minimum(calls * per_second, self._last_call_row, out=times[:-1])
        index = np.concatenate((state.agent_elapsed, times)).astype(np.intp)
        rows = self._table[codes, np.minimum(index, self._table.shape[1] - 1)]
        gap, variance, demand = np.add.reduce(rows, 0)
        if state.waiting:
            gap += state.waiting
            demand += state.waiting
        return gap, variance, demand
