"""Every status and fault a provider can send ends in a whole playlist or one sentence.

Each case runs a whole fetch against the fakes (pages at their real size, sent in
pieces) and checks what a user would see: the complete playlist after bounded
retries, or a :class:`~bot.errors.UserError` whose message says what happened.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from bot.errors import (
    BadLink,
    PlaylistUnavailable,
    ProviderDown,
    UnusableAnswer,
    UserError,
)
from bot.model import (
    Analysis,
    AnalysisOptions,
    FeatureInfo,
    Playlist,
    PlaylistRef,
)
from bot.render.pages import answer_text
from bot.roots.cli import summary
from bot.sources.deezer import DeezerSource
from bot.sources.deezer_api import NOT_READABLE
from bot.sources.spotify import SpotifyAuth, SpotifySource
from tests.fakes.data import spotify_id
from tests.fakes.deezer import deezer_track
from tests.fakes.spotify import SpotifyPlaylist

SPID = spotify_id(7)
DPID = 908622995


@pytest.fixture
def spotify(fake_settings, http) -> SpotifySource:
    return SpotifySource.from_settings(
        fake_settings.spotify, SpotifyAuth.from_settings(fake_settings.spotify, http)
    )


@pytest.fixture
def deezer(fake_settings, http) -> DeezerSource:
    return DeezerSource.from_settings(fake_settings.deezer, http)


# --- Spotify --------------------------------------------------------------------------


async def test_spotify_page_limit_refused_falls_back_to_a_smaller_page(
    spotify, fake_spotify
) -> None:
    fake_spotify.max_limit = 50
    fake_spotify.add(SpotifyPlaylist.generated(SPID, 230))
    playlist = await spotify.fetch(PlaylistRef("spotify", SPID))
    assert [t.id for t in playlist.tracks] == [spotify_id(i) for i in range(230)]
    assert spotify.page_size == 50
    # one refused first page, then 5 pages of 50
    assert fake_spotify.count("items") == 1 + 5
    await spotify.fetch(PlaylistRef("spotify", SPID))
    assert fake_spotify.count("items") == 6 + 5  # the accepted size is kept


async def test_spotify_limit_refused_at_every_size_is_one_sentence(spotify, fake_spotify) -> None:
    fake_spotify.max_limit = 10
    fake_spotify.add(SpotifyPlaylist.generated(SPID, 30))
    with pytest.raises(ProviderDown, match="page size"):
        await spotify.fetch(PlaylistRef("spotify", SPID))


@pytest.mark.parametrize(
    ("fault", "error", "words"),
    [
        ({"kind": "status", "status": 400, "message": "Invalid base62 id"}, BadLink, "not valid"),
        ({"kind": "status", "status": 403}, PlaylistUnavailable, "development mode"),
        ({"kind": "html", "status": 403}, PlaylistUnavailable, "development mode"),
        ({"kind": "status", "status": 405}, ProviderDown, "HTTP 405"),
        ({"kind": "status", "status": 401, "times": 10}, ProviderDown, "access token"),
        ({"kind": "status", "status": 503, "times": 10}, ProviderDown, "not answering"),
        ({"kind": "html", "status": 502, "times": 10}, ProviderDown, "not answering"),
        ({"kind": "empty", "times": 10}, ProviderDown, "empty answer"),
        ({"kind": "truncated", "times": 10}, ProviderDown, "connection failed"),
        (
            {"kind": "status", "status": 429, "retry_after": "7200"},
            ProviderDown,
            "wait 7,200 seconds",
        ),
        ({"kind": "spotify_quota"}, ProviderDown, "quota"),
    ],
)
async def test_spotify_refusals_on_item_pages_are_sentences(
    spotify, fake_spotify, fault, error, words
) -> None:
    fake_spotify.add(SpotifyPlaylist.generated(SPID, 150))
    fake_spotify.fault(route="items", **fault)
    with pytest.raises(error, match=words):
        await spotify.fetch(PlaylistRef("spotify", SPID))


@pytest.mark.parametrize(
    "fault",
    [
        {"kind": "truncated", "times": 2},
        {"kind": "html", "status": 502, "times": 2},
        {"kind": "empty", "times": 1},
        {"kind": "status", "status": 429, "times": 2},
        {"kind": "status", "status": 401, "times": 1},
    ],
)
async def test_spotify_transient_faults_still_give_the_whole_playlist(
    spotify, fake_spotify, fault
) -> None:
    fake_spotify.add(SpotifyPlaylist.generated(SPID, 350))
    fake_spotify.fault(route="items", **fault)
    playlist = await spotify.fetch(PlaylistRef("spotify", SPID))
    assert [t.id for t in playlist.tracks] == [spotify_id(i) for i in range(350)]


async def test_spotify_unknown_shape_is_one_clear_error(spotify, fake_spotify) -> None:
    playlist = fake_spotify.add(SpotifyPlaylist.generated(SPID, 3))
    playlist.entries.append({"type": "track", "id": 5, "name": ["not", "a", "name"]})
    result = await spotify.fetch(PlaylistRef("spotify", SPID))
    assert len(result.tracks) == 3
    assert result.skipped == {"unreadable entry": 1}
    fake_spotify.fault("malformed", route="items", times=10)
    with pytest.raises(ProviderDown, match="unreadable answer"):
        await spotify.fetch(PlaylistRef("spotify", SPID))


# --- Deezer ---------------------------------------------------------------------------


async def test_deezer_unplayable_tracks_are_kept_and_said(deezer, fake_deezer) -> None:
    playlist = fake_deezer.generated(DPID, 130)
    for i in (3, 50, 129):
        playlist.tracks[i] = deezer_track(i, 500_000 + i % 10, readable=False)
    result = await deezer.fetch(PlaylistRef("deezer", str(DPID)))
    assert len(result.tracks) == 130
    assert result.notes == {NOT_READABLE: 3}
    assert result.skipped == {}


async def test_deezer_short_pages_set_the_step(deezer, fake_deezer) -> None:
    fake_deezer.max_limit = 25
    fake_deezer.generated(DPID, 260, albums=3)
    result = await deezer.fetch(PlaylistRef("deezer", str(DPID)))
    assert [t.id for t in result.tracks] == [str(3_000_000 + i) for i in range(260)]


@pytest.mark.parametrize(
    ("fault", "error", "words"),
    [
        ({"kind": "deezer_error", "code": 100}, ProviderDown, "too many items"),
        ({"kind": "deezer_error", "code": 500}, ProviderDown, "parameter was refused"),
        ({"kind": "deezer_error", "code": 12345}, ProviderDown, "error 12345"),
        ({"kind": "status", "status": 200}, ProviderDown, "answered with an error"),
        ({"kind": "status", "status": 404}, PlaylistUnavailable, "does not exist"),
        ({"kind": "status", "status": 403}, ProviderDown, "HTTP 403"),
        ({"kind": "html", "status": 500, "times": 10}, ProviderDown, "not answering"),
        ({"kind": "deezer_quota", "times": 10}, ProviderDown, "quota"),
        ({"kind": "deezer_error", "code": 700, "times": 10}, ProviderDown, "busy"),
    ],
)
async def test_deezer_refusals_are_sentences(deezer, fake_deezer, fault, error, words) -> None:
    fake_deezer.generated(DPID, 120)
    fake_deezer.fault(route="tracks", **fault)
    with pytest.raises(error, match=words):
        await deezer.fetch(PlaylistRef("deezer", str(DPID)))


@pytest.mark.parametrize(
    "fault",
    [
        {"kind": "truncated", "times": 2},
        {"kind": "empty", "times": 1},
        {"kind": "html", "status": 502, "times": 1},
        {"kind": "deezer_error", "code": 700, "times": 2},
    ],
)
async def test_deezer_transient_faults_still_give_the_whole_playlist(
    deezer, fake_deezer, fault
) -> None:
    fake_deezer.generated(DPID, 240, albums=4)
    fake_deezer.fault(route="tracks", **fault)
    result = await deezer.fetch(PlaylistRef("deezer", str(DPID)))
    assert len(result.tracks) == 240


async def test_deezer_garbled_album_keeps_its_tracks(deezer, fake_deezer) -> None:
    fake_deezer.generated(DPID, 20, albums=2)
    fake_deezer.albums[500_000] = {"label": ["not", "text"]}  # type: ignore[dict-item]
    result = await deezer.fetch(PlaylistRef("deezer", str(DPID)))
    assert len(result.tracks) == 20
    assert {t.label for t in result.tracks if t.album_id == "500000"} == {""}
    assert all(t.label for t in result.tracks if t.album_id == "500001")


async def test_deezer_unknown_playlist_shape_is_one_clear_error(deezer, fake_deezer) -> None:
    fake_deezer.generated(DPID, 5).title = ["not", "a", "title"]  # type: ignore[assignment]
    with pytest.raises(UnusableAnswer, match="Deezer gave an unusable answer"):
        await deezer.fetch(PlaylistRef("deezer", str(DPID)))


# --- what the user reads --------------------------------------------------------------


def _analysis(playlist: Playlist) -> Analysis:
    return Analysis(
        playlist=playlist,
        clusters=[],
        labels=[],
        points=np.zeros((0, 2)),
        x_label="x",
        y_label="y",
        features=FeatureInfo(family="metadata", columns=[], coverage=0),
        options=AnalysisOptions(),
    )


def test_unplayable_note_reaches_the_cli_summary_and_the_bot_answer() -> None:
    playlist = Playlist(PlaylistRef("deezer", "1"), "ยอดฮิต 🎧", [], "c")
    playlist.skip("duplicate", 2)
    playlist.note(NOT_READABLE, 3)
    analysis = _analysis(playlist)
    expected = "3 tracks not playable on Deezer in this server's region (kept in the analysis)."
    line = summary(analysis, [Path("out/clusters.md")])
    assert "2 duplicates skipped." in line
    assert expected in line
    assert expected[:-28] in answer_text(analysis)  # the bot's text escapes the brackets


def test_user_errors_here_are_all_user_errors() -> None:
    for kind in (BadLink, PlaylistUnavailable, ProviderDown, UnusableAnswer):
        assert issubclass(kind, UserError)


async def test_spotify_metadata_asks_only_for_its_fields(spotify, fake_spotify, http) -> None:
    """Without ``fields`` the metadata answer would carry the first 100 items again."""
    fake_spotify.add(SpotifyPlaylist.generated(SPID, 100))
    await spotify.fetch(PlaylistRef("spotify", SPID))
    (path,) = [p for route, p in fake_spotify.log if route == "playlist"]
    assert "fields=" in path
    meta = await spotify._meta(SPID)
    assert meta.name == "国際ポップ 🌏" and meta.owner and meta.owner.display_name


async def test_spotify_pages_clamped_silently_follow_the_page_limit(spotify, fake_spotify) -> None:
    fake_spotify.clamp_limit = 30
    fake_spotify.add(SpotifyPlaylist.generated(SPID, 100))
    playlist = await spotify.fetch(PlaylistRef("spotify", SPID))
    assert [t.id for t in playlist.tracks] == [spotify_id(i) for i in range(100)]
    assert fake_spotify.count("items") == 4


async def test_deezer_pages_listing_fewer_than_they_span(deezer, fake_deezer) -> None:
    """A page of 100 that lists 97 (some hidden) must not shift the next pages."""
    playlist = fake_deezer.generated(DPID, 250, albums=3)
    playlist.hidden = {10, 11, 140}
    result = await deezer.fetch(PlaylistRef("deezer", str(DPID)))
    assert [t.id for t in result.tracks] == [
        str(3_000_000 + i) for i in range(250) if i not in {10, 11, 140}
    ]
    assert result.skipped == {"unavailable track": 3}
    assert fake_deezer.count("tracks") == 3
