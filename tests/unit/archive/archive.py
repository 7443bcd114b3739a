"""Recorded attempts made by hand: a file where the engine would finalise it, and its row."""

from __future__ import annotations

import hashlib
import uuid
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import Engine

from engine.calls.recordings import recording_name
from tests.unit.metrics.attempts import attempt

DIALED = datetime(2024, 3, 12, 17, 0, tzinfo=UTC)


def recorded(
    engine: Engine,
    campaign_id: int,
    contact_id: int,
    recordings_dir: Path,
    campaign: str,
    audio: bytes = b"RIFF....WAVEfmt ",
) -> tuple[str, Path]:
    """A connected attempt with its recording on disk and the sha256 the engine would store."""
    attempt_id = str(uuid.uuid4())
    path = recordings_dir / f"{recording_name(campaign, attempt_id, DIALED)}.wav"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(audio)
    attempt(
        engine,
        campaign_id,
        contact_id,
        DIALED,
        "connected",
        talk_seconds=30,
        attempt_id=attempt_id,
        recording_path=str(path),
        recording_sha256=hashlib.sha256(audio).hexdigest(),
    )
    return attempt_id, path
