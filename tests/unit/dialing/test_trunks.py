"""Trunk limits: channels and calls per second, under a fake clock."""

from dataclasses import dataclass

import pytest
from hypothesis import given
from hypothesis import strategies as st

from engine.dialing.trunks import TrunkLimiter, TrunkPool


@dataclass
class FakeClock:
    """A clock the test moves by hand."""

    now: float = 0.0

    def __call__(self) -> float:
        return self.now


# One step of a random history: move the clock, attempt some calls, end some calls.
STEPS = st.lists(
    st.tuples(
        st.floats(min_value=0.0, max_value=0.7, allow_nan=False),
        st.integers(min_value=0, max_value=6),
        st.integers(min_value=0, max_value=4),
    ),
    max_size=120,
)


def _run(
    limiter: TrunkLimiter, clock: FakeClock, steps: list[tuple[float, int, int]]
) -> list[float]:
    """Play ``steps`` against ``limiter``; the start time of every call it let through."""
    starts: list[float] = []
    for advance, attempts, releases in steps:
        clock.now += advance
        for _ in range(attempts):
            if limiter.try_acquire():
                starts.append(clock.now)
            assert 0 <= limiter.in_use <= limiter.max_channels
        for _ in range(min(releases, limiter.in_use)):
            limiter.release()
    return starts


@given(max_cps=st.sampled_from([0.25, 0.5, 1, 2, 2.5, 5, 10, 30]), steps=STEPS)
def test_cps_never_exceeded_in_any_window(
    max_cps: float, steps: list[tuple[float, int, int]]
) -> None:
    clock = FakeClock()
    limiter = TrunkLimiter("t", max_channels=1000, max_cps=max_cps, clock=clock)
    starts = _run(limiter, clock, steps)
    # Below 1 cps the budget is one call per 1/max_cps seconds.
    window = max(1.0, 1.0 / max_cps)
    for first in starts:
        in_window = [t for t in starts if 0 <= t - first < window]
        assert len(in_window) <= max(1.0, max_cps * window)


@given(max_channels=st.integers(min_value=1, max_value=5), steps=STEPS)
def test_channels_never_exceed_max(max_channels: int, steps: list[tuple[float, int, int]]) -> None:
    clock = FakeClock()
    limiter = TrunkLimiter("t", max_channels=max_channels, max_cps=50, clock=clock)
    starts = _run(limiter, clock, steps)
    assert limiter.in_use <= max_channels
    assert limiter.available() <= max_channels - limiter.in_use
    assert len(starts) >= limiter.in_use


@given(
    max_channels=st.integers(min_value=1, max_value=8),
    max_cps=st.sampled_from([0.5, 1, 3, 10]),
    steps=STEPS,
)
def test_available_is_exactly_how_many_can_start_now(
    max_channels: int, max_cps: float, steps: list[tuple[float, int, int]]
) -> None:
    clock = FakeClock()
    limiter = TrunkLimiter("t", max_channels=max_channels, max_cps=max_cps, clock=clock)
    _run(limiter, clock, steps)
    expected = limiter.available()
    assert [limiter.try_acquire() for _ in range(expected + 1)] == [True] * expected + [False]


def test_burst_up_to_cps_then_refill_after_one_second() -> None:
    clock = FakeClock()
    limiter = TrunkLimiter("t", max_channels=100, max_cps=10, clock=clock)
    assert limiter.available() == 10
    assert sum(limiter.try_acquire() for _ in range(15)) == 10
    clock.now = 0.999
    assert limiter.available() == 0
    clock.now = 1.0
    assert limiter.available() == 10


def test_sustained_rate_reaches_the_limit() -> None:
    clock = FakeClock()
    limiter = TrunkLimiter("t", max_channels=1000, max_cps=10, clock=clock)
    for tick in range(1000):  # 10 s in 10 ms ticks
        clock.now = tick / 100
        limiter.try_acquire()
    assert limiter.in_use == 100


def test_fractional_cps_below_one_spaces_calls() -> None:
    clock = FakeClock()
    limiter = TrunkLimiter("t", max_channels=10, max_cps=0.5, clock=clock)
    assert limiter.try_acquire()
    clock.now = 1.9
    assert not limiter.try_acquire()
    clock.now = 2.0
    assert limiter.try_acquire()


def test_release_frees_a_channel() -> None:
    clock = FakeClock()
    limiter = TrunkLimiter("t", max_channels=2, max_cps=100, clock=clock)
    assert limiter.try_acquire() and limiter.try_acquire()
    assert not limiter.try_acquire()
    assert limiter.available() == 0
    limiter.release()
    assert limiter.in_use == 1
    assert limiter.available() == 1
    assert limiter.try_acquire()


def test_refused_acquire_takes_nothing() -> None:
    clock = FakeClock()
    limiter = TrunkLimiter("t", max_channels=5, max_cps=1, clock=clock)
    assert limiter.try_acquire()
    assert not limiter.try_acquire()
    assert limiter.in_use == 1


def test_release_without_a_call_is_refused() -> None:
    limiter = TrunkLimiter("t", max_channels=1, max_cps=1, clock=FakeClock())
    with pytest.raises(ValueError, match="release once per acquired call"):
        limiter.release()


@pytest.mark.parametrize(
    ("name", "channels", "cps", "message"),
    [
        ("", 1, 1, "trunk name is empty"),
        ("t", 0, 1, "max_channels must be at least 1"),
        ("t", 1, 0, "max_cps must be a positive number"),
        ("t", 1, float("nan"), "max_cps must be a positive number"),
        ("t", 1, float("inf"), "max_cps must be a positive number"),
    ],
)
def test_bad_limits_are_refused(name: str, channels: int, cps: float, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        TrunkLimiter(name, channels, cps)


def test_pool_spreads_equal_trunks_evenly() -> None:
    clock = FakeClock()
    pool = TrunkPool([TrunkLimiter(name, 10, 100, clock=clock) for name in ("a", "b", "c")])
    chosen = [pool.acquire() for _ in range(9)]
    assert chosen == ["a", "b", "c"] * 3


def test_pool_prefers_most_free_channels() -> None:
    clock = FakeClock()
    small = TrunkLimiter("small", 2, 100, clock=clock)
    big = TrunkLimiter("big", 5, 100, clock=clock)
    pool = TrunkPool([small, big])
    assert [pool.acquire() for _ in range(3)] == ["big", "big", "big"]
    assert pool.acquire() == "small"  # 2 free each now: the order given breaks the tie


def test_pool_skips_a_trunk_without_cps_slot() -> None:
    clock = FakeClock()
    slow = TrunkLimiter("slow", 50, 1, clock=clock)
    fast = TrunkLimiter("fast", 5, 100, clock=clock)
    pool = TrunkPool([slow, fast])
    assert [pool.acquire() for _ in range(3)] == ["slow", "fast", "fast"]
    assert pool.available() == 3


def test_pool_exhausted_then_release() -> None:
    clock = FakeClock()
    pool = TrunkPool([TrunkLimiter("a", 1, 10, clock=clock), TrunkLimiter("b", 1, 10, clock=clock)])
    assert {pool.acquire(), pool.acquire()} == {"a", "b"}
    assert pool.available() == 0
    assert pool.acquire() is None
    pool.release("b")
    assert pool.available() == 1
    assert pool.acquire() == "b"


def test_pool_release_of_unknown_trunk_is_refused() -> None:
    pool = TrunkPool([TrunkLimiter("a", 1, 1, clock=FakeClock())])
    with pytest.raises(ValueError, match="unknown trunk 'z'; the pool has: a"):
        pool.release("z")


def test_pool_refuses_duplicates_and_empty() -> None:
    clock = FakeClock()
    with pytest.raises(ValueError, match="listed twice"):
        TrunkPool([TrunkLimiter("a", 1, 1, clock=clock), TrunkLimiter("a", 2, 1, clock=clock)])
    with pytest.raises(ValueError, match="pool is empty"):
        TrunkPool([])
