"""Which guilds a bot process serves when the bot is sharded (pure, no Discord import).

Discord splits a bot's guilds over ``shard_count`` gateway connections by the guild
id: guild ``g`` belongs to shard ``(g >> 22) % shard_count`` (the creation time in
the snowflake, spread evenly). A process that runs the shards ``shard_ids`` receives
the events and interactions of exactly those guilds, so it is the one that posts
their weekly schedules (:class:`bot.weekly.clock.WeeklyClock` asks :func:`owns`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass


def shard_of(guild_id: int, shard_count: int) -> int:
    """The shard (0 .. shard_count - 1) whose connection carries ``guild_id``."""
    if shard_count < 1:
        raise ValueError("shard_count must be 1 or more")
    return (guild_id >> 22) % shard_count


@dataclass(frozen=True, slots=True)
class ShardPlan:
    """What one process runs: ``count`` None is one unsharded connection (every guild);
    ``ids`` None is every shard of ``count`` (0 = as many as Discord recommends)."""

    count: int | None = None
    ids: tuple[int, ...] | None = None

    @classmethod
    def of(cls, count: int | None, ids: Sequence[int] = ()) -> ShardPlan:
        """From the settings' ``SHARD_COUNT`` (None, 0 = auto, N) and ``SHARD_IDS``."""
        return cls(count, tuple(ids) if ids else None)

    @property
    def sharded(self) -> bool:
        """Whether the bot connects through discord.py's AutoShardedBot."""
        return self.count is not None

    def owns(self, guild_id: int) -> bool:
        """Whether this process serves ``guild_id`` (every guild unless ``ids`` are given)."""
        if self.ids is None or not self.count:
            return True
        return shard_of(guild_id, self.count) in self.ids

    def label(self) -> str:
        """For logs and the heartbeat: "unsharded", "shards auto", "shards 0,1 of 4"."""
        if self.count is None:
            return "unsharded"
        if self.count == 0:
            return "shards auto"
        ids = self.ids if self.ids is not None else range(self.count)
        return f"shards {','.join(str(i) for i in ids)} of {self.count}"
