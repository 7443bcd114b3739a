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
    """For each frequency, the share of the recording's power within `width` Hz of it (0..1).

    A share does not grow with the file's length the way a peak-to-floor ratio does: a party
    who was audible for a good part of a call holds percents of the power, while codec noise
    and intermodulation between two tones hold millionths.
    """
    if len(samples) < rate // 50:
        return {f: 0.0 for f in freqs}
    power = np.abs(np.fft.rfft(samples * np.hanning(len(samples)))) ** 2
    bins = np.fft.rfftfreq(len(samples), 1 / rate)
    total = max(float(power.sum()), 1e-12)
    return {f: float(power[(bins > f - width) & (bins < f + width)].sum() / total) for f in freqs}


def heard_tones(path: Path, freqs: list[float], *, threshold: float = 0.05) -> set[float]:
    """The frequencies among `freqs` that hold at least `threshold` of a WAV file's power.

    5% sits far above what white noise puts in a 40 Hz band (1% of a 4 kHz spectrum) and far
    below the share of anyone who spoke for a fair part of the recording.
    """
    samples, rate = read_samples(path)
    return {f for f, share in tone_levels(samples, rate, freqs).items() if share >= threshold}


def wav_complete(path: Path) -> bool:
    """True once a WAV's writer has closed it: its RIFF size matches the file's length."""
    try:
        with path.open("rb") as handle:
            header = handle.read(8)
            size = path.stat().st_size
    except OSError:
        return False
    return len(header) == 8 and header[:4] == b"RIFF" and int.from_bytes(header[4:8], "little") + 8 == size and size > 44


def tone_onset(path: Path, hz: float, *, frame: float = 0.05, threshold: float = 0.3) -> float | None:
    """Seconds from the start of a WAV to the first frame where `hz` holds `threshold` of the power.

    None if the tone never does. With 50 ms frames the answer is good to one frame.
    """
    samples, rate = read_samples(path)
    size = int(rate * frame)
    for index in range(len(samples) // size):
        chunk = samples[index * size:(index + 1) * size]
        if float(np.abs(chunk).max(initial=0.0)) < 1.0:
            continue
        if tone_levels(chunk, rate, [hz], width=40.0)[hz] >= threshold:
            return index * frame
    return None
