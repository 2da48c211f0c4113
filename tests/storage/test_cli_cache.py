"""`playlist-clusters analyze` with the cache, --no-cache, and `cache stats` / `cache clear`,
on the SQLite file of DATABASE_PATH and on the PostgreSQL database of DATABASE_URL."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.roots.cli import main
from bot.settings.env import get_settings
from storage.backends.postgres import redact
from tests.storage.conftest import Location
from tests.storage.helpers import SAMPLE_CSV, raw_fetchall, set_schema_version


@pytest.fixture
def database(
    location: Location, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Location]:
    monkeypatch.chdir(tmp_path)
    if isinstance(location, Path):
        location = tmp_path / "state" / "cache.db"
        monkeypatch.setenv("DATABASE_PATH", str(location))
        monkeypatch.delenv("DATABASE_URL", raising=False)
    else:
        monkeypatch.setenv("DATABASE_URL", location)
        monkeypatch.setenv("DATABASE_PATH", str(tmp_path / "unused" / "cache.db"))
    get_settings.cache_clear()
    yield location
    get_settings.cache_clear()


def _files(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir())}


def test_a_second_analyze_is_served_from_the_cache(
    database: Location, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["analyze", str(SAMPLE_CSV), "-o", "first", "-q", "--name", "Pop ✨"]) == 0
    assert main(["analyze", str(SAMPLE_CSV), "-o", "second", "-q", "--name", "Pop ✨"]) == 0
    assert _files(tmp_path / "first") == _files(tmp_path / "second")
    capsys.readouterr()
    assert main(["cache", "stats"]) == 0
    out = capsys.readouterr().out
    shown = str(database) if isinstance(database, Path) else redact(database)
    assert "analyses:       1 (" in out and shown in out and "of 200.0 MB" in out
    # another name is another picture title: analysed and cached separately
    assert main(["analyze", str(SAMPLE_CSV), "-o", "third", "-q", "--name", "Other"]) == 0
    assert main(["cache", "clear"]) == 0
    assert "Removed 2 cached entries" in capsys.readouterr().out
    assert raw_fetchall(database, "SELECT count(*) FROM analyses") == [(0,)]
    assert not (tmp_path / "unused").exists()  # DATABASE_URL wins over DATABASE_PATH


def test_no_cache_leaves_no_database(database: Location, tmp_path: Path) -> None:
    assert main(["analyze", str(SAMPLE_CSV), "-o", "out", "-q", "--no-cache"]) == 0
    assert (tmp_path / "out" / "clusters.json").is_file()
    if isinstance(database, Path):
        assert not database.exists()
    else:
        tables = "SELECT count(*) FROM pg_tables WHERE schemaname = current_schema()"
        assert raw_fetchall(database, tables) == [(0,)]


def test_a_database_from_a_newer_version_is_one_line_and_exit_2(
    database: Location, capsys: pytest.CaptureFixture[str]
) -> None:
    set_schema_version(database, 999)
    assert main(["cache", "stats"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "newer version of playlist-clusters" in err
    assert main(["analyze", str(SAMPLE_CSV), "-q"]) == 2


def test_cache_clear_keeps_a_playlist_shared_on_a_taste_map(
    database: Location, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    import asyncio

    from storage.database import Database
    from storage.taste import TasteShare
    from tests.storage.helpers import synthetic_playlist

    async def share() -> None:
        db = await Database.open(database)
        try:
            await db.cache.put_playlist(synthetic_playlist(40, source="csv", playlist_id="d1"))
            await db.cache.put_playlist(synthetic_playlist(40, source="csv", playlist_id="d2"))
            await db.taste.share(TasteShare(5, 6, "csv", "d1", "Late Night", "bob"))
        finally:
            await db.close()

    asyncio.run(share())
    assert main(["cache", "stats"]) == 0
    assert "playlists:      2 (" in capsys.readouterr().out
    assert main(["cache", "clear"]) == 0
    out = capsys.readouterr().out
    assert "Removed 1 cached entries" in out and "kept 1 scheduled or shared playlists" in out
    assert raw_fetchall(database, "SELECT id FROM playlists") == [("d1",)]
    assert main(["cache", "stats"]) == 0
    assert "1 kept for schedules and taste shares" in capsys.readouterr().out
