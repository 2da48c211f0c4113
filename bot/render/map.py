"""The clusters' map with the axes a user chose: the projection or two features (pure)."""

from __future__ import annotations

from bot.analysis.axes import map_data
from bot.model import Analysis
from bot.render.scatter import legend_entries, render_scatter
from bot.text import plural


def map_title(analysis: Analysis, missing: int) -> str:
    """'Clusters in Road Trip', plus how many tracks a chosen feature could not place."""
    title = f"Clusters in {analysis.playlist.name}"
    if missing:
        title += f" ({plural(missing, 'track')} without a value not shown)"
    return title


def render_map(analysis: Analysis, x: str | None, y: str | None) -> bytes:
    """PNG of the clusters with feature ``x`` / ``y`` on the axes (None: the projection's)."""
    data = map_data(analysis, x, y)
    return render_scatter(
        data.points,
        data.labels.tolist(),
        legend_entries(
            [c.number for c in analysis.clusters],
            [c.name for c in analysis.clusters],
            [c.size for c in analysis.clusters],
        ),
        title=map_title(analysis, data.missing),
        x_label=data.x_label,
        y_label=data.y_label,
        ticks=data.features,
    )
