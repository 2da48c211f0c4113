"""What a connected member's token gives: their playlists, 💚 marks, saving a cluster.

- :meth:`Library.playlists`: the member's playlists (``GET /me/playlists``), cached
  for a minute so autocomplete answers at once while they type.
- :meth:`Library.liked`: which tracks are in the member's Liked Songs, asked in
  batches (``GET /me/library/contains?uris=``, falling back to the older
  ``/me/tracks/contains?ids=``), each answer reused for ``LIKED_CACHE_SECONDS``.
- :meth:`Library.mark`: an analysis whose page at a position shows the viewer's 💚.
- :meth:`Library.save_cluster`: a private playlist in the member's account with a
  cluster's tracks (``POST /me/playlists``, else ``/users/{id}/playlists``; items in
  batches of 100).
"""

from __future__ import annotations

import logging
import re
import time
from collections import OrderedDict
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any
from urllib.parse import quote

from bot.account.api import UserAuth
from bot.account.oauth import NotConnected
from bot.account.service import AccountService
from bot.errors import BadInput, ProviderDown, UserError
from bot.locales import N_
from bot.model import Analysis, Track
from bot.net.client import HttpClient, HttpError
from bot.render.pages import PER_PAGE, Position, clamp, page_counts

log = logging.getLogger(__name__)

SPOTIFY_ID = re.compile(r"^[0-9A-Za-z]{22}$")
#: Batch sizes: the library endpoint takes up to 40 URIs, the older one 50 ids.
CONTAINS_BATCH = 40
OLD_CONTAINS_BATCH = 50
ADD_BATCH = 100
PLAYLISTS_PAGE = 50
PLAYLISTS_MAX = 500
PLAYLISTS_TTL = 60.0
#: Liked-songs answers remembered at most (the oldest go first).
LIKED_MEMORY = 50_000
NAME_LIMIT = 100


@dataclass(frozen=True, slots=True)
class OwnPlaylist:
    """One of the member's playlists as autocomplete offers it."""

    id: str
    name: str
    tracks: int


@dataclass(frozen=True, slots=True)
class Saved:
    """A playlist made from a cluster: its name, link, tracks added and tracks left out."""

    name: str
    url: str
    added: int
    left_out: int


def with_liked(analysis: Analysis, liked: Mapping[str, bool]) -> Analysis:
    """A copy of ``analysis`` whose tracks named in ``liked`` (by track id) carry that mark.

    The cached analysis is shared by everyone; the viewer's marks live only in the copy.
    """
    if not liked:
        return analysis
    clusters = []
    for cluster in analysis.clusters:
        if any(t.id in liked for t in cluster.tracks):
            tracks = [replace(t, liked=liked[t.id]) if t.id in liked else t for t in cluster.tracks]
            cluster = replace(cluster, tracks=tracks)
        clusters.append(cluster)
    return replace(analysis, clusters=clusters)


def spotify_uri(track_id: str | None) -> str | None:
    return f"spotify:track:{track_id}" if track_id and SPOTIFY_ID.match(track_id) else None


def _batches(items: Sequence[str], size: int) -> list[Sequence[str]]:
    return [items[i : i + size] for i in range(0, len(items), size)]


class Library:
    """Member-specific Spotify reads and writes through :class:`UserAuth`."""

    def __init__(
        self,
        service: AccountService,
        http: HttpClient,
        *,
        api_base: str,
        liked_ttl: float = 300.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.service = service
        self.http = http
        self.api_base = api_base.rstrip("/")
        self.liked_ttl = liked_ttl
        self.clock = clock
        self._liked: OrderedDict[tuple[int, str], tuple[bool, float]] = OrderedDict()
        self._playlists: dict[int, tuple[list[OwnPlaylist], float]] = {}
        #: The library-contains endpoint until Spotify says it does not know it.
        self.new_contains = True
        self.new_items = True

    def auth(self, discord_user_id: int) -> UserAuth:
        return UserAuth(self.service, self.http, discord_user_id)

    async def _call(self, auth: UserAuth, method: str, path: str, **kw: Any) -> Any:
        """An authorised call whose failures become sentences (404 is left to the caller)."""
        try:
            return await auth.request(method, f"{self.api_base}{path}", **kw)
        except HttpError as exc:
            if exc.status == 404:
                raise
            if exc.status == 403:
                raise UserError(
                    N_(
                        "Spotify refused: your account may not be on this app's user list "
                        "(development mode), or the bot lacks a permission. Try "
                        "`/spotify connect` again."
                    )
                ) from None
            raise ProviderDown(
                N_("Spotify answered HTTP {status}; please try later."), status=exc.status
            ) from None

    # -- the member's playlists --------------------------------------------------------

    async def playlists(self, discord_user_id: int) -> list[OwnPlaylist]:
        """The member's playlists (up to 500), newest answer at most a minute old."""
        cached = self._playlists.get(discord_user_id)
        if cached is not None and self.clock() < cached[1]:
            return cached[0]
        auth = self.auth(discord_user_id)
        found: list[OwnPlaylist] = []
        offset = 0
        while offset < PLAYLISTS_MAX:
            page = await self._call(
                auth, "GET", "/me/playlists", params={"limit": PLAYLISTS_PAGE, "offset": offset}
            )
            items = page.get("items") if isinstance(page, dict) else None
            if not isinstance(items, list) or not items:
                break
            found.extend(p for p in map(_own_playlist, items) if p is not None)
            offset += PLAYLISTS_PAGE
            if not page.get("next"):
                break
        self._playlists[discord_user_id] = (found, self.clock() + PLAYLISTS_TTL)
        return found

    # -- 💚 ------------------------------------------------------------------------------

    async def liked(self, discord_user_id: int, track_ids: Sequence[str]) -> dict[str, bool]:
        """Which of these Spotify track ids are in the member's Liked Songs."""
        now = self.clock()
        answer: dict[str, bool] = {}
        ask: list[str] = []
        for tid in dict.fromkeys(t for t in track_ids if spotify_uri(t)):
            hit = self._liked.get((discord_user_id, tid))
            if hit is not None and now < hit[1]:
                answer[tid] = hit[0]
            else:
                ask.append(tid)
        if ask:
            auth = self.auth(discord_user_id)
            for tid, value in (await self._contains(auth, ask)).items():
                answer[tid] = value
                self._liked[(discord_user_id, tid)] = (value, now + self.liked_ttl)
                self._liked.move_to_end((discord_user_id, tid))
            while len(self._liked) > LIKED_MEMORY:
                self._liked.popitem(last=False)
        return answer

    async def _contains(self, auth: UserAuth, ids: list[str]) -> dict[str, bool]:
        result: dict[str, bool] = {}
        if self.new_contains:
            try:
                for batch in _batches(ids, CONTAINS_BATCH):
                    uris = ",".join(f"spotify:track:{t}" for t in batch)
                    flags = await self._call(
                        auth, "GET", "/me/library/contains", params={"uris": uris}
                    )
                    result.update(_zip_flags(batch, flags))
                return result
            except HttpError:  # 404: an API without the library endpoint
                log.info("Spotify has no /me/library/contains here; using /me/tracks/contains")
                self.new_contains = False
        for batch in _batches(ids, OLD_CONTAINS_BATCH):
            flags = await self._call(
                auth, "GET", "/me/tracks/contains", params={"ids": ",".join(batch)}
            )
            result.update(_zip_flags(batch, flags))
        return result

    async def mark(self, viewer_id: int, analysis: Analysis, position: Position) -> Analysis:
        """``analysis`` with the viewer's 💚 on the tracks of the page at ``position``.

        Unchanged when the viewer has no connected account.
        """
        if not analysis.clusters or await self.service.account(viewer_id) is None:
            return analysis
        here = clamp(page_counts(analysis), position)
        start = here.page * PER_PAGE
        tracks = analysis.clusters[here.cluster].tracks[start : start + PER_PAGE]
        ids = {t.id: t.spotify_id for t in tracks if spotify_uri(t.spotify_id)}
        flags = await self.liked(viewer_id, [sid for sid in ids.values() if sid])
        return with_liked(analysis, {tid: flags[sid] for tid, sid in ids.items() if sid in flags})

    # -- saving a cluster ----------------------------------------------------------------

    async def save_cluster(self, discord_user_id: int, analysis: Analysis, index: int) -> Saved:
        """A private playlist in the member's account with cluster ``index``'s tracks."""
        if not 0 <= index < len(analysis.clusters):
            raise BadInput(N_("That cluster is not part of this analysis any more."))
        cluster = analysis.clusters[index]
        name = f"{analysis.playlist.name} · #{cluster.number} {cluster.name}"
        description = (
            f"Cluster #{cluster.number} ({cluster.name}) of {analysis.playlist.name}, "
            "made by playlist-clusters."
        )
        return await self.save_tracks(discord_user_id, name, description, cluster.tracks)

    async def save_tracks(
        self, discord_user_id: int, name: str, description: str, tracks: Sequence[Track]
    ) -> Saved:
        """A private playlist named ``name`` in the member's account with ``tracks``
        (those with a Spotify id; the others are counted in ``left_out``)."""
        account = await self.service.account(discord_user_id)
        if account is None:
            raise NotConnected("save a playlist to Spotify")
        uris = list(dict.fromkeys(u for t in tracks if (u := spotify_uri(t.spotify_id))))
        if not uris:
            raise BadInput(
                N_(
                    "None of these tracks has a Spotify id (they came from Deezer or a "
                    "file without Spotify links), so there is nothing to save."
                )
            )
        name = _cut(name, NAME_LIMIT)
        auth = self.auth(discord_user_id)
        created = await self._create(auth, account.spotify_user_id, name, _cut(description, 300))
        pid = str(created.get("id") or "")
        if not pid:
            raise ProviderDown(N_("Spotify created no playlist; please try later."))
        for batch in _batches(uris, ADD_BATCH):
            await self._add(auth, pid, list(batch))
        urls = created.get("external_urls")
        urls = urls if isinstance(urls, dict) else {}
        url = str(urls.get("spotify") or f"https://open.spotify.com/playlist/{pid}")
        return Saved(name, url, len(uris), len(tracks) - len(uris))

    async def _create(self, auth: UserAuth, user_id: str, name: str, description: str) -> Any:
        body = {"name": name, "description": description, "public": False}
        try:
            created = await self._call(auth, "POST", "/me/playlists", json_body=body)
        except HttpError:  # 404: an API without POST /me/playlists
            path = f"/users/{quote(user_id, safe='')}/playlists"
            try:
                created = await self._call(auth, "POST", path, json_body=body)
            except HttpError as exc:
                raise ProviderDown(
                    N_("Spotify answered HTTP {status}; try later."), status=exc.status
                ) from None
        if not isinstance(created, dict):
            raise ProviderDown(N_("Spotify gave an unusable answer; please try later."))
        return created

    async def _add(self, auth: UserAuth, pid: str, uris: list[str]) -> None:
        body = {"uris": uris}
        if self.new_items:
            try:
                await self._call(auth, "POST", f"/playlists/{pid}/items", json_body=body)
                return
            except HttpError:
                self.new_items = False
        try:
            await self._call(auth, "POST", f"/playlists/{pid}/tracks", json_body=body)
        except HttpError as exc:
            raise ProviderDown(
                N_("Spotify answered HTTP {status}; try later."), status=exc.status
            ) from None


def _zip_flags(batch: Sequence[str], flags: Any) -> dict[str, bool]:
    if not isinstance(flags, list) or len(flags) != len(batch):
        raise ProviderDown(N_("Spotify gave an unusable answer about your Liked Songs."))
    return {tid: flag is True for tid, flag in zip(batch, flags, strict=True)}


def _own_playlist(item: Any) -> OwnPlaylist | None:
    if not isinstance(item, dict) or not isinstance(item.get("id"), str):
        return None
    if not SPOTIFY_ID.match(item["id"]):
        return None
    counts = item.get("items") if isinstance(item.get("items"), dict) else item.get("tracks")
    total = counts.get("total") if isinstance(counts, dict) else 0
    return OwnPlaylist(item["id"], str(item.get("name") or "Untitled"), int(total or 0))


def _cut(text: str, limit: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"
