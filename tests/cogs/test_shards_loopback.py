"""Sharded bot processes through the loopback fake Discord (real discord.py HTTP and
gateway code, ``AutoShardedBot``): each process runs its shards, pages turn whichever
process receives the press, and a weekly post is made once by the process that owns
the guild, even when two processes both believe they own it."""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import discord
import pytest
import yarl
from aiohttp.test_utils import TestServer
from discord.ext import commands

from bot.roots.app import PlaylistBot, ShardedPlaylistBot, make_bot
from bot.shards import shard_of
from bot.weekly.clock import WeeklyClock
from bot.weekly.rules import iso_week
from storage.database import Database
from storage.schedules import Schedule
from tests.conftest import ROOT
from tests.fake_discord import OWNER_ID
from tests.fake_shards import CHANNEL_ID, GUILD_ID, ShardedFakeDiscord
from tests.harness import bot_settings, playlist_csv
from tests.pages_seen import seen as page_seen

#: The shard that carries the fake's guild when there are two.
OURS = shard_of(GUILD_ID, 2)
OTHER = 1 - OURS


@pytest.fixture
async def fake(monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[ShardedFakeDiscord]:
    fake = ShardedFakeDiscord()
    server = TestServer(fake.app(), host="127.0.0.1")
    await server.start_server()
    fake.base = f"http://127.0.0.1:{server.port}"
    monkeypatch.setattr(discord.http.Route, "BASE", f"{fake.base}/api/v10")
    monkeypatch.setattr(
        discord.gateway.DiscordWebSocket,
        "DEFAULT_GATEWAY",
        yarl.URL(f"ws://127.0.0.1:{server.port}/"),
    )
    try:
        yield fake
    finally:
        await server.close()


class Running:
    """Bot processes started against the fake, closed at the end."""

    def __init__(self) -> None:
        self.bots: list[PlaylistBot] = []
        self.runners: list[asyncio.Task[None]] = []

    async def start(self, tmp_path: Path, **settings: Any) -> PlaylistBot:
        bot = make_bot(bot_settings(tmp_path, **settings), heartbeat=False, freeze_heap=False)
        self.bots.append(bot)
        self.runners.append(asyncio.create_task(bot.start("fake-token")))
        return bot

    async def close(self) -> None:
        for bot in self.bots:
            await bot.close()
        for runner in self.runners:
            await asyncio.wait_for(runner, 10)


@pytest.fixture
async def running() -> AsyncIterator[Running]:
    started = Running()
    try:
        yield started
    finally:
        await started.close()


def seen_interactions(bot: PlaylistBot) -> list[int]:
    """Ids of the interactions (and reacted messages) that reach ``bot``."""
    seen: list[int] = []

    async def interaction(event: discord.Interaction) -> None:
        seen.append(event.id)

    async def reaction(payload: discord.RawReactionActionEvent) -> None:
        seen.append(payload.message_id)

    bot.add_listener(interaction, "on_interaction")
    bot.add_listener(reaction, "on_raw_reaction_add")
    return seen


def component(message: dict, prefix: str) -> dict:
    rows = [c for c in message["components"] if c["type"] == 1]
    return next(c for row in rows for c in row["components"] if c["custom_id"].startswith(prefix))


async def test_a_sharded_process_runs_its_shard_and_names_it_in_the_heartbeat(
    tmp_path: Path, fake: ShardedFakeDiscord, running: Running
) -> None:
    bot = await running.start(tmp_path, shard_count=2, shard_ids=[OURS])
    assert isinstance(bot, ShardedPlaylistBot) and isinstance(bot, commands.AutoShardedBot)
    await asyncio.wait_for(bot.wait_until_ready(), 20)
    (connection,) = fake.connections
    assert (connection.shard_id, connection.shard_count) == (OURS, 2)
    assert not [c for c in fake.calls if c.path.endswith("/gateway/bot")]  # count was given
    assert bot.get_guild(GUILD_ID) is not None and sorted(bot.shards) == [OURS]
    assert bot.owns_guild(GUILD_ID)
    assert not bot.owns_guild(GUILD_ID + (1 << 22))  # the next guild id: the other shard

    await bot._heartbeat.coro(bot)  # one beat, as the 30-second loop does
    beat = json.loads(bot.settings.health_file.read_text("utf-8"))
    assert beat["shards"] == f"shards {OURS} of 2"
    assert (beat["shard_ids"], beat["shard_count"], beat["guilds"]) == ([OURS], 2, 1)
    env = {**os.environ, "HEALTH_FILE": str(bot.settings.health_file), "PYTHONPATH": str(ROOT)}
    health = await asyncio.to_thread(
        subprocess.run,
        [sys.executable, "-m", "bot.roots.health"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert health.returncode == 0, health.stderr
    assert health.stdout.startswith("healthy: last heartbeat ")
    assert health.stdout.rstrip().endswith(f"(shards {OURS} of 2, 1 guilds)")


async def test_shard_count_auto_asks_discord_how_many(
    tmp_path: Path, fake: ShardedFakeDiscord, running: Running
) -> None:
    fake.recommended_shards = 1
    bot = await running.start(tmp_path, shard_count="auto")
    await asyncio.wait_for(bot.wait_until_ready(), 20)
    assert [c.path for c in fake.calls if c.path.endswith("/gateway/bot")] == [
        "/api/v10/gateway/bot"
    ]
    assert bot.shard_count == 1 and bot.shard_plan.label() == "shards 0 of 1"
    assert bot.owns_guild(GUILD_ID) and bot.get_guild(GUILD_ID) is not None


async def test_pages_turn_in_a_process_other_than_the_one_that_posted(
    tmp_path: Path, fake: ShardedFakeDiscord, running: Running
) -> None:
    """Process A answers /clusters; process B (another bot on the same database, as in
    a restart overlapping A or after resharding) gets the button press and the reaction."""
    a = await running.start(tmp_path, shard_count=2, shard_ids=[OURS])
    seen_by_a = seen_interactions(a)
    await asyncio.wait_for(a.wait_until_ready(), 20)
    fake.route(0)
    token = await fake.send_clusters_command("Road_Trip.csv", playlist_csv(), clusters=2)
    await fake.wait_for(lambda c: c.method == "PATCH" and token in c.path and bool(c.files))
    message_id = fake.originals[token]

    b = await running.start(tmp_path, shard_count=2, shard_ids=[OURS])
    seen_by_b = seen_interactions(b)
    await asyncio.wait_for(b.wait_until_ready(), 20)
    assert b.storage is not a.storage  # two connections to one SQLite file
    fake.route(1)
    button = component(fake.messages[message_id], "pc:pg:0:0:0:n")
    pressed = await fake.send_component(message_id, button["custom_id"])
    answer = await fake.wait_for(lambda c: c.path.endswith(f"/{pressed}/callback"))
    assert answer.json["type"] == 7  # the shared message itself changes
    assert page_seen(answer.json["data"]).footer.startswith("Page 2/5 · Cluster 1/2")
    assert len(seen_by_b) == 1 and len(seen_by_a) == 1  # A saw only its command

    assert b.storage is not None
    moved = asyncio.Event()
    update_position = b.storage.messages.update_position

    async def recorded(message: int, cluster: int, page: int) -> bool:
        done = await update_position(message, cluster, page)
        if cluster == 1:  # the reaction's turn (not the button's, which may land late)
            moved.set()
        return done

    b.storage.messages.update_position = recorded  # type: ignore[method-assign]
    await fake.react(message_id, "⏩")
    await asyncio.wait_for(moved.wait(), 20)  # B stored where the message is now
    turned = await fake.wait_for(
        lambda c: c.method == "PATCH" and c.path.endswith(f"/messages/{message_id}")
    )
    assert page_seen(turned.json).footer.startswith("Page 1/")
    assert "Cluster 2/2" in page_seen(turned.json).footer
    assert seen_by_b[-1] == message_id and len(seen_by_a) == 1
    state = await a.storage.messages.get(message_id)  # what A reads now is B's page
    assert state is not None and (state.cluster, state.page) == (1, 0)


async def _due_schedule(tmp_path: Path) -> int:
    """A schedule of the fake's guild, due now (today, 00:00 UTC), never posted."""
    settings = bot_settings(tmp_path)
    async with await Database.open(settings.database_path) as db:
        schedule = await db.schedules.add(
            Schedule(
                guild_id=GUILD_ID,
                channel_id=CHANNEL_ID,
                ref_source="deezer",
                ref_id="4242",
                weekday=discord.utils.utcnow().weekday(),
                time="00:00",
                timezone="UTC",
                created_by=OWNER_ID,
            )
        )
    assert schedule.id is not None
    return schedule.id


@pytest.fixture
def first_checks(monkeypatch: pytest.MonkeyPatch) -> dict[str, Any]:
    """Each weekly clock's first check: owner -> posts made; ``done`` once two are in."""
    found: dict[str, Any] = {"posts": {}, "done": asyncio.Event()}
    check = WeeklyClock.check

    async def counted(self: WeeklyClock) -> int:
        made = await check(self)
        found["posts"].setdefault(self.owner, made)
        if len(found["posts"]) == 2:
            found["done"].set()
        return made

    monkeypatch.setattr(WeeklyClock, "check", counted)
    return found


@pytest.mark.parametrize(
    "shards", [(OURS, OTHER), (OURS, OURS)], ids=["one-owner", "both-think-they-own-it"]
)
async def test_a_weekly_post_is_made_once_across_two_processes(
    tmp_path: Path,
    fake: ShardedFakeDiscord,
    running: Running,
    fake_deezer: Any,
    first_checks: dict[str, Any],
    shards: tuple[int, int],
) -> None:
    fake_deezer.generated(4242, 30, name="Weekly mix")
    schedule_id = await _due_schedule(tmp_path)
    bots = [
        await running.start(
            tmp_path, shard_count=2, shard_ids=[shard], deezer_api_base=fake_deezer.api_base
        )
        for shard in shards
    ]
    await asyncio.wait_for(first_checks["done"].wait(), 60)

    (post,) = fake.posts()
    assert post.path == f"/api/v10/channels/{CHANNEL_ID}/messages"
    assert page_seen(post.json).top.startswith("📅 **Weekly post** · First weekly post.")
    assert post.files["clusters.png"].startswith(b"\x89PNG")
    assert sorted(first_checks["posts"].values()) == [0, 1]
    if shards == (OURS, OTHER):  # the owner of the guild's shard made it
        owners = {bot.get_cog("Schedules").clock.owner: bot for bot in bots}
        (poster,) = [o for o, made in first_checks["posts"].items() if made]
        assert owners[poster] is bots[0]
    assert bots[0].storage is not None
    stored = await bots[0].storage.schedules.get(schedule_id)
    assert stored is not None
    assert stored.last_posted_week == iso_week(discord.utils.utcnow(), "UTC")
