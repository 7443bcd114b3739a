"""The VICIdial ADAPT_HARD_LIMIT emulation against VICIdial's documented behaviour."""

import pytest

from pacing.events import Abandon, AgentState, CallOutcome, DialOutcome, PacerState
from pacing.factory import make_pacer
from pacing.vicidial import AdaptHardLimitPacer

R, C = AgentState.READY, AgentState.ON_CALL


def _state(now: float, ready: int, talking: int, waiting: int = 0) -> PacerState:
    return PacerState.from_agents(now, [(R, 1.0)] * ready + [(C, 30.0)] * talking, waiting=waiting)


def _level_after_one_interval(pacer: AdaptHardLimitPacer, ready: int, talking: int) -> float:
    """Feed 16 one-second ticks (the first starts the 15 s clock) and return the new level."""
    for second in range(16):
        pacer.decide(_state(float(second), ready, talking))
    return pacer.level


def test_level_rises_by_the_share_of_agents_waiting() -> None:
    # 2 of 20 counted agents waiting on average: +10%.
    pacer = make_pacer("adapt_hard_limit", start_level=2.0)
    assert _level_after_one_interval(pacer, ready=2, talking=18) == pytest.approx(2.2)


def test_intensity_scales_rises_and_falls_by_that_many_per_cent() -> None:
    # VICIdial's help: +10 makes a rise 10% larger and a fall 10% smaller; -10 the reverse.
    rise = {i: make_pacer("adapt_hard_limit", start_level=2.0, intensity=i) for i in (0, 10, -10)}
    gained = {i: _level_after_one_interval(p, ready=2, talking=18) - 2.0 for i, p in rise.items()}
    assert gained[10] == pytest.approx(1.1 * gained[0])
    assert gained[-10] == pytest.approx(0.9 * gained[0])
    fall = {i: make_pacer("adapt_hard_limit", start_level=2.0, intensity=i) for i in (0, 10)}
    lost = {}
    for i, pacer in fall.items():
        for second in range(16):
            pacer.decide(_state(float(second), ready=0, talking=20, waiting=2))
        lost[i] = 2.0 - pacer.level
    assert lost[10] == pytest.approx(0.9 * lost[0])


def test_difference_target_minus_one_keeps_one_agent_waiting() -> None:
    # "-1 if you would always like to have on average one agent free": one waiting agent is the
    # aim, so the level holds; with the default target 0 it rises.
    aimed = make_pacer("adapt_hard_limit", start_level=2.0, diff_target=-1)
    assert _level_after_one_interval(aimed, ready=1, talking=19) == pytest.approx(2.0)
    default = make_pacer("adapt_hard_limit", start_level=2.0)
    assert _level_after_one_interval(default, ready=1, talking=19) > 2.0


def _drop_day(pacer: AdaptHardLimitPacer, dials: int) -> None:
    """A day so far: ``dials`` dials, 10 live answers, 1 of them dropped (10%)."""
    for i in range(dials):
        outcome = CallOutcome.HUMAN if i < 10 else CallOutcome.NO_ANSWER
        pacer.observe(DialOutcome(float(i), 10.0, outcome))
    pacer.observe(Abandon(10.0))


def test_hard_limit_holds_level_one_once_over_the_drop_limit_after_50_calls() -> None:
    state = _state(100.0, ready=4, talking=0)
    early = make_pacer("adapt_hard_limit", start_level=3.0)
    _drop_day(early, dials=40)
    # Under VICIdial's 50-call gate the 10% drop rate does not bind: 3 lines per ready agent.
    assert early.decide(state) == 12
    late = make_pacer("adapt_hard_limit", start_level=3.0)
    _drop_day(late, dials=60)
    assert late.decide(state) == 4  # level 1.0: one line per counted agent
    assert late.level == 3.0  # the adapted level is kept for when the rate falls again


def test_available_only_tally_counts_ready_agents_only() -> None:
    state = _state(0.0, ready=2, talking=6)
    assert make_pacer("adapt_hard_limit", start_level=2.0).decide(state) == 16 - 6
    assert make_pacer("adapt_hard_limit", start_level=2.0, available_only=True).decide(state) == 4


@pytest.mark.parametrize(
    ("settings", "message"),
    [
        ({"intensity": 41}, "-40 to 40"),
        ({"diff_target": -41}, "-40 to 40"),
        ({"max_level": 0.5}, "start_level <= max_level"),
        ({"drop_limit": 3.0}, "fraction"),
    ],
)
def test_settings_outside_vicidials_ranges_are_refused(settings: dict, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        make_pacer("adapt_hard_limit", **settings)
