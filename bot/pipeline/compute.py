"""The CPU part of an analysis: feature table -> clusters -> names -> projection -> picture.

Pure (no I/O): :class:`bot.pipeline.runner.Pipeline` runs :func:`compute_analysis` in a
worker thread once the tracks have their features; benchmarks and tests call it
directly.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence

from bot.analysis.clustering import cluster_tracks
from bot.analysis.features import build_feature_table
from bot.analysis.naming import cluster_traits, name_clusters
from bot.analysis.projection import project_2d
from bot.model import (
    Analysis,
    AnalysisOptions,
    Cluster,
    FeatureInfo,
    FeatureTable,
    Playlist,
    Track,
)
from bot.render.scatter import legend_entries, render_scatter

FAMILY_WORDS = {
    "provider": "audio features",
    "preview": "features from preview audio",
    "metadata": "metadata only",
}
PROVIDER_NAMES = {
    "csv": "from the file",
    "spotify": "Spotify",
    "reccobeats": "ReccoBeats",
    "deezer": "Deezer",
    "preview analysis": "preview analysis",
}
#: Providers that fill only some of the audio columns, and which.
PARTIAL_PROVIDERS = {"deezer": "tempo and loudness only"}


def _track_sort_key(track: Track) -> tuple[str, int, str]:
    """Tables list tracks by first artist, then release year, then title (as the reference)."""
    artist = track.artists[0].casefold() if track.artists else "\uffff"
    return (artist, track.release_year or 9999, track.title.casefold())


def _by_provider(providers: Mapping[str, int]) -> str:
    """'ReccoBeats 60, Deezer 15 with tempo and loudness only' (no counts for just one)."""
    return ", ".join(
        f"{PROVIDER_NAMES.get(name, name)}"
        + (f" {count:,}" if len(providers) > 1 else "")
        + (f" with {PARTIAL_PROVIDERS[name]}" if name in PARTIAL_PROVIDERS else "")
        for name, count in sorted(providers.items(), key=lambda kv: -kv[1])
    )


def describe_features(
    table: FeatureTable, total: int, tracks: Sequence[Track] | None = None
) -> str:
    """'30 of 30 tracks had audio features (from the file)' style summary.

    When metadata leads, ``tracks`` (optional) lets it still say how many tracks had
    which audio features, too few to lead.
    """
    if table.family == "metadata":
        have = Counter(t.audio_provider or "unknown" for t in tracks or () if t.audio)
        have.update("preview analysis" for t in tracks or () if t.preview_features)
        if not have:
            return (
                f"Clustered on metadata only (no audio features for most of the {total:,} tracks)."
            )
        covered = sum(1 for t in tracks or () if t.audio or t.preview_features)
        return (
            f"Clustered on metadata only: {covered:,} of {total:,} tracks had audio "
            f"features ({_by_provider(have)}), too few to lead."
        )
    sources = _by_provider(table.providers)
    return f"{table.coverage:,} of {total:,} tracks had {FAMILY_WORDS[table.family]} ({sources})."


def compute_analysis(
    playlist: Playlist,
    options: AnalysisOptions,
    *,
    k_min: int = 2,
    k_max: int = 12,
    random_state: int = 0,
    render_png: bool = True,
) -> Analysis:
    """Cluster, name, project and draw ``playlist``. CPU-bound: call it from a thread."""
    table = build_feature_table(playlist.tracks, metadata_weight=options.metadata_weight)
    clustering = cluster_tracks(
        table.matrix,
        k=options.k,
        k_min=k_min,
        k_max=k_max,
        random_state=random_state,
        lead_columns=table.lead_columns,
    )
    labels = clustering.labels
    traits = cluster_traits(table.scaled, table.columns, labels, table.spread)
    names = name_clusters(traits) if clustering.k > 1 else ["the whole playlist"]
    clusters = [
        Cluster(
            number=c + 1,
            name=names[c],
            tracks=sorted(
                (t for t, label in zip(playlist.tracks, labels, strict=True) if label == c),
                key=_track_sort_key,
            ),
            traits=traits[c] if c < len(traits) else [],
        )
        for c in range(clustering.k)
    ]
    projection = project_2d(table.matrix, table.columns, random_state)
    info = FeatureInfo(
        family=table.family,
        columns=table.columns,
        coverage=table.coverage,
        providers=table.providers,
        dropped=table.dropped,
        summary=describe_features(table, len(playlist.tracks), playlist.tracks),
    )
    analysis = Analysis(
        playlist=playlist,
        clusters=clusters,
        labels=[int(x) for x in labels],
        points=projection.points,
        x_label=projection.x_label,
        y_label=projection.y_label,
        features=info,
        options=options,
        silhouette=clustering.silhouette,
        note=clustering.note,
    )
    if render_png:
        analysis.png = draw(analysis)
    return analysis


def draw(analysis: Analysis) -> bytes:
    """The scatter PNG of an analysis."""
    return render_scatter(
        analysis.points,
        analysis.labels,
        legend_entries(
            [c.number for c in analysis.clusters],
            [c.name for c in analysis.clusters],
            [c.size for c in analysis.clusters],
        ),
        title=f"Clusters in {analysis.playlist.name}",
        x_label=analysis.x_label,
        y_label=analysis.y_label,
    )
