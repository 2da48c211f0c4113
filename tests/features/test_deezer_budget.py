"""Deezer's per-track tempo/loudness lookups within a time budget, the rest in the background."""

from __future__ import annotations

import asyncio
from dataclasses import replace

from bot.features.deezer import DeezerFeatures
from bot.model import PlaylistRef, Track
from bot.net.client import HttpClient
from bot.sources.deezer import DeezerSource
from tests.features.test_providers import DictCache

N = 120


async def slow_deezer_tracks(fake_deezer, settings, http: HttpClient) -> list[Track]:
    """120 Deezer tracks; afterwards every answer takes 50 ms (one lookup at a time)."""
    fake_deezer.generated(77, N)
    playlist = await DeezerSource.from_settings(settings.deezer, http).fetch(
        PlaylistRef("deezer", "77")
    )
    fake_deezer.latency = 0.05
    return playlist.tracks


def budget_settings(fake_settings, budget: float = 0.3):
    return fake_settings.model_copy(
        update={"http_concurrency": 1, "deezer_track_budget_seconds": budget}
    )


async def test_the_cli_stops_at_the_budget_and_keeps_what_it_found(
    fake_settings, fake_deezer
) -> None:
    settings = budget_settings(fake_settings)
    cache = DictCache()
    async with HttpClient(settings.http, pause_scale=0.001) as http:
        tracks = await slow_deezer_tracks(fake_deezer, settings, http)
        provider = DeezerFeatures.from_settings(settings.deezer, http, cache, background=False)
        found, deferred = await provider.enrich_bounded(tracks)
        asked = fake_deezer.count("track")
        await asyncio.sleep(0.3)
        assert fake_deezer.count("track") == asked  # nothing goes on after the answer
    assert 0 < found < N and deferred == N - found
    assert asked < N
    assert sum(1 for t in tracks if t.audio_provider == "deezer") == found
    assert len(cache.data[("deezer", "deezer", 1)]) == found  # what was found is kept
    note = provider.deferred_note(deferred)
    assert f"{deferred:,} more tracks were not looked up within the 0.3 s budget" in note


async def test_the_bot_fills_the_cache_in_the_background_and_asks_each_track_once(
    fake_settings, fake_deezer
) -> None:
    settings = budget_settings(fake_settings)
    cache = DictCache()
    async with HttpClient(settings.http, pause_scale=0.001) as http:
        tracks = await slow_deezer_tracks(fake_deezer, settings, http)
        fresh = [replace(t) for t in tracks]
        provider = DeezerFeatures.from_settings(settings.deezer, http, cache, background=True)
        found, deferred = await provider.enrich_bounded(tracks)
        assert deferred > 0 and found + deferred == N
        assert "being looked up in the background" in provider.deferred_note(deferred)
        # a second answer meanwhile does not ask again for what the background asks
        again, still = await provider.enrich_bounded([replace(t) for t in fresh])
        assert again + still == N and still > 0
        await provider.wait_background()
        assert fake_deezer.count("track") == N
        # the next answer is complete, from the cache alone
        complete, left = await provider.enrich_bounded(fresh)
        assert (complete, left) == (N, 0)
        assert fake_deezer.count("track") == N
    assert len(cache.data[("deezer", "deezer", 1)]) == N
    assert fake_deezer.max_in_flight == 1


async def test_background_lookups_stop_when_the_bot_closes(fake_settings, fake_deezer) -> None:
    settings = budget_settings(fake_settings, budget=0.1)
    async with HttpClient(settings.http, pause_scale=0.001) as http:
        tracks = await slow_deezer_tracks(fake_deezer, settings, http)
        provider = DeezerFeatures.from_settings(settings.deezer, http, DictCache(), background=True)
        _, deferred = await provider.enrich_bounded(tracks)
        assert deferred
        await provider.aclose()
        asked = fake_deezer.count("track")
        await asyncio.sleep(0.2)
        assert fake_deezer.count("track") == asked < N


async def test_prefetches_of_one_answer_share_one_deadline(fake_settings, fake_deezer) -> None:
    class Answer:
        pass

    settings = budget_settings(fake_settings, budget=5.0)
    async with HttpClient(settings.http, pause_scale=0.001) as http:
        tracks = await slow_deezer_tracks(fake_deezer, settings, http)
        for track in tracks:
            track.preview_url = ""  # no preview can cover them: sure to need Deezer
        provider = DeezerFeatures.from_settings(settings.deezer, http)
        answer, other = Answer(), Answer()
        provider.prefetch(tracks[:10], answer)
        await asyncio.sleep(0.2)
        provider.prefetch(tracks[10:20], answer)
        provider.prefetch(tracks[20:30], other)
        deadlines = {key: fill.deadline for key, fill in provider._fills.items()}
        first = {deadlines[("deezer", t.id)] for t in tracks[:10] if ("deezer", t.id) in deadlines}
        second = {deadlines[("deezer", t.id)] for t in tracks[10:20]}
        third = {deadlines[("deezer", t.id)] for t in tracks[20:30]}
        await provider.aclose()
    assert second == first or not first  # the first batch may be done already
    assert len(second) == 1 and len(third) == 1
    assert third.pop() - second.pop() >= 0.15  # another answer: its own budget


async def test_an_analysis_that_waits_for_all_gets_every_track_past_the_budget(
    fake_settings, fake_deezer
) -> None:
    """A weekly post (bot.patience) waits for every tempo lookup, whatever the budget,
    and says nothing about lookups left; an answer at the budget meanwhile still stops."""
    from bot.patience import waiting_for_all

    settings = budget_settings(fake_settings, budget=0.1)
    async with HttpClient(settings.http, pause_scale=0.001) as http:
        tracks = await slow_deezer_tracks(fake_deezer, settings, http)
        provider = DeezerFeatures.from_settings(settings.deezer, http, DictCache(), background=True)
        member, weekly = tracks[:10], tracks[10:20]
        fresh = [replace(t) for t in member]  # (as read, before any features)
        found, deferred = await provider.enrich_bounded(member)
        assert deferred > 0 and found < 10  # the member's answer: at the budget
        fake_deezer.latency = 0.02  # (quicker from here: one request in flight at a time)
        loop = asyncio.get_running_loop()
        started = loop.time()
        with waiting_for_all():
            complete, left = await provider.enrich_bounded(weekly)
            # prefetches made for it are not cut at a budget either
            early = [replace(t, preview_url="") for t in tracks[20:22]]
            provider.prefetch(early, object())
            assert {provider._fills[("deezer", t.id)].deadline for t in early} == {float("inf")}
        assert loop.time() - started > 0.1  # past the budget: it waited
        assert (complete, left) == (10, 0)
        assert all(t.audio_provider == "deezer" for t in weekly)
        # joining lookups another answer began (narrowed to the background): all of them
        fake_deezer.latency = 0.005
        with waiting_for_all():
            joined, left = await provider.enrich_bounded(fresh)
        assert (joined, left) == (10, 0)
        await provider.aclose()
    assert fake_deezer.count("track") <= 22  # each track asked once
