"""A fake Spotify for members' own accounts: sign-in, tokens, library and playlist writes.

It extends :class:`~tests.fakes.spotify.FakeSpotify` (so playlists can be read with a
member's token too) with, in the shapes of Spotify's documentation:

- ``GET /authorize``: checks client id, redirect URI, scopes and the S256 challenge,
  then redirects to the redirect URI with ``code`` and ``state`` (or
  ``error=access_denied`` when ``consent`` is ``"deny"``, any other ``error`` too);
- ``POST /api/token``: ``authorization_code`` (code single use, redirect URI and
  client id as at authorize, ``code_verifier`` must hash to the challenge) and
  ``refresh_token`` (400 ``invalid_grant`` once the member revoked the app); the
  client-credentials grant is the parent's;
- ``GET /v1/me``, ``/v1/me/playlists``, ``/v1/me/tracks`` (50 per page),
  ``/v1/me/library/contains?uris=`` (40 at most; ``library_contains=False`` makes it
  404 like an older API), ``/v1/me/tracks/contains?ids=`` (50 at most);
- ``POST /v1/me/playlists`` (``create_on_me=False``: 404) and
  ``/v1/users/{id}/playlists`` (201), ``POST /v1/playlists/{id}/items`` (100 at most).

Access tokens expire with :meth:`expire_access_tokens`; :meth:`revoke` withdraws a
member's grant.
"""

from __future__ import annotations

import base64
import hashlib
import itertools
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web
from yarl import URL

from tests.fakes.data import spotify_id
from tests.fakes.spotify import FakeSpotify, SpotifyPlaylist, track_object

SCOPES = {
    "playlist-read-private",
    "playlist-read-collaborative",
    "user-library-read",
    "playlist-modify-private",
}


@dataclass
class FakeUser:
    """A Spotify account: its saved tracks (newest first) and playlists it owns."""

    id: str
    display_name: str
    liked: list[dict[str, Any]] = field(default_factory=list)
    playlists: list[str] = field(default_factory=list)
    revoked: bool = False

    def liked_ids(self) -> set[str]:
        return {t["id"] for t in self.liked}


@dataclass
class FakeSpotifyAccounts(FakeSpotify):
    users: dict[str, FakeUser] = field(default_factory=dict)
    #: Who signs in on the authorize page, and whether they approve ("approve"/"deny").
    signing_in: str = ""
    consent: str = "approve"
    library_contains: bool = True
    create_on_me: bool = True
    #: Playlists created through the API: id -> (owner, name, public, description, uris).
    created: dict[str, dict[str, Any]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        super().__post_init__()
        self._codes: dict[str, dict[str, str]] = {}
        self.refresh_tokens: dict[str, str] = {}  # refresh token -> user id
        self.access_users: dict[str, str] = {}  # access token -> user id
        self._counter = itertools.count(1)
        self.token_requests: list[dict[str, str]] = []

    # -- set-up --------------------------------------------------------------------

    def add_user(self, user_id: str, name: str, *, liked: int = 0, start: int = 0) -> FakeUser:
        user = FakeUser(user_id, name, [track_object(i) for i in range(start, start + liked)])
        self.users[user_id] = user
        self.signing_in = self.signing_in or user_id
        return user

    def add_own_playlist(self, user: FakeUser, playlist: SpotifyPlaylist) -> None:
        self.add(playlist)
        user.playlists.append(playlist.id)

    def expire_access_tokens(self) -> None:
        for token in self.access_users:
            self.tokens[token] = False

    def revoke(self, user_id: str) -> None:
        self.users[user_id].revoked = True
        for token, owner in self.access_users.items():
            if owner == user_id:
                self.tokens[token] = False

    def routes(self, app: web.Application) -> None:
        app.router.add_get("/authorize", self.authorize, name="authorize")
        app.router.add_get("/v1/me", self.me, name="me")
        app.router.add_get("/v1/me/playlists", self.my_playlists, name="me-playlists")
        app.router.add_post("/v1/me/playlists", self.create_mine, name="create-me")
        app.router.add_get("/v1/me/tracks", self.my_tracks, name="me-tracks")
        app.router.add_get("/v1/me/tracks/contains", self.tracks_contains, name="tracks-contains")
        app.router.add_get(
            "/v1/me/library/contains", self.library_contains_route, name="library-contains"
        )
        app.router.add_post("/v1/users/{user}/playlists", self.create_for, name="create-user")
        app.router.add_post("/v1/playlists/{id}/items", self.add_items, name="add-items")
        super().routes(app)

    @property
    def authorize_url(self) -> str:
        return f"{self.url}/authorize"

    # -- sign-in -------------------------------------------------------------------

    async def authorize(self, request: web.Request) -> web.Response:
        q = request.query
        redirect = q.get("redirect_uri", "")
        if q.get("client_id") != "fake-client-id" or not redirect:
            return web.Response(status=400, text="INVALID_CLIENT: Invalid client")
        if q.get("response_type") != "code" or q.get("code_challenge_method") != "S256":
            return web.Response(status=400, text="unsupported_response_type")
        if not set(q.get("scope", "").split()) <= SCOPES | {""}:
            return web.Response(status=400, text="invalid_scope")
        back: dict[str, str] = {"state": q.get("state", "")}
        if self.consent != "approve":
            back["error"] = self.consent
        else:
            code = f"code-{next(self._counter)}-{spotify_id(next(self._counter))}"
            self._codes[code] = {
                "challenge": q.get("code_challenge", ""),
                "redirect_uri": redirect,
                "user": self.signing_in,
                "scope": q.get("scope", ""),
            }
            back["code"] = code
        raise web.HTTPFound(str(URL(redirect).update_query(back)))

    def _issue(self, user_id: str, scope: str, refresh: str | None = None) -> dict[str, Any]:
        access = f"user-access-{next(self._counter)}-{spotify_id(next(self._counter))}"
        self.tokens[access] = True
        self.access_users[access] = user_id
        body: dict[str, Any] = {
            "access_token": access,
            "token_type": "Bearer",
            "scope": scope,
            "expires_in": self.expires_in,
        }
        if refresh is None:
            refresh = f"user-refresh-{next(self._counter)}-{spotify_id(next(self._counter))}"
            self.refresh_tokens[refresh] = user_id
            body["refresh_token"] = refresh
        return body

    async def token(self, request: web.Request) -> web.Response:
        form = await request.post()
        grant = form.get("grant_type")
        if grant not in ("authorization_code", "refresh_token"):
            return await super().token(request)
        self.token_requests.append({k: str(v) for k, v in form.items()})
        if form.get("client_id") != "fake-client-id":
            return web.json_response({"error": "invalid_client"}, status=400)
        if grant == "authorization_code":
            return self._exchange(form)
        user_id = self.refresh_tokens.get(str(form.get("refresh_token")))
        if user_id is None or self.users[user_id].revoked:
            return web.json_response(
                {"error": "invalid_grant", "error_description": "Refresh token revoked"},
                status=400,
            )
        return web.json_response(self._issue(user_id, " ".join(sorted(SCOPES)), refresh=""))

    def _exchange(self, form: Any) -> web.Response:
        grant = self._codes.pop(str(form.get("code")), None)
        if grant is None:
            return web.json_response(
                {"error": "invalid_grant", "error_description": "Invalid authorization code"},
                status=400,
            )
        if form.get("redirect_uri") != grant["redirect_uri"]:
            return web.json_response(
                {"error": "invalid_grant", "error_description": "Invalid redirect URI"},
                status=400,
            )
        verifier = str(form.get("code_verifier") or "").encode()
        digest = base64.urlsafe_b64encode(hashlib.sha256(verifier).digest()).rstrip(b"=")
        if digest.decode() != grant["challenge"]:
            return web.json_response(
                {"error": "invalid_grant", "error_description": "code_verifier was incorrect"},
                status=400,
            )
        return web.json_response(self._issue(grant["user"], grant["scope"]))

    # -- the member's API ------------------------------------------------------------

    def _user(self, request: web.Request) -> FakeUser | web.Response:
        token = request.headers.get("Authorization", "").removeprefix("Bearer ")
        if token not in self.access_users:
            return self._error(401, "Invalid access token")
        if not self.tokens.get(token):
            return self._error(401, "The access token expired")
        return self.users[self.access_users[token]]

    async def me(self, request: web.Request) -> web.Response:
        user = self._user(request)
        if isinstance(user, web.Response):
            return user
        return web.json_response(
            {
                "id": user.id,
                "display_name": user.display_name,
                "type": "user",
                "uri": f"spotify:user:{user.id}",
                "external_urls": {"spotify": f"https://open.spotify.com/user/{user.id}"},
            }
        )

    @staticmethod
    def _paging(request: web.Request, max_limit: int) -> tuple[int, int] | web.Response:
        try:
            limit = int(request.query.get("limit", "20"))
            offset = int(request.query.get("offset", "0"))
        except ValueError:
            return FakeSpotify._error(400, "Invalid limit")
        if not 1 <= limit <= max_limit or offset < 0:
            return FakeSpotify._error(400, "Invalid limit")
        return limit, offset

    def _listing(self, request: web.Request, items: list[Any], limit: int, offset: int) -> Any:
        nxt = None
        if offset + limit < len(items):
            nxt = str(request.url.with_query({"offset": offset + limit, "limit": limit}))
        return {
            "href": str(request.url),
            "items": items[offset : offset + limit],
            "limit": limit,
            "offset": offset,
            "total": len(items),
            "next": nxt,
            "previous": None,
        }

    async def my_playlists(self, request: web.Request) -> web.Response:
        user = self._user(request)
        paging = self._paging(request, 50)
        for failed in (user, paging):
            if isinstance(failed, web.Response):
                return failed
        assert isinstance(user, FakeUser) and isinstance(paging, tuple)
        items = []
        for pid in user.playlists:
            p = self.playlists[pid]
            items.append(
                {
                    "id": p.id,
                    "name": p.name,
                    "collaborative": False,
                    "public": False,
                    "snapshot_id": p.snapshot_id,
                    "owner": {"id": user.id, "display_name": user.display_name},
                    "items": {
                        "href": f"{self.api_base}/playlists/{p.id}/items",
                        "total": len(p.entries),
                    },
                    "type": "playlist",
                    "uri": f"spotify:playlist:{p.id}",
                }
            )
        return web.json_response(self._listing(request, items, *paging))

    async def my_tracks(self, request: web.Request) -> web.Response:
        user = self._user(request)
        paging = self._paging(request, 50)
        for failed in (user, paging):
            if isinstance(failed, web.Response):
                return failed
        assert isinstance(user, FakeUser) and isinstance(paging, tuple)
        items = [
            {"added_at": f"2026-11-{28 - min(i, 27):02d}T12:00:00Z", "track": track}
            for i, track in enumerate(user.liked)
        ]
        return web.json_response(self._listing(request, items, *paging))

    async def library_contains_route(self, request: web.Request) -> web.Response:
        if not self.library_contains:
            return self._error(404, "Service not found")
        user = self._user(request)
        if isinstance(user, web.Response):
            return user
        uris = [u for u in request.query.get("uris", "").split(",") if u]
        if not 1 <= len(uris) <= 40:
            return self._error(400, "Too many ids requested")
        liked = user.liked_ids()
        return web.json_response([u.removeprefix("spotify:track:") in liked for u in uris])

    async def tracks_contains(self, request: web.Request) -> web.Response:
        user = self._user(request)
        if isinstance(user, web.Response):
            return user
        ids = [i for i in request.query.get("ids", "").split(",") if i]
        if not 1 <= len(ids) <= 50:
            return self._error(400, "Too many ids requested")
        liked = user.liked_ids()
        return web.json_response([i in liked for i in ids])

    async def _create(self, request: web.Request, user: FakeUser) -> web.Response:
        body = await request.json()
        if not isinstance(body, dict) or not body.get("name"):
            return self._error(400, "Missing required field: name")
        pid = spotify_id(500_000 + len(self.created))
        self.created[pid] = {
            "owner": user.id,
            "name": body["name"],
            "public": body.get("public", True),
            "description": body.get("description", ""),
            "uris": [],
        }
        return web.json_response(
            {
                "id": pid,
                "name": body["name"],
                "public": body.get("public", True),
                "owner": {"id": user.id, "display_name": user.display_name},
                "external_urls": {"spotify": f"https://open.spotify.com/playlist/{pid}"},
                "snapshot_id": "new-1",
                "items": {"total": 0},
            },
            status=201,
        )

    async def create_mine(self, request: web.Request) -> web.Response:
        if not self.create_on_me:
            return self._error(404, "Service not found")
        user = self._user(request)
        if isinstance(user, web.Response):
            return user
        return await self._create(request, user)

    async def create_for(self, request: web.Request) -> web.Response:
        user = self._user(request)
        if isinstance(user, web.Response):
            return user
        if request.match_info["user"] != user.id:
            return self._error(403, "You cannot create a playlist for another user")
        return await self._create(request, user)

    async def add_items(self, request: web.Request) -> web.Response:
        user = self._user(request)
        if isinstance(user, web.Response):
            return user
        created = self.created.get(request.match_info["id"])
        if created is None:
            return self._error(404, "Resource not found")
        if created["owner"] != user.id:
            return self._error(403, "Forbidden")
        body = await request.json()
        uris = body.get("uris") if isinstance(body, dict) else None
        if not isinstance(uris, list) or not 1 <= len(uris) <= 100:
            return self._error(400, "You can add a maximum of 100 tracks per request.")
        created["uris"].extend(uris)
        return web.json_response({"snapshot_id": f"snap-{len(created['uris'])}"}, status=201)
