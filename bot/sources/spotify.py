"""Spotify playlists through the Web API with a client-credentials token.

The token is cached until shortly before it expires and refreshed once when a call
answers 401 (:class:`SpotifyAuth`, shared with the Spotify feature provider). A fetch
asks for the playlist's metadata and its first page of items at once, then for every
other page concurrently (at most ``HTTP_CONCURRENCY`` at a time), so a 10,000-track
playlist takes about ``1 + 99 / concurrency`` round trips. Items come from
``/playlists/{id}/items`` (falling back to the older ``/tracks`` where ``/items`` is
unknown); each entry's track is read from ``item`` or ``track``. Null entries, local
files and podcast episodes are skipped and counted.

Development-mode apps (every new Spotify app) may only read the items of playlists the
signed-in user owns: a 403 becomes :class:`~bot.errors.PlaylistUnavailable` explaining
that and what works instead (a Deezer link or an Exportify CSV upload).
"""

from __future__ import annotations

import asyncio
import base64
import logging
import time
from typing import Any

from bot.config import Settings
from bot.errors import BadLink, InputTooLarge, PlaylistUnavailable, ProviderDown
from bot.http import HttpClient, HttpError, Unauthorized
from bot.model import Playlist, PlaylistRef, ProgressCallback, Track, no_progress
from bot.tasks import TASKS_PER_REQUEST, gather_bounded

log = logging.getLogger(__name__)

PAGE_SIZE = 100
#: A token is renewed this many seconds before Spotify says it expires.
TOKEN_MARGIN_SECONDS = 60.0
INSTEAD = (
    "A Deezer link of the same playlist works, or an Exportify CSV export "
    "(https://exportify.net) uploaded as a file."
)
DEV_MODE = (
    "Spotify does not let this bot read that playlist: apps in Spotify's development "
    "mode may only read playlists their own user owns or collaborates on. " + INSTEAD
)
NOT_CONFIGURED = (
    "This bot has no Spotify credentials (SPOTIFY_CLIENT_ID / SPOTIFY_CLIENT_SECRET), "
    "so it cannot read Spotify links. " + INSTEAD
)


class SpotifyNotConfigured(PlaylistUnavailable):
    """No client id/secret: Spotify links cannot be read at all."""

    def __init__(self) -> None:
        super().__init__(NOT_CONFIGURED)


class SpotifyAuth:
    """A client-credentials token, cached until shortly before expiry; authorised GETs."""

    def __init__(
        self, http: HttpClient, *, client_id: str, client_secret: str, token_url: str
    ) -> None:
        self.http = http
        self.client_id = client_id
        self.client_secret = client_secret
        self.token_url = token_url
        self._token: str | None = None
        self._expires_at = 0.0
        self._lock = asyncio.Lock()

    @classmethod
    def from_settings(cls, settings: Settings, http: HttpClient) -> SpotifyAuth:
        return cls(
            http,
            client_id=settings.spotify_client_id,
            client_secret=settings.spotify_client_secret.get_secret_value(),
            token_url=settings.spotify_token_url,
        )

    @property
    def configured(self) -> bool:
        return bool(self.client_id and self.client_secret)

    async def token(self) -> str:
        """A valid access token, asking Spotify for a new one only when needed."""
        if not self.configured:
            raise SpotifyNotConfigured()
        async with self._lock:
            if self._token is not None and time.monotonic() < self._expires_at:
                return self._token
            basic = base64.b64encode(f"{self.client_id}:{self.client_secret}".encode()).decode()
            try:
                payload = await self.http.request_json(
                    "POST",
                    self.token_url,
                    data={"grant_type": "client_credentials"},
                    headers={"Authorization": f"Basic {basic}"},
                )
            except HttpError as exc:
                log.error("Spotify refused the client credentials: %s", exc)
                raise ProviderDown(
                    "Spotify refused this bot's credentials, so Spotify links cannot be read "
                    "right now. " + INSTEAD
                ) from None
            token = payload.get("access_token") if isinstance(payload, dict) else None
            if not isinstance(token, str):
                raise ProviderDown("Spotify's token service gave an unusable answer; try later.")
            lifetime = float(payload.get("expires_in") or 3600)
            margin = min(TOKEN_MARGIN_SECONDS, lifetime / 2)
            self._token = token
            self._expires_at = time.monotonic() + lifetime - margin
            return token

    def invalidate(self, token: str) -> None:
        """Forget ``token`` (unless another task already replaced it)."""
        if self._token == token:
            self._token = None

    async def get(self, url: str, params: dict[str, str | int] | None = None) -> Any:
        """An authorised GET; on 401 the token is refreshed once and the call repeated."""
        token = await self.token()
        try:
            return await self.http.get_json(
                url, params=params, headers={"Authorization": f"Bearer {token}"}
            )
        except Unauthorized:
            self.invalidate(token)
        token = await self.token()
        try:
            return await self.http.get_json(
                url, params=params, headers={"Authorization": f"Bearer {token}"}
            )
        except Unauthorized:
            raise ProviderDown(
                "Spotify keeps refusing this bot's access token; please try again later."
            ) from None


def _image(images: Any, prefer: int = 300) -> str:
    """The image URL whose width is closest to ``prefer`` (Spotify lists largest first)."""
    if not isinstance(images, list) or not images:
        return ""
    usable = [i for i in images if isinstance(i, dict) and i.get("url")]
    if not usable:
        return ""
    best = min(usable, key=lambda i: abs((i.get("width") or prefer) - prefer))
    return str(best["url"])


def parse_entry(entry: Any) -> Track | str:
    """A playlist entry as a Track, or the reason it is skipped."""
    if not isinstance(entry, dict):
        return "unavailable entry"
    obj = entry.get("item") or entry.get("track")
    if not isinstance(obj, dict):
        return "unavailable entry"
    if entry.get("is_local") or obj.get("is_local"):
        return "local file"
    if obj.get("type") == "episode":
        return "podcast episode"
    sid = obj.get("id")
    if not isinstance(sid, str) or not sid:
        return "unavailable entry"
    album = obj.get("album") if isinstance(obj.get("album"), dict) else {}
    release = str(album.get("release_date") or "")
    year = int(release[:4]) if release[:4].isdigit() else None
    external_ids = obj.get("external_ids") if isinstance(obj.get("external_ids"), dict) else {}
    urls = obj.get("external_urls") if isinstance(obj.get("external_urls"), dict) else {}
    popularity = obj.get("popularity")
    duration = obj.get("duration_ms")
    explicit = obj.get("explicit")
    return Track(
        id=sid,
        title=str(obj.get("name") or ""),
        artists=tuple(
            str(a["name"])
            for a in obj.get("artists") or ()
            if isinstance(a, dict) and a.get("name")
        ),
        album=str(album.get("name") or ""),
        album_id=str(album.get("id") or ""),
        url=str(urls.get("spotify") or f"https://open.spotify.com/track/{sid}"),
        image=_image(album.get("images")),
        isrc=str(external_ids.get("isrc") or ""),
        spotify_id=sid,
        release_year=year,
        duration_ms=int(duration) if isinstance(duration, int | float) else None,
        explicit=explicit if isinstance(explicit, bool) else None,
        popularity=float(popularity) if isinstance(popularity, int | float) else None,
        preview_url=str(obj.get("preview_url") or ""),
    )


class SpotifySource:
    """Reads Spotify playlists: ``fetch`` (every track) and ``snapshot`` (metadata only)."""

    def __init__(
        self,
        auth: SpotifyAuth,
        *,
        api_base: str,
        concurrency: int = 8,
        max_tracks: int = 10_000,
    ) -> None:
        self.auth = auth
        self.api_base = api_base.rstrip("/")
        self.concurrency = max(1, concurrency)
        self.max_tracks = max_tracks
        #: "items" until the API says it does not know it; then the older "tracks".
        self.items_path = "items"

    @classmethod
    def from_settings(cls, settings: Settings, auth: SpotifyAuth) -> SpotifySource:
        return cls(
            auth,
            api_base=settings.spotify_api_base,
            concurrency=settings.http_concurrency,
            max_tracks=settings.playlist_max_tracks,
        )

    async def _get(self, url: str, params: dict[str, str | int] | None = None) -> Any:
        """An authorised GET whose refusals become errors a user understands."""
        try:
            return await self.auth.get(url, params)
        except HttpError as exc:
            if exc.status == 403:
                raise PlaylistUnavailable(DEV_MODE) from None
            if exc.status == 404:
                raise PlaylistUnavailable(
                    "Spotify has no playlist with that id: it was deleted, or the link is wrong."
                ) from None
            if exc.status == 400:
                raise BadLink("Spotify says that playlist id is not valid.") from None
            raise ProviderDown(
                f"Spotify answered HTTP {exc.status}; please try again later."
            ) from None

    async def _meta(self, pid: str) -> dict[str, Any]:
        meta = await self._get(f"{self.api_base}/playlists/{pid}")
        if not isinstance(meta, dict):
            raise ProviderDown("Spotify gave an unusable answer for that playlist; try later.")
        return meta

    async def snapshot(self, ref: PlaylistRef) -> str:
        """The playlist's ``snapshot_id``: one cheap call, changes with the content."""
        meta = await self._get(f"{self.api_base}/playlists/{ref.id}", {"fields": "snapshot_id"})
        return str(meta.get("snapshot_id") or "") if isinstance(meta, dict) else ""

    async def _page(self, pid: str, offset: int) -> dict[str, Any]:
        params: dict[str, str | int] = {"limit": PAGE_SIZE, "offset": offset}
        if self.items_path == "items":
            try:
                page = await self.auth.get(f"{self.api_base}/playlists/{pid}/items", params)
            except HttpError as exc:
                if exc.status != 404:
                    if exc.status == 403:
                        raise PlaylistUnavailable(DEV_MODE) from None
                    raise
                page = await self._get(f"{self.api_base}/playlists/{pid}/tracks", params)
                log.info("Spotify does not know /items here; using /tracks from now on")
                self.items_path = "tracks"
        else:
            page = await self._get(f"{self.api_base}/playlists/{pid}/tracks", params)
        if not isinstance(page, dict) or not isinstance(page.get("items"), list):
            raise ProviderDown("Spotify gave an unusable page of that playlist; try later.")
        return page

    async def fetch(self, ref: PlaylistRef, progress: ProgressCallback = no_progress) -> Playlist:
        """Every track of the playlist; the first page and the metadata are asked at once."""
        if not self.auth.configured:
            raise SpotifyNotConfigured()
        pid = ref.id
        progress("Fetching tracks", 0, 0)
        meta_or_error, first_or_error = await asyncio.gather(
            self._meta(pid), self._page(pid, 0), return_exceptions=True
        )
        for outcome in (meta_or_error, first_or_error):
            if isinstance(outcome, BaseException):
                raise outcome
        assert isinstance(meta_or_error, dict) and isinstance(first_or_error, dict)
        meta, first = meta_or_error, first_or_error
        total = int(first.get("total") or 0)
        if total > self.max_tracks:
            raise InputTooLarge(
                f"That playlist has {total:,} tracks; I read at most {self.max_tracks:,}."
            )
        done = len(first["items"])
        progress("Fetching tracks", done, total)

        async def page_at(offset: int) -> list[Track | str]:
            nonlocal done
            page = await self._page(pid, offset)
            done += len(page["items"])
            progress("Fetching tracks", min(done, total), total)
            # parsed while the other pages are still on their way
            return [parse_entry(entry) for entry in page["items"]]

        offsets = range(PAGE_SIZE, total, PAGE_SIZE)
        rest = await gather_bounded(
            [lambda o=o: page_at(o) for o in offsets], self.concurrency * TASKS_PER_REQUEST
        )
        results = [parse_entry(entry) for entry in first["items"]]
        for parsed in rest:
            results.extend(parsed)

        owner = meta.get("owner") if isinstance(meta.get("owner"), dict) else {}
        urls = meta.get("external_urls") if isinstance(meta.get("external_urls"), dict) else {}
        playlist = Playlist(
            ref=ref,
            name=str(meta.get("name") or "Spotify playlist"),
            tracks=[],
            snapshot=str(meta.get("snapshot_id") or ""),
            owner=str(owner.get("display_name") or owner.get("id") or ""),
            image=_image(meta.get("images"), prefer=640),
            url=str(urls.get("spotify") or f"https://open.spotify.com/playlist/{pid}"),
        )
        seen: set[str] = set()
        for result in results:
            if isinstance(result, str):
                playlist.skip(result)
            elif result.id in seen:
                playlist.skip("duplicate")
            else:
                seen.add(result.id)
                playlist.tracks.append(result)
        return playlist
