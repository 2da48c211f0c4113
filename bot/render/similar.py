"""The "tracks like this one" answer as plain embed text (pure; no discord import)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from bot.analysis.similar import Neighbour
from bot.analysis.vocabulary import column_label, trait_word
from bot.locales import ENGLISH, Words
from bot.model import Analysis, Track
from bot.render.pages import LINK_URL_LIMIT, fit, safe_url
from bot.text import utf16_len

#: Discord's embed limits (this answer is an embed, not a layout page).
TITLE_LIMIT = 256
DESCRIPTION_LIMIT = 4096


@dataclass(frozen=True, slots=True)
class SimilarText:
    """Title and lines of the answer embed, each within Discord's limits."""

    title: str
    lines: tuple[str, ...]
    footer: str

    @property
    def description(self) -> str:
        return "\n".join(self.lines)


def shared_words(shared: Sequence[tuple[str, bool]], words: Words = ENGLISH) -> str:
    """'both fast · high energy · k-pop', or 'close on every feature' when nothing stands
    out (in ``words``' language)."""
    found: list[str] = []
    for column, above in shared:
        word = trait_word(column, above) or f"{'high' if above else 'low'} {column_label(column)}"
        if word not in found:
            found.append(word)
    if not found:
        return words("close on every feature")
    return words("both {traits}", traits=words.name(" · ".join(found)))


def track_name(track: Track) -> str:
    """'Title — Artist, Artist' (raw text, for select options and autocomplete)."""
    artists = ", ".join(a for a in track.artists if a)
    return f"{track.title} — {artists}" if artists else track.title


def _line(number: int, track: Track, cluster: int, reason: str, budget: int) -> str:
    url = safe_url(track.url, LINK_URL_LIMIT)
    title = fit(track.title or "untitled", 80) or "…"
    head = f"{number}. [{title}]({url})" if url else f"{number}. **{title}**"
    artists = fit(", ".join(a for a in track.artists if a), 60)
    line = head + (f" — {artists}" if artists else "") + f" · #{cluster} · {reason}"
    if utf16_len(line) > budget:
        line = f"{number}. **{title}** · #{cluster} · {reason}"
    return line if utf16_len(line) <= budget else f"{number}. " + fit(track.title, budget - 5)


def similar_text(
    analysis: Analysis, index: int, neighbours: Sequence[Neighbour], words: Words = ENGLISH
) -> SimilarText:
    """The answer for track ``index`` (playlist order) and its nearest ``neighbours``,
    in ``words``' language."""
    tracks = analysis.playlist.tracks
    labels = analysis.labels
    title = fit(words("Tracks like {track}", track=track_name(tracks[index])), TITLE_LIMIT)
    budget = (DESCRIPTION_LIMIT - 20) // max(1, len(neighbours))
    lines = tuple(
        _line(i, tracks[n.index], labels[n.index] + 1, shared_words(n.shared, words), budget)
        for i, n in enumerate(neighbours, start=1)
    ) or (words("*No other tracks in this playlist.*"),)
    own = labels[index] + 1
    footer = fit(
        words(
            "Nearest in {playlist} by the features the clusters use · "
            "the track is in cluster #{number}",
            playlist=analysis.playlist.name,
            number=own,
        ),
        1024,
        markdown=False,
    )
    return SimilarText(title=title, lines=lines, footer=footer)
