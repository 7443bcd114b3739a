"""WAV audio: tone files for lab parties, a tolerant reader, and the FFT that tells which tones a
recording holds."""

from __future__ import annotations

import wave
from pathlib import Path

import numpy as np

SAMPLE_RATE = 8000


def write_tone(path: Path, hz: float, seconds: float, *, amplitude: float = 0.3) -> Path:
    """A mono 16-bit 8 kHz sine: what a lab party "says" so others can be told apart by FFT."""
    t = np.arange(int(SAMPLE_RATE * seconds)) / SAMPLE_RATE
    samples = (amplitude * 32767 * np.sin(2 * np.pi * hz * t)).astype("<i2")
    path.parent.mkdir(parents=True, exist_ok=True)
    with wave.open(str(path), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(SAMPLE_RATE)
        out.writeframes(samples.tobytes())
    return path


def read_samples(path: Path) -> tuple[np.ndarray, int]:
    """Samples (mono, float) and rate of a 16-bit PCM WAV.

    Reads the data chunk by hand: a writer killed mid-call leaves a header whose sizes are
    zero, and the audio is still worth checking.
    """
    raw = path.read_bytes()
    rate, channels, offset = SAMPLE_RATE, 1, 12
    while offset + 8 <= len(raw):
        chunk, size = raw[offset:offset + 4], int.from_bytes(raw[offset + 4:offset + 8], "little")
        body = offset + 8
        if chunk == b"fmt ":
            channels = int.from_bytes(raw[body + 2:body + 4], "little")
            rate = int.from_bytes(raw[body + 4:body + 8], "little")
        elif chunk == b"data":
            end = len(raw) if size == 0 or body + size > len(raw) else body + size
            data = np.frombuffer(raw[body:end - ((end - body) % 2)], "<i2").astype(float)
            return data.reshape(-1, channels).mean(axis=1), rate
        offset = body + size + (size % 2)
    raise ValueError(f"{path} has no PCM data chunk")


def tone_levels(samples: np.ndarray, rate: int, freqs: list[float], *, width: float = 20.0) -> dict[float, float]:
    """For each frequency, its spectral peak over the median spectrum level (a signal-to-noise ratio).

    A tone that is present scores in the hundreds or more; an absent one scores near 1.
    """
    if len(samples) < rate // 10:
        return {f: 0.0 for f in freqs}
    spectrum = np.abs(np.fft.rfft(samples * np.hanning(len(samples))))
    bins = np.fft.rfftfreq(len(samples), 1 / rate)
    floor = max(float(np.median(spectrum)), 1e-9)
    return {f: float(spectrum[(bins > f - width) & (bins < f + width)].max() / floor) for f in freqs}


def heard_tones(path: Path, freqs: list[float], *, threshold: float = 1000.0) -> set[float]:
    """The frequencies among `freqs` audible in a WAV file.

    Pure tones stand 10^4 to 10^8 above the median spectrum; codec noise and intermodulation
    between two tones leave stray peaks of a few hundred, hence the threshold.
    """
    samples, rate = read_samples(path)
    return {f for f, level in tone_levels(samples, rate, freqs).items() if level >= threshold}


def wav_complete(path: Path) -> bool:
    """True once a WAV's writer has closed it: its RIFF size matches the file's length."""
    try:
        with path.open("rb") as handle:
            header = handle.read(8)
            size = path.stat().st_size
    except OSError:
        return False
    return len(header) == 8 and header[:4] == b"RIFF" and int.from_bytes(header[4:8], "little") + 8 == size and size > 44
