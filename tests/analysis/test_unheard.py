"""Tracks without sound features: placed by album or artist, never by invented values."""

from __future__ import annotations

import dataclasses
import json

import numpy as np

from bot.analysis.unheard import ALONE, BY_ALBUM, BY_ARTIST, UNHEARD_NAME, place_unheard
from bot.model import AnalysisOptions, Playlist, Track
from bot.pipeline.compute import compute_analysis
from bot.render.document import from_document, to_document
from bot.render.markdown import render_markdown
from bot.render.pages import Position, build_page
from tests.conftest import blob_playlist


def _with_bands(sizes: tuple[int, ...] = (40, 30, 20)) -> tuple[Playlist, np.ndarray]:
    """Blobs whose tracks are by three bands per group (a band plays one sound)."""
    playlist, truth = blob_playlist(sizes, seed=4)
    tracks = [
        dataclasses.replace(t, artists=(f"Band {g}-{i % 3}",))
        for i, (t, g) in enumerate(zip(playlist.tracks, truth, strict=True))
    ]
    return dataclasses.replace(playlist, tracks=tracks), truth


def _silence(playlist: Playlist, every: int) -> tuple[Playlist, set[str]]:
    """Every ``every``-th track loses its sound features."""
    tracks = [
        dataclasses.replace(t, audio=None, audio_provider=None) if i % every == 0 else t
        for i, t in enumerate(playlist.tracks)
    ]
    silent = {t.id for i, t in enumerate(playlist.tracks) if i % every == 0}
    return dataclasses.replace(playlist, tracks=tracks), silent


def _cluster_of(analysis, track_id: str) -> int:  # type: ignore[no-untyped-def]
    return next(c.number for c in analysis.clusters if any(t.id == track_id for t in c.tracks))


def test_tracks_without_features_join_their_artists_cluster_not_one_of_their_own() -> None:
    playlist, truth = _with_bands()
    silent_playlist, silent = _silence(playlist, 10)  # 10% without sound features
    analysis = compute_analysis(silent_playlist, AnalysisOptions(), render_png=False)
    assert len(analysis.clusters) == 3  # no cluster made of them
    group_of = {t.id: int(g) for t, g in zip(playlist.tracks, truth, strict=True)}
    for track_id in silent:
        # the cluster holding the heard tracks of the same group (so of the same band)
        heard_same_group = [
            t.id
            for t in playlist.tracks
            if group_of[t.id] == group_of[track_id] and t.id not in silent
        ]
        assert _cluster_of(analysis, track_id) == _cluster_of(analysis, heard_same_group[0])
    marked = {i: how for c in analysis.clusters for i, how in c.unheard.items()}
    assert marked == dict.fromkeys(silent, BY_ARTIST)
    assert "had too few sound features" in analysis.features.summary


def test_cluster_names_come_only_from_tracks_with_features() -> None:
    playlist, _ = _with_bands()
    silent_playlist, silent = _silence(playlist, 7)
    with_them = compute_analysis(silent_playlist, AnalysisOptions(), render_png=False)
    heard_only = dataclasses.replace(
        playlist, tracks=[t for t in playlist.tracks if t.id not in silent]
    )
    without = compute_analysis(heard_only, AnalysisOptions(), render_png=False)
    assert [c.name for c in with_them.clusters] == [c.name for c in without.clusters]
    assert [c.traits for c in with_them.clusters] == [c.traits for c in without.clusters]


def test_strangers_without_features_get_their_own_group_marked_on_every_output() -> None:
    playlist, _ = _with_bands()
    tracks = list(playlist.tracks)
    tracks[3] = Track(id="stranger", title="Unknown 夜に駆ける 🎧", artists=("Nobody",))
    playlist = dataclasses.replace(playlist, tracks=tracks)
    analysis = compute_analysis(playlist, AnalysisOptions(), render_png=True)
    last = analysis.clusters[-1]
    assert last.name == UNHEARD_NAME and [t.id for t in last.tracks] == ["stranger"]
    assert last.unheard == {"stranger": ALONE}
    assert np.isnan(analysis.points[3]).all() and not np.isnan(analysis.points[4]).any()
    assert analysis.png.startswith(b"\x89PNG")
    card = build_page(analysis, Position(len(analysis.clusters) - 1, 0))
    assert "Unknown 夜に駆ける 🎧** 🔇" in card.cells[0].text  # the mark after the title
    page = render_markdown(analysis)
    assert "Unknown 夜に駆ける 🎧 🔇" in page and "1 🔇 without sound features" in page
    doc = json.loads(json.dumps(to_document(analysis), allow_nan=False))
    assert doc["clusters"][-1]["placed_without_sound"] == {"stranger": ALONE}
    assert doc["points"][3] is None
    back = from_document(doc)
    assert back.clusters[-1].unheard == {"stranger": ALONE} and np.isnan(back.points[3]).all()


def test_album_outvotes_artist_and_ties_go_to_the_larger_cluster() -> None:
    tracks = [
        Track(id="a", title="a", artists=("X",), album="One"),
        Track(id="b", title="b", artists=("X",), album="Two"),
        Track(id="c", title="c", artists=("X",), album="Two"),
        Track(id="quiet", title="q", artists=("X",), album="One"),
        Track(id="tie", title="t", artists=("Y", "Z")),
        Track(id="y", title="y", artists=("y",)),
        Track(id="z", title="z", artists=("Z",)),
    ]
    heard = np.array([True, True, True, False, False, True, True])
    placement = place_unheard(tracks, heard, np.array([0, 1, 1, 1, 0]))
    assert placement.labels[3] == 0 and placement.how[3] == BY_ALBUM  # X is mostly in 1
    assert placement.labels[4] == 0 and placement.how[4] == BY_ARTIST  # Y in 1, Z in 0: tie
