"""`/similar track [link] [private]`: the ten tracks most like one track of a playlist.

Works from the cache only: the playlist's most recently shown analysis (with
``link``), or the analysis most recently used in this channel. ``track`` offers the
analysis' tracks as you type (autocomplete); the answer lists the nearest tracks and
the features that make them close.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import discord
from discord import app_commands
from discord.ext import commands

from bot.analysis.similar import find_track, track_choices
from bot.discord_ui.answers import NO_MENTIONS
from bot.discord_ui.explore import similar_embed
from bot.errors import BadInput, UserError
from bot.locales import N_, words_for
from bot.net.links import parse_link, resolve_link
from bot.render.pages import fit

if TYPE_CHECKING:
    from bot.model import Analysis
    from bot.roots.app import PlaylistBot


class NoAnalysis(UserError):
    """Nothing cached to look in."""


def _titles(analysis: Analysis) -> list[tuple[str, tuple[str, ...], str]]:
    return [(t.title, t.artists, t.id) for t in analysis.playlist.tracks]


class Similar(commands.Cog):
    """The /similar command."""

    def __init__(self, bot: PlaylistBot) -> None:
        self.bot = bot

    async def _analysis(
        self, channel_id: int | None, link: str | None, *, resolve: bool = True
    ) -> tuple[str, Analysis]:
        """The cached analysis to look in (key and analysis); NoAnalysis when none."""
        messages = self.bot.storage.messages  # type: ignore[union-attr]
        if link and link.strip():
            if resolve:
                ref = await resolve_link(link, self.bot.web)
            else:
                ref = parse_link(link)
            key = await messages.latest_key_for_playlist(ref.source, ref.id)
            if key is None:
                raise NoAnalysis(
                    N_("I have no analysis of that playlist yet: run /clusters with it first.")
                )
        else:
            state = await messages.latest_in_channel(channel_id) if channel_id else None
            if state is None:
                raise NoAnalysis(
                    N_(
                        "There is no analysis in this channel yet: run /clusters first, "
                        "or give a playlist link."
                    )
                )
            key = state.analysis_key
        return key, await self.bot.analyzer.require(key)

    @app_commands.command(name="similar", description="The ten tracks most like one track")
    @app_commands.describe(
        track="A track of the playlist (start typing its title)",
        link="A playlist you ran /clusters on (default: the latest analysis in this channel)",
        private="Only you see the answer",
    )
    async def similar(
        self,
        interaction: discord.Interaction[Any],
        track: app_commands.Range[str, 1, 200],
        link: str | None = None,
        private: bool = False,
    ) -> None:
        key, analysis = await self._analysis(interaction.channel_id, link)
        index = find_track(_titles(analysis), track)
        if index is None:
            raise BadInput(
                N_(
                    "No track matching “{track}” in {playlist}; "
                    "pick one from the list that appears as you type."
                ),
                track=fit(track, 100),
                playlist=fit(analysis.playlist.name, 100),
            )
        await interaction.response.defer(thinking=True, ephemeral=private)
        neighbours = await self.bot.explorer.similar(key, analysis, index)
        await interaction.edit_original_response(
            embed=similar_embed(analysis, index, neighbours, words_for(interaction.locale)),
            allowed_mentions=NO_MENTIONS,
        )

    @similar.autocomplete("track")
    async def _complete_track(
        self, interaction: discord.Interaction[Any], current: str
    ) -> list[app_commands.Choice[str]]:
        link = getattr(interaction.namespace, "link", None)
        try:
            _, analysis = await self._analysis(interaction.channel_id, link, resolve=False)
        except UserError:
            return []
        return [
            app_commands.Choice(name=name, value=value)
            for name, value in track_choices(_titles(analysis), current)
        ]


async def setup(bot: PlaylistBot) -> None:
    await bot.add_cog(Similar(bot))
