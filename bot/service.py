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
from datetime import UTC, datetime
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

    async def get_analysis(self, key: str) -> Analysis | None: ...

    async def put_analysis(self, key: str, analysis: Analysis) -> None: ...

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
    """Runs analyses through the pipeline and keeps them in the cache for paging.

    ``key_for`` is storage's ``analysis_key``; recently used analyses are also kept
    in memory (``memory`` entries) so turning a page does not re-read the database.
    """

    def __init__(
        self,
        pipeline: Pipeline,
        cache: AnalysisCache,
        settings: Settings,
        key_for: Callable[[Playlist, AnalysisOptions], str],
        http: Any = None,
        memory: int = 16,
    ) -> None:
        self.pipeline = pipeline
        self.cache = cache
        self.settings = settings
        self.key_for = key_for
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
        key = self.key_for(probe, options)
        cached = await self.load(key)
        if cached is not None:
            return Outcome(key, cached, cached=True)
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
        request to its source.
        """
        ref = await resolve_link(text, self.http)
        playlist = await self._unchanged_playlist(ref)
        if playlist is not None:
            key = self.key_for(playlist, options)
            cached = await self.load(key)
            if cached is not None:
                return Outcome(key, cached, cached=True)
        async with gate():
            if playlist is None:
                playlist = await self.pipeline.fetch(ref, progress)
            outcome = await self.from_playlist(playlist, options, progress)
        await self.cache.put_playlist(playlist)
        return outcome

    async def _unchanged_playlist(self, ref: PlaylistRef) -> Playlist | None:
        """The cached playlist behind ``ref`` if it is known to be unchanged, else None."""
        found = await self.cache.get_playlist(ref)
        if found is None:
            return None
        playlist, fetched_at = found
        age = (datetime.now(UTC) - fetched_at).total_seconds()
        if age < self.settings.freshness_seconds:
            return playlist
        source = self.pipeline.sources.get(ref.source)
        snapshot = getattr(source, "snapshot", None)
        if snapshot is None:
            return None
        if await snapshot(ref) != playlist.snapshot:
            return None
        await self.cache.mark_fresh(ref)
        return playlist

    async def from_playlist(
        self,
        playlist: Playlist,
        options: AnalysisOptions,
        progress: ProgressCallback = no_progress,
        gate: Callable[[], AbstractAsyncContextManager[None]] = _open_gate,
    ) -> Outcome:
        """Analyse a fetched playlist unless the same snapshot + options is cached."""
        key = self.key_for(playlist, options)
        cached = await self.load(key)
        if cached is not None:
            return Outcome(key, cached, cached=True)
        async with gate():
            analysis = await self.pipeline.analyze(playlist, options, progress)
        await self.cache.put_analysis(key, analysis)
        self._remember(key, analysis)
        return Outcome(key, analysis, cached=False)

    async def load(self, key: str) -> Analysis | None:
        """The analysis stored under ``key``, from memory or the cache."""
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

    def _remember(self, key: str, analysis: Analysis) -> None:
        self._memory[key] = analysis
        self._memory.move_to_end(key)
        while len(self._memory) > self._memory_size:
            self._memory.popitem(last=False)
