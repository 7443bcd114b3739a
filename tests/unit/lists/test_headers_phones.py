"""Header recognition, --map overrides, number normalisation and household keys."""

from __future__ import annotations

import random

import phonenumbers
import pytest

from engine.lists.headers import HeaderError, map_headers, parse_overrides
from engine.lists.households import household_key
from engine.lists.phones import PhoneNormaliser, line_type_from_text, nanp_pattern
from engine.store.models import LineType


def test_common_voter_file_headers_are_recognised() -> None:
    header = map_headers([
        "VANID", "First Name", "LastName", "Res. Address", "City", "ST", "Zip5", "Cell Phone",
        "Landline", "Party",
    ])
    assert header.by_column() == {
        "VANID": "voter_id", "First Name": "first_name", "LastName": "last_name",
        "Res. Address": "address", "City": "city", "ST": "state", "Zip5": "zip_code",
        "Cell Phone": "cell", "Landline": "landline",
    }


def test_map_overrides_recognition_and_can_skip_a_column() -> None:
    header = map_headers(["Phone", "Best Number"], parse_overrides(["Best Number=phone", "Phone=skip"]))
    assert header.by_column() == {"Best Number": "phone"}


def test_missing_phone_column_names_the_columns_and_the_fix() -> None:
    with pytest.raises(HeaderError, match=r"'Name', 'Tel\.No': .*--map 'COLUMN=phone'"):
        map_headers(["Name", "Tel.No"])


@pytest.mark.parametrize("pair", ["nofield", "Phone=telephone", "=phone"])
def test_bad_map_option_is_explained(pair: str) -> None:
    with pytest.raises(HeaderError, match="--map"):
        parse_overrides([pair])


@pytest.mark.parametrize(
    ("raw", "e164"),
    [
        ("(202) 555-0143", "+12025550143"), ("1-202-555-0143", "+12025550143"),
        ("+1 202 555 0143", "+12025550143"), ("202.555.0143", "+12025550143"),
        ("+44 20 7946 0958", "+442079460958"),
    ],
)
def test_numbers_normalise_to_e164(raw: str, e164: str) -> None:
    assert PhoneNormaliser().normalise(raw).e164 == e164


@pytest.mark.parametrize("raw", ["", "911", "123-456-7890", "abc", "202-155-0143"])
def test_invalid_numbers_carry_a_reason(raw: str) -> None:
    result = PhoneNormaliser().normalise(raw)
    assert result.e164 is None and result.reason


def test_fast_nanp_check_agrees_with_phonenumbers() -> None:
    rng = random.Random(3)
    pattern = nanp_pattern()
    for _ in range(3000):
        digits = f"{rng.randrange(200, 1000)}{rng.randrange(200, 1000)}{rng.randrange(10000):04d}"
        expected = phonenumbers.is_valid_number(phonenumbers.parse("+1" + digits))
        assert (pattern.fullmatch(digits) is not None) == expected, digits


def test_line_types_outside_nanp_come_from_phonenumbers_and_inside_from_the_file() -> None:
    normaliser = PhoneNormaliser()
    assert normaliser.normalise("+44 7911 123456").line_type == LineType.CELL
    assert normaliser.normalise("202-555-0143").line_type == LineType.UNKNOWN
    assert line_type_from_text("Wireless") == LineType.CELL
    assert line_type_from_text("L") == LineType.LANDLINE
    assert line_type_from_text("voip?") == LineType.UNKNOWN


def test_household_key_ignores_spelling_variants() -> None:
    a = household_key("12 North Main Street, Apt. 4", "33101", "Lee")
    b = household_key("12 N Main St #4", "33101-1234", "Garcia")
    assert a == b == "12 N MAIN ST APT 4|33101"
    assert household_key("12 Main St", None, "lee") == "12 MAIN ST|LEE"
    assert household_key(None, "33101", "Lee") is None
