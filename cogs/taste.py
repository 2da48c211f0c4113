"""`/taste share|unshare|map|compare|neighbours` and the "Compare taste" user menu.

Thin: consent and comparisons live in :class:`bot.services.taste.TasteService`, the
embeds in :mod:`bot.discord_ui.taste`. A member's playlist takes part only after they
share it here; `/taste unshare` removes it and everything computed from it. Nothing
is read from a member's Spotify account for others: a shared playlist is read like a
pasted link (the sharer's own account helps only when they share it).
"""

from __future__ import annotations

import io
import logging
from typing import TYPE_CHECKING, Any

import discord
from discord import app_commands
from discord.ext import commands

from bot.discord_ui.answers import NO_MENTIONS
from bot.discord_ui.places import SERVER_INSTALL, SERVERS_ONLY
from bot.discord_ui.taste import (
    MAP_FILE,
    BridgeButton,
    entry_label,
    map_embed,
    member_check,
    neighbours_embed,
    pair_embed,
    week_changes,
)
from bot.errors import BadInput
from bot.locales import N_, words_for
from bot.render.pages import fit
from bot.services.taste import Entry, pair_scores
from bot.text import fit_plain_lines
from bot.weekly import rules as weekly
from cogs.clusters import check_file_size, file_playlist_name
from cogs.spotify_account import playlist_choices
from storage.errors import StorageError
from storage.taste import TasteShare

if TYPE_CHECKING:
    from bot.model import Playlist
    from bot.roots.app import PlaylistBot
    from bot.services.taste import TasteService
    from bot.weekly.clock import WeeklyClock
    from storage.schedules import Schedule


log = logging.getLogger(__name__)

#: The ``ref_source`` of a weekly schedule that posts the server's taste map.
TASTE = "taste"
SHARE_FIRST = N_("Share a playlist first (`/taste share link:`), or give one with `link:`.")
NOT_SHARED = N_("{member} has not shared a playlist in this server (they can with `/taste share`).")


def _label(guild: discord.Guild | None, user_id: int, fallback: str = "") -> str:
    member = guild.get_member(user_id) if guild else None
    return member.display_name if member else (fallback or "a member")


async def _labels_of(
    service: TasteService, guild: discord.Guild | None, guild_id: int
) -> dict[int, str]:
    """Member id -> legend label ('alice · Road Trip') of every share of the server,
    after the shares of members who left are gone (asked of Discord, see member_check)."""
    await service.prune_departed(guild_id, member_check(guild))
    shares = await service.repository.list_for_guild(guild_id)
    return {s.user_id: entry_label(_label(guild, s.user_id, s.member_name), s.name) for s in shares}


# shared playlists belong to a server: never offered as a user app or in DMs
@app_commands.guild_only()
@app_commands.allowed_contexts(guilds=True, dms=False, private_channels=False)
@app_commands.allowed_installs(guilds=True, users=False)
class Taste(
    commands.GroupCog,
    group_name="taste",
    group_description="Members' shared playlists on one map: who overlaps with whom",
):
    """Members' shared playlists on one map; who overlaps with whom."""

    def __init__(self, bot: PlaylistBot) -> None:
        self.bot = bot
        self.menu = app_commands.ContextMenu(name="Compare taste", callback=self.compare_menu)
        self.menu.guild_only = True
        self.menu.allowed_contexts = SERVERS_ONLY
        self.menu.allowed_installs = SERVER_INSTALL

    async def cog_load(self) -> None:
        self.bot.tree.add_command(self.menu)
        self.bot.add_dynamic_items(BridgeButton)

    async def cog_unload(self) -> None:
        self.bot.tree.remove_command(self.menu.name, type=self.menu.type)
        self.bot.remove_dynamic_items(BridgeButton)

    @property
    def service(self) -> TasteService:
        return self.bot.taste

    @commands.Cog.listener()
    async def on_raw_member_remove(self, payload: discord.RawMemberRemoveEvent) -> None:
        """A member left (only sent with the members intent): their share goes."""
        try:
            await self.service.member_left(payload.guild_id, payload.user.id)
        except StorageError:
            log.warning("could not unshare the taste playlist of a leaving member", exc_info=True)

    @commands.Cog.listener()
    async def on_guild_remove(self, guild: discord.Guild) -> None:
        """The bot left or was removed from a server: its shares go."""
        try:
            await self.service.forget_guild(guild.id)
        except StorageError:
            log.warning("could not forget the taste shares of server %s", guild.id, exc_info=True)

    @staticmethod
    def _guild(interaction: discord.Interaction[Any]) -> int:
        if interaction.guild_id is None:
            raise BadInput(N_("Taste maps belong to a server: use this command in one."))
        return interaction.guild_id

    @app_commands.command(name="share", description="Share a playlist with this server's taste map")
    @app_commands.describe(
        link="A Spotify or Deezer playlist link (or your own, once connected)",
        file="Add a playlist CSV export",
    )
    async def share(
        self,
        interaction: discord.Interaction[Any],
        link: str | None = None,
        file: discord.Attachment | None = None,
    ) -> None:
        guild_id = self._guild(interaction)
        given = link is not None and bool(link.strip())
        if given == (file is not None):
            raise BadInput(
                N_("Give one playlist to share: a playlist link, or a CSV export as file.")
            )
        await interaction.response.defer(ephemeral=True, thinking=True)
        if file is not None:
            playlist = await self.service.keep_file(await self._read_file(file))
        else:
            playlist = await self.service.playlist_of_link(interaction.user.id, link or "")
        await self.service.share(
            TasteShare(
                guild_id,
                interaction.user.id,
                playlist.ref.source,
                playlist.ref.id,
                playlist.name,
                interaction.user.display_name,
            )
        )
        words = words_for(interaction.locale)
        await interaction.edit_original_response(
            content=words(
                "Shared **{name}** ({tracks}) with this server's taste map. `/taste unshare` "
                "takes it back, with everything computed from it.",
                name=fit(playlist.name, 200),
                tracks=words.n("{count} track", "{count} tracks", len(playlist.tracks)),
            ),
            allowed_mentions=NO_MENTIONS,
        )

    @share.autocomplete("link")
    async def _share_choices(
        self, interaction: discord.Interaction[Any], current: str
    ) -> list[app_commands.Choice[str]]:
        return await playlist_choices(interaction, current)

    @app_commands.command(
        name="unshare", description="Take your playlist off this server's taste map"
    )
    async def unshare(self, interaction: discord.Interaction[Any]) -> None:
        guild_id = self._guild(interaction)
        removed = await self.service.unshare(guild_id, interaction.user.id)
        words = words_for(interaction.locale)
        text = (
            words("Your playlist is off this server's taste map, with everything computed from it.")
            if removed
            else words("You have no playlist shared in this server.")
        )
        await interaction.response.send_message(text, ephemeral=True)

    async def _given(
        self,
        interaction: discord.Interaction[Any],
        link: str | None,
        file: discord.Attachment | None,
    ) -> list[Entry]:
        """The playlists given in the command (a link, a file), as the invoker's."""
        entries: list[Entry] = []
        me = interaction.user.display_name
        if link is not None and link.strip():
            playlist = await self.service.playlist_of_link(interaction.user.id, link)
            entries.append(Entry(entry_label(me, playlist.name), playlist, None))
        if file is not None:
            playlist = await self._read_file(file)
            entries.append(Entry(entry_label(me, playlist.name), playlist, None))
        return entries

    async def _read_file(self, file: discord.Attachment) -> Playlist:
        """An attached CSV export, read like /clusters file: (same limits, same reader)."""
        check_file_size(file, self.bot.settings.csv_max_bytes)
        return await self.service.playlist_of_csv(await file.read(), file_playlist_name(file))

    async def _labels(self, guild: discord.Guild | None, guild_id: int) -> dict[int, str]:
        return await _labels_of(self.service, guild, guild_id)

    @app_commands.command(name="map", description="The server's shared playlists on one map")
    @app_commands.describe(
        link="Add a playlist link (or your own playlist, once connected)",
        file="Add a playlist CSV export",
    )
    async def map(
        self,
        interaction: discord.Interaction[Any],
        link: str | None = None,
        file: discord.Attachment | None = None,
    ) -> None:
        guild_id = self._guild(interaction)
        shares = await self.service.repository.list_for_guild(guild_id)
        if len(shares) + bool(link and link.strip()) + (file is not None) < 2:
            raise BadInput(
                N_(
                    "A taste map needs at least two playlists: members share theirs with "
                    "/taste share, or give a link or a file."
                )
            )
        await interaction.response.defer(thinking=True)
        given = await self._given(interaction, link, file)
        labels = await self._labels(interaction.guild, guild_id)
        shared, notes = await self.service.shared_entries(guild_id, labels)
        server = interaction.guild.name if interaction.guild else "this server"
        words = words_for(interaction.locale)
        title = words("Sounds of {server}", server=server)  # the embed's and the picture's
        answer = await self.service.map(given + shared, title, words)
        answer.notes[:0] = notes
        await interaction.edit_original_response(
            embed=map_embed(answer, title, words),
            attachments=[discord.File(io.BytesIO(answer.png), filename=MAP_FILE)],
            allowed_mentions=NO_MENTIONS,
        )

    @map.autocomplete("link")
    async def _map_choices(
        self, interaction: discord.Interaction[Any], current: str
    ) -> list[app_commands.Choice[str]]:
        return await playlist_choices(interaction, current)

    async def _require_share(self, guild_id: int, user_id: int, link: str | None) -> None:
        """Before deferring (so the answer is private): the invoker has a playlist here."""
        if (link is None or not link.strip()) and await self.service.repository.get(
            guild_id, user_id
        ) is None:
            raise BadInput(SHARE_FIRST)

    async def _mine(
        self, interaction: discord.Interaction[Any], guild_id: int, link: str | None
    ) -> Entry:
        """The invoker's side: the link given, else their shared playlist."""
        given = await self._given(interaction, link, None)
        if given:
            return given[0]
        labels = await self._labels(interaction.guild, guild_id)
        me = interaction.user.id
        found = await self.service.entry_of(guild_id, me, labels.get(me, ""))
        if found is None:
            raise BadInput(SHARE_FIRST)
        return found

    async def _compare(
        self,
        interaction: discord.Interaction[Any],
        member: discord.Member | discord.User,
        link: str | None = None,
    ) -> None:
        guild_id = self._guild(interaction)
        if member.id == interaction.user.id and not link:
            raise BadInput(N_("Pick another member to compare your taste with."))
        await self._require_share(guild_id, interaction.user.id, link)
        if await self.service.repository.get(guild_id, member.id) is None:
            raise BadInput(NOT_SHARED, member=fit(member.display_name, 100))
        await interaction.response.defer(thinking=True)
        mine = await self._mine(interaction, guild_id, link)
        labels = await self._labels(interaction.guild, guild_id)
        theirs = await self.service.entry_of(guild_id, member.id, labels.get(member.id, ""))
        if theirs is None:
            raise BadInput(NOT_SHARED, member=fit(member.display_name, 100))
        answer = await self.service.pair(
            mine, theirs, f"{mine.label} × {theirs.label}", words_for(interaction.locale)
        )
        bridge_id = await self.service.keep_bridge(
            guild_id, interaction.user.id, member.id, answer.bridge
        )
        view = discord.ui.View(timeout=None)
        if answer.bridge:
            words = words_for(interaction.locale)
            view.add_item(BridgeButton("home", bridge_id, words))
            if self.bot.accounts.library is not None:
                view.add_item(BridgeButton("save", bridge_id, words))
        await interaction.edit_original_response(
            embed=pair_embed(answer, words_for(interaction.locale)),
            attachments=[discord.File(io.BytesIO(answer.png), filename=MAP_FILE)],
            view=view,
            allowed_mentions=NO_MENTIONS,
        )

    @app_commands.command(name="compare", description="Your taste beside a member's")
    @app_commands.describe(
        member="A member who shared a playlist", link="Your playlist (default: the one you shared)"
    )
    async def compare(
        self, interaction: discord.Interaction[Any], member: discord.Member, link: str | None = None
    ) -> None:
        await self._compare(interaction, member, link)

    async def compare_menu(
        self, interaction: discord.Interaction[Any], member: discord.Member
    ) -> None:
        """The "Compare taste" user context menu."""
        await self._compare(interaction, member)

    @app_commands.command(
        name="neighbours", description="The members whose music is closest to yours"
    )
    @app_commands.describe(link="Your playlist (default: the one you shared)")
    async def neighbours(
        self, interaction: discord.Interaction[Any], link: str | None = None
    ) -> None:
        guild_id = self._guild(interaction)
        await self._require_share(guild_id, interaction.user.id, link)
        await interaction.response.defer(thinking=True, ephemeral=True)
        mine = await self._mine(interaction, guild_id, link)
        labels = await self._labels(interaction.guild, guild_id)
        others, _ = await self.service.shared_entries(guild_id, labels, skip=(interaction.user.id,))
        ranked = await self.service.neighbours(mine, others)
        await interaction.edit_original_response(
            embed=neighbours_embed(mine, ranked, words_for(interaction.locale)),
            allowed_mentions=NO_MENTIONS,
        )


async def post_taste(
    bot: PlaylistBot, clock: WeeklyClock, schedule: Schedule, channel: Any, week: str
) -> discord.Message:
    """The weekly "Sounds of <server> this week": the map of the shared playlists and
    the pairs that moved since last week's post (scores kept in ``taste_derived``)."""
    guild = channel.guild
    labels = await _labels_of(bot.taste, guild, schedule.guild_id)
    # nobody waits on a weekly post: every playlist with all its Deezer lookups
    entries, notes = await bot.taste.shared_entries(schedule.guild_id, labels, complete=True)
    # the post and its picture, in the server's language (Server Settings → Community)
    words = words_for(str(getattr(guild, "preferred_locale", "") or ""))
    title = words("Sounds of {server} this week", server=guild.name)
    answer = await bot.taste.map(entries, title, words)
    answer.notes[:0] = notes
    scores = pair_scores(answer)
    _, before = await bot.taste.repository.last_week(schedule.guild_id)
    members = {e.user_id: e.label for e in entries if e.user_id is not None}
    assert schedule.id is not None
    # the header with the schedule's id: how a post sent but not recorded is found again
    changes = week_changes(before, scores, members, words=words)
    content = f"📅 **Weekly taste map #{schedule.id}** · {changes}"
    # still ours? (else ClaimLost: send nothing); record that the week is being sent
    await clock.confirm(schedule, [], {})
    sent = await channel.send(
        nonce=weekly.post_nonce(schedule.id, week),
        content=fit_plain_lines([content], 2000),
        embed=map_embed(answer, title, words),
        file=discord.File(io.BytesIO(answer.png), filename=MAP_FILE),
        allowed_mentions=NO_MENTIONS,
    )
    await bot.storage.schedules.mark_posted(schedule.id, week, [], {})
    await bot.taste.repository.save_week(
        schedule.guild_id, week, [(a, b, s) for (a, b), s in scores.items()]
    )
    return sent


async def setup(bot: PlaylistBot) -> None:
    await bot.add_cog(Taste(bot))
