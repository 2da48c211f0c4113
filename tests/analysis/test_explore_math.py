"""Nearest tracks, what sets a cluster apart, and map axes (pure functions)."""

from __future__ import annotations

import numpy as np

from bot.analysis.apart import differences
from bot.analysis.axes import axis_choices, axis_values, map_data
from bot.analysis.features import build_feature_table
from bot.analysis.similar import find_track, nearest, track_choices
from bot.model import AnalysisOptions
from bot.pipeline.runner import compute_analysis
from tests.conftest import blob_playlist


def test_nearest_tracks_come_from_the_same_group_and_say_what_they_share() -> None:
    playlist, truth = blob_playlist()
    table = build_feature_table(playlist.tracks)
    for index in (0, 5, 17):
        found = nearest(table.matrix, table.scaled, table.columns, index)
        assert len(found) == 10 and index not in [n.index for n in found]
        assert all(truth[n.index] == truth[index] for n in found)
        distances = [n.distance for n in found]
        assert distances == sorted(distances)
        assert any(n.shared for n in found)
        for n in found:
            for column, above in n.shared:
                i = table.columns.index(column)
                assert (table.scaled[index, i] > 0) == above == (table.scaled[n.index, i] > 0)


def test_nearest_in_a_tiny_playlist_lists_everyone_else() -> None:
    matrix = np.array([[0.0], [1.0], [3.0]])
    found = nearest(matrix, matrix, ["tempo"], 1)
    assert [n.index for n in found] == [0, 2]


def test_differences_name_the_features_that_set_a_group_apart() -> None:
    playlist, truth = blob_playlist()
    table = build_feature_table(playlist.tracks)
    # group 1 is slow, quiet, acoustic
    found = differences(table.scaled, table.columns, truth, 1)
    top = {column for column, _ in found[:3]}
    assert top <= {"acousticness", "energy", "danceability", "tempo", "valence"}
    values = dict(found)
    assert values["acousticness"] > 1 and values["energy"] < -1
    assert [abs(v) for _, v in found] == sorted((abs(v) for _, v in found), reverse=True)
    assert differences(table.scaled, table.columns, truth, 9) == []


def test_map_axes_use_features_in_their_own_units() -> None:
    playlist, _ = blob_playlist()
    playlist.tracks[0].audio.pop("tempo")
    analysis = compute_analysis(playlist, AnalysisOptions(k=3), render_png=False)
    choices = axis_choices(analysis.features.columns)
    assert choices[:5] == ["danceability", "energy", "valence", "acousticness", "tempo"]
    tempo = axis_values(playlist.tracks, "provider", "tempo")
    assert np.isnan(tempo[0]) and 60 < np.nanmean(tempo) < 180
    data = map_data(analysis, "tempo", None)
    assert data.missing == 1 and data.points.shape == (len(playlist.tracks) - 1, 2)
    assert data.x_label == "tempo (BPM)" and data.y_label == analysis.y_label
    auto = map_data(analysis, None, None)
    assert not auto.features and np.array_equal(auto.points, analysis.points)


def test_track_lookup_and_autocomplete() -> None:
    titles = [("怪物", ("YOASOBI",), "a" * 22), ("Monster", ("Someone",), "b"), ("x", (), "#3")]
    assert track_choices(titles, "mon") == [("Monster — Someone", "b")]
    assert track_choices(titles, "")[2] == ("x", "#2")  # an id that looks like #n is not used
    assert find_track(titles, "a" * 22) == 0
    assert find_track(titles, "#2") == 2
    assert find_track(titles, "怪物 — yoasobi") == 0
    assert find_track(titles, "onste") == 1
    assert find_track(titles, "nothing") is None and find_track(titles, "#9") is None


def test_choice_names_stay_within_discords_100_units_with_emoji() -> None:
    from bot.analysis.similar import cut
    from bot.text import utf16_len as utf16_units

    name = "🎧" * 80
    assert utf16_units(cut(name)) <= 100 and cut(name).endswith("…")
    titles = [(name, ("🚗" * 70,), "🎵" * 60)]
    ((shown, value),) = track_choices(titles, "")
    assert utf16_units(shown) <= 100
    assert value == "#0"  # the id is over 100 units


def test_bars_leave_out_the_rows_they_are_told_to() -> None:
    """Tracks placed without sound had filled-in values: they must not shape the bars."""
    from bot.analysis.apart import differences

    scaled = np.array([[1.0, 0.0], [1.2, 0.1], [-1.0, 0.0], [-1.1, -0.1], [9.0, 9.0]])
    labels = np.array([0, 0, 1, 1, 0])
    everyone = differences(scaled, ["energy", "tempo"], labels, 0)
    heard = differences(scaled, ["energy", "tempo"], labels, 0, rows=np.array([1, 1, 1, 1, 0]) > 0)
    assert dict(everyone)["tempo"] > 1.0  # the filled-in row pulls tempo up
    assert abs(dict(heard).get("tempo", 0.0)) < 1.0 and dict(heard)["energy"] > 0.9
