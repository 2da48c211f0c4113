"""The map in a member's language: English is the stored PNG (same bytes, nothing
drawn); another language is drawn once in a worker thread and kept per (analysis'
picture, locale), the least recently used going first; the page's file carries it."""

from __future__ import annotations

import threading

import numpy as np
import pytest

from bot.discord_ui.page_layout import PNG_NAME, map_file
from bot.locales import ENGLISH, words_for
from bot.model import Analysis
from bot.render import map as map_module
from bot.render.map import render_overview
from bot.services import explorer as explorer_module
from bot.services.explorer import Explorer
from tests.render.test_pages import make_analysis

JA, KO = words_for("ja"), words_for("ko")


@pytest.fixture
def draws(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, bool]]:
    """Each translated draw: its locale, and whether it ran off the event loop's thread."""
    seen: list[tuple[str, bool]] = []
    loop_thread = threading.get_ident()

    def counted(analysis: Analysis, words=ENGLISH) -> bytes:  # type: ignore[no-untyped-def]
        seen.append((words.locale, threading.get_ident() != loop_thread))
        return map_module.render_overview(analysis, words)

    monkeypatch.setattr(explorer_module, "render_overview", counted)
    return seen


def _analysis(name: str = "Mix") -> Analysis:
    analysis = make_analysis([4, 3], name=name)
    analysis.clusters[0].name = "danceable · upbeat"
    analysis.points = np.random.default_rng(0).normal(size=(7, 2))
    analysis.png = render_overview(analysis)
    return analysis


async def test_english_is_the_stored_png_and_a_translation_is_drawn_once(draws) -> None:
    explorer = Explorer(None, None)  # type: ignore[arg-type]
    analysis = _analysis()
    assert await explorer.overview(analysis) is analysis.png
    assert await explorer.picture(analysis, None, None) is analysis.png
    assert draws == []
    japanese = await explorer.overview(analysis, JA)
    assert japanese != analysis.png and japanese.startswith(b"\x89PNG")
    assert draws == [("ja", True)]  # in a worker thread
    assert await explorer.picture(analysis, None, None, JA) is japanese  # kept
    assert draws == [("ja", True)]
    assert await explorer.overview(analysis, KO) != japanese
    assert [locale for locale, _ in draws] == ["ja", "ko"]


async def test_the_least_recently_used_translation_goes_first(draws) -> None:
    explorer = Explorer(None, None, pictures=2)  # type: ignore[arg-type]
    first, second = _analysis("One"), _analysis("Two")
    await explorer.overview(first, JA)
    await explorer.overview(second, JA)
    await explorer.overview(first, JA)  # used again: the second is now the oldest
    await explorer.overview(first, KO)  # three pictures: the second goes
    assert len(draws) == 3
    await explorer.overview(first, JA)
    assert len(draws) == 3
    await explorer.overview(second, JA)
    assert len(draws) == 4


async def test_the_pages_file_is_the_map_in_the_pages_language(draws) -> None:
    explorer = Explorer(None, None)  # type: ignore[arg-type]
    analysis = _analysis()
    english = await map_file(analysis, ENGLISH, explorer)
    assert english.filename == PNG_NAME and english.fp.read() == analysis.png
    japanese = await map_file(analysis, JA, explorer)
    assert japanese.fp.read() == await explorer.overview(analysis, JA) != analysis.png
    alone = await map_file(analysis, JA, None)  # a pager without an explorer: stored PNG
    assert alone.fp.read() == analysis.png
