"""`/clusters link:` with public links and no Spotify access, through the real discord.py.

SimCord drives the real command tree; the bot's real pipeline reads the loopback fakes
of the Spotify embed page, the Spotify API of a development-mode app, YouTube Music,
ReccoBeats and Deezer (tests/fakes/, made from real saved answers). No real host is
reached: every base URL is a setting pointing at 127.0.0.1 (tests/harness.py points
those a test does not serve at the closed port 9, and previews at 127.0.0.1). Each
test checks what a member sees: the answer's reading line (tracks listed / read /
matched / with audio features), the clusters, the notes.

Deezer's budget: the bot paces Deezer at ``DEEZER_RATE_PER_5S`` (45) in any 5 s. A
100-track link from a page needs ~200 Deezer requests (a search and an album per
track), ~20 s at that pace, and SimCord gives a command 5 s to settle: at the default
the 46th request waits 5 s and the command fails the settle (that is how the first
version of this test "hung": the failure left the bot's database open, and its
thread kept pytest from exiting; see test_harness_teardown.py). These tests are about
what is read and said, not pacing (tests/net covers the window), so they raise the
budget in their own settings.
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack, asynccontextmanager
from pathlib import Path

from bot.model import PlaylistRef
from bot.net.client import HttpClient
from bot.sources.ytmusic import YTMusicSource
from tests.fakes import make_settings
from tests.fakes.base import FakeServer, serve
from tests.fakes.data import features, spotify_id
from tests.fakes.deezer_search import Listing, labelled_catalogue
from tests.fakes.public_pages import FakeSpotifyPage, embed_page
from tests.fakes.reccobeats import FakeReccoBeats
from tests.fakes.spotify import CLIENT_ID, CLIENT_SECRET, FakeSpotify, SpotifyPlaylist
from tests.fakes.ytmusic import FEEL_GOOD, FakeYTMusic
from tests.harness import World, world
from tests.roots.test_public_links import PID, deezer_catalogue, hundred_entries, recco_features

#: Not about pacing (see the module doc): Deezer's window wide enough for ~200 requests.
NOT_PACED = {"deezer_rate_per_5s": 5000}
_FEATURES = re.compile(r"(\d+) of (\d+) tracks had audio features")


@asynccontextmanager
async def served(*fakes: FakeServer) -> AsyncIterator[None]:
    """Serve every fake on 127.0.0.1 for the block."""
    async with AsyncExitStack() as stack:
        for fake in fakes:
            await stack.enter_async_context(serve(fake))
        yield


def progress(w: World) -> list[str]:
    """The texts the answer showed while it was being worked on."""
    return [
        r.json["content"]
        for r in w.requests("PATCH", "/messages/@original")
        if r.json and r.json.get("content")
    ]


def share_with_features(top: str) -> float:
    """The share of tracks with audio features, as the answer states it."""
    found = _FEATURES.search(top)
    assert found, top
    return int(found.group(1)) / int(found.group(2))


async def test_a_public_spotify_link_clusters_100_tracks_with_no_spotify_setting(
    tmp_path: Path,
) -> None:
    page = FakeSpotifyPage()
    page.pages[PID] = embed_page(hundred_entries(), pid=PID, name="Cent titres 🎧")
    recco = FakeReccoBeats()
    recco.features.update(recco_features())  # 95 of the 100
    deezer = deezer_catalogue()  # the twins of 95 of the 100 among look-alikes
    async with (
        served(page, recco, deezer),
        world(
            tmp_path,
            spotify_embed_base=page.embed_base,
            reccobeats_api_base=recco.api_base,
            deezer_api_base=deezer.api_base,
            **NOT_PACED,
        ) as w,
    ):
        settings = w.bot.settings
        assert not settings.spotify_client_id and not settings.spotify_client_secret
        link = f"https://open.spotify.com/playlist/{PID}?si=abc"
        result = await w.clusters(link=link, clusters=3)
        assert result.acknowledged and not result.ephemeral
        answer = result.response
        assert answer is not None and [a.filename for a in answer.attachments] == ["clusters.png"]
        shown = w.page(answer)
        assert shown.top.startswith("**Clusters in Cent titres 🎧**: 100 tracks in 3 clusters.")
        assert (
            "Read 100 tracks from Spotify's public embed page; 95 matched on Deezer; "
            "95 with audio features." in shown.top
        )
        assert "Only the first 100 tracks\\: Spotify's public page shows at most 100" in shown.top
        assert share_with_features(shown.top) >= 0.9
        assert shown.title.startswith("Cluster #1 · ")
        # 3 clusters and the 🔇 group of the one track with too little to place it by
        assert shown.footer.startswith("Page 1/10 · Cluster 1/4 · Cent titres 🎧 · ")
        # the tracks link to Spotify; their art is the album cover found on Deezer
        assert "](https://open.spotify.com/track/" in shown.tracks[0]
        assert shown.thumbnails and all("dzcdn.net/images/cover/" in t for t in shown.thumbnails)
        assert any(text.startswith("Matching tracks on Deezer") for text in progress(w))
        assert page.count("embed") == 1 and deezer.count("search") == 100
        assert w.errors() == []


async def test_a_repeat_of_the_link_is_answered_from_the_cache_without_a_request(
    tmp_path: Path,
) -> None:
    page = FakeSpotifyPage()
    page.pages[PID] = embed_page(hundred_entries(), pid=PID, name="Cent titres 🎧")
    recco = FakeReccoBeats()
    recco.features.update(recco_features())
    deezer = deezer_catalogue()
    async with (
        served(page, recco, deezer),
        world(
            tmp_path,
            spotify_embed_base=page.embed_base,
            reccobeats_api_base=recco.api_base,
            deezer_api_base=deezer.api_base,
            **NOT_PACED,
        ) as w,
    ):
        link = f"https://open.spotify.com/playlist/{PID}"
        first = await w.clusters(link=link, clusters=3)
        asked = len(page.log), len(recco.log), len(deezer.log)
        again = await w.clusters(w.stranger, link=link, clusters=3)
        assert "from the cache" in w.page(again).top
        assert w.page(again).title == w.page(first).title
        assert (len(page.log), len(recco.log), len(deezer.log)) == asked


def dev_mode_spotify(pid: str, n: int) -> FakeSpotify:
    """A development-mode app's Spotify: 403 on the playlist's items and on audio
    features; the playlist object still carries its first 100 items (ShareList#22)."""
    fake = FakeSpotify(features_forbidden=True)
    playlist = SpotifyPlaylist.generated(pid, n, name="Trois cent douze")
    playlist.forbidden = True
    fake.add(playlist, with_features=False)
    return fake


async def test_a_312_track_playlist_clusters_the_first_100_and_says_so(tmp_path: Path) -> None:
    pid = spotify_id(312)
    spotify = dev_mode_spotify(pid, 312)
    first = [entry for entry in spotify.playlists[pid].entries[:100] if entry]
    recco = FakeReccoBeats()
    recco.features.update(
        {
            entry["id"]: {k: v for k, v in features(i).items() if k not in {"key", "mode"}}
            for i, entry in enumerate(first)
            if i % 25 != 24  # ReccoBeats lacks some, as the real one does: 96 of 100
        }
    )
    deezer, _ = labelled_catalogue(
        [
            Listing(
                e["id"],
                e["name"],
                tuple(a["name"] for a in e["artists"]),
                e["duration_ms"] // 1000,
                e["external_ids"]["isrc"],
            )
            for e in first
        ]
    )
    page = FakeSpotifyPage()  # never asked: the playlist object had the first items
    async with (
        served(spotify, recco, deezer, page),
        world(
            tmp_path,
            spotify_client_id=CLIENT_ID,
            spotify_client_secret=CLIENT_SECRET,
            spotify_api_base=spotify.api_base,
            spotify_token_url=spotify.token_url,
            spotify_embed_base=page.embed_base,
            reccobeats_api_base=recco.api_base,
            deezer_api_base=deezer.api_base,
            **NOT_PACED,
        ) as w,
    ):
        result = await w.clusters(link=f"https://open.spotify.com/playlist/{pid}", clusters=2)
        shown = w.page(result)
        assert shown.top.startswith("**Clusters in Trois cent douze**: 100 tracks in 2 clusters.")
        assert (
            "100 of 312 tracks\\: Spotify shows apps without access only the first 100. "
            "Connect your Spotify \\(if it is yours\\) or upload an Exportify CSV "
            "for all of them." in shown.top
        )
        assert (
            "Read 100 of 312 tracks from the first items Spotify's API gives this app; "
            "96 with audio features." in shown.top
        )
        assert share_with_features(shown.top) >= 0.9
        assert spotify.count("items") >= 1  # asked, refused (403)
        assert page.count("embed") == 0
        # the API's tracks carry album and art: nothing to search on Deezer (ISRC
        # look-ups only, for the few tracks ReccoBeats lacks)
        assert deezer.count("search") == 0
        assert w.errors() == []


async def test_a_youtube_music_link_clusters_through_deezer_matches(tmp_path: Path) -> None:
    ytm = FakeYTMusic()
    async with serve(ytm):
        config = make_settings(ytmusic_api_base=ytm.api_base)
        async with HttpClient(config.http) as http:
            listed = await YTMusicSource(http, api_base=ytm.api_base).fetch(
                PlaylistRef("ytmusic", FEEL_GOOD)
            )
        deezer, labels = labelled_catalogue(
            [
                Listing(t.id, t.title, t.artists, round((t.duration_ms or 0) / 1000))
                for t in listed.tracks
            ]
        )
        twins = sum(1 for label in labels.values() if label is not None)
        async with (
            served(deezer),
            world(
                tmp_path,
                ytmusic_api_base=ytm.api_base,
                deezer_api_base=deezer.api_base,
                **NOT_PACED,
            ) as w,
        ):
            link = f"https://music.youtube.com/playlist?list={FEEL_GOOD}"
            result = await w.clusters(link=link, clusters=2)
            shown = w.page(result)
    assert shown.top.startswith(
        "**Clusters in Feel\\-Good Classic Rock**: 100 tracks in 2 clusters."
    )
    assert twins == 95
    assert (
        f"Read 100 of 101 tracks from YouTube Music; {twins} matched on Deezer; "
        f"{twins} with audio features." in shown.top
    )
    assert share_with_features(shown.top) >= 0.9
    assert "100 of 101 tracks\\: YouTube Music gave no more without an account" in shown.top
    # Deezer's previews are on its CDN, which a test never reaches (PREVIEW_HOSTS)
    assert "95 previews could not be analysed \\(95 host not allowed\\)" in shown.top
    # each track shown is its own twin's: the album label of the n-th twin is "Label n"
    for line in shown.tracks:
        video = re.search(r"\]\(https://music\.youtube\.com/watch\?v=([\w-]+)\)", line)
        assert video, line
        label = re.search(r"· Label (\d+) ✦", line)
        twin = labels[video.group(1)]
        assert (twin is None and label is None) or (
            label is not None and twin == 10_000_000 + 10 * int(label.group(1))
        ), line


async def test_a_member_sees_the_answer_at_the_match_budget_then_the_full_one(
    tmp_path: Path,
) -> None:
    """With no match budget the answer goes out once the searches its features need
    are done (the tracks ReccoBeats lacks), with what was matched by then, and says
    the rest is being looked up; asked again after the background has filled the match
    cache, the answer is full.

    The budget is 0 here because SimCord runs the bot on a virtual clock that stands
    still while the bot waits for (real) loopback I/O: a budget of seconds never
    expires in it (tests/sources/test_match_budget.py times one on the real clock)."""
    page = FakeSpotifyPage()
    page.pages[PID] = embed_page(hundred_entries(), pid=PID, name="Cent titres 🎧")
    recco = FakeReccoBeats()
    recco.features.update(recco_features())
    deezer = deezer_catalogue()
    async with (
        served(page, recco, deezer),
        world(
            tmp_path,
            spotify_embed_base=page.embed_base,
            reccobeats_api_base=recco.api_base,
            deezer_api_base=deezer.api_base,
            deezer_match_budget_seconds=0,
            **NOT_PACED,
        ) as w,
    ):
        link = f"https://open.spotify.com/playlist/{PID}"
        first = w.page(await w.clusters(link=link, clusters=3))
        found = re.search(r"; (\d+) matched on Deezer; 95 with audio features\.", first.top)
        pending = re.search(
            r"Album, label and art of (\d+) tracks are still being looked up on Deezer: "
            r"ask again in a minute for the full table\.",
            first.top,
        )
        assert found and pending, first.top
        assert 0 < int(found.group(1)) <= 95 and int(pending.group(1)) > 0
        matcher = w.bot.pipeline.sources["ytmusic"].matcher  # type: ignore[attr-defined]
        await matcher.wait_background()
        searches = deezer.count("search"), deezer.count("album")
        again = w.page(await w.clusters(w.stranger, link=link, clusters=3))
        assert "; 95 matched on Deezer; 95 with audio features." in again.top
        assert "still being looked up" not in again.top and "from the cache" not in again.top
        assert (deezer.count("search"), deezer.count("album")) == searches == (100, 95)
        assert w.errors() == []
