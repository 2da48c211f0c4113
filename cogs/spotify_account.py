"""`/spotify connect`, `/spotify disconnect`, the Save to Spotify button and the
autocomplete of the member's own playlists.

Thin: the sign-in, tokens and Spotify calls live in :mod:`bot.account`. With the
feature off (no ``PUBLIC_URL``, ``TOKEN_ENCRYPTION_KEY`` or client id), both commands
answer privately with the reason and no Save button is shown.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

import discord
from discord import app_commands
from discord.ext import commands

from bot.account.oauth import NotConnected
from bot.discord_ui.answers import NO_MENTIONS
from bot.discord_ui.extras import spotify_library
from bot.discord_ui.hearts import QUESTION, question_buttons
from bot.discord_ui.items import PersistentItem, custom_id
from bot.errors import UserError
from bot.locales import ENGLISH, Words, words_for
from bot.render.pages import Page
from bot.services.analyzer import AnalysisExpired
from bot.services.personal import LIKED_CHOICE

if TYPE_CHECKING:
    from bot.roots.app import PlaylistBot

#: Discord allows link buttons up to this many characters.
LINK_BUTTON_LIMIT = 512
CHOICE_LIMIT = 25


class SaveButton(
    PersistentItem[discord.ui.Button[Any]],
    pattern=r"sv:(?P<source>[0-9]{1,20}):(?P<cluster>[0-9]{1,3})",
):
    """Save the page's cluster as a private playlist in the presser's Spotify account."""

    def __init__(self, source: int, cluster: int, words: Words = ENGLISH) -> None:
        super().__init__(
            discord.ui.Button(
                label=words("Save to Spotify"),
                emoji="💾",
                style=discord.ButtonStyle.success,
                custom_id=custom_id("sv", source, cluster),
            )
        )
        self.source = source
        self.cluster = cluster

    @classmethod
    def parse(cls, match: re.Match[str], item: discord.ui.Button[Any]) -> SaveButton:
        return cls(int(match["source"]), int(match["cluster"]))

    async def pressed(self, interaction: discord.Interaction[Any]) -> None:
        await save_cluster(interaction, self.source, self.cluster)


def save_items(page: Page, source: int) -> list[discord.ui.Item[Any]]:
    """The Save button under a cluster page (see ``Pager.extra_items``)."""
    if not page.cluster_count:
        return []
    return [SaveButton(source, page.cluster, page.words)]


async def save_cluster(interaction: discord.Interaction[Any], source: int, cluster: int) -> None:
    """Create the playlist and answer privately with its link."""
    bot: PlaylistBot = interaction.client  # type: ignore[assignment]
    library = spotify_library(bot)
    if await library.service.account(interaction.user.id) is None:
        raise NotConnected("save a cluster to Spotify")
    message_id = source or (interaction.message.id if interaction.message else 0)
    state = await bot.storage.messages.get(message_id)
    if state is None:
        raise AnalysisExpired()
    await interaction.response.defer(ephemeral=True, thinking=True)
    analysis = await bot.analyzer.require(state.analysis_key)
    saved = await library.save_cluster(interaction.user.id, analysis, cluster)
    words = words_for(interaction.locale)
    note = (
        " "
        + words.n(
            "{count} track without a Spotify id was left out.",
            "{count} tracks without a Spotify id were left out.",
            saved.left_out,
        )
        if saved.left_out
        else ""
    )
    said = words(
        "Saved **{name}** ({tracks}) to your Spotify as a private playlist: {url}",
        name=discord.utils.escape_markdown(saved.name),
        tracks=words.n("{count} track", "{count} tracks", saved.added),
        url=saved.url,
    )
    await interaction.followup.send(
        said + note,
        ephemeral=True,
        allowed_mentions=NO_MENTIONS,
    )


async def playlist_choices(
    interaction: discord.Interaction[Any], current: str
) -> list[app_commands.Choice[str]]:
    """The member's Liked Songs and playlists matching what they typed (connected only)."""
    bot: PlaylistBot = interaction.client  # type: ignore[assignment]
    library = bot.accounts.library
    if library is None or await library.service.account(interaction.user.id) is None:
        return []
    typed = current.strip().casefold()
    if "://" in typed or typed.startswith("spotify:playlist:"):
        return []  # a pasted link: nothing to suggest
    try:
        playlists = await library.playlists(interaction.user.id)
    except UserError:
        playlists = []
    choices = []
    words = words_for(interaction.locale)
    liked = words("💚 Liked Songs")
    if typed in "💚 liked songs" or typed in liked.casefold():
        choices.append(app_commands.Choice(name=liked, value=LIKED_CHOICE))
    for playlist in playlists:
        if typed and typed not in playlist.name.casefold():
            continue
        label = f"{playlist.name} ({words.n('{count} track', '{count} tracks', playlist.tracks)})"
        name = label if len(label) <= 100 else playlist.name[:99] + "…"
        choices.append(app_commands.Choice(name=name, value=f"spotify:playlist:{playlist.id}"))
        if len(choices) >= CHOICE_LIMIT:
            break
    return choices


class SpotifyAccount(commands.GroupCog, group_name="spotify"):
    """`/spotify connect` and `/spotify disconnect`."""

    def __init__(self, bot: PlaylistBot) -> None:
        self.bot = bot
        super().__init__()

    async def cog_load(self) -> None:
        library = self.bot.accounts.library
        if library is None:
            return
        self.bot.add_dynamic_items(SaveButton)
        self.bot.pager.extra_items.append(save_items)
        self.bot.pager.marker = library.mark

    async def cog_unload(self) -> None:
        if self.bot.accounts.library is None:
            return
        self.bot.remove_dynamic_items(SaveButton)
        if save_items in self.bot.pager.extra_items:
            self.bot.pager.extra_items.remove(save_items)
        self.bot.pager.marker = None

    @app_commands.command(name="connect", description="Connect your Spotify account")
    async def connect(self, interaction: discord.Interaction[Any]) -> None:
        library = spotify_library(self.bot)
        account = await library.service.account(interaction.user.id)
        url = await library.service.start(interaction.user.id)
        words = words_for(interaction.locale)
        lines = [
            words(
                "Open this link within 10 minutes to connect your Spotify account. The bot asks "
                "only to read your playlists and Liked Songs and to create private playlists; "
                "your tokens are stored encrypted and `/spotify disconnect` deletes them."
            )
        ]
        if account is not None:
            name = discord.utils.escape_markdown(account.display_name)
            lines.append(
                words("You are connected as **{name}**; connecting again replaces that.", name=name)
            )
        view = discord.ui.View(timeout=None)
        if len(url) <= LINK_BUTTON_LIMIT:
            view.add_item(discord.ui.Button(label=words("Connect Spotify"), url=url))
        else:
            lines.append(url)
        # 💚 by consent: asked here, changed later with /hearts (bot/discord_ui/hearts.py)
        lines.append(words(QUESTION))
        for item in question_buttons(words):
            view.add_item(item)
        await interaction.response.send_message(
            "\n".join(lines), view=view, ephemeral=True, allowed_mentions=NO_MENTIONS
        )

    @app_commands.command(name="disconnect", description="Disconnect your Spotify account")
    async def disconnect(self, interaction: discord.Interaction[Any]) -> None:
        library = spotify_library(self.bot)
        words = words_for(interaction.locale)
        if await library.service.disconnect(interaction.user.id):
            text = words(
                "Disconnected: your Spotify tokens are deleted. To also remove the app from "
                "your account, visit https://www.spotify.com/account/apps/."
            )
        else:
            text = words("No Spotify account was connected.")
        await interaction.response.send_message(text, ephemeral=True, allowed_mentions=NO_MENTIONS)


async def setup(bot: PlaylistBot) -> None:
    await bot.add_cog(SpotifyAccount(bot))
