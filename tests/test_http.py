"""HttpClient against the fakes: retries, Retry-After, timeouts, quotas, Deezer's 200 errors."""

from __future__ import annotations

import asyncio

import pytest

from bot.errors import ProviderDown
from bot.http import DeezerNoData, HttpClient, HttpError, retry_after_seconds

ALBUM = 500_001


@pytest.fixture
def album_url(fake_deezer) -> str:
    fake_deezer.generated(1, 20)
    return f"{fake_deezer.api_base}/album/{ALBUM}"


async def test_429_with_retry_after_is_retried(http, fake_deezer, album_url) -> None:
    fault = fake_deezer.fault("status", route="album", status=429, retry_after="2")
    album = await http.get_json(album_url)
    assert album["label"] == fake_deezer.albums[ALBUM]["label"]
    assert fault.times == 0
    assert fake_deezer.count("album") == 2


async def test_long_retry_after_is_reported_not_waited(http, fake_deezer, album_url) -> None:
    fake_deezer.fault("status", route="album", status=429, retry_after="3600")
    with pytest.raises(ProviderDown, match="wait 3,600 seconds"):
        await http.get_json(album_url)
    assert fake_deezer.count("album") == 1


async def test_500s_then_success(http, fake_deezer, album_url) -> None:
    fake_deezer.fault("status", route="album", status=503, times=2)
    album = await http.get_json(album_url)
    assert album["id"] == ALBUM
    assert fake_deezer.count("album") == 3


async def test_retries_are_bounded(http, fake_deezer, album_url) -> None:
    fake_deezer.fault("status", route="album", status=500, times=100)
    with pytest.raises(ProviderDown, match=r"Deezer is not answering properly .*HTTP 500, 4 tries"):
        await http.get_json(album_url)
    assert fake_deezer.count("album") == 4  # 1 + HTTP_MAX_RETRIES (3)


async def test_other_4xx_are_not_retried(http, fake_spotify) -> None:
    with pytest.raises(HttpError) as info:
        await http.get_json(f"{fake_spotify.api_base}/playlists/unknown/items")
    assert info.value.status == 401  # no token: a 4xx, raised at once
    assert fake_spotify.count("items") == 1


async def test_slow_answer_times_out_and_is_retried(fake_settings, fake_deezer, album_url) -> None:
    settings = fake_settings.model_copy(update={"http_timeout_seconds": 0.2})
    fake_deezer.fault("slow", route="album", delay=1.0)
    async with HttpClient(settings, pause_scale=0.001) as client:
        album = await client.get_json(album_url)
    assert album["genres"]["data"]
    assert fake_deezer.count("album") == 2


async def test_malformed_json_is_retried(http, fake_deezer, album_url) -> None:
    fake_deezer.fault("malformed", route="album")
    album = await http.get_json(album_url)
    assert album["id"] == ALBUM


async def test_deezer_quota_in_http_200_pauses_and_retries(http, fake_deezer, album_url) -> None:
    fake_deezer.fault("deezer_quota", route="album", times=2)
    album = await http.get_json(album_url)
    assert album["id"] == ALBUM
    assert fake_deezer.count("album") == 3


async def test_deezer_no_data_is_unavailable(http, fake_deezer) -> None:
    with pytest.raises(DeezerNoData, match="does not exist or is private"):
        await http.get_json(f"{fake_deezer.api_base}/playlist/424242")
    assert fake_deezer.count("playlist") == 1


async def test_spotify_quota_exceeded_is_reported_and_remembered(http, fake_spotify) -> None:
    fake_spotify.fault("spotify_quota")
    url = f"{fake_spotify.api_base}/audio-features?ids=x"
    with pytest.raises(ProviderDown, match="used up its request quota"):
        await http.get_json(url)
    with pytest.raises(ProviderDown, match="used up its request quota"):
        await http.get_json(url)
    assert len(fake_spotify.log) == 1  # the second call never left the machine


async def test_concurrency_per_host_is_bounded(fake_settings, fake_deezer, album_url) -> None:
    fake_deezer.latency = 0.02
    settings = fake_settings.model_copy(update={"http_concurrency": 3})
    async with HttpClient(settings) as client:
        await asyncio.gather(*(client.get_json(album_url) for _ in range(12)))
    assert fake_deezer.max_in_flight == 3
    assert client.total_requests == 12


def test_retry_after_forms() -> None:
    assert retry_after_seconds("7") == 7
    assert retry_after_seconds(None) is None
    assert retry_after_seconds("soon") is None
    assert retry_after_seconds("Wed, 21 Oct 2015 07:28:00 GMT") == 0
