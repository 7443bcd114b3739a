"""The pacer contract and the simple policies: preview, progressive and power (fixed ratio).

Every pacer keeps the campaign's abandon ledger, fed by ``observe``; the engine persists it with
``pacer.ledger.to_dict()`` and hands it back to :func:`pacing.factory.make_pacer` on restart.
"""

from __future__ import annotations

import math
from typing import Literal, Protocol, runtime_checkable

from pacing.caps import apply_caps
from pacing.events import Abandon, CallOutcome, DialOutcome, PacerEvent, PacerState
from pacing.ledger import AbandonLedger


@runtime_checkable
class Pacer(Protocol):
    """What the engine and the simulator drive."""

    ledger: AbandonLedger

    def observe(self, event: PacerEvent) -> None:
        """Learn from one outcome."""

    def decide(self, state: PacerState) -> int:
        """How many calls to start now (already within the hard caps)."""


class LedgerPacer:
    """Base for pacers: keeps the abandon ledger up to date from the events it observes."""

    def __init__(self, ledger: AbandonLedger | None = None) -> None:
        self.ledger = ledger if ledger is not None else AbandonLedger()

    def observe(self, event: PacerEvent) -> None:
        """Count live answers and abandons; subclasses learn more and call this too."""
        if isinstance(event, DialOutcome) and event.outcome == CallOutcome.HUMAN:
            self.ledger.record_live(event.at)
        elif isinstance(event, Abandon):
            self.ledger.record_abandon(event.at)


class PreviewPacer(LedgerPacer):
    """Never dials on its own: the agent reviews the lead and the engine dials on request."""

    def decide(self, state: PacerState) -> int:
        """Always 0."""
        return 0


def progressive_dials(state: PacerState) -> int:
    """One call per ready agent: ready agents minus calls already ringing or waiting for them."""
    return state.ready - state.in_flight - state.waiting


class ProgressivePacer(LedgerPacer):
    """Exactly one call in progress per ready agent; abandons only by accident."""

    def decide(self, state: PacerState) -> int:
        """``ready - ringing - waiting``, within the caps."""
        return apply_caps(progressive_dials(state), state)


class PowerPacer(LedgerPacer):
    """A fixed ratio of lines per agent.

    ``tally="ready"`` keeps ``ratio`` lines per ready agent; ``tally="active"`` keeps ``ratio``
    lines per non-paused agent (ready, talking or wrapping up), like VICIdial's RATIO method.
    """

    def __init__(
        self,
        ratio: float,
        tally: Literal["ready", "active"] = "ready",
        ledger: AbandonLedger | None = None,
    ) -> None:
        super().__init__(ledger)
        if ratio <= 0:
            raise ValueError("power ratio must be positive (lines per agent, e.g. 2.5)")
        if tally not in ("ready", "active"):
            raise ValueError("power tally must be 'ready' or 'active'")
        self.ratio = ratio
        self.tally = tally

    def decide(self, state: PacerState) -> int:
        """``floor(ratio * counted agents) - ringing - waiting``, within the caps."""
        counted = state.ready if self.tally == "ready" else state.active
        return apply_caps(
            math.floor(self.ratio * counted + 1e-9) - state.in_flight - state.waiting, state
        )
