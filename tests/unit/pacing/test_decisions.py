"""Decisions: closed forms for the simple policies, the lookahead rule, hard caps, small teams."""

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pacing.events import AgentState, CallHandled, CallOutcome, DialOutcome, PacerState
from pacing.factory import make_pacer
from pacing.ledger import AbandonLedger
from pacing.lookahead import largest_safe_dials, moments
from pacing.margin import MarginController
from pacing.predictive import PredictivePacer

R, C, W, P = AgentState.READY, AgentState.ON_CALL, AgentState.WRAP_UP, AgentState.PAUSED


def _state(
    agents: list[tuple[AgentState, float]], ringing: list[float] = (), **caps: object
) -> PacerState:
    return PacerState.from_agents(1000.0, agents, ringing, **caps)


def _warm(pacer: PredictivePacer) -> PredictivePacer:
    for i in range(200):
        outcome = (
            CallOutcome.HUMAN,
            CallOutcome.MACHINE,
            CallOutcome.NO_ANSWER,
            CallOutcome.BUSY,
            CallOutcome.NO_ANSWER,
        )[i % 5]
        ring = {CallOutcome.NO_ANSWER: 25.0, CallOutcome.BUSY: 3.0}.get(outcome, 8.0 + i % 9)
        pacer.observe(DialOutcome(float(i), ring, outcome))
        pacer.observe(CallHandled(float(i), talk=120.0 + i % 60, wrap=30.0))
    return pacer


def test_progressive_is_one_call_per_ready_agent() -> None:
    state = _state([(R, 5.0), (R, 1.0), (R, 0.0), (C, 40.0), (W, 3.0)], ringing=[2.0])
    assert make_pacer("progressive").decide(state) == 3 - 1


def test_progressive_counts_answered_calls_waiting() -> None:
    state = PacerState.from_agents(0.0, [(R, 1.0), (R, 2.0)], [], waiting=1)
    assert make_pacer("progressive").decide(state) == 1


def test_preview_never_dials() -> None:
    assert make_pacer("preview").decide(_state([(R, 5.0)] * 4)) == 0


def test_power_keeps_ratio_lines_per_ready_or_active_agent() -> None:
    state = _state([(R, 5.0), (R, 1.0), (C, 40.0), (W, 3.0)], ringing=[2.0, 3.0])
    assert make_pacer("power", ratio=2.5).decide(state) == math.floor(2.5 * 2) - 2
    assert make_pacer("power", ratio=1.5, tally="active").decide(state) == math.floor(1.5 * 4) - 2


def test_lookahead_deterministic_case_is_exact() -> None:
    # Three agents sure to be free, nothing ringing, each dial surely live by h: dial 3.
    zeros = np.zeros(4)
    supply = (np.full(4, 3.0), zeros)
    assert largest_safe_dials(supply, (zeros, zeros), np.ones(4), margin=0.0, limit=50) == 3
    # Each dial live with probability 1/2: at zero margin, expected answers <= 3.5 allows 7.
    assert largest_safe_dials(supply, (zeros, zeros), np.full(4, 0.5), margin=0.0, limit=50) == 7


def test_lookahead_margin_matches_the_normal_bound_by_hand() -> None:
    # One horizon: supply 5 (var 0), demand 0, q = 0.2: n*0.2 + z*sqrt(n*0.16) - 5 <= 1/2.
    z = 1.5
    expected = max(n for n in range(200) if 0.2 * n + z * math.sqrt(0.16 * n) <= 5.5)
    got = largest_safe_dials(
        (np.array([5.0]), np.array([0.0])),
        (np.array([0.0]), np.array([0.0])),
        np.array([0.2]),
        margin=z,
        limit=200,
    )
    assert got == expected == 15


def _brute_force_dials(supply, demand, q, margin, limit, negligible, slack: float = 0.0) -> int:
    """The definition: the largest n whose every prefix 0..n is safe at every horizon.

    ``slack`` moves both thresholds a hair, to tell a real disagreement from a tie that
    floating point may round either way.
    """
    for n in range(limit + 1):
        mean = demand[0] + n * q
        spread = np.sqrt(demand[1] + supply[1] + n * q * (1.0 - q))
        safe = (mean - supply[0] + margin * spread <= 0.5 + slack) | (mean <= negligible + slack)
        if not safe.all():
            return max(n - 1, 0)
    return limit


_horizon_values = st.lists(st.floats(0.0, 8.0), min_size=3, max_size=3)


@settings(max_examples=300, deadline=None)
@given(
    supply_mean=_horizon_values,
    supply_var=_horizon_values,
    demand_mean=_horizon_values,
    demand_var=_horizon_values,
    q=st.lists(
        st.sampled_from([0.0, 0.05, 0.2, 0.5, 1.0]) | st.floats(0.0, 1.0), min_size=3, max_size=3
    ),
    margin=st.floats(-3.0, 6.0),
    limit=st.integers(0, 60),
)
def test_closed_form_dial_count_matches_trying_every_n(
    supply_mean, supply_var, demand_mean, demand_var, q, margin, limit
) -> None:
    supply = (np.array(supply_mean), np.array(supply_var))
    demand = (np.array(demand_mean), np.array(demand_var))
    q = np.array(q)
    # Exact ties (0.5 + 1e-12 against 0.5) may round either way; anything else must agree.
    strict = _brute_force_dials(supply, demand, q, margin, limit, 0.05, slack=-1e-9)
    lenient = _brute_force_dials(supply, demand, q, margin, limit, 0.05, slack=1e-9)
    assert strict <= largest_safe_dials(supply, demand, q, margin, limit, 0.05) <= lenient


def test_lookahead_returns_zero_when_already_over_committed() -> None:
    supply = (np.array([1.0]), np.array([0.0]))
    demand = (np.array([2.0]), np.array([0.5]))
    assert largest_safe_dials(supply, demand, np.array([0.2]), margin=0.0, limit=10) == 0


def test_moments_of_a_poisson_binomial() -> None:
    p = np.array([[0.1, 0.5], [0.9, 0.5]])
    mean, var = moments(p, sure=2.0)
    assert mean == pytest.approx([3.0, 3.0])
    assert var == pytest.approx([0.18, 0.5])


def test_predictive_warms_up_progressively() -> None:
    state = _state([(R, 5.0), (R, 1.0), (W, 20.0), (C, 40.0)], ringing=[2.0])
    assert make_pacer("predictive").decide(state) == 1


def test_predictive_dials_ahead_for_agents_about_to_finish() -> None:
    pacer = _warm(make_pacer("predictive"))
    state = _state([(W, 25.0)] * 10 + [(C, 60.0)] * 10)
    assert pacer.decide(state) > 0  # nobody is ready, yet agents in wrap-up will be soon
    assert make_pacer("progressive").decide(state) == 0


def test_predictive_small_team_dials_progressively() -> None:
    pacer = _warm(make_pacer("predictive"))
    state = _state([(R, 10.0), (W, 25.0), (P, 100.0)])
    assert pacer.decide(state) == 1


def test_predictive_never_dials_with_nobody_logged_in_or_all_paused() -> None:
    pacer = _warm(make_pacer("predictive"))
    assert pacer.decide(_state([])) == 0
    assert pacer.decide(_state([(P, 10.0)] * 8)) == 0


def test_exact_finish_uses_the_revealed_times() -> None:
    pacer = _warm(make_pacer("predictive", exact_finish=True))
    busy = [(C, 60.0)] * 10
    soon = PacerState.from_agents(0.0, busy, [], finish_in=np.full(10, 3.0))
    late = PacerState.from_agents(0.0, busy, [], finish_in=np.full(10, 500.0))
    assert pacer.decide(soon) > 0
    assert pacer.decide(late) == 0


_agent = st.tuples(st.sampled_from(list(AgentState)), st.floats(0.0, 900.0))


@settings(max_examples=60, deadline=None)
@given(
    agents=st.lists(_agent, max_size=40),
    ringing=st.lists(st.floats(0.0, 30.0), max_size=40),
    lines=st.floats(0.5, 4.0),
    trunk=st.one_of(st.none(), st.integers(-3, 30)),
    cps=st.one_of(st.none(), st.integers(0, 10)),
    waiting=st.integers(0, 3),
)
def test_every_policy_respects_the_hard_caps(agents, ringing, lines, trunk, cps, waiting) -> None:
    state = PacerState.from_agents(
        0.0,
        agents,
        ringing,
        waiting=waiting,
        lines_per_agent=lines,
        trunk_channels_free=trunk,
        cps_budget=cps,
    )
    line_room = math.floor(lines * state.active + 1e-9) - len(ringing) - waiting
    pacers = [
        make_pacer("progressive"),
        make_pacer("power", ratio=3.0, tally="active"),
        make_pacer("adapt_hard_limit", start_level=3.0),
        _warm(make_pacer("predictive", initial_margin=-3.0)),
    ]
    for pacer in pacers:
        n = pacer.decide(state)
        assert 0 <= n <= max(line_room, 0)
        assert trunk is None or n <= max(trunk, 0)
        assert cps is None or n <= cps


def test_factory_rejects_unknown_modes_and_settings() -> None:
    with pytest.raises(ValueError, match="unknown dial mode"):
        make_pacer("turbo")
    with pytest.raises(ValueError, match="unknown predictive setting"):
        make_pacer("predictive", speed=3)
    with pytest.raises(ValueError, match="positive"):
        make_pacer("power", ratio=0)


def test_predictive_totals_table_matches_the_estimators() -> None:
    # The per-tick gather must give the sums of the estimators' own probabilities.
    pacer = _warm(make_pacer("predictive"))
    state = _state([(R, 1.0), (C, 95.5), (C, 3.2), (W, 12.7), (P, 40.0)], ringing=[0.4, 7.9, 24.0])
    calls = pacer.calls.live_table(pacer._steps)
    ready = pacer.handles.ready_table(pacer._steps + 2, 2)
    pacer._totals.update(ready, calls)
    gap, variance, demand = pacer._totals.totals(state, calls.per_second)
    horizons = np.arange(pacer._steps, dtype=np.float64)
    ringing = pacer.calls.live_within(state.calls_elapsed, horizons)
    talking = pacer.handles.talk_ready_within(np.array([95.5, 3.2]), 28)[:, 2:]
    wrapping = pacer.handles.wrap_ready_within(np.array([12.7]), 28)[:, 2:]
    agents = np.vstack((talking, wrapping))
    q = pacer.calls.new_dial_within(horizons)
    assert demand == pytest.approx(ringing.sum(axis=0) + q)
    assert gap == pytest.approx(ringing.sum(axis=0) + q - 1.0 - agents.sum(axis=0))
    expected_var = (ringing * (1 - ringing)).sum(axis=0) + (agents * (1 - agents)).sum(axis=0)
    assert variance == pytest.approx(expected_var + q * (1 - q))


def test_vicidial_emulation_at_level_one_is_progressive() -> None:
    state = _state([(R, 5.0)] * 3 + [(C, 40.0)] * 5 + [(W, 2.0)], ringing=[2.0])
    assert (
        make_pacer("adapt_hard_limit").decide(state) == make_pacer("progressive").decide(state) == 2
    )


def test_margin_controller_balances_at_the_aimed_rate() -> None:
    ledger = AbandonLedger()
    controller = MarginController(target=0.03, operating_target=0.025, z=1.0, gain=0.1)
    assert controller.aim(ledger, 0.0) == pytest.approx(0.025)
    # 1 abandon per 40 live answers is exactly 2.5%: the margin ends where it began.
    for _ in range(40):
        controller.on_live_answer(ledger, 0.0)
    controller.on_abandon()
    assert controller.z == pytest.approx(1.0)


def test_margin_controller_aims_lower_when_the_window_is_spent() -> None:
    ledger = AbandonLedger()
    for _ in range(2000):
        ledger.record_live(0.0)
    for _ in range(100):
        ledger.record_abandon(0.0)  # 5% so far: the next answers must run far under target
    controller = MarginController(target=0.03, operating_target=0.025)
    assert controller.aim(ledger, 0.0) == pytest.approx(0.025 / 4)
