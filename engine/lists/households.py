"""Household keys: contacts at one address share a key (voicemail once per household, reports)."""

from __future__ import annotations

import re
import string

_ABBREVIATIONS = {
    "STREET": "ST", "AVENUE": "AVE", "ROAD": "RD", "DRIVE": "DR", "BOULEVARD": "BLVD",
    "LANE": "LN", "COURT": "CT", "PLACE": "PL", "TERRACE": "TER", "CIRCLE": "CIR",
    "HIGHWAY": "HWY", "PARKWAY": "PKWY", "SQUARE": "SQ", "TRAIL": "TRL", "WAY": "WAY",
    "NORTH": "N", "SOUTH": "S", "EAST": "E", "WEST": "W", "NORTHEAST": "NE", "NORTHWEST": "NW",
    "SOUTHEAST": "SE", "SOUTHWEST": "SW", "APARTMENT": "APT", "SUITE": "STE", "UNIT": "UNIT",
    "#": "APT",
}
# Whitespace and punctuation separate tokens, except '#', which is a token of its own (an
# apartment number). One findall is faster than translating punctuation and splitting.
_TOKEN = re.compile(r"#|[^\s#" + re.escape(string.punctuation.replace("#", "")) + r"]+")


def normalise_address(address: str) -> str:
    """'12 North Main Street, Apt. 4' -> '12 N MAIN ST APT 4'."""
    abbreviate = _ABBREVIATIONS.get
    return " ".join([abbreviate(token, token) for token in _TOKEN.findall(address.upper())])


def household_key(address: str | None, zip_code: str | None, last_name: str | None) -> str | None:
    """The normalised address with the ZIP, or with the last name when there is no ZIP.

    None when there is no address: a number alone says nothing about who lives together.
    """
    street = normalise_address(address) if address else ""
    if not street:
        return None
    if zip_code:
        return f"{street}|{zip_code[:5]}"
    if last_name:
        return f"{street}|{last_name.strip().upper()}"
    return None
