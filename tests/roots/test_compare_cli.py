"""`playlist-clusters compare A B [C ...]`: the map, the page and the JSON, and the
mistakes answered in one line with exit status 2."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest

from bot.roots.cli import main
from tests.labelled import load_rows

COLUMNS = ("danceability", "energy", "valence", "acousticness", "instrumentalness",
           "speechiness", "liveness", "tempo", "loudness")  # fmt: skip


def write_genre(path: Path, genre: str, part: int) -> Path:
    """A CSV of 80 real tracks of one genre (two parts of one genre do not overlap)."""
    rows = [r for r in load_rows() if r["playlist_genre"] == genre][part::2][:80]
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["Track Name", "Artist Name(s)", *(c.title() for c in COLUMNS)])
        for r in rows:
            writer.writerow([r["track_name"], r["track_artist"], *(r[c] for c in COLUMNS)])
    return path


def test_compare_writes_map_page_and_json_and_ranks_same_genre_first(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    rock_a = write_genre(tmp_path / "rock_a.csv", "rock", 0)
    rock_b = write_genre(tmp_path / "rock_b.csv", "rock", 1)
    edm = write_genre(tmp_path / "edm.csv", "edm", 0)
    out = tmp_path / "out"
    args = ["compare", str(rock_a), str(rock_b), str(edm), "--out", str(out), "-q", "--no-cache"]
    assert main(args) == 0
    assert sorted(p.name for p in out.iterdir()) == ["taste.json", "taste.md", "taste_map.png"]
    assert (out / "taste_map.png").read_bytes().startswith(b"\x89PNG")
    document = json.loads((out / "taste.json").read_text(encoding="utf-8"))
    assert [p["name"] for p in document["playlists"]] == ["rock a", "rock b", "edm"]
    first = document["pairs"][0]
    assert (first["a"], first["b"]) == ("rock a", "rock b")
    assert first["overlap"] > max(p["overlap"] for p in document["pairs"][1:])
    page = (out / "taste.md").read_text(encoding="utf-8")
    assert "| rock a × rock b |" in page
    said = capsys.readouterr().out
    assert said.startswith("Compared 3 playlists: rock a, rock b, edm.")
    assert "rock a × rock b" in said


def test_identical_playlists_score_100(tmp_path: Path) -> None:
    a = write_genre(tmp_path / "a.csv", "rap", 0)
    b = tmp_path / "b.csv"
    b.write_bytes(a.read_bytes())
    out = tmp_path / "out"
    assert main(["compare", str(a), str(b), "-o", str(out), "-q", "--no-cache"]) == 0
    pair = json.loads((out / "taste.json").read_text(encoding="utf-8"))["pairs"][0]
    assert pair["overlap"] == 100
    assert pair["shared_track_count"] == 80


@pytest.mark.parametrize(
    ("sources", "said"),
    [
        (["a.csv"], "compare needs at least two playlists (links or CSV files)."),
        (["a.csv", "a.csv"], "a.csv is given twice; give each playlist once."),
        ([f"p{i}.csv" for i in range(11)], "compare takes at most 10 playlists; 11 were given."),
        (["a.csv", "empty.csv"], "empty.csv: The file is empty."),
    ],
)
def test_mistakes_exit_2_with_one_line(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    sources: list[str],
    said: str,
) -> None:
    monkeypatch.chdir(tmp_path)
    write_genre(tmp_path / "a.csv", "pop", 0)
    (tmp_path / "empty.csv").write_bytes(b"")
    assert main(["compare", *sources, "-q", "--no-cache"]) == 2
    err = capsys.readouterr().err
    assert err == f"playlist-clusters: {said}\n"
    assert not (tmp_path / "taste_map").exists()
