"""Features of a piece of audio, computed with numpy and scipy (pure, no I/O).

:func:`analyse_signal` turns mono samples into a fixed dict of floats, the
"preview" feature family (a different scale from Spotify's audio features; the two
are never mixed in one matrix). The dict's keys and meaning are versioned by
:data:`FEATURE_VERSION`: change a formula or a constant here and bump it, so cached
values computed the old way are not reused.

Everything is computed at :data:`SAMPLE_RATE` (other rates are resampled) on a
short-time Fourier transform with a 2048-sample Hann window and a 512-sample hop
(93 ms / 23 ms). "Active" frames are those within 60 dB of the loudest frame;
per-frame features are averaged over active frames only, so gaps of silence do not
pull them towards zero. At most the first :data:`MAX_SECONDS` are analysed.

Features and units:

``tempo`` (BPM)
    Beats per minute from the autocorrelation of the onset-strength envelope,
    weighted towards 120 BPM (log-normal, one octave wide) to settle octave
    ambiguity, then refined on the autocorrelation peaks at multiples of the beat
    period. :data:`DEFAULT_TEMPO` when the envelope has no variation at all.
``rms_db`` (dBFS)
    Loudness: root mean square of the samples in decibels relative to full scale
    (0 dB = a full-scale square wave; a full-scale sine is about -3 dB).
``spectral_centroid`` (Hz)
    Brightness: the magnitude-weighted mean frequency of each frame.
``spectral_rolloff`` (Hz)
    The frequency below which 85% of each frame's spectral magnitude lies.
``spectral_flatness`` (ratio, 0..1)
    Geometric over arithmetic mean of each frame's power spectrum: near 1 for
    white noise, near 0 for pure tones.
``spectral_contrast`` (dB)
    Peak-to-valley difference per octave band (bands split at 200, 400, 800, 1600,
    3200 and 6400 Hz; peak and valley are the means of the top and bottom 2% of a
    band's magnitudes), averaged over bands and every fourth active frame: high
    for clear notes over a quiet background, low for dense or noisy sound.
``zero_crossing_rate`` (crossings per sample, 0..1)
    Share of consecutive sample pairs whose sign differs; high for hiss and noise.
``onset_rate`` (onsets per second)
    Peaks of the onset-strength envelope (positive spectral flux of the log-mel
    spectrogram) that stand out from their neighbourhood, per second of audio.
``mode`` (1 major, 0 minor)
    The mode of the best-matching Krumhansl-Kessler key profile for the mean
    chroma vector.
``chroma_key_clarity`` (correlation, -1..1)
    Correlation of the mean chroma vector with that best key profile: high when the
    music clearly sits in one key, low for noise or atonal sound.
``chroma_entropy`` (bits, 0..log2(12) = 3.58)
    Shannon entropy of the normalised mean chroma vector: low when few pitch
    classes dominate, high when all twelve are equally present.
``mfcc_1`` .. ``mfcc_8`` (dB-scaled cepstral coefficients)
    Means of the mel-frequency cepstral coefficients 1 to :data:`N_MFCC` (40 mel
    bands, log power in dB, orthonormal DCT-II). Coefficient 0 (overall level) is
    left out because ``rms_db`` already measures loudness; the rest describe the
    spectral envelope (timbre) independent of level.

Silent or too-short input gives a :class:`Skipped` with a :class:`SkipReason`
instead of a dict; nothing here raises on odd audio.
"""

from __future__ import annotations

import itertools
from functools import lru_cache

import numpy as np
from scipy import fft as sp_fft
from scipy.ndimage import gaussian_filter1d, maximum_filter1d, uniform_filter1d
from scipy.signal import resample_poly

# re-exported: they were defined here and are still read from here
from bot.analysis.audio.preview_result import FEATURE_VERSION as FEATURE_VERSION
from bot.analysis.audio.preview_result import Skipped as Skipped
from bot.analysis.audio.preview_result import SkipReason as SkipReason

#: Analysis sample rate (Hz); decoders should produce it directly.
SAMPLE_RATE = 22050
#: STFT window and hop in samples at :data:`SAMPLE_RATE`.
N_FFT = 2048
HOP = 512
#: Mel bands for MFCCs and onset strength, and MFCCs kept (1..N_MFCC).
N_MELS = 40
N_MFCC = 8
#: Shorter input is skipped; longer input is cut to its first MAX_SECONDS.
MIN_SECONDS = 3.0
MAX_SECONDS = 30.0
#: Input quieter than this (RMS, dBFS) is silence.
SILENCE_DB = -60.0
#: Frames within this many dB of the loudest frame are "active".
ACTIVE_RANGE_DB = 60.0
#: Tempo search range and prior (BPM).
MIN_BPM = 30.0
MAX_BPM = 300.0
DEFAULT_TEMPO = 120.0
#: Share of spectral magnitude below the rolloff frequency.
ROLLOFF_SHARE = 0.85
#: Octave band edges (Hz) for spectral contrast, and the peak/valley quantile.
CONTRAST_EDGES = (200.0, 400.0, 800.0, 1600.0, 3200.0, 6400.0)
CONTRAST_QUANTILE = 0.02
#: Contrast is averaged over every CONTRAST_STRIDE-th active frame (its costliest part).
CONTRAST_STRIDE = 4
#: Pitch range used for chroma (Hz).
CHROMA_FMIN = 65.0
CHROMA_FMAX = 4200.0

#: Krumhansl-Kessler key profiles, index 0 = tonic.
MAJOR_PROFILE = np.array([6.35, 2.23, 3.48, 2.33, 4.38, 4.09, 2.52, 5.19, 2.39, 3.66, 2.29, 2.88])
MINOR_PROFILE = np.array([6.33, 2.68, 3.52, 5.38, 2.60, 3.53, 2.54, 4.75, 3.98, 2.69, 3.34, 3.17])

#: Every key of the feature dict, in a fixed order.
FEATURE_NAMES: tuple[str, ...] = (
    "tempo",
    "rms_db",
    "spectral_centroid",
    "spectral_rolloff",
    "spectral_flatness",
    "spectral_contrast",
    "zero_crossing_rate",
    "onset_rate",
    "mode",
    "chroma_key_clarity",
    "chroma_entropy",
    *(f"mfcc_{i}" for i in range(1, N_MFCC + 1)),
)

_EPS = 1e-10


def analyse_signal(samples: np.ndarray, sample_rate: int) -> dict[str, float] | Skipped:
    """The feature dict (keys :data:`FEATURE_NAMES`, all finite floats) of ``samples``.

    ``samples`` is mono float audio in -1..1, shape (n,); a 2-D array of shape
    (n, channels) is mixed down to mono. Returns :class:`Skipped` for input shorter
    than :data:`MIN_SECONDS` or quieter than :data:`SILENCE_DB`.
    """
    x = _prepare(samples, sample_rate)
    if x.size < MIN_SECONDS * SAMPLE_RATE:
        seconds = x.size / SAMPLE_RATE
        return Skipped(SkipReason.TOO_SHORT, f"{seconds:.2f} s of audio")
    rms = float(np.sqrt(np.mean(np.square(x, dtype=np.float64))))
    rms_db = 20.0 * np.log10(max(rms, _EPS))
    if rms_db < SILENCE_DB:
        return Skipped(SkipReason.SILENT, f"RMS {rms_db:.1f} dBFS")

    power = _power_spectrogram(x)  # (frames, bins)
    freqs = np.fft.rfftfreq(N_FFT, 1.0 / SAMPLE_RATE).astype(np.float32)
    frame_power = power.sum(axis=1)
    frame_db = 10.0 * np.log10(frame_power + _EPS)
    active = frame_db >= frame_db.max() - ACTIVE_RANGE_DB
    magnitude = np.sqrt(power)

    mel_db = _log_mel(power)
    envelope = _onset_envelope(mel_db)
    fps = SAMPLE_RATE / HOP
    chroma = _mean_chroma(power[active])
    mode, clarity = _mode_and_clarity(chroma)
    mfcc = sp_fft.dct(mel_db[active], type=2, norm="ortho", axis=1)[:, 1 : N_MFCC + 1]
    features = {
        "tempo": _tempo(envelope, fps),
        "rms_db": rms_db,
        "spectral_centroid": _mean_centroid(magnitude[active], freqs),
        "spectral_rolloff": _mean_rolloff(magnitude[active], freqs),
        "spectral_flatness": _mean_flatness(power[active]),
        "spectral_contrast": _mean_contrast(magnitude[active][::CONTRAST_STRIDE], freqs),
        "zero_crossing_rate": float(np.mean(np.signbit(x[1:]) != np.signbit(x[:-1]))),
        "onset_rate": _onset_count(envelope, fps) / (x.size / SAMPLE_RATE),
        "mode": float(mode),
        "chroma_key_clarity": clarity,
        "chroma_entropy": _entropy_bits(chroma),
    }
    for i, value in enumerate(mfcc.mean(axis=0), start=1):
        features[f"mfcc_{i}"] = float(value)
    return {name: _finite(features[name]) for name in FEATURE_NAMES}


def _finite(value: float) -> float:
    """A plain float, with NaN or infinity (degenerate input) turned into 0."""
    value = float(value)
    return value if np.isfinite(value) else 0.0


def _prepare(samples: np.ndarray, sample_rate: int) -> np.ndarray:
    """Mono float32 at SAMPLE_RATE, at most MAX_SECONDS long, non-finite values zeroed."""
    x = np.asarray(samples, dtype=np.float32)
    if x.ndim == 2:
        x = x.mean(axis=1, dtype=np.float32)
    x = x.reshape(-1)
    if sample_rate <= 0:
        return x[:0]
    x = x[: int(MAX_SECONDS * sample_rate) + 1]
    if sample_rate != SAMPLE_RATE:
        g = np.gcd(int(sample_rate), SAMPLE_RATE)
        x = resample_poly(x, SAMPLE_RATE // g, int(sample_rate) // g).astype(np.float32)
    x = x[: int(MAX_SECONDS * SAMPLE_RATE)]
    if not np.all(np.isfinite(x)):
        x = np.nan_to_num(x, nan=0.0, posinf=0.0, neginf=0.0)
    return x


@lru_cache(maxsize=1)
def _window() -> np.ndarray:
    return np.hanning(N_FFT + 1)[:-1].astype(np.float32)


def _power_spectrogram(x: np.ndarray) -> np.ndarray:
    """|STFT|² with frames centred by reflect padding; shape (frames, N_FFT // 2 + 1)."""
    padded = np.pad(x, N_FFT // 2, mode="reflect")
    frames = np.lib.stride_tricks.sliding_window_view(padded, N_FFT)[::HOP]
    spectrum = sp_fft.rfft(frames * _window(), axis=1)
    return (spectrum.real**2 + spectrum.imag**2).astype(np.float32)


@lru_cache(maxsize=1)
def _mel_filterbank() -> np.ndarray:
    """Triangular HTK-mel filters, shape (N_MELS, bins), each with unit area."""

    def to_mel(f: np.ndarray) -> np.ndarray:
        return 2595.0 * np.log10(1.0 + f / 700.0)

    def to_hz(m: np.ndarray) -> np.ndarray:
        return 700.0 * (10.0 ** (m / 2595.0) - 1.0)

    freqs = np.fft.rfftfreq(N_FFT, 1.0 / SAMPLE_RATE)
    edges = to_hz(np.linspace(0.0, to_mel(np.array(SAMPLE_RATE / 2.0)), N_MELS + 2))
    bank = np.zeros((N_MELS, freqs.size))
    for i in range(N_MELS):
        lo, mid, hi = edges[i], edges[i + 1], edges[i + 2]
        rise = (freqs - lo) / (mid - lo)
        fall = (hi - freqs) / (hi - mid)
        bank[i] = np.maximum(0.0, np.minimum(rise, fall)) * (2.0 / (hi - lo))
    return bank.T.astype(np.float32)


def _log_mel(power: np.ndarray) -> np.ndarray:
    """Mel power in dB, floored 80 dB below the loudest value; shape (frames, N_MELS)."""
    mel_db = 10.0 * np.log10(power @ _mel_filterbank() + _EPS)
    return np.maximum(mel_db, mel_db.max() - 80.0)


def _onset_envelope(mel_db: np.ndarray) -> np.ndarray:
    """Onset strength per frame: mean positive rise of the log-mel bands."""
    flux = np.maximum(0.0, np.diff(mel_db, axis=0)).mean(axis=1)
    return np.concatenate(([0.0], flux)).astype(np.float64)


def _parabolic(values: np.ndarray, i: int) -> float:
    """Sub-sample position of the peak at ``i`` by fitting a parabola through 3 points."""
    if i <= 0 or i >= values.size - 1:
        return float(i)
    a, b, c = values[i - 1], values[i], values[i + 1]
    denominator = a - 2.0 * b + c
    if denominator >= 0:
        return float(i)
    return float(i + 0.5 * (a - c) / denominator)


def _tempo(envelope: np.ndarray, fps: float) -> float:
    """Tempo (BPM) from the autocorrelation of the onset envelope; see the module doc."""
    # Smoothing spreads each onset over neighbouring frames, so a beat period that
    # falls between two whole frames still gives one clear autocorrelation peak.
    env = gaussian_filter1d(envelope, sigma=1.0, mode="constant")
    env -= env.mean()
    n = env.size
    if n < 4 or not np.any(env):
        return DEFAULT_TEMPO
    spectrum = np.fft.rfft(env, 2 * n)
    acf = np.fft.irfft(spectrum.real**2 + spectrum.imag**2)[:n]
    min_lag = max(1, int(np.floor(60.0 * fps / MAX_BPM)))
    max_lag = min(n - 2, int(np.ceil(60.0 * fps / MIN_BPM)))
    if max_lag <= min_lag:
        return DEFAULT_TEMPO
    lags = np.arange(min_lag, max_lag + 1)
    bpm = 60.0 * fps / lags
    prior = np.exp(-0.5 * np.log2(bpm / DEFAULT_TEMPO) ** 2)
    score = np.maximum(acf[lags], 0.0) * prior
    if not np.any(score > 0):
        return DEFAULT_TEMPO
    best = int(lags[np.argmax(score)])
    period = _parabolic(acf, best)
    # Refine on the peaks at multiples of the period (up to 8 s): the least-squares
    # period through them is far finer than one frame.
    weighted, norm = period, 1.0
    multiple = 2
    while (multiple + 1) * period < min(n - 1, 8.0 * fps):
        guess = round(multiple * period)
        lo, hi = guess - 2, guess + 3
        peak = lo + int(np.argmax(acf[lo:hi]))
        if acf[peak] <= 0:
            break
        weighted += multiple * _parabolic(acf, peak)
        norm += multiple * multiple
        multiple += 1
    return float(np.clip(60.0 * fps / (weighted / norm), MIN_BPM, MAX_BPM))


def _onset_count(envelope: np.ndarray, fps: float) -> int:
    """Onsets: envelope peaks above their ±0.1 s mean by 7% of the maximum, 30 ms apart."""
    top = envelope.max()
    if top <= 0:
        return 0
    env = envelope / top
    local_max = maximum_filter1d(env, size=5, mode="constant")
    local_mean = uniform_filter1d(env, size=2 * round(0.1 * fps) + 1, mode="constant")
    candidates = np.flatnonzero((env == local_max) & (env >= local_mean + 0.07) & (env > 0))
    wait = max(1, round(0.03 * fps))
    count, last = 0, -wait - 1
    for i in candidates:
        if i - last > wait:
            count += 1
            last = i
    return count


def _mean_centroid(magnitude: np.ndarray, freqs: np.ndarray) -> float:
    total = magnitude.sum(axis=1) + _EPS
    return float(np.mean((magnitude @ freqs) / total))


def _mean_rolloff(magnitude: np.ndarray, freqs: np.ndarray) -> float:
    cumulative = np.cumsum(magnitude, axis=1)
    index = np.argmax(cumulative >= ROLLOFF_SHARE * cumulative[:, -1:], axis=1)
    return float(np.mean(freqs[index]))


def _mean_flatness(power: np.ndarray) -> float:
    p = np.maximum(power, _EPS)
    geometric = np.exp(np.mean(np.log(p), axis=1))
    return float(np.mean(geometric / p.mean(axis=1)))


def _mean_contrast(magnitude: np.ndarray, freqs: np.ndarray) -> float:
    edges = [0, *(int(np.searchsorted(freqs, f)) for f in CONTRAST_EDGES), freqs.size]
    contrasts = []
    for lo, hi in itertools.pairwise(edges):
        width = hi - lo
        if width < 2:
            continue
        k = max(1, round(CONTRAST_QUANTILE * width))
        band = np.partition(magnitude[:, lo:hi], (k - 1, width - k), axis=1)
        valley = band[:, :k].mean(axis=1)
        peak = band[:, width - k :].mean(axis=1)
        contrasts.append(20.0 * np.log10((peak + _EPS) / (valley + _EPS)))
    return float(np.mean(contrasts)) if contrasts else 0.0


@lru_cache(maxsize=1)
def _chroma_matrix() -> np.ndarray:
    """Bins -> pitch classes (0 = C), shape (bins, 12); bins outside the range stay 0."""
    freqs = np.fft.rfftfreq(N_FFT, 1.0 / SAMPLE_RATE)
    matrix = np.zeros((freqs.size, 12), dtype=np.float32)
    inside = (freqs >= CHROMA_FMIN) & (freqs <= CHROMA_FMAX)
    midi = 69.0 + 12.0 * np.log2(freqs[inside] / 440.0)
    matrix[np.flatnonzero(inside), np.round(midi).astype(int) % 12] = 1.0
    return matrix


def _mean_chroma(power: np.ndarray) -> np.ndarray:
    """Mean over frames of each frame's pitch-class energy, normalised to max 1."""
    chroma = power @ _chroma_matrix()
    chroma /= chroma.max(axis=1, keepdims=True) + _EPS
    return chroma.mean(axis=0).astype(np.float64)


def _mode_and_clarity(chroma: np.ndarray) -> tuple[int, float]:
    """(1 major / 0 minor, best correlation) over the 24 rotated key profiles."""
    if np.ptp(chroma) <= _EPS:
        return 1, 0.0
    best_major = max(float(np.corrcoef(chroma, np.roll(MAJOR_PROFILE, k))[0, 1]) for k in range(12))
    best_minor = max(float(np.corrcoef(chroma, np.roll(MINOR_PROFILE, k))[0, 1]) for k in range(12))
    return (1, best_major) if best_major >= best_minor else (0, best_minor)


def _entropy_bits(chroma: np.ndarray) -> float:
    total = chroma.sum()
    if total <= 0:
        return float(np.log2(12))
    p = chroma / total
    p = p[p > 0]
    return float(-(p * np.log2(p)).sum())
