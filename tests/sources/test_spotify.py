"""The Spotify source against the fake Spotify API, faults included."""

from __future__ import annotations

import pytest

from bot.errors import InputTooLarge, PlaylistUnavailable, ProviderDown
from bot.model import PlaylistRef
from bot.net.client import HttpClient
from bot.sources.spotify import SpotifyAuth, SpotifyNotConfigured, SpotifySource
from tests.fakes import make_settings
from tests.fakes.data import TITLES, spotify_id
from tests.fakes.spotify import SpotifyPlaylist, episode_entry, local_entry, track_object

PID = spotify_id(1)


@pytest.fixture
def source(fake_settings, http) -> SpotifySource:
    auth = SpotifyAuth.from_settings(fake_settings.spotify, http)
    return SpotifySource.from_settings(fake_settings.spotify, auth)


def _mixed_playlist(n: int = 250) -> SpotifyPlaylist:
    """n tracks, plus a null entry, a local file, an episode and a duplicate."""
    playlist = SpotifyPlaylist.generated(PID, n)
    playlist.entries.insert(3, None)
    playlist.entries.insert(120, local_entry())
    playlist.entries.insert(201, episode_entry(1))
    playlist.entries.append(track_object(0))
    return playlist


async def test_fetch_reads_every_page_and_counts_skips(source, fake_spotify) -> None:
    fake_spotify.add(_mixed_playlist())
    reports: list[tuple[str, int, int]] = []
    playlist = await source.fetch(PlaylistRef("spotify", PID), lambda *r: reports.append(r))
    assert [t.id for t in playlist.tracks] == [spotify_id(i) for i in range(250)]
    assert playlist.skipped == {
        "unavailable entry": 1,
        "local file": 1,
        "podcast episode": 1,
        "duplicate": 1,
    }
    assert playlist.name == "国際ポップ 🌏"
    assert playlist.owner == "テスト ユーザー"
    assert playlist.snapshot == "snap-1"
    assert [t.title for t in playlist.tracks[: len(TITLES)]] == list(TITLES)
    first = playlist.tracks[0]
    assert first.artists == ("YOASOBI",)
    assert first.album == "アルバム 0"
    assert first.release_year == 1990
    assert first.isrc == "JPZZ00000000"
    assert first.image.endswith("-300")
    assert first.url == f"https://open.spotify.com/track/{spotify_id(0)}"
    assert reports[-1] == ("Fetching tracks", 254, 254)
    assert fake_spotify.count("items") == 3
    assert fake_spotify.count("tracks") == 0


async def test_development_mode_tracks_forbidden_items_work(source, fake_spotify) -> None:
    fake_spotify.tracks_endpoint = False
    fake_spotify.add(SpotifyPlaylist.generated(PID, 120))
    playlist = await source.fetch(PlaylistRef("spotify", PID))
    assert len(playlist.tracks) == 120
    assert fake_spotify.count("tracks") == 0


async def test_older_api_without_items_falls_back_to_tracks(source, fake_spotify) -> None:
    fake_spotify.items_endpoint = False
    fake_spotify.add(_mixed_playlist(150))
    playlist = await source.fetch(PlaylistRef("spotify", PID))
    assert [t.id for t in playlist.tracks] == [spotify_id(i) for i in range(150)]
    assert playlist.skipped["local file"] == 1
    assert source.items_path == "tracks"
    assert fake_spotify.count("items") == 1  # asked once, then never again


async def test_someone_elses_playlist_in_development_mode(source, fake_spotify) -> None:
    fake_spotify.add(SpotifyPlaylist.generated(PID, 10)).forbidden = True
    with pytest.raises(PlaylistUnavailable) as info:
        await source.fetch(PlaylistRef("spotify", PID))
    message = str(info.value)
    assert "development mode" in message
    assert "Deezer link" in message
    assert "Exportify" in message


async def test_missing_playlist(source) -> None:
    with pytest.raises(PlaylistUnavailable, match="no playlist with that id"):
        await source.fetch(PlaylistRef("spotify", PID))


async def test_token_expiring_mid_playlist_is_refreshed(source, fake_spotify) -> None:
    fake_spotify.expire_tokens_after = 4
    fake_spotify.add(SpotifyPlaylist.generated(PID, 900))
    playlist = await source.fetch(PlaylistRef("spotify", PID))
    assert [t.id for t in playlist.tracks] == [spotify_id(i) for i in range(900)]
    assert fake_spotify.tokens_issued == 2


async def test_token_is_cached_between_fetches(source, fake_spotify) -> None:
    fake_spotify.add(SpotifyPlaylist.generated(PID, 5))
    await source.fetch(PlaylistRef("spotify", PID))
    await source.fetch(PlaylistRef("spotify", PID))
    assert await source.snapshot(PlaylistRef("spotify", PID)) == "snap-1"
    assert fake_spotify.tokens_issued == 1


async def test_snapshot_is_one_call(source, fake_spotify) -> None:
    fake_spotify.add(SpotifyPlaylist.generated(PID, 500)).snapshot_id = "snap-42"
    assert await source.snapshot(PlaylistRef("spotify", PID)) == "snap-42"
    assert fake_spotify.count("playlist") == 1
    assert fake_spotify.count("items") == 0


@pytest.mark.parametrize(
    "fault",
    [
        {"kind": "status", "status": 429, "retry_after": "1", "times": 2},
        {"kind": "status", "status": 500, "times": 2},
        {"kind": "status", "status": 502, "times": 1},
        {"kind": "malformed", "times": 2},
    ],
)
async def test_transient_faults_on_pages_still_give_the_whole_playlist(
    source, fake_spotify, fault
) -> None:
    fake_spotify.add(_mixed_playlist(450))
    fake_spotify.fault(route="items", **fault)
    playlist = await source.fetch(PlaylistRef("spotify", PID))
    assert [t.id for t in playlist.tracks] == [spotify_id(i) for i in range(450)]
    assert sum(playlist.skipped.values()) == 4


async def test_slow_page_past_the_timeout(fake_settings, fake_spotify) -> None:
    settings = fake_settings.model_copy(update={"http_timeout_seconds": 0.3})
    fake_spotify.add(SpotifyPlaylist.generated(PID, 300))
    fake_spotify.fault("slow", route="items", delay=1.5)
    async with HttpClient(settings.http, pause_scale=0.001) as http:
        source = SpotifySource.from_settings(
            settings.spotify, SpotifyAuth.from_settings(settings.spotify, http)
        )
        playlist = await source.fetch(PlaylistRef("spotify", PID))
    assert len(playlist.tracks) == 300


async def test_quota_exceeded_is_reported(source, fake_spotify) -> None:
    fake_spotify.add(SpotifyPlaylist.generated(PID, 10))
    fake_spotify.fault("spotify_quota", route="items")
    with pytest.raises(ProviderDown, match="quota"):
        await source.fetch(PlaylistRef("spotify", PID))


async def test_persistent_500s_end_in_provider_down(source, fake_spotify) -> None:
    fake_spotify.add(SpotifyPlaylist.generated(PID, 10))
    fake_spotify.fault("status", route="items", status=500, times=50)
    with pytest.raises(ProviderDown, match="Spotify is not answering"):
        await source.fetch(PlaylistRef("spotify", PID))


async def test_too_many_tracks(fake_settings, http, fake_spotify) -> None:
    settings = fake_settings.model_copy(update={"playlist_max_tracks": 150})
    source = SpotifySource.from_settings(
        settings.spotify, SpotifyAuth.from_settings(settings.spotify, http)
    )
    fake_spotify.add(SpotifyPlaylist.generated(PID, 151))
    with pytest.raises(InputTooLarge, match="151 tracks"):
        await source.fetch(PlaylistRef("spotify", PID))
    assert fake_spotify.count("items") == 1


async def test_no_credentials_says_what_works_instead() -> None:
    settings = make_settings()
    async with HttpClient(settings.http) as http:
        source = SpotifySource.from_settings(
            settings.spotify, SpotifyAuth.from_settings(settings.spotify, http)
        )
        with pytest.raises(SpotifyNotConfigured) as info:
            await source.fetch(PlaylistRef("spotify", PID))
        assert http.total_requests == 0
    assert "no Spotify credentials" in str(info.value)
    assert "Deezer link" in str(info.value)


async def test_wrong_credentials(fake_settings, http, fake_spotify) -> None:
    settings = fake_settings.model_copy(update={"spotify_client_id": "someone-else"})
    source = SpotifySource.from_settings(
        settings.spotify, SpotifyAuth.from_settings(settings.spotify, http)
    )
    fake_spotify.add(SpotifyPlaylist.generated(PID, 3))
    with pytest.raises(ProviderDown, match="refused this bot's credentials"):
        await source.fetch(PlaylistRef("spotify", PID))
