"""Where recordings go, and moving a finished one into place with its checksum and length."""

from __future__ import annotations

import hashlib
import os
from datetime import datetime
from pathlib import Path

from engine.audio import read_samples
from engine.calls.model import Recording


def recording_name(campaign: str, attempt_id: str, when: datetime) -> str:
    """`<campaign>/<yyyy>/<mm>/<dd>/<attempt-id>`: the name Asterisk records under, sans format."""
    return f"{campaign}/{when:%Y/%m/%d}/{attempt_id}"


def finalize(spool_recordings: Path, recordings_dir: Path, name: str, fmt: str = "wav") -> Recording:
    """Move a completed recording from Asterisk's spool into the recordings folder.

    The file only appears at its final path once Asterisk has closed it, so a reader of the
    recordings folder never sees half a call.
    """
    source = spool_recordings / f"{name}.{fmt}"
    target = recordings_dir / f"{name}.{fmt}"
    target.parent.mkdir(parents=True, exist_ok=True)
    os.replace(source, target)
    digest = hashlib.sha256(target.read_bytes()).hexdigest()
    samples, rate = read_samples(target)
    return Recording(path=target, sha256=digest, duration=len(samples) / rate)


def discard(spool_recordings: Path, name: str, fmt: str = "wav") -> None:
    """Delete a recording that holds no conversation (a callee who hung up on pick-up)."""
    (spool_recordings / f"{name}.{fmt}").unlink(missing_ok=True)
