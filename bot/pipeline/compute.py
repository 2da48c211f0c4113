"""The CPU part of an analysis: feature table -> clusters -> names -> projection -> picture.

Pure (no I/O): :class:`bot.pipeline.runner.Pipeline` runs :func:`compute_analysis` in a
worker thread once the tracks have their features; benchmarks and tests call it
directly.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from bot.analysis.clustering import cluster_tracks
from bot.analysis.features import build_feature_table, choose_family, sound_known
from bot.analysis.naming import cluster_traits, name_clusters
from bot.analysis.projection import project_2d
from bot.analysis.unheard import ALONE, UNHEARD_NAME, heard_mask, place_unheard
from bot.model import (
    Analysis,
    AnalysisOptions,
    Cluster,
    FeatureInfo,
    FeatureTable,
    Playlist,
    Track,
)
from bot.render.map import render_overview
from bot.render.summary import features_sentence, unheard_sentence


def _track_sort_key(track: Track) -> tuple[str, int, str]:
    """Tables list tracks by first artist, then release year, then title (as the reference)."""
    artist = track.artists[0].casefold() if track.artists else "\uffff"
    return (artist, track.release_year or 9999, track.title.casefold())


def describe_features(
    table: FeatureTable, total: int, tracks: Sequence[Track] | None = None
) -> str:
    """'30 of 30 tracks had audio features (from the file)' style summary (English;
    :mod:`bot.render.summary` says it in other languages from the same numbers).

    When metadata leads, ``tracks`` (optional) lets it still say how many tracks had
    which audio features, too few to lead.
    """
    return features_sentence(table.family, table.coverage, total, table.providers, tracks or ())


def _split_heard(
    tracks: Sequence[Track], options: AnalysisOptions
) -> tuple[np.ndarray, FeatureTable, tuple[int, dict[str, int]] | None]:
    """Which tracks are heard, the feature table of those tracks, and when some are not,
    the sound family's coverage and providers over all tracks (for the summary)."""
    everyone = np.ones(len(tracks), dtype=bool)
    family = choose_family(tracks)
    known, coverage, providers = sound_known(tracks, family)
    heard = heard_mask(known)
    if family == "metadata" or heard.all() or not heard.any():
        return everyone, build_feature_table(tracks, metadata_weight=options.metadata_weight), None
    subset = [t for t, h in zip(tracks, heard, strict=True) if h]
    heard_table = build_feature_table(
        subset, metadata_weight=options.metadata_weight, prefer=family
    )
    return heard, heard_table, (coverage, providers)


def compute_analysis(
    playlist: Playlist,
    options: AnalysisOptions,
    *,
    k_min: int = 2,
    k_max: int = 12,
    random_state: int = 0,
    render_png: bool = True,
) -> Analysis:
    """Cluster, name, project and draw ``playlist``. CPU-bound: call it from a thread.

    The clusters, their names and the picture come from the tracks that can be heard
    (see :mod:`bot.analysis.unheard`); tracks with too few sound features are placed
    afterwards by album or artist, or in a group "not enough to hear", and marked.
    """
    tracks = playlist.tracks
    heard, table, whole = _split_heard(tracks, options)
    clustering = cluster_tracks(
        table.matrix,
        k=options.k,
        k_min=k_min,
        k_max=k_max,
        random_state=random_state,
        lead_columns=table.lead_columns,
    )
    traits = cluster_traits(table.scaled, table.columns, clustering.labels, table.spread)
    names = name_clusters(traits) if clustering.k > 1 else ["the whole playlist"]
    placement = place_unheard(tracks, heard, clustering.labels)
    labels = placement.labels
    groups = clustering.k + (ALONE in placement.how.values())
    names, traits = [*names, UNHEARD_NAME], [*traits, []]
    how_by_id = {tracks[i].id: how for i, how in placement.how.items()}
    clusters = [
        Cluster(
            number=c + 1,
            name=names[c],
            tracks=sorted(
                (t for t, label in zip(tracks, labels, strict=True) if label == c),
                key=_track_sort_key,
            ),
            traits=traits[c] if c < len(traits) else [],
            unheard={
                t.id: how_by_id[t.id]
                for t, label in zip(tracks, labels, strict=True)
                if label == c and t.id in how_by_id
            },
        )
        for c in range(groups)
    ]
    projection = project_2d(table.matrix, table.columns, random_state)
    points = np.full((len(tracks), 2), np.nan)
    points[heard] = projection.points
    coverage, providers = whole or (table.coverage, table.providers)
    summary = features_sentence(table.family, coverage, len(tracks), providers, tracks)
    info = FeatureInfo(
        family=table.family,
        columns=table.columns,
        coverage=coverage,
        providers=providers,
        dropped=table.dropped,
        summary=" ".join(x for x in (summary, unheard_sentence(placement.how)) if x),
    )
    analysis = Analysis(
        playlist=playlist,
        clusters=clusters,
        labels=[int(x) for x in labels],
        points=points,
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
    """The scatter PNG of an analysis, in English (:func:`bot.render.map.render_overview`;
    other languages are drawn when a page needs them, ``bot.services.explorer``)."""
    return render_overview(analysis)
