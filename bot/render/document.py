"""The JSON document of an analysis, and back (pure).

The same document is the CLI's ``clusters.json`` and what the cache stores, so a
cached analysis can be shown again without re-running anything.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

from bot.locales import ENGLISH, N_, Words, said_again
from bot.model import (
    ANALYSIS_VERSION,
    Analysis,
    AnalysisOptions,
    Cluster,
    FeatureInfo,
    Playlist,
    PlaylistRef,
    Track,
)

if TYPE_CHECKING:
    from bot.locales import Words

__all__ = ["ANALYSIS_VERSION", "from_document", "to_document"]


def _point(x: float, y: float) -> list[float] | None:
    """A position rounded for the file, or None for a track that has none (NaN)."""
    if math.isnan(x) or math.isnan(y):
        return None
    return [round(float(x), 5), round(float(y), 5)]


def reading(analysis: Analysis) -> dict[str, Any]:
    """What could be read: tracks listed (None: the service does not say), read, matched
    to Deezer (None: no matching needed), with audio features, and from where."""
    playlist = analysis.playlist
    return {
        "listed": playlist.listed,
        "read": len(playlist.tracks),
        "matched": playlist.matched,
        "with_features": with_audio(playlist),
        "from": playlist.origin,
        "limit": playlist.limit_note,
        # tracks whose Deezer lookups were still going on (the bot's budget; 0 in the CLI)
        "pending": playlist.match_pending,
    }


def with_audio(playlist: Playlist) -> int:
    """Tracks with audio features of either family (a provider's or the preview's)."""
    return sum(1 for t in playlist.tracks if t.audio or t.preview_features)


#: Why fewer tracks were read than listed (``Playlist.limit_note``, set by the sources in
#: English with ``str.format``; said again in other languages by ``said_again``).
SPOTIFY_CAP = N_(
    "{read} of {listed} tracks: Spotify shows apps without access only the first {read}. "
    "Connect your Spotify (if it is yours) or upload an Exportify CSV for all of them."
)
SPOTIFY_PAGE_CAP = N_(
    "Only the first {read} tracks: Spotify's public page shows at most {cap}, so the "
    "playlist may have more. Connect your Spotify (if it is yours) or upload an Exportify "
    "CSV for all of them."
)
YOUTUBE_CAP = N_(
    "{read} of {listed} tracks: YouTube Music gave no more without an account (some may be "
    "hidden or unavailable)."
)
APPLE_CAP = N_(
    "{read} of {listed} tracks: Apple Music's public page shows only the first {read}. A "
    "Spotify, Deezer or YouTube Music link of the same playlist, or a CSV export, reads all "
    "of them."
)
LIMIT_NOTES = (SPOTIFY_CAP, SPOTIFY_PAGE_CAP, YOUTUBE_CAP, APPLE_CAP)


def reading_sentences(analysis: Analysis, words: Words = ENGLISH) -> list[str]:
    """The counts of :func:`reading` as sentences for the CLI and the bot, then the
    reason fewer tracks were read than listed (empty for a playlist read whole); in
    ``words``' language (the CLI's English is ``bot.text.describe_reading``'s)."""
    from bot.text import describe_reading

    playlist = analysis.playlist
    counts = {
        "listed": playlist.listed,
        "read": len(playlist.tracks),
        "matched": playlist.matched,
        "with_features": with_audio(playlist),
        "origin": playlist.origin,
    }
    said = describe_reading(**counts)  # type: ignore[arg-type]
    if said and words is not ENGLISH:
        said = _reading_in(words, **counts)  # type: ignore[arg-type]
    limit = said_again(playlist.limit_note, LIMIT_NOTES, words)
    return [s for s in (said + "." if said else "", limit) if s]


def _reading_in(
    words: Words,
    *,
    listed: int | None,
    read: int,
    matched: int | None,
    with_features: int,
    origin: str,
) -> str:
    """:func:`bot.text.describe_reading` in ``words``' language."""
    if listed is None:
        head = words.n("Read {count} track", "Read {count} tracks", read)
    else:
        head = words.n(
            "Read {read} of {count} track", "Read {read} of {count} tracks", listed, read=read
        )
    if origin:
        head = words("{read} from {origin}", read=head, origin=words(origin))
    parts = [head]
    if matched is not None:
        parts.append(words("{count} matched on Deezer", count=matched))
    parts.append(words("{count} with audio features", count=with_features))
    return "; ".join(parts)


def pending_sentences(playlist: Playlist, words: Words | None = None) -> list[str]:
    """The bot's sentence about tracks whose Deezer lookups go on past the answer's
    budget (``Playlist.match_pending``), in the member's language; [] when none."""
    if not playlist.match_pending:
        return []
    from bot.locales import ENGLISH

    return [
        (words or ENGLISH).n(
            "Album, label and art of {count} track are still being looked up on Deezer: "
            "ask again in a minute for the full table.",
            "Album, label and art of {count} tracks are still being looked up on Deezer: "
            "ask again in a minute for the full table.",
            playlist.match_pending,
        )
    ]


def to_document(analysis: Analysis) -> dict[str, Any]:
    """A JSON-ready dict: playlist, clusters with their tracks, skipped rows, features."""
    playlist = analysis.playlist
    return {
        "version": ANALYSIS_VERSION,
        "playlist": {
            "name": playlist.name,
            "source": playlist.ref.source,
            "id": playlist.ref.id,
            "track_count": len(playlist.tracks),
            "snapshot": playlist.snapshot,
            "owner": playlist.owner,
            "image": playlist.image,
            "url": playlist.url,
        },
        "clusters": [
            {
                "number": c.number,
                "name": c.name,
                "size": c.size,
                "traits": c.traits,
                "tracks": [t.to_dict() for t in c.tracks],
                # track id -> "album" / "artist" / "none": placed without sound features
                "placed_without_sound": dict(c.unheard),
            }
            for c in analysis.clusters
        ],
        "skipped": dict(playlist.skipped),
        "notes": dict(playlist.notes),
        "reading": reading(analysis),
        "features": list(analysis.features.columns),
        "feature_family": analysis.features.family,
        "feature_coverage": analysis.features.coverage,
        "feature_providers": dict(analysis.features.providers),
        "features_dropped": list(analysis.features.dropped),
        "feature_summary": analysis.features.summary,
        "options": {
            "clusters": analysis.options.k,
            "metadata_weight": analysis.options.metadata_weight,
        },
        "silhouette": analysis.silhouette,
        "note": analysis.note,
        # lookups were left past a time budget: never reused for a new request
        "partial": analysis.partial,
        "axes": {"x": analysis.x_label, "y": analysis.y_label},
        "order": [t.id for t in playlist.tracks],
        "labels": list(analysis.labels),
        # tracks placed without sound features have no position: null
        "points": [_point(x, y) for x, y in analysis.points],
    }


def from_document(doc: dict[str, Any], png: bytes = b"") -> Analysis:
    """Rebuild an :class:`Analysis` from :func:`to_document`'s output."""
    import numpy as np

    meta = doc["playlist"]
    clusters = [
        Cluster(
            number=c["number"],
            name=c["name"],
            tracks=[Track.from_dict(t) for t in c["tracks"]],
            traits=list(c.get("traits", [])),
            unheard={str(k): str(v) for k, v in (c.get("placed_without_sound") or {}).items()},
        )
        for c in doc["clusters"]
    ]
    by_id = {t.id: t for c in clusters for t in c.tracks}
    playlist = Playlist(
        ref=PlaylistRef(meta["source"], meta["id"]),
        name=meta["name"],
        tracks=[by_id[i] for i in doc["order"]],
        snapshot=meta["snapshot"],
        owner=meta.get("owner", ""),
        image=meta.get("image", ""),
        url=meta.get("url", ""),
        skipped=dict(doc.get("skipped", {})),
        notes=dict(doc.get("notes", {})),
        listed=doc.get("reading", {}).get("listed"),
        origin=doc.get("reading", {}).get("from", ""),
        limit_note=doc.get("reading", {}).get("limit", ""),
        matched=doc.get("reading", {}).get("matched"),
        match_pending=doc.get("reading", {}).get("pending") or 0,
    )
    options = doc.get("options", {})
    return Analysis(
        playlist=playlist,
        clusters=clusters,
        labels=[int(x) for x in doc["labels"]],
        points=np.array(
            [p if p is not None else [np.nan, np.nan] for p in doc["points"]], dtype=float
        ).reshape(-1, 2),
        x_label=doc["axes"]["x"],
        y_label=doc["axes"]["y"],
        features=FeatureInfo(
            family=doc["feature_family"],
            columns=list(doc["features"]),
            coverage=int(doc["feature_coverage"]),
            providers=dict(doc.get("feature_providers", {})),
            dropped=list(doc.get("features_dropped", [])),
            summary=doc.get("feature_summary", ""),
        ),
        options=AnalysisOptions(
            k=options.get("clusters"), metadata_weight=options.get("metadata_weight", 0.5)
        ),
        silhouette=doc.get("silhouette"),
        note=doc.get("note", ""),
        partial=bool(doc.get("partial", False)),
        png=png,
    )
