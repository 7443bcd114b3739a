"""The simulator against analytic cases, its bookkeeping, and its determinism."""

import math

import numpy as np
import pytest

from pacing.events import PacerEvent, PacerState
from pacing.factory import make_pacer
from pacing.ledger import AbandonLedger
from pacing.sim.scenario import (
    BENCHMARK,
    Break,
    Login,
    Lognormal,
    Scenario,
    Step,
    scenario_from_dict,
)
from pacing.sim.simulator import simulate


class PoissonDialer:
    """An open-loop dialer: Poisson(rate * tick) calls per tick, whatever the agents are doing."""

    def __init__(self, rate: float, tick: float, seed: int) -> None:
        self.ledger = AbandonLedger()
        self._mean = rate * tick
        self._rng = np.random.default_rng(seed)

    def observe(self, event: PacerEvent) -> None:
        pass

    def decide(self, state: PacerState) -> int:
        return int(self._rng.poisson(self._mean))


def erlang_b(servers: int, load: float) -> float:
    """Blocking probability of an M/G/c/c loss system (insensitive to the service distribution)."""
    b = 1.0
    for k in range(1, servers + 1):
        b = load * b / (k + load * b)
    return b


def test_open_loop_dialer_loses_calls_as_erlang_b_predicts() -> None:
    # Every dial is a live answer, no deadline: each answer finding no free agent is lost,
    # so abandons / answers is the Erlang-B blocking of 5 agents offered 4 Erlangs.
    handle = 60.0
    scenario = Scenario(
        agents=5,
        human=1.0,
        machine=0.0,
        failed=0.0,
        abandon_deadline=0.0,
        talk=Lognormal(handle - 0.01, 30.0),
        wrap=Lognormal(0.01, 0.0),
        day_hours=8.0,
    )
    load = 4.0
    result = simulate(scenario, PoissonDialer(load / handle, scenario.tick, seed=5), seed=5)
    expected = erlang_b(5, load)
    assert expected == pytest.approx(0.1991, abs=1e-4)
    assert result.live > 1500
    assert result.abandon_rate == pytest.approx(expected, abs=0.03)
    assert result.occupancy == pytest.approx(load * (1 - expected) / 5, abs=0.03)


def _truncated_lognormal_mean(shape: Lognormal, below: float) -> float:
    mu, sigma = shape.mu_sigma
    x = np.linspace(1e-6, below, 200_001)
    pdf = np.exp(-((np.log(x) - mu) ** 2) / (2 * sigma**2)) / (x * sigma * math.sqrt(2 * math.pi))
    return float((x * pdf).sum() / pdf.sum())


def test_progressive_occupancy_matches_its_closed_form() -> None:
    # Each agent cycles: dials one call at a time until a live answer, then talks and wraps up.
    # With a 1 s tick every dial waits half a tick on average before it starts.
    sc = BENCHMARK.with_changes(agents=10)
    answer = _truncated_lognormal_mean(sc.answer_time, sc.no_answer_timeout)
    fail = _truncated_lognormal_mean(sc.fail_time, sc.no_answer_timeout)
    other = 1.0 - sc.human - sc.machine - sc.failed
    dead_air = (sc.machine * answer + sc.failed * fail + other * sc.no_answer_timeout) / sc.human
    wait = sc.tick / 2 / sc.human + dead_air + answer
    handle = sc.talk.mean + sc.wrap.mean
    result = simulate(sc, make_pacer("progressive"), seed=11)
    assert result.abandons == 0
    assert result.occupancy == pytest.approx(handle / (handle + wait), abs=0.02)


def test_same_seed_same_run_different_seed_different_run() -> None:
    sc = BENCHMARK.with_changes(agents=6, day_hours=1.0)
    first = simulate(sc, make_pacer("predictive"), seed=3)
    again = simulate(sc, make_pacer("predictive"), seed=3)
    other = simulate(sc, make_pacer("predictive"), seed=4)
    assert first.kpis() == again.kpis()
    assert np.array_equal(first.series_busy, again.series_busy)
    assert first.kpis() != other.kpis()


def test_breaks_and_logins_change_logged_in_time_exactly() -> None:
    hour = 3600.0
    sc = BENCHMARK.with_changes(
        agents=4,
        day_hours=2.0,
        breaks=(Break(start=0.5 * hour, duration=0.25 * hour, agents=2),),
        logins=(Login(at=hour, agents=3),),
    )
    result = simulate(sc, make_pacer("progressive"), seed=1)
    assert result.available == pytest.approx(4 * 2 * hour - 2 * 0.25 * hour + 3 * hour)
    assert 0.0 < result.busy <= result.available


def test_a_contact_rate_step_lowers_live_answers() -> None:
    sc = BENCHMARK.with_changes(agents=5, day_hours=2.0, steps=(Step(at=3600.0, human=0.05),))
    result = simulate(sc, make_pacer("progressive"), seed=2)
    live = result.series_live.reshape(2, -1).sum(axis=1)
    assert live[1] < 0.6 * live[0]


def test_scenario_from_a_toml_shaped_dict() -> None:
    sc = scenario_from_dict(
        {
            "agents": 7,
            "talk": {"mean": 100.0, "sd": 50.0},
            "breaks": [{"start": 60.0, "duration": 600.0, "agents": 2}],
        }
    )
    assert sc.agents == 7 and sc.talk == Lognormal(100.0, 50.0) and sc.breaks[0].agents == 2
    assert sc.wrap == BENCHMARK.wrap
    assert scenario_from_dict(sc.to_dict()) == sc


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"agentz": 3}, "unknown scenario key"),
        ({"no_answer_timeout": 10.0}, "at least 15 s"),
        ({"human": 0.7, "machine": 0.5}, "sum to at most 1"),
        ({"talk": {"mean": 100.0}}, "bad talk"),
        ({"breaks": {"start": 1}}, "array of tables"),
    ],
)
def test_scenario_errors_name_the_fix(data: dict, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        scenario_from_dict(data)
