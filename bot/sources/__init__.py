"""Playlist sources: each turns a :class:`~bot.model.PlaylistRef` into a Playlist."""

from __future__ import annotations

from typing import Protocol, runtime_checkable

from bot.locales import N_
from bot.model import Playlist, PlaylistRef, ProgressCallback

#: What a member reads when a link names a source this bot was not given.
NOT_AVAILABLE = N_("{source} playlists are not available here.")


class PlaylistSource(Protocol):
    """A place playlists come from (Spotify, Deezer, ...)."""

    async def fetch(self, ref: PlaylistRef, progress: ProgressCallback) -> Playlist:
        """The playlist with every track, or a UserError saying why not."""
        ...


@runtime_checkable
class SnapshotSource(PlaylistSource, Protocol):
    """A source that can tell a playlist's current snapshot cheaply (one small request).

    The pipeline uses it to trust a cached playlist past its freshness window.
    """

    async def snapshot(self, ref: PlaylistRef) -> str | None:
        """The playlist's current snapshot id (None when the source has none)."""
        ...
