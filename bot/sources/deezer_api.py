"""Deezer API answers as typed models, and a playlist track entry as a :class:`Track`.

Only the fields the bot reads are declared. Deezer has sent ids, durations and ranks
both as numbers and as numeric strings over the years; both are accepted. An answer
that is not a Deezer answer at all raises :class:`~bot.errors.UnusableAnswer` with one
sentence (:func:`parse_answer`); a single unreadable track entry is skipped and
counted instead of sinking its page.
"""

from __future__ import annotations

from typing import Any, TypeVar

from pydantic import BaseModel, ConfigDict, ValidationError

from bot.errors import UnusableAnswer
from bot.locales import N_
from bot.model import Track

M = TypeVar("M", bound=BaseModel)

#: What :attr:`~bot.model.Playlist.notes` counts for tracks marked ``readable: false``.
NOT_READABLE = "track not playable on Deezer in this server's region"


class _Model(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)


class Named(_Model):
    id: int | str | None = None
    name: str | None = None


class AlbumRef(_Model):
    id: int | str | None = None
    title: str | None = None
    cover_medium: str | None = None
    cover: str | None = None


class TrackEntry(_Model):
    """A track as listed in ``/playlist/{id}/tracks`` pages."""

    id: int | str | None = None
    type: str | None = None
    readable: bool | None = None
    title: str | None = None
    title_short: str | None = None
    link: str | None = None
    duration: float | None = None
    rank: float | None = None
    explicit_lyrics: bool | None = None
    preview: str | None = None
    artist: Named | None = None
    album: AlbumRef | None = None


class Page(_Model):
    """A page of ``/playlist/{id}/tracks``; entries are parsed one by one."""

    data: list[Any]
    total: int | None = None
    next: str | None = None


class PlaylistMeta(_Model):
    title: str | None = None
    nb_tracks: int | None = None
    checksum: str | None = None
    creator: Named | None = None
    picture_medium: str | None = None
    picture: str | None = None
    link: str | None = None


class GenreList(_Model):
    data: list[Named] = []


class AlbumDetails(_Model):
    label: str | None = None
    genres: GenreList | None = None
    release_date: str | None = None

    @property
    def genre_names(self) -> tuple[str, ...]:
        return tuple(g.name for g in (self.genres.data if self.genres else ()) if g.name)

    @property
    def year(self) -> int | None:
        head = (self.release_date or "")[:4]
        return int(head) if head.isdigit() and head != "0000" else None


#: The sentence for each ``what`` the callers name, said in a member's language.
UNUSABLE = {
    "that playlist": N_(
        "Deezer gave an unusable answer for that playlist; please try again later."
    ),
    "a page of that playlist": N_(
        "Deezer gave an unusable answer for a page of that playlist; please try again later."
    ),
    "an album": N_("Deezer gave an unusable answer for an album; please try again later."),
}


def parse_answer(model: type[M], payload: Any, what: str) -> M:
    """``payload`` as ``model``, or UnusableAnswer naming ``what`` Deezer sent."""
    try:
        return model.model_validate(payload)
    except ValidationError:
        said = UNUSABLE.get(what)
        if said is None:  # a caller's own words: English
            raise UnusableAnswer(
                f"Deezer gave an unusable answer for {what}; please try again later."
            ) from None
        raise UnusableAnswer(said) from None


#: Deezer's track rank runs 0..1,000,000; Spotify's popularity (and the naming
#: thresholds) 0..100.
DEEZER_RANK_MAX = 1_000_000


def deezer_rank_to_popularity(rank: object) -> float | None:
    """Deezer's rank on Spotify's 0..100 popularity scale (None when unknown)."""
    if not isinstance(rank, int | float) or isinstance(rank, bool) or rank != rank:
        return None
    return min(100.0, max(0.0, float(rank) * 100 / DEEZER_RANK_MAX))


def to_track(entry: TrackEntry) -> Track:
    """A kept track entry as the bot's :class:`Track`."""
    tid = str(entry.id)
    album = entry.album or AlbumRef()
    artist = entry.artist or Named()
    return Track(
        id=tid,
        title=entry.title or entry.title_short or "",
        artists=(artist.name,) if artist.name else (),
        album=album.title or "",
        album_id=str(album.id) if album.id is not None else "",
        url=entry.link or f"https://www.deezer.com/track/{tid}",
        image=album.cover_medium or album.cover or "",
        duration_ms=int(entry.duration * 1000) if entry.duration is not None else None,
        explicit=entry.explicit_lyrics,
        popularity=deezer_rank_to_popularity(entry.rank),
        preview_url=entry.preview or "",
    )


def parse_track(raw: Any) -> tuple[Track | str, bool]:
    """(a Track or the reason it is skipped, whether Deezer marks it not playable here)."""
    try:
        entry = TrackEntry.model_validate(raw)
    except ValidationError:
        return ("unavailable entry" if raw is None else "unreadable entry"), False
    if entry.id in (None, "", 0):
        return "unavailable entry", False
    if entry.type not in (None, "track"):
        return "podcast episode", False
    return to_track(entry), entry.readable is False
