"""Corpus cases for `compare A B [C ...]` (issue 24): duplicates, empty and featureless
playlists, too many or too few, identical playlists, hostile names, bad sources."""

from __future__ import annotations

import os
from pathlib import Path

from tests.hostile.case import (
    ARGV,
    GOOD_BYTES,
    Case,
    Setup,
    both,
    csv_text,
    file_at,
    playlist_rows,
    write_bytes,
    write_playlist,
)
from tests.hostile.texts import CONTROLS, MARKUP, MATHTEXT, SCRIPTS


def compare(*sources: ARGV, out: str = "out") -> list[ARGV]:
    """`compare SOURCE... --out OUT --no-cache`."""
    return ["compare", *sources, *(["--out", out] if out else []), "--no-cache"]


def _files(*names: str) -> Setup:
    return both(*(write_playlist(name, n=12 + i) for i, name in enumerate(names)))


def _symlink(target: str, name: str) -> Setup:
    def setup(work: Path, outside: Path) -> None:
        os.symlink(target, work / name)

    return setup


def _without_features(name: str) -> Setup:
    rows = [["Track Name", "Artist Name(s)"]] + [[f"song {i}", "someone"] for i in range(12)]
    return write_bytes(name, csv_text(rows).encode())


def compare_cases() -> list[Case]:
    """Every case of the class ``compare``."""
    two = _files("a.csv", "b.csv")
    cases = [
        Case("compare-same-file-twice", "compare", compare("a.csv", "a.csv"), setup=two),
        Case("compare-same-file-dot", "compare", compare("a.csv", "./a.csv"), setup=two),
        Case(
            "compare-same-file-symlink",
            "compare",
            compare("a.csv", "l.csv"),
            setup=both(two, _symlink("a.csv", "l.csv")),
        ),
        Case(
            "compare-same-link-twice",
            "compare",
            compare("https://www.deezer.com/playlist/1", "https://www.deezer.com/playlist/1"),
        ),
        Case(
            "compare-one-empty",
            "compare",
            compare("a.csv", "e.csv"),
            setup=both(two, write_bytes("e.csv", b"")),
        ),
        Case(
            "compare-one-header-only",
            "compare",
            compare("a.csv", "h.csv"),
            setup=both(two, write_bytes("h.csv", GOOD_BYTES.split(b"\n")[0] + b"\n")),
        ),
        Case(
            "compare-eleven",
            "compare",
            compare(*[f"p{i}.csv" for i in range(11)]),
            setup=_files(*[f"p{i}.csv" for i in range(11)]),
        ),
        Case(
            "compare-ten",
            "compare",
            compare(*[f"p{i}.csv" for i in range(10)]),
            setup=_files(*[f"p{i}.csv" for i in range(10)]),
        ),
        Case("compare-one", "compare", compare("a.csv"), setup=two),
        Case("compare-none", "compare", ["compare"]),
        Case(
            "compare-identical",
            "compare",
            compare("a.csv", "copy.csv"),
            setup=both(write_bytes("a.csv", GOOD_BYTES), write_bytes("copy.csv", GOOD_BYTES)),
        ),
        Case(
            "compare-without-features",
            "compare",
            compare("a.csv", "bare.csv"),
            setup=both(two, _without_features("bare.csv")),
        ),
        Case("compare-missing", "compare", compare("a.csv", "nope.csv"), setup=two),
        Case(
            "compare-folder",
            "compare",
            compare("a.csv", "sub"),
            setup=both(two, lambda w, o: (w / "sub").mkdir()),
        ),
        Case("compare-dev-null", "compare", compare("a.csv", "/dev/null"), setup=two),
        Case(
            "compare-unreachable-link",
            "compare",
            compare("a.csv", "https://www.deezer.com/playlist/908622995"),
            setup=two,
        ),
        Case("compare-bad-link", "compare", compare("a.csv", "https://example.com/x"), setup=two),
        Case(
            "compare-out-is-a-file",
            "compare",
            compare("a.csv", "b.csv"),
            setup=both(two, file_at("out")),
        ),
        Case(
            "compare-default-out", "compare", compare("a.csv", "b.csv", out=""), setup=two, out=""
        ),
    ]
    texts = MATHTEXT[:2] + MARKUP[:3] + CONTROLS[:2] + SCRIPTS[:3]
    for i, text in enumerate(texts):
        setup = both(
            write_bytes("x.csv", csv_text(playlist_rows(14, text=text, genre=text[:50])).encode()),
            write_playlist("y.csv"),
        )
        cases.append(
            Case(f"compare-names-{i:03d}", "compare", compare("x.csv", "y.csv"), setup=setup)
        )
    return cases
