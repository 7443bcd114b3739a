"""Check the recording archive against the attempts: missing, altered and orphaned files.

A recording is evidence (what was said, that a disclosure was given), so its sha256 is stored
with the attempt when the file is finalised; this module recomputes it. Attempts are read in
keyset-paged chunks, each in its own short transaction, so a check of millions of recordings
neither holds memory for every row nor pins an SQLite read snapshot for an hour.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, func
from sqlmodel import Session, col, select

from engine.store.models import CallAttempt, Campaign

CHUNK_SIZE = 500
READ_BLOCK = 1 << 20
# hashlib releases the GIL on large buffers, so a few threads overlap disk reads and hashing.
HASH_WORKERS = 4

Progress = Callable[[int, int], None]


class RecordingStatus(StrEnum):
    OK = "ok"
    MISSING = "missing"  # the attempt names a file that is not there
    ALTERED = "altered"  # the file's sha256 differs from the one stored at finalisation
    UNVERIFIABLE = "unverifiable"  # unreadable, or no checksum was stored


@dataclass(frozen=True)
class RecordingProblem:
    """One attempt whose recording is not as it was finalised."""

    attempt_id: str
    path: Path
    status: RecordingStatus
    detail: str


@dataclass
class VerifyReport:
    """The outcome of one check; ``failed`` is what a cron job should alert on."""

    checked: int = 0
    ok: int = 0
    problems: list[RecordingProblem] = field(default_factory=list)
    orphans: list[Path] = field(default_factory=list)  # files no attempt references

    def count(self, status: RecordingStatus) -> int:
        """How many recordings ended in ``status``."""
        if status is RecordingStatus.OK:
            return self.ok
        return sum(1 for problem in self.problems if problem.status is status)

    @property
    def failed(self) -> bool:
        """True when any referenced recording is missing, altered or unverifiable.

        Orphans do not fail the check: a crash between finalising a file and committing its
        attempt leaves one, and it is reported for a person to look at.
        """
        return bool(self.problems)

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready summary with every problem and orphan."""
        return {
            "checked": self.checked,
            "counts": {status.value: self.count(status) for status in RecordingStatus},
            "orphans": [str(path) for path in self.orphans],
            "problems": [
                {
                    "attempt_id": p.attempt_id,
                    "path": str(p.path),
                    "status": p.status.value,
                    "detail": p.detail,
                }
                for p in self.problems
            ],
        }


@dataclass(frozen=True)
class _Reference:
    attempt_id: str
    path: Path
    sha256: str | None


def sha256_file(path: Path) -> str:
    """The hex sha256 of a file, read in blocks (recordings can be large)."""
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while block := handle.read(READ_BLOCK):
            digest.update(block)
    return digest.hexdigest()


def _check(reference: _Reference) -> RecordingProblem | None:
    try:
        actual = sha256_file(reference.path)
    except FileNotFoundError:
        return RecordingProblem(
            reference.attempt_id, reference.path, RecordingStatus.MISSING, "file not found"
        )
    except OSError as exc:
        return RecordingProblem(
            reference.attempt_id,
            reference.path,
            RecordingStatus.UNVERIFIABLE,
            f"cannot read: {exc.strerror or exc}",
        )
    if reference.sha256 is None:
        return RecordingProblem(
            reference.attempt_id,
            reference.path,
            RecordingStatus.UNVERIFIABLE,
            "no checksum stored with the attempt",
        )
    if actual != reference.sha256.lower():
        return RecordingProblem(
            reference.attempt_id,
            reference.path,
            RecordingStatus.ALTERED,
            f"sha256 is now {actual[:12]}..., was {reference.sha256[:12]}...",
        )
    return None


def _scope(campaign_id: int | None) -> list[Any]:
    conditions: list[Any] = [col(CallAttempt.recording_path).is_not(None)]
    if campaign_id is not None:
        conditions.append(CallAttempt.campaign_id == campaign_id)
    return conditions


def _references(
    db: Engine, recordings_dir: Path, campaign_id: int | None, chunk_size: int
) -> Iterator[list[_Reference]]:
    after = ""
    while True:
        query = (
            select(CallAttempt.id, CallAttempt.recording_path, CallAttempt.recording_sha256)
            .where(*_scope(campaign_id), col(CallAttempt.id) > after)
            .order_by(col(CallAttempt.id))
            .limit(chunk_size)
        )
        with Session(db) as session:
            rows = session.exec(query).all()
        if not rows:
            return
        # A relative path is taken as relative to the recordings folder.
        yield [
            _Reference(attempt_id, recordings_dir / path, sha256)
            for attempt_id, path, sha256 in rows
        ]
        after = rows[-1][0]


def _files_under(folder: Path) -> set[str]:
    return {os.path.join(root, name) for root, _dirs, names in os.walk(folder) for name in names}


def _scan_folder(db: Engine, recordings_dir: Path, campaign_id: int | None) -> Path:
    if campaign_id is None:
        return recordings_dir
    with Session(db) as session:
        campaign = session.get(Campaign, campaign_id)
    if campaign is None:
        raise LookupError(f"no campaign with id {campaign_id}")
    # engine.calls.recordings.recording_name files a campaign's calls under its name.
    return recordings_dir / campaign.name


def verify_recordings(
    db: Engine,
    recordings_dir: Path,
    campaign_id: int | None = None,
    progress: Progress | None = None,
    chunk_size: int = CHUNK_SIZE,
) -> VerifyReport:
    """Hash every recording an attempt references and compare it with the stored sha256.

    With ``campaign_id`` only that campaign's attempts are checked, and only its folder is
    searched for orphans. ``progress(done, total)`` is called from the calling thread after
    each recording. Raises LookupError for an unknown campaign.
    """
    recordings_dir = Path(os.path.abspath(recordings_dir))
    unreferenced = _files_under(_scan_folder(db, recordings_dir, campaign_id))
    with Session(db) as session:
        total = session.exec(
            select(func.count()).select_from(CallAttempt).where(*_scope(campaign_id))
        ).one()
    report = VerifyReport()
    with ThreadPoolExecutor(max_workers=HASH_WORKERS) as pool:
        for chunk in _references(db, recordings_dir, campaign_id, chunk_size):
            for reference, problem in zip(chunk, pool.map(_check, chunk), strict=True):
                unreferenced.discard(os.path.abspath(reference.path))
                report.checked += 1
                if problem is None:
                    report.ok += 1
                else:
                    report.problems.append(problem)
                if progress is not None:
                    progress(report.checked, max(total, report.checked))
    report.orphans = sorted(Path(path) for path in unreferenced)
    return report
