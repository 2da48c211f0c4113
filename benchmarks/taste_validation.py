"""Does the taste overlap score order playlists as a listener would? (issue 24)

Real labelled tracks (tests/data/labelled, TidyTuesday 2020-01-21 Spotify songs, CC0).
Per genre (or subgenre) two disjoint random playlists are drawn and all of them are
put on one map, as /taste map would. Same-label pairs (two playlists of one genre)
must score above different-label pairs. Printed per level, over several seeds:
median [min-max] of each kind of pair, and the AUC: the chance that a same-label
pair outscores a different-label pair (1.0 = always; ties count half). For the
subgenre level, different pairs are split into "same genre" (album rock vs classic
rock) and "across genres" (classic rock vs gangster rap).

Run: python benchmarks/taste_validation.py [--seeds N]
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.labelled import load_rows, taste_pairs


def _spread(values: list[float]) -> str:
    return (
        f"median {np.median(values):5.1f} [{min(values):5.1f}-{max(values):5.1f}] (n={len(values)})"
    )


def _auc(same: list[float], different: list[float]) -> float:
    s, d = np.array(same)[:, None], np.array(different)[None, :]
    return float(np.mean(s > d) + 0.5 * np.mean(s == d))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=5)
    args = parser.parse_args()
    rows = load_rows()
    genre_of = {r["playlist_subgenre"]: r["playlist_genre"] for r in rows}
    for column, size, word in (
        ("playlist_genre", 100, "genre"),
        ("playlist_subgenre", 50, "subgenre"),
    ):
        same: list[float] = []
        different: list[float] = []
        within: list[float] = []
        across: list[float] = []
        for seed in range(args.seeds):
            s, d, pairs = taste_pairs(rows, column, size, seed)
            same += s
            different += d
            if column == "playlist_subgenre":
                within += [v for x, y, v in pairs if genre_of[x] == genre_of[y]]
                across += [v for x, y, v in pairs if genre_of[x] != genre_of[y]]
        print(f"{word} level, playlists of {size} tracks, {args.seeds} seeds:")
        print(f"  same {word:<9}  {_spread(same)}")
        print(f"  different {word:<4} {_spread(different)}")
        if within:
            print(f"    within one genre     {_spread(within)}")
            print(f"    across genres        {_spread(across)}")
        print(f"  AUC same > different: {_auc(same, different):.3f}")
        high = np.mean(np.array(different) >= 95)
        print(f"  different pairs scoring 95 or more: {high:.1%}")


if __name__ == "__main__":
    main()
