"""Caller ID for an outbound call: local presence from a campaign's verified numbers.

A callee is more likely to answer a number from their own area code, so the pool prefers, in
order: a number in the callee's NANP area code, then one in the callee's US state, then the
campaign's default (the first number). A non-NANP callee gets a number with the same country
calling code, else the default. Carriers flag numbers that carry unusual volume as spam, so
among equally good numbers the pool rotates round-robin; the rotation is per match (area code,
state or country) and depends only on the sequence of calls, so it is deterministic.

Whatever the callee, the answer is one of the pool's numbers: caller ID always comes from the
campaign's verified numbers.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence

import phonenumbers

from engine.compliance.zones import ZoneTables, default_zone_tables, nanp_national, state_for

_NANP_COUNTRY_CODE = 1


def _validate(number: str) -> None:
    """Check one pool number, raising a one-line ValueError that names it and the fix."""
    try:
        parsed = phonenumbers.parse(number, None)
    except phonenumbers.NumberParseException:
        raise ValueError(
            f"caller ID {number!r} is not a phone number; write it in E.164, e.g. +12025550123"
        ) from None
    if not phonenumbers.is_valid_number(parsed):
        raise ValueError(
            f"caller ID {number!r} is not a valid number; fix it or remove it from the pool"
        )
    e164 = phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)
    if e164 != number:
        raise ValueError(f"caller ID {number!r} is not in E.164 form; write it as {e164}")


def _grouped(pairs: Iterable[tuple[str | None, str]]) -> dict[str, tuple[str, ...]]:
    """Numbers per key, in pool order; pairs with a None key are left out."""
    groups: defaultdict[str, list[str]] = defaultdict(list)
    for key, number in pairs:
        if key is not None:
            groups[key].append(number)
    return {key: tuple(numbers) for key, numbers in groups.items()}


class CallerIdPool:
    """A campaign's verified caller IDs, chosen per callee by local presence with rotation."""

    def __init__(self, numbers: Sequence[str], tables: ZoneTables | None = None) -> None:
        """Validate ``numbers`` (E.164, valid, no duplicates); the first is the default.

        ``tables`` are the zone tables used to find each number's state (default: shipped).
        """
        if isinstance(numbers, str):
            raise TypeError("caller ID pool must be a list of numbers, not one string")
        if not numbers:
            raise ValueError("caller ID pool is empty; add at least one verified number")
        for number in numbers:
            _validate(number)
        duplicates = sorted({n for n in numbers if numbers.count(n) > 1})
        if duplicates:
            raise ValueError(f"caller ID {duplicates[0]} is listed twice; list each number once")
        self._tables = tables or default_zone_tables()
        self._numbers = tuple(numbers)
        self._by_area_code = _grouped((_area_code(n), n) for n in numbers)
        self._by_state = _grouped((state_for(n, None, self._tables), n) for n in numbers)
        self._by_country = _grouped((_foreign_country_code(n), n) for n in numbers)
        # Next turn per match, e.g. ("area", "202"): the rotation state.
        self._turns: dict[tuple[str, str], int] = {}

    @property
    def numbers(self) -> tuple[str, ...]:
        """Every number in the pool, in the order given."""
        return self._numbers

    @property
    def default(self) -> str:
        """The campaign's default caller ID (the first number)."""
        return self._numbers[0]

    def choose(self, callee_e164: str, callee_state: str | None = None) -> str:
        """The caller ID for a call to ``callee_e164``; always a number from the pool.

        ``callee_state`` (e.g. from the contact's ZIP) overrides the state implied by the
        callee's area code. A callee that is not a parseable number gets the default.
        """
        area_code = _area_code(callee_e164)
        if area_code is not None:
            state = (callee_state or "").strip().upper() or state_for(
                callee_e164, None, self._tables
            )
            matches = [("area", area_code, self._by_area_code), ("state", state, self._by_state)]
        else:
            matches = [("country", _foreign_country_code(callee_e164), self._by_country)]
        for tier, key, groups in matches:
            if key and key in groups:
                return self._rotate((tier, key), groups[key])
        return self.default

    def _rotate(self, match: tuple[str, str], candidates: tuple[str, ...]) -> str:
        turn = self._turns.get(match, 0)
        self._turns[match] = turn + 1
        return candidates[turn % len(candidates)]


def _area_code(e164: str) -> str | None:
    """The NPA of a NANP number, else None."""
    national = nanp_national(e164)
    return national[:3] if national is not None else None


def _foreign_country_code(e164: str) -> str | None:
    """The country calling code of a non-NANP number (e.g. '44'), else None."""
    try:
        code = phonenumbers.parse(e164, None).country_code
    except phonenumbers.NumberParseException:
        return None
    return str(code) if code != _NANP_COUNTRY_CODE else None
