"""Turn one CSV row into contact records (one per valid phone number), or a rejection."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import UTC, datetime
from json.encoder import encode_basestring_ascii as encode_string
from operator import itemgetter
from typing import Any

from engine.lists.headers import HeaderMap
from engine.lists.households import household_key
from engine.lists.locate import Locator
from engine.lists.phones import PhoneNormaliser, line_type_from_text
from engine.store.models import LineType

_ZIP = re.compile(r"^\s*(\d{3,5})(?:[-\s]?\d{4})?\s*$")
_DATE_FORMATS = ("%Y-%m-%d", "%m/%d/%Y", "%m/%d/%y", "%Y/%m/%d")
_PHONE_LINE_TYPES = {"cell": LineType.CELL, "landline": LineType.LANDLINE}
_SCALAR_FIELDS = (
    "first_name", "last_name", "address", "city", "state", "zip_code", "voter_id",
    "line_type", "consent_at", "consent_source", "priority",
)


class RowError(ValueError):
    """This row cannot become a contact; the message is the reason in the reject report."""


# A parsed contact is a tuple of these, in this order (the importer adds the campaign, list,
# run and lead state): tuples rather than dicts because a million-row file makes millions.
CONTACT_FIELDS = (
    "source_line", "e164", "voter_id", "first_name", "last_name", "address", "city", "state",
    "zip_code", "household_key", "line_type", "consent_at", "consent_source", "window_key",
    "extra", "priority",
)
E164 = CONTACT_FIELDS.index("e164")
WINDOW_KEY = CONTACT_FIELDS.index("window_key")
EXTRA = CONTACT_FIELDS.index("extra")


class RowParser:
    """Parses the rows of one file; shares the normaliser's and locator's caches across rows."""

    def __init__(self, header: HeaderMap, normaliser: PhoneNormaliser, locator: Locator) -> None:
        self.header = header
        self.normaliser = normaliser
        self.locator = locator
        self._width = len(header.columns)
        self._phones = header.phone_columns()
        present = [(name, header.index_of(name)) for name in _SCALAR_FIELDS]
        self._scalar_names = [name for name, index in present if index is not None]
        indexes = [index for _, index in present if index is not None]
        self._scalars = itemgetter(*indexes) if len(indexes) > 1 else _single(indexes)
        # Columns without a contact field of their own are kept verbatim in `extra`, which
        # is stored as JSON text: built here from pre-encoded keys, as json.dumps would.
        self._extra = [
            (i, encode_string(c) + ": ") for i, c in enumerate(header.columns) if i not in header.fields
        ]
        self._zips: dict[str, str] = {}

    def contacts(self, line: int, fields: list[str]) -> list[tuple[Any, ...]]:
        """The contacts in this row (one per distinct valid number, as CONTACT_FIELDS tuples);
        raises RowError to reject it."""
        if len(fields) != self._width:
            raise RowError(f"has {len(fields)} fields, the header has {self._width}")
        values = dict(zip(self._scalar_names, [v.strip() or None for v in self._scalars(fields)], strict=True))
        zip_code = self._zip(values.get("zip_code"))
        state = values.get("state")
        state = state.upper() if state and len(state) == 2 and state.isalpha() else None
        raw_type = values.get("line_type")
        line_type_column = line_type_from_text(raw_type) if raw_type else None
        consent_at = _consent(values.get("consent_at"))
        priority = _priority(values.get("priority"))
        last_name, address = values.get("last_name"), values.get("address")
        household = household_key(address, zip_code, last_name)
        contacts: list[tuple[Any, ...]] = []
        failures: list[str] = []
        for index, field_name in self._phones:
            raw = fields[index].strip()
            if not raw:
                continue
            number = self.normaliser.normalise(raw)
            if number.e164 is None:
                failures.append(f"{self.header.columns[index]}: {number.reason}")
                continue
            if any(c[E164] == number.e164 for c in contacts):
                continue
            line_type = _PHONE_LINE_TYPES.get(field_name) or line_type_column or number.line_type
            location = self.locator.locate(number.e164, zip_code, state)
            contacts.append((
                line, number.e164, values.get("voter_id"), values.get("first_name"), last_name,
                address, values.get("city"), location.state, zip_code, household, line_type.value,
                consent_at, values.get("consent_source"), location.window_key,
                self._extra_json(fields, index), priority,
            ))
        if not contacts:
            raise RowError("; ".join(failures) if failures else "no phone number")
        return contacts

    def _extra_json(self, fields: list[str], phone_index: int) -> str:
        """The row's other columns as a JSON object; the row's other numbers stay with this
        contact so an export gives them back."""
        items = [key + encode_string(fields[i]) for i, key in self._extra if fields[i]]
        if len(self._phones) > 1:
            items.extend(
                encode_string(self.header.columns[i]) + ": " + encode_string(fields[i])
                for i, _ in self._phones if i != phone_index and fields[i].strip()
            )
        return "{" + ", ".join(items) + "}"

    def _zip(self, value: str | None) -> str | None:
        if value is None:
            return None
        found = self._zips.get(value)
        if found is None:
            found = self._zips[value] = _zip(value)
        return found


def _single(indexes: list[int]) -> Callable[[list[str]], tuple[str, ...]]:
    """itemgetter for zero or one index, returning a tuple like itemgetter of several does."""
    return lambda fields: tuple(fields[i] for i in indexes)


def _zip(value: str | None) -> str | None:
    if value is None:
        return None
    if len(value) == 5 and value.isdigit():
        return value
    match = _ZIP.match(value)
    if match is None:
        raise RowError(f"ZIP {value!r} is not a 5-digit ZIP code")
    # Spreadsheets drop the leading zeros of New England and New Jersey ZIPs.
    return match.group(1).zfill(5)


def _consent(value: str | None) -> datetime | None:
    if value is None:
        return None
    for fmt in _DATE_FORMATS:
        try:
            day = datetime.strptime(value, fmt).date()
        except ValueError:
            continue
        return datetime.combine(day, datetime.min.time(), UTC)
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError as exc:
        raise RowError(f"consent date {value!r} is not a date (write YYYY-MM-DD)") from exc
    return parsed.astimezone(UTC) if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def _priority(value: str | None) -> int:
    if value is None:
        return 0
    try:
        return int(value)
    except ValueError as exc:
        raise RowError(f"priority {value!r} is not a whole number") from exc
