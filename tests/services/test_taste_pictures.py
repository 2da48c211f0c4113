"""The taste map in a member's language: the title the cog says (``Sounds of {server}``)
and the projection's axes in Japanese; English as before."""

from __future__ import annotations

import pytest
from matplotlib.figure import Figure
from matplotlib.text import Text

from bot.locales import words_for
from bot.model import AnalysisOptions, Playlist, PlaylistRef
from bot.services.taste import Entry, TasteService
from tests.labelled import load_rows, to_track


@pytest.fixture
def drawn(monkeypatch: pytest.MonkeyPatch) -> list[list[str]]:
    seen: list[list[str]] = []
    save = Figure.savefig

    def spy(self: Figure, *args: object, **kwargs: object) -> None:
        seen.append([t.get_text() for t in self.findobj(Text) if t.get_text()])
        save(self, *args, **kwargs)

    monkeypatch.setattr(Figure, "savefig", spy)
    return seen


def _entries() -> list[Entry]:
    rows = load_rows()
    made = []
    for genre in ("rock", "rap"):
        tracks = [to_track(r) for r in rows if r["playlist_genre"] == genre][:40]
        made.append(Entry(genre, Playlist(PlaylistRef("csv", genre), genre, tracks, "v1")))
    return made


async def test_a_taste_map_in_japanese_and_in_english(drawn) -> None:
    service = TasteService(None, None, AnalysisOptions(), None)  # type: ignore[arg-type]
    ja = words_for("ja")
    await service.map(_entries(), ja("Sounds of {server}", server="夜の部"), ja)
    japanese = drawn[-1]
    assert "夜の部 の音" in japanese
    assert sum("ばらつきの" in t for t in japanese) == 2  # both axes, said in Japanese
    assert not any("of variation" in t for t in japanese)
    await service.map(_entries(), "Sounds of Night")
    english = drawn[-1]
    assert "Sounds of Night" in english
    assert sum("of variation" in t for t in english) == 2
