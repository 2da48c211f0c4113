"""Apple Music playlists, read from the public web page (no developer token, no account).

A link ``music.apple.com/{country}/playlist/{slug}/pl.{id}`` (:mod:`bot.net.links`)
names the page; it is asked once through the project's :class:`~bot.net.client.HttpClient`
(timeouts, retries, 429 and ``Retry-After``, the adaptive pace of ``APPLE_MUSIC_BASE``)
and read by :func:`bot.sources.apple_page.parse_apple_page` in the client's decoding
thread. Every track is then matched to Deezer (:mod:`bot.sources.deezer_match`) for
album label, art, preview and features; the playlist says what was read and from
where. Reading public pages is not Apple's documented API, so a host can switch it
off (``APPLE_MUSIC_READING=false``).
"""

from __future__ import annotations

from bot.errors import BadInput, InputTooLarge, PlaylistUnavailable, ProviderDown
from bot.model import Playlist, PlaylistRef, ProgressCallback, no_progress
from bot.net.client import HttpClient, HttpError
from bot.net.links import apple_page_path
from bot.sources.apple_page import ALTERNATIVES, ApplePlaylist, page_or_none
from bot.sources.deezer_match import DeezerMatcher

ORIGIN = "Apple Music's public page"
NOT_FOUND = (
    "Apple Music has no public playlist at that link: it is private, was deleted, is not "
    "available in that country, or the link is wrong."
)
OFF = "This bot's host has switched off reading Apple Music links. " + ALTERNATIVES


def limit_note(read: int, count: int | None) -> str:
    """The sentence saying the page showed fewer tracks than the playlist has ('' if not)."""
    if count is None or count <= read:
        return ""
    return (
        f"{read:,} of {count:,} tracks: Apple Music's public page shows only the first "
        f"{read:,}. A Spotify, Deezer or YouTube Music link of the same playlist, or a CSV "
        "export, reads all of them."
    )


class AppleMusicSource:
    """Reads public Apple Music playlists from their web page."""

    def __init__(
        self,
        http: HttpClient,
        *,
        base: str,
        enabled: bool = True,
        matcher: DeezerMatcher | None = None,
    ) -> None:
        self.http = http
        self.base = base.rstrip("/")
        self.enabled = enabled
        #: Finds each track's Deezer twin for album, label, art and features.
        self.matcher = matcher

    async def page(self, ref_id: str) -> ApplePlaylist:
        """The playlist's page, parsed (in the decoding thread when large)."""
        if not self.enabled:
            raise BadInput(OFF)
        url = self.base + apple_page_path(ref_id)
        try:
            return await self.http.get_json(
                url, headers={"Accept": "text/html"}, decode=page_or_none
            )
        except InputTooLarge:
            raise PlaylistUnavailable(
                "Apple Music's page for that playlist is larger than this bot reads. "
                + ALTERNATIVES
            ) from None
        except HttpError as exc:
            if exc.status in (400, 403, 404, 410):
                raise PlaylistUnavailable(NOT_FOUND) from None
            raise ProviderDown(
                f"Apple Music's public page refused the request (HTTP {exc.status}); please "
                "try again later. " + ALTERNATIVES
            ) from None

    async def fetch(self, ref: PlaylistRef, progress: ProgressCallback = no_progress) -> Playlist:
        """The tracks the page shows, matched to Deezer."""
        progress("Fetching tracks", 0, 0)
        shown = await self.page(ref.id)
        playlist = Playlist(
            ref=ref,
            name=shown.name,
            tracks=[],
            snapshot=shown.snapshot,
            owner=shown.owner,
            image=shown.image,
            url="https://music.apple.com" + apple_page_path(ref.id),
            origin=ORIGIN,
        )
        seen: set[str] = set()
        for item in shown.entries:
            playlist.admit(item, seen)
        read = len(shown.entries)
        playlist.listed = shown.count if shown.count is not None and shown.count > read else None
        playlist.limit_note = limit_note(read, shown.count)
        progress("Fetching tracks", read, read)
        if self.matcher is not None:
            await self.matcher.match(playlist, progress)
        return playlist

    async def snapshot(self, ref: PlaylistRef) -> str:
        """A hash of what the page shows now (one page request)."""
        return (await self.page(ref.id)).snapshot
