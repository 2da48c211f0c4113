"""Spotify Web API answers as typed models, and a playlist entry as a :class:`Track`.

Only the fields the bot reads are declared; everything else (``available_markets``,
``added_by``, ...) is ignored. Every field is optional because Spotify leaves many
out or null (local files have no id, development-mode apps get no ``popularity``,
episodes have no album). An answer whose shape is not a Spotify answer at all raises
:class:`~bot.errors.UnusableAnswer` with one sentence (:func:`parse_answer`); a single
entry that cannot be read is skipped and counted, it does not sink its page.

A page of playlist items (about 450 KB for 100 entries, mostly ``available_markets``)
is read straight from its bytes by :func:`read_page`: pydantic's JSON parser builds
only the declared fields, so the markets never become Python objects. That is about
twice as fast as ``json.loads`` plus validation, allocates a fraction of the objects
(less work for the cyclic GC) and holds the interpreter for one short call instead of
two longer ones, which is what keeps the bot's event loop free while 100 pages arrive.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, TypeVar

from pydantic import BaseModel, ConfigDict, ValidationError

from bot.errors import UnusableAnswer
from bot.locales import N_
from bot.model import Track
from bot.net.answers import loads

M = TypeVar("M", bound=BaseModel)


class _Model(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)


class Image(_Model):
    url: str | None = None
    width: float | None = None


class Named(_Model):
    id: str | None = None
    name: str | None = None
    display_name: str | None = None


class Urls(_Model):
    spotify: str | None = None


class Album(_Model):
    id: str | None = None
    name: str | None = None
    release_date: str | None = None
    images: list[Image] | None = None


class TrackObject(_Model):
    """A track (or episode) object as embedded in a playlist entry."""

    type: str | None = None
    id: str | None = None
    name: str | None = None
    artists: list[Named] | None = None
    album: Album | None = None
    duration_ms: float | None = None
    explicit: bool | None = None
    popularity: float | None = None
    external_ids: dict[str, str | None] | None = None
    external_urls: Urls | None = None
    preview_url: str | None = None
    is_local: bool | None = None


class Entry(_Model):
    """One playlist entry: the object sits under ``item`` (2026 API) or ``track`` (older)."""

    item: TrackObject | None = None
    track: TrackObject | None = None
    is_local: bool | None = None

    @property
    def obj(self) -> TrackObject | None:
        return self.item or self.track


class Page(_Model):
    """A page of ``/playlists/{id}/items`` (or ``/tracks``); entries are parsed one by one."""

    items: list[Any]
    total: int | None = None
    limit: int | None = None
    next: str | None = None


class TypedPage(_Model):
    """A page whose every entry reads as an :class:`Entry` (or null): the fast path of
    :func:`read_page`, for pages with no unreadable entry (all but broken ones)."""

    items: list[Entry | None]
    total: int | None = None
    limit: int | None = None


@dataclass(slots=True)
class ReadPage:
    """A page of playlist items already turned into tracks (or skip reasons), in order."""

    entries: list[Track | str]
    total: int | None
    limit: int | None


class PlaylistMeta(_Model):
    name: str | None = None
    snapshot_id: str | None = None
    owner: Named | None = None
    images: list[Image] | None = None
    external_urls: Urls | None = None


class Snapshot(_Model):
    snapshot_id: str | None = None


class Token(_Model):
    access_token: str
    expires_in: float | None = None


#: The sentence for each ``what`` the callers name, said in a member's language.
UNUSABLE = {
    "that playlist": N_(
        "Spotify gave an unusable answer for that playlist; please try again later."
    ),
    "a page of that playlist": N_(
        "Spotify gave an unusable answer for a page of that playlist; please try again later."
    ),
    "its access token": N_(
        "Spotify gave an unusable answer for its access token; please try again later."
    ),
}


def parse_answer(model: type[M], payload: Any, what: str) -> M:
    """``payload`` as ``model``, or UnusableAnswer naming ``what`` Spotify sent."""
    try:
        return model.model_validate(payload)
    except ValidationError:
        said = UNUSABLE.get(what)
        if said is None:  # a caller's own words: English
            raise UnusableAnswer(
                f"Spotify gave an unusable answer for {what}; please try again later."
            ) from None
        raise UnusableAnswer(said) from None


def best_image(images: list[Image] | None, prefer: int = 300) -> str:
    """The image URL whose width is closest to ``prefer`` (Spotify lists largest first)."""
    usable = [i for i in images or () if i.url]
    if not usable:
        return ""
    best = min(usable, key=lambda i: abs((i.width or prefer) - prefer))
    return best.url or ""


def _year(release: str | None) -> int | None:
    head = (release or "")[:4]
    return int(head) if head.isdigit() and head != "0000" else None


def skip_reason(entry: Entry) -> str | None:
    """Why an entry is left out (null, local file, episode, no id), or None to keep it."""
    obj = entry.obj
    if obj is None:
        return "unavailable entry"
    if entry.is_local or obj.is_local:
        return "local file"
    if obj.type == "episode":
        return "podcast episode"
    if not obj.id:
        return "unavailable entry"
    return None


def to_track(obj: TrackObject) -> Track:
    """A kept track object as the bot's :class:`Track`."""
    sid = obj.id or ""
    album = obj.album or Album()
    urls = obj.external_urls or Urls()
    return Track(
        id=sid,
        title=obj.name or "",
        artists=tuple(a.name for a in obj.artists or () if a.name),
        album=album.name or "",
        album_id=album.id or "",
        url=urls.spotify or f"https://open.spotify.com/track/{sid}",
        image=best_image(album.images),
        isrc=(obj.external_ids or {}).get("isrc") or "",
        spotify_id=sid,
        release_year=_year(album.release_date),
        duration_ms=int(obj.duration_ms) if obj.duration_ms is not None else None,
        explicit=obj.explicit,
        popularity=obj.popularity,
        preview_url=obj.preview_url or "",
    )


def entry_result(entry: Entry | None) -> Track | str:
    """A validated entry (None: a null entry) as a Track, or the reason it is skipped."""
    if entry is None:
        return "unavailable entry"
    reason = skip_reason(entry)
    if reason is not None or entry.obj is None:
        return reason or "unavailable entry"
    return to_track(entry.obj)


def parse_entry(raw: Any) -> Track | str:
    """A playlist entry as a Track, or the reason it is skipped."""
    try:
        entry = Entry.model_validate(raw)
    except ValidationError:
        return "unavailable entry" if raw is None else "unreadable entry"
    return entry_result(entry)


def read_page(body: bytes) -> ReadPage | None:
    """A page of ``/items`` (or ``/tracks``) from its bytes; None when it is not usable
    JSON (empty, truncated, HTML: the HTTP client asks again).

    Fast path: the whole page as :class:`TypedPage`, straight from the bytes. Any
    failure there (a malformed entry, a page of another shape, a BOM, bad JSON) takes
    the general path, which gives exactly what parsing the decoded JSON entry by entry
    gives: an unreadable entry is skipped, a page of another shape is UnusableAnswer.
    """
    try:
        typed = TypedPage.model_validate_json(body)
    except ValidationError:
        payload = loads(body)
        if payload is None:
            return None
        page = parse_answer(Page, payload, "a page of that playlist")
        return ReadPage([parse_entry(raw) for raw in page.items], page.total, page.limit)
    return ReadPage([entry_result(entry) for entry in typed.items], typed.total, typed.limit)
