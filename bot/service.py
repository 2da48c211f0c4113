"""The bot's analysis service: input -> (cache key, analysis), cached in storage.

The cogs call this and nothing else for analyses, so the Discord glue holds no
business logic and a schedule (or any other caller) gets the same caching. CPU
work (parsing a large CSV, clustering) runs in worker threads.
"""

from __future__ import annotations

import asyncio
from collections import OrderedDict
from contextlib import AbstractAsyncContextManager, nullcontext
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any, Protocol

from bot.config import Settings
from bot.errors import UserError
from bot.links import resolve_link
from bot.model import (
    Analysis,
    AnalysisOptions,
    Playlist,
    PlaylistRef,
    ProgressCallback,
    no_progress,
)
from bot.pipeline import Pipeline
from bot.sources.csvfile import content_snapshot, parse_playlist_csv

if TYPE_CHECKING:
    from collections.abc import Callable


def _open_gate() -> AbstractAsyncContextManager[None]:
    return nullcontext()


class AnalysisExpired(UserError):
    """A paged message whose analysis is no longer in the cache."""

    def __init__(self) -> None:
        super().__init__(
            "This analysis is no longer cached; run /clusters again to page through it."
        )


class AnalysisCache(Protocol):
    """The part of storage's CacheRepository the service uses."""

    async def get_analysis(self, key: str, *, variant: str | None = None) -> Analysis | None: ...

    async def get_playlist(self, ref: PlaylistRef) -> tuple[Playlist, datetime] | None: ...

    async def put_playlist(self, playlist: Playlist) -> None: ...

    async def mark_fresh(self, ref: PlaylistRef) -> None: ...


@dataclass(slots=True)
class Outcome:
    """An analysis, its cache key, and whether it came straight from the cache."""

    key: str
    analysis: Analysis
    cached: bool


class Analyzer:
    """Runs analyses through the pipeline (which caches them) and serves them for paging.

    The pipeline must carry the cache (``Pipeline.cache``); its ``cache_key`` names
    each analysis. Recently used analyses are also kept in memory (``memory``
    entries) so turning a page does not re-read the database.
    """

    def __init__(
        self,
        pipeline: Pipeline,
        cache: AnalysisCache,
        settings: Settings,
        http: Any = None,
        memory: int = 16,
    ) -> None:
        self.pipeline = pipeline
        self.cache = cache
        self.settings = settings
        self.http = http
        self._memory: OrderedDict[str, Analysis] = OrderedDict()
        self._memory_size = memory

    def options(self, clusters: int | None) -> AnalysisOptions:
        """The analysis options for a request asking for ``clusters`` (None = automatic)."""
        return AnalysisOptions(k=clusters, metadata_weight=self.settings.metadata_weight)

    async def from_csv(
        self,
        data: bytes,
        name: str,
        options: AnalysisOptions,
        progress: ProgressCallback = no_progress,
        gate: Callable[[], AbstractAsyncContextManager[None]] = _open_gate,
    ) -> Outcome:
        """Analyse a CSV export given as bytes; an unchanged file answers from the cache.

        ``gate`` is entered around the expensive part only (e.g. a slot in the
        analysis line), so a cached answer never waits behind other analyses.
        """
        # The cache key needs only the file's digest: an unchanged file is answered
        # without parsing it again.
        snapshot = await asyncio.to_thread(content_snapshot, data)
        probe = Playlist(ref=PlaylistRef("csv", name), name=name, tracks=[], snapshot=snapshot)
        found = await self._cached(probe, options)
        if found is not None:
            return found
        progress("Reading the file", 0, 0)
        playlist = await asyncio.to_thread(
            parse_playlist_csv,
            data,
            name=name,
            ref_id=name,
            max_rows=self.settings.csv_max_rows,
            max_bytes=self.settings.csv_max_bytes,
        )
        return await self.from_playlist(playlist, options, progress, gate)

    async def from_link(
        self,
        text: str,
        options: AnalysisOptions,
        progress: ProgressCallback = no_progress,
        gate: Callable[[], AbstractAsyncContextManager[None]] = _open_gate,
    ) -> Outcome:
        """Analyse the playlist behind a link (short links are resolved first).

        An unchanged playlist whose analysis is cached answers without waiting in
        line and without asking any provider: a cached playlist younger than
        ``FRESHNESS_SECONDS`` is trusted as is, an older one costs one cheap snapshot
        request to its source (the pipeline's own rule, checked before queueing).
        """
        ref = await resolve_link(text, self.http)
        return await self.from_ref(ref, options, progress, gate)

    async def from_ref(
        self,
        ref: PlaylistRef,
        options: AnalysisOptions,
        progress: ProgressCallback = no_progress,
        gate: Callable[[], AbstractAsyncContextManager[None]] = _open_gate,
    ) -> Outcome:
        """Like :meth:`from_link` for a known playlist (e.g. a weekly schedule's)."""
        playlist = await self.pipeline.cached_playlist(ref)
        if playlist is not None:
            found = await self._cached(playlist, options)
            if found is not None:
                return found
        async with gate():
            fetched = playlist is None
            if playlist is None:
                playlist = await self.pipeline.fetch(ref, progress)
            outcome = await self.from_playlist(playlist, options, progress)
        if fetched:
            await self.pipeline.store_playlist(outcome.analysis.playlist)
        return outcome

    async def from_playlist(
        self,
        playlist: Playlist,
        options: AnalysisOptions,
        progress: ProgressCallback = no_progress,
        gate: Callable[[], AbstractAsyncContextManager[None]] = _open_gate,
    ) -> Outcome:
        """Analyse a fetched playlist unless the same snapshot + options is cached."""
        found = await self._cached(playlist, options)
        if found is not None:
            return found
        async with gate():
            analysis = await self.pipeline.analyze(playlist, options, progress)  # and caches it
        key = self.pipeline.cache_key(playlist, options)
        self._remember(key, analysis)
        return Outcome(key, analysis, cached=False)

    async def _cached(self, playlist: Playlist, options: AnalysisOptions) -> Outcome | None:
        """The cached analysis of this snapshot + options made by this pipeline, if any."""
        key = self.pipeline.cache_key(playlist, options)
        found = self._memory.get(key)
        if found is None:
            found = await self.cache.get_analysis(key, variant=self.pipeline.cache_variant)
        if found is None:
            return None
        self._remember(key, found)
        return Outcome(key, found, cached=True)

    async def load(self, key: str) -> Analysis | None:
        """The analysis stored under ``key`` (whatever made it), from memory or the cache."""
        found = self._memory.get(key)
        if found is not None:
            self._memory.move_to_end(key)
            return found
        found = await self.cache.get_analysis(key)
        if found is not None:
            self._remember(key, found)
        return found

    async def require(self, key: str) -> Analysis:
        """Like :meth:`load`, raising :class:`AnalysisExpired` when it is gone."""
        found = await self.load(key)
        if found is None:
            raise AnalysisExpired()
        return found

    def remember(self, key: str, analysis: Analysis) -> None:
        """Keep ``analysis`` (stored under ``key`` elsewhere) in memory for paging."""
        self._remember(key, analysis)

    def _remember(self, key: str, analysis: Analysis) -> None:
        self._memory[key] = analysis
        self._memory.move_to_end(key)
        while len(self._memory) > self._memory_size:
            self._memory.popitem(last=False)
