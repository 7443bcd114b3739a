"""The national do-not-call registry as a sorted int64 numpy array on disk (.npy, mmap'd).

Each element is a 10-digit NANP national number (area code + 7 digits). A lookup is a binary
search (``np.searchsorted``), so scrubbing a million contacts against tens of millions of
registered numbers takes a fraction of a second, and opening the file costs nothing because
pages are read on demand.

Import streams FTC downloads in 8 MiB chunks and parses them with vectorised numpy, never a
Python loop per line. Accepted line shapes (a trailing ``\\r`` is ignored):

=====================  =========================================================
``2015550123``         one 10-digit number per line
``201,5550123``        the FTC full-list flat file: area code, comma, 7 digits
``12015550123``        with the country code
``+12015550123``       E.164
``201-555-0123``       dashed; also ``201,555-0123`` and ``(201) 555-0123``
``201,5550123,...``    extra comma-separated fields after the number are ignored
=====================  =========================================================

Anything else is a malformed line: counted, the first few kept as samples with their line
number, and skipped. A last line with no newline is imported when it is a well-formed number
and makes the import fail as truncated otherwise. The result is written to a temporary file
next to ``dest`` and renamed over it, so a failed import leaves the previous registry intact.
"""

from __future__ import annotations

import os
import re
import tempfile
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from itertools import pairwise
from pathlib import Path
from typing import BinaryIO, Self

import numpy as np

from engine.compliance.zones import nanp_national

# Small enough that a chunk's numpy temporaries stay under glibc's mmap threshold (32 MiB)
# and are recycled from the heap: 64 MiB chunks spent more time in page faults than parsing.
CHUNK_BYTES = 8 * 1024 * 1024
SORT_BLOCK = 1 << 20
MAX_SAMPLES = 10

_NEWLINE, _CR, _ZERO, _TWO = ord("\n"), ord("\r"), ord("0"), ord("2")
# 'd' is a digit, anything else a literal byte. The last ten digits form the number.
_TEMPLATES = (
    "dddddddddd",
    "ddd,ddddddd",
    "1dddddddddd",
    "+1dddddddddd",
    "ddd-ddd-dddd",
    "ddd,ddd-dddd",
)
_SLOW_LINE = re.compile(
    rb"\s*\"?(?:\+?1[-. ]?)?\(?(\d{3})\)?[-., ]?\s*(\d{3})[-. ]?(\d{4})\"?\s*(?:,.*)?"
)
_NPA_MIN, _NXX_MIN = 2_000_000_000, 2_000_000
_MAGIC = {
    b"PK\x03\x04": "a zip archive: unzip it and import the .txt inside",
    b"\x1f\x8b": "gzip-compressed: gunzip it first",
    b"\xff\xfe": "UTF-16 text: save it as plain ASCII (or UTF-8) text",
    b"\xfe\xff": "UTF-16 text: save it as plain ASCII (or UTF-8) text",
}


class RegistryError(Exception):
    """A registry file problem, phrased as one line that names the file and the fix."""


@dataclass
class RegistryImportStats:
    """What an import read, kept and rejected."""

    files: int = 0
    lines: int = 0
    accepted: int = 0
    blank: int = 0
    malformed: int = 0
    malformed_samples: list[tuple[str, int, str]] = field(default_factory=list)
    unterminated_files: list[str] = field(default_factory=list)
    previous_size: int = 0
    size: int = 0

    @property
    def added(self) -> int:
        """Net change in the number of registered numbers."""
        return self.size - self.previous_size

    def _reject(self, source: str, line_no: int, text: bytes) -> None:
        self.malformed += 1
        if len(self.malformed_samples) < MAX_SAMPLES:
            sample = text[:80].decode("latin-1")
            self.malformed_samples.append((source, line_no, sample))


@dataclass(frozen=True)
class _Template:
    width: int
    literal_pos: np.ndarray
    literal_val: np.ndarray
    digit_pos: np.ndarray

    @classmethod
    def of(cls, pattern: str) -> _Template:
        literal = [i for i, ch in enumerate(pattern) if ch != "d"]
        digits = [i for i, ch in enumerate(pattern) if ch == "d"]
        return cls(
            width=len(pattern),
            literal_pos=np.array(literal, dtype=np.intp),
            literal_val=np.array([ord(pattern[i]) for i in literal], dtype=np.uint8),
            digit_pos=np.array(digits[-10:], dtype=np.intp),
        )


_COMPILED = tuple(_Template.of(p) for p in _TEMPLATES)
_WIDEST = max(t.width for t in _COMPILED)


def _digits(rows: np.ndarray, digit_pos: np.ndarray) -> np.ndarray:
    """(10, lines) digit values, one contiguous row per digit; bytes below '0' wrap above 9."""
    # Transposed so every later pass runs over contiguous memory instead of a strided column.
    digits = rows.T[digit_pos]
    digits -= _ZERO
    return digits


def _values(digits: np.ndarray) -> np.ndarray:
    """int64 numbers from a (10, lines) digit matrix."""
    # Digit pairs fit in uint8 and the low six digits in int32, so only the last two steps
    # run in int64: about three times faster than ten int64 multiply-adds.
    pairs = digits[0::2] * np.uint8(10)
    pairs += digits[1::2]
    low = pairs[2].astype(np.int32)
    low *= 100
    low += pairs[3]
    low *= 100
    low += pairs[4]
    value = pairs[0].astype(np.int64)
    value *= 100
    value += pairs[1]
    value *= 1_000_000
    value += low
    return value


def _match_templates(rows: np.ndarray, width: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """For rows whose lines are ``width`` long: (numbers, mask of rows no template's shape
    fits, mask of rows shaped like a number but not a NANP one)."""
    found = [np.empty(0, dtype=np.int64)]
    unshaped = np.ones(len(rows), dtype=bool)
    invalid = np.zeros(len(rows), dtype=bool)
    for template in (t for t in _COMPILED if t.width == width):
        left = np.flatnonzero(unshaped)
        subset = rows if len(left) == len(rows) else rows[left]
        digits = _digits(subset, template.digit_pos)
        shaped = digits.max(axis=0) <= 9
        for column, byte in zip(template.literal_pos, template.literal_val, strict=True):
            shaped &= subset[:, column] == byte
        # NANP area codes and exchanges never start with 0 or 1: such lines are malformed.
        nanp = shaped & (digits[0] >= 2) & (digits[3] >= 2)
        found.append(_values(digits if nanp.all() else digits[:, nanp]))
        unshaped[left[shaped]] = False
        invalid[left[shaped & ~nanp]] = True
        if not unshaped.any():
            break
    return np.concatenate(found), unshaped, invalid


def _uniform_rows(buf: np.ndarray) -> np.ndarray | None:
    """The chunk as a (lines, width) view when every line has one length, else None."""
    head = np.flatnonzero(buf[: _WIDEST + 2] == _NEWLINE)
    if not len(head):
        return None
    stride = int(head[0]) + 1
    if len(buf) % stride or not (buf[stride - 1 :: stride] == _NEWLINE).all():
        return None
    rows = buf.reshape(-1, stride)[:, : stride - 1]
    if stride > 1 and (rows[:, -1] == _CR).all():
        rows = rows[:, :-1]
    return rows


def _reject_lines(
    stats: RegistryImportStats, source: str, first_line: int, lines: np.ndarray,
    text: Callable[[int], bytes],
) -> None:
    """Count the chunk's ``lines`` (sorted indices) as malformed, sampling the first few."""
    room = max(0, MAX_SAMPLES - len(stats.malformed_samples))
    for index in lines[:room]:
        stats._reject(source, first_line + int(index), text(int(index)))
    stats.malformed += max(0, len(lines) - room)


def _parse_chunk(
    buf: np.ndarray, source: str, first_line: int, stats: RegistryImportStats
) -> np.ndarray:
    """Numbers in a buffer of whole lines (each ending in '\\n'); rejects go to ``stats``."""
    rows = _uniform_rows(buf)
    if rows is not None and rows.shape[1]:
        values, unshaped, invalid = _match_templates(rows, rows.shape[1])
        if not unshaped.any():
            stats.lines += len(rows)
            _reject_lines(stats, source, first_line, np.flatnonzero(invalid), lambda i: rows[i].tobytes())
            return values
    return _parse_lines(buf, source, first_line, stats)


def _parse_lines(
    buf: np.ndarray, source: str, first_line: int, stats: RegistryImportStats
) -> np.ndarray:
    """The general path: lines of mixed lengths, grouped by length, templates per group."""
    ends = np.flatnonzero(buf == _NEWLINE)
    starts = np.empty_like(ends)
    starts[0] = 0
    starts[1:] = ends[:-1] + 1
    ends = ends - ((ends > starts) & (buf[np.maximum(ends - 1, 0)] == _CR))
    lengths = ends - starts
    stats.lines += len(ends)
    # Every line start is a row of this view (padded so the last line has a full row);
    # indexing it copies only the rows asked for.
    padded = np.concatenate([buf, np.zeros(_WIDEST, dtype=np.uint8)])
    windows = np.lib.stride_tricks.sliding_window_view(padded, _WIDEST)
    found = []
    leftover = [np.flatnonzero(lengths > _WIDEST)]
    rejected = []
    widths = np.bincount(np.minimum(lengths, _WIDEST + 1), minlength=_WIDEST + 2)
    stats.blank += int(widths[0])
    for width in np.flatnonzero(widths[1 : _WIDEST + 1]) + 1:
        group = np.flatnonzero(lengths == width)
        values, unshaped, invalid = _match_templates(windows[starts[group]], int(width))
        found.append(values)
        leftover.append(group[unshaped])
        rejected.append(group[invalid])
    values, unparsed = _parse_slow(buf, starts, ends, np.concatenate(leftover), stats)
    found.append(values)
    rejected.append(unparsed)
    _reject_lines(stats, source, first_line, np.sort(np.concatenate(rejected)),
                  lambda i: buf[starts[i] : ends[i]].tobytes())
    return np.concatenate(found)


def _parse_slow(
    buf: np.ndarray, starts: np.ndarray, ends: np.ndarray, lines: np.ndarray,
    stats: RegistryImportStats,
) -> tuple[np.ndarray, np.ndarray]:
    """Lines no fixed-width template fits, a regex each (they are few in real files):
    (numbers, indices of the malformed ones)."""
    values = []
    malformed = []
    for index in np.sort(lines):
        text = buf[starts[index] : ends[index]].tobytes()
        match = _SLOW_LINE.fullmatch(text)
        value = int(b"".join(match.groups())) if match else 0
        if match and value >= _NPA_MIN and value % 10_000_000 >= _NXX_MIN:
            values.append(value)
        elif text.strip():
            malformed.append(index)
        else:
            stats.blank += 1
    return np.array(values, dtype=np.int64), np.array(malformed, dtype=np.intp)


def _check_start(path: Path, head: bytes) -> None:
    """Refuse what is not a text file of numbers, with the fix in the message."""
    for magic, advice in _MAGIC.items():
        if head.startswith(magic):
            raise RegistryError(f"{path} is {advice}")
    if b"\x00" in head:
        raise RegistryError(f"{path} contains NUL bytes (UTF-16 or binary?): save it as ASCII text")
    if head.lstrip().startswith(b"<"):
        raise RegistryError(f"{path} is XML: download the FTC 'flat text file' format instead")
    if not head.strip():
        raise RegistryError(f"{path} is empty: download the registry file again")


def _chunks(
    handle: BinaryIO, chunk_bytes: int, progress: Callable[[int], None] | None
) -> Iterator[memoryview]:
    """Whole-line chunks; a last chunk without final newline is that one unterminated line.

    Each chunk is read straight into a fresh buffer after the previous chunk's partial last
    line, so a read is never copied again (joining and slicing bytes copied it twice).
    """
    carry = b""
    while True:
        buffer = bytearray(len(carry) + chunk_bytes)
        buffer[: len(carry)] = carry
        read = handle.readinto(memoryview(buffer)[len(carry) :])
        if not read:
            break
        if progress is not None:
            progress(read)
        end = len(carry) + read
        cut = buffer.rfind(b"\n", 0, end) + 1
        carry = bytes(buffer[cut:end])
        if cut:
            yield memoryview(buffer)[:cut]
    if carry:
        yield memoryview(bytearray(carry))


def _read_source(
    path: Path,
    stats: RegistryImportStats,
    chunk_bytes: int,
    progress: Callable[[int], None] | None,
) -> Iterator[np.ndarray]:
    """Parsed numbers of one file, chunk by chunk."""
    try:
        handle = path.open("rb")
    except OSError as exc:
        raise RegistryError(f"cannot read {path}: {exc.strerror}") from exc
    with handle:
        _check_start(path, handle.read(4096))
        handle.seek(0)
        line_no = 1
        for chunk in _chunks(handle, chunk_bytes, progress):
            if line_no == 1 and chunk[:3] == b"\xef\xbb\xbf":
                chunk[:3] = b"   "
            if chunk[-1:] != b"\n":
                yield _last_line(path, chunk.tobytes(), line_no, stats)
                break
            buf = np.frombuffer(chunk, dtype=np.uint8)
            before = stats.lines
            yield _parse_chunk(buf, str(path), line_no, stats)
            line_no += stats.lines - before


def _last_line(path: Path, tail: bytes, line_no: int, stats: RegistryImportStats) -> np.ndarray:
    """The file's last line, which has no newline: a whole number, or a truncated file."""
    probe = RegistryImportStats()
    last = _parse_chunk(np.frombuffer(tail + b"\n", np.uint8), str(path), line_no, probe)
    if probe.malformed:
        raise RegistryError(
            f"{path} is truncated: line {line_no} {tail[:40].decode('latin-1')!r} has no "
            "newline and is not a whole number; download the file again"
        )
    stats.lines += probe.lines
    stats.blank += probe.blank
    stats.unterminated_files.append(str(path))
    return last


def _write_atomically(blocks: list[np.ndarray], dest: Path) -> None:
    """Write the consecutive ``blocks`` as one int64 .npy beside ``dest``, then rename it in."""
    dest.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(prefix=f".{dest.name}.", suffix=".tmp", dir=dest.parent)
    header = {
        "descr": np.lib.format.dtype_to_descr(np.dtype(np.int64)),
        "fortran_order": False,
        "shape": (sum(len(block) for block in blocks),),
    }
    try:
        with os.fdopen(fd, "wb") as handle:
            np.lib.format.write_array_header_1_0(handle, header)
            for block in blocks:
                handle.write(memoryview(np.ascontiguousarray(block, dtype=np.int64)))
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp_name, dest)
    except BaseException:
        Path(tmp_name).unlink(missing_ok=True)
        raise


def _in_order(parts: list[np.ndarray]) -> bool:
    """True when every part is sorted and starts at or after the end of the one before."""
    return all(bool((part[1:] >= part[:-1]).all()) for part in parts) and all(
        later[0] >= earlier[-1] for earlier, later in pairwise(parts)
    )


def _sorted_unique(parts: list[np.ndarray]) -> list[np.ndarray]:
    """The numbers of ``parts``, sorted and without repeats, as consecutive blocks."""
    parts = [part for part in parts if len(part)]
    # FTC files come sorted: checking is far cheaper than sorting 50M numbers again, and
    # sorted parts never need joining into one 400 MB array (whose first touch alone costs
    # seconds of page faults here).
    if not _in_order(parts):
        values = np.concatenate(parts)
        values.sort()
        parts = [values[start : start + SORT_BLOCK] for start in range(0, len(values), SORT_BLOCK)]
    blocks = []
    previous: np.int64 | None = None
    for part in parts:
        keep = np.empty(len(part), dtype=bool)
        keep[0] = previous is None or part[0] != previous
        np.not_equal(part[1:], part[:-1], out=keep[1:])
        blocks.append(part if keep.all() else part[keep])
        previous = part[-1]
    return blocks


def import_registry(
    sources: Iterable[Path],
    dest: Path,
    progress: Callable[[int], None] | None = None,
    *,
    merge: bool = False,
    chunk_bytes: int = CHUNK_BYTES,
) -> RegistryImportStats:
    """Import FTC registry files into the .npy registry at ``dest``, atomically.

    ``merge`` keeps the numbers already in ``dest`` (a new area-code file on top of the
    others); otherwise the sources replace it. ``progress`` is called with the number of
    bytes read since its previous call; ``chunk_bytes`` bounds the memory per read.
    Raises ``RegistryError`` for a missing, empty, binary, XML, compressed or truncated
    source, or when no valid number was found.
    """
    stats = RegistryImportStats()
    parts: list[np.ndarray] = []
    for path in sources:
        stats.files += 1
        before = sum(len(p) for p in parts)
        parts.extend(_read_source(Path(path), stats, chunk_bytes, progress))
        if sum(len(p) for p in parts) == before:
            raise RegistryError(
                f"no phone numbers found in {path}: expected one 10-digit number per line "
                "(e.g. 2015550123 or 201,5550123)"
            )
    stats.accepted = sum(len(p) for p in parts)
    if merge and dest.exists():
        existing = Registry.open(dest).numbers
        stats.previous_size = len(existing)
        parts.append(np.asarray(existing))
    elif dest.exists():
        # Replacing: a damaged old file must not block the import that repairs it.
        try:
            stats.previous_size = len(Registry.open(dest))
        except RegistryError:
            stats.previous_size = 0
    merged = _sorted_unique(parts)
    _write_atomically(merged, dest)
    stats.size = sum(len(block) for block in merged)
    return stats


class Registry:
    """A read-only, memory-mapped registry; open it with ``Registry.open(path)``."""

    def __init__(self, numbers: np.ndarray) -> None:
        self.numbers = numbers

    @classmethod
    def open(cls, path: Path) -> Self:
        """Memory-map a registry written by ``import_registry``."""
        try:
            numbers = np.load(path, mmap_mode="r", allow_pickle=False)
        except FileNotFoundError as exc:
            raise RegistryError(f"no registry at {path}: import the FTC files first") from exc
        except (OSError, ValueError) as exc:
            raise RegistryError(f"{path} is not a registry file ({exc}): import it again") from exc
        if numbers.dtype != np.int64 or numbers.ndim != 1:
            raise RegistryError(
                f"{path} is not a registry file (dtype {numbers.dtype}): import it again"
            )
        return cls(numbers)

    def __len__(self) -> int:
        return len(self.numbers)

    def contains_many(self, numbers: np.ndarray) -> np.ndarray:
        """Boolean mask: which 10-digit national numbers (int64) are registered."""
        queries = np.asarray(numbers, dtype=np.int64)
        if len(self.numbers) == 0:
            return np.zeros(queries.shape, dtype=bool)
        # Sorted queries walk the memory map forwards, touching each page once.
        order = np.argsort(queries, kind="stable")
        ordered = queries[order]
        index = np.searchsorted(self.numbers, ordered)
        index[index == len(self.numbers)] = 0
        hits = np.empty(queries.shape, dtype=bool)
        hits[order] = self.numbers[index] == ordered
        return hits

    def contains(self, e164: str) -> bool:
        """True when a NANP number (E.164 or 10 digits) is registered; other numbers: False."""
        national = nanp_national(e164)
        if national is None:
            return False
        return bool(self.contains_many(np.array([int(national)], dtype=np.int64))[0])
