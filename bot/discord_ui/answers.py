"""The one place errors become answers.

A :class:`~bot.errors.UserError` is answered ephemerally with its own sentence, in the
member's language (its message id and values translated through ``bot/locales``).
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
from bot.locales import ENGLISH, N_, Reader, Words, said_again, words_for
from bot.net.answers import NOT_ANSWERING, RETRY_REASONS

log = logging.getLogger(__name__)
NO_MENTIONS = discord.AllowedMentions.none()
NOT_HERE = N_("You cannot use this command here.")
BUG = N_(
    "Something went wrong on our side (error id `{error_id}`). "
    "It has been logged; please try again later."
)


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


def _retry_reason(text: str, words: Words) -> str:
    return said_again(text, RETRY_REASONS, words)


#: Values of some errors' sentences that are English sentences themselves (they crossed
#: the job queue as text): read back into their message ids, per placeholder.
SAID_AGAIN: dict[str, dict[str, Reader]] = {NOT_ANSWERING: {"reason": _retry_reason}}


def said(error: UserError, words: Words = ENGLISH) -> str:
    """A user error's sentence in ``words``' language (English when it has no message id
    or the catalog lacks it)."""
    if not error.message:
        return str(error)
    readers = SAID_AGAIN.get(error.message, {})
    values = {
        k: readers[k](v, words)
        if k in readers and isinstance(v, str) and words is not ENGLISH
        else v
        for k, v in error.values.items()
    }
    try:
        return words(error.message, **values)
    except (KeyError, IndexError, ValueError):  # a catalog entry that does not fit
        log.warning("could not translate %r", error.message, exc_info=True)
        return str(error)


def sentence_for(error: BaseException, words: Words = ENGLISH) -> str:
    """What the user reads for ``error``, in ``words``' language; bugs are logged here
    and get an id."""
    error = unwrap(error)
    if isinstance(error, UserError):
        return said(error, words)
    if isinstance(error, app_commands.CheckFailure):
        return words(NOT_HERE)
    error_id = secrets.token_hex(4)
    log.error("unexpected error %s", error_id, exc_info=error)
    return words(BUG, error_id=error_id)


async def answer_error(interaction: discord.Interaction[Any], error: BaseException) -> None:
    """Answer ``error`` ephemerally, whatever state the interaction is in.

    Before any response: an ephemeral reply. After a public deferral: the public
    "working on it" message is deleted and the sentence follows privately, so a
    mistake is never shown to the whole channel.
    """
    text = sentence_for(error, words_for(interaction.locale))
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
