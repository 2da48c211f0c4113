"""When a Deezer search result is the same recording as a track from elsewhere (pure).

A wrong match is worse than none (it would give the track another song's album, label
and tempo), so a candidate is accepted only when all three agree:

- **duration** within :data:`MAX_SECONDS_APART` seconds (when both are known; a track
  without a duration is never matched by search: too many live takes and edits share
  a title);
- **artist**: the normalised main artist of one side appears among the other side's
  normalised artists (or whole artist text);
- **title**: the normalised titles are equal once version noise is removed
  ("- 2011 Remaster", "(feat. X)", "[Radio Edit]" are dropped on both sides, but a
  "Live", "Acoustic", "Remix", "Instrumental", "Karaoke" or "Cover" marker must be on
  both sides or neither).

Normalising folds case and accents (NFKD, combining marks dropped), turns "&", "and",
"+", "x" between artists into one separator, and drops punctuation, so "Beyoncé" and
"Beyonce", "Simon & Garfunkel" and "Simon and Garfunkel" agree. Scripts without case
(Japanese, Hebrew, Thai) are compared as they are.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass

#: Largest difference of durations, in seconds, of two files of the same recording
#: (services trim silence differently; 3 s covers what they differ by in practice).
MAX_SECONDS_APART = 3
#: Version words that change the recording: they must agree on both sides.
MARKERS = ("live", "acoustic", "remix", "instrumental", "karaoke", "cover", "demo", "acapella")
_BRACKETS = re.compile(r"[\(\[\{]([^\)\]\}]*)[\)\]\}]")
_DASH_TAIL = re.compile(r"\s[-\u2013\u2014]\s(.*)$")
_FEAT = re.compile(r"\b(feat|ft|featuring)\b\.?.*$")
_NON_WORD = re.compile(r"[^\w]+", re.UNICODE)
_JOINERS = re.compile(r"\s*(?:&|\+|,|/|;|\bx\b|\band\b|\bet\b|\by\b|\bund\b)\s*")


def fold(text: str) -> str:
    """Case-folded, accents removed, punctuation to single spaces."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    plain = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return _NON_WORD.sub(" ", plain).strip()


def _markers(text: str) -> frozenset[str]:
    words = set(fold(text).split())
    return frozenset(m for m in MARKERS if m in words)


def core_title(title: str) -> str:
    """The title without bracketed or dashed version notes and featured artists."""
    text = _DASH_TAIL.sub("", title)
    text = _BRACKETS.sub(" ", text)
    text = _FEAT.sub("", text.casefold())
    return fold(text)


def artist_names(artists: Sequence[str]) -> list[str]:
    """Each artist normalised, with joined names ("A & B") split into their parts."""
    names: list[str] = []
    for artist in artists:
        lowered = unicodedata.normalize("NFKC", artist).casefold()
        for part in _JOINERS.split(lowered):
            folded = fold(part)
            if folded:
                names.append(folded)
        whole = fold(artist)
        if whole and whole not in names:
            names.append(whole)
    return names


@dataclass(frozen=True, slots=True)
class Wanted:
    """The track to find: its title, artists and duration in seconds (None: unknown)."""

    title: str
    artists: tuple[str, ...]
    seconds: int | None


@dataclass(frozen=True, slots=True)
class Candidate:
    """A Deezer search result: its id, title, artist name and duration in seconds."""

    id: str
    title: str
    artist: str
    seconds: int | None


def same_artist(wanted: Sequence[str], artist: str) -> bool:
    """Whether the candidate's artist is one of the wanted track's artists (or the other
    way round: a candidate "A & B" for a track by A)."""
    ours = set(artist_names(wanted))
    theirs = set(artist_names([artist]))
    return bool(ours & theirs)


def same_title(wanted: str, found: str) -> bool:
    """Equal core titles and the same version markers (live, remix, ...)."""
    core = core_title(wanted)
    return bool(core) and core == core_title(found) and _markers(wanted) == _markers(found)


def accepts(wanted: Wanted, candidate: Candidate) -> bool:
    """True only when duration, artist and title all agree (see the module's rules)."""
    if wanted.seconds is None or candidate.seconds is None:
        return False
    if abs(wanted.seconds - candidate.seconds) > MAX_SECONDS_APART:
        return False
    return same_artist(wanted.artists, candidate.artist) and same_title(
        wanted.title, candidate.title
    )


def best(wanted: Wanted, candidates: Sequence[Candidate]) -> Candidate | None:
    """The accepted candidate closest in duration (first on a tie), or None."""
    accepted = [c for c in candidates if accepts(wanted, c)]
    if not accepted:
        return None
    assert wanted.seconds is not None
    return min(accepted, key=lambda c: abs((c.seconds or 0) - (wanted.seconds or 0)))


def search_query(wanted: Wanted) -> str:
    """Deezer's advanced search for the track: ``artist:"A" track:"T"`` (quotes removed
    from the values, which Deezer's syntax cannot escape)."""
    artist = " ".join((wanted.artists[0] if wanted.artists else "").replace('"', " ").split())
    title = _DASH_TAIL.sub("", wanted.title)
    title = _BRACKETS.sub(" ", title).replace('"', " ")
    title = " ".join(title.split())
    if artist:
        return f'artist:"{artist}" track:"{title}"'
    return f'track:"{title}"'
