"""`/schedule`: weekly posts of a playlist's clusters into a channel (the Discord side).

Commands (Manage Server, or the server's schedule role; checked here, not only by
Discord's default permissions, which a server can override): ``/schedule add``,
``/schedule list``, ``/schedule remove``; every answer is ephemeral.

The clock, the retry policy and disabling live in :class:`bot.weekly.clock.WeeklyClock`
(no Discord there). This cog starts it in ``cog_load`` and stops it in
``cog_unload``, and gives it the two Discord-side actions: :meth:`Schedules.post`
(check the channel, analyse or reuse the cached analysis, post it with the pager)
and :meth:`Schedules.notify` (DM the creator, or the server owner when that fails,
that a schedule stopped). Discord's ``NotFound``/``Forbidden`` while posting become
:class:`~bot.weekly.clock.Undeliverable`, which disables the schedule.

With several bot processes the clock posts only the guilds of this process's shards
(``bot.owns_guild``) and only under its claim on the week: the post confirms the claim
just before sending and records the week as posted right after Discord accepted the
message, so no other process can post the same week.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator, Sequence
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

import discord
from discord import app_commands
from discord.ext import commands

from bot.discord_ui.places import SERVER_INSTALL, SERVERS_ONLY, missing_permissions
from bot.errors import BadInput, UserError
from bot.locales import N_, words_for
from bot.model import PlaylistRef
from bot.net.links import resolve_link
from bot.render.pages import INTRO_BUDGET, answer_text, fit
from bot.shards import ShardPlan
from bot.text import fit_plain_lines
from bot.weekly import rules as weekly
from bot.weekly.clock import Undeliverable, WeeklyClock, process_name
from cogs.taste import TASTE, post_taste
from storage.schedules import Schedule, ScheduleRepository

if TYPE_CHECKING:
    from collections.abc import Callable

    from bot.roots.app import PlaylistBot

log = logging.getLogger(__name__)

NO_MENTIONS = discord.AllowedMentions.none()
#: The first line of a weekly post, with the schedule's id (the one /schedule list
#: shows): how a post that was sent but not recorded is found again, in any language
#: (every translation keeps "📅 " first and "#{id}**" in the line).
POST_HEADER = N_("📅 **Weekly post #{id}** · {change}")
#: Messages looked at when searching a channel for a weekly post sent but not recorded.
FIND_POST_LIMIT = 100


def _texts(components: Sequence[Any]) -> Iterator[str]:
    """Every text of a message's components, layout containers walked in order."""
    for component in components:
        content = getattr(component, "content", None)
        if isinstance(content, str):
            yield content
        yield from _texts(getattr(component, "children", None) or ())


def is_weekly_post(message: discord.Message, schedule_id: int) -> bool:
    """Whether ``message`` is a post of schedule ``schedule_id``: its first text (the
    layout's top, or plain content) is the post header with that id."""
    first = message.content or next(_texts(message.components), "")
    line = first.split("\n", 1)[0]
    return line.startswith("📅 ") and f"#{schedule_id}**" in line


class NotAllowed(UserError):
    """A member without Manage Server (or the schedule role) tried to change schedules."""


class Schedules(commands.Cog):
    """The /schedule commands, and the Discord side of the weekly clock."""

    schedule = app_commands.Group(
        name="schedule",
        description="Weekly posts of a playlist's clusters into a channel",
        guild_only=True,
        # weekly posts need the bot in the server: never offered as a user app or in DMs
        allowed_contexts=SERVERS_ONLY,
        allowed_installs=SERVER_INSTALL,
        default_permissions=discord.Permissions(manage_guild=True),
    )

    def __init__(self, bot: PlaylistBot) -> None:
        self.bot = bot
        settings = bot.settings
        shards = ShardPlan.of(settings.shard_count, settings.shard_ids)
        #: The current instant (aware UTC); discord.py's, which a simulated Discord can drive.
        self.now: Callable[[], datetime] = discord.utils.utcnow
        self.clock = WeeklyClock(
            self.repo,
            self.post,
            self.notify,
            now=lambda: self.now(),
            retry_delay=timedelta(seconds=settings.schedule_retry_seconds),
            max_sleep=timedelta(seconds=settings.schedule_check_seconds),
            ready=bot.wait_until_ready,
            active=lambda: not bot.is_closed(),
            owns=bot.owns_guild,
            owner=f"{process_name()} {shards.label()}",
            lease=timedelta(seconds=settings.schedule_lease_seconds),
            find_post=self.find_post,
        )

    @property
    def repo(self) -> ScheduleRepository:
        assert self.bot.storage is not None
        return self.bot.storage.schedules

    async def cog_load(self) -> None:
        self.clock.start()

    async def cog_unload(self) -> None:
        await self.clock.stop()

    # -- what the clock does on Discord -----------------------------------------------

    async def post(self, schedule: Schedule, now: datetime) -> discord.Message:
        """Fetch, analyse (no Deezer budget: nobody waits) or reuse, and post the clusters."""
        try:
            return await self._post(schedule, now)
        except discord.NotFound:
            raise Undeliverable(weekly.CHANNEL_GONE) from None
        except discord.Forbidden:
            raise Undeliverable(weekly.NOT_ALLOWED) from None

    async def _post(self, schedule: Schedule, now: datetime) -> discord.Message:
        assert schedule.id is not None
        week, _ = weekly.this_weeks_slot(schedule, now)
        channel = await self._channel(schedule)
        if schedule.ref_source == TASTE:
            return await post_taste(self.bot, self.clock, schedule, channel, week)
        analyzer = self.bot.analyzer
        k = schedule.k
        if k is None:
            assert self.bot.storage is not None
            k = (await self.bot.storage.guild_settings.get(schedule.guild_id)).default_k
        outcome = await self.bot.line.ref(schedule.ref, analyzer.options(k, complete=True))
        analysis = outcome.analysis
        track_ids = [track.id for track in analysis.playlist.tracks]
        labels = {
            track.id: int(label)
            for track, label in zip(analysis.playlist.tracks, analysis.labels, strict=True)
        }
        # in the server's language (Server Settings → Community → Overview)
        locale = str(getattr(getattr(channel, "guild", None), "preferred_locale", "") or "")
        words = words_for(locale)
        change = weekly.change_line(
            schedule.last_track_ids, schedule.last_labels, track_ids, labels, words
        )
        answer = answer_text(analysis, cached=outcome.cached, words=words)
        header = words(POST_HEADER, id=str(schedule.id), change=change)
        content = fit_plain_lines([header, *answer.split("\n")], INTRO_BUDGET)

        async def send(**kwargs: Any) -> discord.Message:
            # Still ours? (else ClaimLost: send nothing); record that we are sending.
            await self.clock.confirm(schedule, track_ids, labels)
            # The same nonce for every try of this week: Discord answers a repeat within
            # a few minutes with the first message (enforce_nonce) instead of a second.
            sent = await channel.send(nonce=weekly.post_nonce(schedule.id, week), **kwargs)
            # At once, before the reactions: the week is posted for every process.
            await self.repo.mark_posted(schedule.id, week, track_ids, labels)
            return sent

        message = await self.bot.pager.publish(
            send,
            key=outcome.key,
            analysis=analysis,
            owner_id=schedule.created_by,
            guild_id=schedule.guild_id,
            content=content,
            locale=locale,
        )
        log.info("weekly post %s made in %s (message %s)", schedule.id, week, message.id)
        return message

    async def find_post(self, schedule: Schedule, week: str, since: datetime) -> bool:
        """Whether this bot's weekly post of ``schedule`` is in its channel since
        ``since`` (a minute's slack for clocks that differ): a try that sent it died
        before recording it. Unreadable history counts as not found (it is sent)."""
        try:
            channel = await self._channel(schedule)
            assert isinstance(channel, discord.abc.Messageable)
            me = self.bot.user
            after = since - timedelta(minutes=1)
            async for message in channel.history(limit=FIND_POST_LIMIT, after=after):
                if (
                    me is not None
                    and message.author.id == me.id
                    and is_weekly_post(message, schedule.id)
                ):
                    return True
        except (discord.HTTPException, Undeliverable):
            log.warning("could not look for weekly post %s in its channel", schedule.id)
        return False

    async def _channel(self, schedule: Schedule) -> discord.abc.GuildChannel:
        """The schedule's channel, checked before any work; :class:`Undeliverable` if not."""
        channel = self.bot.get_channel(schedule.channel_id)
        if channel is None:
            try:
                channel = await self.bot.fetch_channel(schedule.channel_id)
            except discord.NotFound:
                raise Undeliverable(weekly.CHANNEL_GONE) from None
            except discord.Forbidden:
                raise Undeliverable(weekly.NOT_SEEN) from None
        if not isinstance(channel, discord.abc.GuildChannel) or not isinstance(
            channel, discord.abc.Messageable
        ):
            raise Undeliverable(weekly.NOT_POSTABLE)
        me = channel.guild.me
        missing = missing_permissions(channel, me) if me is not None else []
        if missing:
            raise Undeliverable(weekly.lost_permissions(channel.name, missing))
        return channel

    async def notify(self, schedule: Schedule, reason: str) -> None:
        """Tell a stopped schedule's creator by DM, or the server owner when that fails."""
        guild = self.bot.get_guild(schedule.guild_id)
        words = words_for(str(guild.preferred_locale) if guild else "")  # the server's language
        text = weekly.stopped_text(schedule, reason, fit(guild.name, 100) if guild else None, words)
        targets: list[int] = [schedule.created_by]
        if guild is not None and guild.owner_id and guild.owner_id != schedule.created_by:
            targets.append(guild.owner_id)
        for user_id in targets:
            try:
                user = self.bot.get_user(user_id) or await self.bot.fetch_user(user_id)
                await user.send(text, allowed_mentions=NO_MENTIONS)
                return
            except discord.HTTPException:
                log.info("could not tell user %s that schedule %s stopped", user_id, schedule.id)
        log.warning("nobody could be told that weekly post %s stopped", schedule.id)

    # -- commands -------------------------------------------------------------------------

    async def _require_manager(self, interaction: discord.Interaction[Any]) -> discord.Guild:
        """The guild, if the member may manage its schedules; :class:`NotAllowed` if not."""
        guild = interaction.guild
        member = interaction.user
        if guild is None or not isinstance(member, discord.Member):
            raise NotAllowed(N_("Schedules belong to a server; use this command in one."))
        if member.guild_permissions.manage_guild:
            return guild
        assert self.bot.storage is not None
        role_id = (await self.bot.storage.guild_settings.get(guild.id)).schedule_role_id
        if role_id is not None and any(role.id == role_id for role in member.roles):
            return guild
        raise NotAllowed(
            N_("Only members with the Manage Server permission can manage weekly posts.")
        )

    @schedule.command(name="add", description="Post a playlist's clusters every week")
    @app_commands.describe(
        link=(
            "A Spotify, Deezer, YouTube Music or Apple Music playlist link (for the clusters kind)"
        ),
        kind="A playlist's clusters (default), or the server's taste map of shared playlists",
        channel="Where to post",
        weekday="The day of the week",
        time="24-hour time, HH:MM (e.g. 18:00)",
        timezone="A time zone such as Europe/Berlin (daylight saving is followed)",
        clusters="How many clusters (2-12); chosen automatically if left out",
    )
    @app_commands.choices(
        weekday=[app_commands.Choice(name=name, value=i) for i, name in enumerate(weekly.WEEKDAYS)],
        kind=[
            app_commands.Choice(name="A playlist's clusters", value="clusters"),
            app_commands.Choice(name="Sounds of this server (taste map)", value=TASTE),
        ],
    )
    async def add(
        self,
        interaction: discord.Interaction[Any],
        channel: discord.TextChannel,
        weekday: app_commands.Choice[int],
        time: str,
        timezone: str,
        link: str | None = None,
        clusters: app_commands.Range[int, 2, 12] | None = None,
        kind: app_commands.Choice[str] | None = None,
    ) -> None:
        guild = await self._require_manager(interaction)
        hhmm = weekly.parse_time(time)
        zone = weekly.canonical_zone(timezone)
        words = words_for(interaction.locale)
        missing = missing_permissions(channel, guild.me, words) if guild.me is not None else []
        if missing:
            said = N_("I cannot post in #{channel}: I need {missing} there.")
            raise BadInput(said, channel=channel.name, missing=", ".join(missing))
        existing = await self.repo.list_for_guild(guild.id)
        limit = self.bot.settings.schedule_max_per_guild
        if len(existing) >= limit:
            said = N_(
                "This server already has {count} weekly posts (the limit is {limit}); "
                "remove one with `/schedule remove` first."
            )
            raise BadInput(said, count=len(existing), limit=limit)
        taste = kind is not None and kind.value == TASTE
        if not taste and not (link and link.strip()):
            raise BadInput(N_("Give the playlist's `link:` (or choose the taste map `kind:`)."))
        await interaction.response.defer(ephemeral=True, thinking=True)
        if taste:
            ref = PlaylistRef(TASTE, str(guild.id))  # type: ignore[arg-type]
        else:
            assert link is not None
            ref = await resolve_link(link, self.bot.web)  # raises BadLink with a sentence
        now = self.now()
        schedule = Schedule(
            guild_id=guild.id,
            channel_id=channel.id,
            ref_source=ref.source,
            ref_id=ref.id,
            weekday=weekday.value,
            time=hhmm,
            timezone=zone,
            created_by=interaction.user.id,
            k=clusters,
        )
        schedule.last_posted_week = weekly.week_done_at_creation(schedule, now)
        schedule = await self.repo.add(schedule)
        self.clock.wake()
        first = weekly.next_due(schedule, now)
        await interaction.edit_original_response(
            content=words(
                "Weekly post #{id} added: {when} in {channel}, <{url}>.\nFirst post: {first}.",
                id=str(schedule.id),
                when=weekly.describe(schedule, words),
                channel=channel.mention,
                url=weekly.playlist_url(ref),
                first=weekly.stamp(first),
            ),
            allowed_mentions=NO_MENTIONS,
        )

    @add.autocomplete("timezone")
    async def _zones(
        self, interaction: discord.Interaction[Any], current: str
    ) -> list[app_commands.Choice[str]]:
        return [app_commands.Choice(name=name, value=name) for name in weekly.zone_choices(current)]

    @schedule.command(name="list", description="The weekly posts of this server")
    async def list_(self, interaction: discord.Interaction[Any]) -> None:
        guild = await self._require_manager(interaction)
        schedules = await self.repo.list_for_guild(guild.id)
        words = words_for(interaction.locale)
        if not schedules:
            said = words("No weekly posts yet; add one with `/schedule add`.")
            await interaction.response.send_message(said, ephemeral=True)
            return
        now = self.now()
        lines = []
        for s in schedules:
            head = words(
                "**#{id}** · {when} in {channel} · <{url}> · by {member}",
                id=str(s.id),
                when=weekly.describe(s, words),
                channel=f"<#{s.channel_id}>",
                url=weekly.playlist_url(s.ref),
                member=f"<@{s.created_by}>",
            )
            if s.enabled:
                tail = words("next: {when}", when=weekly.stamp(weekly.next_due(s, now)))
            else:
                reason = fit(weekly.stop_reason(s.disabled_reason, words), 200, markdown=False)
                tail = words("⏸ stopped: {reason}", reason=reason)
            lines.append(f"{head}\n  {tail}")
        text = "\n".join(lines)
        if len(text) > 2000:
            text = text[:1990].rsplit("\n", 1)[0] + "\n…"
        await interaction.response.send_message(text, ephemeral=True, allowed_mentions=NO_MENTIONS)

    @schedule.command(name="remove", description="Stop and delete a weekly post")
    @app_commands.describe(id="The number shown by /schedule list")
    async def remove(self, interaction: discord.Interaction[Any], id: int) -> None:
        guild = await self._require_manager(interaction)
        if not await self.repo.remove(id, guild_id=guild.id):
            said = N_("This server has no weekly post #{id}; see `/schedule list`.")
            raise BadInput(said, id=str(id))
        self.clock.forget(id)
        self.clock.wake()
        words = words_for(interaction.locale)
        await interaction.response.send_message(
            words("Weekly post #{id} removed.", id=str(id)), ephemeral=True
        )


async def setup(bot: PlaylistBot) -> None:
    cog = Schedules(bot)
    await bot.add_cog(cog)
