"""The taste map's service: shared playlists in, comparisons and pictures out.

What the /taste commands and the weekly post call. Playlists come through the
analysis line like /clusters (so an unchanged playlist is answered from the cache,
features included); consent lives in storage (:class:`storage.taste.TasteRepository`):
only shared playlists of the server are read for others. The comparison and the
picture are CPU work and run in a worker thread. No discord import here.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING

from bot.analysis.taste import (
    MAX_PLAYLISTS,
    Meeting,
    TasteMap,
    bridge,
    compare_playlists,
    meeting_points,
    neighbours,
)
from bot.errors import BadInput, UserError
from bot.locales import ENGLISH, N_, Words
from bot.model import AnalysisOptions, Playlist, PlaylistRef, Track
from bot.render.taste_map import legend_names, render_taste_map
from storage.taste import SHARED_FILE

if TYPE_CHECKING:
    from bot.services.lines import JobLine, LocalLine
    from storage.cache import CacheRepository
    from storage.taste import TasteRepository, TasteShare

log = logging.getLogger(__name__)
#: /taste neighbours ranks at most this many other members' playlists.
MAX_NEIGHBOURS = 50
#: A sharer found still in the server is not asked about again for this long (seconds):
#: one question per sharer per map would be many REST calls in a busy server; the price
#: is that a member who just left may stay on maps for up to this long.
PRESENT_SECONDS = 600.0
#: Whether a member is in a server: True, False (Discord says Unknown Member), or None
#: (could not tell: kept).
MemberCheck = Callable[[int], Awaitable[bool | None]]


@dataclass(slots=True)
class Entry:
    """One playlist on a map: its legend label, its tracks, and whose share it is."""

    label: str
    playlist: Playlist
    user_id: int | None = None


@dataclass(frozen=True, slots=True)
class Note:
    """A sentence about what a map left out, as a message id and its values (an error
    among them is said in the reader's language too: ``bot.discord_ui.taste``)."""

    message: str
    values: Mapping[str, object] = field(default_factory=dict)


UNREAD = N_("{label}'s playlist could not be read: {reason}")
LEFT_OUT = N_("{count} more shared playlists did not fit (at most {limit} on one map).")


@dataclass(slots=True)
class MapAnswer:
    """A compared set: the comparison, its picture, and sentences about what was left out."""

    taste: TasteMap
    entries: list[Entry]
    png: bytes
    notes: list[Note | str] = field(default_factory=list)


@dataclass(slots=True)
class PairAnswer:
    """Two playlists side by side: the comparison, clusters of both, the bridge playlist."""

    taste: TasteMap
    entries: list[Entry]
    png: bytes
    meetings: list[Meeting]
    bridge: list[Track]


def _draw(taste: TasteMap, title: str, words: Words) -> bytes:
    return render_taste_map(
        taste.points,
        taste.groups,
        legend_names(taste.names, taste.placed),
        title=title,
        x_label=taste.x_label,
        y_label=taste.y_label,
        words=words,
    )


def _compute_map(
    entries: Sequence[Entry], title: str, words: Words = ENGLISH
) -> tuple[TasteMap, bytes]:
    taste = compare_playlists([e.playlist.tracks for e in entries], [e.label for e in entries])
    return taste, _draw(taste, title, words)


def _compute_pair(entries: Sequence[Entry], title: str, words: Words) -> PairAnswer:
    taste, png = _compute_map(entries, title, words)
    return PairAnswer(taste, list(entries), png, meeting_points(taste, 0, 1), bridge(taste, 0, 1))


class TasteService:
    """Shared playlists of a server on maps, pairs and rankings."""

    def __init__(
        self,
        line: LocalLine | JobLine,
        repository: TasteRepository,
        options: AnalysisOptions,
        cache: CacheRepository,
    ) -> None:
        self.line = line
        self.repository = repository
        self.options = options
        #: where shared CSV files are kept (never evicted while shared: storage.eviction)
        self.cache = cache
        #: (server, member) -> when they were last found in the server (monotonic seconds)
        self._present: dict[tuple[int, int], float] = {}
        self.clock: Callable[[], float] = time.monotonic

    async def playlist_of_link(self, user_id: int, link: str) -> Playlist:
        """The playlist behind a link as ``user_id`` may read it (their Spotify if connected)."""
        return (await self.line.link(user_id, link, self.options)).analysis.playlist

    async def playlist_of_csv(self, data: bytes, name: str) -> Playlist:
        """The playlist of an uploaded CSV export."""
        return (await self.line.csv(data, name, self.options)).analysis.playlist

    async def keep_file(self, playlist: Playlist) -> Playlist:
        """Keep an uploaded CSV's playlist (tracks with their features) for later maps,
        under the file's digest; returns it as kept (its ref names the kept copy)."""
        kept = Playlist(
            PlaylistRef(SHARED_FILE, playlist.snapshot),
            playlist.name,
            list(playlist.tracks),
            playlist.snapshot,
        )
        await self.cache.put_playlist(kept)
        return kept

    async def share(self, share: TasteShare) -> None:
        """Store a member's consent (the playlist was read, or kept, by the caller first)."""
        await self.repository.share(share)

    async def _read(self, share: TasteShare, *, complete: bool = False) -> Playlist:
        """A shared playlist: a kept file from the cache, a link through the line
        (``complete``: waiting for every lookup, whatever the time budgets)."""
        if share.ref_source == SHARED_FILE:
            found = await self.cache.get_playlist(share.ref)
            if found is None:
                raise BadInput(N_("The shared file is no longer kept; share it again."))
            return found[0]
        options = replace(self.options, complete=True) if complete else self.options
        return (await self.line.ref(share.ref, options)).analysis.playlist

    async def unshare(self, guild_id: int, user_id: int) -> bool:
        """Remove the member's share and everything computed from it; False if none."""
        return await self.repository.unshare(guild_id, user_id) > 0

    async def member_left(self, guild_id: int, user_id: int) -> bool:
        """A member left the server: their share goes, with everything computed from it."""
        self._present.pop((guild_id, user_id), None)
        return await self.unshare(guild_id, user_id)

    async def forget_guild(self, guild_id: int) -> None:
        """The bot left the server: every share of it goes, with everything derived."""
        for key in [key for key in self._present if key[0] == guild_id]:
            del self._present[key]
        await self.repository.forget_guild(guild_id)

    async def prune_departed(self, guild_id: int, is_member: MemberCheck) -> list[int]:
        """Unshare the shares of members no longer in the server; returns their ids.

        Without the privileged members intent the bot is not told when a member leaves,
        so a map asks first (``is_member``, once per sharer per :data:`PRESENT_SECONDS`).
        Only a definite "not a member" removes a share; an unanswered question keeps it.
        """
        now = self.clock()
        asked = []
        for share in await self.repository.list_for_guild(guild_id):
            seen = self._present.get((guild_id, share.user_id))
            if seen is None or now - seen >= PRESENT_SECONDS:
                asked.append(share.user_id)
        answers = await asyncio.gather(*(is_member(user) for user in asked))
        gone = []
        for user, present in zip(asked, answers, strict=True):
            if present is True:
                self._present[(guild_id, user)] = now
            elif present is False and await self.member_left(guild_id, user):
                gone.append(user)
        if gone:
            log.info("unshared %d taste playlists of members who left %s", len(gone), guild_id)
        return gone

    async def shared_entries(
        self,
        guild_id: int,
        labels: Mapping[int, str],
        *,
        skip: Sequence[int] = (),
        complete: bool = False,
    ) -> tuple[list[Entry], list[Note | str]]:
        """The server's shared playlists (``labels``: member id -> legend label), read
        through the cache, and a sentence per share that could not be read.
        ``complete`` (the weekly taste map): every playlist read with all its lookups."""
        entries: list[Entry] = []
        notes: list[Note | str] = []
        for share in await self.repository.list_for_guild(guild_id):
            if share.user_id in skip:
                continue
            label = labels.get(share.user_id) or share.member_name or "a member"
            try:
                playlist = await self._read(share, complete=complete)
            except UserError as exc:
                notes.append(Note(UNREAD, {"label": label, "reason": exc}))
                continue
            entries.append(Entry(label, playlist, share.user_id))
        return entries, notes

    async def entry_of(self, guild_id: int, user_id: int, label: str) -> Entry | None:
        """The member's shared playlist as an entry, or None if they shared none."""
        share = await self.repository.get(guild_id, user_id)
        if share is None:
            return None
        return Entry(label, await self._read(share), user_id)

    async def map(self, entries: Sequence[Entry], title: str, words: Words = ENGLISH) -> MapAnswer:
        """Compare up to MAX_PLAYLISTS entries; the rest are left out with a note. The
        picture's ``title`` as given, its axes in ``words``' language."""
        if len(entries) < 2:
            raise BadInput(
                N_(
                    "A taste map needs at least two playlists: members share theirs with "
                    "/taste share, or give a link or a file."
                )
            )
        kept = list(entries[:MAX_PLAYLISTS])
        notes: list[Note | str] = []
        if len(entries) > MAX_PLAYLISTS:
            left = len(entries) - MAX_PLAYLISTS
            notes.append(Note(LEFT_OUT, {"count": left, "limit": MAX_PLAYLISTS}))
        taste, png = await asyncio.to_thread(_compute_map, kept, title, words)
        return MapAnswer(taste, kept, png, notes)

    async def pair(self, a: Entry, b: Entry, title: str, words: Words = ENGLISH) -> PairAnswer:
        """Two entries side by side (CPU work in a thread; the picture's axes in ``words``')."""
        return await asyncio.to_thread(_compute_pair, [a, b], title, words)

    async def neighbours(self, me: Entry, others: Sequence[Entry]) -> list[tuple[Entry, float]]:
        """The other entries ranked by overlap with ``me`` (unscorable ones left out)."""
        if not others:
            return []
        everyone = [me, *others[:MAX_NEIGHBOURS]]
        # one space per comparison, as on a map of all of them
        taste = await asyncio.to_thread(
            compare_playlists, [e.playlist.tracks for e in everyone], [e.label for e in everyone]
        )
        return [(everyone[i], score) for i, score in neighbours(taste, 0)]

    async def keep_bridge(self, guild_id: int, a: int, b: int, tracks: Sequence[Track]) -> int:
        """Store a bridge playlist for its buttons; removed when either member unshares."""
        return await self.repository.put_bridge(guild_id, a, b, [t.to_dict() for t in tracks])

    async def bridge_tracks(self, bridge_id: int) -> list[Track] | None:
        """A kept bridge playlist's tracks, or None once a member unshared."""
        found = await self.repository.get_bridge(bridge_id)
        if found is None:
            return None
        return [Track.from_dict(d) for d in found[3]]


def pair_scores(answer: MapAnswer) -> dict[tuple[int, int], float]:
    """The map's scored pairs of members, keyed by member ids (smaller first)."""
    found: dict[tuple[int, int], float] = {}
    for a, b, score in answer.taste.pairs():
        ua, ub = answer.entries[a].user_id, answer.entries[b].user_id
        if score is not None and ua is not None and ub is not None:
            found[(min(ua, ub), max(ua, ub))] = score
    return found
