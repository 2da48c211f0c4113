"""Spotify playlists without access: the API's own first items, then the public embed page.

Pages are real saved embed pages (``tests/data/public``), sent chunked and under a
Content-Length at real size; faults: a page of an older build without the JSON, a
renamed key, a 429 with Retry-After, a 404, the 100-track cut of a 312-track playlist.
"""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from bot.errors import PlaylistUnavailable, ProviderDown
from bot.model import PlaylistRef, Track
from bot.net.client import HttpClient, host_key
from bot.net.spotify_auth import SpotifyAuth, SpotifyNotConfigured
from bot.pipeline.runner import Pipeline
from bot.sources.spotify import OBJECT_ORIGIN, NoAccess, SpotifySource
from bot.sources.spotify_page import (
    ORIGIN,
    PageChanged,
    SpotifyPageSource,
    parse_embed_page,
)
from tests.fakes import make_settings
from tests.fakes.base import serve
from tests.fakes.data import spotify_id
from tests.fakes.public_pages import (
    OLD_BUILD_PAGE,
    REAL_PAGE,
    FakeSpotifyPage,
    embed_page,
    entry_like,
    public_bytes,
    real_entries,
)
from tests.fakes.spotify import CLIENT_ID, CLIENT_SECRET, FakeSpotify, SpotifyPlaylist

REAL_PID = "37i9dQZF1DXcBWIGoYBM5M"


@pytest.fixture
async def page_fake() -> AsyncIterator[FakeSpotifyPage]:
    fake = FakeSpotifyPage()
    fake.pages[REAL_PID] = public_bytes(REAL_PAGE)
    async with serve(fake):
        yield fake


def hundred(pid: str) -> bytes:
    """A 100-entry embed page: the 57 real entries, then 43 copies with new ids."""
    real = real_entries()
    extra = [
        entry_like(
            real[i % len(real)], spotify_id(900 + i), f"Extra «{i}»", "Ana,\u00a0Bo", 200_000
        )
        for i in range(100 - len(real))
    ]
    return embed_page(real + extra, pid=pid, name="Cent titres 🎧")


def sources(
    page_fake: FakeSpotifyPage, http: HttpClient, *, api: str | None = None, enabled: bool = True
) -> SpotifySource:
    settings = make_settings(
        spotify_embed_base=page_fake.embed_base,
        **(
            {
                "spotify_api_base": f"{api}/v1",
                "spotify_token_url": f"{api}/api/token",
                "spotify_client_id": CLIENT_ID,
                "spotify_client_secret": CLIENT_SECRET,
            }
            if api
            else {}
        ),
    )
    page = SpotifyPageSource(http, embed_base=page_fake.embed_base, enabled=enabled)
    return SpotifySource.from_settings(
        settings.spotify, SpotifyAuth.from_settings(settings.spotify, http), page
    )


@pytest.fixture
async def http_client(page_fake: FakeSpotifyPage) -> AsyncIterator[HttpClient]:
    client = HttpClient(
        make_settings(spotify_embed_base=page_fake.embed_base).http, pause_scale=0.001
    )
    yield client
    await client.close()


def test_the_real_page_reads_as_fifty_tracks() -> None:
    shown = parse_embed_page(public_bytes(REAL_PAGE))
    assert shown.name == "Today’s Top Hits" and shown.owner == "Spotify"
    tracks = [e for e in shown.entries if isinstance(e, Track)]
    assert len(tracks) == 50
    dai = next(t for t in tracks if t.title == "Dai Dai")
    assert dai.artists == ("Shakira", "Burna Boy")  # joined by a comma and a no-break space
    assert dai.duration_ms == 223_448 and dai.spotify_id == "0kosUz0jePvjiz4ctmR6wL"
    assert dai.url == "https://open.spotify.com/track/0kosUz0jePvjiz4ctmR6wL"
    assert shown.image.startswith("https://i.scdn.co/image/")


def test_a_comma_inside_an_artist_name_is_not_a_separator() -> None:
    entry = entry_like(real_entries()[0], spotify_id(1), "EARFQUAKE", "Tyler, The Creator", 190_000)
    shown = parse_embed_page(embed_page([entry], pid=spotify_id(2), name="x"))
    assert shown.entries[0].artists == ("Tyler, The Creator",)  # type: ignore[union-attr]


@pytest.mark.parametrize(
    "body",
    [
        public_bytes(OLD_BUILD_PAGE),
        embed_page(real_entries(), pid=REAL_PID, name="x", rename="tracks"),
        b'<html><script id="__NEXT_DATA__" type="application/json">{"props":</script>',
    ],
    ids=["older-build-without-json", "renamed-key", "broken-json"],
)
def test_a_page_of_another_shape_is_one_clear_sentence(body: bytes) -> None:
    with pytest.raises(PageChanged) as caught:
        parse_embed_page(body)
    said = str(caught.value)
    assert "Spotify" in said and "Exportify" in said and "Deezer" in said
    assert "\n" not in said


@pytest.mark.parametrize("chunked", [True, False])
async def test_without_an_app_the_public_page_is_read(
    page_fake: FakeSpotifyPage, http_client: HttpClient, chunked: bool
) -> None:
    page_fake.chunked = chunked
    page_fake.chunk_size = 4096
    source = sources(page_fake, http_client)
    playlist = await source.fetch(PlaylistRef("spotify", REAL_PID))
    assert len(playlist.tracks) == 50 and playlist.origin == ORIGIN
    assert playlist.listed is None and playlist.limit_note == ""
    assert playlist.name == "Today’s Top Hits"
    assert page_fake.count("embed") == 1
    assert await source.snapshot(PlaylistRef("spotify", REAL_PID)) == playlist.snapshot


async def test_a_hundred_track_page_says_the_playlist_may_have_more(
    page_fake: FakeSpotifyPage, http_client: HttpClient
) -> None:
    pid = spotify_id(77)
    page_fake.pages[pid] = hundred(pid)
    playlist = await sources(page_fake, http_client).fetch(PlaylistRef("spotify", pid))
    assert len(playlist.tracks) == 100
    assert playlist.limit_note.startswith("Only the first 100 tracks")
    assert "Exportify" in playlist.limit_note


async def test_page_reading_off_and_no_app_explains(
    page_fake: FakeSpotifyPage, http_client: HttpClient
) -> None:
    source = sources(page_fake, http_client, enabled=False)
    with pytest.raises(SpotifyNotConfigured):
        await source.fetch(PlaylistRef("spotify", REAL_PID))
    assert page_fake.count("embed") == 0


async def test_a_429_with_retry_after_is_waited_out_and_slows_the_host(
    page_fake: FakeSpotifyPage, http_client: HttpClient
) -> None:
    page_fake.fault("status", route="embed", status=429, retry_after="1")
    playlist = await sources(page_fake, http_client).fetch(PlaylistRef("spotify", REAL_PID))
    assert len(playlist.tracks) == 50 and page_fake.count("embed") == 2
    pace = http_client.adaptive[host_key(page_fake.embed_base)]
    assert pace.refused == 1 and pace.rate is not None  # paced from now on


async def test_an_unknown_playlist_is_a_sentence(
    page_fake: FakeSpotifyPage, http_client: HttpClient
) -> None:
    with pytest.raises(PlaylistUnavailable, match="public page knows no playlist"):
        await sources(page_fake, http_client).fetch(PlaylistRef("spotify", spotify_id(5)))


async def test_a_page_that_keeps_failing_is_provider_down(
    page_fake: FakeSpotifyPage, http_client: HttpClient
) -> None:
    page_fake.fault("status", route="embed", status=503, times=10)
    with pytest.raises(ProviderDown, match="Spotify"):
        await sources(page_fake, http_client).fetch(PlaylistRef("spotify", REAL_PID))


@pytest.fixture
async def dev_spotify() -> AsyncIterator[FakeSpotify]:
    """A Spotify API whose app is in development mode: 403 on someone else's items."""
    fake = FakeSpotify()
    playlist = SpotifyPlaylist.generated(spotify_id(312), 312, name="Trois cent douze")
    playlist.forbidden = True
    fake.add(playlist, with_features=False)
    async with serve(fake):
        yield fake


async def test_a_403_reads_the_first_items_the_playlist_object_still_carries(
    page_fake: FakeSpotifyPage, dev_spotify: FakeSpotify, http_client: HttpClient
) -> None:
    source = sources(page_fake, http_client, api=dev_spotify.url)
    playlist = await source.fetch(PlaylistRef("spotify", spotify_id(312)))
    assert len(playlist.tracks) == 100 and playlist.listed == 312
    assert playlist.origin == OBJECT_ORIGIN
    assert playlist.limit_note.startswith("100 of 312 tracks: Spotify shows apps without access")
    assert playlist.snapshot == "snap-1" and playlist.name == "Trois cent douze"
    assert playlist.tracks[0].isrc  # the API's tracks keep their ISRC
    assert page_fake.count("embed") == 0


async def test_a_403_without_items_in_the_object_reads_the_page_and_says_100_of_312(
    page_fake: FakeSpotifyPage, dev_spotify: FakeSpotify, http_client: HttpClient
) -> None:
    pid = spotify_id(312)
    dev_spotify.playlists[pid].object_items = False
    page_fake.pages[pid] = hundred(pid)
    source = sources(page_fake, http_client, api=dev_spotify.url)
    playlist = await source.fetch(PlaylistRef("spotify", pid))
    assert len(playlist.tracks) == 100 and playlist.listed == 312
    assert playlist.origin == ORIGIN
    assert playlist.limit_note.startswith("100 of 312 tracks")
    # versioned by the API's snapshot id, so the cache's cheap check keeps working
    assert playlist.snapshot == "snap-1" == await source.snapshot(PlaylistRef("spotify", pid))


async def test_a_403_with_page_reading_off_is_the_old_sentence(
    page_fake: FakeSpotifyPage, dev_spotify: FakeSpotify, http_client: HttpClient
) -> None:
    source = sources(page_fake, http_client, api=dev_spotify.url, enabled=False)
    with pytest.raises(NoAccess, match="development"):
        await source.fetch(PlaylistRef("spotify", spotify_id(312)))


async def test_nothing_wrong_is_cached_and_the_fixed_page_is_read(
    page_fake: FakeSpotifyPage, http_client: HttpClient, location
) -> None:
    from storage import open_database

    pid = spotify_id(78)
    page_fake.pages[pid] = public_bytes(OLD_BUILD_PAGE)
    database = await open_database(location)
    try:
        pipeline = Pipeline(
            sources={"spotify": sources(page_fake, http_client)},
            providers=[],
            cache=database.cache,
        )
        ref = PlaylistRef("spotify", pid)
        with pytest.raises(PageChanged):
            await pipeline.fetch(ref)
        assert await database.cache.get_playlist(ref) is None
        page_fake.pages[pid] = hundred(pid)
        playlist, fetched = await pipeline.load(ref)
        assert fetched and len(playlist.tracks) == 100
    finally:
        await database.close()


def test_the_first_items_of_a_recorded_playlist_object_are_read() -> None:
    """A real recorded playlist object (old shape, ``tracks``) embeds its first items."""
    from bot.sources.spotify import _embedded_page
    from tests.fakes.recorded import recorded_json

    page = _embedded_page(recorded_json("spotify_playlist_old_shape.json"))
    assert page is not None and page.total is not None
    tracks = [e for e in page.entries if isinstance(e, Track)]
    assert tracks and all(t.spotify_id and t.title for t in tracks)
    assert _embedded_page({"name": "x"}) is None
