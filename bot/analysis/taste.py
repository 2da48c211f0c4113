"""Several playlists compared in one space: positions, pair scores, what they share (pure).

:func:`compare_playlists` puts all tracks of up to ten playlists into one feature
table (so one projection and one scale serve the map and every score), finds each
track's nearest tracks per playlist once (:mod:`bot.analysis.overlap`), and scores
every pair. :func:`meeting_points` and :func:`bridge` go deeper into one pair.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

from bot.analysis.clustering import cluster_tracks
from bot.analysis.features import build_feature_table, choose_family
from bot.analysis.naming import cluster_traits, name_clusters
from bot.analysis.overlap import NearestByGroup, closeness_to, nearest_by_group, score_matrix
from bot.analysis.projection import project_2d
from bot.model import MAX_TASTE_PLAYLISTS, Track

#: At most this many playlists on one map (colours and legend stay readable).
MAX_PLAYLISTS = MAX_TASTE_PLAYLISTS
#: Shared artists / tracks / labels listed per pair.
MAX_SHARED = 10
#: Bridge tracks taken from each side.
BRIDGE_PER_SIDE = 10


def track_key(track: Track) -> str:
    """Identity of a recording across playlists: Spotify id, ISRC, or title + first artist."""
    if track.spotify_id:
        return f"spotify:{track.spotify_id}"
    if track.isrc:
        return f"isrc:{track.isrc.upper()}"
    artist = track.artists[0] if track.artists else ""
    return f"text:{' '.join(track.title.casefold().split())}|{' '.join(artist.casefold().split())}"


def _norm(value: str) -> str:
    return " ".join(value.casefold().split())


@dataclass(slots=True)
class Names:
    """One playlist's names, counted once for all its pairs: recordings (in order),
    artists and labels (normalised key -> count, and as first written)."""

    tracks: dict[str, str]
    artists: Counter[str]
    labels: Counter[str]
    display: dict[str, str]

    @classmethod
    def of(cls, tracks: Sequence[Track]) -> Names:
        keyed: dict[str, str] = {}
        artists: Counter[str] = Counter()
        labels: Counter[str] = Counter()
        display: dict[str, str] = {}
        for t in tracks:
            keyed.setdefault(
                track_key(t), f"{t.title} – {', '.join(t.artists)}" if t.artists else t.title
            )
            for counter, values in ((artists, t.artists), (labels, (t.label,))):
                for value in values:
                    key = _norm(value)
                    if key:
                        display.setdefault(key, value.strip())
                        counter[key] += 1
        return cls(keyed, artists, labels, display)


def _common(a: Counter[str], b: Counter[str], display: dict[str, str]) -> tuple[str, ...]:
    """Keys on both sides, most tracks first (then alphabetically), as first written."""
    order = sorted(set(a) & set(b), key=lambda k: (-(a[k] + b[k]), k))
    return tuple(display[k] for k in order)


@dataclass(frozen=True, slots=True)
class Shared:
    """What two playlists have in common by name: tracks, artists, labels (most first)."""

    tracks: tuple[str, ...]
    artists: tuple[str, ...]
    labels: tuple[str, ...]
    track_count: int
    artist_count: int


def shared_names(a: Names, b: Names, limit: int = MAX_SHARED) -> Shared:
    """The tracks, artists and labels two playlists share (at most ``limit`` of each)."""
    tracks = [shown for key, shown in a.tracks.items() if key in b.tracks]
    display = {**b.display, **a.display}
    artists = _common(a.artists, b.artists, display)
    labels = _common(a.labels, b.labels, display)
    return Shared(tuple(tracks[:limit]), artists[:limit], labels[:limit], len(tracks), len(artists))


def shared_between(a: Sequence[Track], b: Sequence[Track], limit: int = MAX_SHARED) -> Shared:
    """The tracks, artists and labels ``a`` and ``b`` share (at most ``limit`` of each)."""
    return shared_names(Names.of(a), Names.of(b), limit)


@dataclass(slots=True)
class TasteMap:
    """Playlists compared: rows are the tracks with sound features, in playlist order.

    ``groups[i]`` is row i's playlist, ``points`` its map position (shape (n, 2)),
    ``scores[a, b]`` the overlap 0..100 (NaN: too few tracks), ``shared[(a, b)]`` for
    a < b what they share by name. ``placed[p]`` / ``sizes[p]``: tracks with features /
    all tracks of playlist p.
    """

    names: list[str]
    playlists: list[list[Track]]
    tracks: list[Track]
    groups: np.ndarray
    points: np.ndarray
    x_label: str
    y_label: str
    scores: np.ndarray
    shared: dict[tuple[int, int], Shared]
    family: str
    near: NearestByGroup
    matrix: np.ndarray
    scaled: np.ndarray
    columns: list[str]
    spread: np.ndarray
    placed: list[int] = field(default_factory=list)
    sizes: list[int] = field(default_factory=list)

    def pairs(self) -> list[tuple[int, int, float | None]]:
        """Every pair (a < b) with its score (None: not scored), highest first."""
        found = []
        for a in range(len(self.names)):
            for b in range(a + 1, len(self.names)):
                value = self.scores[a, b]
                found.append((a, b, None if np.isnan(value) else float(value)))
        return sorted(found, key=lambda p: (p[2] is None, -(p[2] or 0.0), p[0], p[1]))


def _has_family(track: Track, family: str) -> bool:
    if family == "provider":
        return bool(track.audio)
    if family == "preview":
        return bool(track.preview_features)
    return True


def compare_playlists(
    playlists: Sequence[Sequence[Track]], names: Sequence[str], *, random_state: int = 0
) -> TasteMap:
    """Compare up to MAX_PLAYLISTS playlists (the caller checks the count) in one space.

    The sound columns of one feature table over all tracks define the space; tracks
    without the leading family's features are left off the map and out of the
    scores (counted in ``placed``). CPU-bound: call it from a worker thread.
    """
    family = choose_family([t for p in playlists for t in p])
    kept = [[t for t in p if _has_family(t, family)] for p in playlists]
    tracks = [t for p in kept for t in p]
    groups = np.array([g for g, p in enumerate(kept) for _ in p], dtype=np.int64)
    table = build_feature_table(tracks, prefer=family, sound_only=True)
    lead = table.lead_columns or table.matrix.shape[1]
    matrix = table.matrix[:, :lead]
    near = nearest_by_group(matrix, groups, len(playlists))
    projection = project_2d(matrix, table.columns[:lead], random_state)
    names_of = [Names.of(p) for p in playlists]
    shared = {
        (a, b): shared_names(names_of[a], names_of[b])
        for a in range(len(playlists))
        for b in range(a + 1, len(playlists))
    }
    return TasteMap(
        names=list(names),
        playlists=[list(p) for p in playlists],
        tracks=tracks,
        groups=groups,
        points=projection.points,
        x_label=projection.x_label,
        y_label=projection.y_label,
        scores=score_matrix(near),
        shared=shared,
        family=table.family,
        near=near,
        matrix=matrix,
        scaled=table.scaled[:, :lead],
        columns=table.columns[:lead],
        spread=table.spread[:lead],
        placed=[len(p) for p in kept],
        sizes=[len(p) for p in playlists],
    )


@dataclass(frozen=True, slots=True)
class Meeting:
    """A sound cluster of two playlists' tracks together and how many come from each."""

    name: str
    traits: tuple[str, ...]
    count_a: int
    count_b: int


def meeting_points(taste: TasteMap, a: int, b: int, *, random_state: int = 0) -> list[Meeting]:
    """The clusters of a ∪ b (automatic k, as /clusters would find), largest first."""
    rows = np.flatnonzero((taste.groups == a) | (taste.groups == b))
    if len(rows) < 4:
        return []
    clustering = cluster_tracks(taste.matrix[rows], k_max=8, random_state=random_state)
    labels = clustering.labels
    traits = cluster_traits(taste.scaled[rows], taste.columns, labels, taste.spread)
    names = name_clusters(traits) if clustering.k > 1 else ["all of it"]
    side = taste.groups[rows]
    return [
        Meeting(
            names[c],
            tuple(traits[c]) if c < len(traits) else (),
            int(np.sum((labels == c) & (side == a))),
            int(np.sum((labels == c) & (side == b))),
        )
        for c in range(clustering.k)
    ]


def bridge(taste: TasteMap, a: int, b: int, per_side: int = BRIDGE_PER_SIDE) -> list[Track]:
    """Tracks of each that sit closest to the other's music, alternating a, b, a, ...

    A track's closeness is its mean distance to the other playlist's nearest tracks;
    a recording already taken (shared by both) is not repeated.
    """
    queues = [
        closeness_to(taste.near, a, b)[0].tolist(),
        closeness_to(taste.near, b, a)[0].tolist(),
    ]
    picked: list[Track] = []
    seen: set[str] = set()
    taken = [0, 0]
    for step in range(max(len(queues[0]), len(queues[1]))):
        for side, queue in enumerate(queues):
            if step >= len(queue) or taken[side] >= per_side:
                continue
            track = taste.tracks[queue[step]]
            key = track_key(track)
            if key not in seen:
                seen.add(key)
                picked.append(track)
                taken[side] += 1
        if taken == [per_side, per_side]:
            break
    return picked


def neighbours(taste: TasteMap, me: int) -> list[tuple[int, float]]:
    """The other playlists by overlap with playlist ``me``, highest first (unscored left out)."""
    found = [
        (other, float(taste.scores[me, other]))
        for other in range(len(taste.names))
        if other != me and not np.isnan(taste.scores[me, other])
    ]
    return sorted(found, key=lambda item: (-item[1], item[0]))
