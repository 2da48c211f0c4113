"""Preview failures remembered for a day, and the skipped-previews line reaching the user."""

from __future__ import annotations

from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import aiohttp

from bot.features.audio import DOWNLOAD_FAILED, STAGE, PreviewAudioProvider
from bot.features.preview_failures import FAILURE_PROVIDER
from bot.model import AnalysisOptions, Playlist, PlaylistRef, Track
from bot.pipeline.runner import Pipeline
from tests.features.preview_cdn import DictCache, FakeCdn, Progress, provider, track


class Clock:
    """Unix time that tests move forward by hand."""

    def __init__(self) -> None:
        self.now = 1_800_000_000.0

    def __call__(self) -> float:
        return self.now


async def test_broken_previews_are_remembered_by_reason_and_retried_after_a_day(
    cdn: FakeCdn, session: aiohttp.ClientSession, pool: ProcessPoolExecutor
) -> None:
    cache, clock = DictCache(), Clock()
    names = ["silent", "truncated", "garbage", "expired", "f0m2"]

    def tracks() -> list[Track]:
        return [track(n, cdn.url(f"/previews/{n}.mp3?sig={clock.now}")) for n in names]

    def run() -> PreviewAudioProvider:
        return provider(session, pool, cache=cache, clock=clock, failure_retry_seconds=86_400)

    first = run()
    assert await first.enrich(tracks(), Progress()) == 1
    expected = {"silent": 1, "too short": 1, "could not be decoded": 1, DOWNLOAD_FAILED: 1}
    assert first.last_report.skipped == expected
    assert len(cdn.hits) == 5

    # Within the day: only the expired (signed URL) preview is asked for again.
    clock.now += 23 * 3600
    cdn.hits.clear()
    again = run()
    progress = Progress()
    assert await again.enrich(tracks(), progress) == 1
    assert cdn.hits == ["/previews/expired.mp3"]
    assert again.last_report.skipped == expected
    assert again.last_report.remembered == 3 and again.last_report.cached == 1
    assert again.last_note == (
        "4 previews could not be analysed (1 could not be decoded, 1 download failed, "
        "1 silent, 1 too short)."
    )
    assert progress.reports[0] == (STAGE, 0, 5) and progress.reports[-1] == (STAGE, 5, 5)

    # After the day: the broken ones are tried again (the provider may have fixed them).
    cdn.files["silent.mp3"] = cdn.files["f1m1.mp3"]
    clock.now += 2 * 3600
    cdn.hits.clear()
    later = run()
    assert await later.enrich(tracks(), Progress()) == 2
    assert sorted(cdn.hits) == [f"/previews/{n}.mp3" for n in sorted(names) if n != "f0m2"]
    assert later.last_report.remembered == 0
    assert later.last_report.skipped == {
        "too short": 1,
        "could not be decoded": 1,
        DOWNLOAD_FAILED: 1,
    }


async def test_zero_retry_hours_tries_every_time(
    cdn: FakeCdn, session: aiohttp.ClientSession, pool: ProcessPoolExecutor
) -> None:
    cache = DictCache()
    for _ in range(2):
        audio = provider(session, pool, cache=cache, failure_retry_seconds=0)
        await audio.enrich([track("silent", cdn.url("/previews/silent.mp3"))], Progress())
    assert cdn.hits == ["/previews/silent.mp3"] * 2
    assert not any(key[2] == FAILURE_PROVIDER for key in cache.data)


async def test_the_skipped_previews_line_reaches_the_analysis_note(
    cdn: FakeCdn, session: aiohttp.ClientSession, pool: ProcessPoolExecutor
) -> None:
    from bot.render.pages import answer_text
    from bot.roots.cli import summary

    tracks = [
        track(f"{f}{m}", cdn.url(f"/previews/f{f}m{m}.mp3")) for f in range(3) for m in range(3)
    ]
    tracks += [track("quiet", cdn.url("/previews/silent.mp3")), track("gone", cdn.url("/x.mp3"))]
    playlist = Playlist(PlaylistRef("deezer", "2"), "Mixed", tracks, "snap")
    audio = provider(session, pool)
    analysis = await Pipeline(providers=[audio]).analyze(playlist, AnalysisOptions(), Progress())
    line = "2 previews could not be analysed (1 download failed, 1 silent)."
    assert line in analysis.note
    assert line in summary(analysis, [Path("out/clusters.md")])
    assert line in answer_text(analysis).replace("\\", "")  # markdown escapes
