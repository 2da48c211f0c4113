"""The bot's analysis service (bot/services/analyzer.py) on a real pipeline and a real SQLite cache.

What a user notices: an unchanged upload or playlist answers at once (no waiting in
line, no provider asked, the file not even parsed again), turning pages of a recent
analysis never waits for the database, and an analysis gone from the cache says so
in a sentence. The CSV is a real Exportify export (see tests/data/exports/README.md).
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path
from unittest import mock

import pytest

from bot.errors import ProviderDown
from bot.model import AnalysisOptions, PlaylistRef
from bot.patience import waits_for_all
from bot.pipeline.runner import Pipeline
from bot.services.analyzer import AnalysisExpired, Analyzer
from storage.database import Database
from tests.conftest import ROOT
from tests.storage.helpers import synthetic_playlist
from tests.storage.test_pipeline_cache import CountingProvider, CountingSource

EXPORT = ROOT / "tests" / "data" / "exports" / "exportify_watsonbox_de.csv"
REF = PlaylistRef("deezer", "1234")


class Gate:
    """Counts how often an analysis entered the line."""

    def __init__(self) -> None:
        self.entered = 0

    @asynccontextmanager
    async def slot(self) -> AsyncIterator[None]:
        self.entered += 1
        yield


@pytest.fixture
async def db(tmp_path: Path) -> AsyncIterator[Database]:
    database = await Database.open(tmp_path / "bot.db")
    try:
        yield database
    finally:
        await database.close()


def spy_joins(service: Analyzer) -> asyncio.Event:
    """An event set when a request starts waiting for an identical running analysis."""
    joining = asyncio.Event()
    pipeline = service.pipeline
    real = pipeline.joined

    async def joined(playlist, options):
        joining.set()
        return await real(playlist, options)

    pipeline.joined = joined  # type: ignore[method-assign]
    return joining


def analyzer(db: Database, source: CountingSource | None = None, **options) -> Analyzer:
    sources = {"deezer": source} if source is not None else {}
    pipeline = Pipeline(sources=sources, providers=[CountingProvider()], cache=db.cache)
    return Analyzer(pipeline, **options)


async def test_options_carry_the_configured_metadata_weight(db: Database) -> None:
    service = analyzer(db, metadata_weight=0.25)
    assert service.options(None) == AnalysisOptions(k=None, metadata_weight=0.25)
    assert service.options(4).k == 4


async def test_an_unchanged_upload_answers_from_the_cache_without_parsing_or_queueing(
    db: Database,
) -> None:
    data = EXPORT.read_bytes()
    service, gate = analyzer(db), Gate()
    first = await service.from_csv(data, "Mix", service.options(2), gate=gate.slot)
    assert not first.cached and gate.entered == 1
    assert first.analysis.track_count > 0
    # a restarted bot: nothing in memory, the cache on disk
    again = analyzer(db)
    with mock.patch(
        "bot.services.analyzer.parse_playlist_csv", side_effect=AssertionError("parsed")
    ):
        second = await again.from_csv(data, "Mix", again.options(2), gate=gate.slot)
    assert second.cached and second.key == first.key and gate.entered == 1
    assert [c.name for c in second.analysis.clusters] == [c.name for c in first.analysis.clusters]
    # one byte changed is another file: analysed anew
    changed = await again.from_csv(data + b"\n", "Mix", again.options(2), gate=gate.slot)
    assert changed.key != first.key and not changed.cached and gate.entered == 2


async def test_a_known_playlist_is_looked_up_once_and_served_without_the_line(
    db: Database,
) -> None:
    source = CountingSource(synthetic_playlist(30, source="deezer", playlist_id="1234"))
    service, gate = analyzer(db, source), Gate()
    calls = mock.AsyncMock(wraps=db.cache.get_analysis)
    with mock.patch.object(db.cache, "get_analysis", calls):
        first = await service.from_ref(REF, service.options(2), gate=gate.slot)
        assert calls.await_count == 1  # a miss costs one look-up, not two
        second = await service.from_ref(REF, service.options(2), gate=gate.slot)
    assert not first.cached and second.cached and second.key == first.key
    assert (source.fetches, gate.entered) == (1, 1)
    assert calls.await_count == 1  # the second answer came from memory


async def test_paging_reads_recent_analyses_from_memory_and_older_ones_from_the_cache(
    db: Database,
) -> None:
    source = CountingSource(synthetic_playlist(30, source="deezer", playlist_id="1234"))
    service = analyzer(db, source, memory=1)
    first = await service.from_ref(REF, service.options(2))
    second = await service.from_ref(REF, service.options(3))  # pushes the first out
    calls = mock.AsyncMock(wraps=db.cache.get_analysis)
    with mock.patch.object(db.cache, "get_analysis", calls):
        assert await service.require(second.key) is second.analysis
        assert calls.await_count == 0
        older = await service.require(first.key)
        assert calls.await_count == 1 and older.options.k == 2


async def test_an_analysis_gone_from_the_cache_says_so(db: Database) -> None:
    service = analyzer(db)
    with pytest.raises(AnalysisExpired, match="no longer cached"):
        await service.require("0" * 32)
    assert await service.load("0" * 32) is None


async def test_a_request_for_an_analysis_being_made_waits_for_it_instead_of_redoing_it(
    db: Database,
) -> None:
    source = CountingSource(synthetic_playlist(30, source="deezer", playlist_id="1234"))
    service = analyzer(db, source)
    await service.from_ref(REF, service.options(2))  # the playlist is now cached
    provider = service.pipeline.providers[0]
    release = asyncio.Event()
    started = asyncio.Event()
    real_enrich = provider.enrich

    async def slow_enrich(tracks, progress):
        started.set()
        await release.wait()
        return await real_enrich(tracks, progress)

    provider.enrich = slow_enrich  # type: ignore[method-assign]
    line = asyncio.Semaphore(1)  # one analysis at a time, as MAX_CONCURRENT_ANALYSES=1

    @asynccontextmanager
    async def slot() -> AsyncIterator[None]:
        async with line:
            yield

    first = asyncio.create_task(service.from_ref(REF, service.options(3), gate=slot))
    await asyncio.wait_for(started.wait(), 5)
    # the same request from someone else: not queued behind, not computed twice
    joining = spy_joins(service)
    second = asyncio.create_task(service.from_ref(REF, service.options(3), gate=slot))
    await asyncio.wait_for(joining.wait(), 5)
    assert not second.done()
    release.set()
    one, two = await asyncio.wait_for(asyncio.gather(first, second), 10)
    assert not one.cached and two.cached and two.key == one.key
    assert provider.calls == [30, 30]  # the first analysis (k=2) and this one, once


async def test_a_failed_analysis_is_not_shared_the_next_request_tries_again(
    db: Database,
) -> None:
    source = CountingSource(synthetic_playlist(30, source="deezer", playlist_id="1234"))
    service = analyzer(db, source)
    await service.from_ref(REF, service.options(2))
    provider = service.pipeline.providers[0]
    real_enrich = provider.enrich
    release = asyncio.Event()

    started = asyncio.Event()

    async def failing_enrich(tracks, progress):
        started.set()
        await release.wait()
        raise ProviderDown("ReccoBeats is not answering.")

    provider.enrich = failing_enrich  # type: ignore[method-assign]
    first = asyncio.create_task(service.from_ref(REF, service.options(3)))
    await asyncio.wait_for(started.wait(), 5)
    provider.enrich = real_enrich  # type: ignore[method-assign]
    joining = spy_joins(service)
    second = asyncio.create_task(service.from_ref(REF, service.options(3)))
    await asyncio.wait_for(joining.wait(), 5)
    release.set()
    with pytest.raises(ProviderDown):
        await first
    outcome = await asyncio.wait_for(second, 10)
    assert not outcome.cached and len(outcome.analysis.clusters) == 3



@dataclass
class BudgetedProvider(CountingProvider):
    """Leaves 2 tracks' lookups past its budget, as Deezer's tempo lookups in the bot,
    unless the analysis waits for every lookup (bot.patience: a weekly post); waits
    for ``release`` when it is given one."""

    release: asyncio.Event | None = None
    started: asyncio.Event = field(default_factory=asyncio.Event)

    async def enrich_bounded(self, tracks, progress) -> tuple[int, int]:
        self.started.set()
        if self.release is not None:
            await self.release.wait()
        await self.enrich(tracks, progress)
        return 0, 0 if waits_for_all() else 2

    def deferred_note(self, count: int) -> str:
        return f"{count} tracks not looked up within the budget."


async def test_a_weekly_post_takes_no_partial_answer_running_or_remembered(db: Database) -> None:
    """A member's answer at the budget is partial; a weekly post of the same playlist
    asked meanwhile (``complete``) neither joins it nor takes it from memory: it is
    made anew, waiting for every lookup, without the note, and replaces it in the cache."""
    source = CountingSource(synthetic_playlist(30, source="deezer", playlist_id="1234"))
    provider = BudgetedProvider()
    pipeline = Pipeline(sources={"deezer": source}, providers=[provider], cache=db.cache)
    service = Analyzer(pipeline)
    await service.from_ref(REF, service.options(2))  # the playlist is now cached
    provider.release, provider.started = asyncio.Event(), asyncio.Event()
    member = asyncio.create_task(service.from_ref(REF, service.options(3)))
    await asyncio.wait_for(provider.started.wait(), 5)
    joining = spy_joins(service)
    weekly = asyncio.create_task(service.from_ref(REF, service.options(3, complete=True)))
    await asyncio.wait_for(joining.wait(), 5)
    provider.release.set()
    partial, full = await asyncio.wait_for(asyncio.gather(member, weekly), 10)
    assert partial.analysis.partial and "within the budget" in partial.analysis.features.summary
    assert not full.cached and not full.analysis.partial and full.key == partial.key
    assert "within the budget" not in full.analysis.features.summary
    assert provider.calls == [30, 30, 30]  # the weekly post's own enrichment
    # a job's result read back (JobLine): a partial one in memory is not the full one
    service.remember(partial.key, partial.analysis)
    assert await service.load(partial.key) is partial.analysis  # paging: as it was
    loaded = await service.load(partial.key, complete=True)
    assert loaded is not None and not loaded.partial  # the full one, from the cache


async def test_a_worker_honours_the_wait_for_every_lookup_its_job_carries() -> None:
    """What a worker does with a job (``LocalLine.run`` of the request read off the
    wire): a weekly post's job waits for every lookup, a member's answers at the budget."""
    from bot.jobs.protocol import AnalysisRequest
    from bot.services.lines import LocalLine

    source = CountingSource(synthetic_playlist(30, source="deezer", playlist_id="1234"))
    pipeline = Pipeline(sources={"deezer": source}, providers=[BudgetedProvider()], cache=None)
    service = Analyzer(pipeline)
    worker = LocalLine(service, None, None)  # type: ignore[arg-type]  # (no links here)
    for complete in (False, True):
        sent = AnalysisRequest("ref", service.options(3, complete=complete), ref=REF)
        job = AnalysisRequest.from_wire(sent.to_wire(), max_bytes=10)
        outcome = await worker.run(job)
        assert outcome.analysis.partial is not complete
        summary = outcome.analysis.features.summary
        assert ("not looked up within the budget" in summary) is not complete
