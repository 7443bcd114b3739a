"""Federal holidays and their observed days."""

from datetime import date

from engine.compliance.holidays import federal_holidays, is_federal_holiday


def test_2025_has_the_eleven_federal_holidays() -> None:
    assert sorted(federal_holidays(2025)) == [
        date(2025, 1, 1), date(2025, 1, 20), date(2025, 2, 17), date(2025, 5, 26),
        date(2025, 6, 19), date(2025, 7, 4), date(2025, 9, 1), date(2025, 10, 13),
        date(2025, 11, 11), date(2025, 11, 27), date(2025, 12, 25),
    ]


def test_saturday_holiday_is_also_observed_on_friday() -> None:
    # 4 July 2026 is a Saturday.
    assert is_federal_holiday(date(2026, 7, 4))
    assert is_federal_holiday(date(2026, 7, 3))
    assert not is_federal_holiday(date(2026, 7, 6))


def test_sunday_holiday_is_also_observed_on_monday() -> None:
    # 1 January 2023 is a Sunday.
    assert is_federal_holiday(date(2023, 1, 1))
    assert is_federal_holiday(date(2023, 1, 2))


def test_new_year_on_saturday_closes_the_previous_friday() -> None:
    # 1 January 2022 is a Saturday: observed Friday 31 December 2021.
    assert is_federal_holiday(date(2021, 12, 31))
    assert federal_holidays(2021)[date(2021, 12, 31)] == "New Year's Day (observed)"


def test_juneteenth_only_from_2021() -> None:
    assert not is_federal_holiday(date(2020, 6, 19))
    assert is_federal_holiday(date(2021, 6, 19))


def test_ordinary_days_are_not_holidays() -> None:
    assert not is_federal_holiday(date(2025, 12, 31))
    assert not is_federal_holiday(date(2025, 11, 28))  # day after Thanksgiving
