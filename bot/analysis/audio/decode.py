"""Compressed audio bytes -> mono samples -> features (pure, no I/O).

Decoding uses miniaudio, which ships its decoders (MP3, FLAC, WAV, Vorbis) inside
its wheel, so no system ffmpeg is needed. It decodes straight to mono float32 at
:data:`bot.analysis.audio.signal.SAMPLE_RATE` (its resampler does the conversion), which
is all the analysis needs and a quarter of the memory of 44.1 kHz stereo, and only
the first :data:`~bot.analysis.audio.signal.MAX_SECONDS` that the analysis reads.

:func:`analyse_audio_bytes` is the job a process-pool worker runs for one preview:
it takes and returns only small picklable values.
"""

from __future__ import annotations

import miniaudio
import numpy as np

from bot.analysis.audio.signal import MAX_SECONDS, SAMPLE_RATE, Skipped, SkipReason, analyse_signal


def decode_audio(
    data: bytes, sample_rate: int = SAMPLE_RATE, max_seconds: float = MAX_SECONDS
) -> np.ndarray | Skipped:
    """Mono float32 samples (shape (n,)) of an encoded file, or why it cannot be decoded.

    Decoding streams one second at a time and stops after ``max_seconds``, so a
    small file that holds hours of low-bit-rate audio cannot fill the memory. A
    file cut short decodes to the audio it holds (the analysis then skips it when
    that is too short); bytes that are not audio in a known format give
    :attr:`SkipReason.UNDECODABLE`.
    """
    if not data:
        return Skipped(SkipReason.UNDECODABLE, "empty file")
    limit = int(max_seconds * sample_rate)
    parts: list[np.ndarray] = []
    frames = 0
    stream = None
    try:
        stream = miniaudio.stream_memory(
            bytes(data),
            output_format=miniaudio.SampleFormat.FLOAT32,
            nchannels=1,
            sample_rate=sample_rate,
            frames_to_read=sample_rate,
        )
        for chunk in stream:
            parts.append(np.frombuffer(chunk, dtype=np.float32))
            frames += len(chunk)
            if frames >= limit:
                break
    except miniaudio.MiniaudioError as error:
        return Skipped(SkipReason.UNDECODABLE, str(error) or type(error).__name__)
    finally:
        if stream is not None:
            stream.close()
    if not parts:
        return np.zeros(0, dtype=np.float32)
    return np.concatenate(parts)[:limit]


def analyse_audio_bytes(data: bytes) -> dict[str, float] | Skipped:
    """Decode ``data`` and compute its features; never raises on bad audio."""
    samples = decode_audio(data)
    if isinstance(samples, Skipped):
        return samples
    return analyse_signal(samples, SAMPLE_RATE)
