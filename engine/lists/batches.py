"""Turn a voter file's rows into batches of new contacts, writing rejects to the report."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from engine.lists.reader import FileFacts, ListFileError, Row
from engine.lists.report import RejectReport
from engine.lists.rows import E164, RowError, RowParser


@dataclass(frozen=True)
class ParsedBatch:
    """Contacts ready to write, with the file's running totals (rows, rejects, repeats)."""

    contacts: list[tuple[Any, ...]]
    rows: int
    rejected: int
    duplicates: int  # numbers repeated within the file so far
    bytes_read: int
    final: bool = False
    report: Path | None = None  # set on the final batch when anything was rejected


@dataclass
class BytesRead:
    """How far the reader has got; the reader's progress callback updates it."""

    done: int = 0

    def update(self, done: int) -> None:
        self.done = done


@dataclass
class _Totals:
    rows: int = 0
    duplicates: int = 0
    seen: set[str] = field(default_factory=set)


def parse_batches(
    facts: FileFacts, rows: Iterator[Row], parser: RowParser, report_path: Path,
    batch_size: int, read: BytesRead,
) -> Iterator[ParsedBatch]:
    """Batches of ``batch_size`` contacts whose numbers are new within the file; the last
    batch has ``final`` set. Raises ListFileError for a file that ends mid-line."""
    totals = _Totals()
    batch: list[tuple[Any, ...]] = []
    columns = parser.header.columns
    with RejectReport(report_path, columns) as report:
        last_short: int | None = None
        for row in rows:
            totals.rows += 1
            last_short = None
            if row.error:
                report.reject(row.line, row.error, row.fields)
                continue
            if not any(row.fields):
                continue
            try:
                found = parser.contacts(row.line, row.fields)
            except RowError as exc:
                if len(row.fields) < len(columns):
                    last_short = row.line
                report.reject(row.line, str(exc), row.fields)
                continue
            _keep_new(found, batch, totals)
            if len(batch) >= batch_size:
                yield ParsedBatch(batch, totals.rows, report.count, totals.duplicates, read.done)
                batch = []
        if last_short is not None and not facts.ends_with_newline:
            raise ListFileError(
                f"{facts.path.name} stops in the middle of line {last_short}: the file looks "
                "truncated; export it again"
            )
        rejected = report.count
    yield ParsedBatch(
        batch, totals.rows, rejected, totals.duplicates, facts.size, final=True, report=report.written,
    )


def _keep_new(found: list[tuple[Any, ...]], batch: list[tuple[Any, ...]], totals: _Totals) -> None:
    for contact in found:
        if contact[E164] in totals.seen:
            totals.duplicates += 1
            continue
        totals.seen.add(contact[E164])
        batch.append(contact)

