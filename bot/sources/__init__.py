"""Playlist sources: each turns a :class:`~bot.model.PlaylistRef` into a Playlist."""

from __future__ import annotations

from typing import Protocol

from bot.model import Playlist, PlaylistRef, ProgressCallback


class PlaylistSource(Protocol):
    """A place playlists come from (Spotify, Deezer, ...)."""

    async def fetch(self, ref: PlaylistRef, progress: ProgressCallback) -> Playlist:
        """The playlist with every track, or a UserError saying why not."""
        ...
