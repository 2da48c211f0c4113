"""Tracks without sound features: which they are, and where they go (pure, no I/O).

A track the providers could not describe used to get the column medians, which put
every such track at the centre of the sound space, where k-means gathered them into
one cluster that also shaped that cluster's name. Now they are never placed by
invented values: the sound families are found on the tracks that can be heard, and
each other track joins the cluster that holds most of the same album's tracks, else
of the same artist's tracks, else a group of its own, "not enough to hear".
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from bot.analysis.features import MIN_FAMILY_COVERAGE
from bot.model import PROVIDER_AUDIO_FEATURES, Track

#: A track is heard when it has at least this share of the lead sound columns.
MIN_HEARD_SHARE = 0.5
#: The name of the group of tracks that could be placed neither by sound nor by kin.
UNHEARD_NAME = "not enough to hear"
#: How a track without sound features was placed (shown to users).
BY_ALBUM = "album"
BY_ARTIST = "artist"
ALONE = "none"


@dataclass(frozen=True, slots=True)
class Placement:
    """Labels of every track, and how each track without sound was placed.

    ``labels`` has one entry per track (playlist order); ``how`` maps the index of
    each track placed without sound to BY_ALBUM, BY_ARTIST or ALONE; tracks placed
    ALONE carry label ``alone_label`` (one past the sound clusters).
    """

    labels: np.ndarray
    how: dict[int, str]
    alone_label: int


def heard_mask(known: np.ndarray) -> np.ndarray:
    """True per row of ``known`` (shape (n, d), True where a sound value is known) that
    has at least MIN_HEARD_SHARE of the d columns. No columns: nobody is heard."""
    if known.ndim != 2 or known.shape[1] == 0:
        return np.zeros(known.shape[0] if known.ndim else 0, dtype=bool)
    return np.asarray(known.mean(axis=1) >= MIN_HEARD_SHARE)


def _album_key(track: Track) -> str:
    if track.album_id:
        return "id:" + track.album_id
    return "name:" + track.album.casefold().strip() if track.album.strip() else ""


def _vote(keys: Sequence[str], index: dict[str, Counter[int]]) -> int | None:
    """The cluster holding most tracks that share one of ``keys``; ties: lowest number."""
    votes: Counter[int] = Counter()
    for key in keys:
        votes.update(index.get(key, Counter()))
    if not votes:
        return None
    return min(votes, key=lambda label: (-votes[label], label))


def place_unheard(
    tracks: Sequence[Track], heard: np.ndarray, heard_labels: np.ndarray
) -> Placement:
    """Labels for all ``tracks``: the heard keep ``heard_labels`` (in order), the others
    join the cluster with most of their album's tracks, else of their artists' tracks
    (any of them, case-folded), else the group "not enough to hear"."""
    n = len(tracks)
    labels = np.full(n, -1, dtype=np.int64)
    labels[np.flatnonzero(heard)] = heard_labels
    albums: dict[str, Counter[int]] = {}
    artists: dict[str, Counter[int]] = {}
    for i in np.flatnonzero(heard):
        track, label = tracks[i], int(labels[i])
        if key := _album_key(track):
            albums.setdefault(key, Counter())[label] += 1
        for artist in {a.casefold().strip() for a in track.artists if a.strip()}:
            artists.setdefault(artist, Counter())[label] += 1
    alone = int(heard_labels.max()) + 1 if len(heard_labels) else 0
    how: dict[int, str] = {}
    for i in np.flatnonzero(~heard):
        track = tracks[i]
        by_album = _vote([_album_key(track)], albums) if _album_key(track) else None
        names = sorted({a.casefold().strip() for a in track.artists if a.strip()})
        by_artist = _vote(names, artists) if by_album is None else None
        if by_album is not None:
            labels[i], how[int(i)] = by_album, BY_ALBUM
        elif by_artist is not None:
            labels[i], how[int(i)] = by_artist, BY_ARTIST
        else:
            labels[i], how[int(i)] = alone, ALONE
    return Placement(labels, how, alone)


def fully_described(track: Track) -> bool:
    """Whether ``track`` carries at least MIN_HEARD_SHARE of the provider sound columns."""
    return bool(track.audio) and len(track.audio) >= MIN_HEARD_SHARE * len(PROVIDER_AUDIO_FEATURES)


def could_place_by_sound(described: int, total: int, width: int) -> bool:
    """:func:`can_place_by_sound` from counts: ``described`` of ``total`` tracks are
    :func:`fully_described` (a feature stream asks it of the tracks settled so far)."""
    if width >= MIN_HEARD_SHARE * len(PROVIDER_AUDIO_FEATURES):
        return True
    return described < MIN_FAMILY_COVERAGE * max(1, total)


def can_place_by_sound(tracks: Sequence[Track], width: int) -> bool:
    """Whether features filling only ``width`` of the provider columns (Deezer: tempo and
    loudness, 2) could let any track of ``tracks`` be placed by its sound.

    Not when tracks described on most columns already cover at least
    MIN_FAMILY_COVERAGE of the playlist: every column is then kept, and a track with
    ``width`` of them is below MIN_HEARD_SHARE, so it is placed by album or artist
    whatever those values are. Waiting for such lookups only delays the answer.
    """
    described = sum(1 for t in tracks if fully_described(t))
    return could_place_by_sound(described, len(tracks), width)


def skipped_lookups_note(provider: str, width: int, count: int) -> str:
    """The answer's sentence when a provider of ``width`` columns was not asked (see
    :func:`can_place_by_sound`) for the ``count`` tracks nothing else described."""
    noun = "track" if count == 1 else "tracks"
    return (
        f"{provider.capitalize()}'s {width} columns were not looked up for the {count:,} "
        f"{noun} without other features: too few to place a track by its sound, so "
        "they join their album's or artist's tracks."
    )
