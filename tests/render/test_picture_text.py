"""The pictures in a member's language: the texts handed to matplotlib (legend, title,
axes, bar labels) are the catalogs' words, the same cluster names the page header
says; English draws exactly the texts it drew before."""

from __future__ import annotations

import numpy as np
import pytest
from matplotlib.figure import Figure
from matplotlib.text import Text

from bot.locales import ENGLISH, words_for
from bot.model import Analysis
from bot.render.apart import apart_title, render_apart
from bot.render.map import render_map, render_overview
from bot.render.pages import cluster_title
from bot.render.picture_text import map_title, projection_label
from bot.render.taste_map import render_taste_map
from tests.render.test_pages import make_analysis

JA = words_for("ja")
PROJECTION = "speechiness ← → acousticness, energy  (36% of variation)"
PROJECTION_JA = "語り度 ← → アコースティック度, エネルギー（ばらつきの 36%）"


@pytest.fixture
def drawn(monkeypatch: pytest.MonkeyPatch) -> list[list[str]]:
    """The texts of every figure saved, as matplotlib holds them when it saves."""
    seen: list[list[str]] = []
    save = Figure.savefig

    def spy(self: Figure, *args: object, **kwargs: object) -> None:
        seen.append([t.get_text() for t in self.findobj(Text) if t.get_text()])
        save(self, *args, **kwargs)

    monkeypatch.setattr(Figure, "savefig", spy)
    return seen


def _analysis() -> Analysis:
    analysis = make_analysis([4, 3], name="Mix", cluster_name="x")
    analysis.clusters[0].name = "danceable · upbeat"
    analysis.clusters[1].name = "not enough to hear"
    analysis.points = np.random.default_rng(0).normal(size=(7, 2))
    analysis.x_label = PROJECTION
    analysis.y_label = "less ← → tempo  (20% of variation)"
    return analysis


def test_the_projection_label_is_read_back_and_said_again() -> None:
    assert projection_label(PROJECTION) == PROJECTION
    assert projection_label(PROJECTION, JA) == PROJECTION_JA
    german = projection_label("less ← → tempo, k-pop  (20% of variation)", words_for("de"))
    assert german == "weniger ← → Tempo, k-pop  (20\xa0% der Streuung)"  # a genre stays a genre
    assert projection_label("", JA) == "" and projection_label("energy", JA) == "エネルギー"


def test_a_japanese_map_has_the_headers_cluster_names_and_japanese_axes(drawn) -> None:
    analysis = _analysis()
    render_overview(analysis, JA)
    texts = drawn[-1]
    assert "#1 踊れる · 明るい (4)" in texts
    assert "#2 聴き分けられない曲 (3)" in texts  # the group "not enough to hear"
    assert "踊れる · 明るい" in cluster_title(analysis.clusters[0], JA)  # as the header says
    assert "Mix のクラスター" in texts
    assert PROJECTION_JA in texts
    assert "少ない ← → テンポ（ばらつきの 20%）" in texts
    assert not any("danceable" in t or "variation" in t for t in texts)


def test_english_draws_the_texts_it_always_drew(drawn) -> None:
    analysis = _analysis()
    render_overview(analysis)
    assert set(drawn[-1]) >= {
        "#1 danceable · upbeat (4)",
        "#2 not enough to hear (3)",
        "Clusters in Mix",
        PROJECTION,
    }
    render_map(analysis, "energy", None)
    assert "Clusters in Mix (7 tracks without a value not shown)" in drawn[-1]
    assert map_title("Mix", 1) == "Clusters in Mix (1 track without a value not shown)"


def test_a_map_on_features_names_them_in_japanese(drawn) -> None:
    analysis = _analysis()
    for i, track in enumerate(analysis.playlist.tracks[:5]):
        track.audio = {"tempo": 100.0 + i, "energy": 0.1 * i}
    render_map(analysis, "tempo", "energy", JA)
    texts = drawn[-1]
    assert "テンポ（BPM）" in texts and "エネルギー" in texts
    assert "Mix のクラスター (値のない 2 曲は非表示)" in texts


def test_the_bar_chart_in_japanese(drawn) -> None:
    analysis = _analysis()
    differences = [("energy", 1.2), ("genre:k-pop", -0.5), ("script:Japanese", 0.7)]
    title = apart_title(analysis.clusters[0], JA)
    assert title == "クラスター #1 · 踊れる · 明るい · 際立つ特徴"
    render_apart(differences, cluster=0, title=title, words=JA)
    texts = drawn[-1]
    assert {"エネルギー", "ジャンル: k-pop", "日本語の曲名", title} <= set(texts)
    assert "プレイリスト平均からの標準偏差" in texts
    render_apart([], cluster=0, title=title, words=JA)
    assert "目立つ特徴はありません" in drawn[-1]
    # English as before
    english = apart_title(analysis.clusters[0], ENGLISH)
    render_apart(differences, cluster=0, title=english)
    assert english == "Cluster #1 · danceable · upbeat · what sets it apart"
    assert {"energy", "genre: k-pop", "script: Japanese"} <= set(drawn[-1])
    assert "standard deviations from the playlist's average" in drawn[-1]


def test_the_taste_maps_title_and_axes_in_japanese(drawn) -> None:
    points = np.random.default_rng(0).normal(size=(20, 2))
    groups = np.arange(20) % 2
    title = JA("Sounds of {server}", server="夜の部")
    render_taste_map(
        points, groups, ["a (10)", "b (10)"], title=title, x_label=PROJECTION, words=JA
    )
    assert {"夜の部 の音", PROJECTION_JA} <= set(drawn[-1])
