"""`/clusters`: analyse a playlist link or a CSV export and answer with paged clusters.

Thin: it checks the input, defers, waits for a slot in the analysis line, shows
progress, asks the bot's :class:`~bot.services.analyzer.Analyzer`, and hands the result to
the :class:`~bot.discord_ui.pager.Pager`. Reactions on stored messages turn their pages here.
"""

from __future__ import annotations

import contextlib
import logging
import time
from pathlib import PurePath
from typing import TYPE_CHECKING, Any

import discord
from discord import app_commands
from discord.ext import commands

from bot.discord_ui.answers import NO_MENTIONS
from bot.discord_ui.pager import reaction_action
from bot.discord_ui.places import ELSEWHERE_NOTE, bot_present
from bot.errors import BadInput, BadLink, InputTooLarge, UserError
from bot.locales import ENGLISH, N_, Fixed, words_for
from bot.net.links import first_playlist_link
from bot.progress import ThrottledProgress
from bot.render.pages import INTRO_BUDGET, answer_text
from bot.text import fit_plain_lines
from cogs.spotify_account import playlist_choices

if TYPE_CHECKING:
    from bot.roots.app import PlaylistBot
    from bot.services.analyzer import Outcome

log = logging.getLogger(__name__)


def is_csv(attachment: discord.Attachment) -> bool:
    """Whether an attachment looks like a playlist CSV (by name or type)."""
    kind = (attachment.content_type or "").split(";")[0].strip().lower()
    return attachment.filename.lower().endswith(".csv") or kind in ("text/csv", "text/plain")


#: The progress stages the pipeline reports (bot/features, bot/sources, bot/pipeline),
#: marked for the catalogs: a member reads them in their language.
STAGES = (
    N_("Starting"),
    N_("Fetching tracks"),
    N_("Reading the file"),
    N_("Loaded from cache"),
    N_("Reading album details"),
    N_("Matching tracks on Deezer"),
    N_("Audio features (Spotify)"),
    N_("Audio features (ReccoBeats)"),
    N_("Audio features (Deezer)"),
    N_("Listening to previews"),
    N_("Clustering"),
)


def ordinal(n: int) -> str:
    """1st, 2nd, 3rd, 4th, 11th, 21st ..."""
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def megabytes(size: int) -> float | int:
    """``size`` in MB as a number to show: 2 (not 2.0), 0.5, 0.001."""
    value = round(size / 1e6, 3)
    return int(value) if value.is_integer() else value


def check_file_size(file: discord.Attachment, max_bytes: int) -> None:
    """Refuse an attachment over ``max_bytes`` by its announced size, before reading it."""
    if file.size > max_bytes:
        raise InputTooLarge(
            N_("The file is {size} MB; the limit is {limit} MB."),
            size=Fixed(file.size / 1e6, 1),
            limit=megabytes(max_bytes),
        )


def file_playlist_name(file: discord.Attachment) -> str:
    """The name an uploaded export's playlist is shown under: its file name's stem."""
    return PurePath(file.filename).stem.replace("_", " ") or "playlist"


def check_given(link: str | None, file: discord.Attachment | None, max_bytes: int) -> None:
    """Refuse, before anything is shown, a request without exactly one usable input."""
    if (link is None) == (file is None):
        raise BadInput(N_("Give either a playlist link or a CSV file (one of the two)."))
    if file is not None:
        check_file_size(file, max_bytes)
    if link is not None and not link.strip():
        raise BadLink(
            N_(
                "That link is empty; paste a Spotify, Deezer, YouTube Music or Apple Music "
                "playlist link."
            )
        )


class Clusters(commands.Cog):
    """The /clusters command and reaction paging."""

    def __init__(self, bot: PlaylistBot) -> None:
        self.bot = bot
        self.menu = app_commands.ContextMenu(
            name=N_("Cluster this playlist"), callback=self.cluster_message
        )

    async def cog_load(self) -> None:
        self.bot.tree.add_command(self.menu)

    async def cog_unload(self) -> None:
        self.bot.tree.remove_command(self.menu.name, type=self.menu.type)

    async def cluster_message(
        self, interaction: discord.Interaction[Any], message: discord.Message
    ) -> None:
        """Right-click a message → Apps → Cluster this playlist: its first playlist link,
        else its first CSV attachment, answered like `/clusters`."""
        link = first_playlist_link(message.content)
        if link is None:
            for embed in message.embeds:
                link = first_playlist_link(f"{embed.url or ''} {embed.description or ''}")
                if link:
                    break
        csv = next((a for a in message.attachments if is_csv(a)), None)
        if link is None and csv is None:
            raise BadInput(
                N_("That message has no playlist link (Spotify or Deezer) or CSV file to cluster.")
            )
        await self.run(interaction, link, None if link else csv, None, False)

    @app_commands.command(name="clusters", description="Cluster a playlist's tracks and show them")
    @app_commands.describe(
        link=(
            "Spotify, Deezer, YouTube Music or Apple Music playlist link "
            "(connected: your playlists, Liked Songs)"
        ),
        file="A playlist CSV export (e.g. from Exportify) instead of a link",
        clusters="How many clusters (2-12); chosen automatically if left out",
        private="Only you see the answer",
    )
    async def clusters(
        self,
        interaction: discord.Interaction[Any],
        link: str | None = None,
        file: discord.Attachment | None = None,
        clusters: app_commands.Range[int, 2, 12] | None = None,
        private: bool = False,
    ) -> None:
        await self.run(interaction, link, file, clusters, private)

    async def run(
        self,
        interaction: discord.Interaction[Any],
        link: str | None,
        file: discord.Attachment | None,
        clusters: int | None,
        private: bool,
    ) -> None:
        """Check, defer, analyse in line with progress, and answer with the pages."""
        started = time.monotonic()
        settings = self.bot.settings
        # Cheap checks first, so a mistake is answered privately before anything is shown.
        check_given(link, file, settings.csv_max_bytes)
        await self.bot.cooldown.check(interaction.user.id)

        await interaction.response.defer(thinking=True, ephemeral=private)

        words = words_for(interaction.locale)

        async def show(text: str) -> None:
            await interaction.edit_original_response(content=text, allowed_mentions=NO_MENTIONS)

        await show(words("Starting") + "…")
        throttled = ThrottledProgress(show, interval=settings.progress_edit_interval_seconds)

        def progress(stage: str, done: int, total: int) -> None:
            throttled(words(stage), done, total)

        async def place(n: int) -> None:
            where = ordinal(n) if words is ENGLISH else words.number(n)
            await show(words("Waiting for a free slot: you are {place} in line…", place=where))

        line = self.bot.line  # in this process, or on workers (REDIS_URL)
        options = self.bot.analyzer.options(clusters)
        try:
            outcome: Outcome
            if file is not None:
                data = await file.read()
                name = file_playlist_name(file)
                outcome = await line.csv(data, name, options, progress, place)
            else:
                assert link is not None
                outcome = await line.link(interaction.user.id, link, options, progress, place)
        except UserError:
            # A mistake (private playlist, unreadable file) does not cost the cooldown.
            await self.bot.cooldown.reset(interaction.user.id)
            raise
        finally:
            await throttled.close()

        content = answer_text(outcome.analysis, cached=outcome.cached, words=words)
        present = bot_present(interaction)
        if not present and not private:
            content = fit_plain_lines([*content.splitlines(), words(ELSEWHERE_NOTE)], INTRO_BUDGET)
        pager = self.bot.pager
        elapsed = time.monotonic() - started
        guild_id = interaction.guild_id
        if elapsed < settings.interaction_answer_seconds:
            await pager.publish(
                interaction.edit_original_response,
                key=outcome.key,
                analysis=outcome.analysis,
                owner_id=interaction.user.id,
                guild_id=guild_id,
                content=content,
                ephemeral=private,
                editing=True,
                reactions=present,
                locale=str(interaction.locale.value),
            )
            return
        # The interaction token (15 minutes) may be gone: answer with a message of our own.
        await self._answer_late(interaction, outcome, content, private)

    async def _answer_late(
        self, interaction: discord.Interaction[Any], outcome: Outcome, content: str, private: bool
    ) -> None:
        user = interaction.user
        channel = interaction.channel
        target: discord.abc.Messageable | None
        if (
            private
            or not bot_present(interaction)  # the bot cannot post there: the member's DMs
            or channel is None
            or not isinstance(channel, discord.abc.Messageable)
        ):
            target = user
        else:
            target = channel
        words = words_for(interaction.locale)
        note = (
            words("{mention}, your analysis is ready.", mention=user.mention) + "\n"
            if target is channel
            else ""
        )
        await self.bot.pager.post_analysis(
            target,
            key=outcome.key,
            analysis=outcome.analysis,
            owner_id=user.id,
            locale=str(interaction.locale.value),
            content=fit_plain_lines([*note.splitlines(), *content.splitlines()], INTRO_BUDGET),
        )
        # The token may have expired; then the new message says it all.
        with contextlib.suppress(discord.HTTPException):
            await interaction.edit_original_response(
                content=words("Done: the answer took a while, so it is in a new message.")
            )

    @clusters.autocomplete("link")
    async def _link_choices(
        self, interaction: discord.Interaction[Any], current: str
    ) -> list[app_commands.Choice[str]]:
        """A connected member's Liked Songs and playlists (cogs/spotify_account.py)."""
        return await playlist_choices(interaction, current)

    # -- reactions -------------------------------------------------------------------

    def _bot_may_manage(self, channel_id: int) -> bool:
        """Whether the bot may remove other people's reactions in this channel."""
        channel = self.bot.get_channel(channel_id)
        if not isinstance(channel, discord.abc.GuildChannel):
            return False
        return channel.permissions_for(channel.guild.me).manage_messages

    def _member_may_manage(self, payload: discord.RawReactionActionEvent) -> bool:
        member = payload.member
        if member is None:
            guild = self.bot.get_guild(payload.guild_id) if payload.guild_id else None
            member = guild.get_member(payload.user_id) if guild else None
        channel = self.bot.get_channel(payload.channel_id)
        if member is None or not isinstance(channel, discord.abc.GuildChannel):
            return False
        return channel.permissions_for(member).manage_messages

    async def _remove(self, payload: discord.RawReactionActionEvent) -> None:
        try:
            await self.bot.http.remove_reaction(
                payload.channel_id, payload.message_id, str(payload.emoji), payload.user_id
            )
        except discord.HTTPException:
            log.debug("could not remove a reaction", exc_info=True)

    @commands.Cog.listener()
    async def on_raw_reaction_add(self, payload: discord.RawReactionActionEvent) -> None:
        await self._on_reaction(payload, added=True)

    @commands.Cog.listener()
    async def on_raw_reaction_remove(self, payload: discord.RawReactionActionEvent) -> None:
        await self._on_reaction(payload, added=False)

    async def _on_reaction(self, payload: discord.RawReactionActionEvent, *, added: bool) -> None:
        """Turn the page for the invoker (or a moderator); ignore and tidy up the rest.

        With Manage Messages the bot removes each reaction it acted on, so the same
        arrow can be pressed again, and ignores removals (they are its own). Without
        it, adding and removing an arrow both count as a press.
        """
        if self.bot.user is None or payload.user_id == self.bot.user.id:
            return
        action = reaction_action(str(payload.emoji))
        if action is None:
            return
        state = await self.bot.storage.messages.get(payload.message_id)
        if state is None:
            return
        manage = self._bot_may_manage(payload.channel_id)
        if not added and manage:
            return
        allowed = payload.user_id == state.owner_id or (added and self._member_may_manage(payload))
        if added and manage:
            await self._remove(payload)
        if not allowed:
            return
        channel = self.bot.get_channel(payload.channel_id) or self.bot.get_partial_messageable(
            payload.channel_id, guild_id=payload.guild_id
        )
        try:
            await self.bot.pager.turn_message(state, action, channel)  # type: ignore[arg-type]
        except Exception:
            log.exception("could not turn the page of message %s", payload.message_id)


async def setup(bot: PlaylistBot) -> None:
    await bot.add_cog(Clusters(bot))
