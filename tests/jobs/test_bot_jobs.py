"""`/clusters` through the job queue, end to end: the fake Discord on a loopback socket
(the real discord.py HTTP and gateway code), the bot with REDIS_URL set, a real Redis and
an arq worker (in this process) against the fake providers."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import AsyncExitStack, asynccontextmanager
from pathlib import Path
from typing import Any

from bot.roots.app import PlaylistBot
from bot.settings.env import Settings
from tests.fake_discord import APPLICATION_ID, Call, FakeDiscord
from tests.harness import bot_settings, playlist_csv
from tests.jobs.conftest import HeldDeezer, running_worker
from tests.pages_seen import seen as page_seen

Send = Callable[[FakeDiscord], Awaitable[str]]


@asynccontextmanager
async def running_bot(settings: Settings, *, worker: bool) -> AsyncIterator[PlaylistBot]:
    """The bot on the fake Discord (and, with ``worker``, an arq worker beside it)."""
    async with AsyncExitStack() as stack:
        if worker:
            await stack.enter_async_context(running_worker(settings))
        bot = PlaylistBot(settings, heartbeat=False, freeze_heap=False)
        runner = asyncio.create_task(bot.start("fake-token"))
        try:
            await asyncio.wait_for(bot.wait_until_ready(), 10)
            yield bot
        finally:
            await bot.close()
            await asyncio.wait_for(runner, 10)


def answer(fake: FakeDiscord, token: str) -> Awaitable[Call]:
    """The edit that carries the picture: the answer."""
    return fake.wait_for(lambda c: c.method == "PATCH" and token in c.path and bool(c.files))


def private_reply(fake: FakeDiscord, token: str) -> Awaitable[Call]:
    """The ephemeral follow-up an error is answered with (after a public deferral)."""
    return fake.wait_for(
        lambda c: c.method == "POST" and c.path.endswith(f"/webhooks/{APPLICATION_ID}/{token}")
    )


def edits(fake: FakeDiscord, token: str) -> list[str]:
    return [
        c.json["content"]
        for c in fake.calls
        if c.method == "PATCH" and token in c.path and c.json and c.json.get("content")
    ]


async def test_clusters_through_a_worker_answers_as_the_bot_alone_does(
    tmp_path: Path, fake_discord: FakeDiscord, redis_url: str
) -> None:
    fake = fake_discord
    data = playlist_csv()
    answers: list[Call] = []
    for mode, url in (("alone", ""), ("jobs", redis_url)):
        settings = bot_settings(tmp_path / mode, redis_url=url)
        async with running_bot(settings, worker=bool(url)) as bot:
            assert (bot.jobs is not None) is bool(url)
            token = await fake.send_clusters_command("Road_Trip.csv", data, clusters=2)
            answers.append(await answer(fake, token))
            assert "Reading the file…" in edits(fake, token)  # from the worker, in jobs mode
    alone, jobs = answers
    assert jobs.json["components"] == alone.json["components"]
    assert jobs.files == alone.files and jobs.files["clusters.png"].startswith(b"\x89PNG")
    assert "Clusters in Road Trip" in page_seen(jobs.json).top


async def test_a_user_error_in_the_worker_is_answered_privately_with_its_own_sentence(
    tmp_path: Path,
    fake_discord: FakeDiscord,
    redis_url: str,
    deezer: HeldDeezer,
) -> None:
    fake = fake_discord
    replies: list[Call] = []
    for mode, url in (("alone", ""), ("jobs", redis_url)):
        settings = bot_settings(tmp_path / mode, redis_url=url, deezer_api_base=deezer.api_base)
        async with running_bot(settings, worker=bool(url)):
            token = await fake.send_clusters_link("https://www.deezer.com/playlist/999", 2)
            replies.append(await private_reply(fake, token))
    alone, jobs = replies
    assert jobs.json["flags"] & 64  # ephemeral
    assert jobs.json["content"] == alone.json["content"]
    assert "error id" not in jobs.json["content"]  # a sentence for the user, not a bug


async def test_without_a_worker_the_user_is_told_so_privately(
    tmp_path: Path, fake_discord: FakeDiscord, redis_url: str
) -> None:
    fake = fake_discord
    async with running_bot(bot_settings(tmp_path, redis_url=redis_url), worker=False):
        token = await fake.send_clusters_command("Road_Trip.csv", playlist_csv(), clusters=2)
        reply = await private_reply(fake, token)
    assert reply.json["flags"] & 64
    assert reply.json["content"].startswith("No analysis worker is running right now")


async def test_a_request_waiting_for_a_worker_is_told_its_place_then_answered(
    tmp_path: Path,
    fake_discord: FakeDiscord,
    redis_url: str,
    deezer: HeldDeezer,
) -> None:
    fake = fake_discord
    settings: Any = bot_settings(
        tmp_path,
        redis_url=redis_url,
        deezer_api_base=deezer.api_base,
        worker_concurrency=1,
        http_timeout_seconds=30,
    )
    deezer.release.clear()
    async with running_bot(settings, worker=True):
        first = await fake.send_clusters_link("https://www.deezer.com/playlist/4242", 2)
        await deezer.arrived.wait()  # the only worker slot is busy
        second = await fake.send_clusters_command("Later.csv", playlist_csv(groups=3), 3)
        await fake.wait_for(
            lambda c: (
                c.method == "PATCH"
                and second in c.path
                and (c.json or {}).get("content") == "Waiting for a free slot: you are 1st in line…"
            )
        )
        deezer.release.set()
        one, two = await answer(fake, first), await answer(fake, second)
    assert "Clusters in Nuit blanche" in page_seen(one.json).top
    assert "Clusters in Later" in page_seen(two.json).top
    assert any(text.startswith("Fetching tracks") for text in edits(fake, first))
