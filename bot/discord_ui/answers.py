"""The one place errors become answers.

A :class:`~bot.errors.UserError` is answered ephemerally with its own sentence.
Anything else is a bug: it is logged with its traceback under a short id, and the
user sees only that id, so a report can be matched to the log line.
"""

from __future__ import annotations

import logging
import secrets
from typing import Any

import discord
from discord import app_commands
from discord.ext import commands

from bot.errors import UserError

log = logging.getLogger(__name__)
NO_MENTIONS = discord.AllowedMentions.none()


def unwrap(error: BaseException) -> BaseException:
    """The original exception inside discord.py's invoke wrappers."""
    wrappers = (
        app_commands.CommandInvokeError,
        commands.CommandInvokeError,
        commands.HybridCommandError,
    )
    while isinstance(error, wrappers):
        error = error.original
    return error


def sentence_for(error: BaseException) -> str:
    """What the user reads for ``error``; bugs are logged here and get an id."""
    error = unwrap(error)
    if isinstance(error, UserError):
        return str(error)
    if isinstance(error, app_commands.CheckFailure):
        return "You cannot use this command here."
    error_id = secrets.token_hex(4)
    log.error("unexpected error %s", error_id, exc_info=error)
    return (
        f"Something went wrong on our side (error id `{error_id}`). "
        "It has been logged; please try again later."
    )


async def answer_error(interaction: discord.Interaction[Any], error: BaseException) -> None:
    """Answer ``error`` ephemerally, whatever state the interaction is in.

    Before any response: an ephemeral reply. After a public deferral: the public
    "working on it" message is deleted and the sentence follows privately, so a
    mistake is never shown to the whole channel.
    """
    text = sentence_for(error)
    try:
        if not interaction.response.is_done():
            await interaction.response.send_message(
                text, ephemeral=True, allowed_mentions=NO_MENTIONS
            )
            return
        try:
            original = await interaction.original_response()
        except discord.HTTPException:
            original = None
        if original is not None and not original.flags.ephemeral:
            await interaction.delete_original_response()
            await interaction.followup.send(text, ephemeral=True, allowed_mentions=NO_MENTIONS)
        elif original is not None:
            await interaction.edit_original_response(
                content=text, embed=None, attachments=[], view=None, allowed_mentions=NO_MENTIONS
            )
        else:
            await interaction.followup.send(text, ephemeral=True, allowed_mentions=NO_MENTIONS)
    except discord.HTTPException:
        log.warning("could not deliver an error answer: %s", text, exc_info=True)
