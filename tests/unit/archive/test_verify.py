"""verify_recordings finds missing, altered, unverifiable and orphaned recordings."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import Engine

from engine.archive.verify import RecordingStatus, verify_recordings
from tests.unit.leads import seed
from tests.unit.metrics.attempts import attempt
from tests.unit.archive.archive import DIALED, recorded


@pytest.fixture
def gotv(db_engine: Engine) -> tuple[int, int]:
    campaign_id = seed.campaign(db_engine, "gotv")
    return campaign_id, seed.contact(db_engine, campaign_id, "+12125550101", zip_code="10001")


def test_missing_altered_unchecksummed_and_orphaned_files_are_each_reported(
    db_engine: Engine, gotv: tuple[int, int], tmp_path: Path
) -> None:
    campaign_id, contact = gotv
    recordings = tmp_path / "recordings"
    for _ in range(3):
        recorded(db_engine, campaign_id, contact, recordings, "gotv")
    missing_id, missing = recorded(db_engine, campaign_id, contact, recordings, "gotv")
    missing.unlink()
    altered_id, altered = recorded(db_engine, campaign_id, contact, recordings, "gotv")
    altered.write_bytes(b"RIFF....WAVEfmt spliced")
    unchecked = recordings / "gotv" / "unchecked.wav"
    unchecked.write_bytes(b"audio")
    unchecked_id = attempt(
        db_engine, campaign_id, contact, DIALED, "connected", recording_path=str(unchecked)
    )
    attempt(
        db_engine, campaign_id, contact, DIALED, "no_answer"
    )  # nothing recorded, nothing to check
    orphan = recordings / "gotv" / "2024" / "03" / "12" / "left-behind.wav"
    orphan.write_bytes(b"audio")
    calls: list[tuple[int, int]] = []

    report = verify_recordings(
        db_engine,
        recordings,
        progress=lambda done, total: calls.append((done, total)),
        chunk_size=2,
    )

    assert (report.checked, report.ok) == (6, 3)
    assert {(p.attempt_id, p.status) for p in report.problems} == {
        (missing_id, RecordingStatus.MISSING),
        (altered_id, RecordingStatus.ALTERED),
        (unchecked_id, RecordingStatus.UNVERIFIABLE),
    }
    assert report.orphans == [orphan]
    assert report.failed
    assert calls == [(done, 6) for done in range(1, 7)]
    assert report.to_dict()["counts"] == {"ok": 3, "missing": 1, "altered": 1, "unverifiable": 1}


def test_an_intact_archive_passes_even_with_an_orphan(
    db_engine: Engine, gotv: tuple[int, int], tmp_path: Path
) -> None:
    campaign_id, contact = gotv
    recordings = tmp_path / "recordings"
    recorded(db_engine, campaign_id, contact, recordings, "gotv")
    (recordings / "stray.wav").write_bytes(b"audio")

    report = verify_recordings(db_engine, recordings)

    assert (report.checked, report.ok, report.failed) == (1, 1, False)
    assert report.orphans == [recordings / "stray.wav"]


def test_a_campaign_check_looks_only_at_its_attempts_and_its_folder(
    db_engine: Engine, gotv: tuple[int, int], tmp_path: Path
) -> None:
    campaign_id, contact = gotv
    other = seed.campaign(db_engine, "fundraiser")
    other_contact = seed.contact(db_engine, other, "+12125550102", zip_code="10001")
    recordings = tmp_path / "recordings"
    recorded(db_engine, campaign_id, contact, recordings, "gotv")
    _, gone = recorded(db_engine, other, other_contact, recordings, "fundraiser")
    gone.unlink()
    (recordings / "fundraiser" / "stray.wav").write_bytes(b"audio")

    report = verify_recordings(db_engine, recordings, campaign_id)

    assert (report.checked, report.ok, report.problems, report.orphans) == (1, 1, [], [])


def test_a_relative_recording_path_is_read_under_the_recordings_folder(
    db_engine: Engine, gotv: tuple[int, int], tmp_path: Path
) -> None:
    campaign_id, contact = gotv
    recordings = tmp_path / "recordings"
    _, path = recorded(db_engine, campaign_id, contact, recordings, "gotv")
    relative = path.relative_to(recordings)
    attempt(
        db_engine,
        campaign_id,
        contact,
        DIALED,
        "connected",
        recording_path=str(relative),
        recording_sha256="0" * 64,
    )

    report = verify_recordings(db_engine, recordings)

    assert [(p.path, p.status) for p in report.problems] == [(path, RecordingStatus.ALTERED)]
    assert report.orphans == []


def test_an_unknown_campaign_is_refused(db_engine: Engine, tmp_path: Path) -> None:
    with pytest.raises(LookupError, match="no campaign with id 42"):
        verify_recordings(db_engine, tmp_path, 42)
