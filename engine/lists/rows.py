"""Turn one CSV row into contact records (one per valid phone number), or a rejection."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any

from engine.lists.headers import HeaderMap
from engine.lists.households import household_key
from engine.lists.locate import Locator
from engine.lists.phones import PhoneNormaliser, line_type_from_text
from engine.store.models import LeadState, LineType

_ZIP = re.compile(r"^\s*(\d{3,5})(?:[-\s]?\d{4})?\s*$")
_DATE_FORMATS = ("%Y-%m-%d", "%m/%d/%Y", "%m/%d/%y", "%Y/%m/%d")
_PHONE_LINE_TYPES = {"cell": LineType.CELL, "landline": LineType.LANDLINE}
_SCALAR_FIELDS = (
    "first_name", "last_name", "address", "city", "state", "zip_code", "voter_id",
    "line_type", "consent_at", "consent_source", "priority",
)


class RowError(ValueError):
    """This row cannot become a contact; the message is the reason in the reject report."""


class RowParser:
    """Parses the rows of one file; shares the normaliser's and locator's caches across rows."""

    def __init__(self, header: HeaderMap, normaliser: PhoneNormaliser, locator: Locator) -> None:
        self.header = header
        self.normaliser = normaliser
        self.locator = locator
        self._width = len(header.columns)
        self._phones = header.phone_columns()
        self._scalars = [(name, header.index_of(name)) for name in _SCALAR_FIELDS]
        self._present = [(name, index) for name, index in self._scalars if index is not None]
        # Columns without a contact field of their own are kept verbatim in `extra`.
        self._extra = [(i, c) for i, c in enumerate(header.columns) if i not in header.fields]

    def contacts(self, line: int, fields: list[str]) -> list[dict[str, Any]]:
        """The contacts in this row (one per distinct valid number); raises RowError to reject it."""
        if len(fields) != self._width:
            raise RowError(f"has {len(fields)} fields, the header has {self._width}")
        common, line_type_column = self._common(fields)
        contacts: list[dict[str, Any]] = []
        failures: list[str] = []
        for index, field_name in self._phones:
            raw = fields[index].strip()
            if not raw:
                continue
            number = self.normaliser.normalise(raw)
            if number.e164 is None:
                failures.append(f"{self.header.columns[index]}: {number.reason}")
                continue
            if any(c["e164"] == number.e164 for c in contacts):
                continue
            line_type = _PHONE_LINE_TYPES.get(field_name) or line_type_column or number.line_type
            location = self.locator.locate(number.e164, common["zip_code"], common["state"])
            # The row's other numbers stay with this contact so an export gives them back.
            other_phones = {
                self.header.columns[i]: fields[i] for i, _ in self._phones
                if i != index and fields[i].strip()
            }
            contacts.append({
                **common,
                "e164": number.e164,
                "line_type": line_type.value,
                "state": location.state,
                "window_key": location.window_key,
                "extra": {**common["extra"], **other_phones},
                "source_line": line,
            })
        if not contacts:
            raise RowError("; ".join(failures) if failures else "no phone number")
        return contacts

    def _common(self, fields: list[str]) -> tuple[dict[str, Any], LineType | None]:
        values: dict[str, str | None] = dict.fromkeys(_SCALAR_FIELDS)
        for name, index in self._present:
            values[name] = fields[index].strip() or None
        zip_code = _zip(values["zip_code"])
        state = values["state"]
        state = state.upper() if state and len(state) == 2 and state.isalpha() else None
        raw_type = values["line_type"]
        common = {
            "first_name": values["first_name"],
            "last_name": values["last_name"],
            "address": values["address"],
            "city": values["city"],
            "state": state,
            "zip_code": zip_code,
            "voter_id": values["voter_id"],
            "household_key": household_key(values["address"], zip_code, values["last_name"]),
            "consent_at": _consent(values["consent_at"]),
            "consent_source": values["consent_source"],
            "priority": _priority(values["priority"]),
            "lead_state": LeadState.READY.value,
            "dnc_reason": None,
            "extra": {column: fields[i] for i, column in self._extra if fields[i]},
        }
        return common, line_type_from_text(raw_type) if raw_type else None


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
