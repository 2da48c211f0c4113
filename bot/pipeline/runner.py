"""ref -> playlist -> features -> clustering -> rendered result, with progress.

The one place that strings the layers together, used by the CLI and the cogs alike.
CPU work (scikit-learn, matplotlib) runs in a worker thread, never on the event loop.

The pipeline is the one owner of caching analyses. With a cache
(:class:`storage.cache.CacheRepository`), a repeated request for an unchanged
playlist is answered from it: the playlist is reused while younger than
``freshness_seconds``, or after the source's cheap ``snapshot`` check says it has
not changed, and the analysis is reused for the same snapshot and options
(:meth:`Pipeline.outcome`, looked up once per playlist snapshot). A failed cache
write (:class:`storage.errors.StorageError`) only logs: the answer is ready.
"""

from __future__ import annotations

import asyncio
import inspect
import logging
from collections.abc import Callable, Mapping, Sequence
from contextlib import AbstractAsyncContextManager, nullcontext
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from bot.analysis.unheard import can_place_by_sound, skipped_lookups_note
from bot.errors import BadInput
from bot.features import (
    BudgetedProvider,
    FeatureProvider,
    NotingProvider,
    VersionedProvider,
)
from bot.features.stream import FeatureStream, prefetching_provider, streaming_providers
from bot.model import (
    Analysis,
    AnalysisOptions,
    Playlist,
    PlaylistRef,
    ProgressCallback,
    analysis_key,
    no_progress,
)
from bot.patience import waiting_for_all
from bot.sources import NOT_AVAILABLE, PlaylistSource, SnapshotSource
from storage.errors import StorageError

if TYPE_CHECKING:
    from bot.pipeline.compute import compute_analysis, describe_features, draw
    from storage.cache import CacheRepository

#: Entered around the expensive part of an analysis (fetch, enrich, cluster), e.g. a
#: slot in the bot's analysis line; a cached answer never enters it.
Gate = Callable[[], AbstractAsyncContextManager[None]]
#: An in-memory look-up by cache key, tried before the cache (the bot's recent analyses).
Recall = Callable[[str], "Analysis | None"]

log = logging.getLogger(__name__)

__all__ = ["Gate", "Outcome", "Pipeline", "Recall", "compute_analysis", "describe_features"]
__all__ += ["draw", "open_gate"]


def __getattr__(name: str) -> object:
    """Re-exports of :mod:`bot.pipeline.compute` (scikit-learn, scipy, matplotlib: about
    a second to import), loaded on first use so that a fetch can start without them."""
    if name in ("compute_analysis", "describe_features", "draw"):
        from bot.pipeline import compute

        return getattr(compute, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def _analysis(playlist: Playlist, options: AnalysisOptions, **kw: int) -> Analysis:
    """``compute_analysis``, imported in the worker thread, never on the event loop."""
    from bot.pipeline.compute import compute_analysis

    return compute_analysis(playlist, options, **kw)


def open_gate() -> AbstractAsyncContextManager[None]:
    """The default :data:`Gate`: nothing to wait for."""
    return nullcontext()


@dataclass(slots=True)
class Outcome:
    """An analysis, its cache key, and whether it came from a cache (nothing computed)."""

    key: str
    analysis: Analysis
    cached: bool


@dataclass
class Pipeline:
    """Fetches, enriches and analyses playlists with the configured sources and providers.

    ``cache`` (optional) serves repeated requests; ``freshness_seconds`` is how long a
    cached playlist is trusted without asking its source for the current snapshot.
    """

    sources: Mapping[str, PlaylistSource] = field(default_factory=dict)
    providers: Sequence[FeatureProvider] = ()
    k_min: int = 2
    k_max: int = 12
    random_state: int = 0
    cache: CacheRepository | None = None
    freshness_seconds: float = 600.0
    #: Batches of feature lookups in flight per provider while pages arrive.
    concurrency: int = 8
    #: Analyses being computed right now, by cache key: an identical request joins one
    #: (:meth:`joined`) instead of computing it again (None: it failed, compute anew).
    _running: dict[str, asyncio.Future[Analysis | None]] = field(
        default_factory=dict, init=False, repr=False
    )

    @property
    def cache_variant(self) -> str:
        """What besides playlist and options shapes an analysis: providers, k range, seed."""
        providers = ",".join(
            f"{p.name}/{p.version if isinstance(p, VersionedProvider) else ''}"
            for p in self.providers
        )
        return f"providers={providers};k={self.k_min}-{self.k_max};seed={self.random_state}"

    def cache_key(self, playlist: Playlist, options: AnalysisOptions) -> str:
        """The analysis cache key (:func:`bot.model.analysis_key`)."""
        return analysis_key(playlist, options)

    async def fetch(self, ref: PlaylistRef, progress: ProgressCallback = no_progress) -> Playlist:
        """The playlist behind ``ref`` from its source."""
        source = self.sources.get(ref.source)
        if source is None:
            raise BadInput(NOT_AVAILABLE, source=ref.source.capitalize())
        leading = streaming_providers(self.providers)
        if not leading or "on_tracks" not in inspect.signature(source.fetch).parameters:
            return await source.fetch(ref, progress)
        # Feature lookups start with the first page instead of after the last one.
        tail = prefetching_provider(self.providers, len(leading))
        stream = FeatureStream(leading, self.concurrency, tail=tail)
        complete: Playlist | None = None
        try:
            playlist = await source.fetch(ref, progress, on_tracks=stream.add)  # type: ignore[call-arg]
            await stream.finish(progress)
            complete = playlist
        finally:
            stream.cancel()
            # prefetches the enrichment will not wait for stop here (all, on a failure)
            stream.settle(None if complete is None else complete.tracks)
        playlist.enriched_by = stream.names
        return playlist

    async def cached_playlist(self, ref: PlaylistRef) -> Playlist | None:
        """The cached playlist behind ``ref`` while it is known to be unchanged, else None.

        A cached playlist is trusted while younger than ``freshness_seconds``; after that,
        while the source's cheap ``snapshot(ref)`` (when it has one) still matches it.
        """
        if self.cache is None:
            return None
        found = await self.cache.get_playlist(ref)
        if found is None:
            return None
        playlist, fetched_at = found
        age = (datetime.now(UTC) - fetched_at).total_seconds()
        if 0 <= age < self.freshness_seconds:
            return playlist
        source = self.sources.get(ref.source)
        if not isinstance(source, SnapshotSource):
            return None
        if await source.snapshot(ref) != playlist.snapshot:
            return None
        await self.cache.mark_fresh(ref)
        return playlist

    async def load(
        self, ref: PlaylistRef, progress: ProgressCallback = no_progress
    ) -> tuple[Playlist, bool]:
        """The playlist behind ``ref`` and whether it was fetched (False: from the cache)."""
        playlist = await self.cached_playlist(ref)
        if playlist is not None:
            return playlist, False
        return await self.fetch(ref, progress), True

    async def store_playlist(self, playlist: Playlist) -> None:
        """Cache a freshly fetched playlist, after analysis so its tracks carry their
        features; a failure to write only logs (the answer is ready, it must not be lost)."""
        if self.cache is None:
            return
        try:
            await self.cache.put_playlist(playlist)
        except StorageError:
            log.warning("could not cache the playlist %s", playlist.ref, exc_info=True)

    async def stored(self, key: str) -> Analysis | None:
        """The analysis cached under ``key`` whatever variant made it (e.g. to page it)."""
        if self.cache is None:
            return None
        return await self.cache.get_analysis(key)

    async def find(
        self, playlist: Playlist, options: AnalysisOptions, recall: Recall | None = None
    ) -> Outcome | None:
        """The analysis of this snapshot + options made by this variant, if cached.

        ``recall`` (the caller's memory) is asked first, then the cache. ``playlist``
        needs only its ref, name and snapshot (its tracks are not read).
        """
        key = self.cache_key(playlist, options)
        found = recall(key) if recall is not None else None
        found = None if found is not None and found.partial else found  # fuller now
        if found is None and self.cache is not None:
            found = await self.cache.get_analysis(key, variant=self.cache_variant)
        return None if found is None else Outcome(key, found, cached=True)

    async def enrich(
        self, playlist: Playlist, progress: ProgressCallback = no_progress
    ) -> list[str]:
        """Ask each provider, in order, for the features the tracks still lack.

        Providers that already ran while the pages arrived (``playlist.enriched_by``)
        are not asked again: the tracks they lack are the ones they do not know.
        Returns the notes for the user: the providers' own ("3 previews could not be
        analysed (…)."; a provider may offer one as ``last_note``, read right after its
        ``enrich`` returns so that concurrent analyses never swap notes), then what a
        provider with a time budget (``enrich_bounded``) left past it."""
        notes, deferred, _ = await self._enrich(playlist, progress)
        return notes + deferred

    async def _enrich(
        self, playlist: Playlist, progress: ProgressCallback
    ) -> tuple[list[str], list[str], bool]:
        """(providers' notes, sentences on lookups not made, whether some went past a budget)."""
        notes, deferred, partial = [], [], False  # type: tuple[list[str], list[str], bool]
        for provider in self.providers:
            if provider.name in playlist.enriched_by:
                continue
            width = getattr(provider, "width", None)
            if isinstance(width, int) and not can_place_by_sound(playlist.tracks, width):
                # too few columns to place any track by sound: nobody waits for them
                if missing := sum(1 for t in playlist.tracks if not t.audio):
                    deferred.append(skipped_lookups_note(provider.name, width, missing))
                continue
            if isinstance(provider, BudgetedProvider):
                _, left = await provider.enrich_bounded(playlist.tracks, progress)
                if left:
                    deferred.append(provider.deferred_note(left))
                    partial = True
            else:
                await provider.enrich(playlist.tracks, progress)
            if isinstance(provider, NotingProvider) and provider.last_note:
                notes.append(provider.last_note)
        return notes, deferred, partial

    async def analyze_new(
        self,
        playlist: Playlist,
        options: AnalysisOptions,
        progress: ProgressCallback = no_progress,
    ) -> Outcome:
        """Enrich and analyse ``playlist`` without looking in the cache, then cache it.

        For callers that just missed the cache (:meth:`find`); the CPU part runs in a
        worker thread. The analysis is stored under :meth:`cache_key` and this variant
        (:attr:`cache_variant`); a failed write only logs. While it runs, identical
        requests wait for it (:meth:`joined`) rather than computing it again.
        """
        key = self.cache_key(playlist, options)
        running: asyncio.Future[Analysis | None] = asyncio.get_running_loop().create_future()
        self._running.setdefault(key, running)
        analysis: Analysis | None = None
        try:
            with waiting_for_all(options.complete):
                outcome = await self._compute(key, playlist, options, progress)
            analysis = outcome.analysis
            return outcome
        finally:
            if self._running.get(key) is running:
                del self._running[key]
            running.set_result(analysis)  # None (it failed): a waiter computes it itself

    async def joined(self, playlist: Playlist, options: AnalysisOptions) -> Outcome | None:
        """The analysis of an identical request being computed now, once it is done
        (None when it failed, or came out partial and ``options.complete`` wants more)."""
        key = self.cache_key(playlist, options)
        running = self._running.get(key)
        if running is None:
            return None
        found = await asyncio.shield(running)
        if found is None or (found.partial and options.complete):
            return None
        return Outcome(key, found, cached=True)

    async def _compute(
        self, key: str, playlist: Playlist, options: AnalysisOptions, progress: ProgressCallback
    ) -> Outcome:
        notes, deferred, partial = await self._enrich(playlist, progress)
        progress("Clustering", 0, 1)
        outcome = await self.recluster(playlist, options, key=key)
        progress("Clustering", 1, 1)
        analysis = outcome.analysis
        analysis.note = " ".join(part for part in (analysis.note, *notes) if part)
        if deferred:
            analysis.features.summary = " ".join([analysis.features.summary, *deferred])
        analysis.partial = partial or playlist.match_pending > 0  # a fuller answer is coming
        await self._store(key, analysis)
        return outcome

    async def recluster(
        self, playlist: Playlist, options: AnalysisOptions, *, key: str | None = None
    ) -> Outcome:
        """Cluster ``playlist`` as its tracks are (no provider asked) and cache the result.

        For tracks that already carry their features (e.g. another cluster count of a
        cached analysis); without ``key`` the result is cached at once under its own.
        """
        analysis = await asyncio.to_thread(
            _analysis,
            playlist,
            options,
            k_min=self.k_min,
            k_max=self.k_max,
            random_state=self.random_state,
        )
        if key is None:
            key = self.cache_key(playlist, options)
            analysis.partial = playlist.match_pending > 0
            await self._store(key, analysis)
        return Outcome(key, analysis, cached=False)

    async def _store(self, key: str, analysis: Analysis) -> None:
        """Cache ``analysis`` under :attr:`cache_variant`, or ``;partial`` after it when
        lookups went on past a time budget (kept for paging, never reused: the next
        request gets a fuller answer); a failed write only logs (the answer is ready)."""
        if self.cache is None:
            return
        variant = self.cache_variant + ";partial" * analysis.partial
        try:
            await self.cache.put_analysis(key, analysis, variant=variant)
        except StorageError:
            log.warning("could not cache the analysis of %s", analysis.playlist.ref, exc_info=True)

    async def outcome(
        self,
        source: PlaylistRef | Playlist,
        options: AnalysisOptions,
        progress: ProgressCallback = no_progress,
        gate: Gate = open_gate,
        recall: Recall | None = None,
    ) -> Outcome:
        """The analysis of a playlist (given, or behind a ref), from the cache when unchanged.

        A cached playlist (:meth:`cached_playlist`) and its cached analysis answer
        without entering ``gate``; otherwise the playlist is fetched and analysed inside
        it, and a freshly fetched playlist is cached afterwards. With
        ``options.complete`` every lookup is waited for, whatever the time budgets.
        """
        playlist = source if isinstance(source, Playlist) else await self.cached_playlist(source)
        found = None if playlist is None else await self.find(playlist, options, recall)
        if found is None and playlist is not None:
            found = await self.joined(playlist, options)  # the same analysis, running now
        fetched = playlist is None
        if found is None:
            async with gate():
                if playlist is None:
                    assert isinstance(source, PlaylistRef)
                    with waiting_for_all(options.complete):  # (analyze_new: likewise)
                        playlist = await self.fetch(source, progress)
                    found = await self.find(playlist, options, recall)  # a new snapshot
                if found is None:
                    found = await self.analyze_new(playlist, options, progress)
        if fetched and not found.analysis.playlist.match_pending:  # else: read again next time
            await self.store_playlist(found.analysis.playlist)
        return found

    async def analyze(
        self,
        playlist: Playlist,
        options: AnalysisOptions,
        progress: ProgressCallback = no_progress,
    ) -> Analysis:
        """The analysis of ``playlist``: cached (same snapshot, options and variant) or new."""
        return _announced(await self.outcome(playlist, options, progress), progress)

    async def run(
        self, ref: PlaylistRef, options: AnalysisOptions, progress: ProgressCallback = no_progress
    ) -> Analysis:
        """Fetch (or reuse) and analyse the playlist behind ``ref``."""
        return _announced(await self.outcome(ref, options, progress), progress)


def _announced(outcome: Outcome, progress: ProgressCallback) -> Analysis:
    """The analysis, telling a progress display (the CLI's bar) when it came from a cache
    (the bot's answers do not: a cached answer is sent at once, an edit would delay it)."""
    if outcome.cached:
        progress("Loaded from cache", 1, 1)
    return outcome.analysis
