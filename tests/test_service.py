"""The bot's analysis service (bot/service.py) on a real pipeline and a real SQLite cache.

What a user notices: an unchanged upload or playlist answers at once (no waiting in
line, no provider asked, the file not even parsed again), turning pages of a recent
analysis never waits for the database, and an analysis gone from the cache says so
in a sentence. The CSV is a real Exportify export (see tests/data/exports/README.md).
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from unittest import mock

import pytest

from bot.model import AnalysisOptions, PlaylistRef
from bot.pipeline import Pipeline
from bot.service import AnalysisExpired, Analyzer
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
    with mock.patch("bot.service.parse_playlist_csv", side_effect=AssertionError("parsed")):
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
