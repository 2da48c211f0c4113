"""The one module of the tests that touches SimCord (pinned: simcord==3.2.1).

SimCord runs discord.py's real parsers, command tree, views and reaction events
against an in-memory Discord. Everything the bot tests need from it goes through
:class:`World`, so replacing SimCord means rewriting this file only.

A world holds one guild with a ``#music`` channel, and three members: ``owner``
(who runs the commands), ``stranger`` and ``moderator`` (Manage Messages). The bot
is a real :class:`~bot.roots.app.PlaylistBot` on a SQLite file in the test's folder.
"""

from __future__ import annotations

import asyncio
import csv
import io
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from datetime import datetime
from pathlib import Path
from typing import Any

import discord
import simcord
from simcord.components import validate_message_state

from bot.roots.app import PipelineFactory, PlaylistBot
from bot.settings.env import Settings
from tests.pages_seen import V2_FLAG, Seen, seen

BOT_PERMISSIONS_WITHOUT_MANAGE = discord.PermissionOverwrite(manage_messages=False)


def discord_accepts(components: list[dict[str, Any]]) -> None:
    """Raise ``ValueError`` unless Discord (as SimCord models its rules: 40 components,
    4,000 characters of text, lengths of every field, unique ids) would accept a layout
    message with these components."""
    validate_message_state(components, flags=V2_FLAG, content=None, embeds=[])


def bot_settings(tmp_path: Path, **overrides: Any) -> Settings:
    """Settings for a test bot: its own database file, no cooldown unless asked."""
    values: dict[str, Any] = {
        # No real host is ever reached: every remote base is a closed local port
        # unless the test points it at a fake server.
        "spotify_api_base": "http://127.0.0.1:9/v1",
        "spotify_token_url": "http://127.0.0.1:9/api/token",
        "deezer_api_base": "http://127.0.0.1:9",
        "reccobeats_api_base": "http://127.0.0.1:9/v1",
        "spotify_embed_base": "http://127.0.0.1:9/embed",
        "ytmusic_api_base": "http://127.0.0.1:9/youtubei/v1",
        # Deezer's real preview CDN is never contacted either (the fakes' tracks carry
        # its addresses): previews are only fetched from 127.0.0.1
        "preview_hosts": ["127.0.0.1"],
        "apple_music_base": "http://127.0.0.1:9/apple",
        "http_timeout_seconds": 2.0,
        "database_path": tmp_path / "data" / "bot.db",
        "user_cooldown_seconds": 0,
        "progress_edit_interval_seconds": 0,
        "health_file": tmp_path / "data" / "heartbeat",
    }
    values.update(overrides)
    return Settings(_env_file=None, **values)  # type: ignore[call-arg]


def playlist_csv(groups: int = 2, per_group: int = 25, *, name_prefix: str = "Song") -> bytes:
    """An Exportify-style CSV with ``groups`` clearly separated groups of tracks."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(
        [
            "Track URI",
            "Track Name",
            "Artist Name(s)",
            "Album Name",
            "Album Image URL",
            "Label",
            "Liked",
            "Danceability",
            "Energy",
            "Valence",
            "Acousticness",
            "Tempo",
            "Loudness",
        ]
    )
    for g in range(groups):
        for i in range(per_group):
            n = g * per_group + i
            uri = "spotify:track:" + f"{n:022d}"
            jitter = (i % 5) * 0.01
            writer.writerow(
                [
                    uri,
                    f"{name_prefix} {n:03d}",
                    f"Artist {g}",
                    f"Album {g}",
                    f"https://img.example/{n}.jpg",
                    f"Label {g}",
                    "true" if i % 3 == 0 else "false",
                    0.2 + 0.6 * g + jitter,
                    0.9 - 0.7 * g + jitter,
                    0.5,
                    0.1 + 0.8 * g,
                    90 + 60 * g + i,
                    -5 - 10 * g,
                ]
            )
    return out.getvalue().encode("utf-8")


class World:
    """A running simulated Discord with the bot, a guild, a channel and three members."""

    def __init__(self, env: simcord.Env, make_bot: Callable[[], PlaylistBot]) -> None:
        self.env = env
        self.make_bot = make_bot
        self.guild = env.create_guild("Listening Club")
        mods = self.guild.create_role(
            "Mods", permissions=discord.Permissions(manage_messages=True, read_message_history=True)
        )
        self.channel = self.guild.create_text_channel("music")
        self.owner = self.guild.add_member(env.create_user("alice"))
        self.stranger = self.guild.add_member(env.create_user("bob"))
        self.moderator = self.guild.add_member(env.create_user("mod"), roles=[mods])
        self._quiet: Any = None
        self._manager: Any = None

    @property
    def bot(self) -> PlaylistBot:
        return self.env.bot  # type: ignore[return-value]

    def quiet_channel(self) -> Any:
        """A channel where the bot lacks Manage Messages (cannot remove reactions)."""
        if self._quiet is None:
            assert self.bot.user is not None
            self._quiet = self.guild.create_text_channel(
                "no-manage", overwrites={self.bot.user: BOT_PERMISSIONS_WITHOUT_MANAGE}
            )
        return self._quiet

    async def clusters(
        self,
        user: Any | None = None,
        *,
        csv_bytes: bytes | None = None,
        filename: str = "Road Trip.csv",
        link: str | None = None,
        clusters: int | None = None,
        private: bool | None = None,
        channel: Any | None = None,
    ) -> simcord.InteractionResult:
        """Run `/clusters` as ``user`` (the owner by default)."""
        options: dict[str, Any] = {}
        if csv_bytes is not None:
            options["file"] = (filename, csv_bytes)
        if link is not None:
            options["link"] = link
        if clusters is not None:
            options["clusters"] = clusters
        if private is not None:
            options["private"] = private
        return await (user or self.owner).slash(channel or self.channel, "clusters", **options)

    async def help(self, user: Any | None = None) -> simcord.InteractionResult:
        return await (user or self.owner).slash(self.channel, "help")

    def message(self, message_id: int, channel: Any | None = None) -> discord.Message:
        """The current state of a (non-ephemeral) message, as the bot's own cache sees it."""
        for message in (channel or self.channel).history():
            if message.id == message_id:
                return message
        raise LookupError(f"message {message_id} is not in the channel")

    def reactions(self, message_id: int, channel: Any | None = None) -> dict[str, int]:
        """Emoji -> count on a message."""
        return {str(r.emoji): r.count for r in self.message(message_id, channel).reactions}

    async def react(
        self, user: Any, message_id: int, emoji: str, channel: Any | None = None
    ) -> None:
        await user.react(self.message(message_id, channel), emoji)

    async def unreact(
        self, user: Any, message_id: int, emoji: str, channel: Any | None = None
    ) -> None:
        await user.unreact(self.message(message_id, channel), emoji)

    async def click(self, user: Any, message: Any, label: str) -> simcord.InteractionResult:
        """Press the button labelled ``label`` on a message (or an interaction's response)."""
        if isinstance(message, int):
            message = self.message(message)
        elif isinstance(message, simcord.InteractionResult):
            assert message.response is not None
            message = message.response.message
        elif isinstance(message, simcord.ResponseMessage):
            message = message.message
        return await user.click(message, label=label)

    async def choose(
        self, user: Any, message: Any, prefix: str, label: str
    ) -> simcord.InteractionResult:
        """Choose the option labelled ``label`` in the select whose custom id starts
        with ``prefix`` (e.g. ``pc:ax:x:``) on a message or an interaction's response."""
        target = self._target(message)
        select = self.component(target, prefix)
        values = [o.value for o in select.options if o.label == label]
        assert values, f"no option {label!r} in {[o.label for o in select.options]}"
        return await user.select(target, values, custom_id=select.custom_id)

    def _target(self, message: Any) -> Any:
        if isinstance(message, int):
            return self.message(message)
        if isinstance(message, simcord.InteractionResult):
            assert message.response is not None
            return message.response.message
        if isinstance(message, simcord.ResponseMessage):
            return message.message
        return message

    def component(self, message: Any, prefix: str) -> Any:
        """The first component (button or select) whose custom id starts with ``prefix``,
        in a plain message's rows or anywhere in a layout message."""
        target = self._target(message)
        stack = list(reversed(target.components))
        while stack:
            child = stack.pop()
            if (getattr(child, "custom_id", None) or "").startswith(prefix):
                return child
            inner = list(getattr(child, "children", None) or [])
            if getattr(child, "accessory", None) is not None:
                inner.append(child.accessory)
            stack.extend(reversed(inner))
        raise LookupError(f"no component {prefix!r} on message {target.id}")

    def page(self, message: Any) -> Seen:
        """What a member sees of the layout page on a message (or an interaction's answer)."""
        return seen(self._target(message))

    def files(self, message: Any) -> dict[str, bytes]:
        """File name -> bytes of a message's attachments, as Discord's CDN serves them."""
        target = self._target(message)
        found = {}
        for attachment in target.attachments:
            data = self.env.backend.cdn.get(attachment.url)
            assert data is not None, attachment.url
            found[attachment.filename] = data
        return found

    async def similar(
        self, user: Any | None = None, channel: Any | None = None, **options: Any
    ) -> simcord.InteractionResult:
        """Run `/similar` (``track=``, ``link=``, ``private=``) as ``user`` (the owner)."""
        return await (user or self.owner).slash(channel or self.channel, "similar", **options)

    async def restart(self) -> PlaylistBot:
        """Restart the bot process: a new bot instance on the same database and Discord."""
        await self.env.restart_bot(self.make_bot())
        return self.bot

    def requests(self, method: str, fragment: str) -> list[Any]:
        """REST calls the bot made whose path contains ``fragment``."""
        return [r for r in self.env.http_requests if r.method == method and fragment in r.path]

    def errors(self) -> list[BaseException]:
        """Exceptions the bot swallowed (acknowledged, so teardown does not re-raise them)."""
        return self.env.errors

    async def external_wait(self, awaitable: Awaitable[Any], reason: str) -> Any:
        """Declare an intended wait inside bot-owned work (e.g. a fake source held open)."""
        return await self.env.external_wait(awaitable, reason=reason)

    async def settle(self) -> None:
        await self.env.settle()

    # -- weekly posts: the virtual clock, channels that go away, command overrides --------

    def now(self) -> datetime:
        """The simulated instant (aware UTC); starts at 2026-01-01 00:00 UTC, a Thursday."""
        return self.env.now()

    async def advance(self, seconds: float) -> None:
        """Let ``seconds`` of simulated time pass; the bot's loops run as they would."""
        await self.env.advance_time(seconds)

    async def advance_to(self, moment: datetime) -> None:
        """Let simulated time pass until ``moment`` (no-op if it is not in the future).

        In steps of at most a day: SimCord gives each step a few real seconds to settle.
        """
        while (seconds := (moment - self.now()).total_seconds()) > 0:
            await self.env.advance_time(min(seconds, 86400.0))

    @property
    def manager(self) -> Any:
        """A member with Manage Server (``carol``), created on first use."""
        if self._manager is None:
            admins = self.guild.create_role(
                "Admins", permissions=discord.Permissions(manage_guild=True)
            )
            self._manager = self.guild.add_member(self.env.create_user("carol"), roles=[admins])
        return self._manager

    async def schedule(
        self, sub: str, user: Any | None = None, **options: Any
    ) -> simcord.InteractionResult:
        """Run `/schedule <sub>` (add, list, remove) in #music as ``user`` (the manager by
        default); ``options`` are the command's (``channel=`` is the option)."""
        actor = user or self.manager
        return await actor.slash(self.channel, f"schedule {sub}", **options)

    async def autocomplete(
        self, command: str, option: str, typed: str, user: Any | None = None, **filled: Any
    ) -> list[str]:
        """The values the bot offers while ``user`` types ``typed`` into ``option``."""
        actor = user or self.manager
        choices = await actor.autocomplete(self.channel, command, option, typed, **filled)
        return [choice["value"] for choice in choices]

    def allow_command(self, name: str, member: Any) -> None:
        """A server admin's override letting ``member`` use ``/name`` despite its defaults."""
        root = self.env.backend.find_command(name, self.guild.id)
        assert root is not None, f"/{name} is not synced"
        self.guild.set_command_permissions(int(root["id"]), {member: True})

    def text_channel(self, name: str) -> Any:
        return self.guild.create_text_channel(name)

    async def delete_channel(self, channel: Any) -> None:
        """Delete a channel as a server admin would; the bot sees CHANNEL_DELETE."""
        self.env.backend.delete_channel(channel.id)
        await self.env.settle()

    async def deny_bot(self, channel: Any, **denied: bool) -> None:
        """Take permissions (e.g. ``send_messages=False``) from the bot in ``channel``."""
        from simcord.backend.models.channel import Overwrite
        from simcord.enums import OverwriteType

        assert self.bot.user is not None
        allow, deny = discord.PermissionOverwrite(**denied).pair()
        stored = self.env.backend.get_channel(channel.id)
        overwrites = [o for o in stored.overwrites if o.target_id != self.bot.user.id]
        overwrites.append(
            Overwrite(
                target_id=self.bot.user.id,
                type=OverwriteType.MEMBER,
                allow=allow.value,
                deny=deny.value,
            )
        )
        self.env.backend.edit_channel(channel.id, {}, overwrites=overwrites)
        await self.env.settle()

    async def delete_message(self, message_id: int, channel: Any | None = None) -> None:
        """Delete a message as a moderator would (gone from the channel's history)."""
        self.env.backend.delete_message((channel or self.channel).id, message_id)
        await self.env.settle()

    def posts(self, channel: Any | None = None) -> list[discord.Message]:
        """The bot's messages in a channel, oldest first."""
        assert self.bot.user is not None
        bot_id = self.bot.user.id
        return [m for m in (channel or self.channel).history() if m.author.id == bot_id]

    def dms(self, member: Any) -> list[discord.Message]:
        """Messages in the bot's DM channel with ``member`` (or a user handle), oldest first."""
        user = getattr(member, "user", member)
        return list(user.dm_channel.history())

    @property
    def guild_owner(self) -> Any:
        """The guild's owner (a user handle; not one of the three members)."""
        return self.guild.owner

    def fail_requests(self, method: str, path: str, *, status: int, code: int = 0) -> None:
        """Make the next matching REST call fail (e.g. a DM refused: 403, code 50007)."""
        self.env.inject_error(method, path, status=status, code=code, message="injected")


@asynccontextmanager
async def world(
    tmp_path: Path,
    *,
    pipeline_factory: PipelineFactory | None = None,
    intended_queue_waits: bool = False,
    **settings: Any,
) -> AsyncIterator[World]:
    """A simulated Discord with a started bot whose commands are synced (test mode).

    ``intended_queue_waits`` tells SimCord that waiting for a slot in the analysis
    line is intended (otherwise an idle wait fails the settle), for queue tests.
    """
    config = bot_settings(tmp_path, **settings)
    env_holder: list[simcord.Env] = []
    bots: list[PlaylistBot] = []

    def make_bot() -> PlaylistBot:
        bot = PlaylistBot(
            config,
            pipeline_factory=pipeline_factory,
            heartbeat=False,
            freeze_heap=False,
            housekeeping=False,
        )
        if intended_queue_waits:
            bot.queue.wait = lambda waiting: env_holder[0].external_wait(
                waiting, reason="waiting in the analysis line"
            )
        bots.append(bot)
        return bot

    try:
        async with simcord.run(make_bot()) as env:
            env_holder.append(env)
            await env.bot.tree.sync()
            yield World(env, make_bot)
            await asyncio.sleep(0)
    finally:
        # SimCord's shutdown cancels the bot's tasks but never calls bot.close(): close
        # what each bot opened (every restart made one), failed test or not. An open
        # database keeps aiosqlite's worker thread, which is not a daemon, alive; a
        # failed test's traceback keeps the bot referenced until pytest exits, so the
        # process would never exit (tests/cogs/test_harness_teardown.py).
        await close_bots(bots)


async def close_bots(bots: list[PlaylistBot]) -> None:
    """Close the HTTP session, providers and database of each bot, each at most 10 s."""
    for bot in bots:
        await asyncio.wait_for(bot.close_resources(), 10)
