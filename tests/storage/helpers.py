"""Builders shared by the storage tests: real playlists and analyses, no mocks."""

from __future__ import annotations

import random
import socket
import sqlite3
import sys
from pathlib import Path
from typing import Any

from bot.model import (
    PROVIDER_AUDIO_FEATURES,
    Analysis,
    AnalysisOptions,
    Playlist,
    PlaylistRef,
    Track,
)
from bot.pipeline.runner import compute_analysis
from bot.sources.csvfile import parse_playlist_csv
from storage.database import is_postgres_url
from tests.pg_server import in_thread

ROOT = Path(__file__).resolve().parents[2]
SAMPLE_CSV = ROOT / "samples" / "international_pop_synthetic_features.csv"
#: The crash/concurrency writer process (see crash_writer.py), run from the repository root.
WRITER = [sys.executable, "-m", "tests.storage.crash_writer"]

#: Titles in several scripts: they must survive the cache byte for byte.
TITLES = ("夜に駆ける", "稻香", "שיר לשלום", "ใจเย็น", "Ünïcödé 🎧💚", "Plain title")


def sample_playlist() -> Playlist:
    """The bundled sample CSV, read by the real CSV source."""
    return parse_playlist_csv(
        SAMPLE_CSV.read_bytes(), name="International Pop", ref_id=SAMPLE_CSV.name
    )


def synthetic_playlist(
    n: int,
    *,
    seed: int = 0,
    source: str = "spotify",
    playlist_id: str = "synthetic",
    snapshot: str = "",
) -> Playlist:
    """``n`` tracks with provider audio features in two loose groups, titles in many scripts."""
    rng = random.Random(seed)
    tracks = []
    for i in range(n):
        group = i % 2
        tracks.append(
            Track(
                id=f"{seed:04d}{i:018d}",
                title=f"{TITLES[i % len(TITLES)]} {i}",
                artists=(f"Artist {i % 37}", "Guest ✨") if i % 5 == 0 else (f"Artist {i % 37}",),
                album=f"Album {i % 11}",
                label="Label ‘quoted’",
                url=f"https://open.spotify.com/track/{seed:04d}{i:018d}",
                liked=bool(i % 3 == 0),
                release_year=1990 + i % 30,
                duration_ms=180_000 + 1000 * (i % 60),
                genres=("pop", "k-pop") if group else ("rock",),
                preview_url=f"https://cdnt-preview.dzcdn.net/{i}.mp3",
                audio={
                    name: rng.gauss(0.3 + 0.4 * group, 0.08) for name in PROVIDER_AUDIO_FEATURES
                },
                audio_provider="spotify",
            )
        )
    return Playlist(
        ref=PlaylistRef(source, playlist_id),  # type: ignore[arg-type]
        name=f"Synthetic {n} ✨",
        tracks=tracks,
        snapshot=snapshot or f"snap-{seed}-{n}",
        owner="Owner",
        skipped={"local file": 2},
    )


def analyse(playlist: Playlist, k: int | None = None, *, png: bool = True) -> Analysis:
    """The real pipeline's analysis of ``playlist``."""
    return compute_analysis(playlist, AnalysisOptions(k=k), render_png=png)


def raw_fetchall(location: str | Path, sql: str) -> list[tuple[Any, ...]]:
    """Rows read past the storage package: sqlite3 on a file, asyncpg on a URL."""
    if not is_postgres_url(location):
        conn = sqlite3.connect(location)
        try:
            return conn.execute(sql).fetchall()
        finally:
            conn.close()
    import asyncpg

    async def fetch() -> list[tuple[Any, ...]]:
        conn = await asyncpg.connect(str(location))
        try:
            return [tuple(row) for row in await conn.fetch(sql)]
        finally:
            await conn.close()

    return in_thread(fetch)


def raw_execute(location: str | Path, *statements: str) -> None:
    """Run ``statements`` in one transaction past the storage package."""
    if not is_postgres_url(location):
        conn = sqlite3.connect(location, isolation_level=None)
        try:
            conn.execute("BEGIN")
            for statement in statements:
                conn.execute(statement)
            conn.execute("COMMIT")
        finally:
            conn.close()
        return
    import asyncpg

    async def run() -> None:
        conn = await asyncpg.connect(str(location))
        try:
            async with conn.transaction():
                for statement in statements:
                    await conn.execute(statement)
        finally:
            await conn.close()

    in_thread(run)


def set_schema_version(location: str | Path, version: int) -> None:
    """Mark the database as written at ``version`` (as a newer program would)."""
    if is_postgres_url(location):
        raw_execute(
            location,
            "CREATE TABLE IF NOT EXISTS schema_version (version integer NOT NULL)",
            "DELETE FROM schema_version",
            f"INSERT INTO schema_version VALUES ({int(version)})",
        )
    else:
        Path(location).parent.mkdir(parents=True, exist_ok=True)
        conn = sqlite3.connect(location)
        conn.execute(f"PRAGMA user_version = {int(version)}")
        conn.close()


def schema_version(location: str | Path) -> int:
    """The version recorded in the database, read past the storage package."""
    if is_postgres_url(location):
        return int(raw_fetchall(location, "SELECT max(version) FROM schema_version")[0][0])
    return int(raw_fetchall(location, "PRAGMA user_version")[0][0])


def closed_port() -> int:
    """A 127.0.0.1 port nothing listens on (just released by the system)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])
