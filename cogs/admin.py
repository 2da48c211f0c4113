"""Owner-only maintenance: sync the slash commands deliberately, never on every start.

Mention the bot: ``@bot sync`` (global; can take up to an hour to show everywhere)
or ``@bot sync <guild id>`` (that server only, at once). Mentions reach the bot
without the privileged message-content intent.
"""

from __future__ import annotations

from typing import Any

import discord
from discord.ext import commands

NO_MENTIONS = discord.AllowedMentions.none()


class Admin(commands.Cog):
    """Commands only the bot's owners may run."""

    def __init__(self, bot: commands.Bot) -> None:
        self.bot = bot

    @commands.command(name="sync")
    @commands.is_owner()
    async def sync(self, ctx: commands.Context[Any], guild_id: int | None = None) -> None:
        """Sync the slash commands globally, or to one server when its id is given."""
        if guild_id is None:
            synced = await self.bot.tree.sync()
            where = "globally"
        else:
            guild = discord.Object(id=guild_id)
            self.bot.tree.copy_global_to(guild=guild)
            synced = await self.bot.tree.sync(guild=guild)
            where = f"to server {guild_id}"
        names = ", ".join(f"/{c.name}" for c in synced) or "nothing"
        await ctx.reply(
            f"Synced {len(synced)} commands {where}: {names}.", allowed_mentions=NO_MENTIONS
        )


async def setup(bot: commands.Bot) -> None:
    await bot.add_cog(Admin(bot))
