"""Candidate zones and state from ZIP and NANP prefix."""

import pytest

from engine.compliance.errors import ComplianceDataError
from engine.compliance.zones import (
    candidate_zones,
    nanp_national,
    normalize_zip,
    state_for,
    zones_for_states,
)


@pytest.mark.parametrize(
    ("number", "zones"),
    [
        ("+13055550123", ("America/New_York",)),
        ("+18502000123", ("America/Chicago",)),  # Florida panhandle exchange: Central
        ("+16055550123", ("America/Chicago", "America/Denver")),  # South Dakota spans two
        ("+19282830123", ("America/Denver", "America/Phoenix")),  # Navajo Nation exchange
        ("+16025550123", ("America/Phoenix",)),
        ("+18085550123", ("Pacific/Honolulu",)),
        ("+17875550123", ("America/Puerto_Rico",)),
        ("+13405550123", ("America/Puerto_Rico",)),  # USVI: same clock as Puerto Rico
        ("+16715550123", ("Pacific/Guam",)),
        ("+16705550123", ("Pacific/Guam",)),  # Northern Marianas: same clock as Guam
        ("+16845550123", ("Pacific/Pago_Pago",)),
        ("+19075550123", ("America/Adak", "America/Anchorage")),
    ],
)
def test_area_code_and_exchange_give_zones(number: str, zones: tuple[str, ...]) -> None:
    assert candidate_zones(number) == zones


def test_zip_wins_over_area_code() -> None:
    assert candidate_zones("+13055550123", "85004") == ("America/Phoenix",)
    assert state_for("+13055550123", "85004") == "AZ"


def test_zip_spanning_zones_gives_several_unless_zip5_is_known() -> None:
    # ZIP3 324 (Florida panhandle) straddles Central and Eastern time; 32401 is Panama City.
    assert candidate_zones("+13055550123", "32401") == ("America/Chicago",)
    # 32499 is not a listed ZIP5, so its ZIP3's zones are all candidates.
    assert candidate_zones("+13055550123", "32499") == ("America/Chicago", "America/New_York")


def test_unknown_zip_falls_back_to_area_code() -> None:
    assert candidate_zones("+13055550123", "abcde") == ("America/New_York",)


def test_nothing_usable_gives_empty_tuple() -> None:
    assert candidate_zones("+18005550123") == ()  # toll-free: no place
    assert candidate_zones("garbage") == ()


def test_state_alone_gives_every_zone_of_the_state() -> None:
    assert candidate_zones("+18005550123", None, "fl") == ("America/Chicago", "America/New_York")


def test_foreign_number_uses_its_country_zone() -> None:
    assert candidate_zones("+442079460958") == ("Europe/London",)


@pytest.mark.parametrize(
    ("number", "zip_code", "state"),
    [
        ("+12125550123", None, "NY"),
        ("+12025550123", None, "DC"),
        ("+17875550123", None, "PR"),
        ("+16715550123", None, "GU"),
        ("+13405550123", None, "VI"),
        ("+16845550123", None, "AS"),
        ("+16705550123", None, "MP"),
        ("+14165550123", None, None),  # Toronto
        ("+12125550123", "96799", "AS"),
    ],
)
def test_state_for(number: str, zip_code: str | None, state: str | None) -> None:
    assert state_for(number, zip_code) == state


@pytest.mark.parametrize(
    ("raw", "normalized"),
    [("02134", "02134"), ("02134-1234", "02134"), ("2134", "02134"), ("21341234", "02134"),
     ("021341234", "02134"), ("12", None), ("", None), (None, None), ("1234a", None)],
)
def test_normalize_zip(raw: str | None, normalized: str | None) -> None:
    assert normalize_zip(raw) == normalized


@pytest.mark.parametrize(
    ("raw", "national"),
    [("+12125550123", "2125550123"), ("12125550123", "2125550123"), ("2125550123", "2125550123"),
     ("+1 (212) 555-0123", "2125550123"), ("+12120550123", None), ("+11125550123", None),
     ("+4420794609", None)],
)
def test_nanp_national(raw: str, national: str | None) -> None:
    assert nanp_national(raw) == national


def test_zones_for_states_rejects_unknown_state() -> None:
    assert "Pacific/Honolulu" in zones_for_states(["HI", "CA"])
    with pytest.raises(ComplianceDataError, match="unknown state 'XX'"):
        zones_for_states(["XX"])
