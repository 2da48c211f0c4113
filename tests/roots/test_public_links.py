"""Public links with no Spotify setting at all, through the real console entry point.

The CLI runs in a child process against loopback fakes made from real saved pages;
the bot's answer text and the JSON document are checked on the same analysis.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator

import pytest

from bot.model import AnalysisOptions, PlaylistRef, Track
from bot.net.client import HttpClient
from bot.render.document import to_document
from bot.render.pages import answer_text
from bot.roots.wiring import build_pipeline
from bot.sources.spotify_page import parse_embed_page
from bot.sources.ytmusic import YTMusicSource
from tests.fakes import make_settings
from tests.fakes.base import serve
from tests.fakes.data import features, spotify_id
from tests.fakes.deezer_search import FakeDeezerSearch, Listing, labelled_catalogue
from tests.fakes.public_pages import FakeSpotifyPage, embed_page, entry_like, real_entries
from tests.fakes.reccobeats import FakeReccoBeats
from tests.fakes.ytmusic import FEEL_GOOD, FakeYTMusic
from tests.roots.test_wiring import _cli

PID = spotify_id(4100)
#: These tests are about what is read and said, not pacing (tests/net covers Deezer's
#: window): at the default 45 requests in 5 s the ~200-300 Deezer requests of a
#: 100-track link (a search and an album per track, then tempo and loudness) took
#: 20-30 s a test.
NOT_PACED = {"DEEZER_RATE_PER_5S": "5000"}


def hundred_entries() -> list[dict]:
    real = real_entries()
    extra = [
        entry_like(
            real[i % len(real)], spotify_id(5000 + i), f"Titre {i} «é»", "Zoë,\u00a0李", 180_000 + i
        )
        for i in range(100 - len(real))
    ]
    return real + extra


@pytest.fixture
async def page_fake() -> AsyncIterator[FakeSpotifyPage]:
    fake = FakeSpotifyPage()
    fake.pages[PID] = embed_page(hundred_entries(), pid=PID, name="Cent titres 🎧")
    async with serve(fake):
        yield fake


def deezer_catalogue() -> FakeDeezerSearch:
    """Deezer with the twins of 95 of the 100 tracks among look-alikes."""
    shown = parse_embed_page(embed_page(hundred_entries(), pid=PID, name="x"))
    tracks = [t for t in shown.entries if isinstance(t, Track)]
    fake, _ = labelled_catalogue(
        [Listing(t.id, t.title, t.artists, round((t.duration_ms or 0) / 1000)) for t in tracks]
    )
    return fake


def recco_features() -> dict[str, dict[str, float]]:
    """ReccoBeats knows 95 of the 100 tracks (it lacks some, as the real one does)."""
    known = {}
    for i, entry in enumerate(hundred_entries()):
        if i % 20 != 19:
            sid = entry["uri"].rsplit(":", 1)[1]
            known[sid] = {k: v for k, v in features(i).items() if k not in {"key", "mode"}}
    return known


@pytest.fixture
async def deezer_twins() -> AsyncIterator[FakeDeezerSearch]:
    fake = deezer_catalogue()
    async with serve(fake):
        yield fake


@pytest.fixture
def recco_for_95(fake_reccobeats: FakeReccoBeats) -> FakeReccoBeats:
    fake_reccobeats.features.update(recco_features())
    return fake_reccobeats


async def test_cli_clusters_a_public_spotify_link_without_any_spotify_setting(
    tmp_path,
    page_fake: FakeSpotifyPage,
    recco_for_95: FakeReccoBeats,
    deezer_twins: FakeDeezerSearch,
) -> None:
    env = {
        "SPOTIFY_API_BASE": "http://127.0.0.1:9/v1",
        "SPOTIFY_TOKEN_URL": "http://127.0.0.1:9/api/token",
        "SPOTIFY_EMBED_BASE": page_fake.embed_base,
        "DEEZER_API_BASE": deezer_twins.api_base,
        "RECCOBEATS_API_BASE": recco_for_95.api_base,
        "YTMUSIC_API_BASE": "http://127.0.0.1:9/youtubei/v1",
        "APPLE_MUSIC_BASE": "http://127.0.0.1:9/apple",
        "PREVIEW_HOSTS": "127.0.0.1",
        "PYTHONIOENCODING": "utf-8",
        # the CLI waits for every Deezer match whatever the bot's answer budget
        "DEEZER_MATCH_BUDGET_SECONDS": "0",
        **NOT_PACED,
    }
    link = f"https://open.spotify.com/playlist/{PID}?si=abc"
    code, out, err = await _cli(tmp_path, env, "analyze", link, "-q", "-k", "3")
    assert code == 0, err
    assert "Found 3 clusters in “Cent titres 🎧” (100 tracks)" in out
    assert "Read 100 tracks from Spotify's public embed page" in out
    assert "95 matched on Deezer; 95 with audio features" in out
    assert "Only the first 100 tracks: Spotify's public page shows at most 100" in out
    assert "still being looked up" not in out
    document = json.loads((tmp_path / "cent_titres" / "clusters.json").read_text("utf-8"))
    reading = document["reading"]
    assert reading["pending"] == 0 and document["partial"] is False
    assert reading["read"] == 100 and reading["with_features"] == 95
    assert reading["listed"] is None and reading["from"] == "Spotify's public embed page"
    assert reading["matched"] == 95
    assert page_fake.count("embed") == 1
    tracks = [t for c in document["clusters"] for t in c["tracks"]]
    labelled = [t for t in tracks if t["label"]]
    assert len(labelled) == 95 and all(t["image"] and t["album"] for t in labelled)


async def test_the_bot_answer_says_what_was_read(
    page_fake: FakeSpotifyPage, recco_for_95: FakeReccoBeats, deezer_twins: FakeDeezerSearch
) -> None:
    settings = make_settings(
        spotify_embed_base=page_fake.embed_base,
        reccobeats_api_base=recco_for_95.api_base,
        deezer_api_base=deezer_twins.api_base,
    )
    async with HttpClient(settings.http, pause_scale=0.001) as http:
        pipeline = build_pipeline(settings, http)
        analysis = await pipeline.run(PlaylistRef("spotify", PID), AnalysisOptions(k=3))
    text = answer_text(analysis)
    assert "Read 100 tracks from Spotify's public embed page" in text
    assert "95 with audio features" in text
    assert "Only the first 100 tracks" in text
    assert to_document(analysis)["reading"]["read"] == 100


async def test_cli_clusters_a_youtube_music_link(tmp_path) -> None:
    ytm = FakeYTMusic()
    async with serve(ytm):
        settings = make_settings(ytmusic_api_base=ytm.api_base)
        async with HttpClient(settings.http) as http:
            source = YTMusicSource(http, api_base=ytm.api_base)
            listed = await source.fetch(PlaylistRef("ytmusic", FEEL_GOOD))
        deezer, labels = labelled_catalogue(
            [
                Listing(t.id, t.title, t.artists, round((t.duration_ms or 0) / 1000))
                for t in listed.tracks
            ]
        )
        async with serve(deezer):
            env = {
                "SPOTIFY_API_BASE": "http://127.0.0.1:9/v1",
                "SPOTIFY_TOKEN_URL": "http://127.0.0.1:9/api/token",
                "SPOTIFY_EMBED_BASE": "http://127.0.0.1:9/embed",
                "RECCOBEATS_API_BASE": "http://127.0.0.1:9/v1",
                "DEEZER_API_BASE": deezer.api_base,
                "YTMUSIC_API_BASE": ytm.api_base,
                "PREVIEW_HOSTS": "127.0.0.1",
                "PYTHONIOENCODING": "utf-8",
                **NOT_PACED,
            }
            link = f"https://music.youtube.com/playlist?list={FEEL_GOOD}"
            code, out, err = await _cli(tmp_path, env, "analyze", link, "-q", "--out", "o")
    assert code == 0, err
    twins = sum(1 for v in labels.values() if v is not None)
    assert "in “Feel-Good Classic Rock” (100 tracks)" in out
    assert f"Read 100 of 101 tracks from YouTube Music; {twins} matched on Deezer" in out
    assert "100 of 101 tracks: YouTube Music gave no more without an account" in out
    document = json.loads((tmp_path / "o" / "clusters.json").read_text("utf-8"))
    assert document["reading"]["matched"] == twins and document["reading"]["listed"] == 101
    by_id = {t["id"]: t for c in document["clusters"] for t in c["tracks"]}
    wrong = [k for k, v in labels.items() if by_id[k]["deezer_id"] not in (None, str(v))]
    assert not wrong
