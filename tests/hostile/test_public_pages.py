"""Hostile public pages: what a Spotify embed page or a YouTube Music answer could hold.

Each body is served on 127.0.0.1 (chunked, at its size) and read by the real source.
Rules: the answer is a playlist or a UserError with one line naming the service;
never another exception, never a hang; text survives byte for byte.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator

import pytest

from bot.errors import UserError
from bot.model import PlaylistRef
from bot.net.client import HttpClient
from bot.sources.spotify_page import SpotifyPageSource
from bot.sources.ytmusic import YTMusicSource
from tests.fakes import make_settings
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
