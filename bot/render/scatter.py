"""The scatter picture of the clusters as PNG bytes (pure; matplotlib object API, Agg).

No pyplot and no global rcParams changes, so it is safe to call from worker threads.
Colours and sizes are chosen for Discord's dark theme at about 600 px wide.
"""

from __future__ import annotations

import io
import logging
import warnings
from collections.abc import Sequence
from functools import lru_cache
from typing import Any

import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.font_manager import FontProperties, fontManager

from bot.locales import ENGLISH, Words
from bot.text import from_os, shorten

BACKGROUND = "#2b2d31"  # Discord's dark message background
PANEL = "#313338"
TEXT = "#f2f3f5"
MUTED = "#b5bac1"
#: Bright, distinguishable colours on a dark background (12, one per possible cluster).
PALETTE = (
    "#5865f2",
    "#57f287",
    "#fee75c",
    "#eb459e",
    "#ed4245",
    "#3ba5d8",
    "#f0a35e",
    "#b28dff",
    "#9be8d8",
    "#ffffff",
    "#c9e265",
    "#ff8fab",
)
#: Fonts tried in order for each glyph; only the installed ones are used.
FONT_CHAIN = (
    "DejaVu Sans",
    "Noto Sans",
    "Noto Sans CJK JP",
    "Noto Sans CJK SC",
    "Noto Sans Hebrew",
    "Noto Sans Thai",
    "Noto Sans Arabic",
    "Droid Sans Fallback",
)


@lru_cache(maxsize=1)
def font_families() -> tuple[str, ...]:
    """The installed members of FONT_CHAIN, for matplotlib's per-glyph fallback."""
    installed = {f.name for f in fontManager.ttflist}
    chain = tuple(name for name in FONT_CHAIN if name in installed)
    return chain or ("sans-serif",)


class _QuietGlyphs(logging.Filter):
    """Drop matplotlib's per-glyph 'missing from font' messages."""

    def filter(self, record: logging.LogRecord) -> bool:
        return "missing from" not in record.getMessage()


#: Names are shown as typed: no mathtext (`$\\foo$`, `$^$` or deep braces would be parsed).
PLAIN = {"parse_math": False}
_CONTROLS = dict.fromkeys([*range(0x20), *range(0x7F, 0xA0)], " ")


def plain(text: str) -> str:
    """Text for a label: valid Unicode, controls as spaces, at most 300 characters.

    A label starting with '_' is hidden by matplotlib's legend; a zero-width space
    in front keeps it.
    """
    text = from_os(text).translate(_CONTROLS)
    text = shorten(text, 300)
    return "\u200b" + text if text.startswith("_") else text


logging.getLogger("matplotlib.font_manager").addFilter(_QuietGlyphs())
logging.getLogger("matplotlib.text").addFilter(_QuietGlyphs())


def side_legend(ax: Any, size: float, *, fontsize: int) -> None:
    """The legend right of the axes: opaque markers scaled up from small points, and
    names shown as written (no math parsing of "$" in a title)."""
    legend = ax.legend(
        loc="upper left",
        bbox_to_anchor=(1.01, 1.0),
        frameon=False,
        prop=FontProperties(family=list(font_families()), size=fontsize),
        markerscale=max(1.0, 60 / size) ** 0.5,
        labelcolor=TEXT,
        borderaxespad=0,
    )
    for handle in legend.legend_handles:
        if handle is not None:
            handle.set_alpha(1.0)
    for text in legend.get_texts():
        text.set_parse_math(False)


def render_scatter(
    points: np.ndarray,
    labels: Sequence[int],
    legend: Sequence[str],
    *,
    title: str = "",
    x_label: str = "",
    y_label: str = "",
    dpi: int = 100,
    ticks: bool = False,
) -> bytes:
    """PNG of ``points`` (shape (n, 2)) coloured by ``labels``; ``legend[c]`` names cluster c.

    ``ticks`` shows the axes' scales (for features in their own units); a projection's
    axes have no units, so they stay bare by default.
    """
    labels_arr = np.asarray(labels)
    n = len(labels_arr)
    font = FontProperties(family=list(font_families()))
    fig = Figure(figsize=(10, 6.6), dpi=dpi, facecolor=BACKGROUND)
    FigureCanvasAgg(fig)
    ax = fig.add_subplot(1, 1, 1)
    ax.set_facecolor(PANEL)
    size = float(np.clip(3000 / max(n, 1), 4, 90))
    alpha = 0.9 if n < 2000 else 0.5
    for cluster, text in enumerate(legend):
        mask = labels_arr == cluster
        if not mask.any():
            continue
        ax.scatter(
            points[mask, 0],
            points[mask, 1],
            s=size,
            c=PALETTE[cluster % len(PALETTE)],
            alpha=alpha,
            linewidths=0,
            label=plain(text),
            rasterized=n > 5000,
        )
    for spine in ax.spines.values():
        spine.set_color("#4e5058")
    if ticks:
        ax.tick_params(colors=MUTED, labelsize=10)
    else:
        ax.set_xticks([])
        ax.set_yticks([])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        if title:
            ax.set_title(
                plain(title), color=TEXT, fontproperties=font, fontsize=18, pad=12, **PLAIN
            )
        ax.set_xlabel(plain(x_label), color=MUTED, fontproperties=font, fontsize=12, **PLAIN)
        ax.set_ylabel(plain(y_label), color=MUTED, fontproperties=font, fontsize=12, **PLAIN)
        if legend:
            side_legend(ax, size, fontsize=13)
        fig.tight_layout()
        buffer = io.BytesIO()
        fig.savefig(buffer, format="png", facecolor=BACKGROUND)
    return buffer.getvalue()


def legend_entries(
    numbers: Sequence[int], names: Sequence[str], sizes: Sequence[int], words: Words = ENGLISH
) -> list[str]:
    """'#1 fast · loud (44)' per cluster, names shortened to keep the legend narrow;
    in ``words``' language, names as the page header says them ('#1 速い · 大きい (44)')."""
    if words is ENGLISH:
        return [
            f"#{n} {shorten(name, 34)} ({size})"
            for n, name, size in zip(numbers, names, sizes, strict=True)
        ]
    return [
        f"#{n} {shorten(words.name(name), 34)} ({words.number(size)})"
        for n, name, size in zip(numbers, names, sizes, strict=True)
    ]
