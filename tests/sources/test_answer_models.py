"""The typed models of provider answers: every shape seen in the wild, and garbage."""

from __future__ import annotations

import pytest

from bot import spotify_api
from bot.errors import UnusableAnswer
from bot.model import Track
from bot.sources import deezer_api
from tests.fakes.recorded import recorded_json
from tests.fakes.spotify import episode_entry, local_entry, track_object


@pytest.mark.parametrize("key", ["item", "track"])
def test_spotify_entry_under_item_or_track(key) -> None:
    result = spotify_api.parse_entry({"is_local": False, key: track_object(3)})
    assert isinstance(result, Track)
    assert result.release_year == 1993
    assert result.image.endswith("-300")
    assert result.popularity == 43


@pytest.mark.parametrize(
    ("entry", "reason"),
    [
        (None, "unavailable entry"),
        ({"added_at": "2026-01-01T00:00:00Z"}, "unavailable entry"),
        ({"item": None, "track": None}, "unavailable entry"),
        ({"is_local": True, "item": local_entry()}, "local file"),
        ({"item": episode_entry(1)}, "podcast episode"),
        ({"item": {"type": "track", "id": None, "name": "gone"}}, "unavailable entry"),
        ({"item": {"type": "track", "id": "x", "name": {"a": 1}}}, "unreadable entry"),
        ({"item": "not an object"}, "unreadable entry"),
        ([1, 2, 3], "unreadable entry"),
    ],
)
def test_spotify_entries_that_are_skipped(entry, reason) -> None:
    assert spotify_api.parse_entry(entry) == reason


def test_spotify_development_mode_track_without_popularity() -> None:
    obj = track_object(4)
    del obj["popularity"], obj["external_ids"]
    result = spotify_api.parse_entry({"item": obj})
    assert isinstance(result, Track)
    assert (result.popularity, result.isrc) == (None, "")


@pytest.mark.parametrize("payload", [[], "text", {"items": "no"}, {"items": [], "total": "x"}])
def test_spotify_page_of_another_shape_is_one_error(payload) -> None:
    with pytest.raises(UnusableAnswer, match="Spotify gave an unusable answer for a page"):
        spotify_api.parse_answer(spotify_api.Page, payload, "a page of that playlist")


def test_deezer_numbers_as_strings_and_unplayable() -> None:
    entry = {
        "id": "78232944",
        "readable": False,
        "title": "Down By The River",
        "duration": "243",
        "rank": "754484",
        "artist": {"id": "4512147", "name": "Milky Chance"},
        "album": {"id": "7589291", "title": "Sadnecessary"},
        "type": "track",
    }
    track, unplayable = deezer_api.parse_track(entry)
    assert isinstance(track, Track)
    assert (track.id, track.duration_ms, track.album_id) == ("78232944", 243_000, "7589291")
    assert unplayable


@pytest.mark.parametrize(
    ("entry", "reason"),
    [
        (None, "unavailable entry"),
        ({"id": None, "title": "?"}, "unavailable entry"),
        ({"id": 5, "type": "episode", "title": "show"}, "podcast episode"),
        ({"id": 5, "title": ["x"]}, "unreadable entry"),
    ],
)
def test_deezer_entries_that_are_skipped(entry, reason) -> None:
    assert deezer_api.parse_track(entry) == (reason, False)


def test_deezer_recorded_album_details() -> None:
    album = deezer_api.AlbumDetails.model_validate(recorded_json("deezer_album_302127.json"))
    assert (album.label, album.genre_names, album.year) == ("Parlophone France", ("Dance",), 2001)
    assert deezer_api.AlbumDetails(release_date="0000-00-00").year is None
