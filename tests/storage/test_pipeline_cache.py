"""The pipeline answers repeated requests from the cache (real SQLite, stand-in source)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace

from bot.model import AnalysisOptions, Playlist, PlaylistRef, ProgressCallback, Track, analysis_key
from bot.pipeline.runner import Pipeline
from bot.render.document import to_document
from storage.database import Database
from tests.storage.helpers import synthetic_playlist


@dataclass
class CountingSource:
    """A playlist source serving one playlist and counting what it was asked."""

    playlist: Playlist
    fetches: int = 0
    snapshots: int = 0

    async def fetch(self, ref: PlaylistRef, progress: ProgressCallback) -> Playlist:
        self.fetches += 1
        return replace(self.playlist, tracks=[replace(t) for t in self.playlist.tracks])

    async def snapshot(self, ref: PlaylistRef) -> str:
        self.snapshots += 1
        return self.playlist.snapshot


@dataclass
class CountingProvider:
    """A feature provider that adds one feature and counts its calls."""

    name: str = "counting"
    family: str = "provider"
    calls: list[int] = field(default_factory=list)

    async def enrich(self, tracks: Sequence[Track], progress: ProgressCallback) -> int:
        self.calls.append(len(tracks))
        return 0


REF = PlaylistRef("deezer", "1234")


def _pipeline(db: Database, source: CountingSource, freshness: float = 600.0) -> Pipeline:
    return Pipeline(
        sources={"deezer": source},
        providers=[CountingProvider()],
        cache=db.cache,
        freshness_seconds=freshness,
    )


async def test_a_repeated_request_reuses_playlist_and_analysis(db: Database) -> None:
    source = CountingSource(synthetic_playlist(30, source="deezer", playlist_id="1234"))
    pipeline = _pipeline(db, source)
    stages: list[str] = []
    first = await pipeline.run(REF, AnalysisOptions())
    second = await pipeline.run(REF, AnalysisOptions(), lambda stage, *_: stages.append(stage))
    assert source.fetches == 1 and source.snapshots == 0
    assert pipeline.providers[0].calls == [30]  # type: ignore[attr-defined]
    assert stages == ["Loaded from cache"]
    assert to_document(second) == to_document(first) and second.png == first.png
    # other options: same cached playlist, a new analysis
    third = await pipeline.run(REF, AnalysisOptions(k=3))
    assert source.fetches == 1 and len(third.clusters) == 3
    assert (await db.cache.stats()).analyses == 2


async def test_after_the_freshness_window_an_unchanged_snapshot_avoids_a_refetch(
    db: Database,
) -> None:
    source = CountingSource(synthetic_playlist(30, source="deezer", playlist_id="1234"))
    pipeline = _pipeline(db, source, freshness=0)
    await pipeline.run(REF, AnalysisOptions())
    await pipeline.run(REF, AnalysisOptions())
    assert (source.fetches, source.snapshots) == (1, 1)
    # the playlist changes at the source: fetched again and analysed anew
    source.playlist = synthetic_playlist(40, source="deezer", playlist_id="1234", snapshot="v2")
    changed = await pipeline.run(REF, AnalysisOptions())
    assert (source.fetches, source.snapshots) == (2, 2)
    assert changed.track_count == 40
    found = await db.cache.get_playlist(REF)
    assert found is not None and found[0].snapshot == "v2"


async def test_without_a_cache_nothing_is_stored_or_reused(db: Database) -> None:
    source = CountingSource(synthetic_playlist(20, source="deezer", playlist_id="1234"))
    pipeline = Pipeline(sources={"deezer": source})
    await pipeline.run(REF, AnalysisOptions())
    await pipeline.run(REF, AnalysisOptions())
    assert source.fetches == 2
    assert (await db.cache.stats()).analyses == 0


async def test_an_analysis_by_other_providers_is_redone_under_the_same_key(db: Database) -> None:
    playlist = synthetic_playlist(20)
    plain = Pipeline(cache=db.cache)
    provider = CountingProvider()
    enriched = Pipeline(cache=db.cache, providers=[provider])
    key = analysis_key(playlist, AnalysisOptions())
    assert plain.cache_key(playlist, AnalysisOptions()) == key
    assert enriched.cache_key(playlist, AnalysisOptions()) == key
    await plain.analyze(playlist, AnalysisOptions())
    await enriched.analyze(playlist, AnalysisOptions())
    await enriched.analyze(playlist, AnalysisOptions())
    assert provider.calls == [20]  # redone once for its own variant, then served
    assert len({plain.cache_variant, enriched.cache_variant}) == 2
    # a posted message holding the key finds the analysis whatever made it
    assert await db.cache.get_analysis(key) is not None
    assert (await db.cache.stats()).analyses == 1
