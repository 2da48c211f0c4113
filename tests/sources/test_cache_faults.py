"""Sources and providers with the real SQLite cache: faults never leave wrong data behind."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from bot.errors import ProviderDown
from bot.model import AnalysisOptions, PlaylistRef
from bot.roots.wiring import build_pipeline, close_providers
from storage.database import Database
from tests.fakes.data import TITLES, features, spotify_id
from tests.fakes.spotify import SpotifyPlaylist

PID = spotify_id(7)


@pytest.fixture
async def database(tmp_path) -> AsyncIterator[Database]:
    db = await Database.open(tmp_path / "cache.db")
    yield db
    await db.close()


async def test_failed_deezer_fetch_caches_nothing(fake_settings, http, fake_deezer, database):
    fake_deezer.generated(31, 150, albums=5)
    fake_deezer.fault("status", route="album", status=500, times=100)
    pipeline = build_pipeline(fake_settings, http, database.cache)
    try:
        with pytest.raises(ProviderDown, match="Deezer"):
            await pipeline.run(PlaylistRef("deezer", "31"), AnalysisOptions(k=2))
    finally:
        await close_providers(pipeline)
    assert await database.cache.get_playlist(PlaylistRef("deezer", "31")) is None


async def test_faults_on_the_way_still_cache_the_right_playlist_and_features(
    fake_settings, http, fake_spotify, fake_reccobeats, database
):
    fake_spotify.add(SpotifyPlaylist.generated(PID, 230), with_features=False)
    fake_spotify.features_forbidden = True
    wanted = {
        spotify_id(i): {k: v for k, v in features(i).items() if k not in {"key", "mode"}}
        for i in range(230)
    }
    fake_reccobeats.features.update(wanted)
    fake_spotify.fault("malformed", route="items")
    fake_spotify.fault("status", route="items", status=429, retry_after="1")
    fake_reccobeats.fault("status", status=502, times=2)
    pipeline = build_pipeline(fake_settings, http, database.cache)
    try:
        analysis = await pipeline.run(PlaylistRef("spotify", PID), AnalysisOptions(k=2))
    finally:
        await close_providers(pipeline)
    assert analysis.features.summary == "230 of 230 tracks had audio features (ReccoBeats)."
    cached = await database.cache.get_playlist(PlaylistRef("spotify", PID))
    assert cached is not None
    playlist, _ = cached
    assert [t.id for t in playlist.tracks] == [spotify_id(i) for i in range(230)]
    assert [t.title for t in playlist.tracks[: len(TITLES)]] == list(TITLES)
    stored = await database.cache.get_features("spotify", list(wanted), "reccobeats", 1)
    assert stored == wanted
