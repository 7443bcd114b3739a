"""Estimators: Kaplan-Meier with censoring, Beta-binomial updates, and the models built on them."""

import numpy as np
import pytest

from pacing.estimators import CallModel, HandleModel
from pacing.events import CallOutcome, DialOutcome
from pacing.rates import BetaRate, KeyedRate
from pacing.survival import GridSurvival, lognormal_survival


def _empty(dt: float = 1.0, t_max: float = 10.0) -> GridSurvival:
    bins = int(t_max / dt)
    return GridSurvival(dt, t_max, np.ones(bins + 1), prior_weight=0.0, half_life=1e12)


def test_kaplan_meier_with_censoring_matches_hand_computation() -> None:
    km = _empty()
    for duration, event in [(1, True), (2, True), (2, False), (3, True), (4, False)]:
        km.add(duration, event)
    # By hand: t=1 5 at risk 1 event -> 0.8; t=2 4 at risk (the censored one counts) -> 0.6;
    # t=3 2 at risk -> 0.3; the censoring at 4 leaves the curve at 0.3.
    assert km.survival()[:6] == pytest.approx([1.0, 1.0, 0.8, 0.6, 0.3, 0.3])


def test_kaplan_meier_forgets_with_half_life() -> None:
    km = GridSurvival(1.0, 10.0, np.ones(11), prior_weight=0.0, half_life=1.0)
    km.add(1)
    km.add(5)
    # The second observation weighs twice the first: 1/3 of the mass ends at 1, 2/3 at 5.
    assert km.survival()[2] == pytest.approx(2 / 3)
    assert km.survival()[6] == pytest.approx(0.0)


def test_prior_alone_gives_the_prior_curve() -> None:
    prior = lognormal_survival(12.0, 6.0, 0.5, 60.0)
    km = GridSurvival(0.5, 60.0, prior, prior_weight=50.0)
    assert km.survival()[:-1] == pytest.approx(prior, abs=0.01)


def test_curve_is_flat_past_thin_data() -> None:
    prior = lognormal_survival(12.0, 8.0, 0.5, 90.0)
    km = GridSurvival(0.5, 90.0, prior, prior_weight=20.0)
    for _ in range(2000):
        km.add(25.0, event=False)  # ring-outs censored at the timeout
    curve = km.survival()
    assert curve[-1] == pytest.approx(curve[60], abs=1e-9)
    assert curve[-1] > 0.9


def test_beta_binomial_update() -> None:
    rate = BetaRate(prior_mean=0.5, prior_strength=2.0, half_life=1e12)
    for success in (True, True, True, False):
        rate.add(success)
    assert rate.alpha == pytest.approx(4.0)
    assert rate.beta == pytest.approx(2.0)
    assert rate.mean == pytest.approx(4 / 6)
    assert rate.variance == pytest.approx(4 * 2 / (36 * 7))


def test_beta_binomial_forgetting_halves_old_evidence() -> None:
    rate = BetaRate(prior_mean=0.5, prior_strength=2.0, half_life=1.0)
    rate.add(True)
    assert (rate.alpha, rate.beta) == pytest.approx((1.5, 0.5))


def test_keyed_rate_shrinks_sparse_keys_to_the_overall_rate() -> None:
    rates = KeyedRate(prior_mean=0.2, half_life=1e12, shrinkage=50.0)
    for i in range(5000):
        rates.add(("big", 9), i % 2 == 0)
    rates.add(("small", 9), True)
    assert rates.mean(("big", 9)) == pytest.approx(0.5, abs=0.01)
    assert rates.mean(("unseen", 3)) == pytest.approx(rates.overall.mean)
    assert abs(rates.mean(("small", 9)) - rates.overall.mean) < 0.02


def test_call_model_learns_the_outcome_mix_and_answer_times() -> None:
    rng = np.random.default_rng(7)
    model = CallModel()
    for _ in range(6000):
        u = rng.random()
        answer = float(np.clip(rng.normal(10.0, 2.0), 1.0, 24.0))
        if u < 0.2:
            event = DialOutcome(0.0, answer, CallOutcome.HUMAN)
        elif u < 0.45:
            event = DialOutcome(0.0, answer, CallOutcome.MACHINE)
        elif u < 0.55:
            event = DialOutcome(0.0, 3.0, CallOutcome.BUSY)
        else:
            event = DialOutcome(0.0, 25.0, CallOutcome.NO_ANSWER)
        model.observe(event)
    horizons = np.array([5.0, 10.0, 30.0])
    # A fresh dial: 20% live, about half of them by the 10 s median.
    assert model.new_dial_within(horizons) == pytest.approx([0.0, 0.1, 0.2], abs=0.02)
    # A call still ringing at 20 s is almost surely a ring-out (answers end near 16 s).
    assert model.live_within(np.array([20.0]), horizons)[0, -1] < 0.01


def test_handle_model_separates_talk_and_wrap() -> None:
    model = HandleModel()
    for _ in range(3000):
        model.observe(talk=100.0, wrap=20.0)
    wrap = model.wrap_ready_within(np.array([10.0]), 15)[0]
    assert wrap[9] < 0.05 and wrap[11] > 0.95  # 10 s in, the 20 s wrap-up ends 10-11 s from now
    talk = model.talk_ready_within(np.array([90.0]), 40)[0]
    assert talk[25] < 0.05 and talk[35] > 0.95  # 10 s of talk left, then 20 s of wrap-up
