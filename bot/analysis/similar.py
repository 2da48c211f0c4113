"""Tracks like this one: nearest neighbours in the analysis' feature space (pure).

Distances are measured in the weighted, standardised matrix the clustering used,
so "near" means what it meant for the clusters. What makes two tracks close is told
by the features on which both sit on the same side of the playlist's average, well
away from it, and near each other: two tracks that are both average are close too,
but that says nothing.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from bot.text import cut_utf16, utf16_len

#: Both tracks at least this many standard deviations from the playlist's mean ...
SHARED_MIN = 0.5
#: ... and at most this far apart, for a feature to count as what they share.
SHARED_MAX_GAP = 0.6
REASONS = 3
NEIGHBOURS = 10


@dataclass(frozen=True, slots=True)
class Neighbour:
    """A near track: its position in the playlist, its distance, and what it shares:
    ``(column, above)`` pairs, strongest first (``above``: both above the average)."""

    index: int
    distance: float
    shared: tuple[tuple[str, bool], ...]


def shared_traits(
    scaled: np.ndarray, columns: list[str], a: int, b: int, limit: int = REASONS
) -> tuple[tuple[str, bool], ...]:
    """The features on which tracks ``a`` and ``b`` stand out together, strongest first."""
    za, zb = scaled[a], scaled[b]
    same_side = np.sign(za) == np.sign(zb)
    strength = np.minimum(np.abs(za), np.abs(zb))
    gap = np.abs(za - zb)
    ok = same_side & (strength >= SHARED_MIN) & (gap <= SHARED_MAX_GAP)
    score = strength - gap
    order = [i for i in np.argsort(-score, kind="stable") if ok[i]]
    return tuple((columns[i], bool(za[i] > 0)) for i in order[:limit])


def nearest(
    matrix: np.ndarray,
    scaled: np.ndarray,
    columns: list[str],
    index: int,
    count: int = NEIGHBOURS,
) -> list[Neighbour]:
    """The ``count`` tracks nearest to track ``index`` (itself excluded), nearest first.

    ``matrix`` is the weighted matrix (distances), ``scaled`` the unweighted
    standardised one (what is shared); both have one row per track in playlist order.
    Ties keep playlist order.
    """
    n = matrix.shape[0]
    if not 0 <= index < n:
        raise IndexError(f"track {index} is not in the playlist ({n} tracks)")
    distances = np.sqrt(((matrix - matrix[index]) ** 2).sum(axis=1))
    distances[index] = np.inf
    order = np.argsort(distances, kind="stable")[: min(count, n - 1)]
    return [
        Neighbour(int(j), float(distances[j]), shared_traits(scaled, columns, index, int(j)))
        for j in order
    ]


#: Discord's limit for choice names, option labels and values, in UTF-16 code units.
CHOICE_LIMIT = 100


def cut(text: str, limit: int = CHOICE_LIMIT) -> str:
    """``text`` within ``limit`` UTF-16 units (a choice's name), an ellipsis marking a cut."""
    return cut_utf16(text, limit)


def _label(track_title: str, artists: tuple[str, ...]) -> str:
    names = ", ".join(a for a in artists if a)
    return f"{track_title} — {names}" if names else track_title


def choice_value(index: int, track_id: str) -> str:
    """An autocomplete value naming a track: its id, or ``#index`` when the id is too long."""
    usable = 0 < utf16_len(track_id) <= CHOICE_LIMIT and not track_id.startswith("#")
    return track_id if usable else f"#{index}"


def track_choices(
    titles: list[tuple[str, tuple[str, ...], str]], typed: str, limit: int = 25
) -> list[tuple[str, str]]:
    """Autocomplete choices ``(shown name, value)`` for ``typed`` among tracks given as
    ``(title, artists, id)`` in playlist order: titles starting with the text first,
    then any name containing it; at most ``limit``, names at most 100 characters."""
    needle = typed.strip().casefold()
    first: list[tuple[str, str]] = []
    then: list[tuple[str, str]] = []
    for index, (title, artists, track_id) in enumerate(titles):
        name = _label(title, artists)
        folded = name.casefold()
        if needle and needle not in folded:
            continue
        bucket = first if title.casefold().startswith(needle) else then
        bucket.append((cut(name) or "…", choice_value(index, track_id)))
        if len(first) >= limit:
            break
    return (first + then)[:limit]


def find_track(titles: list[tuple[str, tuple[str, ...], str]], text: str) -> int | None:
    """The index of the track ``text`` names: an autocomplete value (id or ``#index``),
    else an exact title or 'title — artists', else the first name containing it."""
    text = text.strip()
    if text.startswith("#") and text[1:].isdigit():
        index = int(text[1:])
        return index if 0 <= index < len(titles) else None
    for index, (_, _, track_id) in enumerate(titles):
        if track_id == text:
            return index
    needle = text.casefold()
    if not needle:
        return None
    names = [_label(title, artists).casefold() for title, artists, _ in titles]
    for index, (title, _, _) in enumerate(titles):
        if title.casefold() == needle or names[index] == needle:
            return index
    return next((i for i, name in enumerate(names) if needle in name), None)
