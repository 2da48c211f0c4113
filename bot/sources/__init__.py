"""Playlist sources: each turns a :class:`~bot.model.PlaylistRef` into a Playlist."""

from __future__ import annotations

from typing import Protocol, runtime_checkable

from bot.model import Playlist, PlaylistRef, ProgressCallback


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
