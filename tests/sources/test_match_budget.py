"""The bot's Deezer matching of a public link within an answer budget, the rest in the
background into the match cache; the CLI waits for every lookup.

Real code paths: the pipeline as the bot builds it (``build_pipeline(...,
background=True)`` over a SQLite cache) reads the loopback fakes of Spotify's embed
page, ReccoBeats and Deezer (tests/fakes/). Deezer answers after 50 ms while the
answer is worked on (one request in flight per lane), and at once afterwards so the
background finishes quickly. Deezer's window is opened wide (``deezer_rate_per_5s``):
the budget, not the pace, is under test (tests/net covers the window).
"""

from __future__ import annotations

import logging
import time
from collections.abc import AsyncIterator

import pytest

from bot.locales import words_for
from bot.model import Analysis, AnalysisOptions, PlaylistRef
from bot.net.client import HttpClient
from bot.render.document import to_document, with_audio
from bot.render.pages import answer_text
from bot.roots.wiring import build_pipeline, close_providers
from bot.sources.deezer_match import DeezerMatcher
from bot.sources.ytmusic import YTMusicSource
from storage.database import Database, open_database
from tests.fakes import make_settings
from tests.fakes.base import serve
from tests.fakes.deezer_search import FakeDeezerSearch, Listing, labelled_catalogue
from tests.fakes.public_pages import FakeSpotifyPage, embed_page
from tests.fakes.reccobeats import FakeReccoBeats
from tests.fakes.ytmusic import FEEL_GOOD, FakeYTMusic
from tests.roots.test_public_links import PID, hundred_entries, recco_features

REF = PlaylistRef("spotify", PID)
OPTIONS = AnalysisOptions(k=3)
BUDGET = 0.15


@pytest.fixture
async def fakes() -> AsyncIterator[tuple[FakeSpotifyPage, FakeReccoBeats, FakeDeezerSearch]]:
    page = FakeSpotifyPage()
    page.pages[PID] = embed_page(hundred_entries(), pid=PID, name="Cent titres 🎧")
    recco = FakeReccoBeats()
    known = recco_features()  # 95 of the 100 ...
    ids = [e["uri"].rsplit(":", 1)[1] for e in hundred_entries()]
    for i in range(10, 100, 20):  # ... but not the same 5 as Deezer lacks
        known[ids[i + 9]] = known.pop(ids[i])
    recco.features.update(known)
    from bot.sources.spotify_page import parse_embed_page

    tracks = [t for t in parse_embed_page(page.pages[PID]).entries if not isinstance(t, str)]
    deezer, labels = labelled_catalogue(
        [Listing(t.id, t.title, t.artists, round((t.duration_ms or 0) / 1000)) for t in tracks]
    )
    deezer.labels = labels  # type: ignore[attr-defined] # track id -> its twin's id (None)
    async with serve(page), serve(recco), serve(deezer):
        yield page, recco, deezer


@pytest.fixture
async def cache(tmp_path) -> AsyncIterator[Database]:
    database = await open_database(tmp_path / "cache.db")
    try:
        yield database
    finally:
        await database.close()


def settings_for(page: FakeSpotifyPage, recco: FakeReccoBeats, deezer: FakeDeezerSearch):
    return make_settings(
        spotify_embed_base=page.embed_base,
        reccobeats_api_base=recco.api_base,
        deezer_api_base=deezer.api_base,
        deezer_match_budget_seconds=BUDGET,
    )


def matcher_of(pipeline) -> DeezerMatcher:
    matcher = pipeline.sources["ytmusic"].matcher
    assert isinstance(matcher, DeezerMatcher)
    return matcher


def deezer_asked(deezer: FakeDeezerSearch) -> tuple[int, int, int]:
    return deezer.count("search"), deezer.count("album"), deezer.count("track")


def matched_fully(analysis: Analysis) -> list[str]:
    """Ids of matched tracks that lack album, label or art (empty: all complete)."""
    return [
        t.id
        for t in analysis.playlist.tracks
        if t.deezer_id and not (t.album and t.label and t.image)
    ]


async def test_the_bot_answers_at_the_budget_and_the_next_answer_is_full(
    fakes, cache: Database
) -> None:
    page, recco, deezer = fakes
    settings = settings_for(page, recco, deezer)
    async with HttpClient(settings.http, pause_scale=0.001) as http:
        pipeline = build_pipeline(settings, http, cache.cache, background=True)
        try:
            deezer.latency = 0.05
            started = time.perf_counter()
            first = await pipeline.run(REF, OPTIONS)
            took = time.perf_counter() - started
            deezer.latency = 0.0
            at_answer = deezer_asked(deezer)
            kept = await pipeline.stored(pipeline.cache_key(first.playlist, OPTIONS))
            await matcher_of(pipeline).wait_background()
            done = deezer_asked(deezer)
            second = await pipeline.run(REF, OPTIONS)
            third = await pipeline.run(REF, OPTIONS)
        finally:
            await close_providers(pipeline)

    # the first answer went out at the budget with what was matched by then
    playlist = first.playlist
    pending = playlist.match_pending
    assert pending > 0 and first.partial
    assert at_answer[0] < 100  # not every search was waited for
    assert BUDGET <= took < BUDGET + 3.0, took  # (the clustering too, on a busy machine)
    assert with_audio(playlist) == 95  # the features never depended on the match
    # the tracks ReccoBeats lacks were matched first: their previews are what can be heard
    unheard = [t for t in playlist.tracks if not t.audio]
    assert len(unheard) == 5
    twins = deezer.labels  # type: ignore[attr-defined]
    assert all(t.deezer_id == str(twins[t.id]) for t in unheard if twins[t.id] is not None)
    assert all(t.deezer_id and t.preview_url for t in unheard)
    text = answer_text(first)
    matched = playlist.matched
    assert matched is not None and 0 < matched < 95
    assert (
        f"Read 100 tracks from Spotify's public embed page; {matched} matched on Deezer; "
        "95 with audio features." in text
    )
    assert (  # the answer's text is Discord markdown: its colon is escaped
        f"Album, label and art of {pending} tracks are still being looked up on Deezer\\: "
        "ask again in a minute for the full table." in text
    )
    assert to_document(first)["reading"]["pending"] == pending
    # stored for paging as it was: partial, so never taken for a new request's answer
    assert kept is not None and kept.partial and kept.playlist.match_pending == pending
    # in the member's language
    assert (
        f"L'album, le label et la pochette de {pending} titres sont encore recherchés sur "
        "Deezer" in answer_text(first, words=words_for("fr"))
    )

    # the background asked each track and album once, and the next answer is full
    assert done[0] == 100 and done[1] == len(set(_albums(deezer)))
    assert done[2] == 0  # (no tempo lookup: ReccoBeats covers 95 of 100)
    assert second.playlist.matched == 95 and second.playlist.match_pending == 0
    bad = [t for t in second.playlist.tracks if t.id in matched_fully(second)]
    assert not bad, [(t.album, t.label, t.image, t.album_id) for t in bad][:3]
    assert not second.partial
    assert "still being looked up" not in answer_text(second)
    # from the match cache: no new search or album request (the 5 tracks without
    # features may get Deezer's tempo lookups, /track/{id}: features, not matching)
    assert deezer_asked(deezer)[:2] == done[:2]
    # and now cached whole: the third is the second's, asked of nobody
    asked = deezer_asked(deezer), page.count("embed"), len(recco.log)
    assert third.playlist.matched == 95 and not third.partial
    assert (deezer_asked(deezer), page.count("embed"), len(recco.log)) == asked
    assert page.count("embed") == 2  # the partial answer's playlist was not cached


def _albums(deezer: FakeDeezerSearch) -> list[str]:
    return [q for name, q in deezer.log if name == "album"]


async def test_without_the_budget_the_same_answer_waits_for_every_lookup(
    fakes, cache: Database
) -> None:
    """The CLI's pipeline (no background) waits, whatever the budget says: its
    document wants every album, label and cover."""
    page, recco, deezer = fakes
    settings = settings_for(page, recco, deezer).model_copy(
        update={"deezer_match_budget_seconds": 0.0}
    )
    async with HttpClient(settings.http, pause_scale=0.001) as http:
        pipeline = build_pipeline(settings, http, cache.cache)
        try:
            deezer.latency = 0.01
            analysis = await pipeline.run(REF, OPTIONS)
        finally:
            await close_providers(pipeline)
    assert analysis.playlist.matched == 95 and analysis.playlist.match_pending == 0
    assert not analysis.partial and matched_fully(analysis) == []
    assert "still being looked up" not in answer_text(analysis)
    assert deezer.count("search") == 100


async def test_a_background_failure_is_a_log_line_and_nothing_wrong_is_cached(
    fakes, cache: Database, caplog: pytest.LogCaptureFixture
) -> None:
    page, recco, deezer = fakes
    settings = settings_for(page, recco, deezer).model_copy(update={"http_max_retries": 0})
    async with HttpClient(settings.http, pause_scale=0.001) as http:
        pipeline = build_pipeline(settings, http, cache.cache, background=True)
        try:
            deezer.latency = 0.05
            first = await pipeline.run(REF, OPTIONS)
            deezer.latency = 0.0
            # Deezer breaks for whatever the background asks next
            deezer.fault("status", status=503, times=10_000)
            with caplog.at_level(logging.INFO):
                await matcher_of(pipeline).wait_background()
            assert first.playlist.match_pending > 0
            assert not [r for r in caplog.records if r.exc_info or r.levelno >= logging.ERROR]
            deezer.faults.clear()
            matcher_of(pipeline).budget = None  # the next answer waits for all of it
            before = deezer.count("search")
            second = await pipeline.run(REF, OPTIONS)
        finally:
            await close_providers(pipeline)
    # what failed was not remembered as "no match": asked again, and matched now
    assert deezer.count("search") > before
    assert second.playlist.matched == 95 and second.playlist.match_pending == 0
    assert matched_fully(second) == []


async def test_youtube_music_waits_for_every_search_and_leaves_album_details(
    tmp_path, cache: Database
) -> None:
    """Without a Spotify id a track's features come only through its match: every
    search is waited for, past the budget; album details are what is left."""
    ytm = FakeYTMusic()
    async with serve(ytm):
        plain = make_settings(ytmusic_api_base=ytm.api_base)
        async with HttpClient(plain.http) as http:
            listed = await YTMusicSource(http, api_base=ytm.api_base).fetch(
                PlaylistRef("ytmusic", FEEL_GOOD)
            )
        deezer, labels = labelled_catalogue(
            [
                Listing(t.id, t.title, t.artists, round((t.duration_ms or 0) / 1000))
                for t in listed.tracks
            ]
        )
        twins = sum(1 for v in labels.values() if v is not None)
        async with serve(deezer):
            settings = make_settings(
                ytmusic_api_base=ytm.api_base,
                deezer_api_base=deezer.api_base,
                deezer_match_budget_seconds=0.05,
            )
            async with HttpClient(settings.http, pause_scale=0.001) as http:
                pipeline = build_pipeline(settings, http, cache.cache, background=True)
                try:
                    deezer.latency = 0.02
                    playlist = await pipeline.fetch(PlaylistRef("ytmusic", FEEL_GOOD))
                    deezer.latency = 0.0
                    await matcher_of(pipeline).wait_background()
                finally:
                    await close_providers(pipeline)
    assert playlist.matched == twins
    assert all(t.preview_url for t in playlist.tracks if t.deezer_id)  # for preview analysis
    assert 0 < playlist.match_pending <= twins
    assert sum(1 for t in playlist.tracks if t.deezer_id and not t.label) == playlist.match_pending
    assert deezer.count("search") == 100


async def test_a_weekly_post_waits_for_every_match_where_a_member_gets_the_budget(
    fakes, cache: Database, tmp_path
) -> None:
    """``AnalysisOptions.complete`` (a weekly post, which nobody waits on): the bot's
    pipeline, at the same budget that cuts a member's answer, waits for every search
    and album; no pending sentence, every label, stored whole."""
    page, recco, deezer = fakes
    settings = settings_for(page, recco, deezer)
    weekly = AnalysisOptions(k=3, complete=True)
    other = await open_database(tmp_path / "member.db")  # the member's: nothing shared
    async with HttpClient(settings.http, pause_scale=0.001) as http:
        pipeline = build_pipeline(settings, http, cache.cache, background=True)
        members = build_pipeline(settings, http, other.cache, background=True)
        try:
            deezer.latency = 0.02  # (195 requests, 8 in flight: ~0.5 s, past the budget)
            started = time.perf_counter()
            full = await pipeline.run(REF, weekly)
            took = time.perf_counter() - started
            asked, albums = deezer_asked(deezer), _albums(deezer)
            kept = await pipeline.stored(pipeline.cache_key(full.playlist, weekly))
            deezer.latency = 0.05
            member = await members.run(REF, OPTIONS)
        finally:
            await close_providers(members)
            await close_providers(pipeline)
            await other.close()
    assert took > BUDGET  # past the budget: it waited
    assert full.playlist.matched == 95 and full.playlist.match_pending == 0
    assert not full.partial and matched_fully(full) == []
    assert "still being looked up" not in answer_text(full)
    assert asked[0] == 100 and asked[1] == len(albums) == len(set(albums)) > 0  # each once
    assert kept is not None and not kept.partial  # the full one, for any later request
    # the same link at the same settings, asked by a member: answered at the budget
    assert member.partial and member.playlist.match_pending > 0
    assert "still being looked up on Deezer" in answer_text(member)


async def test_a_weekly_post_joining_a_members_lookups_waits_for_all_of_them(
    fakes, cache: Database
) -> None:
    """A weekly post asked while a member's answer left lookups to the background
    waits for them (asked once) instead of joining the member's partial answer."""
    page, recco, deezer = fakes
    settings = settings_for(page, recco, deezer)
    async with HttpClient(settings.http, pause_scale=0.001) as http:
        pipeline = build_pipeline(settings, http, cache.cache, background=True)
        try:
            deezer.latency = 0.05
            member = await pipeline.run(REF, OPTIONS)
            deezer.latency = 0.002
            full = await pipeline.run(REF, AnalysisOptions(k=3, complete=True))
            await matcher_of(pipeline).wait_background()
        finally:
            await close_providers(pipeline)
    assert member.partial
    assert not full.partial and full.playlist.match_pending == 0 and matched_fully(full) == []
    assert deezer.count("search") == 100  # each track searched once


async def test_a_member_never_narrows_a_queue_a_weekly_post_waits_on() -> None:
    """The queue rules alone: a member's answer at its budget leaves a queue a weekly
    post waits on at full width; the weekly post giving up (its job timed out) sends
    it to the background like any answer."""
    import asyncio

    from bot.model import Track
    from bot.sources.budget.match_queue import BACKGROUND_LANES, MatchQueue, wait

    async def search(track: Track) -> None:
        await asyncio.sleep(0.02)

    async def album(aid: str) -> dict:
        return {}

    tracks = [Track(id=f"t{i}", title=f"T{i}", spotify_id=f"s{i}", audio={}) for i in range(40)]
    queue = MatchQueue(tracks, search, album, lanes=4)
    loop = asyncio.get_running_loop()
    queue.deadline = loop.time()  # the member's budget, spent at once
    queue.start()
    queue.wait_for_all()  # a weekly post joins
    await wait({queue}, loop.time())  # the member's answer goes out ...
    assert not queue.sealed and queue.lanes == 4  # ... and leaves the queue as it was
    with pytest.raises(TimeoutError):
        await asyncio.wait_for(wait({queue}, float("inf")), 0.05)  # the weekly gives up
    assert queue.sealed and queue.lanes == BACKGROUND_LANES
    queue.task.cancel()
    await asyncio.gather(queue.task, return_exceptions=True)
