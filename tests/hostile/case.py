"""A corpus case and the helpers that lay out its input files."""

from __future__ import annotations

import csv
import io
import os
import random
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

Setup = Callable[[Path, Path], None]  # (working folder, outside folder)
ARGV = str | bytes

FEATURES = ("Danceability", "Energy", "Valence", "Acousticness", "Tempo", "Loudness")


@dataclass
class Case:
    """One hostile command line; ``process``: needs a child process (hang or memory)."""

    id: str
    cls: str
    argv: list[ARGV]
    env: dict[str, str] = field(default_factory=dict)
    setup: Setup | None = None
    process: bool = False
    #: The --out folder relative to the working folder ('' when the case gives none).
    out: str = "out"
    #: Only in this process: argv with a NUL cannot reach a child process.
    in_process_only: bool = False
    #: RLIMIT_FSIZE of the child (0: none): writes past it fail as on a full disk.
    file_size_limit: int = 0


def csv_text(rows: list[list[str]]) -> str:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerows(rows)
    return buffer.getvalue()


def playlist_rows(
    n: int = 12,
    *,
    text: str = "",
    genre: str = "",
    value: str | None = None,
    column: str = "Energy",
) -> list[list[str]]:
    """A small Exportify-like playlist: ``text`` in every text field, ``value`` in half
    of ``column`` (added when not a feature column)."""
    rng = random.Random(n)
    extra = [] if column in FEATURES else [column]
    header = ["Track Name", "Artist Name(s)", "Album Name", "Label", "Genres", *FEATURES, *extra]
    rows = [header]
    for i in range(n):
        group = i % 3
        features = [
            f"{0.2 + 0.3 * group + rng.uniform(0, 0.05):.3f}",
            f"{0.9 - 0.3 * group + rng.uniform(0, 0.05):.3f}",
            f"{0.5 + rng.uniform(-0.1, 0.1):.3f}",
            f"{0.1 + 0.4 * group:.3f}",
            f"{90 + 30 * group + rng.uniform(-3, 3):.1f}",
            f"{-12 + 3 * group:.1f}",
        ]
        extras = [""] * len(extra)
        cells = [f"{text} {i}", f"{text} artist", text, text, f"{genre};pop" if genre else "pop"]
        row = cells + features + extras
        if value is not None and i % 2 == 0:
            row[header.index(column)] = value
        rows.append(row)
    return rows


def write_playlist(name: str, **kwargs: object) -> Setup:
    def setup(work: Path, outside: Path) -> None:
        (work / name).write_text(csv_text(playlist_rows(**kwargs)), encoding="utf-8")  # type: ignore[arg-type]

    return setup


def write_bytes(name: str | bytes, data: bytes) -> Setup:
    def setup(work: Path, outside: Path) -> None:
        target = os.path.join(os.fsencode(work), os.fsencode(name))
        with open(target, "wb") as handle:
            handle.write(data)

    return setup


def both(*setups: Setup) -> Setup:
    def setup(work: Path, outside: Path) -> None:
        for step in setups:
            step(work, outside)

    return setup


SAMPLE = "p.csv"
GOOD = write_playlist(SAMPLE)
GOOD_BYTES = csv_text(playlist_rows()).encode()


def analyze(source: ARGV, *extra: ARGV, out: str = "out", cache: bool = False) -> list[ARGV]:
    """`analyze SOURCE --out OUT`, without the cache unless ``cache`` (faster, no database)."""
    no_cache = [] if cache else ["--no-cache"]
    return ["analyze", source, *(["--out", out] if out else []), *no_cache, *extra]


# --- classes ------------------------------------------------------------------------


def seeded_bytes(n: int, seed: int) -> bytes:
    return random.Random(seed).randbytes(n)


def file_at(name: str) -> Setup:
    def setup(work: Path, outside: Path) -> None:
        (work / name).write_text("not a folder", encoding="utf-8")

    return setup


def symlink_loop(work: Path, outside: Path) -> None:
    os.symlink("loop2.csv", work / "loop1.csv")
    os.symlink("loop1.csv", work / "loop2.csv")
