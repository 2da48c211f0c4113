"""A small fake Discord on a loopback socket: REST under /api/v10, a gateway, a CDN.

It answers the calls this bot makes in the shapes Discord documents, so the real
discord.py HTTP client and gateway code run in the end-to-end test: login
(``/users/@me``, ``/oauth2/applications/@me``), the websocket handshake (HELLO,
IDENTIFY, READY, GUILD_CREATE, heartbeats), interaction callbacks, webhook edits
(JSON or multipart with ``payload_json`` + ``files[n]``), reactions and message
edits. Everything the bot sends is recorded in :attr:`FakeDiscord.calls`.

Traps it respects: JSON answers carry exactly ``Content-Type: application/json``.
Layout messages (flag ``IS_COMPONENTS_V2``) are checked as Discord checks them (40
components, 4,000 characters of text, no content or embeds, every ``attachment://``
naming a file of the message) and refused with 400 ``Invalid Form Body`` otherwise.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import re
from dataclasses import dataclass, field
from typing import Any

from aiohttp import WSMsgType, web

from tests.harness import discord_accepts

APPLICATION_ID = 900_000_000_000_000_001
BOT_ID = APPLICATION_ID
GUILD_ID = 900_000_000_000_000_010
CHANNEL_ID = 900_000_000_000_000_011
OWNER_ID = 900_000_000_000_000_020
FRIEND_ID = 900_000_000_000_000_021
DM_ID = 900_000_000_000_000_030
#: The bot's own direct-message channel with a member (opened by ``POST /users/@me/channels``).
BOT_DM_ID = 900_000_000_000_000_031
TIMESTAMP = "2026-01-01T00:00:00+00:00"
# View, send, embed, attach, read history, add reactions, manage messages.
BOT_PERMISSIONS = (1 << 10) | (1 << 11) | (1 << 14) | (1 << 15) | (1 << 16) | (1 << 6) | (1 << 13)


def user(uid: int, name: str, *, bot: bool = False) -> dict[str, Any]:
    return {
        "id": str(uid),
        "username": name,
        "discriminator": "0",
        "global_name": name,
        "avatar": None,
        "bot": bot,
    }


BOT_USER = user(BOT_ID, "playlist-clusters", bot=True)
OWNER_USER = user(OWNER_ID, "alice")


def json_response(data: Any, status: int = 200) -> web.Response:
    """JSON with exactly ``application/json`` (discord.py rejects a charset suffix)."""
    return web.Response(
        body=json.dumps(data).encode(), status=status, headers={"Content-Type": "application/json"}
    )


@dataclass
class Call:
    """One REST call the bot made."""

    method: str
    path: str
    json: Any = None
    files: dict[str, bytes] = field(default_factory=dict)


class FakeDiscord:
    """The fake's state: messages it holds, calls it saw, and the open gateway socket."""

    def __init__(self) -> None:
        self.calls: list[Call] = []
        self.messages: dict[int, dict[str, Any]] = {}
        #: interaction token -> the id of its original response message
        self.originals: dict[str, int] = {}
        self.cdn: dict[str, bytes] = {}
        self.ids = itertools.count(950_000_000_000_000_000)
        self.ws: web.WebSocketResponse | None = None
        #: The locale of the member's Discord in the next interactions.
        self.locale = "en-US"
        #: Why messages were refused (a test fails if this is not empty).
        self.refused: list[str] = []
        self.sequence = 0
        self.ready = asyncio.Event()
        self.changed = asyncio.Event()
        self.base = ""

    # -- application ---------------------------------------------------------

    def app(self) -> web.Application:
        app = web.Application(client_max_size=30 * 1024 * 1024)
        api = "/api/v10"
        app.router.add_get("/", self.gateway)
        app.router.add_get(f"{api}/users/@me", self.me)
        app.router.add_get(f"{api}/oauth2/applications/@me", self.application)
        app.router.add_post(f"{api}/interactions/{{iid}}/{{token}}/callback", self.callback)
        app.router.add_route(
            "*", f"{api}/webhooks/{{app}}/{{token}}/messages/{{mid}}", self.webhook_message
        )
        app.router.add_post(f"{api}/webhooks/{{app}}/{{token}}", self.followup)
        app.router.add_route(
            "*",
            f"{api}/channels/{{cid}}/messages/{{mid}}/reactions/{{emoji}}/{{who}}",
            self.reaction,
        )
        app.router.add_route("*", f"{api}/channels/{{cid}}/messages/{{mid}}", self.channel_message)
        app.router.add_post(f"{api}/users/@me/channels", self.open_dm)
        app.router.add_post(f"{api}/channels/{{cid}}/messages", self.channel_send)
        app.router.add_get("/cdn/{name}", self.cdn_file)
        app.router.add_route("*", "/{tail:.*}", self.unknown)
        return app

    def record(self, call: Call) -> None:
        self.calls.append(call)
        self.changed.set()

    async def wait_for(self, predicate: Any, seconds: float = 20.0) -> Call:
        """The first recorded call matching ``predicate``, waiting for it if needed."""

        async def find() -> Call:
            seen = 0
            while True:
                for call in self.calls[seen:]:
                    if predicate(call):
                        return call
                seen = len(self.calls)
                self.changed.clear()
                await self.changed.wait()

        return await asyncio.wait_for(find(), seconds)

    # -- REST ------------------------------------------------------------------

    async def me(self, request: web.Request) -> web.Response:
        self.record(Call("GET", request.path))
        return json_response(BOT_USER)

    async def application(self, request: web.Request) -> web.Response:
        self.record(Call("GET", request.path))
        return json_response(
            {
                "id": str(APPLICATION_ID),
                "name": "playlist-clusters",
                "icon": None,
                "description": "",
                "bot_public": True,
                "bot_require_code_grant": False,
                "owner": OWNER_USER,
                "verify_key": "0" * 64,
                "flags": 0,
                "team": None,
            }
        )

    async def _body(self, request: web.Request) -> tuple[Any, dict[str, bytes]]:
        """JSON body, or a multipart body's ``payload_json`` and its files."""
        if request.content_type.startswith("multipart/"):
            payload: Any = None
            files: dict[str, bytes] = {}
            reader = await request.multipart()
            async for part in reader:
                data = await part.read()  # type: ignore[union-attr]
                if part.name == "payload_json":  # type: ignore[union-attr]
                    payload = json.loads(data)
                else:
                    files[part.filename or part.name or ""] = bytes(data)  # type: ignore[union-attr]
            return payload, files
        if request.can_read_body:
            return await request.json(), {}
        return None, {}

    def _message(self, mid: int, body: dict[str, Any], files: dict[str, bytes]) -> dict[str, Any]:
        message = self.messages.setdefault(
            mid,
            {
                "id": str(mid),
                "channel_id": str(CHANNEL_ID),
                "guild_id": str(GUILD_ID),
                "author": BOT_USER,
                "content": "",
                "embeds": [],
                "attachments": [],
                "components": [],
                "timestamp": TIMESTAMP,
                "edited_timestamp": None,
                "tts": False,
                "mention_everyone": False,
                "mentions": [],
                "mention_roles": [],
                "pinned": False,
                "type": 20,
                "flags": 0,
                "application_id": str(APPLICATION_ID),
                "webhook_id": str(APPLICATION_ID),
            },
        )
        for key, empty in (("content", ""), ("embeds", []), ("components", []), ("flags", 0)):
            if key in body:  # null clears, as Discord does
                message[key] = empty if body[key] is None else body[key]
        if files:
            message["attachments"] = [
                {
                    "id": str(next(self.ids)),
                    "filename": name,
                    "size": len(data),
                    "url": f"{self.base}/cdn/{name}",
                    "proxy_url": f"{self.base}/cdn/{name}",
                }
                for name, data in files.items()
            ]
        return message

    def refusal(self, mid: int, body: dict[str, Any], files: dict[str, bytes]) -> str:
        """Why Discord would refuse this message (or edit of ``mid``), '' if it would not."""
        old = self.messages.get(mid, {})
        flags = int(body.get("flags") or old.get("flags") or 0)
        if not flags & (1 << 15):
            return ""
        content = body.get("content", old.get("content"))
        if content or body.get("embeds"):
            return "layout messages cannot have content or embeds"
        components = body.get("components", old.get("components")) or []
        try:
            discord_accepts(components)
        except ValueError as error:
            return str(error)
        names = set(files) or {a["filename"] for a in old.get("attachments", [])}
        if "attachments" in body and not files:
            names = {a.get("filename", "") for a in body["attachments"]} & names
        wanted = set(re.findall(r"attachment://([^\"]+)", json.dumps(components)))
        missing = wanted - names
        return f"no attachment named {sorted(missing)}" if missing else ""

    def invalid(self, reason: str) -> web.Response:
        self.refused.append(reason)
        return json_response({"code": 50035, "message": f"Invalid Form Body: {reason}"}, 400)

    async def callback(self, request: web.Request) -> web.Response:
        body, files = await self._body(request)
        self.record(Call("POST", request.path, body, files))
        mid = next(self.ids)
        data = body.get("data") or {}
        token = request.match_info["token"]
        if body.get("type") in (6, 7) and token in self.originals:  # a component's message
            mid = self.originals[token]
            if body.get("type") == 7:
                if reason := self.refusal(mid, data, files):
                    return self.invalid(reason)
                self._message(mid, data, files)
        elif body.get("type") in (4, 5):  # a message (or a deferred one) answers the command
            if reason := self.refusal(mid, data, files):
                return self.invalid(reason)
            self._message(mid, data, files)
            self.originals[request.match_info["token"]] = mid
        return json_response(
            {
                "interaction": {
                    "id": request.match_info["iid"],
                    "type": 2,
                    "response_message_id": str(mid),
                    "response_message_loading": body.get("type") == 5,
                    "response_message_ephemeral": bool(data.get("flags", 0) & 64),
                },
                "resource": {"type": body.get("type")},
            }
        )

    async def webhook_message(self, request: web.Request) -> web.Response:
        body, files = await self._body(request)
        self.record(Call(request.method, request.path, body, files))
        mid = self.originals[request.match_info["token"]]
        if request.method == "DELETE":
            self.messages.pop(mid, None)
            return web.Response(status=204)
        if reason := self.refusal(mid, body or {}, files):
            return self.invalid(reason)
        return json_response(self._message(mid, body or {}, files))

    async def followup(self, request: web.Request) -> web.Response:
        body, files = await self._body(request)
        self.record(Call("POST", request.path, body, files))
        mid = next(self.ids)
        if reason := self.refusal(mid, body or {}, files):
            return self.invalid(reason)
        return json_response(self._message(mid, body or {}, files))

    async def reaction(self, request: web.Request) -> web.Response:
        self.record(Call(request.method, request.path))
        return web.Response(status=204)

    async def channel_message(self, request: web.Request) -> web.Response:
        body, files = await self._body(request)
        self.record(Call(request.method, request.path, body, files))
        mid = int(request.match_info["mid"])
        if reason := self.refusal(mid, body or {}, files):
            return self.invalid(reason)
        return json_response(self._message(mid, body or {}, files))

    async def open_dm(self, request: web.Request) -> web.Response:
        """The bot opens its DM channel with a member (to send them a message)."""
        body = await request.json()
        self.record(Call("POST", request.path, body))
        recipient = user(int(body["recipient_id"]), "alice")
        return json_response({"id": str(BOT_DM_ID), "type": 1, "recipients": [recipient]})

    async def channel_send(self, request: web.Request) -> web.Response:
        """A new message of the bot in a channel (a server channel or its DM channel)."""
        body, files = await self._body(request)
        self.record(Call("POST", request.path, body, files))
        mid = next(self.ids)
        if reason := self.refusal(mid, body or {}, files):
            return self.invalid(reason)
        message = self._message(mid, body or {}, files)
        message.update(channel_id=request.match_info["cid"], type=0)
        message.pop("webhook_id", None)
        if int(request.match_info["cid"]) == BOT_DM_ID:
            message.pop("guild_id", None)
        return json_response(message)

    async def cdn_file(self, request: web.Request) -> web.Response:
        self.record(Call("GET", request.path))
        data = self.cdn.get(request.match_info["name"])
        if data is None:
            return web.Response(status=404)
        return web.Response(body=data, headers={"Content-Type": "text/csv"})

    async def unknown(self, request: web.Request) -> web.Response:
        self.record(Call(request.method, request.path))
        return json_response({"message": "404: Not Found", "code": 0}, status=404)

    # -- gateway ---------------------------------------------------------------

    async def gateway(self, request: web.Request) -> web.WebSocketResponse:
        ws = web.WebSocketResponse()
        await ws.prepare(request)
        self.ws = ws
        await ws.send_json({"op": 10, "d": {"heartbeat_interval": 45_000}, "s": None, "t": None})
        async for frame in ws:
            if frame.type != WSMsgType.TEXT:
                continue
            message = json.loads(frame.data)
            if message["op"] == 1:  # heartbeat
                await ws.send_json({"op": 11, "d": None, "s": None, "t": None})
            elif message["op"] == 2:  # identify
                await self.dispatch(
                    "READY",
                    {
                        "v": 10,
                        "user": BOT_USER,
                        "guilds": [{"id": str(GUILD_ID), "unavailable": True}],
                        "session_id": "fake-session",
                        "resume_gateway_url": f"{self.base.replace('http', 'ws')}/",
                        "application": {"id": str(APPLICATION_ID), "flags": 0},
                    },
                )
                await self.dispatch("GUILD_CREATE", self.guild())
                self.ready.set()
        return ws

    async def dispatch(self, event: str, data: dict[str, Any]) -> None:
        assert self.ws is not None
        self.sequence += 1
        await self.ws.send_json({"op": 0, "t": event, "s": self.sequence, "d": data})

    def guild(self) -> dict[str, Any]:
        return {
            "id": str(GUILD_ID),
            "name": "Listening Club",
            "icon": None,
            "owner_id": str(OWNER_ID),
            "unavailable": False,
            "member_count": 2,
            "large": False,
            "features": [],
            "emojis": [],
            "stickers": [],
            "roles": [
                {
                    "id": str(GUILD_ID),
                    "name": "@everyone",
                    "permissions": str(BOT_PERMISSIONS),
                    "position": 0,
                    "color": 0,
                    "hoist": False,
                    "managed": False,
                    "mentionable": False,
                    "flags": 0,
                }
            ],
            "channels": [
                {
                    "id": str(CHANNEL_ID),
                    "type": 0,
                    "name": "music",
                    "position": 0,
                    "permission_overwrites": [],
                    "guild_id": str(GUILD_ID),
                    "nsfw": False,
                }
            ],
            "members": [
                {
                    "user": BOT_USER,
                    "roles": [],
                    "joined_at": TIMESTAMP,
                    "deaf": False,
                    "mute": False,
                    "flags": 0,
                },
            ],
            "threads": [],
            "voice_states": [],
            "presences": [],
            "joined_at": TIMESTAMP,
            "verification_level": 0,
            "default_message_notifications": 0,
            "explicit_content_filter": 0,
            "mfa_level": 0,
            "premium_tier": 0,
            "system_channel_flags": 0,
            "preferred_locale": "en-US",
            "nsfw_level": 0,
        }

    def member(self) -> dict[str, Any]:
        return {
            "user": OWNER_USER,
            "roles": [],
            "joined_at": TIMESTAMP,
            "deaf": False,
            "mute": False,
            "permissions": str((1 << 10) | (1 << 11)),
            "flags": 0,
        }

    async def send_clusters_link(self, link: str, clusters: int) -> str:
        """Dispatch `/clusters link:<link> clusters:<n>`; returns the interaction token."""
        options = [
            {"name": "link", "type": 3, "value": link},
            {"name": "clusters", "type": 4, "value": clusters},
        ]
        return await self._command(options, {})

    async def send_clusters_command(
        self,
        attachment: str,
        data: bytes,
        clusters: int,
        locale: str = "en-US",
        *,
        private: bool = False,
    ) -> str:
        """Put ``data`` on the CDN and dispatch `/clusters file:<it> clusters:<n>` (and
        ``private:True``) from a member whose Discord speaks ``locale``; the token."""
        self.cdn[attachment] = data
        attachment_id = str(next(self.ids))
        options = [
            {"name": "file", "type": 11, "value": attachment_id},
            {"name": "clusters", "type": 4, "value": clusters},
        ]
        if private:
            options.append({"name": "private", "type": 5, "value": True})
        self.locale = locale
        resolved = {
            "attachments": {
                attachment_id: {
                    "id": attachment_id,
                    "filename": attachment,
                    "size": len(data),
                    "url": f"{self.base}/cdn/{attachment}",
                    "proxy_url": f"{self.base}/cdn/{attachment}",
                    "content_type": "text/csv",
                }
            }
        }
        return await self._command(options, resolved)

    async def _command(
        self, options: list[dict[str, Any]], resolved: dict[str, Any], *, dm: bool = False
    ) -> str:
        token = f"token-{next(self.ids)}"
        data = {
            "id": str(next(self.ids)),
            "name": "clusters",
            "type": 1,
            "options": options,
            "resolved": resolved,
        }
        where = self._private_chat() if dm else {}
        await self.dispatch("INTERACTION_CREATE", self._interaction(2, token, data=data, **where))
        return token

    def _private_chat(self) -> dict[str, Any]:
        """The fields of an interaction in a private chat between two members (context 2),
        through the bot installed by the member as a user app: no guild, no bot there."""
        return {
            "guild_id": None,
            "member": None,
            "user": OWNER_USER,
            "channel_id": str(DM_ID),
            "channel": {"id": str(DM_ID), "type": 1, "recipients": [user(FRIEND_ID, "bob")]},
            "context": 2,
            "authorizing_integration_owners": {"1": str(OWNER_ID)},
            "app_permissions": str((1 << 11) | (1 << 15) | (1 << 14)),
            "guild_locale": None,
        }

    async def send_clusters_in_dm(self, attachment: str, data: bytes) -> str:
        """`/clusters file:<it>` in a private chat, as a user-installed app; the token."""
        self.cdn[attachment] = data
        attachment_id = str(next(self.ids))
        options = [{"name": "file", "type": 11, "value": attachment_id}]
        resolved = {
            "attachments": {
                attachment_id: {
                    "id": attachment_id,
                    "filename": attachment,
                    "size": len(data),
                    "url": f"{self.base}/cdn/{attachment}",
                    "proxy_url": f"{self.base}/cdn/{attachment}",
                    "content_type": "text/csv",
                }
            }
        }
        return await self._command(options, resolved, dm=True)

    async def send_message_menu(self, content: str, *, dm: bool = False) -> str:
        """Right-click a member's message saying ``content`` → Apps → Cluster this playlist."""
        token = f"token-{next(self.ids)}"
        target = str(next(self.ids))
        where = self._private_chat() if dm else {}
        channel_id = where.get("channel_id", str(CHANNEL_ID))
        message = {
            "id": target,
            "channel_id": channel_id,
            "author": user(FRIEND_ID, "bob"),
            "content": content,
            "embeds": [],
            "attachments": [],
            "components": [],
            "timestamp": TIMESTAMP,
            "edited_timestamp": None,
            "tts": False,
            "mention_everyone": False,
            "mentions": [],
            "mention_roles": [],
            "pinned": False,
            "type": 0,
            "flags": 0,
        }
        data = {
            "id": str(next(self.ids)),
            "name": "Cluster this playlist",
            "type": 3,
            "target_id": target,
            "resolved": {"messages": {target: message}},
        }
        await self.dispatch("INTERACTION_CREATE", self._interaction(2, token, data=data, **where))
        return token

    def _interaction(self, kind: int, token: str, **fields: Any) -> dict[str, Any]:
        """An INTERACTION_CREATE payload of ``kind`` (2 command, 3 component) from the
        owner in the music channel, with ``fields`` (data, message; None removes one) added."""
        payload = {
            "id": str(next(self.ids)),
            "application_id": str(APPLICATION_ID),
            "type": kind,
            "token": token,
            "version": 1,
            "guild_id": str(GUILD_ID),
            "channel_id": str(CHANNEL_ID),
            "channel": {
                "id": str(CHANNEL_ID),
                "type": 0,
                "guild_id": str(GUILD_ID),
                "name": "music",
            },
            "member": self.member(),
            "app_permissions": str(BOT_PERMISSIONS),
            "locale": self.locale,
            "guild_locale": "en-US",
            "entitlements": [],
            "authorizing_integration_owners": {"0": str(GUILD_ID)},
            "context": 0,
            "attachment_size_limit": 26_214_400,
            **fields,
        }
        return {key: value for key, value in payload.items() if value is not None}

    async def send_component(
        self, message_id: int, custom_id: str, values: list[str] | None = None
    ) -> str:
        """The owner presses a button (``values`` None) or chooses ``values`` in a select
        on ``message_id``; returns the interaction token."""
        token = f"token-{next(self.ids)}"
        self.originals[token] = message_id  # a deferred update edits this message
        data: dict[str, Any] = {"custom_id": custom_id, "component_type": 2}
        if values is not None:
            data = {"custom_id": custom_id, "component_type": 3, "values": values}
        await self.dispatch(
            "INTERACTION_CREATE",
            self._interaction(3, token, message=self.messages[message_id], data=data),
        )
        return token

    async def react(self, message_id: int, emoji: str) -> None:
        """The owner adds ``emoji`` to ``message_id``."""
        await self.dispatch(
            "MESSAGE_REACTION_ADD",
            {
                "user_id": str(OWNER_ID),
                "channel_id": str(CHANNEL_ID),
                "message_id": str(message_id),
                "guild_id": str(GUILD_ID),
                "emoji": {"id": None, "name": emoji},
                "member": self.member(),
                "burst": False,
                "type": 0,
                "message_author_id": str(BOT_ID),
            },
        )
