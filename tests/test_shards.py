"""Which guilds a bot process serves (bot/shards.py), and the bot class it becomes."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest
from discord.ext import commands
from hypothesis import given
from hypothesis import strategies as st

from bot.roots.app import PlaylistBot, ShardedPlaylistBot, log_formatter, make_bot
from bot.shards import ShardPlan, shard_of
from tests.harness import bot_settings

SNOWFLAKES = st.integers(min_value=1 << 22, max_value=(1 << 63) - 1)


def test_the_shard_of_a_guild_is_discords_formula() -> None:
    # Discord's documentation: shard_id = (guild_id >> 22) % num_shards
    assert shard_of(41771983423143937, 1) == 0
    assert shard_of(41771983423143937, 2) == (41771983423143937 >> 22) % 2
    assert [shard_of((n << 22) | 4095, 3) for n in range(6)] == [0, 1, 2, 0, 1, 2]
    with pytest.raises(ValueError):
        shard_of(41771983423143937, 0)


@given(SNOWFLAKES, st.integers(min_value=1, max_value=64))
def test_exactly_one_process_of_a_full_layout_owns_each_guild(guild: int, count: int) -> None:
    layout = [ShardPlan.of(count, [shard]) for shard in range(count)]
    assert sum(plan.owns(guild) for plan in layout) == 1


@given(SNOWFLAKES)
def test_unsharded_auto_and_all_shards_own_every_guild(guild: int) -> None:
    assert ShardPlan().owns(guild)
    assert ShardPlan.of(0).owns(guild)  # auto: this process runs every shard
    assert ShardPlan.of(4).owns(guild)
    assert ShardPlan.of(4, [0, 1, 2, 3]).owns(guild)


def test_labels_name_the_shards() -> None:
    assert ShardPlan().label() == "unsharded"
    assert ShardPlan.of(0).label() == "shards auto"
    assert ShardPlan.of(3).label() == "shards 0,1,2 of 3"
    assert ShardPlan.of(4, [2, 0]).label() == "shards 2,0 of 4"
    assert not ShardPlan().sharded and ShardPlan.of(0).sharded


def test_make_bot_shards_only_when_shard_count_is_set(tmp_path: Path) -> None:
    plain = make_bot(bot_settings(tmp_path), heartbeat=False, freeze_heap=False)
    assert type(plain) is PlaylistBot and not isinstance(plain, commands.AutoShardedBot)
    assert plain.owns_guild(123 << 22) and plain.shard_plan.label() == "unsharded"

    sharded = make_bot(
        bot_settings(tmp_path, shard_count=4, shard_ids=[1, 3]), heartbeat=False, freeze_heap=False
    )
    assert isinstance(sharded, ShardedPlaylistBot) and isinstance(sharded, commands.AutoShardedBot)
    assert (sharded.shard_count, sharded.shard_ids) == (4, [1, 3])
    assert [sharded.owns_guild(n << 22) for n in range(4)] == [False, True, False, True]

    auto = make_bot(bot_settings(tmp_path, shard_count="auto"), heartbeat=False, freeze_heap=False)
    assert isinstance(auto, ShardedPlaylistBot)
    assert (auto.shard_count, auto.shard_ids) == (None, None)  # discord.py asks Discord


def test_logs_of_a_sharded_process_name_its_shards(tmp_path: Path) -> None:
    assert log_formatter(bot_settings(tmp_path)) is None  # discord.py's own format
    formatter = log_formatter(bot_settings(tmp_path, shard_count=2, shard_ids=[1]))
    assert formatter is not None
    record = logging.LogRecord("bot.weekly.clock", logging.INFO, __file__, 1, "posted", (), None)
    assert formatter.format(record).endswith("[INFO    ] [shards 1 of 2] bot.weekly.clock: posted")
