"""Every name on the reference page survives CSV -> JSON -> markdown byte for byte."""

from __future__ import annotations

import json
import re
from pathlib import Path

from bot.roots.cli import main
from tests.conftest import REFERENCE_PAGE, SAMPLE_CSV

LINK_TEXT = re.compile(r"\[([^\]]*)\]\([^)]*\)")


def reference_rows() -> list[list[str]]:
    rows = []
    for line in REFERENCE_PAGE.read_text(encoding="utf-8").splitlines():
        if line.startswith("| <img"):
            cells = [c.strip() for c in line.strip()[1:-1].split("|")]
            # artists and labels link to pages of the original site; their text is the name
            cells[3], cells[4] = LINK_TEXT.sub(r"\1", cells[3]), LINK_TEXT.sub(r"\1", cells[4])
            rows.append(cells)
    return rows


def test_reference_names_survive_every_path(tmp_path: Path) -> None:
    rows = reference_rows()
    assert len(rows) == 30
    assert (
        main(
            [
                "analyze",
                str(SAMPLE_CSV),
                "--out",
                str(tmp_path),
                "--name",
                "International Pop",
                "-q",
            ]
        )
        == 0
    )
    doc = json.loads((tmp_path / "clusters.json").read_text(encoding="utf-8"))
    tracks = {t["title"]: t for c in doc["clusters"] for t in c["tracks"]}
    page = (tmp_path / "clusters.md").read_text(encoding="utf-8")
    page_rows = {line for line in page.splitlines() if line.startswith("| <img")}
    for art, title, album, artists, label, liked, link in rows:
        track = tracks[title]
        assert track["album"] == album
        assert ", ".join(track["artists"]) == artists
        assert track["label"] == label
        assert track["liked"] is (liked == "💚")
        heart = " 💚 " if liked else " "
        expected_row = f"| {art} | {title} | {album} | {artists} | {label} |{heart}| {link} |"
        assert expected_row in page_rows, expected_row
    for needle in (
        "脳裏上のクラッカー",
        "עושה לי צרות",
        "ก่อนฤดูฝน",
        "白月光与朱砂痣",
        "Σ",
        "Boys & Girls",
        "W / X / Y",
    ):
        assert needle in page
        assert "ğŸ" not in page
