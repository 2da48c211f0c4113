"""The words drawn in the pictures, in a member's language (pure).

The pictures (the clusters' map, the bar chart, the taste map) are drawn with English
words by default, byte for byte as before, so the CLI and every cached English PNG
stay as they were. With another locale's :class:`~bot.locales.Words`, each text is
said again from the catalogs: cluster names word by word (as the page header says
them), feature names as the axis menus name them, and the projection's stored axis
label ("energy, loudness ← → acousticness  (41% of variation)") read back into its
features and share.
"""

from __future__ import annotations

import re

from bot.analysis.vocabulary import column_label
from bot.locales import ENGLISH, N_, Words

#: How :func:`bot.analysis.projection.project_2d` names an axis (read back here).
PROJECTION = N_("{left} ← → {right}  ({share} of variation)")
#: A projection side with no strong feature.
LESS, MORE = N_("less"), N_("more")
_PROJECTION = re.compile(r"(?P<left>.*) ← → (?P<right>.*)  \((?P<share>\d+)% of variation\)")


def feature_word(label: str, words: Words = ENGLISH) -> str:
    """A feature's label (``energy``, ``tempo (BPM)``, ``k-pop``) in ``words``' language;
    labels without a catalog entry (genres, ``mfcc 3``) stay as they are."""
    return words(label) if label else label


def projection_label(text: str, words: Words = ENGLISH) -> str:
    """The projection's axis label in ``words``' language (English: unchanged)."""
    if words is ENGLISH:
        return text
    found = _PROJECTION.fullmatch(text)
    if found is None:
        return feature_word(text, words)

    def side(part: str) -> str:
        return ", ".join(feature_word(name, words) for name in part.split(", "))

    return words(
        PROJECTION,
        left=side(found["left"]),
        right=side(found["right"]),
        share=words.percent(int(found["share"]) / 100),
    )


def map_title(name: str, missing: int = 0, words: Words = ENGLISH) -> str:
    """'Clusters in Road Trip', plus how many tracks a chosen feature could not place."""
    title = words("Clusters in {name}", name=name)
    if missing:
        left_out = words.n(
            "{count} track without a value not shown",
            "{count} tracks without a value not shown",
            missing,
        )
        title += f" ({left_out})"
    return title


def bar_words(column: str, words: Words = ENGLISH) -> str:
    """A bar chart row's label before shortening: 'energy', 'genre: k-pop', and a
    title script's share ('script: Japanese'; translated as the trait "Japanese titles")."""
    kind, _, value = column.partition(":")
    if not value:
        return feature_word(column_label(column), words)
    if kind == "script" and words is not ENGLISH:
        return words.name(f"{value} titles")
    if kind == "genre":
        return words("genre: {genre}", genre=value)
    return f"{kind}: {value}"
