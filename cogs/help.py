"""`/help`: what the bot does, what it accepts, and why a Spotify link may not work."""

from __future__ import annotations

from typing import Any

import discord
from discord import app_commands
from discord.ext import commands

from bot.locales import ENGLISH, N_, Words, words_for

#: The help, one message id a paragraph or list item (a translator sees each whole), and
#: what follows each: a line break, or an empty line between sections.
HELP_PARTS: tuple[tuple[str, str], ...] = (
    (
        N_(
            "**playlist-clusters** groups a playlist's tracks into clusters of similar songs "
            "and shows them: a scatter picture, then one page per cluster with each track, "
            "its artists, album, label and 💚 for liked songs."
        ),
        "\n\n",
    ),
    (N_("**Use it**"), "\n"),
    (
        N_(
            "• `/clusters link:<playlist link>`: a Deezer, Spotify, YouTube Music or Apple Music "
            "playlist link."
        ),
        "\n",
    ),
    (
        N_("• `/clusters file:<CSV>`: a playlist export, e.g. from Exportify (up to 10,000 rows)."),
        "\n",
    ),
    (
        N_(
            "• `clusters:` picks the number of clusters (2-12); `private:` shows the answer "
            "only to you."
        ),
        "\n",
    ),
    (
        N_(
            "• `/schedule add`: post a playlist's clusters into a channel every week, saying "
            "what changed (Manage Server; `/schedule list` and `/schedule remove` too)."
        ),
        "\n\n",
    ),
    (
        N_(
            "• `/spotify connect`: sign in with your own Spotify account (if this bot offers "
            "it): `/clusters` then offers your playlists and `Liked Songs`, pages mark your "
            "liked songs with 💚, and **Save to Spotify** saves a cluster as a private "
            "playlist. `/spotify disconnect` deletes your tokens."
        ),
        "\n",
    ),
    (
        N_(
            "• `/hearts show:`: whether your 💚 show on answers others see (until you say yes, "
            "only on answers only you see)."
        ),
        "\n",
    ),
    (
        N_(
            "• Right-click a message → **Apps → Cluster this playlist**: its first playlist "
            "link or CSV file. The commands also work in DMs and, once you add the app to your "
            "own account, anywhere."
        ),
        "\n",
    ),
    (
        N_(
            "• `/taste share link:` (or `file:`, a CSV export) puts your playlist on this "
            "server's taste map (`/taste unshare`, or leaving the server, takes it back); "
            "`/taste map` shows the shared playlists on one map with an overlap score for each "
            "pair, `/taste compare member:` (or **Compare taste** on a member) and "
            "`/taste neighbours` compare you with others."
        ),
        "\n\n",
    ),
    (
        N_(
            "**Turning pages**: ⏮ ◀ ▶ ⏭ move within a cluster, ⏪ ⏩ between clusters, as "
            "reactions or buttons. Only the person who asked (or a moderator) turns the shared "
            "message; anyone else pressing a button gets a private copy to page through."
        ),
        "\n\n",
    ),
    (
        N_(
            "**Explore**: the X and Y menus choose what the picture shows (the automatic map "
            "or any two features, e.g. energy × valence); ➖ ➕ re-cluster with one cluster "
            "fewer or more; 🔎 lists a page's tracks for *tracks like this one* (also "
            "`/similar track:`); 📥 takes the cluster home as CSV (opens again with "
            "`/clusters file:`), M3U and XSPF; 📊 shows what sets the cluster apart."
        ),
        "\n\n",
    ),
    (
        N_(
            "**Where the features come from**: audio features from Spotify or ReccoBeats where "
            "available, otherwise Deezer data and the 30-second previews, otherwise metadata "
            "(year, length, genres). The footer of each page says which."
        ),
        "\n\n",
    ),
    (
        N_(
            "**Spotify links**: Spotify apps in development mode can only read playlists of "
            "users added to the app, and new apps get no audio features. If a Spotify link "
            "fails, export the playlist as CSV (exportify.net) and upload the file, or use a "
            "Deezer link."
        ),
        "\n\n",
    ),
    (N_("Results are cached: asking again for an unchanged playlist answers at once."), ""),
)


def help_text(words: Words = ENGLISH) -> str:
    """The whole help in ``words``' language."""
    return "".join(words(part) + after for part, after in HELP_PARTS)


HELP_TEXT = help_text()


class Help(commands.Cog):
    """The /help command."""

    @app_commands.command(name="help", description="What this bot does and how to use it")
    async def help(self, interaction: discord.Interaction[Any]) -> None:
        words = words_for(interaction.locale)
        embed = discord.Embed(
            title=words("Playlist clusters"), description=help_text(words), colour=0x5865F2
        )
        await interaction.response.send_message(
            embed=embed, ephemeral=True, allowed_mentions=discord.AllowedMentions.none()
        )


async def setup(bot: commands.Bot) -> None:
    await bot.add_cog(Help())
