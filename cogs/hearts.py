"""`/hearts show:<yes|no>`: whether the member's 💚 may show on answers others see.

Thin: the sentences and the stored answer live in :mod:`bot.discord_ui.hearts` and
``storage.members``; the same question is asked with buttons at ``/spotify connect``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import discord
from discord import app_commands
from discord.ext import commands

from bot.discord_ui.hearts import HeartsButton, answer_hearts

if TYPE_CHECKING:
    from bot.roots.app import PlaylistBot


class Hearts(commands.Cog):
    """The /hearts command and the question's buttons."""

    def __init__(self, bot: PlaylistBot) -> None:
        self.bot = bot

    async def cog_load(self) -> None:
        self.bot.add_dynamic_items(HeartsButton)

    async def cog_unload(self) -> None:
        self.bot.remove_dynamic_items(HeartsButton)

    @app_commands.command(
        name="hearts", description="Whether your 💚 (liked tracks) show on answers others see"
    )
    @app_commands.describe(show="True: others see your 💚 too; False: only you see them")
    async def hearts(self, interaction: discord.Interaction[Any], show: bool) -> None:
        await answer_hearts(interaction, show)


async def setup(bot: PlaylistBot) -> None:
    await bot.add_cog(Hearts(bot))
