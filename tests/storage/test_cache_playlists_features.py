"""Cached playlists (with their fetch time) and per-track features."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime

from bot.model import PlaylistRef
from storage.database import Database
from tests.storage.conftest import Location
from tests.storage.helpers import sample_playlist, synthetic_playlist


async def test_a_playlist_comes_back_with_every_field_after_a_restart(location: Location) -> None:
    playlist = synthetic_playlist(50, seed=4, source="deezer", playlist_id="123")
    async with await Database.open(location) as db:
        db.cache.clock = lambda: 1_700_000_000.0
        await db.cache.put_playlist(playlist)
    async with await Database.open(location) as db:
        found = await db.cache.get_playlist(PlaylistRef("deezer", "123"))
        assert await db.cache.get_playlist(PlaylistRef("spotify", "123")) is None
    assert found is not None
    cached, fetched_at = found
    assert cached == playlist  # dataclass equality: every field of every track, in order
    assert fetched_at == datetime.fromtimestamp(1_700_000_000.0, UTC)


async def test_a_new_snapshot_replaces_the_old_one_and_mark_fresh_moves_the_time(
    db: Database,
) -> None:
    now = [1000.0]
    db.cache.clock = lambda: now[0]
    old = sample_playlist()
    new = dataclasses.replace(old, snapshot="changed", tracks=old.tracks[:10])
    await db.cache.put_playlist(old)
    await db.cache.put_playlist(new)
    found = await db.cache.get_playlist(old.ref)
    assert found is not None and found[0].snapshot == "changed" and len(found[0].tracks) == 10
    now[0] = 2000.0
    await db.cache.mark_fresh(old.ref)
    found = await db.cache.get_playlist(old.ref)
    assert found is not None and found[1].timestamp() == 2000.0
    assert (await db.cache.stats()).playlists == 1


async def test_features_are_kept_per_source_provider_and_version(db: Database) -> None:
    await db.cache.put_features(
        "spotify", {"t1": {"energy": 0.5}, "t2": {"energy": 0.7, "tempo": 99.5}}, "reccobeats", 1
    )
    await db.cache.put_features("spotify", {"t1": {"tempo_db": -3.25}}, "preview", 4)
    assert await db.cache.get_features("spotify", ["t1", "t2", "t3"], "reccobeats", 1) == {
        "t1": {"energy": 0.5},
        "t2": {"energy": 0.7, "tempo": 99.5},
    }
    preview = await db.cache.get_features("spotify", ["t1"], "preview", 4)
    assert preview == {"t1": {"tempo_db": -3.25}}
    # another version of the provider's features is not served
    assert await db.cache.get_features("spotify", ["t1"], "preview", 5) == {}
    assert await db.cache.get_features("deezer", ["t1"], "reccobeats", 1) == {}
    # a new version replaces the old one
    await db.cache.put_features("spotify", {"t1": {"tempo_db": -1.0}}, "preview", 5)
    preview = await db.cache.get_features("spotify", ["t1"], "preview", 5)
    assert preview == {"t1": {"tempo_db": -1.0}}
    assert await db.cache.get_features("spotify", ["t1"], "preview", 4) == {}


async def test_thousands_of_features_in_one_call(db: Database) -> None:
    features = {f"track-{i}": {"energy": i / 3000, "tempo": 60.0 + i} for i in range(3000)}
    await db.cache.put_features("deezer", features, "reccobeats", 1)
    got = await db.cache.get_features("deezer", [*features, "missing"], "reccobeats", 1)
    assert got == features
    stats = await db.cache.stats()
    assert stats.features == 3000 and stats.feature_bytes > 3000 * 20


async def test_tracks_with_different_feature_names_and_gaps(location: Location) -> None:
    features = {
        "a": {"energy": 0.5, "tempo": 120},
        "b": {"tempo": 90.25, "energy": 0.125},  # same names, other order
        "c": {"mfcc_1": -300.5, "chroma_c": 0.0},
        "d": {"energy": float("nan")},  # no usable value
        "e": {},
    }
    async with await Database.open(location) as db:
        await db.cache.put_features("deezer", features, "preview", 3)
    async with await Database.open(location) as db:  # a new process: no remembered key lists
        got = await db.cache.get_features("deezer", list(features), "preview", 3)
        async with db.read() as conn:
            (key_lists,) = await conn.fetchone("SELECT count(*) FROM feature_keys")
    assert got == {
        "a": {"energy": 0.5, "tempo": 120.0},
        "b": {"tempo": 90.25, "energy": 0.125},
        "c": {"mfcc_1": -300.5, "chroma_c": 0.0},
        "d": {},
        "e": {},
    }
    assert list(got["b"]) == ["tempo", "energy"]
    assert key_lists == 5  # one per distinct ordered list of names
