"""Real recorded Deezer and Spotify answers, replayed on 127.0.0.1 in pieces with pauses.

Every expectation is computed from the recorded JSON itself (the tracks it lists,
their names, which ones Deezer marks ``readable: false``), not written by hand, and
compared with what the sources return: whole playlists, names byte for byte, whether
the bodies arrive in one piece, in many reads under a ``Content-Length``, or chunked.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest

from bot.errors import PlaylistUnavailable, ProviderDown, UserError
from bot.model import PlaylistRef
from bot.net.client import HttpClient, HttpError
from bot.sources.deezer import DeezerSource, refusal
from bot.sources.deezer_api import NOT_READABLE
from bot.sources.spotify import SpotifyAuth, SpotifySource
from bot.text import describe_notes
from tests.fakes import make_settings
from tests.fakes.base import serve
from tests.fakes.recorded import RecordedDeezer, RecordedSpotify, recorded_json

#: (label, chunked, chunk size): one piece, many reads under Content-Length, chunked.
DELIVERIES = [
    ("one piece", False, 10_000_000),
    ("content-length, 4 KB reads", False, 4096),
    ("chunked, 4 KB", True, 4096),
    ("chunked, 701 B", True, 701),
]


@pytest.fixture(params=DELIVERIES, ids=[d[0] for d in DELIVERIES])
async def deezer(request) -> AsyncIterator[RecordedDeezer]:
    _, chunked, size = request.param
    fake = RecordedDeezer()
    fake.chunked, fake.chunk_size, fake.chunk_pause = chunked, size, 0.0005
    async with serve(fake):
        yield fake


@pytest.fixture(params=DELIVERIES, ids=[d[0] for d in DELIVERIES])
async def spotify(request) -> AsyncIterator[RecordedSpotify]:
    _, chunked, size = request.param
    fake = RecordedSpotify()
    # the Spotify recordings are about 6 KB: cut them finer so they arrive in pieces
    piece = size if size >= 10_000_000 else min(size, 512)
    fake.chunked, fake.chunk_size, fake.chunk_pause = chunked, piece, 0.0005
    async with serve(fake):
        yield fake


def _deezer_expected(recording: str) -> tuple[list[dict[str, Any]], int, int]:
    """(unique recorded entries in order, how many unplayable, nb_tracks) of a recording."""
    meta = recorded_json(recording)
    unique: dict[str, dict[str, Any]] = {}
    for entry in meta["tracks"]["data"]:
        unique.setdefault(str(entry["id"]), entry)
    entries = list(unique.values())
    unplayable = sum(1 for e in entries if e.get("readable") is False)
    return entries, unplayable, int(meta["nb_tracks"])


@pytest.mark.parametrize(
    "pid",
    ["908622995", "9200461", "11015569602"],
)
async def test_deezer_recorded_playlists_arrive_whole(deezer, pid) -> None:
    settings = make_settings(deezer_api_base=deezer.api_base)
    entries, unplayable, announced = _deezer_expected(deezer.playlists[pid])
    async with HttpClient(settings.http, pause_scale=0.001) as http:
        playlist = await DeezerSource.from_settings(settings.deezer, http).fetch(
            PlaylistRef("deezer", pid)
        )
    assert [t.id for t in playlist.tracks] == [str(e["id"]) for e in entries]
    assert [t.title for t in playlist.tracks] == [e["title"] for e in entries]
    assert [t.artists for t in playlist.tracks] == [(e["artist"]["name"],) for e in entries]
    assert playlist.name == recorded_json(deezer.playlists[pid])["title"]
    assert playlist.notes == ({NOT_READABLE: unplayable} if unplayable else {})
    missing = announced - len(entries)
    assert playlist.skipped == ({"unavailable track": missing} if missing else {})
    # no album of these playlists was recorded: each answers the recorded "no data" and
    # its tracks keep what the playlist said (one call per distinct album)
    assert all(t.label == "" and t.genres == () for t in playlist.tracks)
    assert deezer.count("album") == len({t.album_id for t in playlist.tracks})


@pytest.mark.parametrize(
    ("aid", "label", "genres", "year"),
    [("302127", "Parlophone France", ("Dance",), 2001), ("302128", None, None, None)],
)
async def test_deezer_recorded_albums(deezer, aid, label, genres, year) -> None:
    recorded = recorded_json(f"deezer_album_{aid}.json")
    settings = make_settings(deezer_api_base=deezer.api_base)
    async with HttpClient(settings.http, pause_scale=0.001) as http:
        details = await DeezerSource.from_settings(settings.deezer, http)._album(aid)
    assert details.label == (label or recorded["label"])
    assert details.genre_names == (genres or tuple(g["name"] for g in recorded["genres"]["data"]))
    assert details.year == (year or int(recorded["release_date"][:4]))


async def test_deezer_recorded_first_page_verbatim_sets_the_page_size(deezer) -> None:
    """The recorded /tracks page holds 25 entries with a `next`: later pages follow its step."""
    deezer.verbatim_first_page = True
    deezer.max_limit = 25
    settings = make_settings(deezer_api_base=deezer.api_base)
    entries, unplayable, announced = _deezer_expected("deezer_playlist_9200461.json")
    async with HttpClient(settings.http, pause_scale=0.001) as http:
        playlist = await DeezerSource.from_settings(settings.deezer, http).fetch(
            PlaylistRef("deezer", "9200461")
        )
    assert [t.title for t in playlist.tracks] == [e["title"] for e in entries]
    assert playlist.name == "Lounge Soirée"
    assert playlist.skipped == {"unavailable track": announced - len(entries)}
    assert playlist.notes == {NOT_READABLE: unplayable}
    assert "kept in the analysis" in describe_notes(playlist.notes)


async def test_deezer_recorded_errors(deezer) -> None:
    settings = make_settings(deezer_api_base=deezer.api_base)
    async with HttpClient(settings.http, pause_scale=0.001) as http:
        source = DeezerSource.from_settings(settings.deezer, http)
        with pytest.raises(PlaylistUnavailable, match="does not exist or is private"):
            await source.fetch(PlaylistRef("deezer", "1"))


@pytest.mark.parametrize(
    ("path", "status", "code", "sentence"),
    [
        ("/playlist/-1", None, None, "does not exist or is private"),
        ("/genre/-1", 200, 500, r"a parameter was refused \(error 500\)"),
        ("/podcast/-1", 200, None, "Deezer answered with an error"),
        ("/does-not-exists", 404, None, "does not exist or is private"),
    ],
)
async def test_deezer_recorded_error_answers_become_sentences(
    deezer, path, status, code, sentence
) -> None:
    settings = make_settings(deezer_api_base=deezer.api_base)
    async with HttpClient(settings.http, pause_scale=0.001) as http:
        with pytest.raises(UserError, match=sentence):
            try:
                await http.get_json(f"{deezer.api_base}{path}")
            except HttpError as exc:
                assert (exc.status, exc.code) == (status, code)
                raise refusal(exc) from None
    assert len(deezer.log) == 1  # refusals are not retried


SPOTIFY_CASES = {
    # playlist id: (tracks expected from the page recording, skips expected)
    "59ZbFPES4DQwEjBpWHzrtC": ("spotify_items_page.json", {"unavailable entry": 1}),
    "21THa8j9TaSGuXYNBU5tsC": ("spotify_items_page_episode.json", {"podcast episode": 1}),
    "07XddQ4dIOBluElasP5hjH": ("spotify_playlist_local_files.json", {"local file": 1}),
}


def _spotify_expected(recording: str) -> list[dict[str, Any]]:
    page = recorded_json(recording)
    page = page.get("tracks", page)
    tracks = [(i or {}).get("item") or (i or {}).get("track") for i in page["items"]]
    return [t for t in tracks if t and t.get("type") == "track" and t.get("id")]


@pytest.mark.parametrize("pid", sorted(SPOTIFY_CASES))
async def test_spotify_recorded_pages(spotify, pid) -> None:
    recording, skips = SPOTIFY_CASES[pid]
    settings = make_settings(
        spotify_api_base=spotify.api_base,
        spotify_token_url=spotify.token_url,
        spotify_client_id="id",
        spotify_client_secret="secret",
    )
    expected = _spotify_expected(recording)
    async with HttpClient(settings.http, pause_scale=0.001) as http:
        source = SpotifySource.from_settings(
            settings.spotify, SpotifyAuth.from_settings(settings.spotify, http)
        )
        playlist = await source.fetch(PlaylistRef("spotify", pid))
    assert [t.id for t in playlist.tracks] == [t["id"] for t in expected]
    assert [t.title for t in playlist.tracks] == [t["name"] for t in expected]
    assert [t.artists for t in playlist.tracks] == [
        tuple(a["name"] for a in t["artists"]) for t in expected
    ]
    assert playlist.skipped == skips
    meta = recorded_json(spotify.playlists[pid][0])
    assert playlist.name == meta["name"]
    assert playlist.snapshot == meta["snapshot_id"]


async def test_spotify_recorded_refusal_of_credentials(spotify) -> None:
    """The token endpoint's recorded ``invalid_client`` answer becomes one sentence."""
    spotify.refuse_credentials = True
    settings = make_settings(
        spotify_api_base=spotify.api_base,
        spotify_token_url=spotify.token_url,
        spotify_client_id="id",
        spotify_client_secret="wrong",
    )
    async with HttpClient(settings.http, pause_scale=0.001) as http:
        source = SpotifySource.from_settings(
            settings.spotify, SpotifyAuth.from_settings(settings.spotify, http)
        )
        with pytest.raises(ProviderDown, match="refused this bot's credentials"):
            await source.fetch(PlaylistRef("spotify", "59ZbFPES4DQwEjBpWHzrtC"))
