"""Where an interaction happens, and what cannot work there.

The commands work wherever a member is: in servers that added the bot, in its DMs,
and (as a user-installed app) in servers and private chats the bot is not part of.
There the bot can answer interactions and its buttons work, but it cannot add or
see reactions, read the channel or post on its own, so pages turn with the buttons
only and weekly posts are not offered (``/schedule`` is for servers that added it).
"""

from __future__ import annotations

from typing import Any

import discord
from discord import app_commands

from bot.locales import ENGLISH, N_, Words

#: What every command allows: server installs and user installs, in servers, the
#: bot's DMs and private chats (Discord's defaults leave the last two out).
EVERYWHERE = app_commands.AppCommandContext(guild=True, dm_channel=True, private_channel=True)
ANY_INSTALL = app_commands.AppInstallationType(guild=True, user=True)
#: For commands that need the bot in the server (weekly posts).
#: (Explicit False: what a command leaves unset is taken from the tree's defaults.)
SERVERS_ONLY = app_commands.AppCommandContext(guild=True, dm_channel=False, private_channel=False)
SERVER_INSTALL = app_commands.AppInstallationType(guild=True, user=False)

#: Said once, above the page, where the bot is not present.
ELSEWHERE_NOTE = N_(
    "*The bot is not in this chat, so the pages turn with the buttons only: reactions "
    "and weekly posts need the bot added to a server.*"
)


#: What the bot needs in a channel to post a paged analysis there (Discord's names).
POST_PERMISSIONS = {
    "view_channel": N_("View Channel"),
    "send_messages": N_("Send Messages"),
    "embed_links": N_("Embed Links"),
    "attach_files": N_("Attach Files"),
}


def missing_permissions(
    channel: discord.abc.GuildChannel, member: discord.Member, words: Words = ENGLISH
) -> list[str]:
    """The names of the posting permissions ``member`` lacks in ``channel`` (in ``words``)."""
    granted = channel.permissions_for(member)
    return [words(label) for flag, label in POST_PERMISSIONS.items() if not getattr(granted, flag)]


def bot_present(interaction: discord.Interaction[Any]) -> bool:
    """Whether the bot itself is in the chat of ``interaction`` (its DMs, or a server
    that added it), so it can add and see reactions and post messages there."""
    if interaction.context.dm_channel:
        return True
    if interaction.context.private_channel:
        return False
    return interaction.is_guild_integration() or interaction.guild is not None
