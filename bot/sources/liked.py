"""A member's Liked Songs (``GET /me/tracks``) as a playlist, read with their own token.

Spotify serves saved tracks newest first, at most 50 per page. The first page gives
the total; the other pages are then asked concurrently (bounded). There is no
``snapshot_id`` for the library, so the snapshot is the total plus the newest
``added_at``: it changes whenever a song is added, and whenever one is removed.
The playlist's ref is ``spotify:liked:{spotify user id}``, so each account's library
has its own cache entries.
"""

from __future__ import annotations

from typing import Any, Protocol

from bot.errors import InputTooLarge, ProviderDown
from bot.locales import N_
from bot.model import Playlist, PlaylistRef, ProgressCallback, Track, no_progress
from bot.net.spotify_api import parse_entry
from bot.tasks import TASKS_PER_REQUEST, gather_bounded

PAGE_SIZE = 50
LIKED_URL = "https://open.spotify.com/collection/tracks"
LIKED_NAME = "Liked Songs"


class Getter(Protocol):
    async def get(self, url: str, params: dict[str, str | int] | None = None) -> Any: ...


def liked_ref(spotify_user_id: str) -> PlaylistRef:
    """The ref a member's Liked Songs are cached under."""
    return PlaylistRef("spotify", f"liked:{spotify_user_id}")


def library_snapshot(page: Any) -> str:
    """``total:newest added_at`` of a first ``/me/tracks`` page."""
    if not isinstance(page, dict):
        return ""
    items = page.get("items") if isinstance(page.get("items"), list) else []
    newest = ""
    if items and isinstance(items[0], dict):
        newest = str(items[0].get("added_at") or "")
    return f"{int(page.get('total') or 0)}:{newest}"


class LikedSongsSource:
    """Reads one member's Liked Songs through ``auth`` (a :class:`~bot.account.api.UserAuth`)."""

    def __init__(
        self,
        auth: Getter,
        *,
        api_base: str,
        spotify_user_id: str,
        owner: str = "",
        concurrency: int = 8,
        max_tracks: int = 10_000,
    ) -> None:
        self.auth = auth
        self.api_base = api_base.rstrip("/")
        self.ref = liked_ref(spotify_user_id)
        self.owner = owner
        self.concurrency = concurrency
        self.max_tracks = max_tracks

    async def _page(self, offset: int, limit: int = PAGE_SIZE) -> dict[str, Any]:
        page = await self.auth.get(f"{self.api_base}/me/tracks", {"limit": limit, "offset": offset})
        if not isinstance(page, dict) or not isinstance(page.get("items"), list):
            raise ProviderDown(N_("Spotify gave an unusable page of your Liked Songs; try later."))
        return page

    async def snapshot(self, ref: PlaylistRef | None = None) -> str:
        """One cheap call (a single saved track): changes whenever the library does."""
        return library_snapshot(await self._page(0, 1))

    async def fetch(
        self, ref: PlaylistRef | None = None, progress: ProgressCallback = no_progress
    ) -> Playlist:
        """Every saved track, newest first; local files and unavailable entries are counted."""
        progress("Fetching tracks", 0, 0)
        first = await self._page(0)
        total = int(first.get("total") or 0)
        if total > self.max_tracks:
            raise InputTooLarge(
                N_("Your Liked Songs hold {total} tracks; I read at most {limit}."),
                total=total,
                limit=self.max_tracks,
            )
        done = len(first["items"])
        progress("Fetching tracks", done, total)

        async def page_at(offset: int) -> list[Track | str]:
            nonlocal done
            page = await self._page(offset)
            done += len(page["items"])
            progress("Fetching tracks", min(done, total), total)
            return [parse_entry(entry) for entry in page["items"]]

        rest = await gather_bounded(
            [lambda o=o: page_at(o) for o in range(PAGE_SIZE, total, PAGE_SIZE)],
            self.concurrency * TASKS_PER_REQUEST,
        )
        playlist = Playlist(
            ref=self.ref,
            name=LIKED_NAME,
            tracks=[],
            snapshot=library_snapshot(first),
            owner=self.owner,
            url=LIKED_URL,
        )
        seen: set[str] = set()
        for result in [parse_entry(e) for e in first["items"]] + [r for p in rest for r in p]:
            if isinstance(result, str):
                playlist.skip(result)
            elif result.id in seen:
                playlist.skip("duplicate")
            else:
                seen.add(result.id)
                result.liked = True
                playlist.tracks.append(result)
        return playlist
