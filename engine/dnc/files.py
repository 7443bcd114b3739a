"""Read an internal or campaign do-not-call file: bare numbers, or a CSV with a phone column."""

from __future__ import annotations

from collections.abc import Iterator

from engine.lists.headers import HeaderError, map_headers
from engine.lists.phones import PhoneNormaliser
from engine.lists.reader import FileFacts, ListFileError, read_rows

REASON_COLUMNS = ("reason", "note", "notes", "comment")


def read_dnc_file(facts: FileFacts, normaliser: PhoneNormaliser) -> Iterator[tuple[int, str | None, str]]:
    """Yield ``(line, e164 or None, reason or the invalid text)`` for each non-blank line.

    Without a recognisable header the first column of every line is the number (the usual
    one-number-per-line export); with one, the phone column and an optional reason column.
    """
    header, rows = read_rows(facts)
    first = normaliser.normalise(header[0]) if header else None
    if first is not None and first.e164 is not None:
        phone_index, reason_index = 0, None
        yield 1, first.e164, ""
    else:
        try:
            mapping = map_headers(header)
        except HeaderError as exc:
            raise ListFileError(f"{facts.path.name}: {exc}") from exc
        phone_index = mapping.phone_columns()[0][0]
        lowered = [c.lower() for c in header]
        reason_index = next((lowered.index(c) for c in REASON_COLUMNS if c in lowered), None)
    for row in rows:
        if row.error or len(row.fields) <= phone_index:
            yield row.line, None, row.error or "no number"
            continue
        raw = row.fields[phone_index].strip()
        if not raw:
            continue
        number = normaliser.normalise(raw)
        reason = row.fields[reason_index].strip() if reason_index is not None and reason_index < len(row.fields) else ""
        yield row.line, number.e164, reason if number.e164 else (number.reason or raw)

