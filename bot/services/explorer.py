"""Exploring a cached analysis: other maps, more or fewer clusters, similar tracks,
exports and what sets a cluster apart. No Discord, no provider requests.

Everything starts from an analysis already in the cache: its tracks carry their
features, so the feature table is rebuilt from them and a re-clustering runs the
same pure steps as the pipeline (same k range and seed), without enriching. CPU
work (clustering, drawing, exporting) runs in worker threads, never on the event
loop. A re-clustering is stored under the key ``/clusters clusters:k`` would use,
so that command (and the next press of the button) finds it in the cache.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
from collections import OrderedDict
from typing import TYPE_CHECKING

import numpy as np

from bot.analysis.apart import differences
from bot.analysis.features import build_feature_table
from bot.analysis.similar import Neighbour, nearest
from bot.locales import ENGLISH, Words
from bot.model import Analysis, AnalysisOptions, FeatureTable, Track, analysis_key
from bot.render.apart import apart_title, render_apart
from bot.render.export import export_files
from bot.render.map import render_map, render_overview
from bot.services.analyzer import Outcome

if TYPE_CHECKING:
    from bot.pipeline.runner import Pipeline
    from bot.services.analyzer import Analyzer

log = logging.getLogger(__name__)


def cluster_tracks_in_order(analysis: Analysis, cluster: int) -> list[Track]:
    """The tracks of cluster ``cluster`` (0-based) in playlist order."""
    return [
        t
        for t, label in zip(analysis.playlist.tracks, analysis.labels, strict=True)
        if label == cluster
    ]


class Explorer:
    """Serves the explore actions from cached analyses (see the module docstring)."""

    def __init__(
        self, analyzer: Analyzer, pipeline: Pipeline, tables: int = 8, pictures: int = 32
    ) -> None:
        self.analyzer = analyzer
        self.pipeline = pipeline
        self._tables: OrderedDict[str, FeatureTable] = OrderedDict()
        self._table_count = tables
        #: (the English map's digest, locale) -> the map drawn in that language
        self._pictures: OrderedDict[tuple[str, str], bytes] = OrderedDict()
        self._picture_count = pictures

    # -- cluster counts ----------------------------------------------------------------

    def count_range(self, analysis: Analysis) -> tuple[int, int]:
        """The fewest and most clusters the buttons may ask for (K_MIN..K_MAX, < tracks)."""
        low = max(2, self.pipeline.k_min)
        high = min(self.pipeline.k_max, analysis.track_count - 1)
        return low, max(low, high)

    async def with_clusters(self, analysis: Analysis, k: int | None) -> Outcome:
        """The analysis of the same playlist with ``k`` clusters (None: automatic):
        cached, or clustered from the cached features in a worker thread, then cached."""
        options = AnalysisOptions(k=k, metadata_weight=analysis.options.metadata_weight)
        key = analysis_key(analysis.playlist, options)
        found = await self.analyzer.load(key)
        if found is not None:
            return Outcome(key, found, cached=True)
        outcome = await self.pipeline.recluster(analysis.playlist, options)
        result = outcome.analysis
        self.analyzer.remember(key, result)
        return Outcome(key, result, cached=False)

    # -- features ----------------------------------------------------------------------

    async def table(self, key: str, analysis: Analysis) -> FeatureTable:
        """The analysis' feature table, rebuilt from its tracks' cached features."""
        found = self._tables.get(key)
        if found is not None:
            self._tables.move_to_end(key)
            return found
        table = await asyncio.to_thread(
            build_feature_table,
            analysis.playlist.tracks,
            metadata_weight=analysis.options.metadata_weight,
        )
        self._tables[key] = table
        while len(self._tables) > self._table_count:
            self._tables.popitem(last=False)
        return table

    async def similar(self, key: str, analysis: Analysis, index: int) -> list[Neighbour]:
        """The ten tracks nearest to track ``index`` (playlist order) in the same playlist."""
        table = await self.table(key, analysis)
        return await asyncio.to_thread(nearest, table.matrix, table.scaled, table.columns, index)

    # -- pictures and files ------------------------------------------------------------

    async def picture(
        self, analysis: Analysis, x: str | None, y: str | None, words: Words = ENGLISH
    ) -> bytes:
        """The map PNG with axes ``x`` / ``y`` in ``words``' language (None: the
        projection; then the stored PNG, or its translation, see :meth:`overview`)."""
        if x is None and y is None and analysis.png:
            return await self.overview(analysis, words)
        return await asyncio.to_thread(render_map, analysis, x, y, words)

    async def overview(self, analysis: Analysis, words: Words = ENGLISH) -> bytes:
        """The map an analysis is shown with, in ``words``' language.

        English is the PNG stored with the analysis (drawn once by the pipeline, kept
        in the cache). Another language is drawn in a worker thread on first need and
        kept here, keyed by the English PNG's digest (it names the analysis' picture,
        whichever cache key led to it) and the locale; the least recently used of
        ``pictures`` (~80 kB each for 1,000 tracks) goes first.
        """
        if words is ENGLISH or not analysis.png:
            return analysis.png
        key = (hashlib.blake2b(analysis.png, digest_size=16).hexdigest(), words.locale)
        found = self._pictures.get(key)
        if found is not None:
            self._pictures.move_to_end(key)
            return found
        drawn = await asyncio.to_thread(render_overview, analysis, words)
        self._pictures[key] = drawn
        while len(self._pictures) > self._picture_count:
            self._pictures.popitem(last=False)
        return drawn

    async def apart(
        self, key: str, analysis: Analysis, cluster: int, words: Words = ENGLISH
    ) -> bytes:
        """The bar chart of what sets cluster ``cluster`` (0-based) apart, as PNG, in
        ``words``' language (drawn on each press, as the English one is)."""
        table = await self.table(key, analysis)
        unheard = {i for c in analysis.clusters for i in c.unheard}
        heard = np.array([t.id not in unheard for t in analysis.playlist.tracks], dtype=bool)
        found = differences(
            table.scaled,
            table.columns,
            np.asarray(analysis.labels),
            cluster,
            rows=heard if unheard else None,
        )
        title = apart_title(analysis.clusters[cluster], words)
        return await asyncio.to_thread(
            render_apart, found, cluster=cluster, title=title, words=words
        )

    async def take_home(self, analysis: Analysis, cluster: int) -> dict[str, bytes]:
        """File name -> bytes: cluster ``cluster`` (0-based) as CSV, M3U and XSPF."""
        tracks = cluster_tracks_in_order(analysis, cluster)
        number = analysis.clusters[cluster].number
        return await asyncio.to_thread(export_files, analysis.playlist.name, number, tracks)
