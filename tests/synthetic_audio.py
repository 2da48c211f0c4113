"""Synthetic audio for the audio tests: click tracks, tones, noise, silence, MP3 bytes.

Every clip is made with numpy from a fixed seed, so the tests know the truth (tempo,
level, brightness) without shipping any audio file.
"""

from __future__ import annotations

import lameenc
import numpy as np

RATE = 22050


def clicks(
    bpm: float,
    seconds: float = 10.0,
    *,
    freq: float = 2000.0,
    amplitude: float = 0.5,
    phase: float = 0.05,
    rate: int = RATE,
) -> np.ndarray:
    """A click every beat: 10 ms decaying sine bursts at ``freq`` Hz."""
    n = int(seconds * rate)
    out = np.zeros(n, dtype=np.float32)
    t = np.arange(int(0.01 * rate)) / rate
    click = (np.sin(2 * np.pi * freq * t) * np.exp(-t * 400)).astype(np.float32)
    start = phase
    while start < seconds:
        i = int(start * rate)
        m = min(click.size, n - i)
        out[i : i + m] += click[:m]
        start += 60.0 / bpm
    return out * amplitude


def tones(
    freqs: tuple[float, ...] = (110.0, 130.8, 98.0),
    seconds: float = 10.0,
    *,
    note_seconds: float = 1.5,
    amplitude: float = 0.4,
    rate: int = RATE,
) -> np.ndarray:
    """Slow sustained notes cycling through ``freqs``, each with a soft attack and release."""
    n = int(seconds * rate)
    t = np.arange(n) / rate
    note = (t // note_seconds).astype(int) % len(freqs)
    f = np.asarray(freqs)[note]
    phase = 2 * np.pi * np.cumsum(f) / rate
    within = (t % note_seconds) / note_seconds
    envelope = np.minimum(1.0, np.minimum(within * 10, (1 - within) * 10))
    return (amplitude * envelope * np.sin(phase)).astype(np.float32)


def noise(
    seconds: float = 10.0, *, amplitude: float = 0.2, seed: int = 0, rate: int = RATE
) -> np.ndarray:
    """White noise."""
    rng = np.random.default_rng(seed)
    return (amplitude * rng.standard_normal(int(seconds * rate))).clip(-1, 1).astype(np.float32)


def sine(
    freq: float, seconds: float = 5.0, *, amplitude: float = 0.3, rate: int = RATE
) -> np.ndarray:
    """A steady sine tone."""
    t = np.arange(int(seconds * rate)) / rate
    return (amplitude * np.sin(2 * np.pi * freq * t)).astype(np.float32)


def silence(seconds: float = 5.0, rate: int = RATE) -> np.ndarray:
    """Digital silence."""
    return np.zeros(int(seconds * rate), dtype=np.float32)


def to_mp3(samples: np.ndarray, rate: int = RATE, bitrate: int = 64) -> bytes:
    """MP3 bytes of mono float samples in -1..1 (LAME, constant bit rate)."""
    encoder = lameenc.Encoder()
    encoder.set_bit_rate(bitrate)
    encoder.set_in_sample_rate(rate)
    encoder.set_channels(1)
    encoder.set_quality(7)
    pcm = (np.clip(samples, -1, 1) * 32767).astype("<i2").tobytes()
    return bytes(encoder.encode(pcm) + encoder.flush())
