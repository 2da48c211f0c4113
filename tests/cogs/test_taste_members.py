"""Members who leave take their taste share with them (cogs/taste.py), in SimCord.

SimCord delivers gateway events by intent as Discord does: with the bot's default
intents a leaving member is never announced (GUILD_MEMBER_REMOVE needs the privileged
members intent), so the next map asks Discord about each sharer and unshares those it
calls "Unknown Member". With ``DISCORD_MEMBERS_INTENT`` on, the leave itself unshares.
"""

from __future__ import annotations

from pathlib import Path

import discord
import pytest

from bot.pipeline.runner import Pipeline
from tests.cogs.test_taste_flows import SharedDeezer, share_all, taste
from tests.harness import world


@pytest.fixture
def fake() -> SharedDeezer:
    return SharedDeezer()


def taste_world(tmp_path: Path, fake: SharedDeezer, **settings):
    def build(settings, web, cache) -> Pipeline:
        return Pipeline(sources={"deezer": fake}, providers=[fake], cache=cache)

    return world(tmp_path, pipeline_factory=build, **settings)


async def derived_users(w) -> set[int]:
    async with w.bot.storage.read() as conn:
        rows = await conn.fetchall("SELECT user_a, user_b FROM taste_derived")
    return {user for row in rows for user in row}


async def test_without_the_members_intent_a_map_unshares_who_left(
    tmp_path: Path, fake: SharedDeezer
) -> None:
    async with taste_world(tmp_path, fake) as w:
        assert not w.bot.intents.members
        now = [1000.0]
        w.bot.taste.clock = lambda: now[0]
        await share_all(w)
        await taste(w, "compare", user=w.stranger, member=w.owner)  # keeps a bridge
        asked = w.requests("GET", f"/guilds/{w.guild.id}/members/")
        assert len(asked) == 3  # one question per sharer
        w.guild.remove_member(w.stranger)
        await w.settle()
        # Discord did not tell the bot: the share is still there
        assert await w.bot.storage.taste.get(w.guild.id, w.stranger.id) is not None
        # found present 9 minutes ago: not asked again yet, still on the map
        now[0] += 540
        early = await taste(w, "map")
        assert "Guitar Heroes" in early.response.embeds[0].description
        assert len(w.requests("GET", f"/guilds/{w.guild.id}/members/")) == 3
        now[0] += 60
        mapped = await taste(w, "map")
        description = mapped.response.embeds[0].description
        assert "Guitar Heroes" not in description and "bob" not in description
        assert "Rock Nights" in description and "Trap ★ House" in description
        assert len(w.requests("GET", f"/guilds/{w.guild.id}/members/")) == 6
        assert await w.bot.storage.taste.get(w.guild.id, w.stranger.id) is None
        assert w.stranger.id not in await derived_users(w)


async def test_a_failed_question_keeps_the_share(tmp_path: Path, fake: SharedDeezer) -> None:
    async with taste_world(tmp_path, fake) as w:
        await share_all(w)
        # Missing Access (403): Discord did not say the member left, so nothing goes
        w.fail_requests(
            "GET", f"/guilds/{w.guild.id}/members/{w.stranger.id}", status=403, code=50001
        )
        mapped = await taste(w, "map")
        assert "Guitar Heroes" in mapped.response.embeds[0].description
        assert await w.bot.storage.taste.get(w.guild.id, w.stranger.id) is not None


async def test_with_the_members_intent_leaving_unshares_at_once(
    tmp_path: Path, fake: SharedDeezer
) -> None:
    async with taste_world(tmp_path, fake, discord_members_intent=True) as w:
        assert w.bot.intents.members
        await share_all(w)
        compared = await taste(w, "compare", member=w.stranger)
        w.guild.remove_member(w.stranger)
        await w.settle()
        assert await w.bot.storage.taste.get(w.guild.id, w.stranger.id) is None
        assert w.stranger.id not in await derived_users(w)
        gone = await w.click(w.owner, compared, "Take home")
        assert gone.response.content == (
            "This bridge playlist is gone: one of the two members unshared."
        )
        assert await w.bot.storage.taste.get(w.guild.id, w.owner.id) is not None


async def test_a_server_that_removes_the_bot_loses_its_shares(
    tmp_path: Path, fake: SharedDeezer
) -> None:
    async with taste_world(tmp_path, fake) as w:
        other = w.env.create_guild("Other Club")
        elsewhere = other.create_text_channel("music")
        dana = other.add_member(w.env.create_user("dana"))
        await share_all(w)
        await dana.slash(elsewhere, "taste share", link="https://www.deezer.com/playlist/101")
        await taste(w, "compare", member=w.stranger)
        w.env.backend.remove_guild(w.guild.id)
        await w.settle()
        assert w.bot.get_guild(w.guild.id) is None
        assert await w.bot.storage.taste.list_for_guild(w.guild.id) == []
        assert await derived_users(w) == set()
        [kept] = await w.bot.storage.taste.list_for_guild(other.id)
        assert kept.user_id == dana.id


def test_the_members_intent_is_off_by_default(tmp_path: Path) -> None:
    from bot.roots.app import PlaylistBot
    from tests.harness import bot_settings

    bot = PlaylistBot(bot_settings(tmp_path), heartbeat=False, freeze_heap=False)
    assert bot.intents == discord.Intents.default()
    assert not bot._connection.member_cache_flags.joined


async def test_the_weekly_post_leaves_out_a_member_who_left(
    tmp_path: Path, fake: SharedDeezer
) -> None:
    from datetime import UTC, datetime, timedelta

    def friday(week: int) -> datetime:
        return datetime(2026, 1, 2, 18, 1, tzinfo=UTC) + timedelta(weeks=week)

    async with taste_world(tmp_path, fake, schedule_check_seconds=7 * 86400) as w:
        await share_all(w)
        await w.schedule(
            "add", channel=w.channel, weekday=4, time="18:00", timezone="UTC", kind="taste"
        )
        await w.advance_to(friday(0))
        assert "Guitar Heroes" in w.posts()[-1].embeds[0].description
        w.guild.remove_member(w.stranger)
        w.bot.taste.clock = lambda: float("inf")  # a week on: every sharer is asked again
        await w.advance_to(friday(1))
        second = w.posts()[-1]
        assert "Guitar Heroes" not in second.embeds[0].description
        assert second.content.startswith("📅 **Weekly taste map #1** · This week:")
        assert "bob" not in second.content
        assert await w.bot.storage.taste.get(w.guild.id, w.stranger.id) is None
        _, kept = await w.bot.storage.taste.last_week(w.guild.id)
        assert list(kept) == [tuple(sorted((w.owner.id, w.moderator.id)))]
