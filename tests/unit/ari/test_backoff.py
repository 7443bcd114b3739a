"""Reconnect backoff: grows exponentially, stays within its cap, jitters downwards only."""

import pytest

from engine.ari import Backoff


def test_grows_then_caps() -> None:
    backoff = Backoff(initial=0.2, cap=5.0, jitter=0.5)
    no_jitter = [backoff.delay(n, uniform=lambda: 0.0) for n in range(8)]
    assert no_jitter == pytest.approx([0.2, 0.4, 0.8, 1.6, 3.2, 5.0, 5.0, 5.0])


def test_jitter_bounds() -> None:
    backoff = Backoff(initial=0.2, cap=5.0, jitter=0.5)
    assert backoff.delay(0, uniform=lambda: 0.999999) == pytest.approx(0.1, rel=1e-5)
    for attempt in range(200):
        assert 0.1 <= backoff.delay(attempt) <= 5.0


def test_huge_attempt_counts_do_not_overflow() -> None:
    assert Backoff().delay(10_000, uniform=lambda: 0.0) == 5.0


@pytest.mark.parametrize("kwargs", [{"initial": 0}, {"initial": 6, "cap": 5}, {"jitter": 1}])
def test_rejects_nonsense(kwargs: dict[str, float]) -> None:
    with pytest.raises(ValueError):
        Backoff(**kwargs)
