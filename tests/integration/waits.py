"""Waiting on things Asterisk and baresip write to disk, which send no event when done."""

from __future__ import annotations

import asyncio
from pathlib import Path

from engine.audio import wav_complete


async def complete_wav(path: Path, timeout: float = 10.0) -> Path:
    """Wait until the writer of `path` has closed it (its header is final), or fail.

    MixMonitor and baresip finish their files on their own threads after a hang-up; the only
    observable sign of completion is the RIFF header, so this checks it under a deadline.
    """
    async with asyncio.timeout(timeout):
        while not wav_complete(path):
            await asyncio.sleep(0.05)
    return path
