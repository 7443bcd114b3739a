"""One test per calling-window rule."""

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from engine.compliance.errors import ComplianceDataError
from engine.compliance.windows import (
    UNKNOWN_KEY,
    CallingHours,
    dialable_keys,
    is_dialable,
    next_dialable_at,
    window_key,
)

OPEN = CallingHours.parse(
    {"weekday": "00:00-23:59", "saturday": "00:00-23:59", "sunday": "00:00-23:59"}
)
NY, CHI, DEN, PHX = "America/New_York", "America/Chicago", "America/Denver", "America/Phoenix"


def local(zone: str, *args: int) -> datetime:
    """An instant given as wall-clock time in ``zone``."""
    return datetime(*args, tzinfo=ZoneInfo(zone))


def dialable(zones: tuple[str, ...], state: str | None, at: datetime,
             hours: CallingHours = OPEN, states: tuple[str, ...] = ("FL", "TX")) -> bool:
    return is_dialable(zones, state, hours, at, states)


def test_federal_window_is_8_to_21_half_open() -> None:
    # Georgia has no stricter rule. Tuesday 10 June 2025.
    assert not dialable((NY,), "GA", local(NY, 2025, 6, 10, 7, 59))
    assert dialable((NY,), "GA", local(NY, 2025, 6, 10, 8, 0))
    assert dialable((NY,), "GA", local(NY, 2025, 6, 10, 20, 59, 59))
    assert not dialable((NY,), "GA", local(NY, 2025, 6, 10, 21, 0))


def test_florida_ends_at_20() -> None:
    assert dialable((NY,), "FL", local(NY, 2025, 6, 10, 19, 59))
    assert not dialable((NY,), "FL", local(NY, 2025, 6, 10, 20, 0))
    assert dialable((NY,), "GA", local(NY, 2025, 6, 10, 20, 0))


def test_campaign_hours_narrow_the_window() -> None:
    hours = CallingHours.parse({"weekday": "10:00-17:00"})
    assert not dialable((NY,), "GA", local(NY, 2025, 6, 10, 9, 30), hours)
    assert dialable((NY,), "GA", local(NY, 2025, 6, 10, 16, 59), hours)
    assert not dialable((NY,), "GA", local(NY, 2025, 6, 14, 12, 0), hours)  # Saturday: closed


def test_texas_sunday_starts_at_noon() -> None:
    sunday = (2025, 6, 15)
    assert not dialable((CHI,), "TX", local(CHI, *sunday, 11, 59))
    assert dialable((CHI,), "TX", local(CHI, *sunday, 12, 0))
    assert dialable((CHI,), "TX", local(CHI, 2025, 6, 14, 9, 0))  # Saturday from 9


@pytest.mark.parametrize("state", ["RI", "AL", "LA", "MS", "UT"])
def test_states_closed_on_sunday(state: str) -> None:
    assert not dialable((NY,), state, local(NY, 2025, 6, 15, 14, 0))
    assert dialable((NY,), state, local(NY, 2025, 6, 16, 14, 0))


def test_rhode_island_weekday_and_saturday_hours() -> None:
    assert not dialable((NY,), "RI", local(NY, 2025, 6, 10, 18, 0))
    assert dialable((NY,), "RI", local(NY, 2025, 6, 14, 16, 59))
    assert not dialable((NY,), "RI", local(NY, 2025, 6, 14, 17, 0))


def test_state_holiday_closure_on_federal_and_observed_holiday() -> None:
    assert not dialable((CHI,), "LA", local(CHI, 2025, 7, 4, 12, 0))
    assert dialable((CHI,), "TX", local(CHI, 2025, 7, 4, 12, 0))
    # 4 July 2026 is a Saturday, observed Friday 3 July.
    assert not dialable((CHI,), "LA", local(CHI, 2026, 7, 3, 12, 0))


def test_campaign_closed_on_holidays() -> None:
    hours = CallingHours.parse({"weekday": "09:00-20:00", "holidays": "closed"})
    assert not dialable((NY,), "GA", local(NY, 2025, 11, 27, 12, 0), hours)  # Thanksgiving
    assert dialable((NY,), "GA", local(NY, 2025, 11, 28, 12, 0), hours)


def test_arizona_has_no_dst_unlike_denver() -> None:
    summer = datetime(2025, 7, 1, 14, 30, tzinfo=UTC)  # Phoenix 07:30, Denver 08:30
    assert not dialable((PHX,), "AZ", summer)
    assert dialable((DEN,), "CO", summer)
    winter = datetime(2025, 1, 7, 14, 30, tzinfo=UTC)  # both 07:30
    assert not dialable((PHX,), "AZ", winter)
    assert not dialable((DEN,), "CO", winter)


def test_navajo_exchange_needs_both_arizona_clocks() -> None:
    zones = ("America/Denver", "America/Phoenix")
    assert not dialable(zones, "AZ", datetime(2025, 7, 1, 14, 30, tzinfo=UTC))
    assert dialable(zones, "AZ", datetime(2025, 7, 1, 15, 0, tzinfo=UTC))
    # 21:00 in Denver is 20:00 in Phoenix: the Denver clock closes the window.
    assert not dialable(zones, "AZ", datetime(2025, 7, 2, 3, 0, tzinfo=UTC))


def test_hawaii() -> None:
    hnl = "Pacific/Honolulu"
    assert dialable((hnl,), "HI", datetime(2025, 1, 10, 18, 0, tzinfo=UTC))  # 08:00 HST
    assert not dialable((hnl,), "HI", datetime(2025, 1, 10, 17, 59, tzinfo=UTC))


@pytest.mark.parametrize(
    ("zone", "state"), [("America/Puerto_Rico", "PR"), ("Pacific/Guam", "GU"),
                        ("Pacific/Pago_Pago", "AS")],
)
def test_territories_use_their_own_clock(zone: str, state: str) -> None:
    assert dialable((zone,), state, local(zone, 2025, 6, 10, 8, 0))
    assert not dialable((zone,), state, local(zone, 2025, 6, 10, 21, 0))


def test_dst_spring_forward() -> None:
    # 9 March 2025: New York moves from UTC-5 to UTC-4 at 02:00 local.
    sunday = CallingHours.parse({"sunday": "08:00-21:00", "saturday": "08:00-21:00"})
    assert dialable((NY,), "GA", datetime(2025, 3, 9, 12, 30, tzinfo=UTC), sunday)  # 08:30 EDT
    assert not dialable((NY,), "GA", datetime(2025, 3, 8, 12, 30, tzinfo=UTC), sunday)  # 07:30 EST


def test_dst_fall_back() -> None:
    # 2 November 2025: New York moves from UTC-4 to UTC-5.
    sunday = CallingHours.parse({"sunday": "08:00-21:00", "saturday": "08:00-21:00"})
    assert not dialable((NY,), "GA", datetime(2025, 11, 2, 12, 30, tzinfo=UTC), sunday)  # 07:30 EST
    assert dialable((NY,), "GA", datetime(2025, 11, 1, 12, 30, tzinfo=UTC), sunday)  # 08:30 EDT


def test_year_end_uses_each_zone_local_date() -> None:
    hours = CallingHours.parse({"weekday": "08:00-21:00", "holidays": "closed"})
    # 31 Dec 2025 20:00 in Chicago is already 1 January in Guam (a holiday there).
    instant = local(CHI, 2025, 12, 31, 20, 0)
    assert dialable((CHI,), "IL", instant, hours)
    assert not dialable(("Pacific/Guam",), "GU", instant, hours)
    assert not dialable((CHI,), "IL", local(CHI, 2026, 1, 1, 12, 0), hours)


def test_area_code_spanning_two_zones_needs_both() -> None:
    zones = ("America/Chicago", "America/Denver")  # 605, South Dakota
    assert not dialable(zones, "SD", local(CHI, 2025, 6, 10, 8, 30))  # Denver 07:30
    assert dialable(zones, "SD", local(CHI, 2025, 6, 10, 9, 0))
    assert not dialable(zones, "SD", local(CHI, 2025, 6, 10, 21, 0))


def test_unknown_location_takes_the_most_restrictive_campaign_state() -> None:
    # Campaign in FL and TX: zones NY, Chicago, Denver; FL ends at 20:00, TX starts at 9:00.
    weekday = (2025, 6, 10)
    assert not dialable((), None, local(DEN, *weekday, 8, 30))  # TX not before 9 in Denver
    assert dialable((), None, local(DEN, *weekday, 9, 0))
    assert dialable((), None, local(NY, *weekday, 19, 59))
    assert not dialable((), None, local(NY, *weekday, 20, 0))  # FL closes in New York
    assert not dialable((), None, local(CHI, 2025, 6, 15, 11, 0))  # TX Sunday rule


def test_unknown_state_with_known_zone_applies_every_campaign_state() -> None:
    at = local(CHI, 2025, 6, 10, 8, 30)
    assert not dialable((CHI,), None, at)  # TX would need 09:00
    assert dialable((CHI,), None, at, states=("FL",))


def test_unknown_location_without_campaign_states_is_never_dialable() -> None:
    at = local(NY, 2025, 6, 10, 12, 0)
    assert not is_dialable((), None, OPEN, at, ())


def test_window_key_is_canonical() -> None:
    assert window_key((NY, CHI), "fl") == window_key((CHI, NY, CHI), "FL")
    assert window_key((CHI, NY), "FL") == "FL|America/Chicago,America/New_York"
    assert window_key((), "FL") == "FL|America/Chicago,America/New_York"
    assert window_key((CHI,), "Florida") == "|America/Chicago"  # unusable state is dropped
    assert window_key((), None) == UNKNOWN_KEY


def test_dialable_keys_filters_a_batch() -> None:
    keys = {window_key((NY,), "FL"), window_key((NY,), "GA"), window_key((CHI,), "FL"),
            UNKNOWN_KEY}
    at = local(NY, 2025, 6, 10, 20, 30)  # FL closed in New York, open in Chicago (19:30)
    assert dialable_keys(keys, OPEN, at, ["FL"]) == {
        "GA|America/New_York", "FL|America/Chicago"}


@pytest.mark.parametrize(
    ("key", "at", "states", "message"),
    [
        ("FL-America/New_York", datetime(2025, 1, 1, tzinfo=UTC), ["FL"], "malformed window key"),
        ("FL|Mars/Olympus", datetime(2025, 1, 1, tzinfo=UTC), ["FL"], "unknown time zone"),
        (UNKNOWN_KEY, datetime(2025, 1, 1), ["FL"], "no time zone"),
        (UNKNOWN_KEY, datetime(2025, 1, 1, tzinfo=UTC), ["Florida"], "unknown campaign state"),
    ],
)
def test_bad_input_gives_one_line_errors(
    key: str, at: datetime, states: list[str], message: str
) -> None:
    with pytest.raises(ComplianceDataError, match=message):
        dialable_keys([key], OPEN, at, states)


def test_next_dialable_at_skips_rhode_island_weekend() -> None:
    saturday_evening = local(NY, 2025, 6, 14, 18, 0)
    assert next_dialable_at((NY,), "RI", OPEN, saturday_evening, ["RI"]) == local(
        NY, 2025, 6, 16, 9, 0)


def test_next_dialable_at_is_after_itself_when_open() -> None:
    at = local(NY, 2025, 6, 10, 12, 0)
    assert next_dialable_at((NY,), "GA", OPEN, at, ["GA"]) == at


def test_next_dialable_at_waits_for_the_latest_zone() -> None:
    at = local(NY, 2025, 6, 10, 6, 0)
    found = next_dialable_at(("America/Chicago", "America/Denver"), "SD", OPEN, at, ["SD"])
    assert found == local(DEN, 2025, 6, 10, 8, 0)


def test_next_dialable_at_none_when_never_open() -> None:
    closed = CallingHours.parse({})
    assert next_dialable_at((NY,), "GA", closed, local(NY, 2025, 6, 10, 6, 0), ["GA"]) is None


def test_next_dialable_at_crosses_dst() -> None:
    after = datetime(2025, 3, 9, 2, 0, tzinfo=UTC)  # 21:00 EST on 8 March
    found = next_dialable_at((NY,), "GA", OPEN, after, ["GA"])
    assert found == datetime(2025, 3, 9, 12, 0, tzinfo=UTC)  # 08:00 EDT
    assert found is not None and found - after == timedelta(hours=10)
