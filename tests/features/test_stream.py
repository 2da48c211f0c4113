"""Feature lookups overlap the page requests (bot/features/stream.py through the pipeline)."""

from __future__ import annotations

import asyncio

from bot.features.reccobeats import ReccoBeatsFeatures
from bot.features.spotify import SpotifyFeatures
from bot.features.stream import FeatureStream
from bot.model import PlaylistRef, Track
from bot.net.client import HttpClient
from bot.pipeline.runner import Pipeline
from bot.sources.deezer import DeezerSource
from bot.sources.spotify import SpotifyAuth, SpotifySource
from tests.fakes.data import features, spotify_id
from tests.fakes.spotify import SpotifyPlaylist, track_object
from tests.features.test_providers import DictCache, expected

PID = spotify_id(7)


class ArrivalLog(list):
    """A fake's request log that also notes how many pages another fake had served."""

    def __init__(self, pages_served) -> None:
        super().__init__()
        self.pages_served = pages_served
        self.pages_at_arrival: list[int] = []

    def append(self, item) -> None:
        self.pages_at_arrival.append(self.pages_served())
        super().append(item)


def spotify_pipeline(settings, http: HttpClient, cache=None) -> Pipeline:
    auth = SpotifyAuth.from_settings(settings.spotify, http)
    return Pipeline(
        sources={"spotify": SpotifySource.from_settings(settings.spotify, auth)},
        providers=[
            SpotifyFeatures.from_settings(settings.spotify, auth, cache),
            ReccoBeatsFeatures.from_settings(settings.features, http, cache),
        ],
        concurrency=settings.http_concurrency,
    )


async def test_features_are_asked_before_the_last_page_arrives(
    fake_settings, fake_spotify, fake_reccobeats
) -> None:
    n = 1500  # 15 pages, read two at a time with 20 ms answers
    entries = [track_object(i) for i in range(n)]
    entries[1400] = track_object(3)  # a duplicate on a late page
    fake_spotify.add(SpotifyPlaylist(PID, "長いリスト 🎧", entries), with_features=False)
    fake_spotify.features_forbidden = True  # a new app: ReccoBeats has to answer
    fake_spotify.latency = 0.02
    fake_reccobeats.features.update({spotify_id(i): features(i) for i in range(n) if i % 25})
    fake_reccobeats.log = ArrivalLog(lambda: fake_spotify.count("items"))
    settings = fake_settings.model_copy(update={"http_concurrency": 2})
    cache = DictCache()
    async with HttpClient(settings.http, pause_scale=0.001) as http:
        pipeline = spotify_pipeline(settings, http, cache)
        playlist = await pipeline.fetch(PlaylistRef("spotify", PID))
        asked = fake_reccobeats.count("audio-features")
        await pipeline.enrich(playlist)

    pages = fake_spotify.count("items")
    assert pages == 15
    # ReccoBeats was asked while pages were still coming
    assert fake_reccobeats.log.pages_at_arrival[0] < pages
    assert playlist.enriched_by == {"spotify", "reccobeats"}
    # every track ReccoBeats knows has its features, the duplicate included
    assert len(playlist.tracks) == n - 1 and playlist.skipped == {"duplicate": 1}
    index = {spotify_id(i): i for i in range(n)}
    for track in playlist.tracks:
        i = index[track.id]
        if i % 25:
            assert track.audio == expected(i) and track.audio_provider == "reccobeats"
        else:
            assert track.audio is None
    # ids asked once each, in full batches of 40; enrich() after the fetch asks nothing
    assert asked == 38  # ceil(1,499 unique ids / 40)
    assert fake_reccobeats.count("audio-features") == asked
    assert 1 <= fake_spotify.count("audio-features") <= 4  # 403 for the first, then off
    assert len(cache.data[("spotify", "reccobeats", 1)]) == len(
        [i for i in range(n) if i % 25 and i != 1400]
    )


async def test_a_cached_playlist_is_enriched_as_before(
    fake_settings, fake_spotify, fake_reccobeats
) -> None:
    """Without streaming (a playlist from the cache), enrich() still asks every provider."""
    fake_spotify.add(SpotifyPlaylist.generated(PID, 120), with_features=False)
    fake_spotify.features_forbidden = True
    fake_reccobeats.features.update({spotify_id(i): features(i) for i in range(120)})
    async with HttpClient(fake_settings.http, pause_scale=0.001) as http:
        pipeline = spotify_pipeline(fake_settings, http)
        source = pipeline.sources["spotify"]
        playlist = await source.fetch(PlaylistRef("spotify", PID))  # no stream
        assert playlist.enriched_by == frozenset()
        await pipeline.enrich(playlist)
    assert all(t.audio for t in playlist.tracks)
    assert fake_reccobeats.count("audio-features") == 3


async def test_deezer_album_details_are_asked_while_pages_arrive(fake_settings, fake_deezer):
    fake_deezer.generated(55, 1200, albums=300)
    fake_deezer.latency = 0.02
    fake_deezer.log = ArrivalLog(lambda: fake_deezer.count("tracks"))
    settings = fake_settings.model_copy(update={"http_concurrency": 2})
    async with HttpClient(settings.http, pause_scale=0.001) as http:
        playlist = await DeezerSource.from_settings(settings.deezer, http).fetch(
            PlaylistRef("deezer", "55")
        )
    first_album = next(i for i, (route, _) in enumerate(fake_deezer.log) if route == "album")
    assert fake_deezer.log.pages_at_arrival[first_album] < 12
    assert fake_deezer.count("album") == 300
    assert all(t.label and t.genres and t.release_year for t in playlist.tracks)


def with_deezer(settings, http: HttpClient) -> Pipeline:
    from bot.features.deezer import DeezerFeatures

    pipeline = spotify_pipeline(settings, http)
    pipeline.providers = [*pipeline.providers, DeezerFeatures.from_settings(settings.deezer, http)]
    return pipeline


async def test_deezer_is_not_asked_when_full_features_cover_most_tracks(
    fake_settings, fake_spotify, fake_reccobeats, fake_deezer
) -> None:
    """Tracks ReccoBeats lacks (4%) do not wait for Deezer: its two columns cannot place
    a track by sound beside full features (issue 22), so the answer says so and those
    tracks join their album's or artist's cluster; and the prefetch, which asks the
    same question of the batches settled so far, never asks Deezer at all."""
    n = 1500
    fake_spotify.add(SpotifyPlaylist.generated(PID, n), with_features=False)
    fake_spotify.features_forbidden = True
    fake_spotify.latency = 0.02
    for i in range(n):
        if i % 25:
            fake_reccobeats.features[spotify_id(i)] = features(i)
        else:
            fake_deezer.details[3_000_000 + i] = {"bpm": 99.0, "gain": -7.0, "isrc": f"JPZZ{i:08d}"}
    settings = fake_settings.model_copy(update={"http_concurrency": 2})
    async with HttpClient(settings.http, pause_scale=0.001) as http:
        pipeline = with_deezer(settings, http)
        playlist = await pipeline.fetch(PlaylistRef("spotify", PID))
        notes = await pipeline.enrich(playlist)
        await asyncio.sleep(0.05)  # a lookup started and not awaited would arrive now
    assert fake_deezer.log == []
    assert len(notes) == 1 and "not looked up for the 60 tracks" in notes[0]
    assert not [t for t in playlist.tracks if t.audio_provider == "deezer"]


async def test_deezer_is_asked_while_pages_arrive_when_reccobeats_mostly_lacks_them(
    fake_settings, fake_spotify, fake_reccobeats, fake_deezer
) -> None:
    """The case Deezer leads: its lookups start with the first settled batch, as before
    the coverage question was asked, and every one is asked once."""
    n = 1000  # 10 pages, read two at a time with 20 ms answers
    fake_spotify.add(SpotifyPlaylist.generated(PID, n), with_features=False)
    fake_spotify.features_forbidden = True
    fake_spotify.latency = 0.02
    for i in range(n):
        if i % 10 == 0:
            fake_reccobeats.features[spotify_id(i)] = features(i)
        else:
            fake_deezer.details[3_000_000 + i] = {"bpm": 99.0, "gain": -7.0, "isrc": f"JPZZ{i:08d}"}
    fake_deezer.log = ArrivalLog(lambda: fake_spotify.count("items"))
    settings = fake_settings.model_copy(
        update={"http_concurrency": 2, "deezer_rate_per_5s": 100_000}
    )
    async with HttpClient(settings.http, pause_scale=0.001) as http:
        pipeline = with_deezer(settings, http)
        playlist = await pipeline.fetch(PlaylistRef("spotify", PID))
        notes = await pipeline.enrich(playlist)
    assert fake_spotify.count("items") == 10
    assert fake_deezer.log.pages_at_arrival[0] < 10  # before the last page
    assert fake_deezer.count("track") == 900  # each lacking track once
    assert notes == []
    assert sum(1 for t in playlist.tracks if t.audio_provider == "deezer") == 900


async def test_a_source_read_whole_gets_its_last_partial_batch_asked_at_once(
    fake_settings, fake_reccobeats
) -> None:
    """Spotify's embed page is read whole, then matched to Deezer before the fetch
    returns: ``last=True`` asks the last 20 ids at once instead of at ``finish``, so
    the matcher knows early which tracks lack features (it matches those first)."""
    tracks = [Track(id=spotify_id(i), title=f"t{i}", spotify_id=spotify_id(i)) for i in range(100)]
    fake_reccobeats.features.update({spotify_id(i): features(i) for i in range(100)})
    async with HttpClient(fake_settings.http, pause_scale=0.001) as http:
        stream = FeatureStream([ReccoBeatsFeatures.from_settings(fake_settings.features, http)])
        stream.add(tracks[:60])
        stream.add(tracks[60:], last=True)
        for _ in range(300):
            if all(t.audio for t in tracks):
                break
            await asyncio.sleep(0.01)
        assert all(t.audio for t in tracks)  # before finish()
        await stream.finish()
    assert fake_reccobeats.count("audio-features") == 3  # 40 + 40 + 20
