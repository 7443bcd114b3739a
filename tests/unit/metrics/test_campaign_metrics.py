"""Campaign metrics against hand-computed values, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest
from sqlalchemy import Engine

from engine.metrics.campaign import OUTCOMES, LiveCounters, campaign_metrics
from tests.unit.leads import seed
from tests.unit.metrics.attempts import attempt

NOW = datetime(2024, 3, 12, 17, 30, tzinfo=UTC)
MIDNIGHT = datetime(2024, 3, 12, tzinfo=UTC)
LIVE = LiveCounters(
    in_flight=5,
    waiting=1,
    agents_logged_in=7,
    agents_ready=1,
    agents_on_call=2,
    agents_wrap_up=1,
    agents_paused=3,
)


@pytest.fixture
def campaign(db_engine: Engine) -> tuple[int, int]:
    campaign_id = seed.campaign(db_engine, abandon_target=0.025)
    return campaign_id, seed.contact(db_engine, campaign_id, "+12125550101", zip_code="10001")


def at(clock: str) -> datetime:
    """A time today, "HH:MM"."""
    hours, minutes = clock.split(":")
    return MIDNIGHT.replace(hour=int(hours), minute=int(minutes))


def test_every_metric_matches_a_hand_count(db_engine: Engine, campaign: tuple[int, int]) -> None:
    campaign_id, contact = campaign
    # The last hour is 16:30-17:30.
    attempt(
        db_engine,
        campaign_id,
        contact,
        at("17:00"),
        "connected",
        talk_seconds=120,
        disposition="SUP",
    )
    attempt(
        db_engine, campaign_id, contact, at("17:10"), "connected", talk_seconds=60, disposition="NI"
    )
    attempt(db_engine, campaign_id, contact, at("17:20"), "abandoned")
    attempt(db_engine, campaign_id, contact, at("17:25"), "callee_hangup")
    attempt(db_engine, campaign_id, contact, at("17:05"), "no_answer")
    attempt(db_engine, campaign_id, contact, at("16:45"), "machine")
    attempt(db_engine, campaign_id, contact, at("17:29"), None)  # still ringing
    # Earlier today.
    attempt(
        db_engine,
        campaign_id,
        contact,
        at("10:00"),
        "connected",
        talk_seconds=300,
        disposition="SUP",
    )
    attempt(db_engine, campaign_id, contact, at("16:00"), "busy")
    # Yesterday: only in the 30-day window.
    attempt(db_engine, campaign_id, contact, MIDNIGHT - timedelta(hours=1), "abandoned")
    attempt(
        db_engine, campaign_id, contact, MIDNIGHT - timedelta(hours=2), "connected", talk_seconds=30
    )
    # After `now`, and another campaign's call: neither counts.
    attempt(db_engine, campaign_id, contact, NOW + timedelta(minutes=1), "abandoned")
    other = seed.campaign(db_engine, "other")
    attempt(
        db_engine,
        other,
        seed.contact(db_engine, other, "+12125550102", zip_code="10001"),
        at("17:15"),
        "abandoned",
    )

    metrics = campaign_metrics(db_engine, campaign_id, NOW, LIVE, occupancy=0.8)

    assert (metrics.name, metrics.status, metrics.mode) == ("gotv", "draft", "predictive")
    assert metrics.dial_level == 5 / 4  # ready + on call + wrap-up
    assert (metrics.dialed_last_hour, metrics.dialed_today) == (7, 9)
    assert metrics.live_answers_last_hour == 4
    assert metrics.contact_rate == pytest.approx(4 / 7)
    assert (metrics.live_answers_today, metrics.abandoned_today) == (5, 1)
    assert metrics.abandon_rate_today == pytest.approx(1 / 5)
    assert (metrics.live_answers_30d, metrics.abandoned_30d) == (7, 2)
    assert metrics.abandon_rate_30d == pytest.approx(2 / 7)
    assert metrics.abandon_target == 0.025
    assert metrics.average_handle_seconds == pytest.approx(90.0, abs=1e-3)
    assert metrics.occupancy == 0.8
    assert metrics.calls_per_hour == 2
    assert (metrics.connected_today, metrics.successes_today) == (3, 2)
    assert metrics.conversion_rate == pytest.approx(2 / 3)
    assert metrics.outcomes_today == dict.fromkeys(OUTCOMES, 0) | {
        "connected": 3,
        "abandoned": 1,
        "callee_hangup": 1,
        "no_answer": 1,
        "machine": 1,
        "busy": 1,
    }


def test_the_30_day_window_starts_at_midnight_29_days_before_today(
    db_engine: Engine, campaign: tuple[int, int]
) -> None:
    campaign_id, contact = campaign
    first_day = MIDNIGHT - timedelta(days=29)
    attempt(db_engine, campaign_id, contact, first_day, "abandoned")
    attempt(db_engine, campaign_id, contact, first_day, "connected", talk_seconds=60)
    attempt(db_engine, campaign_id, contact, first_day - timedelta(microseconds=1), "abandoned")
    attempt(
        db_engine, campaign_id, contact, first_day - timedelta(days=1), "connected", talk_seconds=60
    )

    metrics = campaign_metrics(db_engine, campaign_id, NOW, LIVE)

    assert (metrics.abandoned_30d, metrics.live_answers_30d) == (1, 2)
    assert metrics.abandon_rate_30d == 0.5
    assert metrics.dialed_today == 0


def test_just_after_midnight_the_last_hour_includes_yesterdays_calls(
    db_engine: Engine, campaign: tuple[int, int]
) -> None:
    campaign_id, contact = campaign
    attempt(
        db_engine,
        campaign_id,
        contact,
        MIDNIGHT - timedelta(minutes=15),
        "connected",
        talk_seconds=40,
    )
    attempt(db_engine, campaign_id, contact, MIDNIGHT + timedelta(minutes=10), "no_answer")

    metrics = campaign_metrics(db_engine, campaign_id, MIDNIGHT + timedelta(minutes=30), LIVE)

    assert (metrics.dialed_last_hour, metrics.calls_per_hour, metrics.dialed_today) == (2, 1, 1)
    assert metrics.average_handle_seconds == pytest.approx(40.0, abs=1e-3)
    assert metrics.connected_today == 0


def test_a_quiet_campaign_has_no_ratios_rather_than_zeros(
    db_engine: Engine, campaign: tuple[int, int]
) -> None:
    nobody = LiveCounters(
        in_flight=3,
        waiting=0,
        agents_logged_in=2,
        agents_ready=0,
        agents_on_call=0,
        agents_wrap_up=0,
        agents_paused=2,
    )

    metrics = campaign_metrics(db_engine, campaign[0], NOW, nobody)

    assert metrics.dial_level == 3.0  # all paused: lines per one agent, not a division by zero
    assert (metrics.contact_rate, metrics.abandon_rate_today, metrics.abandon_rate_30d) == (
        None,
        None,
        None,
    )
    assert (metrics.average_handle_seconds, metrics.conversion_rate, metrics.occupancy) == (
        None,
        None,
        None,
    )
    assert metrics.outcomes_today == dict.fromkeys(OUTCOMES, 0)


def test_today_is_the_utc_day_whatever_zone_now_is_given_in(
    db_engine: Engine, campaign: tuple[int, int]
) -> None:
    campaign_id, contact = campaign
    attempt(db_engine, campaign_id, contact, datetime(2024, 3, 12, 23, 0, tzinfo=UTC), "busy")
    attempt(db_engine, campaign_id, contact, datetime(2024, 3, 13, 1, 0, tzinfo=UTC), "busy")
    # 21:00 on the 12th in New York is 02:00 on the 13th UTC.
    evening_in_new_york = datetime(2024, 3, 12, 21, 0, tzinfo=timezone(timedelta(hours=-5)))

    assert campaign_metrics(db_engine, campaign_id, evening_in_new_york, LIVE).dialed_today == 1


def test_unknown_campaign_and_naive_now_are_refused(db_engine: Engine) -> None:
    with pytest.raises(LookupError, match="no campaign with id 999"):
        campaign_metrics(db_engine, 999, NOW, LIVE)
    with pytest.raises(ValueError, match="timezone-aware"):
        campaign_metrics(db_engine, 999, NOW.replace(tzinfo=None), LIVE)
