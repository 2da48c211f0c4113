"""The taste map: several playlists on one projection, a colour and a contour each (pure).

matplotlib object API only (safe from worker threads), like :mod:`bot.render.scatter`,
with its dark-theme colours, font chain and plain-text labels.
"""

from __future__ import annotations

import io
import warnings
from collections.abc import Sequence

import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.font_manager import FontProperties

from bot.locales import ENGLISH, Words
from bot.render.picture_text import projection_label
from bot.render.scatter import (
    BACKGROUND,
    MUTED,
    PALETTE,
    PANEL,
    PLAIN,
    TEXT,
    font_families,
    plain,
    side_legend,
)
from bot.text import shorten

#: The contour holds this share of a playlist's tracks ("where most of them lie").
CONTOUR_SHARE = 0.7
#: Grid cells per side on which the densities are evaluated.
GRID = 70
#: A playlist needs this many distinct points for a contour.
MIN_CONTOUR_POINTS = 5


def density_level(
    points: np.ndarray, grid_x: np.ndarray, grid_y: np.ndarray
) -> tuple[np.ndarray, float] | None:
    """A playlist's density on the grid and the level enclosing CONTOUR_SHARE of its tracks.

    A binned Gaussian kernel density estimate (the tracks counted per grid cell, then
    smoothed with Scott's bandwidth per axis): milliseconds for 500 tracks, where an
    exact estimate takes a quarter of a second. The level is the density at which
    (1 - CONTOUR_SHARE) of the playlist's own tracks lie lower. None when the points
    are too few, lie on a line, or the level falls outside the grid.
    """
    from scipy.ndimage import gaussian_filter

    if len(points) < MIN_CONTOUR_POINTS or len(np.unique(points, axis=0)) < MIN_CONTOUR_POINTS:
        return None
    xs, ys = grid_x[0], grid_y[:, 0]
    step = np.array([xs[1] - xs[0], ys[1] - ys[0]])
    spread = points.std(axis=0)
    if np.any(spread <= 0) or np.any(step <= 0):
        return None
    cells = np.clip(np.rint((points - [xs[0], ys[0]]) / step).astype(int), 0, GRID - 1)
    counts = np.zeros((GRID, GRID))
    np.add.at(counts, (cells[:, 1], cells[:, 0]), 1.0)
    bandwidth = spread * len(points) ** (-1 / 6)  # Scott's rule in two dimensions
    density = gaussian_filter(counts, sigma=(bandwidth[1] / step[1], bandwidth[0] / step[0]))
    level = float(np.quantile(density[cells[:, 1], cells[:, 0]], 1.0 - CONTOUR_SHARE))
    if not np.isfinite(level) or level <= density.min() or level >= density.max():
        return None
    return density, level


def _grid(points: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """A GRID x GRID mesh over the points with a margin of a tenth of their span."""
    low, high = points.min(axis=0), points.max(axis=0)
    span = np.where(high - low > 0, high - low, 1.0)
    low, high = low - 0.1 * span, high + 0.1 * span
    xs = np.linspace(low[0], high[0], GRID)
    ys = np.linspace(low[1], high[1], GRID)
    grid_x, grid_y = np.meshgrid(xs, ys)
    return grid_x, grid_y


def legend_names(names: Sequence[str], placed: Sequence[int]) -> list[str]:
    """'alice · Road Trip (120)' per playlist, shortened to keep the legend narrow."""
    return [f"{shorten(name, 40)} ({count})" for name, count in zip(names, placed, strict=True)]


def _draw_group(
    ax: object, mine: np.ndarray, colour: str, label: str, size: float, grid: tuple | None
) -> None:
    """One playlist: its points, and its contour when a density can be estimated."""
    ax.scatter(  # type: ignore[attr-defined]
        mine[:, 0], mine[:, 1], s=size, c=colour, alpha=0.55, linewidths=0, label=plain(label)
    )
    found = density_level(mine, *grid) if grid is not None else None
    if found is not None:
        density, level = found
        ax.contour(  # type: ignore[attr-defined]
            grid[0],
            grid[1],
            density,
            levels=[level],
            colors=[colour],
            linewidths=2.2,  # type: ignore[index]
        )


def render_taste_map(
    points: np.ndarray,
    groups: np.ndarray,
    names: Sequence[str],
    *,
    title: str = "",
    x_label: str = "",
    y_label: str = "",
    dpi: int = 100,
    words: Words = ENGLISH,
) -> bytes:
    """PNG of each playlist's tracks in its colour, with a contour around most of them.

    ``title`` is drawn as given (the caller says it in the member's language); the
    projection's axis labels are said in ``words``' language.

    ``points`` has shape (n, 2); ``groups[i]`` indexes ``names`` (the legend). The
    contour encloses CONTOUR_SHARE of a playlist's tracks by its own density estimate.
    """
    fig = Figure(figsize=(10, 6.6), dpi=dpi, facecolor=BACKGROUND)
    FigureCanvasAgg(fig)
    ax = fig.add_subplot(1, 1, 1)
    ax.set_facecolor(PANEL)
    size = float(np.clip(2500 / max(len(points), 1), 4, 60))
    grid = _grid(points) if len(points) else None
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for group, name in enumerate(names):
            mine = points[groups == group]
            _draw_group(ax, mine, PALETTE[group % len(PALETTE)], name, size, grid)
        for spine in ax.spines.values():
            spine.set_color("#4e5058")
        ax.set_xticks([])
        ax.set_yticks([])
        font = FontProperties(family=list(font_families()))
        if title:
            ax.set_title(
                plain(title), color=TEXT, fontproperties=font, fontsize=18, pad=12, **PLAIN
            )
        x_label, y_label = projection_label(x_label, words), projection_label(y_label, words)
        ax.set_xlabel(plain(x_label), color=MUTED, fontproperties=font, fontsize=12, **PLAIN)
        ax.set_ylabel(plain(y_label), color=MUTED, fontproperties=font, fontsize=12, **PLAIN)
        side_legend(ax, size, fontsize=12)
        fig.tight_layout()
        buffer = io.BytesIO()
        fig.savefig(buffer, format="png", facecolor=BACKGROUND)
    return buffer.getvalue()
