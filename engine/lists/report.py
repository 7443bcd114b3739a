"""The reject report: one CSV line per rejected row, with its line number and reason."""

from __future__ import annotations

import csv
from pathlib import Path
from types import TracebackType
from typing import IO, Self


class RejectReport:
    """Writes rejected rows to ``path``; the file is created only if something is rejected."""

    def __init__(self, path: Path, columns: tuple[str, ...]) -> None:
        self.path = path
        self.columns = columns
        self.count = 0
        self._handle: IO[str] | None = None
        self._writer: csv.DictWriter[str] | None = None

    def reject(self, line: int, reason: str, fields: list[str]) -> None:
        if self._writer is None:
            self._handle = self.path.open("w", encoding="utf-8", newline="")
            self._writer = csv.DictWriter(self._handle, ["line", "reason", *self.columns], extrasaction="ignore")
            self._writer.writeheader()
        self._writer.writerow({"line": line, "reason": reason, **dict(zip(self.columns, fields))})
        self.count += 1

    @property
    def written(self) -> Path | None:
        return self.path if self.count else None

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, value: BaseException | None, tb: TracebackType | None
    ) -> None:
        if self._handle is not None:
            self._handle.close()
