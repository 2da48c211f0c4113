"""Regenerate the bundled sample CSV from the reference page (seeded, so reproducible).

The titles, artists, albums, labels, art, links and 💚 marks come from the reference
page (tests/data/reference_page.md). Its audio-feature values are not known, so the
feature columns here are SYNTHETIC: drawn around one made-up centre per reference
cluster with a fixed seed. Run: python scripts/make_sample.py
"""

from __future__ import annotations

import csv
import re
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
REFERENCE = ROOT / "tests" / "data" / "reference_page.md"
OUT = ROOT / "samples" / "international_pop_synthetic_features.csv"
SEED = 20261127

LINK_TEXT = re.compile(r"\[([^\]]*)\]\([^)]*\)")
IMG_SRC = re.compile(r'src="([^"]+)"')
TRACK_URL = re.compile(r"https://open\.spotify\.com/track/([0-9A-Za-z]{22})")

# Made-up centres: danceability, energy, valence, acousticness, instrumentalness,
# speechiness, liveness, tempo, loudness
CENTRES = [
    (0.78, 0.74, 0.70, 0.15, 0.01, 0.08, 0.14, 104.0, -5.5),  # bright dance pop
    (0.52, 0.38, 0.33, 0.62, 0.02, 0.04, 0.11, 82.0, -9.5),  # acoustic ballads
    (0.55, 0.90, 0.52, 0.05, 0.04, 0.09, 0.25, 150.0, -3.8),  # fast and loud
]
SPREAD = (0.06, 0.06, 0.10, 0.06, 0.01, 0.02, 0.05, 7.0, 0.8)
LIMITS = [(0, 1)] * 7 + [(50, 220), (-30, 0)]
FEATURES = [
    "Danceability",
    "Energy",
    "Valence",
    "Acousticness",
    "Instrumentalness",
    "Speechiness",
    "Liveness",
    "Tempo",
    "Loudness",
]


def parse_reference(text: str) -> list[tuple[int, list[str]]]:
    """(reference cluster index, table cells) for every track row of the page."""
    rows: list[tuple[int, list[str]]] = []
    cluster = -1
    for line in text.splitlines():
        if line.startswith("## Cluster"):
            cluster += 1
        elif line.startswith("| <img"):
            cells = [c.strip() for c in line.strip()[1:-1].split("|")]
            rows.append((cluster, cells))
    return rows


def main() -> None:
    rng = np.random.default_rng(SEED)
    rows = parse_reference(REFERENCE.read_text(encoding="utf-8"))
    OUT.parent.mkdir(parents=True, exist_ok=True)
    with OUT.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(
            [
                "Track URI",
                "Track Name",
                "Artist Name(s)",
                "Album Name",
                "Album Image URL",
                "Label",
                "Liked",
                *FEATURES,
            ]
        )
        for cluster, cells in rows:
            art, title, album, artists, label, liked, link = cells
            track_id = TRACK_URL.search(link).group(1)  # type: ignore[union-attr]
            values = rng.normal(CENTRES[cluster], SPREAD)
            values = [float(np.clip(v, lo, hi)) for v, (lo, hi) in zip(values, LIMITS, strict=True)]
            writer.writerow(
                [
                    f"spotify:track:{track_id}",
                    title,
                    LINK_TEXT.sub(r"\1", artists),
                    album,
                    IMG_SRC.search(art).group(1),  # type: ignore[union-attr]
                    LINK_TEXT.sub(r"\1", label),
                    "true" if liked.strip() == "💚" else "false",
                    *(
                        f"{v:.3f}" if name != "Tempo" else f"{v:.1f}"
                        for v, name in zip(values, FEATURES, strict=True)
                    ),
                ]
            )
    print(f"wrote {OUT.relative_to(ROOT)} ({len(rows)} tracks)")


if __name__ == "__main__":
    main()
