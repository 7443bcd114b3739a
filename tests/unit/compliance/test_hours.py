"""Parsing a campaign's calling hours."""

from datetime import time

import pytest

from engine.compliance.errors import ComplianceDataError
from engine.compliance.hours import CallingHours, Window, intersect


def test_parse_dict() -> None:
    hours = CallingHours.parse(
        {"weekday": "09:00-20:30", "saturday": "10:00-18:00", "sunday": None, "holidays": "closed"}
    )
    assert hours.weekday == Window(time(9), time(20, 30))
    assert hours.saturday == Window(time(10), time(18))
    assert hours.sunday is None
    assert hours.closed_on_holidays


def test_missing_days_are_closed_and_holidays_open_by_default() -> None:
    hours = CallingHours.parse({"weekday": "09:00-17:00"})
    assert hours.saturday is None and hours.sunday is None
    assert not hours.closed_on_holidays


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"weekday": "9am-5pm"}, "write it as 'HH:MM-HH:MM'"),
        ({"weekday": "17:00-09:00"}, "is empty"),
        ({"monday": "09:00-17:00"}, "unknown calling-hours key"),
        ({"holidays": "maybe"}, "write 'closed' or 'open'"),
        ({"weekday": 9}, "write 'HH:MM-HH:MM' or 'closed'"),
    ],
)
def test_bad_hours_give_one_line_errors(data: dict[str, object], message: str) -> None:
    with pytest.raises(ComplianceDataError, match=message) as caught:
        CallingHours.parse(data)
    assert "\n" not in str(caught.value)


def test_window_is_half_open() -> None:
    window = Window.parse("08:00-21:00")
    assert window.contains(time(8))
    assert window.contains(time(20, 59, 59, 999999))
    assert not window.contains(time(21))


def test_intersect() -> None:
    a, b = Window.parse("08:00-20:00"), Window.parse("09:00-21:00")
    assert intersect(a, b) == Window.parse("09:00-20:00")
    assert intersect(a, None) is None
    assert intersect(Window.parse("08:00-09:00"), Window.parse("10:00-11:00")) is None
