"""Steers the predictive risk margin so the 30-day abandon window ends under target.

Two loops. The long one reads the ledger and sets the rate to aim for over the next
``lookahead_answers`` live answers so the window lands on the operating target (lower when the
window is already high, up to the legal target when it has room). The short one is a
stochastic-approximation integrator: every live answer lowers the margin a little, every abandon
raises it a lot, and the two balance exactly when abandons run at the aimed rate.
"""

from __future__ import annotations

from dataclasses import dataclass

from pacing.ledger import AbandonLedger


@dataclass
class MarginController:
    """The margin ``z`` (in standard deviations) the lookahead keeps between demand and supply."""

    target: float = 0.03
    operating_target: float = 0.025
    z: float = 1.0
    gain: float = 0.02
    z_min: float = -3.0
    z_max: float = 6.0
    lookahead_answers: float = 2000.0

    def __post_init__(self) -> None:
        if not 0.0 < self.operating_target <= self.target < 1.0:
            raise ValueError(
                "need 0 < operating_target <= target < 1 (abandon rates as fractions, e.g. 0.025)"
            )

    def aim(self, ledger: AbandonLedger, now: float) -> float:
        """The abandon rate to aim for now, given what the window already holds."""
        abandons, live = ledger.totals(now)
        wanted = self.operating_target * (live + self.lookahead_answers) - abandons
        return min(self.target, max(0.25 * self.operating_target, wanted / self.lookahead_answers))

    def on_live_answer(self, ledger: AbandonLedger, now: float) -> None:
        """A live answer (abandoned or not) lowers the margin by ``gain * aim``."""
        self._move(-self.gain * self.aim(ledger, now))

    def on_abandon(self) -> None:
        """An abandon raises the margin by ``gain``."""
        self._move(self.gain)

    def _move(self, step: float) -> None:
        self.z = min(self.z_max, max(self.z_min, self.z + step))
