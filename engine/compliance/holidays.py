"""US federal holidays (5 U.S.C. § 6103), computed per year.

Both the calendar date and the observed date count as a holiday: a fixed-date holiday on a
Saturday is observed the Friday before, on a Sunday the Monday after, and state laws that
say "legal holiday" do not agree on which of the two they mean. Treating both as holidays is
the stricter reading and costs at most one extra closed day a year per moved holiday.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, timedelta
from functools import lru_cache
from types import MappingProxyType

# (name, month, day) for fixed dates; (name, month, weekday, n) for "n-th weekday" (n=-1: last).
FIXED = (
    ("New Year's Day", 1, 1),
    ("Juneteenth National Independence Day", 6, 19),
    ("Independence Day", 7, 4),
    ("Veterans Day", 11, 11),
    ("Christmas Day", 12, 25),
)
FLOATING = (
    ("Birthday of Martin Luther King, Jr.", 1, 0, 3),
    ("Washington's Birthday", 2, 0, 3),
    ("Memorial Day", 5, 0, -1),
    ("Labor Day", 9, 0, 1),
    ("Columbus Day", 10, 0, 2),
    ("Thanksgiving Day", 11, 3, 4),
)
JUNETEENTH_FIRST_YEAR = 2021


def _nth_weekday(year: int, month: int, weekday: int, n: int) -> date:
    if n > 0:
        first = date(year, month, 1)
        return first + timedelta(days=(weekday - first.weekday()) % 7 + 7 * (n - 1))
    last = date(year + (month == 12), month % 12 + 1, 1) - timedelta(days=1)
    return last - timedelta(days=(last.weekday() - weekday) % 7)


def _observed(day: date) -> date:
    if day.weekday() == 5:
        return day - timedelta(days=1)
    if day.weekday() == 6:
        return day + timedelta(days=1)
    return day


@lru_cache(maxsize=64)
def federal_holidays(year: int) -> Mapping[date, str]:
    """Every date in ``year`` that is a federal holiday or its observed day, with its name.

    Includes the observed Friday 31 December of ``year`` when the next New Year's Day is a
    Saturday, so a year-end instant is judged by the right calendar.
    """
    days: dict[date, str] = {}
    for name, month, day in FIXED:
        if name.startswith("Juneteenth") and year < JUNETEENTH_FIRST_YEAR:
            continue
        actual = date(year, month, day)
        days[actual] = name
        days.setdefault(_observed(actual), f"{name} (observed)")
    for name, month, weekday, n in FLOATING:
        days[_nth_weekday(year, month, weekday, n)] = name
    next_new_year = date(year + 1, 1, 1)
    if next_new_year.weekday() == 5:
        days[next_new_year - timedelta(days=1)] = "New Year's Day (observed)"
    return MappingProxyType({d: n for d, n in sorted(days.items()) if d.year == year})


def is_federal_holiday(day: date) -> bool:
    """True when ``day`` is a federal holiday or the observed day of one."""
    return day in federal_holidays(day.year)
