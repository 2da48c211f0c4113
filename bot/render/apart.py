"""The "what sets it apart" bar chart of one cluster as PNG bytes (pure).

matplotlib's object API (``Figure`` + Agg canvas, no pyplot, no global state), so it
is safe in worker threads. Every text is drawn with ``parse_math=False``: feature
and cluster names are plain text, and a ``$`` in a name is just a dollar sign.
"""

from __future__ import annotations

import io
import warnings
from collections.abc import Sequence

from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.font_manager import FontProperties

from bot.locales import ENGLISH, Words
from bot.model import Cluster
from bot.render.picture_text import bar_words
from bot.render.scatter import BACKGROUND, MUTED, PALETTE, PANEL, TEXT, font_families
from bot.text import shorten


def bar_label(column: str, words: Words = ENGLISH) -> str:
    """'energy', 'genre: k-pop', 'script: Japanese' (in ``words``' language)."""
    return shorten(bar_words(column, words), 32)


def apart_title(cluster: Cluster, words: Words = ENGLISH) -> str:
    """'Cluster #2 · danceable · upbeat · what sets it apart' (the chart's title)."""
    return words(
        "Cluster #{number} · {name} · what sets it apart",
        number=cluster.number,
        name=shorten(words.name(cluster.name), 48),
    )


def render_apart(
    differences: Sequence[tuple[str, float]],
    *,
    cluster: int,
    title: str,
    dpi: int = 100,
    words: Words = ENGLISH,
) -> bytes:
    """PNG of horizontal bars, one per ``(column, difference in standard deviations)``,
    largest at the top, in the colour of cluster ``cluster`` (0-based); the labels in
    ``words``' language (``title`` as given: :func:`apart_title`)."""
    font = FontProperties(family=list(font_families()))
    rows = max(1, len(differences))
    fig = Figure(figsize=(7.0, 1.4 + 0.42 * rows), dpi=dpi, facecolor=BACKGROUND)
    FigureCanvasAgg(fig)
    ax = fig.add_subplot(1, 1, 1)
    ax.set_facecolor(PANEL)
    names = [bar_label(column, words) for column, _ in differences][::-1]
    values = [value for _, value in differences][::-1]
    colour = PALETTE[cluster % len(PALETTE)]
    ax.barh(range(len(values)), values, color=colour, height=0.6)
    ax.axvline(0, color=MUTED, linewidth=1)
    ax.set_yticks(range(len(names)))
    ax.set_yticklabels([])
    limit = max([abs(v) for v in values] + [0.5]) * 1.15
    ax.set_xlim(-limit, limit)
    ax.tick_params(colors=MUTED, labelsize=9, left=False)
    for spine in ax.spines.values():
        spine.set_color("#4e5058")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for row, (name, value) in enumerate(zip(names, values, strict=True)):
            ax.text(
                -limit * 0.97 if value > 0 else limit * 0.97,
                row,
                name,
                ha="left" if value > 0 else "right",
                va="center",
                color=TEXT,
                fontproperties=font,
                fontsize=11,
                parse_math=False,
            )
        if not differences:
            ax.text(
                0,
                0,
                words("no feature stands out"),
                ha="center",
                va="center",
                color=MUTED,
                fontproperties=font,
                fontsize=11,
                parse_math=False,
            )
        ax.set_title(title, color=TEXT, fontproperties=font, fontsize=13, pad=10, parse_math=False)
        ax.set_xlabel(
            words("standard deviations from the playlist's average"),
            color=MUTED,
            fontproperties=font,
            fontsize=10,
            parse_math=False,
        )
        fig.tight_layout()
        buffer = io.BytesIO()
        fig.savefig(buffer, format="png", facecolor=BACKGROUND)
    return buffer.getvalue()
