"""Feature providers (Spotify, ReccoBeats, Deezer) against the fakes, with a dict cache."""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence

import pytest

from bot.analysis.features import build_feature_table
from bot.features.deezer import DeezerFeatures
from bot.features.reccobeats import ReccoBeatsFeatures
from bot.features.spotify import SpotifyFeatures
from bot.model import PROVIDER_AUDIO_FEATURES, Playlist, PlaylistRef, Track
from bot.pipeline.runner import Pipeline, describe_features
from bot.sources.deezer import DeezerSource
from bot.sources.spotify import SpotifyAuth, SpotifySource
from tests.fakes.data import features, spotify_id
from tests.fakes.spotify import SpotifyPlaylist

PID = spotify_id(1)


class DictCache:
    """A FeatureCache in a dict: (source, provider, version) -> {id: features}."""

    def __init__(self) -> None:
        self.data: dict[tuple[str, str, int], dict[str, dict[str, float]]] = {}

    async def get_features(
        self, source: str, track_ids: Sequence[str], provider: str, version: int
    ) -> dict[str, dict[str, float]]:
        stored = self.data.get((source, provider, version), {})
        return {i: dict(stored[i]) for i in track_ids if i in stored}

    async def put_features(
        self,
        source: str,
        features: Mapping[str, Mapping[str, float]],
        provider: str,
        version: int,
    ) -> None:
        self.data.setdefault((source, provider, version), {}).update(
            {k: dict(v) for k, v in features.items()}
        )


def expected(i: int) -> dict[str, float]:
    return {k: v for k, v in features(i).items() if k in PROVIDER_AUDIO_FEATURES}


@pytest.fixture
def auth(fake_settings, http) -> SpotifyAuth:
    return SpotifyAuth.from_settings(fake_settings.spotify, http)


async def spotify_tracks(fake_settings, auth, fake_spotify, n: int) -> list[Track]:
    fake_spotify.add(SpotifyPlaylist.generated(PID, n))
    source = SpotifySource.from_settings(fake_settings.spotify, auth)
    return (await source.fetch(PlaylistRef("spotify", PID))).tracks


async def test_spotify_features_in_batches_of_100_and_cached(
    fake_settings, auth, fake_spotify
) -> None:
    tracks = await spotify_tracks(fake_settings, auth, fake_spotify, 250)
    cache = DictCache()
    provider = SpotifyFeatures.from_settings(fake_settings.spotify, auth, cache)
    reports: list[tuple[str, int, int]] = []
    assert await provider.enrich(tracks, lambda *r: reports.append(r)) == 250
    assert fake_spotify.count("audio-features") == 3
    assert [t.audio for t in tracks] == [expected(i) for i in range(250)]
    assert {t.audio_provider for t in tracks} == {"spotify"}
    assert reports[-1] == ("Audio features (Spotify)", 250, 250)
    assert len(cache.data[("spotify", "spotify", 1)]) == 250

    again = await spotify_tracks(fake_settings, auth, fake_spotify, 250)
    assert await provider.enrich(again, lambda *r: None) == 250
    assert fake_spotify.count("audio-features") == 3  # all from the cache
    assert [t.audio for t in again] == [expected(i) for i in range(250)]


async def test_spotify_403_switches_off_quietly_once(
    fake_settings, auth, fake_spotify, caplog
) -> None:
    fake_spotify.features_forbidden = True
    tracks = await spotify_tracks(fake_settings, auth, fake_spotify, 350)
    provider = SpotifyFeatures.from_settings(fake_settings.spotify, auth)
    with caplog.at_level(logging.INFO, logger="bot.features.spotify"):
        assert await provider.enrich(tracks) == 0
        assert await provider.enrich(tracks) == 0
    assert provider.enabled is False
    assert all(t.audio is None for t in tracks)
    assert len([r for r in caplog.records if "403" in r.getMessage()]) == 1
    assert fake_spotify.count("audio-features") <= fake_settings.http_concurrency


async def test_reccobeats_matches_by_href_and_leaves_unknown_missing(
    fake_settings, auth, http, fake_spotify, fake_reccobeats
) -> None:
    tracks = await spotify_tracks(fake_settings, auth, fake_spotify, 100)
    for i in range(100):
        if i % 10 != 3:
            fake_reccobeats.features[spotify_id(i)] = expected(i)
    cache = DictCache()
    provider = ReccoBeatsFeatures.from_settings(fake_settings.features, http, cache)
    assert await provider.enrich(tracks) == 90
    assert fake_reccobeats.count("audio-features") == 3  # 40 + 40 + 20
    for i, track in enumerate(tracks):
        if i % 10 == 3:
            assert track.audio is None and track.audio_provider is None
        else:
            assert track.audio == expected(i)
            assert track.audio_provider == "reccobeats"
    assert set(cache.data[("spotify", "reccobeats", 1)]) == {
        spotify_id(i) for i in range(100) if i % 10 != 3
    }


async def test_reccobeats_rate_limited_then_complete(
    fake_settings, auth, http, fake_spotify, fake_reccobeats
) -> None:
    tracks = await spotify_tracks(fake_settings, auth, fake_spotify, 80)
    fake_reccobeats.features.update({spotify_id(i): expected(i) for i in range(80)})
    fake_reccobeats.fault("status", status=429, retry_after="1", times=2)
    fake_reccobeats.fault("malformed")
    fake_reccobeats.fault("status", status=500)
    cache = DictCache()
    assert (
        await ReccoBeatsFeatures.from_settings(fake_settings.features, http, cache).enrich(tracks)
        == 80
    )
    assert [t.audio for t in tracks] == [expected(i) for i in range(80)]
    stored = cache.data[("spotify", "reccobeats", 1)]
    assert stored == {spotify_id(i): expected(i) for i in range(80)}  # nothing wrong cached


async def test_reccobeats_down_caches_nothing_and_does_not_fail(
    fake_settings, auth, http, fake_spotify, fake_reccobeats
) -> None:
    tracks = await spotify_tracks(fake_settings, auth, fake_spotify, 30)
    fake_reccobeats.features.update({spotify_id(i): expected(i) for i in range(30)})
    fake_reccobeats.fault("status", status=503, times=100)
    cache = DictCache()
    assert (
        await ReccoBeatsFeatures.from_settings(fake_settings.features, http, cache).enrich(tracks)
        == 0
    )
    assert cache.data == {}
    assert all(t.audio is None for t in tracks)


async def test_deezer_bpm_and_gain_for_deezer_tracks(fake_settings, http, fake_deezer) -> None:
    fake_deezer.generated(77, 30)
    tracks = (
        await DeezerSource.from_settings(fake_settings.deezer, http).fetch(
            PlaylistRef("deezer", "77")
        )
    ).tracks
    tracks[0].audio = {"tempo": 99.0}  # covered by a better provider: not asked
    tracks[0].audio_provider = "reccobeats"
    tracks[1].preview_features = {"tempo": 100.0}  # has preview analysis: not asked
    cache = DictCache()
    assert (
        await DeezerFeatures.from_settings(fake_settings.deezer, http, cache).enrich(tracks) == 28
    )
    assert fake_deezer.count("track") == 28
    details = fake_deezer.details
    for track in tracks[2:]:
        d = details[int(track.id)]
        assert track.audio_provider == "deezer"
        assert track.audio["loudness"] == d["gain"]
        if d["bpm"]:
            assert track.audio["tempo"] == d["bpm"]
        else:
            assert "tempo" not in track.audio  # 0 bpm = unknown
    assert tracks[0].audio == {"tempo": 99.0}
    assert len(cache.data[("deezer", "deezer", 1)]) == 28


async def test_provider_chain_records_who_gave_what(
    fake_settings, auth, http, fake_spotify, fake_reccobeats, fake_deezer
) -> None:
    """Spotify forbidden, ReccoBeats knows 30 of 80, Deezer fills by ISRC where it can."""
    fake_spotify.features_forbidden = True
    tracks = await spotify_tracks(fake_settings, auth, fake_spotify, 80)
    fake_reccobeats.features.update({spotify_id(i): expected(i) for i in range(30)})
    fake_deezer.details.update(
        {9_000 + i: {"bpm": 120.0, "gain": -8.0, "isrc": f"JPZZ{i:08d}"} for i in range(30, 75)}
    )
    pipeline = Pipeline(
        providers=[
            SpotifyFeatures.from_settings(fake_settings.spotify, auth),
            ReccoBeatsFeatures.from_settings(fake_settings.features, http),
            DeezerFeatures.from_settings(fake_settings.deezer, http),
        ]
    )
    await pipeline.enrich(Playlist(PlaylistRef("spotify", PID), "x", tracks, "s"))
    assert [t.audio_provider for t in tracks] == (
        ["reccobeats"] * 30 + ["deezer"] * 45 + [None] * 5
    )
    table = build_feature_table(tracks)
    assert describe_features(table, len(tracks)) == (
        "75 of 80 tracks had audio features (Deezer 45 with tempo and loudness only, "
        "ReccoBeats 30)."
    )


async def test_deezer_is_not_asked_when_its_two_columns_could_place_no_track(
    fake_settings, auth, http, fake_spotify, fake_reccobeats, fake_deezer
) -> None:
    """ReccoBeats describes 60 of 80 on every column: a track with only Deezer's tempo
    and loudness would still be placed by album or artist, so nobody waits for Deezer."""
    fake_spotify.features_forbidden = True
    tracks = await spotify_tracks(fake_settings, auth, fake_spotify, 80)
    fake_reccobeats.features.update({spotify_id(i): expected(i) for i in range(60)})
    fake_deezer.details.update(
        {9_000 + i: {"bpm": 120.0, "gain": -8.0, "isrc": f"JPZZ{i:08d}"} for i in range(60, 75)}
    )
    pipeline = Pipeline(
        providers=[
            SpotifyFeatures.from_settings(fake_settings.spotify, auth),
            ReccoBeatsFeatures.from_settings(fake_settings.features, http),
            DeezerFeatures.from_settings(fake_settings.deezer, http),
        ]
    )
    notes = await pipeline.enrich(Playlist(PlaylistRef("spotify", PID), "x", tracks, "s"))
    assert [t.audio_provider for t in tracks] == ["reccobeats"] * 60 + [None] * 20
    assert fake_deezer.count("track") == 0
    assert notes == [
        "Deezer's 2 columns were not looked up for the 20 tracks without other features: "
        "too few to place a track by its sound, so they join their album's or artist's tracks."
    ]


async def test_deezer_features_wait_out_quota_errors(fake_settings, http, fake_deezer) -> None:
    fake_deezer.generated(78, 12)
    tracks = (
        await DeezerSource.from_settings(fake_settings.deezer, http).fetch(
            PlaylistRef("deezer", "78")
        )
    ).tracks
    fake_deezer.fault("deezer_quota", route="track", times=3)
    fake_deezer.fault("slow", route="track", delay=3.0)  # past the 2 s timeout
    cache = DictCache()
    assert (
        await DeezerFeatures.from_settings(fake_settings.deezer, http, cache).enrich(tracks) == 12
    )
    assert cache.data[("deezer", "deezer", 1)] == {t.id: t.audio for t in tracks}


async def test_deezer_features_unknown_tracks_stay_missing(fake_settings, http) -> None:
    tracks = [
        Track(id="a", title="ไม่รู้จัก", url="https://www.deezer.com/track/1"),
        Track(id="b", title="No ISRC, no Deezer link"),
    ]
    cache = DictCache()
    assert await DeezerFeatures.from_settings(fake_settings.deezer, http, cache).enrich(tracks) == 0
    assert [t.audio for t in tracks] == [None, None]
    assert cache.data == {}
