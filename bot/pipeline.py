"""ref -> playlist -> features -> clustering -> rendered result, with progress.

The one place that strings the layers together, used by the CLI and the cogs alike.
CPU work (scikit-learn, matplotlib) runs in a worker thread, never on the event loop.

With a cache (:class:`storage.cache.CacheRepository`), a repeated request for an
unchanged playlist is answered from it: the playlist is reused while younger than
``freshness_seconds``, or after the source's cheap ``snapshot`` check says it has
not changed, and the analysis is reused for the same snapshot and options.
"""

from __future__ import annotations

import asyncio
import functools
import inspect
import logging
import sqlite3
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from bot.analysis.clustering import cluster_tracks
from bot.analysis.features import build_feature_table
from bot.analysis.naming import cluster_traits, name_clusters
from bot.analysis.projection import project_2d
from bot.errors import BadInput
from bot.features import FeatureProvider
from bot.features.stream import FeatureStream, streaming_providers
from bot.model import (
    Analysis,
    AnalysisOptions,
    Cluster,
    FeatureInfo,
    FeatureTable,
    Playlist,
    PlaylistRef,
    ProgressCallback,
    Track,
    no_progress,
)
from bot.render.scatter import legend_entries, render_scatter
from bot.sources import PlaylistSource
from storage.cache import analysis_key

if TYPE_CHECKING:
    from storage.cache import CacheRepository

log = logging.getLogger(__name__)

FAMILY_WORDS = {
    "provider": "audio features",
    "preview": "features from preview audio",
    "metadata": "metadata only",
}
PROVIDER_NAMES = {
    "csv": "from the file",
    "spotify": "Spotify",
    "reccobeats": "ReccoBeats",
    "deezer": "Deezer",
    "preview analysis": "preview analysis",
}
#: Providers that fill only some of the audio columns, and which.
PARTIAL_PROVIDERS = {"deezer": "tempo and loudness only"}


class _Token:
    """Identifies one fetch's prefetches (weakly referenced by the provider)."""


def _track_sort_key(track: Track) -> tuple[str, int, str]:
    """Tables list tracks by first artist, then release year, then title (as the reference)."""
    artist = track.artists[0].casefold() if track.artists else "\uffff"
    return (artist, track.release_year or 9999, track.title.casefold())


def _by_provider(providers: Mapping[str, int]) -> str:
    """'ReccoBeats 60, Deezer 15 with tempo and loudness only' (no counts for just one)."""
    return ", ".join(
        f"{PROVIDER_NAMES.get(name, name)}"
        + (f" {count:,}" if len(providers) > 1 else "")
        + (f" with {PARTIAL_PROVIDERS[name]}" if name in PARTIAL_PROVIDERS else "")
        for name, count in sorted(providers.items(), key=lambda kv: -kv[1])
    )


def describe_features(
    table: FeatureTable, total: int, tracks: Sequence[Track] | None = None
) -> str:
    """'30 of 30 tracks had audio features (from the file)' style summary.

    When metadata leads, ``tracks`` (optional) lets it still say how many tracks had
    which audio features, too few to lead.
    """
    if table.family == "metadata":
        have = Counter(t.audio_provider or "unknown" for t in tracks or () if t.audio)
        have.update("preview analysis" for t in tracks or () if t.preview_features)
        if not have:
            return (
                f"Clustered on metadata only (no audio features for most of the {total:,} tracks)."
            )
        covered = sum(1 for t in tracks or () if t.audio or t.preview_features)
        return (
            f"Clustered on metadata only: {covered:,} of {total:,} tracks had audio "
            f"features ({_by_provider(have)}), too few to lead."
        )
    sources = _by_provider(table.providers)
    return f"{table.coverage:,} of {total:,} tracks had {FAMILY_WORDS[table.family]} ({sources})."


def compute_analysis(
    playlist: Playlist,
    options: AnalysisOptions,
    *,
    k_min: int = 2,
    k_max: int = 12,
    random_state: int = 0,
    render_png: bool = True,
) -> Analysis:
    """Cluster, name, project and draw ``playlist``. CPU-bound: call it from a thread."""
    table = build_feature_table(playlist.tracks, metadata_weight=options.metadata_weight)
    clustering = cluster_tracks(
        table.matrix,
        k=options.k,
        k_min=k_min,
        k_max=k_max,
        random_state=random_state,
        lead_columns=table.lead_columns,
    )
    labels = clustering.labels
    traits = cluster_traits(table.scaled, table.columns, labels, table.spread)
    names = name_clusters(traits) if clustering.k > 1 else ["the whole playlist"]
    clusters = [
        Cluster(
            number=c + 1,
            name=names[c],
            tracks=sorted(
                (t for t, label in zip(playlist.tracks, labels, strict=True) if label == c),
                key=_track_sort_key,
            ),
            traits=traits[c] if c < len(traits) else [],
        )
        for c in range(clustering.k)
    ]
    projection = project_2d(table.matrix, table.columns, random_state)
    info = FeatureInfo(
        family=table.family,
        columns=table.columns,
        coverage=table.coverage,
        providers=table.providers,
        dropped=table.dropped,
        summary=describe_features(table, len(playlist.tracks), playlist.tracks),
    )
    analysis = Analysis(
        playlist=playlist,
        clusters=clusters,
        labels=[int(x) for x in labels],
        points=projection.points,
        x_label=projection.x_label,
        y_label=projection.y_label,
        features=info,
        options=options,
        silhouette=clustering.silhouette,
        note=clustering.note,
    )
    if render_png:
        analysis.png = draw(analysis)
    return analysis


def draw(analysis: Analysis) -> bytes:
    """The scatter PNG of an analysis."""
    return render_scatter(
        analysis.points,
        analysis.labels,
        legend_entries(
            [c.number for c in analysis.clusters],
            [c.name for c in analysis.clusters],
            [c.size for c in analysis.clusters],
        ),
        title=f"Clusters in {analysis.playlist.name}",
        x_label=analysis.x_label,
        y_label=analysis.y_label,
    )


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

    @property
    def cache_variant(self) -> str:
        """What besides playlist and options shapes an analysis: providers, k range, seed."""
        providers = ",".join(
            f"{provider.name}/{getattr(provider, 'version', '')}" for provider in self.providers
        )
        return f"providers={providers};k={self.k_min}-{self.k_max};seed={self.random_state}"

    def cache_key(self, playlist: Playlist, options: AnalysisOptions) -> str:
        """The analysis cache key (the same as :func:`storage.cache.analysis_key`)."""
        return analysis_key(playlist, options)

    async def fetch(self, ref: PlaylistRef, progress: ProgressCallback = no_progress) -> Playlist:
        """The playlist behind ``ref`` from its source."""
        source = self.sources.get(ref.source)
        if source is None:
            raise BadInput(f"{ref.source.capitalize()} playlists are not available here.")
        leading = streaming_providers(self.providers)
        if not leading or "on_tracks" not in inspect.signature(source.fetch).parameters:
            return await source.fetch(ref, progress)
        # Feature lookups start with the first page instead of after the last one.
        stream = FeatureStream(leading, self.concurrency, tail=self._prefetcher(len(leading)))
        try:
            playlist = await source.fetch(ref, progress, on_tracks=stream.add)  # type: ignore[call-arg]
            await stream.finish(progress)
        finally:
            stream.cancel()
        playlist.enriched_by = stream.names
        return playlist

    def _prefetcher(self, streamed: int) -> Callable[[Sequence[Track]], None] | None:
        """The ``prefetch`` of the provider after the streamed ones (preview analysis,
        which cannot cover tracks without a preview, stands aside for it), if it has one."""
        for provider in self.providers[streamed:]:
            if provider.family != "preview":
                prefetch = getattr(provider, "prefetch", None)
                # one token per fetch: its prefetches share one time budget
                return None if prefetch is None else functools.partial(prefetch, answer=_Token())
        return None

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
        snapshot = getattr(self.sources.get(ref.source), "snapshot", None)
        if snapshot is None or await snapshot(ref) != playlist.snapshot:
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
        except sqlite3.Error:
            log.warning("could not cache the playlist %s", playlist.ref, exc_info=True)

    async def enrich(
        self, playlist: Playlist, progress: ProgressCallback = no_progress
    ) -> list[str]:
        """Ask each provider, in order, for the features the tracks still lack.

        Providers that already ran while the pages arrived (``playlist.enriched_by``)
        are not asked again: the tracks they lack are the ones they do not know.
        Returns the notes for the user: the providers' own ("3 previews could not be
        analysed (…)."; a provider may offer one as ``last_note``, read right after its
        ``enrich`` returns so that concurrent analyses never swap notes), then what a
        provider with a time budget (``enrich_bounded``) left past it.
        """
        notes, deferred = await self._enrich(playlist, progress)
        return notes + deferred

    async def _enrich(
        self, playlist: Playlist, progress: ProgressCallback
    ) -> tuple[list[str], list[str]]:
        """(providers' notes, sentences about lookups left past a time budget)."""
        notes: list[str] = []
        deferred: list[str] = []
        for provider in self.providers:
            if provider.name in playlist.enriched_by:
                continue
            bounded = getattr(provider, "enrich_bounded", None)
            if bounded is not None:
                _, left = await bounded(playlist.tracks, progress)
                if left:
                    deferred.append(provider.deferred_note(left))  # type: ignore[attr-defined]
            else:
                await provider.enrich(playlist.tracks, progress)
            note = getattr(provider, "last_note", "")
            if isinstance(note, str) and note:
                notes.append(note)
        return notes, deferred

    async def analyze(
        self,
        playlist: Playlist,
        options: AnalysisOptions,
        progress: ProgressCallback = no_progress,
    ) -> Analysis:
        """Enrich ``playlist`` and analyse it; the CPU part runs in a worker thread.

        With a cache, an analysis of the same snapshot and options made by the same
        variant (:attr:`cache_variant`) is returned as it was stored (no enrichment, no
        clustering); otherwise the new one is stored under :meth:`cache_key`.
        """
        key = self.cache_key(playlist, options) if self.cache is not None else None
        if self.cache is not None and key is not None:
            cached = await self.cache.get_analysis(key, variant=self.cache_variant)
            if cached is not None:
                progress("Loaded from cache", 1, 1)
                return cached
        notes, deferred = await self._enrich(playlist, progress)
        progress("Clustering", 0, 1)
        analysis = await asyncio.to_thread(
            compute_analysis,
            playlist,
            options,
            k_min=self.k_min,
            k_max=self.k_max,
            random_state=self.random_state,
        )
        progress("Clustering", 1, 1)
        analysis.note = " ".join(part for part in (analysis.note, *notes) if part)
        variant = self.cache_variant
        if deferred:
            analysis.features.summary = " ".join([analysis.features.summary, *deferred])
            # Stored for paging, but not reused: the next request gets a fuller answer.
            variant += ";partial"
        if self.cache is not None and key is not None:
            try:
                await self.cache.put_analysis(key, analysis, variant=variant)
            except sqlite3.Error:
                # The answer is ready; a full disk or a locked file must not lose it.
                log.warning("could not cache the analysis of %s", playlist.ref, exc_info=True)
        return analysis

    async def run(
        self, ref: PlaylistRef, options: AnalysisOptions, progress: ProgressCallback = no_progress
    ) -> Analysis:
        """Fetch (or reuse) and analyse the playlist behind ``ref``."""
        playlist, fetched = await self.load(ref, progress)
        analysis = await self.analyze(playlist, options, progress)
        if fetched:
            await self.store_playlist(analysis.playlist)
        return analysis
