"""Matching tracks of other services to Deezer: strict acceptance, counts, the cache.

The listings are real (the 57 distinct tracks of the saved Spotify embed pages); the
Deezer catalogue is made in the shape of recorded Deezer answers, each track's true
twin hidden among a live take, a cover and a karaoke version, 1 in 20 twins missing
(``tests/fakes/deezer_search.py``), so a test knows which match is right.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.model import Playlist, PlaylistRef, Track
from bot.net.client import HttpClient
from bot.sources.deezer_match import DeezerMatcher, candidate
from bot.sources.matching import Candidate, Wanted, accepts, best, search_query
from bot.sources.spotify_page import parse_embed_page
from tests.fakes import make_settings
from tests.fakes.base import serve
from tests.fakes.deezer_search import FakeDeezerSearch, Listing, labelled_catalogue
from tests.fakes.public_pages import embed_page, real_entries

PUBLIC = Path(__file__).resolve().parents[1] / "data" / "public"


def embed_tracks() -> list[Track]:
    shown = parse_embed_page(embed_page(real_entries(), pid="x" * 22, name="Réel"))
    return [t for t in shown.entries if isinstance(t, Track)]


def listing(tracks: list[Track]) -> list[Listing]:
    return [
        Listing(t.id, t.title, t.artists, round((t.duration_ms or 0) / 1000), t.isrc)
        for t in tracks
    ]


# --- the acceptance rules (pure) ---------------------------------------------------


@pytest.mark.parametrize(
    ("wanted", "found", "ok"),
    [
        (
            ("Don't Stop Believin' (2024 Remaster)", ("Journey",), 251),
            ("Don't Stop Believin'", "Journey", 250),
            True,
        ),
        (("With or Without You", ("U2",), 296), ("With Or Without You", "U2", 297), True),
        (("Halo", ("Beyoncé",), 261), ("Halo", "Beyonce", 262), True),
        (("夜に駆ける", ("YOASOBI",), 261), ("夜に駆ける", "YOASOBI", 260), True),
        (
            ("Walk On Water (feat. Beyoncé)", ("Eminem",), 304),
            ("Walk On Water", "Eminem", 304),
            True,
        ),
        (("Hello", ("Adele",), 295), ("Hello (Live)", "Adele", 296), False),
        (("Hello", ("Adele",), 295), ("Hello", "The Cover Collective", 295), False),
        (("Hello", ("Adele",), 295), ("Hello", "Adele", 330), False),
        (("Hello", ("Adele",), 295), ("Hello (Karaoke Version)", "Karaoke Stars", 295), False),
        (("Hello", ("Adele",), None), ("Hello", "Adele", 295), False),
        (
            ("Bridge over Troubled Water", ("Simon & Garfunkel",), 292),
            ("Bridge Over Troubled Water", "Simon and Garfunkel", 293),
            True,
        ),
    ],
)
def test_acceptance(wanted: tuple, found: tuple, ok: bool) -> None:
    assert accepts(Wanted(*wanted), Candidate("1", *found)) is ok


def test_the_closest_duration_wins_among_accepted() -> None:
    want = Wanted("Song", ("A",), 200)
    chosen = best(want, [Candidate("1", "Song", "A", 203), Candidate("2", "Song", "A", 201)])
    assert chosen is not None and chosen.id == "2"


def test_the_query_has_no_quote_a_value_could_break() -> None:
    assert search_query(Wanted('Say "Hi" (Live)', ('The "Q"',), 100)) == (
        'artist:"The Q" track:"Say Hi"'
    )


def test_real_search_answers_read_as_candidates() -> None:
    data = json.loads((PUBLIC / "deezer_search_artist_album_lou_doillon.json").read_bytes())
    candidates = [candidate(e) for e in data["data"]]
    assert all(c is not None and c.artist == "Lou Doillon" for c in candidates)
    first = data["data"][0]
    want = Wanted(first["title"], ("Lou Doillon",), first["duration"] + 2)
    chosen = best(want, [c for c in candidates if c])
    assert chosen is not None and chosen.id == str(first["id"])


# --- against a labelled catalogue -----------------------------------------------------


@pytest.fixture
async def catalogue() -> AsyncIterator[tuple[FakeDeezerSearch, dict[str, int | None]]]:
    fake, labels = labelled_catalogue(listing(embed_tracks()))
    fake.chunk_size = 8192
    async with serve(fake):
        yield fake, labels


def matcher(fake: FakeDeezerSearch, http: HttpClient, cache=None, **kw) -> DeezerMatcher:
    return DeezerMatcher(http, api_base=fake.api_base, cache=cache, **kw)


@pytest.fixture
async def deezer_http(catalogue) -> AsyncIterator[HttpClient]:
    fake, _ = catalogue
    client = HttpClient(make_settings(deezer_api_base=fake.api_base).http, pause_scale=0.001)
    yield client
    await client.close()


def playlist_of(tracks: list[Track]) -> Playlist:
    return Playlist(PlaylistRef("spotify", "p" * 22), "Réel", list(tracks), "s")


async def test_at_least_90_percent_matched_and_none_wrongly(catalogue, deezer_http) -> None:
    fake, labels = catalogue
    playlist = playlist_of(embed_tracks())
    await matcher(fake, deezer_http).match(playlist)
    right = sum(1 for t in playlist.tracks if t.deezer_id and int(t.deezer_id) == labels[t.id])
    wrong = sum(1 for t in playlist.tracks if t.deezer_id and int(t.deezer_id) != labels[t.id])
    twins = sum(1 for v in labels.values() if v is not None)
    assert playlist.matched == right + wrong
    assert right >= 0.9 * len(playlist.tracks) and right == twins
    assert wrong == 0
    # the match gives album, label and art; an unmatched track keeps what it had
    matched = next(t for t in playlist.tracks if t.deezer_id)
    assert matched.album.startswith("Album «") and matched.label.startswith("Label ")
    assert matched.image.endswith("250x250-000000-80-0-0.jpg")
    assert matched.release_year == 2019 and matched.preview_url
    unmatched = [t for t in playlist.tracks if not t.deezer_id]
    assert unmatched and all(t.album == "" and t.label == "" for t in unmatched)


async def test_by_isrc_when_the_track_has_one() -> None:
    tracks = embed_tracks()[:3]
    for i, track in enumerate(tracks):
        track.isrc = f"GBAAA26000{i:02d}"
    fake2, labels2 = labelled_catalogue(listing(tracks), missing_every=0)
    async with (
        serve(fake2),
        HttpClient(make_settings(deezer_api_base=fake2.api_base).http, pause_scale=0.001) as http,
    ):
        playlist = playlist_of(tracks)
        await matcher(fake2, http).match(playlist)
    assert [int(t.deezer_id or 0) for t in playlist.tracks] == [labels2[t.id] for t in tracks]
    assert fake2.count("search") == 0 and fake2.count("track") == 3


async def test_a_repeat_costs_no_request_until_the_matches_are_old(
    catalogue, deezer_http, location
) -> None:
    from storage import open_database

    fake, _ = catalogue
    database = await open_database(location)
    try:
        first = playlist_of(embed_tracks())
        await matcher(fake, deezer_http, database.cache).match(first)
        asked = len(fake.log)
        assert asked >= len(first.tracks)
        again = playlist_of(embed_tracks())
        await matcher(fake, deezer_http, database.cache).match(again)
        assert len(fake.log) == asked  # no request at all
        assert [t.deezer_id for t in again.tracks] == [t.deezer_id for t in first.tracks]
        assert [t.label for t in again.tracks] == [t.label for t in first.tracks]
        assert again.matched == first.matched
        stale = playlist_of(embed_tracks())
        await matcher(fake, deezer_http, database.cache, max_age_seconds=0).match(stale)
        assert len(fake.log) > asked
    finally:
        await database.close()


async def test_a_failing_deezer_is_not_remembered_as_no_match(
    catalogue, deezer_http, location
) -> None:
    from storage import open_database

    fake, _ = catalogue
    fake.fault("deezer_quota", route="search", times=1000)
    database = await open_database(location)
    try:
        playlist = playlist_of(embed_tracks()[:5])
        await matcher(fake, deezer_http, database.cache).match(playlist)
        assert playlist.matched == 0
        fake.faults.clear()
        again = playlist_of(embed_tracks()[:5])
        await matcher(fake, deezer_http, database.cache).match(again)
        assert again.matched == 5  # asked again, and found
    finally:
        await database.close()
