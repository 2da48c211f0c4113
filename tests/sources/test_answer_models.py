"""The typed models of provider answers: every shape seen in the wild, and garbage."""

from __future__ import annotations

import json

import pytest

from bot.errors import UnusableAnswer
from bot.model import Track
from bot.net import spotify_api
from bot.sources import deezer_api
from tests.fakes.recorded import recorded_json, recording
from tests.fakes.spotify import ADDED_BY, episode_entry, local_entry, track_object


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


def _page_bytes(items: list, **extra) -> bytes:
    return json.dumps({"items": items, "total": len(items), "limit": 100, **extra}).encode()


def _entry(i: int) -> dict:
    """An entry as the API sends it, every field a real one has (markets included)."""
    return {"added_at": "2026-01-01T00:00:00Z", "added_by": ADDED_BY, "item": track_object(i)}


def _per_entry(body: bytes) -> list:
    """The reference: the decoded JSON parsed entry by entry."""
    return [spotify_api.parse_entry(raw) for raw in json.loads(body)["items"]]


KINDS = [
    None,
    {"item": None, "track": None},
    {"is_local": True, "item": local_entry()},
    {"item": episode_entry(1)},
    {"track": track_object(7)},
    {"item": {"type": "track", "id": None, "name": "gone"}},
]


def test_spotify_page_read_from_bytes_without_json_loads(monkeypatch) -> None:
    """A page of readable entries (every kind of skip included) is read in one step from
    its bytes: json.loads never runs, and the result is what entry-by-entry parsing gives."""
    body = _page_bytes([_entry(i) for i in range(5)] + KINDS, next=None)
    expected = _per_entry(body)

    def no_loads(_body: bytes) -> None:
        raise AssertionError("the fast path decoded the page with json.loads")

    monkeypatch.setattr(spotify_api, "loads", no_loads)
    page = spotify_api.read_page(body)
    assert page is not None
    assert page.entries == expected
    assert (page.total, page.limit) == (11, 100)
    assert sum(isinstance(e, Track) for e in page.entries) == 6


@pytest.mark.parametrize(
    "bad",
    [
        {"item": {"type": "track", "id": "x", "name": {"a": 1}}},
        {"item": "not an object"},
        [1, 2, 3],
        17,
    ],
)
def test_spotify_page_with_an_unreadable_entry_skips_only_it(bad) -> None:
    body = _page_bytes([_entry(1), bad, *KINDS, _entry(2)])
    page = spotify_api.read_page(body)
    assert page is not None
    assert page.entries == _per_entry(body)
    assert page.entries[1] == "unreadable entry"
    assert isinstance(page.entries[0], Track) and isinstance(page.entries[-1], Track)


@pytest.mark.parametrize("name", ["spotify_items_page.json", "spotify_items_page_episode.json"])
def test_spotify_recorded_pages_read_from_bytes(name) -> None:
    body = recording(name)
    page = spotify_api.read_page(body)
    assert page is not None and page.entries
    assert page.entries == _per_entry(body)


def test_spotify_page_bytes_that_are_not_json_are_retried_and_other_shapes_refused() -> None:
    good = _page_bytes([_entry(1)])
    bom = spotify_api.read_page(b"\xef\xbb\xbf" + good)  # a UTF-8 BOM, as loads accepts
    assert bom is not None and bom.entries == _per_entry(good)
    for unusable in (b"", b"   ", good[: len(good) // 2], b"<html>busy</html>", b"null"):
        assert spotify_api.read_page(unusable) is None  # the HTTP client asks again
    for shape in (b"[]", b'"text"', b'{"items": "no"}', b'{"items": [], "total": "x"}'):
        with pytest.raises(UnusableAnswer, match="unusable answer for a page"):
            spotify_api.read_page(shape)


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
