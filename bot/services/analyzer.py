"""The bot's analysis service: what the cogs ask for analyses, on top of the pipeline.

The pipeline owns caching (:meth:`bot.pipeline.runner.Pipeline.outcome`); this service
adds what is Discord-side: the options a request means, the gate a command waits
in (the analysis line), CSV uploads given as bytes, and an in-memory LRU of recent
analyses so turning a page does not re-read the database. CPU work (parsing a
large CSV, clustering) runs in worker threads. No discord import here.
"""

from __future__ import annotations

import asyncio
from collections import OrderedDict
from typing import TYPE_CHECKING

from bot.errors import UserError
from bot.locales import N_
from bot.model import (
    Analysis,
    AnalysisOptions,
    Playlist,
    PlaylistRef,
    ProgressCallback,
    no_progress,
)
from bot.net.links import resolve_link
from bot.pipeline.runner import Gate, Outcome, Pipeline, open_gate
from bot.sources.csvfile import content_snapshot, parse_playlist_csv

if TYPE_CHECKING:
    from bot.net.client import HttpClient

__all__ = ["AnalysisExpired", "Analyzer", "Outcome"]


class AnalysisExpired(UserError):
    """A paged message whose analysis is no longer in the cache."""

    def __init__(self) -> None:
        super().__init__(
            N_("This analysis is no longer cached; run /clusters again to page through it.")
        )


class Analyzer:
    """Serves the cogs' analyses through the pipeline, keeping recent ones in memory.

    ``metadata_weight`` goes into every request's options; ``csv_max_rows`` and
    ``csv_max_bytes`` bound uploads; ``http`` resolves short links; ``memory`` is
    how many recent analyses are kept in memory for paging.
    """

    def __init__(
        self,
        pipeline: Pipeline,
        *,
        metadata_weight: float = 0.5,
        csv_max_rows: int = 10_000,
        csv_max_bytes: int = 5_000_000,
        http: HttpClient | None = None,
        memory: int = 16,
    ) -> None:
        self.pipeline = pipeline
        self.metadata_weight = metadata_weight
        self.csv_max_rows = csv_max_rows
        self.csv_max_bytes = csv_max_bytes
        self.http = http
        self._memory: OrderedDict[str, Analysis] = OrderedDict()
        self._memory_size = memory

    def options(self, clusters: int | None, *, complete: bool = False) -> AnalysisOptions:
        """The analysis options for a request asking for ``clusters`` (None = automatic);
        ``complete``: wait for every lookup (a weekly post, which nobody waits on)."""
        return AnalysisOptions(
            k=clusters, metadata_weight=self.metadata_weight, complete=complete
        )

    async def from_csv(
        self,
        data: bytes,
        name: str,
        options: AnalysisOptions,
        progress: ProgressCallback = no_progress,
        gate: Gate = open_gate,
    ) -> Outcome:
        """Analyse a CSV export given as bytes; an unchanged file answers from the cache.

        ``gate`` is entered around the expensive part only (e.g. a slot in the
        analysis line), so a cached answer never waits behind other analyses.
        """
        found = await self.cached_csv(data, name, options)
        if found is not None:
            return found
        progress("Reading the file", 0, 0)
        playlist = await asyncio.to_thread(
            parse_playlist_csv,
            data,
            name=name,
            ref_id=name,
            max_rows=self.csv_max_rows,
            max_bytes=self.csv_max_bytes,
        )
        async with gate():
            return self._keep(await self.pipeline.analyze_new(playlist, options, progress))

    async def cached_csv(self, data: bytes, name: str, options: AnalysisOptions) -> Outcome | None:
        """The cached analysis of this exact file and options, or None (nothing parsed).

        The cache key needs only the file's digest, so an unchanged file is answered
        without parsing it again; an identical file being analysed now is waited for.
        """
        snapshot = await asyncio.to_thread(content_snapshot, data)
        probe = Playlist(ref=PlaylistRef("csv", name), name=name, tracks=[], snapshot=snapshot)
        found = await self.pipeline.find(probe, options, self._recall)
        if found is None:
            found = await self.pipeline.joined(probe, options)  # the same file, running now
        return None if found is None else self._keep(found)

    async def from_link(
        self,
        text: str,
        options: AnalysisOptions,
        progress: ProgressCallback = no_progress,
        gate: Gate = open_gate,
    ) -> Outcome:
        """Analyse the playlist behind a link (short links are resolved first).

        An unchanged playlist whose analysis is cached answers without waiting in
        line and without asking any provider (the pipeline's rule:
        :meth:`~bot.pipeline.runner.Pipeline.outcome`).
        """
        ref = await resolve_link(text, self.http)
        return await self.from_ref(ref, options, progress, gate)

    async def from_ref(
        self,
        ref: PlaylistRef,
        options: AnalysisOptions,
        progress: ProgressCallback = no_progress,
        gate: Gate = open_gate,
    ) -> Outcome:
        """Like :meth:`from_link` for a known playlist (e.g. a weekly schedule's)."""
        return self._keep(await self.pipeline.outcome(ref, options, progress, gate, self._recall))

    async def from_playlist(
        self,
        playlist: Playlist,
        options: AnalysisOptions,
        progress: ProgressCallback = no_progress,
        gate: Gate = open_gate,
    ) -> Outcome:
        """Analyse a fetched playlist unless the same snapshot + options is cached."""
        return self._keep(
            await self.pipeline.outcome(playlist, options, progress, gate, self._recall)
        )

    async def load(self, key: str, *, complete: bool = False) -> Analysis | None:
        """The analysis stored under ``key`` (whatever made it), from memory or the cache;
        ``complete``: not a partial one from memory (a worker just stored the full one)."""
        found = self._recall(key)
        if found is not None and complete and found.partial:
            found = None
        if found is None:
            found = await self.pipeline.stored(key)
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

    def _recall(self, key: str) -> Analysis | None:
        """A recent analysis from memory (marked as just used), or None."""
        found = self._memory.get(key)
        if found is not None:
            self._memory.move_to_end(key)
        return found

    def _keep(self, outcome: Outcome) -> Outcome:
        self._remember(outcome.key, outcome.analysis)
        return outcome

    def _remember(self, key: str, analysis: Analysis) -> None:
        self._memory[key] = analysis
        self._memory.move_to_end(key)
        while len(self._memory) > self._memory_size:
            self._memory.popitem(last=False)
