"""A connected member's Liked Songs, 💚 marks, own playlists and saved clusters."""

from __future__ import annotations

import aiohttp
import pytest

from bot.account.library import with_liked
from bot.account.oauth import NotConnected
from bot.errors import BadInput
from bot.model import Analysis, AnalysisOptions
from bot.render.document import to_document
from bot.render.markdown import render_markdown
from bot.render.pages import Position, build_page
from bot.roots.wiring import build_pipeline
from bot.services.analyzer import Analyzer
from bot.services.personal import PersonalAnalyzer, is_liked_request
from bot.sources.liked import LikedSongsSource
from storage.errors import StorageError
from tests.account.conftest import Env
from tests.fakes.spotify import SpotifyPlaylist, track_object
from tests.storage.helpers import analyse, synthetic_playlist


async def connect(env: Env, discord_id: int, user_id: str) -> None:
    env.fake.signing_in = user_id
    url = await env.service.start(discord_id)
    async with aiohttp.ClientSession() as browser, browser.get(url) as resp:
        assert resp.status == 200


async def test_liked_songs_are_read_in_pages_with_a_snapshot_that_follows_the_library(
    env: Env,
) -> None:
    user = env.fake.add_user("u1", "Ünal", liked=123)
    await connect(env, 7, "u1")
    source = LikedSongsSource(env.library.auth(7), api_base=env.fake.api_base, spotify_user_id="u1")
    seen = []
    playlist = await source.fetch(progress=lambda *a: seen.append(a))
    assert [t.id for t in playlist.tracks] == [t["id"] for t in user.liked]
    assert playlist.name == "Liked Songs" and playlist.ref.id == "liked:u1"
    assert all(t.liked for t in playlist.tracks)
    assert env.fake.count("me-tracks") == 3  # 50 + 50 + 23
    assert seen[-1] == ("Fetching tracks", 123, 123)
    before = await source.snapshot()
    assert before == playlist.snapshot
    user.liked.pop(60)  # an older song removed: the total changes
    assert await source.snapshot() != before
    user.liked.insert(0, user.liked.pop())  # one added on top: the newest changes
    assert await source.snapshot() not in (before, playlist.snapshot)


async def test_liked_marks_are_asked_in_batches_and_cached(env: Env) -> None:
    user = env.fake.add_user("u1", "One", liked=30)
    await connect(env, 7, "u1")
    ids = [t["id"] for t in user.liked[:20]] + [
        t["id"] for t in env.fake.add_user("u2", "Two", liked=70, start=100).liked
    ]
    liked = await env.library.liked(7, ids)
    assert sum(liked.values()) == 20 and len(liked) == 90
    assert env.fake.count("library-contains") == 3  # 40 + 40 + 10
    again = await env.library.liked(7, ids)
    assert again == liked and env.fake.count("library-contains") == 3


async def test_an_older_api_without_library_contains_uses_tracks_contains(env: Env) -> None:
    user = env.fake.add_user("u1", "One", liked=5)
    await connect(env, 7, "u1")
    env.fake.library_contains = False
    ids = [t["id"] for t in user.liked] + ["0" * 22]
    liked = await env.library.liked(7, ids)
    assert liked == {**{t["id"]: True for t in user.liked}, "0" * 22: False}
    assert env.fake.count("tracks-contains") == 1


def _analysis(env: Env, tracks: int = 24) -> Analysis:
    playlist = synthetic_playlist(tracks, seed=3, source="spotify", playlist_id="p")
    for track in playlist.tracks:
        track.liked = None  # only the viewer's own marks in these tests
        track.spotify_id = track.id
    return analyse(playlist, k=2, png=False)


async def test_the_viewers_likes_are_marked_in_pages_markdown_and_json(env: Env) -> None:
    analysis = _analysis(env)
    first = analysis.clusters[0].tracks[:3]
    user = env.fake.add_user("u1", "One")
    await connect(env, 7, "u1")
    ids = [t.spotify_id for t in first]
    assert all(ids), "the synthetic playlist has Spotify ids"
    user.liked = [{**track_object(0), "id": sid} for sid in ids[:2]]
    marked = await env.library.mark(7, analysis, Position(0, 0))
    page = build_page(marked, Position(0, 0))
    heads = [line.split("\n")[0] for line in page.lines[:3]]  # the heart follows the title
    assert [head.endswith("💚") for head in heads] == [True, True, False]
    shared = build_page(analysis, Position(0, 0)).lines[0].split("\n")[0]
    assert shared.endswith("💚") is False  # shared copy
    assert await env.library.mark(8, analysis, Position(0, 0)) is analysis  # not connected
    # the same marks in the markdown page and the JSON document
    flags = {t.id: t.id in ids[:2] for t in analysis.playlist.tracks}
    mine = with_liked(analysis, flags)
    assert render_markdown(mine).count("💚 |") - render_markdown(analysis).count("💚 |") == 2
    liked_in_json = [
        t["id"] for c in to_document(mine)["clusters"] for t in c["tracks"] if t["liked"]
    ]
    assert sorted(liked_in_json) == sorted(ids[:2])


async def test_a_cluster_is_saved_as_a_private_playlist_in_batches_of_100(env: Env) -> None:
    analysis = _analysis(env, 260)
    env.fake.add_user("u1", "One")
    await connect(env, 7, "u1")
    env.fake.create_on_me = False  # an API with only /users/{id}/playlists
    index = 0
    saved = await env.library.save_cluster(7, analysis, index)
    (created,) = env.fake.created.values()
    cluster = analysis.clusters[index]
    assert created["public"] is False and created["owner"] == "u1"
    assert created["uris"] == [f"spotify:track:{t.spotify_id}" for t in cluster.tracks]
    assert env.fake.count("add-items") == -(-cluster.size // 100)
    assert saved.url.startswith("https://open.spotify.com/playlist/")
    assert saved.added == cluster.size and saved.left_out == 0
    assert f"#{cluster.number}" in created["name"] and len(created["name"]) <= 100


async def test_saving_needs_an_account_and_spotify_ids(env: Env) -> None:
    analysis = _analysis(env)
    with pytest.raises(NotConnected):
        await env.library.save_cluster(7, analysis, 0)
    env.fake.add_user("u1", "One")
    await connect(env, 7, "u1")
    for t in analysis.playlist.tracks:
        t.spotify_id = None
    with pytest.raises(BadInput, match="nothing to save"):
        await env.library.save_cluster(7, analysis, 0)


async def test_own_playlists_are_listed_for_autocomplete(env: Env) -> None:
    user = env.fake.add_user("u1", "One")
    for i in range(60):
        env.fake.add_own_playlist(
            user, SpotifyPlaylist.generated(f"{i:022d}", 3, name=f"ドライブ {i}")
        )
    await connect(env, 7, "u1")
    found = await env.library.playlists(7)
    assert [p.name for p in found] == [f"ドライブ {i}" for i in range(60)]
    assert found[0].tracks == 3
    await env.library.playlists(7)
    assert env.fake.count("me-playlists") == 2  # 50 + 10, then cached


@pytest.mark.parametrize(
    "text", ["liked-songs", "Liked Songs", "💚", "https://open.spotify.com/collection/tracks/"]
)
def test_liked_songs_can_be_asked_for_in_several_ways(text: str) -> None:
    assert is_liked_request(text)


def test_a_playlist_link_is_not_liked_songs() -> None:
    assert not is_liked_request("https://open.spotify.com/playlist/37i9dQZF1DXcBWIGoYBM5M")


async def test_own_playlists_and_liked_songs_are_cached_per_account(env: Env) -> None:
    user = env.fake.add_user("u1", "One", liked=40)
    private = SpotifyPlaylist.generated("1" * 22, 30, name="Private ✨")
    env.fake.add_own_playlist(user, private)
    await connect(env, 7, "u1")
    pipeline = build_pipeline(env.settings, env.http, env.db.cache)
    analyzer = Analyzer(pipeline, http=env.http)
    personal = PersonalAnalyzer(analyzer, env.library, env.settings.spotify, env.http)
    options = AnalysisOptions(k=2)
    outcome = await personal.from_link(7, "spotify:playlist:" + "1" * 22, options)
    assert outcome.analysis.playlist.ref.id == "1" * 22 + "@u1"
    assert outcome.analysis.track_count == 30 and not outcome.cached
    again = await personal.from_link(7, "spotify:playlist:" + "1" * 22, options)
    assert again.cached and again.key == outcome.key
    # someone without the account gets no copy of the private playlist from the cache
    assert await env.db.cache.get_playlist(outcome.analysis.playlist.ref) is not None
    liked = await personal.from_link(7, "liked songs", options)
    assert liked.analysis.playlist.name == "Liked Songs" and liked.analysis.track_count == 40
    with pytest.raises(NotConnected, match="cluster your Liked Songs"):
        await personal.from_link(8, "liked songs", options)


async def test_a_cache_that_refuses_the_members_playlist_still_answers(
    env: Env, monkeypatch: pytest.MonkeyPatch
) -> None:
    env.fake.add_user("u1", "One", liked=20)
    await connect(env, 7, "u1")
    pipeline = build_pipeline(env.settings, env.http, env.db.cache)
    personal = PersonalAnalyzer(
        Analyzer(pipeline, http=env.http), env.library, env.settings.spotify, env.http
    )

    async def refuse(playlist: object) -> None:
        raise StorageError("database or disk is full")

    monkeypatch.setattr(env.db.cache, "put_playlist", refuse)
    outcome = await personal.from_link(7, "liked songs", AnalysisOptions(k=2))
    assert outcome.analysis.track_count == 20  # answered; the next request fetches again
