"""Plain data shared by every layer: playlists, tracks, clusterings and results.

Nothing here does I/O or knows about Discord, HTTP or SQLite, so every layer can
import it and tests can build values by hand.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal

if TYPE_CHECKING:
    import numpy as np

Source = Literal["spotify", "deezer", "csv", "ytmusic", "apple", "match"]

#: The audio-feature columns in Spotify's scale (danceability 0..1, tempo in BPM, ...).
#: Spotify, ReccoBeats and Exportify CSV columns all share this family.
PROVIDER_AUDIO_FEATURES: tuple[str, ...] = (
    "danceability",
    "energy",
    "valence",
    "acousticness",
    "instrumentalness",
    "speechiness",
    "liveness",
    "tempo",
    "loudness",
)


#: The "Sound Features" cell of an exported track that no provider could describe:
#: reading the file back then asks no provider again (blank feature cells would).
NO_SOUND = "none"


@dataclass(frozen=True, slots=True)
class PlaylistRef:
    """Where a playlist lives: a source and that source's id (a file path for CSV)."""

    source: Source
    id: str

    def __str__(self) -> str:
        return f"{self.source}:{self.id}"


@dataclass(slots=True)
class Track:
    """One track as every source reports it; optional fields stay None when unknown.

    ``audio`` holds provider audio features (Spotify's scale) and ``audio_provider``
    names who gave them; ``preview_features`` holds features computed locally from
    the preview audio, a different scale that is never mixed with ``audio``.
    """

    id: str
    title: str
    artists: tuple[str, ...] = ()
    album: str = ""
    label: str = ""
    url: str = ""
    image: str = ""
    liked: bool | None = None
    isrc: str = ""
    spotify_id: str | None = None
    release_year: int | None = None
    duration_ms: int | None = None
    explicit: bool | None = None
    popularity: float | None = None
    genres: tuple[str, ...] = ()
    preview_url: str = ""
    album_id: str = ""
    audio: dict[str, float] | None = None
    audio_provider: str | None = None
    preview_features: dict[str, float] | None = None
    #: The Deezer twin of a track from another service (:mod:`bot.sources.deezer_match`).
    deezer_id: str | None = None

    def to_dict(self) -> dict[str, Any]:
        """The JSON shape of a track (without the transient preview URL)."""
        return {
            "id": self.id,
            "title": self.title,
            "artists": list(self.artists),
            "album": self.album,
            "label": self.label,
            "url": self.url,
            "image": self.image,
            "liked": self.liked,
            "isrc": self.isrc,
            "spotify_id": self.spotify_id,
            "release_year": self.release_year,
            "duration_ms": self.duration_ms,
            "explicit": self.explicit,
            "popularity": self.popularity,
            "genres": list(self.genres),
            "album_id": self.album_id,
            "audio": self.audio,
            "audio_provider": self.audio_provider,
            "preview_features": self.preview_features,
            "deezer_id": self.deezer_id,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Track:
        """Inverse of :meth:`to_dict`; unknown keys are ignored."""
        return cls(
            id=str(data["id"]),
            title=str(data["title"]),
            artists=tuple(data.get("artists") or ()),
            album=data.get("album") or "",
            label=data.get("label") or "",
            url=data.get("url") or "",
            image=data.get("image") or "",
            liked=data.get("liked"),
            isrc=data.get("isrc") or "",
            spotify_id=data.get("spotify_id"),
            release_year=data.get("release_year"),
            duration_ms=data.get("duration_ms"),
            explicit=data.get("explicit"),
            popularity=data.get("popularity"),
            genres=tuple(data.get("genres") or ()),
            album_id=data.get("album_id") or "",
            audio=data.get("audio"),
            audio_provider=data.get("audio_provider"),
            preview_features=data.get("preview_features"),
            deezer_id=data.get("deezer_id"),
        )


@dataclass(slots=True)
class Playlist:
    """A fetched playlist: its tracks in playlist order and what was skipped and why.

    ``snapshot`` changes whenever the content changes (Spotify ``snapshot_id``,
    Deezer ``checksum``, a content hash for files); it is the natural cache key.
    ``skipped`` maps a reason ("local file", "duplicate") to how many entries it hit.
    ``notes`` counts tracks that were kept but deserve a word to the user, by what
    they have in common ("track not playable on Deezer in this server's region").
    """

    ref: PlaylistRef
    name: str
    tracks: list[Track]
    snapshot: str
    owner: str = ""
    image: str = ""
    url: str = ""
    skipped: dict[str, int] = field(default_factory=dict)
    notes: dict[str, int] = field(default_factory=dict)
    #: How many tracks the service says the playlist has (None: it does not say).
    listed: int | None = None
    #: Where the tracks were read from when it is not the service's API
    #: ("Spotify's public embed page"); "" for the usual place.
    origin: str = ""
    #: Why fewer tracks were read than the playlist has (said to the user as it is).
    limit_note: str = ""
    #: How many tracks were matched to Deezer (None: no matching was needed).
    matched: int | None = None
    #: How many tracks still waited for a Deezer lookup (their match, or their album's
    #: details) when the answer went out: the bot's match budget; they go on in the
    #: background into the match cache. Such a playlist is not cached as it is.
    match_pending: int = 0
    #: Feature providers that already looked at every track while the pages arrived
    #: (:mod:`bot.features.stream`); not stored: a cached playlist starts empty.
    enriched_by: frozenset[str] = field(default_factory=frozenset, compare=False, repr=False)

    def skip(self, reason: str, count: int = 1) -> None:
        """Count ``count`` entries left out for ``reason``."""
        self.skipped[reason] = self.skipped.get(reason, 0) + count

    def note(self, what: str, count: int = 1) -> None:
        """Count ``count`` kept tracks that share ``what`` (said to the user beside the skips)."""
        self.notes[what] = self.notes.get(what, 0) + count

    def admit(self, result: Track | str, seen: set[str]) -> bool:
        """Append a parsed entry: a reason (str) is counted as a skip, a track whose id is
        in ``seen`` as a duplicate; True when the track was added (and its id seen)."""
        if isinstance(result, str):
            self.skip(result)
            return False
        if result.id in seen:
            self.skip("duplicate")
            return False
        seen.add(result.id)
        self.tracks.append(result)
        return True


@dataclass(slots=True)
class FeatureTable:
    """The matrix the clustering sees, one row per track and one column per feature.

    ``scaled`` has shape (n_tracks, n_columns): imputed and standardised columns;
    ``matrix`` is the columns' normal scores times ``weights``, what the clustering
    uses; ``spread`` is each
    column's standard deviation in its own units (to judge if a difference matters). ``family`` says
    which audio family leads ("provider", "preview", or "metadata" when no audio
    family covers most tracks) and ``coverage`` how many tracks had it.
    """

    matrix: np.ndarray
    scaled: np.ndarray
    columns: list[str]
    weights: np.ndarray
    spread: np.ndarray
    family: str
    coverage: int
    providers: dict[str, int]
    dropped: list[str] = field(default_factory=list)
    #: The first ``lead_columns`` columns define the sound families (the audio
    #: columns; every column when metadata leads). 0 means "all columns".
    lead_columns: int = 0


@dataclass(slots=True)
class Clustering:
    """Cluster labels per track, numbered by size (0 is the largest cluster)."""

    labels: np.ndarray
    k: int
    silhouette: float | None
    method: str
    note: str = ""


@dataclass(slots=True)
class Projection:
    """A 2-D position per track plus an axis label naming what drives each axis."""

    points: np.ndarray
    x_label: str
    y_label: str


@dataclass(slots=True)
class Cluster:
    """One cluster as users see it: number from 1 (largest first), a name, its tracks."""

    number: int
    name: str
    tracks: list[Track]
    traits: list[str] = field(default_factory=list)
    #: Tracks placed without sound features: track id -> how ("album" or "artist":
    #: with most of the same album's / artist's tracks; "none": in the group
    #: "not enough to hear"). Empty when every track was placed by its sound.
    unheard: dict[str, str] = field(default_factory=dict)

    @property
    def size(self) -> int:
        return len(self.tracks)

    @property
    def unheard_only(self) -> bool:
        """The group "not enough to hear": every track placed without sound or kin."""
        return bool(self.tracks) and all(self.unheard.get(t.id) == "none" for t in self.tracks)


@dataclass(slots=True)
class AnalysisOptions:
    """What the user asked for; ``k`` and ``metadata_weight`` are part of the cache key.

    ``complete``: wait for every lookup, whatever the time budgets (a weekly post,
    which nobody waits on; see :mod:`bot.patience`). Not part of the key: a complete
    analysis is the same analysis, only never ``partial``.
    """

    k: int | None = None
    metadata_weight: float = 0.5
    complete: bool = False

    def key(self) -> str:
        """A stable text form for cache keys."""
        return f"k={self.k or 'auto'};mw={self.metadata_weight:g}"


@dataclass(slots=True)
class FeatureInfo:
    """Which features the clustering used and how many tracks had them."""

    family: str
    columns: list[str]
    coverage: int
    providers: dict[str, int] = field(default_factory=dict)
    dropped: list[str] = field(default_factory=list)
    summary: str = ""


@dataclass(slots=True)
class Analysis:
    """A finished analysis: what the renderers, the bot and the cache need.

    ``labels`` gives each track's cluster index (0-based, largest cluster first) in
    playlist order; ``points`` its 2-D position for the picture, shape (n, 2).
    """

    playlist: Playlist
    clusters: list[Cluster]
    labels: list[int]
    points: np.ndarray
    x_label: str
    y_label: str
    features: FeatureInfo
    options: AnalysisOptions
    silhouette: float | None = None
    note: str = ""
    png: bytes = b""
    #: Some lookups were left past a time budget (a fuller answer is coming): kept for
    #: paging, never reused for a new request (not stored: the cache's ``;partial``).
    partial: bool = False

    @property
    def track_count(self) -> int:
        return len(self.playlist.tracks)

    @property
    def sound_cluster_count(self) -> int:
        """Clusters found by sound: all but a group "not enough to hear" (what k counts)."""
        return sum(1 for c in self.clusters if not c.unheard_only)


#: Bumped whenever the analysis (features, clustering, naming) changes its results,
#: so cached analyses made by older code are not served (part of :func:`analysis_key`).
ANALYSIS_VERSION = 3
#: At most this many playlists on one taste map (colours and legend stay readable).
MAX_TASTE_PLAYLISTS = 10


def analysis_key(playlist: Playlist, options: AnalysisOptions) -> str:
    """The cache key of an analysis: playlist snapshot + name + options + analysis version.

    A 32-character hex digest, safe for Discord custom ids and file names. What else
    shaped the result (feature providers, k range, seed) is stored beside it as the
    analysis' *variant* (``Pipeline.cache_variant``), so anyone holding the playlist
    and options finds the analysis by this key alone.
    """
    parts = (
        playlist.ref.source,
        playlist.ref.id,
        playlist.snapshot,
        playlist.name,
        options.key(),
        f"analysis={ANALYSIS_VERSION}",
    )
    return hashlib.sha256("\x1f".join(parts).encode("utf-8")).hexdigest()[:32]


#: Progress reports: (stage, done, total). ``total`` is 0 when unknown.
ProgressCallback = Callable[[str, int, int], None]


def no_progress(stage: str, done: int, total: int) -> None:
    """A progress callback that ignores every report."""
