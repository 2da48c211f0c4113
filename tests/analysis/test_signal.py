"""Features computed from samples and from MP3 bytes (bot.analysis.audio.signal / decode)."""

from __future__ import annotations

import math

import numpy as np
import pytest

from bot.analysis.audio.decode import analyse_audio_bytes, decode_audio
from bot.analysis.audio.signal import (
    FEATURE_NAMES,
    N_MFCC,
    SAMPLE_RATE,
    Skipped,
    SkipReason,
    analyse_signal,
)
from bot.analysis.vocabulary import TRAITS
from tests.synthetic_audio import RATE, clicks, noise, silence, sine, to_mp3, tones


def features(samples: np.ndarray, rate: int = RATE) -> dict[str, float]:
    result = analyse_signal(samples, rate)
    assert isinstance(result, dict), result
    return result


@pytest.mark.parametrize("bpm", [80, 93, 107, 120, 128, 141, 155, 160])
def test_tempo_of_click_tracks_within_3_bpm(bpm: int) -> None:
    assert features(clicks(bpm, 12.0, phase=0.03 * (bpm % 7)))["tempo"] == pytest.approx(bpm, abs=3)


@pytest.mark.parametrize("bpm", [84, 150])
def test_tempo_survives_mp3_round_trip(bpm: int) -> None:
    result = analyse_audio_bytes(to_mp3(clicks(bpm, 10.0)))
    assert isinstance(result, dict)
    assert result["tempo"] == pytest.approx(bpm, abs=3)


def test_every_feature_is_present_and_finite() -> None:
    for clip in (clicks(120), tones(), noise(), sine(440.0)):
        result = features(clip)
        assert list(result) == list(FEATURE_NAMES)
        assert all(isinstance(v, float) and math.isfinite(v) for v in result.values())
    assert [f"mfcc_{i}" for i in range(1, N_MFCC + 1)] == [n for n in FEATURE_NAMES if "mfcc" in n]


def test_vocabulary_knows_the_named_features() -> None:
    named = [n for n in FEATURE_NAMES if not n.startswith(("mfcc", "chroma"))]
    assert all(name in TRAITS for name in named)


def test_louder_files_measure_louder() -> None:
    quiet, loud = features(noise(amplitude=0.02)), features(noise(amplitude=0.3))
    assert loud["rms_db"] > quiet["rms_db"] + 20
    # A full-scale sine is -3 dBFS.
    assert features(sine(440.0, amplitude=1.0))["rms_db"] == pytest.approx(-3.01, abs=0.1)


def test_brighter_files_have_higher_centroid_and_rolloff() -> None:
    low, high = features(sine(200.0)), features(sine(3000.0))
    assert low["spectral_centroid"] == pytest.approx(200.0, rel=0.1)
    assert high["spectral_centroid"] == pytest.approx(3000.0, rel=0.1)
    assert high["spectral_rolloff"] > low["spectral_rolloff"]
    dark_clicks = features(clicks(120, freq=500.0))
    bright_clicks = features(clicks(120, freq=5000.0))
    assert bright_clicks["spectral_centroid"] > dark_clicks["spectral_centroid"] * 2


def test_noise_is_flat_noisy_and_tones_are_tonal() -> None:
    hiss, tone = features(noise()), features(sine(440.0))
    assert hiss["spectral_flatness"] > 0.3 > 0.01 > tone["spectral_flatness"]
    assert hiss["zero_crossing_rate"] > 10 * tone["zero_crossing_rate"]
    assert tone["spectral_contrast"] > hiss["spectral_contrast"]
    assert hiss["chroma_entropy"] > tone["chroma_entropy"]


def test_onset_rate_counts_clicks() -> None:
    assert features(clicks(120, 10.0))["onset_rate"] == pytest.approx(2.0, abs=0.2)
    assert features(clicks(60, 10.0))["onset_rate"] == pytest.approx(1.0, abs=0.2)


def _chord(midi_notes: tuple[int, ...], seconds: float = 5.0) -> np.ndarray:
    return sum(sine(440.0 * 2 ** ((m - 69) / 12), seconds, amplitude=0.2) for m in midi_notes)


@pytest.mark.parametrize(
    ("notes", "mode"),
    [((60, 64, 67), 1.0), ((60, 63, 67), 0.0), ((55, 59, 62), 1.0), ((57, 60, 64), 0.0)],
)
def test_mode_of_triads(notes: tuple[int, ...], mode: float) -> None:
    assert features(_chord(notes))["mode"] == mode


def test_other_sample_rates_are_resampled() -> None:
    at_44k = features(sine(1000.0, rate=44100), rate=44100)
    assert at_44k["spectral_centroid"] == pytest.approx(1000.0, rel=0.05)
    stereo = np.column_stack([sine(1000.0), sine(1000.0)])
    assert features(stereo)["spectral_centroid"] == pytest.approx(1000.0, rel=0.05)


def test_silence_and_short_input_are_skipped_with_a_reason() -> None:
    assert analyse_signal(silence(), RATE) == Skipped(SkipReason.SILENT, "RMS -200.0 dBFS")
    short = analyse_signal(sine(440.0, 1.0), RATE)
    assert isinstance(short, Skipped) and short.reason is SkipReason.TOO_SHORT
    assert isinstance(analyse_signal(np.array([]), RATE), Skipped)
    assert isinstance(analyse_signal(np.full(RATE * 5, np.nan), RATE), Skipped)


def test_decoding_gives_mono_at_the_analysis_rate() -> None:
    samples = decode_audio(to_mp3(sine(440.0, 4.0, rate=44100), rate=44100, bitrate=96))
    assert isinstance(samples, np.ndarray) and samples.ndim == 1
    assert samples.size / SAMPLE_RATE == pytest.approx(4.0, abs=0.1)


def test_decoding_stops_after_the_analysed_length() -> None:
    long_file = to_mp3(noise(40.0), bitrate=32)
    samples = decode_audio(long_file)
    assert isinstance(samples, np.ndarray) and samples.size == 30 * SAMPLE_RATE
    short = decode_audio(long_file, max_seconds=2.0)
    assert isinstance(short, np.ndarray) and short.size == 2 * SAMPLE_RATE


def test_silent_mp3_is_skipped() -> None:
    result = analyse_audio_bytes(to_mp3(silence()))
    assert isinstance(result, Skipped) and result.reason is SkipReason.SILENT


def test_truncated_and_corrupt_files_are_skipped_with_a_reason() -> None:
    mp3 = to_mp3(clicks(120, 8.0))
    truncated = analyse_audio_bytes(mp3[:1500])
    assert isinstance(truncated, Skipped) and truncated.reason is SkipReason.TOO_SHORT
    half = analyse_audio_bytes(mp3[: len(mp3) // 2])
    assert isinstance(half, dict) and half["tempo"] == pytest.approx(120, abs=3)
    for junk in (b"", b"<html>expired</html>" * 50, bytes(range(256)) * 200):
        result = analyse_audio_bytes(junk)
        assert isinstance(result, Skipped) and result.reason is SkipReason.UNDECODABLE
