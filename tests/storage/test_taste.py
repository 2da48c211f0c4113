"""Shared playlists of the taste map, and unsharing removing what was computed from them."""

from __future__ import annotations

from storage.database import Database
from storage.taste import TasteShare

GUILD, OTHER_GUILD = 10, 20
ALICE, BOB, CAROL = 1, 2, 3


def _share(user: int, playlist: str, guild: int = GUILD, name: str = "") -> TasteShare:
    return TasteShare(guild, user, "deezer", playlist, name or f"list {playlist}", f"user{user}")


async def test_a_member_shares_one_playlist_per_server_and_may_replace_it(db: Database) -> None:
    await db.taste.share(_share(ALICE, "1"))
    await db.taste.share(_share(BOB, "2", name="Nuits ☾ 夜 שלום"))
    await db.taste.share(_share(ALICE, "3"))  # replaces her first
    await db.taste.share(_share(ALICE, "4", guild=OTHER_GUILD))
    shared = await db.taste.list_for_guild(GUILD)
    assert {(s.user_id, s.ref_id) for s in shared} == {(ALICE, "3"), (BOB, "2")}
    got = await db.taste.get(GUILD, BOB)
    assert got is not None and got.name == "Nuits ☾ 夜 שלום" and str(got.ref) == "deezer:2"
    assert await db.taste.get(GUILD, CAROL) is None
    assert await db.taste.guilds_with_shares() == [GUILD, OTHER_GUILD]


async def test_unsharing_removes_the_share_and_everything_computed_from_it(db: Database) -> None:
    for user, playlist in ((ALICE, "1"), (BOB, "2"), (CAROL, "3")):
        await db.taste.share(_share(user, playlist))
    await db.taste.share(_share(ALICE, "9", guild=OTHER_GUILD))
    with_alice = await db.taste.put_bridge(GUILD, BOB, ALICE, [{"title": "x"}])
    without = await db.taste.put_bridge(GUILD, BOB, CAROL, [{"title": "y"}])
    elsewhere = await db.taste.put_bridge(OTHER_GUILD, ALICE, BOB, [{"title": "z"}])
    await db.taste.save_week(GUILD, "2026-W02", [(ALICE, BOB, 70.0), (BOB, CAROL, 40.5)])

    assert await db.taste.unshare(GUILD, ALICE) >= 3
    assert await db.taste.get(GUILD, ALICE) is None
    assert await db.taste.get_bridge(with_alice) is None
    assert await db.taste.get_bridge(without) == (GUILD, BOB, CAROL, [{"title": "y"}])
    assert await db.taste.last_week(GUILD) == ("2026-W02", {(BOB, CAROL): 40.5})
    # her share in another server is another consent, untouched
    assert await db.taste.get(OTHER_GUILD, ALICE) is not None
    assert await db.taste.get_bridge(elsewhere) is not None
    assert await db.taste.unshare(GUILD, ALICE) == 0


async def test_the_week_kept_is_replaced_each_week(db: Database) -> None:
    assert await db.taste.last_week(GUILD) == (None, {})
    await db.taste.save_week(GUILD, "2026-W02", [(ALICE, BOB, 70.0)])
    await db.taste.save_week(GUILD, "2026-W03", [(ALICE, CAROL, 12.0)])
    assert await db.taste.last_week(GUILD) == ("2026-W03", {(ALICE, CAROL): 12.0})


async def test_forgetting_a_server_removes_its_shares_and_derived_rows(db: Database) -> None:
    await db.taste.share(_share(ALICE, "1"))
    bridge = await db.taste.put_bridge(GUILD, ALICE, BOB, [])
    await db.taste.forget_guild(GUILD)
    assert await db.taste.list_for_guild(GUILD) == []
    assert await db.taste.get_bridge(bridge) is None


async def test_a_shared_playlist_survives_eviction_and_cache_clear_with_its_features(
    db: Database,
) -> None:
    from tests.storage.helpers import synthetic_playlist

    shared = synthetic_playlist(300, seed=7, source="deezer", playlist_id="shared")
    loose = synthetic_playlist(300, seed=8, source="deezer", playlist_id="loose")
    for playlist in (shared, loose):
        await db.cache.put_playlist(playlist)
    await db.cache.put_features("deezer", {"t1": {"energy": 0.5}}, "reccobeats", 1)
    await db.taste.share(_share(ALICE, "shared"))

    await db.cache.evict(0)  # a bound nothing can meet
    assert await db.cache.get_playlist(loose.ref) is None
    found = await db.cache.get_playlist(shared.ref)
    assert found is not None
    assert [t.audio for t in found[0].tracks] == [t.audio for t in shared.tracks]
    assert all(t.audio for t in found[0].tracks)  # the features the map needs, kept with it
    assert (await db.cache.stats()).referenced_playlists == 1

    await db.cache.put_playlist(loose)
    await db.cache.put_features("deezer", {"t1": {"energy": 0.5}}, "reccobeats", 1)
    removed = await db.cache.clear()
    assert removed == 2  # the loose playlist and the feature row
    found = await db.cache.get_playlist(shared.ref)
    assert found is not None and found[0].tracks == shared.tracks

    # unshared: an ordinary cache entry again
    await db.taste.unshare(GUILD, ALICE)
    assert await db.cache.clear() == 1
    assert await db.cache.get_playlist(shared.ref) is None


async def test_a_playlist_shared_in_another_server_is_still_kept(db: Database) -> None:
    from tests.storage.helpers import synthetic_playlist

    playlist = synthetic_playlist(50, seed=3, source="deezer", playlist_id="both")
    await db.cache.put_playlist(playlist)
    await db.taste.share(_share(ALICE, "both"))
    await db.taste.share(_share(BOB, "both", guild=OTHER_GUILD))
    await db.taste.forget_guild(GUILD)
    await db.cache.clear()
    assert await db.cache.get_playlist(playlist.ref) is not None
    await db.taste.unshare(OTHER_GUILD, BOB)
    await db.cache.clear()
    assert await db.cache.get_playlist(playlist.ref) is None


async def test_a_shared_files_kept_copy_goes_with_the_last_share_naming_it(db: Database) -> None:
    from tests.storage.helpers import synthetic_playlist

    first, second = (
        synthetic_playlist(30, seed=seed, source="csv", playlist_id=digest)
        for seed, digest in ((1, "d1"), (2, "d2"))
    )
    for playlist in (first, second):
        await db.cache.put_playlist(playlist)
    await db.taste.share(TasteShare(GUILD, ALICE, "csv", "d1", "one"))
    await db.taste.share(TasteShare(GUILD, BOB, "csv", "d1", "one too"))
    await db.taste.share(TasteShare(GUILD, ALICE, "csv", "d2", "two"))  # replaces her first
    assert await db.cache.get_playlist(first.ref) is not None  # Bob still shares it
    await db.taste.unshare(GUILD, BOB)
    assert await db.cache.get_playlist(first.ref) is None
    await db.taste.share(TasteShare(GUILD, ALICE, "csv", "d2", "two again"))  # the same file
    assert await db.cache.get_playlist(second.ref) is not None
    await db.taste.share(_share(ALICE, "7"))  # a link now: the file's copy goes
    assert await db.cache.get_playlist(second.ref) is None
    await db.cache.put_playlist(second)
    await db.taste.share(TasteShare(OTHER_GUILD, CAROL, "csv", "d2", "two"))
    await db.taste.forget_guild(OTHER_GUILD)
    assert await db.cache.get_playlist(second.ref) is None
