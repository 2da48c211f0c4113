"""What is said below the Discord layer, in the member's language (bot/render/summary.py,
bot.locales.said_again): the feature summary said again from the analysis' numbers, the
clustering's note and the providers' notes read back into their message ids, skipped
entries by reason; English stays exactly what the pipeline stored (the CLI's)."""

from __future__ import annotations

from collections import Counter
from dataclasses import replace

import pytest

from bot.features.audio import PreviewReport
from bot.locales import ENGLISH, words_for
from bot.render.pages import answer_text
from bot.render.summary import (
    DEEZER_BACKGROUND,
    PREVIEWS_FAILED,
    counted,
    feature_summary,
    found_sentences,
    summary_sentences,
)
from tests.storage.helpers import analyse, synthetic_playlist


@pytest.fixture(scope="module")
def analysis():
    return analyse(synthetic_playlist(40), png=False)


def test_english_is_what_the_pipeline_stored(analysis) -> None:
    assert feature_summary(analysis, ENGLISH) == analysis.features.summary
    assert summary_sentences(analysis) == analysis.features.summary  # one definition


def test_a_japanese_answer_says_summary_note_and_provider_notes_in_japanese(analysis) -> None:
    ja = words_for("ja")
    later = replace(analysis.features)
    later.summary = analysis.features.summary + " " + counted(DEEZER_BACKGROUND, 1234)
    noted = replace(analysis, features=later)
    noted.note = analysis.note + " " + counted(PREVIEWS_FAILED, 3, reasons="3 silent")
    noted.playlist = replace(analysis.playlist, skipped={"local file": 2, "mystery": 1})
    said = [text for text, _ in found_sentences(noted, ja)]
    assert said[0] == (
        "40 曲中 40 曲にオーディオ特徴量がありました（Spotify）。 あと 1,234 曲の Deezer の"
        "テンポと音量をバックグラウンドで調べています。数分後にもう一度頼むと、より詳しい答えになります。"
    )
    assert said[1].startswith("クラスター数 ") and "音の特徴量のギャップ統計" in said[1]
    assert said[1].endswith("3 件の試聴音源を分析できませんでした（無音 3 件）。")
    assert said[2] == "スキップ：ローカルファイル 2 件, 1 mystery。"  # an unknown reason: English
    text = answer_text(noted, words=ja)
    assert "gap statistic" not in text and "audio features" not in text


def test_the_reasons_inside_a_preview_note_are_said_in_the_members_language(analysis) -> None:
    report = PreviewReport(skipped=Counter({"silent": 2, "download failed": 1, "odd": 1}))
    english = report.summary()  # what the pipeline stores and the CLI prints
    assert english == "4 previews could not be analysed (2 silent, 1 download failed, 1 odd)."
    later = replace(analysis.features)
    later.summary = analysis.features.summary + " " + english
    noted = replace(analysis, features=later, note=analysis.note + " " + english)
    assert found_sentences(noted)[0][0].endswith(english)
    summary, note = (text for text, _ in found_sentences(noted, words_for("ja"))[:2])
    japanese = "4 件の試聴音源を分析できませんでした（無音 2 件, ダウンロード失敗 1 件, 1 odd）。"
    assert summary.endswith(" " + japanese) and note.endswith(" " + japanese)
    german = feature_summary(noted, words_for("de"))
    assert german.endswith("(stumm: 2, Download fehlgeschlagen: 1, 1 odd).")


def test_a_sentence_no_template_made_stays_as_it_is(analysis) -> None:
    de = words_for("de")
    odd = replace(analysis, note="Something the pipeline never says. " + analysis.note)
    note = dict(found_sentences(odd, de))
    first = next(text for text in note if text.startswith("Something"))
    assert first.startswith("Something the pipeline never says. ") and "Gruppen" in first


def test_how_a_public_page_was_read_is_said_in_the_members_language(analysis) -> None:
    from bot.render.document import reading_sentences
    from bot.sources.spotify_page import ORIGIN, cap_note

    read = replace(
        analysis.playlist, listed=1312, matched=38, origin=ORIGIN, limit_note=cap_note(40, 1312)
    )
    public = replace(analysis, playlist=read)
    english = reading_sentences(public)
    assert english[0] == (
        "Read 40 of 1,312 tracks from Spotify's public embed page; 38 matched on Deezer; "
        "40 with audio features."
    )
    assert english[1].startswith("40 of 1,312 tracks: Spotify shows apps without access")
    ja = reading_sentences(public, words_for("ja"))
    assert ja[0] == (
        "1,312 曲中 40 曲を読み込み（Spotify の公開埋め込みページから）; Deezer で 38 曲を照合; "
        "オーディオ特徴量ありは 40 曲."
    )
    assert ja[1].startswith("1,312 曲中 40 曲：Spotify はアクセス権のないアプリには最初の 40 曲")
