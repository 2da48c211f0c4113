"""The providers' rarer refusals in the member's language: YouTube Music's and Spotify's
public page's refused requests, Deezer's error codes, Spotify's page-size refusal and
an over-long playlist reach a ``ja`` member in Japanese (also after crossing the job
queue), while ``str(error)`` stays the English the CLI prints."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest

from bot.discord_ui.answers import sentence_for
from bot.errors import BadLink, InputTooLarge, ProviderDown, UnusableAnswer, UserError
from bot.jobs.protocol import error_from_wire, error_to_wire
from bot.locales import words_for
from bot.model import PlaylistRef
from bot.net.client import HttpClient, HttpError
from bot.sources import deezer, spotify
from bot.sources.deezer import DeezerSource
from bot.sources.deezer_api import PlaylistMeta, parse_answer
from bot.sources.spotify_page import SpotifyPageSource
from bot.sources.ytmusic import YTMusicSource
from tests.fakes import make_settings
from tests.fakes.base import serve
from tests.fakes.ytmusic import FEEL_GOOD, FakeYTMusic


def _both(error: UserError) -> tuple[str, str]:
    """The CLI's English and a ``ja`` member's sentence, the latter as the bot says it
    after the error came back from a worker."""
    back = error_from_wire(error_to_wire(error))
    assert str(back) == str(error) and type(back) is type(error)
    return str(error), sentence_for(back, words_for("ja"))


@pytest.fixture
async def ytm() -> AsyncIterator[FakeYTMusic]:
    fake = FakeYTMusic()
    async with serve(fake):
        yield fake


async def test_youtube_musics_refusal_keeps_its_status_in_japanese(ytm: FakeYTMusic) -> None:
    ytm.fault("status", route="browse", status=451)
    settings = make_settings(ytmusic_api_base=ytm.api_base, http_max_retries=1)
    async with HttpClient(settings.http, pause_scale=0.001) as http:
        with pytest.raises(ProviderDown) as caught:
            await YTMusicSource(http, api_base=ytm.api_base).fetch(
                PlaylistRef("ytmusic", FEEL_GOOD)
            )
    assert _both(caught.value) == (
        "YouTube Music refused the request (HTTP 451); please try again later. A Spotify or "
        "Deezer link of the same playlist works, or a CSV export.",
        "YouTube Music がリクエストを拒否しました（HTTP 451）。後でもう一度お試しください。"
        "同じプレイリストの Spotify か Deezer のリンク、または CSV エクスポートが使えます。",
    )


class _Refusing:
    """An HTTP client whose every answer is a refusal with ``status``."""

    def __init__(self, status: int) -> None:
        self.status = status

    async def get_json(self, url: str, **_kw: Any) -> Any:
        raise HttpError(self.status, url)


async def test_spotifys_public_page_refusal_in_japanese() -> None:
    page = SpotifyPageSource(_Refusing(451), embed_base="http://127.0.0.1:9")  # type: ignore[arg-type]
    with pytest.raises(ProviderDown) as caught:
        await page.page("37i9dQZF1DXcBWIGoYBM5M")
    english, japanese = _both(caught.value)
    assert english.startswith("Spotify's public page refused the request (HTTP 451); please ")
    assert japanese.startswith(
        "Spotify の公開ページがリクエストを拒否しました（HTTP 451）。後でもう一度お試しください。"
    )


@pytest.mark.parametrize(
    ("code", "english", "japanese"),
    [
        (
            100,
            "Deezer refused the request: it asked for too many items at once (error 100); "
            "please try again later.",
            "Deezer がリクエストを拒否しました：一度に求めた項目が多すぎます（エラー 100）。"
            "後でもう一度お試しください。",
        ),
        (
            12345,  # not a code Deezer documents: said as an error, its number unformatted
            "Deezer refused the request: it answered with an error (error 12345); please try "
            "again later.",
            "Deezer がリクエストを拒否しました：エラーが返されました（エラー 12345）。"
            "後でもう一度お試しください。",
        ),
    ],
)
async def test_deezers_error_codes_in_japanese(
    fake_settings, fake_deezer, http, code: int, english: str, japanese: str
) -> None:
    fake_deezer.generated(908622995, 20)
    fake_deezer.fault(route="tracks", kind="deezer_error", code=code)
    source = DeezerSource.from_settings(fake_settings.deezer, http)
    with pytest.raises(ProviderDown) as caught:
        await source.fetch(PlaylistRef("deezer", "908622995"))
    assert _both(caught.value) == (english, japanese)


@pytest.mark.parametrize(
    ("error", "english", "japanese"),
    [
        (
            deezer.refusal(HttpError(403, "http://127.0.0.1:9/playlist/1")),
            "Deezer refused the request (HTTP 403); please try again later.",
            "Deezer がリクエストを拒否しました（HTTP 403）。後でもう一度お試しください。",
        ),
        (
            spotify.refusal(
                HttpError(400, "http://127.0.0.1:9/v1", {"error": "Invalid limit"})
            ),
            "Spotify refused the page size this bot asks for (HTTP 400 about `limit`); please "
            "report it to the bot's maintainers. A Deezer link of the same playlist works, or "
            "an Exportify CSV export (https://exportify.net) uploaded as a file.",
            "Spotify がこのボットの求めるページサイズを拒否しました（`limit` についての "
            "HTTP 400）。ボットの管理者に知らせてください。同じプレイリストの Deezer のリンクか、"
            "ファイルとしてアップロードした Exportify の CSV（https://exportify.net）が使えます。",
        ),
        (
            spotify.refusal(HttpError(405, "http://127.0.0.1:9/v1")),
            "Spotify refused the request (HTTP 405); please try again later.",
            "Spotify がリクエストを拒否しました（HTTP 405）。後でもう一度お試しください。",
        ),
        (
            InputTooLarge(spotify.TOO_MANY, count=12345, limit=10000),
            "That playlist has 12,345 tracks; I read at most 10,000.",
            "そのプレイリストは 12,345 曲あります。読めるのは最大 10,000 曲です。",
        ),
    ],
    ids=["deezer-http", "spotify-page-size", "spotify-http", "too-many"],
)
def test_refusals_in_japanese(error: UserError, english: str, japanese: str) -> None:
    assert _both(error) == (english, japanese)


def test_a_spotify_bad_id_and_an_unusable_answer_in_japanese() -> None:
    bad = spotify.refusal(HttpError(400, "http://127.0.0.1:9/v1", {"error": "bad id"}))
    assert isinstance(bad, BadLink)
    assert _both(bad) == (
        "Spotify says that playlist id is not valid.",
        "Spotify によると、そのプレイリスト ID は無効です。",
    )
    with pytest.raises(UnusableAnswer) as caught:
        parse_answer(PlaylistMeta, {"nb_tracks": "many"}, "that playlist")
    assert _both(caught.value) == (
        "Deezer gave an unusable answer for that playlist; please try again later.",
        "Deezer からそのプレイリストについて使えない応答が返りました。後でもう一度お試しください。",
    )


@pytest.mark.parametrize(
    ("fault", "english", "japanese"),
    [
        (
            {"kind": "empty", "times": 10},
            "an empty answer",
            "空の応答",
        ),
        (
            {"kind": "truncated", "times": 10},
            "connection failed: ClientPayloadError",
            "接続失敗：ClientPayloadError",
        ),
        ({"kind": "status", "status": 503, "times": 10}, "HTTP 503", "HTTP 503"),
    ],
    ids=["empty", "truncated", "503"],
)
async def test_why_a_provider_is_not_answering_in_japanese(
    fake_settings, fake_deezer, http, fault, english: str, japanese: str
) -> None:
    fake_deezer.generated(908622995, 20)
    fake_deezer.fault(route="tracks", **fault)
    source = DeezerSource.from_settings(fake_settings.deezer, http)
    with pytest.raises(ProviderDown) as caught:
        await source.fetch(PlaylistRef("deezer", "908622995"))
    said_en, said_ja = _both(caught.value)
    tries = http.max_retries + 1
    assert said_en == (
        f"Deezer is not answering properly right now ({english}, {tries} tries); please try "
        "again in a few minutes."
    )
    assert said_ja == (
        f"Deezer が今は正しく応答していません（{japanese}、{tries} 回試行）。"
        "数分後にもう一度お試しください。"
    )
