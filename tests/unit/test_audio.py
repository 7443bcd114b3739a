"""The FFT that decides who heard whom, and the tolerant WAV reader."""

from __future__ import annotations

import wave
from pathlib import Path

import numpy as np

from engine.audio import SAMPLE_RATE, heard_tones, read_samples, wav_complete, write_tone


def _mix(path: Path, freqs: list[float], seconds: float = 2.0, noise: float = 200.0) -> Path:
    t = np.arange(int(SAMPLE_RATE * seconds)) / SAMPLE_RATE
    rng = np.random.default_rng(1)
    signal = sum(3000 * np.sin(2 * np.pi * f * t) for f in freqs) + rng.normal(0, noise, t.size)
    with wave.open(str(path), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(SAMPLE_RATE)
        out.writeframes(np.asarray(signal, dtype="<i2").tobytes())
    return path


def test_tones_present_are_heard_and_absent_ones_are_not(tmp_path: Path) -> None:
    candidates = [440.0, 1000.0, 1100.0, 2000.0]
    assert heard_tones(_mix(tmp_path / "a.wav", [440, 1000]), candidates) == {440.0, 1000.0}
    assert heard_tones(_mix(tmp_path / "b.wav", [1100]), candidates) == {1100.0}
    assert heard_tones(_mix(tmp_path / "c.wav", []), candidates) == set()


def test_write_tone_is_a_complete_wav_of_one_tone(tmp_path: Path) -> None:
    path = write_tone(tmp_path / "t.wav", 1000.0, 1.0)
    assert wav_complete(path)
    samples, rate = read_samples(path)
    assert rate == SAMPLE_RATE and len(samples) == SAMPLE_RATE
    assert heard_tones(path, [440.0, 1000.0]) == {1000.0}


def test_a_file_whose_writer_died_is_incomplete_but_readable(tmp_path: Path) -> None:
    path = write_tone(tmp_path / "t.wav", 440.0, 1.0)
    raw = bytearray(path.read_bytes())
    raw[4:8] = (0).to_bytes(4, "little")
    raw[40:44] = (0).to_bytes(4, "little")
    path.write_bytes(bytes(raw))
    assert not wav_complete(path)
    samples, _ = read_samples(path)
    assert len(samples) == SAMPLE_RATE
    assert heard_tones(path, [440.0]) == {440.0}


def test_missing_or_empty_file_is_not_complete(tmp_path: Path) -> None:
    assert not wav_complete(tmp_path / "absent.wav")
    (tmp_path / "empty.wav").write_bytes(b"")
    assert not wav_complete(tmp_path / "empty.wav")
