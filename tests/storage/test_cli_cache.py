"""`playlist-clusters analyze` with the cache, --no-cache, and `cache stats` / `cache clear`."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.cli import main
from bot.config import get_settings
from tests.storage.helpers import SAMPLE_CSV


@pytest.fixture
def database(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    path = tmp_path / "state" / "cache.db"
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("DATABASE_PATH", str(path))
    get_settings.cache_clear()
    yield path
    get_settings.cache_clear()


def _files(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir())}


def test_a_second_analyze_is_served_from_the_cache(
    database: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["analyze", str(SAMPLE_CSV), "-o", "first", "-q", "--name", "Pop ✨"]) == 0
    assert main(["analyze", str(SAMPLE_CSV), "-o", "second", "-q", "--name", "Pop ✨"]) == 0
    assert _files(tmp_path / "first") == _files(tmp_path / "second")
    capsys.readouterr()
    assert main(["cache", "stats"]) == 0
    out = capsys.readouterr().out
    assert "analyses:       1 (" in out and str(database) in out and "of 200.0 MB" in out
    # another name is another picture title: analysed and cached separately
    assert main(["analyze", str(SAMPLE_CSV), "-o", "third", "-q", "--name", "Other"]) == 0
    assert main(["cache", "clear"]) == 0
    assert "Removed 2 cached entries" in capsys.readouterr().out
    conn = sqlite3.connect(database)
    assert conn.execute("SELECT count(*) FROM analyses").fetchone()[0] == 0
    conn.close()


def test_no_cache_leaves_no_database(database: Path, tmp_path: Path) -> None:
    assert main(["analyze", str(SAMPLE_CSV), "-o", "out", "-q", "--no-cache"]) == 0
    assert (tmp_path / "out" / "clusters.json").is_file()
    assert not database.exists()


def test_a_database_from_a_newer_version_is_one_line_and_exit_2(
    database: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    database.parent.mkdir(parents=True)
    conn = sqlite3.connect(database)
    conn.execute("PRAGMA user_version = 999")
    conn.close()
    assert main(["cache", "stats"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "newer version of playlist-clusters" in err
    assert main(["analyze", str(SAMPLE_CSV), "-q"]) == 2
