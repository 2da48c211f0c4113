"""Apple Music playlist links: the public page's server-rendered data, replayed on 127.0.0.1.

The pages are RECONSTRUCTED (no saved page with a usable licence was found; see
``tests/data/public/README.md``) in the shape independent parsers of the real page
agree on, around 100 real tracks; they go out at their size, chunked or under a
Content-Length. Matching to Deezer runs against a labelled catalogue of those tracks.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from dataclasses import replace

import pytest

from bot.errors import BadInput, BadLink, PlaylistUnavailable, ProviderDown
from bot.model import AnalysisOptions, PlaylistRef
from bot.net.client import HttpClient, host_key
from bot.net.links import parse_link
from bot.render.document import to_document
from bot.render.pages import answer_text
from bot.roots.wiring import build_pipeline
from bot.sources.apple_music import ORIGIN, AppleMusicSource
from bot.sources.apple_page import parse_apple_page
from bot.sources.deezer_match import DeezerMatcher
from bot.sources.spotify_page import PageChanged
from bot.weekly.rules import playlist_url
from tests.fakes import make_settings
from tests.fakes.apple_music import (
    PID,
    SLUG,
    FakeAppleMusic,
    apple_page,
    playlist_page,
    real_listing,
    server_data,
    track_item,
)
from tests.fakes.base import serve
from tests.fakes.deezer_search import FakeDeezerSearch, labelled_catalogue

REF = PlaylistRef("apple", f"us/{SLUG}/{PID}")


@pytest.fixture
async def apple() -> AsyncIterator[FakeAppleMusic]:
    fake = FakeAppleMusic()
    fake.chunk_size = 16 * 1024
    fake.pages[PID] = playlist_page(100)
    async with serve(fake):
        yield fake


@pytest.fixture
async def client(apple: FakeAppleMusic) -> AsyncIterator[HttpClient]:
    http = HttpClient(make_settings(apple_music_base=apple.base).http, pause_scale=0.001)
    yield http
    await http.close()


def source(apple: FakeAppleMusic, http: HttpClient, **kw) -> AppleMusicSource:
    return AppleMusicSource(http, base=apple.base, **kw)


@pytest.mark.parametrize(
    ("link", "ref_id"),
    [
        (f"https://music.apple.com/us/playlist/{SLUG}/{PID}", f"us/{SLUG}/{PID}"),
        ("https://embed.music.apple.com/FR/playlist/pl.u-e98lGAgs?l=en", "fr/pl.u-e98lGAgs"),
        ("<music.apple.com/playlist/x/pl.u-abc>", "us/x/pl.u-abc"),
        ("https://itunes.apple.com/gb/playlist/old/idpl.abc123", "gb/old/pl.abc123"),
    ],
)
def test_links(link: str, ref_id: str) -> None:
    assert parse_link(link) == PlaylistRef("apple", ref_id)


@pytest.mark.parametrize(
    ("link", "said"),
    [
        ("https://music.apple.com/us/album/1989/1440935467", "That is an album link"),
        ("https://music.apple.com/us/song/x/1440935470", "That is a track link"),
        ("https://music.apple.com/library/playlist/p.ZOAXxyz", "own Apple Music library"),
        ("https://music.apple.com/us/playlist/x/123", "no valid playlist id"),
        ("https://music.apple.com/us/playlist/", "no valid playlist id"),
        ("https://music.apple.com/us/browse", "not a playlist link I understand"),
    ],
)
def test_links_refused_with_a_reason(link: str, said: str) -> None:
    with pytest.raises(BadLink, match=said):
        parse_link(link)


def test_a_cyrillic_slug_is_asked_encoded() -> None:
    ref = parse_link("https://music.apple.com/ru/playlist/%D0%B4%D0%BE/pl.u-abc")
    assert playlist_url(ref) == "https://music.apple.com/ru/playlist/%D0%B4%D0%BE/pl.u-abc"


@pytest.mark.parametrize("chunked", [True, False])
async def test_a_playlist_page_is_read(apple: FakeAppleMusic, client, chunked: bool) -> None:
    apple.chunked = chunked
    playlist = await source(apple, client).fetch(REF)
    assert playlist.name == "Feel-Good Classic Rock" and playlist.origin == ORIGIN
    assert playlist.owner == "Apple Music Rock" and playlist.image.endswith("/300x300bb.jpg")
    assert len(playlist.tracks) == 100 and playlist.listed is None and not playlist.limit_note
    first = playlist.tracks[0]
    assert first.title == "Don't Stop Believin' (2024 Remaster)" and first.artists == ("Journey",)
    assert first.album == "Greatest Hits (2024 Remaster)" and first.duration_ms == 251_000
    assert first.id == "1440800000" and first.url.endswith("?i=1440800000")
    assert playlist.url == f"https://music.apple.com/us/playlist/{SLUG}/{PID}"
    assert apple.log == [("page", f"/us/playlist/{SLUG}/{PID}")]
    assert playlist.snapshot == await source(apple, client).snapshot(REF)


async def test_the_older_top_level_list_and_a_page_without_slug(apple, client) -> None:
    apple.pages[PID] = playlist_page(20, top_list=True)
    playlist = await source(apple, client).fetch(PlaylistRef("apple", f"gb/{PID}"))
    assert len(playlist.tracks) == 20 and apple.log[-1] == ("page-no-slug", f"/gb/playlist/{PID}")


async def test_more_tracks_than_the_page_shows_is_said(apple, client) -> None:
    apple.pages[PID] = playlist_page(100, count=312)
    playlist = await source(apple, client).fetch(REF)
    assert playlist.listed == 312
    assert playlist.limit_note.startswith("100 of 312 tracks: Apple Music's public page shows")


def test_header_and_songs_straight_in_data_and_the_schema_count() -> None:
    data = server_data(_first_items(5), count=0, flat=True)
    shown = parse_apple_page(apple_page(data, num_tracks=120))
    assert shown.name == "Feel-Good Classic Rock" and shown.owner == "Apple Music Rock"
    assert len(shown.entries) == 5 and shown.count == 120


def _first_items(n: int) -> list[dict]:
    return [track_item(t, a, n=i) for i, (t, a) in enumerate(real_listing()[:n])]


def test_the_walk_finds_tracks_when_the_section_kind_changed() -> None:
    data = json.loads(json.dumps(server_data(_first_items(5))).replace("trackLockup", "songRow"))
    shown = parse_apple_page(apple_page(data))
    assert [t.title for t in shown.entries] == [t.title for t, _ in real_listing()[:5]]


@pytest.mark.parametrize(
    "body",
    [
        b"<html><body>Apple Music</body></html>",  # HTML without the JSON
        apple_page(None, raw='{"data": [{"data": {"sec'),  # cut JSON
        apple_page(  # a changed key: no item has a title any more
            json.loads(json.dumps(server_data(_first_items(5))).replace('"title"', '"name"'))
        ),
        apple_page(server_data([])),  # no track list
    ],
    ids=["no-json", "cut-json", "renamed-title", "empty"],
)
def test_a_changed_page_is_one_sentence(body: bytes) -> None:
    with pytest.raises(PageChanged) as caught:
        parse_apple_page(body)
    said = str(caught.value)
    assert "Apple Music" in said and "Deezer" in said and "\n" not in said


async def test_a_changed_page_through_the_source(apple, client) -> None:
    apple.pages[PID] = b"<html><body>new build</body></html>"
    with pytest.raises(PlaylistUnavailable, match="Apple Music's public page"):
        await source(apple, client).fetch(REF)


async def test_a_429_is_waited_out_and_paces_the_host(apple, client) -> None:
    apple.fault("status", route="page", status=429, retry_after="1")
    playlist = await source(apple, client).fetch(REF)
    assert len(playlist.tracks) == 100 and apple.count("page") == 2
    assert client.adaptive[host_key(apple.base)].refused == 1


async def test_a_private_or_removed_playlist(apple, client) -> None:
    with pytest.raises(PlaylistUnavailable, match="no public playlist at that link"):
        await source(apple, client).fetch(PlaylistRef("apple", "us/pl.u-gone"))


async def test_a_host_that_keeps_failing(apple, client) -> None:
    apple.fault("status", route="page", status=503, times=20)
    with pytest.raises(ProviderDown):
        await source(apple, client).fetch(REF)


async def test_switched_off(apple, client) -> None:
    with pytest.raises(BadInput, match="switched off reading Apple Music"):
        await source(apple, client, enabled=False).fetch(REF)
    assert apple.log == []


def test_durations_as_text_and_a_name_from_og_title() -> None:
    items = [
        dict(i, duration=d)
        for i, d in zip(_first_items(4), ["251000", "4:11", "1:04:11", "?"], strict=True)
    ]
    data = server_data(items)
    data["data"][0]["data"]["sections"].pop(0)  # no header section
    shown = parse_apple_page(apple_page(data, name="Rock & «Roll»"))
    assert [t.duration_ms for t in shown.entries] == [251_000, 251_000, 3_851_000, None]  # type: ignore[union-attr]
    assert shown.name == "Rock & «Roll»" and shown.owner == "" and shown.count is None


def test_an_isrc_on_the_page_is_kept() -> None:
    item = track_item(real_listing()[0][0], "A", n=0) | {"isrc": "usrc17607839"}
    shown = parse_apple_page(apple_page(server_data([item])))
    assert shown.entries[0].isrc == "USRC17607839"  # type: ignore[union-attr]


@pytest.fixture
async def twins() -> AsyncIterator[tuple[FakeDeezerSearch, dict]]:
    fake, labels = labelled_catalogue([t for t, _ in real_listing()])
    async with serve(fake):
        yield fake, labels


@pytest.mark.parametrize("links", [True, False], ids=["artist-links", "artist-name-only"])
async def test_matched_on_a_labelled_catalogue(apple: FakeAppleMusic, twins, links) -> None:
    fake, labels = twins
    apple.pages[PID] = playlist_page(100, links=links)
    settings = make_settings(apple_music_base=apple.base, deezer_api_base=fake.api_base)
    async with HttpClient(settings.http, pause_scale=0.001) as http:
        matcher = DeezerMatcher(http, api_base=fake.api_base)
        playlist = await source(apple, http, matcher=matcher).fetch(REF)
    right = sum(1 for t in playlist.tracks if t.deezer_id and int(t.deezer_id) == labels[t.id])
    wrong = sum(1 for t in playlist.tracks if t.deezer_id and int(t.deezer_id) != labels[t.id])
    assert right >= 90 and wrong <= 2 and playlist.matched == right + wrong


async def test_clusters_end_to_end_and_a_repeat_asks_nothing(apple, twins, location) -> None:
    from storage import open_database

    fake, labels = twins
    settings = make_settings(
        apple_music_base=apple.base, deezer_api_base=fake.api_base, feature_providers=["deezer"]
    )
    database = await open_database(location)
    try:
        async with HttpClient(settings.http, pause_scale=0.001) as http:
            pipeline = build_pipeline(settings, http, database.cache)
            analysis = await pipeline.run(REF, AnalysisOptions(k=3))
            asked = len(apple.log) + len(fake.log)
            again = await build_pipeline(settings, http, database.cache).run(
                REF, AnalysisOptions(k=3)
            )
    finally:
        await database.close()
    twins_known = sum(1 for v in labels.values() if v is not None)
    assert analysis.playlist.matched == twins_known >= 90
    text = answer_text(analysis)
    assert f"Read 100 tracks from Apple Music's public page; {twins_known} matched" in text
    reading = to_document(analysis)["reading"]
    assert reading["read"] == 100 and reading["matched"] == twins_known
    assert reading["from"] == ORIGIN
    assert len(apple.log) + len(fake.log) == asked  # the repeat came from the cache
    assert again.playlist.matched == twins_known


async def test_the_command_line_summary_and_json_say_what_was_read(apple, twins, tmp_path) -> None:
    from bot.roots.cli import build_parser, run_analyze

    fake, labels = twins
    apple.pages[PID] = playlist_page(100, count=104)
    settings = make_settings(
        apple_music_base=apple.base, deezer_api_base=fake.api_base, feature_providers=["deezer"]
    )
    link = f"https://music.apple.com/us/playlist/{SLUG}/{PID}"
    args = build_parser().parse_args(["analyze", link, "-q", "--no-cache", "--out", str(tmp_path)])
    summary = await run_analyze(args, settings)
    matched = sum(1 for v in labels.values() if v is not None)
    assert f"Read 100 of 104 tracks from Apple Music's public page; {matched} matched" in summary
    assert "100 of 104 tracks: Apple Music's public page shows only the first 100." in summary
    reading = json.loads((tmp_path / "clusters.json").read_text("utf-8"))["reading"]
    assert reading == reading | {"listed": 104, "read": 100, "matched": matched, "from": ORIGIN}


async def test_isrcs_on_the_page_are_matched_by_isrc(apple: FakeAppleMusic) -> None:
    listing = [replace(t, isrc=f"USAT2{i:07d}") for i, (t, _) in enumerate(real_listing()[:3])]
    apple.pages[PID] = apple_page(
        server_data([track_item(t, "A", n=i) for i, t in enumerate(listing)])
    )
    fake, labels = labelled_catalogue(listing, missing_every=0)
    async with serve(fake):
        settings = make_settings(apple_music_base=apple.base, deezer_api_base=fake.api_base)
        async with HttpClient(settings.http, pause_scale=0.001) as http:
            matcher = DeezerMatcher(http, api_base=fake.api_base)
            playlist = await source(apple, http, matcher=matcher).fetch(REF)
    assert [int(t.deezer_id or 0) for t in playlist.tracks] == [labels[t.key] for t in listing]
    assert fake.count("search") == 0 and fake.count("track") == 3


async def test_a_changed_page_leaves_nothing_cached(apple, twins, location) -> None:
    from storage import open_database

    fake, _ = twins
    good = apple.pages[PID]
    apple.pages[PID] = b"<html><body>a new build</body></html>"
    settings = make_settings(
        apple_music_base=apple.base, deezer_api_base=fake.api_base, feature_providers=["deezer"]
    )
    database = await open_database(location)
    try:
        async with HttpClient(settings.http, pause_scale=0.001) as http:
            with pytest.raises(PlaylistUnavailable, match="Apple Music"):
                await build_pipeline(settings, http, database.cache).run(REF, AnalysisOptions(k=2))
            assert fake.log == []
            apple.pages[PID] = good
            analysis = await build_pipeline(settings, http, database.cache).run(
                REF, AnalysisOptions(k=2)
            )
    finally:
        await database.close()
    assert apple.count("page") == 2 and len(analysis.playlist.tracks) == 100
