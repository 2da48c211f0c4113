"""Hostile public pages: what a Spotify embed page, a YouTube Music answer or an Apple
Music page could hold.

Each body is served on 127.0.0.1 (chunked, at its size) and read by the real source.
Rules: the answer is a playlist or a UserError with one line naming the service;
never another exception, never a hang; text survives byte for byte.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Callable

import pytest

from bot.errors import UserError
from bot.model import PlaylistRef
from bot.net.client import HttpClient
from bot.sources.apple_music import AppleMusicSource
from bot.sources.spotify_page import SpotifyPageSource
from bot.sources.ytmusic import YTMusicSource
from tests.fakes import make_settings
from tests.fakes.apple_music import (
    PID as APPLE_PID,
)
from tests.fakes.apple_music import (
    FakeAppleMusic,
    apple_page,
    playlist_page,
    real_listing,
    server_data,
    track_item,
)
from tests.fakes.base import serve
from tests.fakes.data import spotify_id
from tests.fakes.public_pages import (
    OLD_BUILD_PAGE,
    FakeSpotifyPage,
    embed_page,
    entry_like,
    public_bytes,
    real_entries,
)
from tests.fakes.ytmusic import FEEL_GOOD, FakeYTMusic
from tests.hostile.texts import HOSTILE_TEXT

PID = spotify_id(31337)


def _next_data(text: str) -> bytes:
    return f'<html><script id="__NEXT_DATA__" type="application/json">{text}</script>'.encode()


def _entity(entity: str) -> bytes:
    return _next_data('{"props":{"pageProps":{"state":{"data":{"entity":' + entity + "}}}}}")


def _entries(**changes: object) -> bytes:
    entry = dict(real_entries()[0])
    entry.update(changes)
    return embed_page([entry], pid=PID, name="x")


TEMPLATE = real_entries()[0]
EMBED_BODIES = {
    "empty": b"",
    "binary": bytes(range(256)) * 64,
    "nul-bytes": b"\x00" * 10_000,
    "old-build": public_bytes(OLD_BUILD_PAGE),
    "deep-nesting": _next_data("[" * 100_000 + "]" * 100_000),
    "infinity": _entity('{"trackList":[{"uri":"spotify:track:' + "a" * 22
                        + '","title":"t","duration":Infinity}]}'),
    "entity-is-a-list": _entity("[]"),
    "tracklist-null": _entity('{"trackList":null}'),
    "entries-wrong-types": _entries(title=5, subtitle=["a"], duration="3:00", uri=7),
    "no-tracks": embed_page([], pid=PID, name="vide"),
    "episodes-and-local": embed_page(
        [dict(TEMPLATE, uri="spotify:episode:" + "b" * 22, entityType="episode"),
         dict(TEMPLATE, uri="spotify:local:a:b:c:1")], pid=PID, name="x"),
    "hostile-titles": embed_page(
        [entry_like(TEMPLATE, spotify_id(i), text[:500] or "·", text[:200], 200_000)
         for i, text in enumerate(HOSTILE_TEXT)], pid=PID, name="@everyone ||x|| 𝕏"),
    # each took minutes with a regex over the whole page (quadratic: 25 s for 160 KB)
    "unclosed-script-tags": b"<script " * 500_000,
    "unclosed-next-data-tags": b'<script id="__NEXT_DATA__" ' * 100_000,
    "ten-thousand-entries": embed_page(
        [entry_like(TEMPLATE, spotify_id(i), f"t{i}", "a", 1000) for i in range(10_000)],
        pid=PID, name="x"),
}  # fmt: skip


@pytest.fixture
async def page_fake() -> AsyncIterator[FakeSpotifyPage]:
    fake = FakeSpotifyPage()
    async with serve(fake):
        yield fake


@pytest.mark.parametrize("name", list(EMBED_BODIES))
async def test_hostile_embed_page(page_fake: FakeSpotifyPage, name: str) -> None:
    page_fake.pages[PID] = EMBED_BODIES[name]
    settings = make_settings(spotify_embed_base=page_fake.embed_base, http_max_retries=1)
    async with HttpClient(settings.http, pause_scale=0.001) as http:
        source = SpotifyPageSource(http, embed_base=page_fake.embed_base)
        try:
            playlist = await source.fetch(PlaylistRef("spotify", PID))
        except UserError as exc:
            said = str(exc)
            assert "\n" not in said and ("Spotify" in said or "not answering" in said)
            return
    assert playlist.tracks
    if name == "hostile-titles":
        titles = {t.title for t in playlist.tracks}
        assert all((text[:500] or "·") in titles for text in HOSTILE_TEXT if text.strip())


def _ytm(text: str) -> bytes:
    return text.encode()


YTM_BODIES = {
    "html": b"<html><body>Sorry</body></html>",
    "a-list": b"[]",
    "empty-object": b"{}",
    "deep-nesting": b"[" * 100_000 + b"]" * 100_000,
    "contents-null": json.dumps({"contents": None}).encode(),
    "half-an-answer": public_bytes("ytmusic_browse_playlist_public_2024_03.json")[:400_000],
}


@pytest.mark.parametrize("name", list(YTM_BODIES))
async def test_hostile_youtube_music_answer(name: str) -> None:
    fake = FakeYTMusic()
    fake.answers[FEEL_GOOD] = YTM_BODIES[name]
    async with serve(fake):
        settings = make_settings(ytmusic_api_base=fake.api_base, http_max_retries=1)
        async with HttpClient(settings.http, pause_scale=0.001) as http:
            source = YTMusicSource(http, api_base=fake.api_base)
            with pytest.raises(UserError) as caught:
                await source.fetch(PlaylistRef("ytmusic", FEEL_GOOD))
    said = str(caught.value)
    assert "\n" not in said and "YouTube Music" in said


def _apple_items(**changes: object) -> bytes:
    item = track_item(real_listing()[0][0], "Album", n=0)
    item.update(changes)
    return apple_page(server_data([item]))


def _minimal(i: int, title: str, artist: str) -> dict[str, object]:
    song = {"kind": "song", "identifiers": {"storeAdamID": str(10**9 + i)}}
    return {"title": title, "artistName": artist, "duration": 200_000 + i,
            "contentDescriptor": song}  # fmt: skip


def _deep(depth: int) -> bytes:
    """A track buried ``depth`` objects down (deep, yet within the JSON parser's limit)."""
    inner: object = {"items": [_minimal(0, "Deep", "Down")], "itemKind": "trackLockup"}
    for _ in range(depth):
        inner = {"data": inner}
    return apple_page(inner)


#: name -> page (large ones built when their test runs)
APPLE_BODIES: dict[str, bytes | Callable[[], bytes]] = {
    "empty": b"",
    "binary": bytes(range(256)) * 64,
    "nul-bytes": b"\x00" * 10_000,
    "no-server-data": b"<html><head><title>Apple Music</title></head><body></body></html>",
    "script-never-closed": b'<script type="application/json" id="serialized-server-data">{"data":[',
    "deep-nesting": apple_page(None, raw="[" * 100_000 + "]" * 100_000),
    "deep-but-parseable": _deep(900),
    "not-json": apple_page(None, raw="<html>sorry</html>"),
    "json-null": apple_page(None, raw="null"),
    "sections-null": apple_page({"data": [{"data": {"sections": None}}]}),
    "items-wrong-types": _apple_items(title=5, artistName=["a"], subtitleLinks="x",
                                      duration="3:00", contentDescriptor=7),
    "infinite-duration": apple_page(None, raw='{"data":[{"data":{"sections":[{"itemKind":'
                                    '"trackLockup","items":[{"title":"t","artistName":"a",'
                                    '"duration":Infinity}]}]}}]}'),
    "only-music-videos": apple_page(server_data([_minimal(1, "v", "a") | {
        "contentDescriptor": {"kind": "musicVideo"}}]) | {"extra": 1}),
    "hostile-titles": apple_page(server_data(
        [_minimal(i, text[:500] or "·", text[:200] or "·") for i, text in enumerate(HOSTILE_TEXT)]),
        name="@everyone ||x|| 𝕏"),
    "ten-thousand-tracks": lambda: apple_page(server_data(
        [_minimal(i, f"t{i}", "a") for i in range(10_000)], count=10_000)),
    "over-the-size-cap": lambda: apple_page(None, raw=" " * 21_000_000),
    "older-list-shape": playlist_page(3, top_list=True),
    # each would take minutes with a regex over the whole page (quadratic)
    "unclosed-script-tags": lambda: b"<script " * 500_000,
    "unclosed-server-data-tags": lambda: b"<script id=serialized-server-data " * 100_000,
    "meta-tags-before-the-data": lambda: b"<meta property=og:title " * 200_000 + playlist_page(2),
    "attributes-reordered": playlist_page(3).replace(
        b'<script type="application/json" id="serialized-server-data">',
        b"<SCRIPT id=serialized-server-data nonce=x type='application/json'>"),
}  # fmt: skip


@pytest.mark.parametrize("name", list(APPLE_BODIES))
async def test_hostile_apple_music_page(name: str) -> None:
    fake = FakeAppleMusic()
    body = APPLE_BODIES[name]
    fake.pages[APPLE_PID] = body() if callable(body) else body
    fake.chunked = name != "over-the-size-cap"  # refused on its Content-Length
    async with serve(fake):
        settings = make_settings(apple_music_base=fake.base, http_max_retries=1)
        async with HttpClient(settings.http, pause_scale=0.001) as http:
            source = AppleMusicSource(http, base=fake.base)
            try:
                playlist = await source.fetch(PlaylistRef("apple", f"us/x/{APPLE_PID}"))
            except UserError as exc:
                said = str(exc)
                assert "\n" not in said and "Apple Music" in said, said
                assert name not in {"deep-but-parseable", "ten-thousand-tracks", "hostile-titles",
                                    "older-list-shape", "attributes-reordered",
                                    "meta-tags-before-the-data"}, said  # fmt: skip
                return
    assert playlist.tracks
    if name == "hostile-titles":
        titles = {t.title for t in playlist.tracks}
        assert all(text[:500].strip() in titles for text in HOSTILE_TEXT if text[:500].strip())
    if name == "ten-thousand-tracks":
        assert len(playlist.tracks) == 10_000
