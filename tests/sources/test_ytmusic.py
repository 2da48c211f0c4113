"""YouTube Music playlists: real saved browse answers replayed on 127.0.0.1.

The answers are ytmusicapi's own test data (``tests/data/public``); ytmusicapi reads
them, the project's HTTP client sends every request (its pace, retries, base URL).
Matching to Deezer runs against a labelled catalogue made from the real listing.
"""

from __future__ import annotations

import locale
from collections.abc import AsyncIterator

import pytest

from bot.errors import BadInput, PlaylistUnavailable, ProviderDown
from bot.model import AnalysisOptions, PlaylistRef
from bot.net.client import HttpClient, host_key
from bot.net.links import parse_link
from bot.roots.wiring import build_pipeline
from bot.sources.deezer_match import DeezerMatcher
from bot.sources.ytmusic import ORIGIN, YTMusicSource
from tests.fakes import make_settings
from tests.fakes.base import serve
from tests.fakes.deezer_search import FakeDeezerSearch, Listing, labelled_catalogue
from tests.fakes.ytmusic import FEEL_GOOD, REVIVAL, FakeYTMusic, renamed


@pytest.fixture
async def ytm() -> AsyncIterator[FakeYTMusic]:
    fake = FakeYTMusic()
    fake.chunk_size = 32 * 1024
    async with serve(fake):
        yield fake


@pytest.fixture
async def client(ytm: FakeYTMusic) -> AsyncIterator[HttpClient]:
    http = HttpClient(make_settings(ytmusic_api_base=ytm.api_base).http, pause_scale=0.001)
    yield http
    await http.close()


def source(ytm: FakeYTMusic, http: HttpClient, **kw) -> YTMusicSource:
    return YTMusicSource(http, api_base=ytm.api_base, **kw)


def test_links() -> None:
    assert parse_link(f"https://music.youtube.com/playlist?list={FEEL_GOOD}") == PlaylistRef(
        "ytmusic", FEEL_GOOD
    )
    assert parse_link(f"https://www.youtube.com/watch?v=7bX76VR6oQE&list={REVIVAL}").id == REVIVAL


@pytest.mark.parametrize("chunked", [True, False])
async def test_a_real_public_playlist_is_read(
    ytm: FakeYTMusic, client: HttpClient, chunked: bool
) -> None:
    ytm.chunked = chunked
    before = locale.setlocale(locale.LC_ALL)
    playlist = await source(ytm, client).fetch(PlaylistRef("ytmusic", FEEL_GOOD))
    assert locale.setlocale(locale.LC_ALL) == before  # ytmusicapi's setlocale undone
    assert playlist.name == "Feel-Good Classic Rock" and playlist.origin == ORIGIN
    assert len(playlist.tracks) == 100
    first = playlist.tracks[0]
    assert first.title == "Don't Stop Believin' (2024 Remaster)"
    assert first.artists == ("Journey",) and first.duration_ms == 251_000
    assert first.album == "Greatest Hits (2024 Remaster)"
    assert first.url == "https://music.youtube.com/watch?v=7bX76VR6oQE"
    # the saved answer lists 100 of the 101 tracks the playlist has
    assert playlist.listed == 101 and playlist.limit_note.startswith("100 of 101 tracks")
    assert ytm.count("browse") == 1
    sent = ytm.bodies[0]
    assert sent["browseId"] == f"VL{FEEL_GOOD}" and sent["context"]["client"]["clientName"]


async def test_an_album_audio_playlist_of_the_2025_shape(ytm: FakeYTMusic, client) -> None:
    playlist = await source(ytm, client).fetch(PlaylistRef("ytmusic", REVIVAL))
    assert len(playlist.tracks) == 19 and playlist.name == "Revival"
    assert playlist.tracks[0].title == "Walk On Water (feat. Beyoncé)"


async def test_a_changed_shape_is_one_sentence(ytm: FakeYTMusic, client) -> None:
    ytm.answers[FEEL_GOOD] = renamed(FEEL_GOOD, "musicPlaylistShelfRenderer", "shelfRenderer2")
    with pytest.raises(PlaylistUnavailable) as caught:
        await source(ytm, client).fetch(PlaylistRef("ytmusic", FEEL_GOOD))
    assert "YouTube Music" in str(caught.value) and "Deezer" in str(caught.value)


async def test_an_unknown_playlist(ytm: FakeYTMusic, client) -> None:
    with pytest.raises(PlaylistUnavailable, match="no public playlist"):
        await source(ytm, client).fetch(PlaylistRef("ytmusic", "PLnothing"))


async def test_a_429_is_waited_out_and_paces_the_host(ytm: FakeYTMusic, client) -> None:
    ytm.fault("status", route="browse", status=429, retry_after="1")
    playlist = await source(ytm, client).fetch(PlaylistRef("ytmusic", REVIVAL))
    assert len(playlist.tracks) == 19 and ytm.count("browse") == 2
    assert client.adaptive[host_key(ytm.api_base)].refused == 1


async def test_a_host_that_keeps_failing(ytm: FakeYTMusic, client) -> None:
    ytm.fault("status", route="browse", status=500, times=20)
    with pytest.raises(ProviderDown):
        await source(ytm, client).fetch(PlaylistRef("ytmusic", REVIVAL))


async def test_switched_off(ytm: FakeYTMusic, client) -> None:
    with pytest.raises(BadInput, match="switched off"):
        await source(ytm, client, enabled=False).fetch(PlaylistRef("ytmusic", REVIVAL))
    assert ytm.count("browse") == 0


@pytest.fixture
async def twins(ytm: FakeYTMusic, client) -> AsyncIterator[tuple[FakeDeezerSearch, dict]]:
    listed = await source(ytm, client).fetch(PlaylistRef("ytmusic", FEEL_GOOD))
    fake, labels = labelled_catalogue(
        [
            Listing(t.id, t.title, t.artists, round((t.duration_ms or 0) / 1000))
            for t in listed.tracks
        ]
    )
    async with serve(fake):
        yield fake, labels


async def test_matched_on_a_labelled_catalogue(ytm: FakeYTMusic, twins) -> None:
    fake, labels = twins
    settings = make_settings(ytmusic_api_base=ytm.api_base, deezer_api_base=fake.api_base)
    async with HttpClient(settings.http, pause_scale=0.001) as http:
        matcher = DeezerMatcher(http, api_base=fake.api_base)
        playlist = await source(ytm, http, matcher=matcher).fetch(PlaylistRef("ytmusic", FEEL_GOOD))
    right = sum(1 for t in playlist.tracks if t.deezer_id and int(t.deezer_id) == labels[t.id])
    wrong = sum(1 for t in playlist.tracks if t.deezer_id and int(t.deezer_id) != labels[t.id])
    assert right >= 90 and wrong <= 2 and playlist.matched == right + wrong


async def test_clusters_end_to_end_with_deezer_features(ytm: FakeYTMusic, twins) -> None:
    fake, _ = twins
    settings = make_settings(
        ytmusic_api_base=ytm.api_base, deezer_api_base=fake.api_base, feature_providers=["deezer"]
    )
    async with HttpClient(settings.http, pause_scale=0.001) as http:
        pipeline = build_pipeline(settings, http)
        analysis = await pipeline.run(PlaylistRef("ytmusic", FEEL_GOOD), AnalysisOptions(k=3))
    assert analysis.sound_cluster_count == 3  # + "not enough to hear" for the unmatched
    reading = analysis.playlist
    assert reading.matched is not None and reading.matched >= 90
    with_audio = sum(1 for t in reading.tracks if t.audio)
    assert with_audio == reading.matched  # Deezer's tempo/loudness for every match
