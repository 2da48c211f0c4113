"""The loopback fake Discord (:mod:`tests.fake_discord`) with several gateway connections.

Each IDENTIFY opens a :class:`Connection` for the shard it names (``[shard_id,
shard_count]``, as discord.py's ``AutoShardedBot`` sends it); READY lists the guild
only on the shard that carries it (``(guild_id >> 22) % shard_count``, Discord's rule)
and only that connection gets its GUILD_CREATE. Several bot processes can connect,
also for the same shard (a restart overlapping the old process, a misconfiguration);
:meth:`ShardedFakeDiscord.route` chooses the connection the next events go to, so a
test decides which process receives a press. It also answers ``GET /gateway/bot``
(``SHARD_COUNT=auto``) and ``POST /channels/{id}/messages`` (weekly posts).
"""

from __future__ import annotations

import asyncio
import json
import re
from dataclasses import dataclass, field
from typing import Any

from aiohttp import WSMsgType, web

from bot.shards import shard_of
from tests.fake_discord import (
    APPLICATION_ID,
    BOT_USER,
    CHANNEL_ID,
    GUILD_ID,
    Call,
    FakeDiscord,
    json_response,
)

API = "/api/v10"
CHANNEL_MESSAGES = re.compile(rf"{API}/channels/(?P<cid>[0-9]+)/messages")


@dataclass
class Connection:
    """One gateway connection: the shard it identified as, and its socket."""

    ws: web.WebSocketResponse
    shard_id: int
    shard_count: int
    ready: asyncio.Event = field(default_factory=asyncio.Event)

    @property
    def carries_the_guild(self) -> bool:
        return shard_of(GUILD_ID, self.shard_count) == self.shard_id


class ShardedFakeDiscord(FakeDiscord):
    """A fake Discord that several sharded bot processes connect to at once."""

    def __init__(self, recommended_shards: int = 1) -> None:
        super().__init__()
        self.connections: list[Connection] = []
        #: What ``GET /gateway/bot`` recommends (``SHARD_COUNT=auto``).
        self.recommended_shards = recommended_shards

    def app(self) -> web.Application:
        app = super().app()
        app.middlewares.append(self._extra_routes)
        return app

    @web.middleware
    async def _extra_routes(self, request: web.Request, handler: Any) -> web.StreamResponse:
        """Routes the base fake lacks (its catch-all would answer 404 to them)."""
        if request.method == "GET" and request.path == f"{API}/gateway/bot":
            return await self.gateway_bot(request)
        posted = CHANNEL_MESSAGES.fullmatch(request.path)
        if request.method == "POST" and posted:
            return await self.create_message(request, int(posted["cid"]))
        return await handler(request)

    async def gateway_bot(self, request: web.Request) -> web.Response:
        self.record(Call("GET", request.path))
        return json_response(
            {
                "url": self.base.replace("http", "ws") + "/",
                "shards": self.recommended_shards,
                "session_start_limit": {
                    "total": 1000,
                    "remaining": 999,
                    "reset_after": 86_400_000,
                    "max_concurrency": 1,
                },
            }
        )

    async def create_message(self, request: web.Request, channel_id: int) -> web.Response:
        """A message the bot sends into a channel (``channel.send``: weekly posts)."""
        body, files = await self._body(request)
        self.record(Call("POST", request.path, body, files))
        message = self._message(next(self.ids), body or {}, files)
        message["channel_id"] = str(channel_id)
        message["type"] = 0
        for key in ("application_id", "webhook_id"):
            message.pop(key, None)
        return json_response(message)

    def posts(self) -> list[Call]:
        """The messages the bots sent into channels, in order."""
        return [c for c in self.calls if c.method == "POST" and CHANNEL_MESSAGES.fullmatch(c.path)]

    # -- gateway -----------------------------------------------------------------

    def route(self, index: int) -> None:
        """Send the next events (commands, presses, reactions) over connection ``index``."""
        self.ws = self.connections[index].ws

    async def gateway(self, request: web.Request) -> web.WebSocketResponse:
        ws = web.WebSocketResponse()
        await ws.prepare(request)
        await ws.send_json({"op": 10, "d": {"heartbeat_interval": 45_000}, "s": None, "t": None})
        async for frame in ws:
            if frame.type != WSMsgType.TEXT:
                continue
            message = json.loads(frame.data)
            if message["op"] == 1:
                await ws.send_json({"op": 11, "d": None, "s": None, "t": None})
            elif message["op"] == 2:
                shard_id, shard_count = message["d"].get("shard") or (0, 1)
                connection = Connection(ws, shard_id, shard_count)
                self.connections.append(connection)
                self.ws = ws
                await self._identified(connection)
        return ws

    async def _identified(self, connection: Connection) -> None:
        carried = connection.carries_the_guild
        guilds = [{"id": str(GUILD_ID), "unavailable": True}] if carried else []
        await self.dispatch(
            "READY",
            {
                "v": 10,
                "user": BOT_USER,
                "guilds": guilds,
                "session_id": f"fake-session-{len(self.connections)}",
                "resume_gateway_url": f"{self.base.replace('http', 'ws')}/",
                "application": {"id": str(APPLICATION_ID), "flags": 0},
                "shard": [connection.shard_id, connection.shard_count],
            },
        )
        if carried:
            await self.dispatch("GUILD_CREATE", self.guild())
        connection.ready.set()
        self.ready.set()


__all__ = ["CHANNEL_ID", "GUILD_ID", "Connection", "ShardedFakeDiscord"]
