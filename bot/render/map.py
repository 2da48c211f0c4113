"""The clusters' map with the axes a user chose: the projection or two features (pure).

Every text is drawn in ``words``' language (default English: the pictures as before).
"""

from __future__ import annotations

import numpy as np

from bot.analysis.axes import map_data
from bot.locales import ENGLISH, Words
from bot.model import Analysis
from bot.render.picture_text import feature_word, map_title, projection_label
from bot.render.scatter import legend_entries, render_scatter


def _legend(analysis: Analysis, words: Words) -> list[str]:
    return legend_entries(
        [c.number for c in analysis.clusters],
        [c.name for c in analysis.clusters],
        [c.size for c in analysis.clusters],
        words,
    )


def render_map(analysis: Analysis, x: str | None, y: str | None, words: Words = ENGLISH) -> bytes:
    """PNG of the clusters with feature ``x`` / ``y`` on the axes (None: the projection's)."""
    data = map_data(analysis, x, y)
    return render_scatter(
        data.points,
        data.labels.tolist(),
        _legend(analysis, words),
        title=map_title(analysis.playlist.name, data.missing, words),
        x_label=(feature_word if x else projection_label)(data.x_label, words),
        y_label=(feature_word if y else projection_label)(data.y_label, words),
        ticks=data.features,
    )


def render_overview(analysis: Analysis, words: Words = ENGLISH) -> bytes:
    """The scatter PNG an analysis is shown with: the tracks placed by their sound
    (others have no position), with a legend of the clusters they form."""
    points = np.asarray(analysis.points, dtype=float).reshape(-1, 2)
    shown = ~np.isnan(points).any(axis=1)
    return render_scatter(
        points[shown],
        np.asarray(analysis.labels)[shown].tolist(),
        _legend(analysis, words),
        title=map_title(analysis.playlist.name, 0, words),
        x_label=projection_label(analysis.x_label, words),
        y_label=projection_label(analysis.y_label, words),
    )
