"""/clusters with a connected account: Spotify links read with the member's own token,
and "Liked Songs" as a source of its own.

A development-mode Spotify app reads only playlists of signed-in users on its user
list, so with a connected account every Spotify link is read with that member's
token. Playlists read this way are cached under a ref of their own
(``{playlist id}@{spotify user id}``), and every request first asks Spotify for the
playlist's snapshot with the member's token: the cache never hands a private playlist
to someone who could not read it.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from contextlib import AbstractAsyncContextManager, nullcontext
from dataclasses import replace
from typing import TYPE_CHECKING

from bot.account.oauth import NotConnected
from bot.errors import BadLink
from bot.locales import N_
from bot.model import AnalysisOptions, PlaylistRef, ProgressCallback, no_progress
from bot.net.links import resolve_link
from bot.sources import SnapshotSource
from bot.sources.liked import LIKED_URL, LikedSongsSource
from bot.sources.spotify import SpotifySource
from storage.errors import StorageError

if TYPE_CHECKING:
    from bot.account.library import Library
    from bot.net.client import HttpClient
    from bot.services.analyzer import Analyzer, Outcome
    from bot.settings.groups import SpotifySettings

#: What a member may type (or autocomplete fills in) for their Liked Songs.
LIKED_CHOICE = "liked-songs"
LIKED_WORDS = frozenset(
    {
        LIKED_CHOICE,
        "liked",
        "liked songs",
        "liked tracks",
        "💚",
        "spotify:collection",
        "spotify:collection:tracks",
        LIKED_URL,
        LIKED_URL.removeprefix("https://"),
    }
)


def is_liked_request(text: str) -> bool:
    """True for "Liked Songs" in any of the ways it can be asked for."""
    return text.strip().strip("<>").rstrip("/").casefold() in LIKED_WORDS


def _open_gate() -> AbstractAsyncContextManager[None]:
    return nullcontext()


class PersonalAnalyzer:
    """Routes /clusters input: the member's own Spotify when connected, else the bot's."""

    def __init__(
        self,
        analyzer: Analyzer,
        library: Library | None,
        spotify: SpotifySettings,
        http: HttpClient,
    ) -> None:
        self.analyzer = analyzer
        self.library = library
        self.spotify = spotify
        self.http = http

    async def from_link(
        self,
        discord_user_id: int,
        text: str,
        options: AnalysisOptions,
        progress: ProgressCallback = no_progress,
        gate: Callable[[], AbstractAsyncContextManager[None]] = _open_gate,
    ) -> Outcome:
        """The analysis of ``text``: a link, or Liked Songs."""
        account = None
        if self.library is not None:
            account = await self.library.service.account(discord_user_id)
        if is_liked_request(text):
            if account is None:
                if self.library is None:
                    raise BadLink(
                        N_(
                            "Clustering your Liked Songs needs a connected Spotify account, "
                            "which this bot does not offer."
                        )
                    )
                raise NotConnected("cluster your Liked Songs")
            assert self.library is not None
            source: SnapshotSource = LikedSongsSource(
                self.library.auth(discord_user_id),
                api_base=self.spotify.api_base,
                spotify_user_id=account.spotify_user_id,
                owner=account.display_name,
                concurrency=self.spotify.concurrency,
                max_tracks=self.spotify.max_tracks,
            )
            return await self._personal(source, source.ref, source.ref, options, progress, gate)
        ref = await resolve_link(text, self.http)
        if account is None or ref.source != "spotify" or self.library is None:
            return await self.analyzer.from_ref(ref, options, progress, gate)
        source = SpotifySource(
            self.library.auth(discord_user_id),  # type: ignore[arg-type]
            api_base=self.spotify.api_base,
            concurrency=self.spotify.concurrency,
            max_tracks=self.spotify.max_tracks,
        )
        own = PlaylistRef("spotify", f"{ref.id}@{account.spotify_user_id}")
        return await self._personal(source, ref, own, options, progress, gate)

    async def _personal(
        self,
        source: SnapshotSource,
        ref: PlaylistRef,
        own: PlaylistRef,
        options: AnalysisOptions,
        progress: ProgressCallback,
        gate: Callable[[], AbstractAsyncContextManager[None]],
    ) -> Outcome:
        """Fetch with ``source`` (member's token) unless the copy cached under ``own`` has
        the snapshot Spotify reports now; analyse through the shared analyzer."""
        cache = self.analyzer.pipeline.cache
        assert cache is not None, "the bot's pipeline always caches"
        current = await source.snapshot(ref)  # also proves the member may still read it
        found = await cache.get_playlist(own)
        if found is not None and current and found[0].snapshot == current:
            return await self.analyzer.from_playlist(found[0], options, progress, gate)
        async with gate():
            fetched = await source.fetch(ref, progress)
            playlist = replace(fetched, ref=own)
            outcome = await self.analyzer.from_playlist(playlist, options, progress)
        # the answer is ready; if the disk refuses, the next request fetches again
        with contextlib.suppress(StorageError):
            await cache.put_playlist(outcome.analysis.playlist)
        return outcome
