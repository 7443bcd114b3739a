"""Recognise the columns of a voter file: which header means phone, name, address, ZIP..."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

# Contact fields a column can feed. Phone fields each produce their own contact (one per
# number): "cell" and "landline" also say the line type, "phone" leaves it to a line-type column.
PHONE_FIELDS = ("phone", "cell", "landline")
FIELDS = (
    *PHONE_FIELDS,
    "first_name", "last_name", "address", "city", "state", "zip_code", "voter_id",
    "line_type", "consent_at", "consent_source", "priority",
)
SKIP = "skip"

_ALIASES: dict[str, tuple[str, ...]] = {
    "phone": (
        "phone", "phone_number", "phonenumber", "telephone", "tel", "primary_phone", "phone1",
        "home_phone", "voter_phone", "number", "contact_phone", "best_phone",
    ),
    "cell": ("cell", "cell_phone", "cellphone", "mobile", "mobile_phone", "wireless", "cell_number"),
    "landline": ("landline", "land_line", "landline_phone", "landline_number"),
    "first_name": ("first_name", "firstname", "first", "fname", "given_name", "name_first"),
    "last_name": ("last_name", "lastname", "last", "lname", "surname", "family_name", "name_last"),
    "address": (
        "address", "address1", "address_1", "address_line_1", "street", "street_address",
        "res_address", "residence_address", "residential_address", "mailing_address", "addr",
    ),
    "city": ("city", "res_city", "residence_city", "town", "municipality"),
    "state": ("state", "st", "res_state", "residence_state", "state_code"),
    "zip_code": (
        "zip", "zip5", "zip_code", "zipcode", "postal_code", "postcode", "res_zip", "res_zip5",
        "residence_zip", "zip_5",
    ),
    "voter_id": (
        "voter_id", "voterid", "state_voter_id", "statevoterid", "sos_id", "van_id", "vanid",
        "voter_file_vanid", "registrant_id", "voter_number", "voter_reg_num", "lalvoterid",
    ),
    "line_type": ("line_type", "phone_type", "linetype", "phonetype", "number_type"),
    "consent_at": ("consent_date", "consent_at", "consented_at", "opt_in_date", "optin_date"),
    "consent_source": ("consent_source", "opt_in_source", "optin_source"),
    "priority": ("priority", "rank", "call_priority"),
}
# Keyed without underscores too, so 'ResAddress', 'res_address' and 'Res. Address' all match.
_BY_ALIAS = {
    key: field
    for field, aliases in _ALIASES.items()
    for alias in aliases
    for key in (alias, alias.replace("_", ""))
}


class HeaderError(ValueError):
    """The header cannot be used as it stands; the message names the fix."""


@dataclass(frozen=True)
class HeaderMap:
    """Column index -> contact field; every other column is kept verbatim as extra data."""

    columns: tuple[str, ...]
    fields: Mapping[int, str]

    def index_of(self, field: str) -> int | None:
        for index, mapped in self.fields.items():
            if mapped == field:
                return index
        return None

    def phone_columns(self) -> list[tuple[int, str]]:
        return sorted((i, f) for i, f in self.fields.items() if f in PHONE_FIELDS)

    def by_column(self) -> dict[str, str]:
        return {self.columns[i]: field for i, field in self.fields.items()}


def normalise_header(name: str) -> str:
    """'Res. Zip-5 ' -> 'res_zip_5': lower case, runs of anything else become one underscore."""
    return re.sub(r"[^a-z0-9]+", "_", name.strip().lower()).strip("_")


def parse_overrides(pairs: Sequence[str]) -> dict[str, str]:
    """``["Cell Phone=cell", "Notes=skip"]`` -> ``{"Cell Phone": "cell", "Notes": "skip"}``."""
    overrides: dict[str, str] = {}
    for pair in pairs:
        column, sep, field = pair.rpartition("=")
        field = field.strip()
        if not sep or not column.strip():
            raise HeaderError(f"--map {pair!r} is not COLUMN=FIELD (for example --map 'Cell Phone=cell')")
        if field not in FIELDS and field != SKIP:
            raise HeaderError(
                f"--map {pair!r}: unknown field {field!r}; use one of {', '.join(FIELDS)} or {SKIP}"
            )
        overrides[column.strip()] = field
    return overrides


def map_headers(columns: Sequence[str], overrides: Mapping[str, str] | None = None) -> HeaderMap:
    """Recognise ``columns``; ``overrides`` (column -> field or 'skip') win over recognition.

    Raises HeaderError when no column holds a phone number, naming the columns found and the
    ``--map`` that would fix it.
    """
    overrides = dict(overrides or {})
    by_normalised = {normalise_header(c): i for i, c in enumerate(columns)}
    fields: dict[int, str] = {}
    taken: set[str] = set()
    for column, field in overrides.items():
        index = columns.index(column) if column in columns else by_normalised.get(normalise_header(column))
        if index is None:
            raise HeaderError(
                f"--map names column {column!r}, which the file does not have "
                f"(columns: {', '.join(columns)})"
            )
        if field != SKIP:
            fields[index] = field
            taken.add(field)
        else:
            fields[index] = SKIP
    for index, column in enumerate(columns):
        name = normalise_header(column)
        field = _BY_ALIAS.get(name) or _BY_ALIAS.get(name.replace("_", ""))
        if index in fields or field is None or field in taken:
            continue
        fields[index] = field
        taken.add(field)
    fields = {i: f for i, f in fields.items() if f != SKIP}
    header = HeaderMap(columns=tuple(columns), fields=fields)
    if not header.phone_columns():
        shown = ", ".join(repr(c) for c in columns[:12]) + (" ..." if len(columns) > 12 else "")
        raise HeaderError(
            f"no phone column recognised among {shown}: name it with "
            f"--map 'COLUMN=phone' (or =cell / =landline)"
        )
    return header
