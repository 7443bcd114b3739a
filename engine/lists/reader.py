"""Read a CSV voter file: check its encoding, hash it, and yield its rows with line numbers."""

from __future__ import annotations

import codecs
import csv
import hashlib
import io
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, NamedTuple

CHUNK = 1 << 20
DEFAULT_ENCODING = "utf-8-sig"  # plain UTF-8, with or without the BOM Excel writes


class ListFileError(ValueError):
    """The file cannot be imported as it stands; the message names the fix."""


@dataclass(frozen=True)
class FileFacts:
    path: Path
    size: int
    sha256: str
    encoding: str
    ends_with_newline: bool


class Row(NamedTuple):
    """One CSV record; ``error`` is set (and ``fields`` empty) when it is not valid CSV."""

    # A named tuple, not a frozen dataclass: built once per row, it is several times cheaper.
    line: int
    fields: list[str]
    error: str | None = None


def inspect_file(path: Path, encoding: str | None = None) -> FileFacts:
    """Hash ``path`` and check it decodes as ``encoding`` (default UTF-8), in one streaming pass."""
    chosen = encoding or DEFAULT_ENCODING
    try:
        decoder = codecs.getincrementaldecoder(chosen)(errors="strict")
    except LookupError as exc:
        raise ListFileError(f"unknown encoding {chosen!r}: use for example utf-8, cp1252 or latin-1") from exc
    digest, size, lines, last = hashlib.sha256(), 0, 1, b""
    try:
        with path.open("rb") as handle:
            while chunk := handle.read(CHUNK):
                digest.update(chunk)
                try:
                    decoder.decode(chunk)
                except UnicodeDecodeError as exc:
                    line = lines + chunk.count(b"\n", 0, exc.start)
                    raise ListFileError(
                        f"{path.name} is not {_encoding_name(chosen)} (byte 0x{chunk[exc.start]:02x} "
                        f"on line {line}): re-run with --encoding cp1252 (Excel on Windows) "
                        f"or --encoding latin-1"
                    ) from exc
                lines += chunk.count(b"\n")
                size += len(chunk)
                last = chunk[-1:]
            decoder.decode(b"", final=True)
    except OSError as exc:
        raise ListFileError(f"cannot read {path}: {exc.strerror}") from exc
    except UnicodeDecodeError as exc:
        raise ListFileError(f"{path.name} ends in the middle of a character: the file looks truncated") from exc
    if size == 0:
        raise ListFileError(f"{path.name} is empty: export the list again")
    return FileFacts(
        path=path, size=size, sha256=digest.hexdigest(), encoding=chosen,
        ends_with_newline=last in (b"\n", b"\r"),
    )


def _encoding_name(encoding: str) -> str:
    return "UTF-8" if encoding.replace("-", "").lower() in ("utf8", "utf8sig") else encoding


def read_rows(
    facts: FileFacts, progress: Callable[[int], None] | None = None
) -> tuple[list[str], Iterator[Row]]:
    """The header and an iterator over the data rows; ``progress`` gets bytes read so far.

    A record that breaks CSV quoting comes back as a Row with ``error`` so the caller can
    reject it and go on; end-of-file inside quotes means a truncated file and raises.
    """
    binary = facts.path.open("rb")
    text = io.TextIOWrapper(binary, encoding=facts.encoding, newline="")
    reader = csv.reader(text, strict=True)
    try:
        header = next(reader)
    except (StopIteration, csv.Error) as exc:
        text.close()
        raise ListFileError(f"{facts.path.name} has no readable header line: the first line must name the columns") from exc
    header = [column.strip() for column in header]
    if len(set(header)) != len(header):
        text.close()
        duplicates = sorted({c for c in header if header.count(c) > 1})
        raise ListFileError(f"{facts.path.name} repeats the column(s) {', '.join(duplicates)}: rename them")
    return header, _rows(reader, text, binary, facts, progress)


def _rows(
    reader: Any, text: io.TextIOWrapper, binary: io.BufferedReader, facts: FileFacts,
    progress: Callable[[int], None] | None,
) -> Iterator[Row]:
    with text:
        last_line = 1
        while True:
            first_line = last_line + 1
            try:
                fields = next(reader)
            except StopIteration:
                return
            except csv.Error as exc:
                if "unexpected end of data" in str(exc):
                    raise ListFileError(
                        f"{facts.path.name} ends inside a quoted field that starts on line "
                        f"{first_line}: the file looks truncated; export it again"
                    ) from exc
                last_line = reader.line_num
                yield Row(first_line, [], f"malformed CSV ({exc})")
                continue
            last_line = reader.line_num
            if progress is not None and first_line % 10_000 == 0:
                progress(binary.tell())
            yield Row(first_line, fields)

