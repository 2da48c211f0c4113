"""Tracks from other services matched to Deezer: album, label, cover art, preview, id.

Spotify's embed page, YouTube Music and Apple Music list title, artists and duration
but no album label or art (and, but for the Spotify API, no ISRC). Each such track is
looked up on Deezer, which needs no key:

1. by ISRC when the track has one: ``GET /track/isrc:{ISRC}`` (a full track, or
   error 800 when Deezer does not know it);
2. else by Deezer's advanced search ``GET /search/track?q=artist:"A" track:"T"``,
   accepted only by :func:`bot.sources.matching.best` (duration within 3 s,
   normalised artist and title agreeing): a wrong match is worse than none.

Matched tracks get ``deezer_id`` (so Deezer's tempo/loudness provider finds them),
the album's title, cover and, from ``GET /album/{id}`` (once per distinct album),
label, genres and release year, where the source gave none; and Deezer's preview
for preview analysis. Unmatched tracks are counted (``Playlist.matched`` says how many
matched) and kept as they are.

Matches are remembered in the playlist cache under ``("match", "<source>:<id>")``,
one entry per source playlist holding every looked-up track's Deezer fields (no match
too), for ``MATCH_CACHE_DAYS``: a repeat costs no Deezer request. A failed or garbled
Deezer answer is never stored as a "no match".
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any, Protocol

from bot.errors import ProviderDown, UnusableAnswer
from bot.locales import N_
from bot.model import Playlist, PlaylistRef, ProgressCallback, Track, no_progress
from bot.net.client import DeezerNoData, HttpClient, HttpError
from bot.sources.matching import Candidate, Wanted, best, search_query
from bot.tasks import TASKS_PER_REQUEST, gather_bounded

log = logging.getLogger(__name__)

STAGE = "Matching tracks on Deezer"
#: Search results asked per track: the right one is nearly always in the first few.
SEARCH_LIMIT = 10


class PlaylistStore(Protocol):
    """What the matcher needs of storage's cache: one playlist entry read and written."""

    async def get_playlist(self, ref: PlaylistRef) -> tuple[Playlist, datetime] | None: ...

    async def put_playlist(self, playlist: Playlist) -> None: ...


def _int(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.isdigit():
        return int(value)
    return None


def _text(value: Any) -> str:
    return value.strip() if isinstance(value, str) else ""


def candidate(entry: Any) -> Candidate | None:
    """A search result (or an ISRC answer) as a Candidate; None when it is unreadable."""
    if not isinstance(entry, dict):
        return None
    tid = _int(entry.get("id"))
    artist = entry.get("artist")
    name = _text(artist.get("name")) if isinstance(artist, dict) else ""
    title = _text(entry.get("title"))
    if tid is None or not title:
        return None
    return Candidate(str(tid), title, name, _int(entry.get("duration")))


def wanted(track: Track) -> Wanted:
    seconds = None if track.duration_ms is None else round(track.duration_ms / 1000)
    return Wanted(track.title, track.artists, seconds)


def _album(entry: dict[str, Any]) -> dict[str, Any]:
    album = entry.get("album")
    return album if isinstance(album, dict) else {}


def apply_match(track: Track, entry: dict[str, Any]) -> Track:
    """Give ``track`` (in place: feature lookups may hold it) the Deezer entry's id, and
    its album, cover, preview and ISRC where it had none."""
    album = _album(entry)
    aid = _int(album.get("id"))
    track.deezer_id = str(_int(entry.get("id")))
    track.album = track.album or _text(album.get("title"))
    track.image = track.image or _text(album.get("cover_medium")) or _text(album.get("cover"))
    track.preview_url = track.preview_url or _text(entry.get("preview"))
    track.isrc = track.isrc or _text(entry.get("isrc"))
    track.album_id = track.album_id or (f"deezer:{aid}" if aid is not None else "")
    return track


def apply_album(track: Track, details: dict[str, Any]) -> None:
    """Label, genres and release year from ``/album/{id}`` where the track had none."""
    genres = details.get("genres")
    names = (
        tuple(_text(g.get("name")) for g in genres.get("data", []) if isinstance(g, dict))
        if isinstance(genres, dict) and isinstance(genres.get("data"), list)
        else ()
    )
    date = _text(details.get("release_date"))
    track.label = track.label or _text(details.get("label"))
    track.genres = track.genres or tuple(n for n in names if n)
    track.release_year = track.release_year or (int(date[:4]) if date[:4].isdigit() else None)


def _recall(track: Track, stored: Track) -> None:
    """Give ``track`` (in place) the match fields a cached lookup found (none: no match)."""
    if not stored.deezer_id:
        return
    track.deezer_id = stored.deezer_id
    track.album = track.album or stored.album
    track.label = track.label or stored.label
    track.image = track.image or stored.image
    track.genres = track.genres or stored.genres
    track.release_year = track.release_year or stored.release_year
    track.isrc = track.isrc or stored.isrc
    track.album_id = track.album_id or stored.album_id


def _memo(track: Track) -> Track:
    """What the cache keeps of a looked-up track: its id and match fields only."""
    return Track(
        id=track.id,
        title=track.title,
        deezer_id=track.deezer_id,
        album=track.album,
        label=track.label,
        image=track.image,
        genres=track.genres,
        release_year=track.release_year,
        isrc=track.isrc,
        album_id=track.album_id,
    )


class DeezerMatcher:
    """Finds the Deezer twin of each track of a playlist from another service."""

    def __init__(
        self,
        http: HttpClient,
        *,
        api_base: str,
        concurrency: int = 8,
        cache: PlaylistStore | None = None,
        max_age_seconds: float = 30 * 86_400,
    ) -> None:
        self.http = http
        self.api_base = api_base.rstrip("/")
        self.concurrency = concurrency
        self.cache = cache
        self.max_age_seconds = max_age_seconds

    async def _get(self, path: str, params: dict[str, str | int] | None = None) -> Any:
        return await self.http.get_json(f"{self.api_base}{path}", params=params)

    async def _by_isrc(self, track: Track) -> dict[str, Any] | None:
        try:
            entry = await self._get(f"/track/isrc:{track.isrc}")
        except DeezerNoData:
            return None
        found = candidate(entry)
        if found is None:
            raise UnusableAnswer(N_("Deezer's answer about an ISRC has no track in it."))
        return entry

    async def _by_search(self, track: Track) -> dict[str, Any] | None:
        want = wanted(track)
        if want.seconds is None or not track.title:
            return None
        try:
            payload = await self._get(
                "/search/track", {"q": search_query(want), "limit": SEARCH_LIMIT}
            )
        except DeezerNoData:
            return None
        data = payload.get("data") if isinstance(payload, dict) else None
        if not isinstance(data, list):
            raise UnusableAnswer(N_("Deezer's search answer has no result list in it."))
        entries = {c.id: e for e in data if (c := candidate(e)) is not None}
        chosen = best(want, [c for e in data if (c := candidate(e)) is not None])
        return None if chosen is None else entries[chosen.id]

    async def _one(self, track: Track) -> Track | None:
        """The track with its Deezer match, the track unmatched, or None when Deezer failed
        (not remembered: a later run asks again)."""
        try:
            entry = await self._by_isrc(track) if track.isrc else None
            if entry is None:
                entry = await self._by_search(track)
        except (ProviderDown, HttpError) as exc:
            log.info("Deezer match of %s failed: %s", track.id, exc)
            return None
        return track if entry is None else apply_match(track, entry)

    async def _albums(self, tracks: Sequence[Track]) -> dict[str, dict[str, Any]]:
        """``/album/{id}`` of each distinct album of the matched tracks (failures: none)."""
        ids = list(
            dict.fromkeys(
                t.album_id.removeprefix("deezer:")
                for t in tracks
                if t.deezer_id and t.album_id.startswith("deezer:")
            )
        )

        async def one(aid: str) -> tuple[str, dict[str, Any]]:
            try:
                details = await self._get(f"/album/{aid}")
            except (ProviderDown, HttpError, DeezerNoData):
                return aid, {}
            return aid, details if isinstance(details, dict) else {}

        found = await gather_bounded(
            [lambda a=a: one(a) for a in ids], self.concurrency * TASKS_PER_REQUEST
        )
        return dict(found)

    async def _remembered(self, ref: PlaylistRef) -> dict[str, Track]:
        """The matches remembered for this playlist's tracks, if young enough."""
        if self.cache is None:
            return {}
        try:
            found = await self.cache.get_playlist(_memo_ref(ref))
        except Exception:  # an unreadable cache only costs the requests
            log.warning("could not read Deezer matches of %s", ref, exc_info=True)
            return {}
        if found is None:
            return {}
        memo, stored_at = found
        if (datetime.now(UTC) - stored_at).total_seconds() > self.max_age_seconds:
            return {}
        return {t.id: t for t in memo.tracks}

    async def match(self, playlist: Playlist, progress: ProgressCallback = no_progress) -> None:
        """Match every track in place; ``playlist.matched`` = how many have a Deezer twin."""
        memo = await self._remembered(playlist.ref)
        tracks = playlist.tracks
        todo = [i for i, t in enumerate(tracks) if t.id not in memo]
        for track in tracks:
            if track.id in memo:
                _recall(track, memo[track.id])
        done = len(tracks) - len(todo)
        progress(STAGE, done, len(tracks))

        async def one(i: int) -> tuple[int, Track | None]:
            nonlocal done
            result = await self._one(tracks[i])
            done += 1
            progress(STAGE, done, len(tracks))
            return i, result

        looked = await gather_bounded(
            [lambda i=i: one(i) for i in todo], self.concurrency * TASKS_PER_REQUEST
        )
        fresh = [(i, t) for i, t in looked if t is not None]
        albums = await self._albums([t for _, t in fresh])
        for _, track in fresh:
            details = albums.get(track.album_id.removeprefix("deezer:"))
            if details:
                apply_album(track, details)
        playlist.matched = sum(1 for t in tracks if t.deezer_id)
        if fresh:
            await self._remember(playlist.ref, memo, [tracks[i] for i, _ in fresh])

    async def _remember(
        self, ref: PlaylistRef, memo: dict[str, Track], tracks: Sequence[Track]
    ) -> None:
        if self.cache is None:
            return
        kept = {**memo, **{t.id: _memo(t) for t in tracks}}
        entry = Playlist(
            ref=_memo_ref(ref), name="Deezer matches", tracks=list(kept.values()), snapshot=""
        )
        try:
            await self.cache.put_playlist(entry)
        except Exception:  # a full or closed cache must not fail the answer
            log.warning("could not cache Deezer matches of %s", ref, exc_info=True)


def _memo_ref(ref: PlaylistRef) -> PlaylistRef:
    """Where the matches of a source playlist are remembered in the playlist cache."""
    return PlaylistRef("match", f"{ref.source}:{ref.id}")
