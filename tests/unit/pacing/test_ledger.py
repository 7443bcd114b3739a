"""The abandon ledger: the legal window, and persistence across restarts."""

import pytest

from pacing.events import Abandon, CallOutcome, DialOutcome
from pacing.factory import make_pacer
from pacing.ledger import DAY_SECONDS, AbandonLedger


def _fill(ledger: AbandonLedger, day: int, abandons: int, live: int) -> None:
    at = day * DAY_SECONDS + 3600.0
    for _ in range(live):
        ledger.record_live(at)
    for _ in range(abandons):
        ledger.record_abandon(at)


def test_window_covers_the_last_30_days_only() -> None:
    ledger = AbandonLedger()
    _fill(ledger, 0, abandons=50, live=100)
    _fill(ledger, 10, abandons=1, live=100)
    assert ledger.totals(10 * DAY_SECONDS) == (51, 200)
    assert ledger.totals(29 * DAY_SECONDS + 1) == (51, 200)
    # Day 30 is 31 days after day 0: day 0 has left the window.
    assert ledger.totals(30 * DAY_SECONDS) == (1, 100)
    assert ledger.rate(30 * DAY_SECONDS) == pytest.approx(0.01)


def test_campaign_younger_than_the_window_uses_its_whole_life() -> None:
    ledger = AbandonLedger()
    _fill(ledger, 100, abandons=3, live=100)
    assert ledger.rate(100 * DAY_SECONDS + 7200.0) == pytest.approx(0.03)
    assert AbandonLedger().rate(0.0) == 0.0


def test_old_days_are_pruned_as_new_days_arrive() -> None:
    ledger = AbandonLedger(window_days=2)
    for day in range(5):
        _fill(ledger, day, abandons=0, live=1)
    assert sorted(ledger.days) == [3, 4]


def test_round_trips_through_a_plain_dict() -> None:
    ledger = AbandonLedger()
    _fill(ledger, 3, abandons=2, live=40)
    _fill(ledger, 4, abandons=1, live=60)
    restored = AbandonLedger.from_dict(ledger.to_dict())
    assert restored == ledger
    assert restored.totals(4 * DAY_SECONDS) == (3, 100)


def test_rejects_a_dict_that_is_not_a_ledger() -> None:
    with pytest.raises(ValueError, match="AbandonLedger.to_dict"):
        AbandonLedger.from_dict({"days": {"x": [1]}})


def test_observe_feeds_the_ledger_and_a_restored_pacer_keeps_it() -> None:
    pacer = make_pacer("predictive")
    pacer.observe(DialOutcome(100.0, 10.0, CallOutcome.HUMAN))
    pacer.observe(DialOutcome(101.0, 10.0, CallOutcome.MACHINE))
    pacer.observe(Abandon(102.0, 2.0))
    assert pacer.ledger.totals(200.0) == (1, 1)
    again = make_pacer("progressive", ledger=AbandonLedger.from_dict(pacer.ledger.to_dict()))
    assert again.ledger.totals(200.0) == (1, 1)
