"""Preview analysis speed and memory: previews per second per core, and peak RSS.

Makes 200 synthetic 30-second MP3s shaped like Deezer previews (44.1 kHz stereo,
128 kbit/s, ~480 KB: a click beat, a chord and some noise mixed at random), then
measures

1. our path in one worker process: miniaudio decode to mono 22.05 kHz + features;
2. the decode step alone, miniaudio versus ``librosa.load`` with its defaults
   (22.05 kHz mono, soxr resampling), each in a fresh process, with the first
   call (librosa's lazy imports and JIT) reported separately;
3. our path through ``bot.features.audio.make_executor`` with one worker per core.

Run: ``python benchmarks/audio.py [--count 200] [--workers N]`` (librosa comes with
the ``bench`` extra: ``pip install -e .[bench]``). Prints figures; asserts nothing.
"""

from __future__ import annotations

import argparse
import io
import resource
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bot.analysis.audio.decode import analyse_audio_bytes, decode_audio
from bot.features.audio import default_workers, make_executor

RATE = 44100
SECONDS = 30.0


def synthetic_preview(seed: int) -> bytes:
    """One 30-second stereo MP3 at 128 kbit/s: a click beat, a chord and a little noise."""
    import lameenc

    rng = np.random.default_rng(seed)
    n = int(SECONDS * RATE)
    t = np.arange(n) / RATE
    bpm = rng.uniform(70, 170)
    beat = (t * bpm / 60.0) % 1.0
    click_freq = rng.uniform(800, 6000)
    clicks = np.sin(2 * np.pi * click_freq * t) * np.exp(-beat * 60.0 / bpm * 300.0)
    root = 110.0 * 2 ** (rng.integers(0, 12) / 12)
    third = 2 ** ((3 if rng.random() < 0.5 else 4) / 12)
    chord = sum(np.sin(2 * np.pi * root * r * t) for r in (1.0, third, 1.5, 2.0))
    noise = rng.standard_normal(n)
    beat_share = rng.uniform(0.3, 0.6)  # an audible beat, as most music has
    noise_share = rng.uniform(0.0, 0.2)
    mix = (beat_share, 1.0 - beat_share - noise_share, noise_share)
    mono = mix[0] * clicks + mix[1] * chord / 4 + mix[2] * 0.3 * noise
    mono *= rng.uniform(0.2, 0.9) / (np.abs(mono).max() + 1e-9)
    stereo = np.column_stack([mono, np.roll(mono, 50)])
    encoder = lameenc.Encoder()
    encoder.set_bit_rate(128)
    encoder.set_in_sample_rate(RATE)
    encoder.set_channels(2)
    encoder.set_quality(7)
    return bytes(encoder.encode((stereo * 32767).astype("<i2").tobytes()) + encoder.flush())


def _peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def job_ours(files: list[bytes]) -> tuple[float, float, int]:
    """(seconds for all, seconds decoding only, skipped) in this process."""
    analyse_audio_bytes(files[0])  # warm caches (filterbanks), as a pool worker would be
    start = time.perf_counter()
    skipped = sum(1 for data in files if not isinstance(analyse_audio_bytes(data), dict))
    total = time.perf_counter() - start
    start = time.perf_counter()
    for data in files:
        decode_audio(data)
    decode = time.perf_counter() - start
    return total, decode, skipped


def analyse_with_rss(data: bytes) -> tuple[float | None, float]:
    """(tempo or None when skipped, this worker's peak RSS MB): a pool task, plus its memory."""
    result = analyse_audio_bytes(data)
    return (result["tempo"] if isinstance(result, dict) else None), _peak_rss_mb()


def true_bpm(seed: int) -> float:
    """The tempo :func:`synthetic_preview` used for ``seed`` (its first random draw)."""
    return float(np.random.default_rng(seed).uniform(70, 170))


def job_librosa_load(files: list[bytes]) -> tuple[float, float, float]:
    """(seconds for the first call, seconds for the rest, peak RSS MB) of librosa.load."""
    import librosa

    start = time.perf_counter()
    librosa.load(io.BytesIO(files[0]))
    first = time.perf_counter() - start
    start = time.perf_counter()
    for data in files[1:]:
        librosa.load(io.BytesIO(data))
    return first, time.perf_counter() - start, _peak_rss_mb()


def job_miniaudio_first(files: list[bytes]) -> float:
    """Seconds for the first decode in a fresh process (import included)."""
    start = time.perf_counter()
    decode_audio(files[0])
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=200)
    parser.add_argument("--workers", type=int, default=default_workers())
    args = parser.parse_args()

    start = time.perf_counter()
    with make_executor(args.workers) as pool:
        files = list(pool.map(synthetic_preview, range(args.count), chunksize=4))
    mean_kb = sum(map(len, files)) / len(files) / 1000
    print(
        f"made {len(files)} synthetic 30 s previews (mean {mean_kb:.0f} KB) "
        f"in {time.perf_counter() - start:.1f} s"
    )

    with make_executor(1) as one:
        total, decode, skipped = one.submit(job_ours, files).result()
    print("\nour path, one worker process (miniaudio decode -> mono 22.05 kHz -> features):")
    each_ms = 1000 * total / len(files)
    print(f"  {len(files) / total:6.1f} previews/s per core  ({each_ms:.1f} ms each)")
    print(
        f"  decode {1000 * decode / len(files):.1f} ms, features "
        f"{1000 * (total - decode) / len(files):.1f} ms per preview; skipped {skipped}"
    )

    with make_executor(1) as one:
        mini_first = one.submit(job_miniaudio_first, files).result()
    print("\ndecode only, fresh process each:")
    print(
        f"  miniaudio     first call {1000 * mini_first:8.1f} ms, then "
        f"{1000 * decode / len(files):6.1f} ms per preview"
    )
    try:
        with make_executor(1) as one:
            first, rest, lib_rss = one.submit(job_librosa_load, files).result()
    except ImportError:
        print("  librosa.load  not installed (pip install -e .[bench])")
    else:
        per = rest / max(1, len(files) - 1)
        print(
            f"  librosa.load  first call {1000 * first:8.1f} ms, then {1000 * per:6.1f} ms "
            f"per preview (defaults: 22.05 kHz mono, soxr_hq)"
        )
        print(f"                worker peak RSS {lib_rss:.0f} MB (holding all {len(files)} files)")

    with make_executor(args.workers) as pool:
        list(pool.map(analyse_audio_bytes, files[: args.workers]))  # start every worker
        start = time.perf_counter()
        results = list(pool.map(analyse_with_rss, files, chunksize=1))
        elapsed = time.perf_counter() - start
    rate = len(results) / elapsed
    worker_peak = max(rss for _, rss in results)
    tempi = [(tempo, true_bpm(seed)) for seed, (tempo, _) in enumerate(results)]
    found = [(tempo, bpm) for tempo, bpm in tempi if tempo is not None]
    within = sum(1 for tempo, bpm in found if abs(tempo - bpm) <= 3)
    octave = sum(
        1
        for tempo, bpm in found
        if abs(tempo - bpm) > 3 and min(abs(tempo - 2 * bpm), abs(2 * tempo - bpm)) <= 3
    )
    print(f"\nprocess pool, {args.workers} worker(s), one preview per task:")
    print(
        f"  {rate:6.1f} previews/s in all, {rate / args.workers:.1f} per core; "
        f"analysed {sum(t is not None for t, _ in results)}/{len(results)}"
    )
    print(
        f"  tempo within 3 BPM of the true tempo: {within}/{len(results)} "
        f"(another {octave} off by an octave)"
    )
    print(
        f"  largest worker peak RSS {worker_peak:.0f} MB; "
        f"main process peak RSS {_peak_rss_mb():.0f} MB (holds all {len(files)} files)"
    )
    print("  target: >= 10 previews/s per core")


if __name__ == "__main__":
    main()
