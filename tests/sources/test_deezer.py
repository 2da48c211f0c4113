"""The Deezer source against the fake Deezer API, faults included."""

from __future__ import annotations

import pytest

from bot.errors import InputTooLarge, PlaylistUnavailable, ProviderDown
from bot.model import PlaylistRef
from bot.sources.deezer import DeezerSource
from bot.sources.deezer_api import deezer_rank_to_popularity
from tests.fakes.data import TITLES
from tests.fakes.deezer import deezer_track

PID = 908622995


@pytest.fixture
def source(fake_settings, http) -> DeezerSource:
    return DeezerSource.from_settings(fake_settings.deezer, http)


async def test_fetch_pages_past_a_short_embedded_list(source, fake_deezer) -> None:
    fake_deezer.generated(PID, 260, albums=12)
    reports: list[tuple[str, int, int]] = []
    playlist = await source.fetch(PlaylistRef("deezer", str(PID)), lambda *r: reports.append(r))
    assert [t.id for t in playlist.tracks] == [str(3_000_000 + i) for i in range(260)]
    assert playlist.skipped == {}
    assert playlist.name == "ใหม่ล่าสุด 🎧"
    assert playlist.owner == "ผู้ใช้ทดสอบ"
    assert playlist.snapshot == "c0ffee"
    assert [t.title for t in playlist.tracks[: len(TITLES)]] == list(TITLES)
    first = playlist.tracks[0]
    album = fake_deezer.albums[500_000]
    assert first.label == album["label"]
    assert first.genres == (album["genres"]["data"][0]["name"],)
    assert first.release_year == 2000
    assert first.duration_ms == 150_000
    assert first.popularity == 10.0  # Deezer rank 100,000 of 1,000,000 -> Spotify's 0..100
    assert all(0 <= t.popularity <= 100 for t in playlist.tracks)
    assert first.preview_url.startswith("https://cdnt-preview.dzcdn.net/")
    assert first.album == "Album «500000» 🎵"
    assert fake_deezer.count("album") == 12  # one call per distinct album
    assert fake_deezer.count("tracks") == 3
    assert ("Fetching tracks", 260, 260) in reports
    assert reports[-1] == ("Reading album details", 12, 12)


async def test_snapshot_is_the_checksum(source, fake_deezer) -> None:
    fake_deezer.generated(PID, 300).checksum = "a1b2c3"
    assert await source.snapshot(PlaylistRef("deezer", str(PID))) == "a1b2c3"
    assert len(fake_deezer.log) == 1


async def test_quota_errors_in_http_200_are_waited_out(source, fake_deezer) -> None:
    fake_deezer.generated(PID, 230, albums=5)
    fake_deezer.fault("deezer_quota", route="tracks", times=2)
    fake_deezer.fault("deezer_quota", route="album", times=1)
    playlist = await source.fetch(PlaylistRef("deezer", str(PID)))
    assert len(playlist.tracks) == 230
    assert all(t.label for t in playlist.tracks)


@pytest.mark.parametrize("route", ["playlist", "tracks", "album"])
async def test_500s_and_malformed_answers(source, fake_deezer, route) -> None:
    fake_deezer.generated(PID, 120, albums=4)
    fake_deezer.fault("status", route=route, status=500)
    fake_deezer.fault("malformed", route=route)
    playlist = await source.fetch(PlaylistRef("deezer", str(PID)))
    assert len(playlist.tracks) == 120
    assert all(t.genres for t in playlist.tracks)


async def test_missing_or_private_playlist(source) -> None:
    with pytest.raises(PlaylistUnavailable, match="does not exist or is private"):
        await source.fetch(PlaylistRef("deezer", "1"))


async def test_persistent_quota_ends_in_provider_down(source, fake_deezer) -> None:
    fake_deezer.generated(PID, 10)
    fake_deezer.fault("deezer_quota", times=100)
    with pytest.raises(ProviderDown, match="Deezer"):
        await source.fetch(PlaylistRef("deezer", str(PID)))


async def test_listed_fewer_than_announced_are_counted(source, fake_deezer) -> None:
    playlist = fake_deezer.generated(PID, 140)
    del playlist.tracks[5:7]  # taken down: the playlist still says 140
    playlist.announced = 140
    result = await source.fetch(PlaylistRef("deezer", str(PID)))
    assert len(result.tracks) == 138
    assert result.skipped == {"unavailable track": 2}


async def test_duplicates_and_broken_entries(source, fake_deezer) -> None:
    playlist = fake_deezer.generated(PID, 20)
    playlist.tracks.append(deezer_track(0, 500_000))
    playlist.tracks.append({"id": None, "title": "?"})
    result = await source.fetch(PlaylistRef("deezer", str(PID)))
    assert len(result.tracks) == 20
    assert result.skipped == {"duplicate": 1, "unavailable entry": 1}


async def test_too_many_tracks(fake_settings, http, fake_deezer) -> None:
    source = DeezerSource.from_settings(
        fake_settings.model_copy(update={"playlist_max_tracks": 100}).deezer, http
    )
    fake_deezer.generated(PID, 101)
    with pytest.raises(InputTooLarge, match="101 tracks"):
        await source.fetch(PlaylistRef("deezer", str(PID)))


@pytest.mark.parametrize(
    ("rank", "popularity"),
    [(0, 0.0), (654_321, 65.4321), (1_000_000, 100.0), (5_000_000, 100.0), (-3, 0.0),
     (None, None), ("high", None), (True, None), (float("nan"), None)],
)  # fmt: skip
def test_deezer_rank_is_on_spotifys_popularity_scale(rank, popularity) -> None:
    assert deezer_rank_to_popularity(rank) == popularity
