"""Installs the one error answer (:mod:`bot.discord_ui.answers`) for every command.

Slash commands go through the command tree's error handler; the owner's text
commands get a short reply instead of a silent failure.
"""

from __future__ import annotations

from typing import Any

import discord
from discord import app_commands
from discord.ext import commands

from bot.discord_ui.answers import NO_MENTIONS, answer_error, sentence_for


class Errors(commands.Cog):
    """Installs :func:`answer_error` as the command tree's error handler."""

    def __init__(self, bot: commands.Bot) -> None:
        self.bot = bot
        self._previous = bot.tree.on_error

    async def cog_load(self) -> None:
        self.bot.tree.on_error = self.on_app_command_error  # type: ignore[method-assign]

    async def cog_unload(self) -> None:
        self.bot.tree.on_error = self._previous  # type: ignore[method-assign]

    async def on_app_command_error(
        self, interaction: discord.Interaction[Any], error: app_commands.AppCommandError
    ) -> None:
        await answer_error(interaction, error)

    @commands.Cog.listener()
    async def on_command_error(
        self, ctx: commands.Context[Any], error: commands.CommandError
    ) -> None:
        """Text commands (the owner's sync): a short reply instead of a silent failure."""
        if isinstance(error, commands.CommandNotFound):
            return
        if isinstance(error, commands.NotOwner):
            await ctx.reply("Only the bot's owner can do that.", allowed_mentions=NO_MENTIONS)
            return
        if isinstance(error, commands.UserInputError):
            await ctx.reply(str(error), allowed_mentions=NO_MENTIONS)
            return
        await ctx.reply(sentence_for(error), allowed_mentions=NO_MENTIONS)


async def setup(bot: commands.Bot) -> None:
    await bot.add_cog(Errors(bot))
