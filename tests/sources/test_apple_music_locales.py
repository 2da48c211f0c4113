"""Apple Music's sentences in the member's language: a refused link, a missing or
refused page, a switched-off reader, a changed page, and how much of a playlist the
public page showed reach a ``ja`` member in Japanese (also after crossing the job
queue), while ``str(error)`` and the stored notes stay the English the CLI prints."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import replace

import pytest

from bot.discord_ui.answers import sentence_for
from bot.errors import BadInput, BadLink, PlaylistUnavailable, ProviderDown, UserError
from bot.jobs.protocol import error_from_wire, error_to_wire
from bot.locales import words_for
from bot.model import PlaylistRef
from bot.net.client import HttpClient
from bot.net.links import parse_link
from bot.render.document import reading_sentences
from bot.sources.apple_music import AppleMusicSource
from tests.fakes import make_settings
from tests.fakes.apple_music import PID, SLUG, FakeAppleMusic, playlist_page
from tests.fakes.base import serve
from tests.storage.helpers import analyse, synthetic_playlist

REF = PlaylistRef("apple", f"us/{SLUG}/{PID}")
ELSEWHERE_EN = (
    "A Spotify, Deezer or YouTube Music link of the same playlist works, or a CSV export."
)
ELSEWHERE_JA = (
    "同じプレイリストの Spotify・Deezer・YouTube Music のリンク、"
    "または CSV エクスポートが使えます。"
)


def _both(error: UserError) -> tuple[str, str]:
    """The CLI's English and a ``ja`` member's sentence, the latter as the bot says it
    after the error came back from a worker."""
    back = error_from_wire(error_to_wire(error))
    assert str(back) == str(error)
    return str(error), sentence_for(back, words_for("ja"))


@pytest.mark.parametrize(
    ("link", "english", "japanese"),
    [
        (
            "https://music.apple.com/library/playlist/p.ZOAXxyz",
            "That is a playlist in someone's own Apple Music library, which only they can "
            "see; share it publicly (Share Playlist) and paste that link.",
            "それは個人の Apple Music ライブラリにあるプレイリストで、本人にしか見えません。"
            "公開で共有して（「プレイリストを共有」）、そのリンクを貼ってください。",
        ),
        (
            "https://music.apple.com/us/playlist/x/123",
            "That Apple Music link has no valid playlist id (pl.… at its end).",
            "その Apple Music のリンクには正しいプレイリスト ID（末尾の pl.…）がありません。",
        ),
    ],
    ids=["library-playlist", "no-playlist-id"],
)
def test_a_refused_apple_link_is_said_in_japanese(link: str, english: str, japanese: str) -> None:
    with pytest.raises(BadLink) as caught:
        parse_link(link)
    assert _both(caught.value) == (english, japanese)


@pytest.fixture
async def apple() -> AsyncIterator[FakeAppleMusic]:
    fake = FakeAppleMusic()
    fake.pages[PID] = playlist_page(20)
    async with serve(fake):
        yield fake


async def _refusal(fake: FakeAppleMusic, ref: PlaylistRef, **kw: object) -> UserError:
    settings = make_settings(apple_music_base=fake.base, http_max_retries=1)
    async with HttpClient(settings.http, pause_scale=0.001) as http:
        with pytest.raises(UserError) as caught:
            await AppleMusicSource(http, base=fake.base, **kw).fetch(ref)  # type: ignore[arg-type]
    return caught.value


async def test_a_missing_page_is_said_in_japanese(apple: FakeAppleMusic) -> None:
    error = await _refusal(apple, PlaylistRef("apple", "us/pl.u-gone"))  # the fake's 404
    assert isinstance(error, PlaylistUnavailable)
    assert _both(error) == (
        "Apple Music has no public playlist at that link: it is private, was deleted, is not "
        "available in that country, or the link is wrong.",
        "Apple Music にそのリンクの公開プレイリストはありません。非公開か、削除されたか、"
        "その国では利用できないか、リンクが間違っています。",
    )


async def test_a_refused_request_keeps_its_status_in_japanese(apple: FakeAppleMusic) -> None:
    apple.fault("status", route="page", status=451)  # a refusal no retry would change
    error = await _refusal(apple, REF)
    assert isinstance(error, ProviderDown)
    assert _both(error) == (
        "Apple Music's public page refused the request (HTTP 451); please try again later. "
        + ELSEWHERE_EN,
        "Apple Music の公開ページがリクエストを拒否しました（HTTP 451）。"
        "後でもう一度お試しください。" + ELSEWHERE_JA,
    )


async def test_a_changed_page_and_a_switched_off_reader_in_japanese(apple) -> None:
    apple.pages[PID] = b"<html><body>a new build</body></html>"
    changed = await _refusal(apple, REF)
    assert isinstance(changed, PlaylistUnavailable)
    assert _both(changed) == (
        "Apple Music's public page for that playlist has no track list I can read (Apple may "
        "have changed the page). " + ELSEWHERE_EN,
        "そのプレイリストの Apple Music 公開ページに、読める曲リストがありません"
        "（Apple がページを変えたのかもしれません）。" + ELSEWHERE_JA,
    )
    off = await _refusal(apple, REF, enabled=False)
    assert isinstance(off, BadInput)
    assert _both(off) == (
        "This bot's host has switched off reading Apple Music links. " + ELSEWHERE_EN,
        "このボットの運営者が Apple Music のリンクの読み込みを止めています。" + ELSEWHERE_JA,
    )


async def test_what_the_page_showed_is_said_again_in_japanese(apple: FakeAppleMusic) -> None:
    apple.pages[PID] = playlist_page(20, count=1312)
    settings = make_settings(apple_music_base=apple.base)
    async with HttpClient(settings.http, pause_scale=0.001) as http:
        read = await AppleMusicSource(http, base=apple.base).fetch(REF)
    assert read.limit_note == (  # stored, and printed by the CLI, as before
        "20 of 1,312 tracks: Apple Music's public page shows only the first 20. A Spotify, "
        "Deezer or YouTube Music link of the same playlist, or a CSV export, reads all of them."
    )
    analysis = analyse(synthetic_playlist(20), png=False)
    shown = replace(analysis.playlist, listed=1312, origin=read.origin, limit_note=read.limit_note)
    public = replace(analysis, playlist=shown)
    english = reading_sentences(public)
    assert english[0].startswith("Read 20 of 1,312 tracks from Apple Music's public page; ")
    assert english[1] == read.limit_note
    ja = reading_sentences(public, words_for("ja"))
    assert ja[0].startswith("1,312 曲中 20 曲を読み込み（Apple Music の公開ページから）")
    assert ja[1] == (
        "1,312 曲中 20 曲：Apple Music の公開ページには最初の 20 曲しか表示されません。"
        "全曲を読むには、同じプレイリストの Spotify・Deezer・YouTube Music のリンクか "
        "CSV エクスポートを使ってください。"
    )
    fr = reading_sentences(public, words_for("fr"))
    assert fr[1].startswith("20 titres sur 1\u202f312 : la page publique d'Apple Music")
