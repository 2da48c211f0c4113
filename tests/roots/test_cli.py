"""The command line: files written, summary printed, user errors as one line and exit 2."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from bot.roots.cli import main, slug
from tests.conftest import SAMPLE_CSV


def test_analyze_writes_three_files_and_a_summary(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "out"
    assert (
        main(["analyze", str(SAMPLE_CSV), "--out", str(out), "--name", "International Pop", "-q"])
        == 0
    )
    assert {p.name for p in out.iterdir()} == {
        "clusters.md",
        "clusters_scatter.png",
        "clusters.json",
    }
    assert (out / "clusters_scatter.png").read_bytes().startswith(b"\x89PNG")
    summary = capsys.readouterr().out
    assert summary.startswith("Found 3 clusters in “International Pop” (30 tracks): #1 ")
    assert "30 of 30 tracks had audio features (from the file)." in summary
    assert str(out) in summary


def test_requested_cluster_count(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["analyze", str(SAMPLE_CSV), "-o", str(tmp_path), "--clusters", "5", "-q"]) == 0
    summary = capsys.readouterr().out
    assert "Found 5 clusters" in summary and "5 clusters, as asked." in summary


def test_automatic_cluster_count_is_explained(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["analyze", str(SAMPLE_CSV), "-o", str(tmp_path), "-q"]) == 0
    summary = capsys.readouterr().out
    assert "3 clusters chosen automatically (gap statistic on the sound features" in summary
    assert "chosen automatically (gap statistic" in (tmp_path / "clusters.md").read_text("utf-8")


def test_a_file_that_starts_with_a_thousand_identical_tracks_still_splits(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """k is probed on a random sample of rows, not on the first rows (issue 10)."""
    csv_path = tmp_path / "copies.csv"
    rows = ["Track Name,Artist Name(s),Energy,Danceability,Acousticness"]
    rows += [f"Same {i},Artist,0.5,0.5,0.5" for i in range(1000)]
    groups = ((0.9, 0.8, 0.05), (0.2, 0.3, 0.9), (0.6, 0.9, 0.4))
    rows += [
        f"Other {i},Artist {i % 7},{groups[i % 3][0] + (i % 5) / 100},{groups[i % 3][1]},"
        f"{groups[i % 3][2]}"
        for i in range(1000)
    ]
    csv_path.write_text("\n".join(rows), encoding="utf-8")
    assert main(["analyze", str(csv_path), "-o", str(tmp_path / "o"), "--clusters", "3", "-q"]) == 0
    summary = capsys.readouterr().out
    assert summary.startswith("Found 3 clusters") and "identical" not in summary


def test_default_output_folder_is_named_after_the_playlist(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    assert main(["analyze", str(SAMPLE_CSV), "--name", "International Pop", "-q"]) == 0
    assert (tmp_path / "international_pop" / "clusters.md").exists()
    assert slug("怪物 & Friends!") == "怪物_friends"
    assert slug("!!!") == "playlist"


def test_skipped_rows_reach_the_user(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    csv_path = tmp_path / "p.csv"
    rows = ["Track URI,Track Name,Artist Name(s),Energy"]
    rows += [f"spotify:local:x:y:{i},Local {i},Me,0.5" for i in range(3)]
    rows += [f",Song {i},Artist {i % 3},{i / 20}" for i in range(20)]
    csv_path.write_text("\n".join(rows), encoding="utf-8")
    assert main(["analyze", str(csv_path), "-o", str(tmp_path / "o"), "-q"]) == 0
    assert "3 local files skipped." in capsys.readouterr().out


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["analyze", "no/such/file.csv"], "No such file: no/such/file.csv"),
        (["analyze", str(SAMPLE_CSV), "--clusters", "40"], "--clusters must be between 2 and 12"),
        (["analyze", str(SAMPLE_CSV), "--clusters", "many"], "--clusters takes a whole number"),
        (["analyze"], "the following arguments are required: source"),
    ],
)
def test_user_errors_are_one_line_with_exit_2(
    args: list[str], message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) if args[-1] in ("40", "many", "analyze") else _no_exit():
        code = main(args)
        assert code == 2
    err = capsys.readouterr().err
    assert message in err
    assert err.count("\n") == 1


class _no_exit:
    def __enter__(self) -> None:
        return None

    def __exit__(self, *exc: object) -> bool:
        return False


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "The file is empty."),
        (b"Foo,Bar\n1,2\n", "has no track-title column"),
        (b"\x00\x01\x02binary", "binary"),
    ],
)
def test_bad_files_exit_2_without_traceback(tmp_path: Path, content: bytes, message: str) -> None:
    path = tmp_path / "bad.csv"
    path.write_bytes(content)
    result = subprocess.run(
        [sys.executable, "-m", "bot.roots.cli", "analyze", str(path), "-o", str(tmp_path / "o")],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 2
    assert message in result.stderr
    assert "Traceback" not in result.stderr
    assert result.stderr.count("\n") == 1
    assert not (tmp_path / "o").exists()


def test_export_writes_each_cluster_as_csv_m3u_and_xspf(tmp_path: Path) -> None:
    from bot.files.reader import read_playlist_file
    from bot.sources.csvfile import parse_playlist_csv

    out = tmp_path / "out"
    args = ["analyze", str(SAMPLE_CSV), "-o", str(out), "-k", "3", "--name", "Pop", "--export"]
    assert main([*args, "-q"]) == 0
    names = {p.name for p in out.iterdir()}
    for number in (1, 2, 3):
        assert {f"pop-cluster-{number}.{ext}" for ext in ("csv", "m3u8", "xspf")} <= names
    original = read_playlist_file(SAMPLE_CSV, max_rows=100, max_bytes=10**6)
    seen = []
    for number in (1, 2, 3):
        data = (out / f"pop-cluster-{number}.csv").read_bytes()
        seen += [t.id for t in parse_playlist_csv(data, name="c", ref_id="c").tracks]
    assert sorted(seen) == sorted(t.id for t in original.tracks)


def test_export_replaces_a_planted_symlink_instead_of_writing_through_it(tmp_path: Path) -> None:
    out = tmp_path / "out"
    out.mkdir()
    victim = tmp_path / "victim.txt"
    victim.write_text("keep me", encoding="utf-8")
    (out / "pop-cluster-1.csv").symlink_to(victim)
    args = ["analyze", str(SAMPLE_CSV), "-o", str(out), "-k", "3", "--name", "Pop", "--export"]
    assert main([*args, "-q"]) == 0
    assert victim.read_text(encoding="utf-8") == "keep me"
    assert not (out / "pop-cluster-1.csv").is_symlink()
    assert (out / "pop-cluster-1.csv").read_bytes().startswith(b"Track URI")
