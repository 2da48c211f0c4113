"""`/help`: what the bot does, what it accepts, and why a Spotify link may not work."""

from __future__ import annotations

from typing import Any

import discord
from discord import app_commands
from discord.ext import commands

HELP_TEXT = (
    "**playlist-clusters** groups a playlist's tracks into clusters of similar songs "
    "and shows them: a scatter picture, then one page per cluster with each track, "
    "its artists, album, label and 💚 for liked songs.\n\n"
    "**Use it**\n"
    "• `/clusters link:<playlist link>`: a Deezer, Spotify, YouTube Music or Apple Music "
    "playlist link.\n"
    "• `/clusters file:<CSV>`: a playlist export, e.g. from Exportify (up to 10,000 rows).\n"
    "• `clusters:` picks the number of clusters (2-12); `private:` shows the answer "
    "only to you.\n"
    "• `/schedule add`: post a playlist's clusters into a channel every week, saying what "
    "changed (Manage Server; `/schedule list` and `/schedule remove` too).\n\n"
    "• `/spotify connect`: sign in with your own Spotify account (if this bot offers it): "
    "`/clusters` then offers your playlists and `Liked Songs`, pages mark your liked songs "
    "with 💚, and **Save to Spotify** saves a cluster as a private playlist. "
    "`/spotify disconnect` deletes your tokens.\n"
    "• `/hearts show:`: whether your 💚 show on answers others see (until you say yes, "
    "only on answers only you see).\n"
    "• Right-click a message → **Apps → Cluster this playlist**: its first playlist link "
    "or CSV file. The commands also work in DMs and, once you add the app to your own "
    "account, anywhere.\n"
    "• `/taste share link:` puts your playlist on this server's taste map (`/taste unshare` "
    "takes it back); `/taste map` shows the shared playlists on one map with an overlap "
    "score for each pair, `/taste compare member:` (or **Compare taste** on a member) and "
    "`/taste neighbours` compare you with others.\n\n"
    "**Turning pages**: ⏮ ◀ ▶ ⏭ move within a cluster, ⏪ ⏩ between clusters, as "
    "reactions or buttons. Only the person who asked (or a moderator) turns the shared "
    "message; anyone else pressing a button gets a private copy to page through.\n\n"
    "**Explore**: the X and Y menus choose what the picture shows (the automatic map or "
    "any two features, e.g. energy × valence); ➖ ➕ re-cluster with one cluster fewer or "
    "more; 🔎 lists a page's tracks for *tracks like this one* (also `/similar track:`); "
    "📥 takes the cluster home as CSV (opens again with `/clusters file:`), M3U and XSPF; "
    "📊 shows what sets the cluster apart.\n\n"
    "**Where the features come from**: audio features from Spotify or ReccoBeats where "
    "available, otherwise Deezer data and the 30-second previews, otherwise metadata "
    "(year, length, genres). The footer of each page says which.\n\n"
    "**Spotify links**: Spotify apps in development mode can only read playlists of "
    "users added to the app, and new apps get no audio features. If a Spotify link "
    "fails, export the playlist as CSV (exportify.net) and upload the file, or use a "
    "Deezer link.\n\n"
    "Results are cached: asking again for an unchanged playlist answers at once."
)


class Help(commands.Cog):
    """The /help command."""

    @app_commands.command(name="help", description="What this bot does and how to use it")
    async def help(self, interaction: discord.Interaction[Any]) -> None:
        embed = discord.Embed(title="Playlist clusters", description=HELP_TEXT, colour=0x5865F2)
        await interaction.response.send_message(
            embed=embed, ephemeral=True, allowed_mentions=discord.AllowedMentions.none()
        )


async def setup(bot: commands.Bot) -> None:
    await bot.add_cog(Help())
