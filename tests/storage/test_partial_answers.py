"""An answer cut short by Deezer's time budget says so and is not reused for the next request."""

from __future__ import annotations

from bot.features.deezer import DeezerFeatures
from bot.model import AnalysisOptions, PlaylistRef
from bot.net.client import HttpClient
from bot.pipeline.runner import Pipeline
from bot.sources.deezer import DeezerSource
from storage.database import Database

REF = PlaylistRef("deezer", "77")


async def test_a_partial_answer_says_so_and_the_next_one_is_fuller(
    fake_settings, fake_deezer, db: Database
) -> None:
    fake_deezer.generated(77, 80)
    settings = fake_settings.model_copy(
        update={"http_concurrency": 1, "deezer_track_budget_seconds": 0.3}
    )
    async with HttpClient(settings.http, pause_scale=0.001) as http:
        deezer = DeezerFeatures.from_settings(settings.deezer, http, db.cache, background=True)
        pipeline = Pipeline(
            sources={"deezer": DeezerSource.from_settings(settings.deezer, http)},
            providers=[deezer],
            cache=db.cache,
        )
        playlist = await pipeline.fetch(REF)
        fake_deezer.latency = 0.05  # the tempo lookups are slow
        try:
            first = await pipeline.analyze(playlist, AnalysisOptions())
        finally:
            await deezer.wait_background()
        key = pipeline.cache_key(playlist, AnalysisOptions())
        summary = first.features.summary
        with_tempo = sum(1 for t in first.playlist.tracks if t.audio)
        assert 0 < with_tempo < 80
        assert summary.startswith(
            f"Clustered on metadata only: {with_tempo} of 80 tracks had audio features "
            "(Deezer with tempo and loudness only), too few to lead."
        )
        assert "being looked up in the background" in summary
        # kept for paging, not reused for a new request
        assert await db.cache.get_analysis(key) is not None
        assert await db.cache.get_analysis(key, variant=pipeline.cache_variant) is None

        playlist = await pipeline.fetch(REF)
        second = await pipeline.analyze(playlist, AnalysisOptions())
    assert second.features.summary == (
        "80 of 80 tracks had audio features (Deezer with tempo and loudness only)."
    )
    assert await db.cache.get_analysis(key, variant=pipeline.cache_variant) is not None
