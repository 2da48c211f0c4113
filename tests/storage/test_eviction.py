"""The size bound: least recently used first, never what a message or schedule references."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator

import pytest

from bot.model import Analysis
from storage.database import Database
from storage.messages import MessageState
from storage.schedules import Schedule
from tests.storage.conftest import Location
from tests.storage.helpers import analyse, synthetic_playlist

PNG_BYTES = 40_000  # incompressible stand-in for a picture: dominates each entry's size
BOUND = 200_000  # room for about four analyses


class Clock:
    """A clock the test moves by hand, so "least recently used" is exact."""

    def __init__(self) -> None:
        self.now = 1_000.0

    def __call__(self) -> float:
        self.now += 1.0
        return self.now


@pytest.fixture
async def bounded(location: Location) -> AsyncIterator[Database]:
    db = await Database.open(location, cache_max_bytes=BOUND)
    db.cache.clock = Clock()
    try:
        yield db
    finally:
        await db.close()


_ANALYSES: dict[int, Analysis] = {}


def _analysis(seed: int) -> Analysis:
    """A real analysis of a small playlist with a big incompressible 'PNG'."""
    if seed not in _ANALYSES:
        analysis = analyse(synthetic_playlist(12, seed=seed, playlist_id=f"p{seed}"), png=False)
        analysis.png = os.urandom(PNG_BYTES)
        _ANALYSES[seed] = analysis
    return _ANALYSES[seed]


async def _keys(db: Database) -> set[str]:
    async with db.read() as conn:
        return {row[0] for row in await conn.fetchall("SELECT key FROM analyses")}


async def _check_usage_is_exact(db: Database) -> None:
    """The trigger-kept totals match the tables."""
    async with db.read() as conn:
        for kind in ("analyses", "playlists", "track_features"):
            actual = await conn.fetchone(
                f"SELECT count(*), coalesce(sum(size_bytes), 0) FROM {kind}"
            )
            kept = await conn.fetchone(
                "SELECT rows, bytes FROM cache_usage WHERE kind = ?", (kind,)
            )
            assert kept == actual, kind


async def test_the_cache_stays_under_the_bound_dropping_the_least_recently_used(
    bounded: Database,
) -> None:
    for seed in range(4):
        await bounded.cache.put_analysis(f"a{seed}", _analysis(seed))
    assert await _keys(bounded) == {"a0", "a1", "a2", "a3"}
    assert await bounded.cache.get_analysis("a0") is not None  # a0 is now the most recent
    for seed in range(4, 12):
        await bounded.cache.put_analysis(f"a{seed}", _analysis(seed))
        assert await bounded.cache.size_bytes() <= BOUND
        await _check_usage_is_exact(bounded)
    assert await _keys(bounded) == {"a8", "a9", "a10", "a11"}
    # a0 outlived a1..a3 because it was used after them
    await bounded.cache.put_analysis("a0", _analysis(0))
    await bounded.cache.put_analysis("b1", _analysis(1))
    await bounded.cache.get_analysis("a0")
    await bounded.cache.put_analysis("b2", _analysis(2))
    assert "a0" in await _keys(bounded)


async def test_referenced_analyses_and_playlists_are_never_evicted(bounded: Database) -> None:
    await bounded.cache.put_analysis("posted", _analysis(0))
    await bounded.messages.save(MessageState(1, 2, 3, "posted", 4))
    scheduled = synthetic_playlist(600, seed=99, source="deezer", playlist_id="scheduled")
    await bounded.cache.put_playlist(scheduled)
    await bounded.schedules.add(
        Schedule(
            guild_id=3,
            channel_id=2,
            ref_source="deezer",
            ref_id="scheduled",
            weekday=0,
            time="09:00",
            timezone="UTC",
            created_by=4,
        )
    )
    for seed in range(1, 15):
        await bounded.cache.put_analysis(f"a{seed}", _analysis(seed))
        assert await bounded.cache.size_bytes() <= BOUND
    assert "posted" in await _keys(bounded)
    assert await bounded.cache.get_playlist(scheduled.ref) is not None
    # even a bound nothing can meet leaves them in place
    await bounded.cache.evict(0)
    assert await _keys(bounded) == {"posted"}
    assert await bounded.cache.get_playlist(scheduled.ref) is not None
    stats = await bounded.cache.stats()
    assert (stats.referenced_analyses, stats.referenced_playlists) == (1, 1)
    # once the message is gone, its analysis may go too
    await bounded.messages.delete(1)
    await bounded.cache.evict(0)
    assert await _keys(bounded) == set()
    await _check_usage_is_exact(bounded)


async def test_features_go_only_after_analyses_and_playlists_oldest_first(
    bounded: Database,
) -> None:
    await bounded.cache.put_analysis("a", _analysis(0))
    old = {f"old{i}": {"energy": i / 1000} for i in range(500)}
    new = {f"new{i}": {"energy": i / 1000} for i in range(500)}
    await bounded.cache.put_features("spotify", old, "reccobeats", 1)
    await bounded.cache.put_features("spotify", new, "reccobeats", 1)
    feature_bytes = (await bounded.cache.stats()).feature_bytes
    removed = await bounded.cache.evict(feature_bytes - 1000)
    assert await _keys(bounded) == set()
    kept = await bounded.cache.get_features("spotify", [*old, *new], "reccobeats", 1)
    assert set(new) <= set(kept) and len(kept) < 1000
    assert removed == 1 + (1000 - len(kept))
    assert await bounded.cache.size_bytes() <= feature_bytes - 1000


async def test_clear_removes_everything_but_what_messages_and_schedules_need(
    bounded: Database,
) -> None:
    for seed in range(3):
        await bounded.cache.put_analysis(f"a{seed}", _analysis(seed))
    await bounded.cache.put_features("spotify", {"t": {"energy": 0.5}}, "reccobeats", 1)
    kept = synthetic_playlist(10, seed=5, source="deezer", playlist_id="kept")
    await bounded.cache.put_playlist(kept)
    await bounded.cache.put_playlist(synthetic_playlist(10, seed=6, playlist_id="gone"))
    await bounded.schedules.add(
        Schedule(
            guild_id=3,
            channel_id=2,
            ref_source="deezer",
            ref_id="kept",
            weekday=0,
            time="09:00",
            timezone="UTC",
            created_by=4,
        )
    )
    await bounded.messages.save(MessageState(1, 2, 3, "a2", 4))
    assert await bounded.cache.clear() == 4  # a0, a1, the feature row, the other playlist
    assert await _keys(bounded) == {"a2"}
    assert await bounded.cache.get_playlist(kept.ref) is not None
    stats = await bounded.cache.stats()
    assert (stats.analyses, stats.playlists, stats.features) == (1, 1, 0)
    assert stats.file_bytes > 0
    await _check_usage_is_exact(bounded)


@pytest.mark.sqlite_only  # the SQLite file's own size and free pages
async def test_the_file_does_not_grow_past_the_bound_and_clear_shrinks_it(
    bounded: Database,
) -> None:
    assert bounded.path is not None
    for round_ in range(3):
        for seed in range(12):
            await bounded.cache.put_analysis(f"r{round_}-{seed}", _analysis(seed))
    await bounded.reclaim_space()
    main_file = bounded.path.stat().st_size
    assert main_file < 3 * BOUND
    await bounded.messages.save(MessageState(1, 2, 3, "r2-11", 4))
    removed = await bounded.cache.clear()
    assert removed == 3
    assert await _keys(bounded) == {"r2-11"}
    assert bounded.path.stat().st_size < main_file
    async with bounded.read() as conn:
        assert await conn.fetchone("PRAGMA freelist_count") == (0,)
    await _check_usage_is_exact(bounded)


async def test_an_unbounded_cache_keeps_everything(db: Database) -> None:
    for seed in range(8):
        await db.cache.put_analysis(f"a{seed}", _analysis(seed))
    assert len(await _keys(db)) == 8
    stats = await db.cache.stats()
    assert stats.max_bytes is None and stats.total_bytes > 8 * PNG_BYTES
