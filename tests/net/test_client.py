"""HttpClient against the fakes: retries, Retry-After, timeouts, quotas, Deezer's 200 errors."""

from __future__ import annotations

import asyncio

import pytest

from bot.errors import InputTooLarge, ProviderDown
from bot.net.client import DeezerNoData, HttpClient, HttpError, retry_after_seconds

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
    async with HttpClient(settings.http, pause_scale=0.001) as client:
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
    async with HttpClient(settings.http) as client:
        await asyncio.gather(*(client.get_json(album_url) for _ in range(12)))
    assert fake_deezer.max_in_flight == 3
    assert client.total_requests == 12


def test_retry_after_forms() -> None:
    assert retry_after_seconds("7") == 7
    assert retry_after_seconds(None) is None
    assert retry_after_seconds("soon") is None
    assert retry_after_seconds("Wed, 21 Oct 2015 07:28:00 GMT") == 0


@pytest.mark.parametrize(
    ("kind", "extra"),
    [
        ("html", {"status": 502}),
        ("html", {"status": 503}),
        ("empty", {}),
        ("truncated", {}),
        ("status", {"status": 408}),
        ("status", {"status": 429}),  # no Retry-After: the backoff
        ("status", {"status": 504, "retry_after": "1"}),
        ("deezer_error", {"code": 700, "message": "Service busy"}),
    ],
)
async def test_transient_answers_are_retried(http, fake_deezer, album_url, kind, extra) -> None:
    fault = fake_deezer.fault(kind, route="album", times=2, **extra)
    album = await http.get_json(album_url)
    assert album["label"] == fake_deezer.albums[ALBUM]["label"]
    assert fault.times == 0
    assert fake_deezer.count("album") == 3


@pytest.mark.parametrize(
    ("kind", "extra", "status", "code"),
    [
        ("html", {"status": 403}, 403, None),
        ("status", {"status": 400}, 400, None),
        ("status", {"status": 404}, 404, None),
        ("status", {"status": 405}, 405, None),
        ("deezer_error", {"code": 100, "message": "Too many items"}, 200, 100),
        ("deezer_error", {"code": 500, "message": "Wrong parameter"}, 200, 500),
    ],
)
async def test_refusals_are_typed_and_not_retried(
    http, fake_deezer, album_url, kind, extra, status, code
) -> None:
    fake_deezer.fault(kind, route="album", times=5, **extra)
    with pytest.raises(HttpError) as info:
        await http.get_json(album_url)
    assert (info.value.status, info.value.code) == (status, code)
    assert fake_deezer.count("album") == 1


@pytest.mark.parametrize("chunked", [True, False])
async def test_large_bodies_in_pieces_are_read_whole(http, fake_spotify, chunked) -> None:
    """A 100-item Spotify page (~450 KB) in 16 KB pieces with pauses arrives complete."""
    from tests.fakes.spotify import SpotifyPlaylist

    fake_spotify.chunked = chunked
    fake_spotify.add(SpotifyPlaylist.generated("p" * 22, 100))
    token = (
        await http.request_json(
            "POST", fake_spotify.token_url, data=CREDENTIALS_FORM, headers=basic_auth()
        )
    )["access_token"]
    page = await http.get_json(
        f"{fake_spotify.api_base}/playlists/{'p' * 22}/items",
        params={"limit": 100},
        headers={"Authorization": f"Bearer {token}"},
    )
    assert len(page["items"]) == 100
    assert page["items"][-1]["item"]["available_markets"][-1] == "ZW"


@pytest.mark.parametrize("chunked", [True, False])
async def test_size_cap_holds_while_streaming(http, fake_spotify, chunked) -> None:
    """Over the cap: refused from Content-Length, or as soon as the stream passes it."""
    from tests.fakes.spotify import SpotifyPlaylist

    fake_spotify.chunked = chunked
    fake_spotify.add(SpotifyPlaylist.generated("q" * 22, 100))
    token = (
        await http.request_json(
            "POST", fake_spotify.token_url, data=CREDENTIALS_FORM, headers=basic_auth()
        )
    )["access_token"]
    url = f"{fake_spotify.api_base}/playlists/{'q' * 22}/items?limit=100"

    async def follow() -> None:
        await http._request(
            "GET",
            url,
            lambda *a: None,
            max_bytes=50_000,
            headers={"Authorization": f"Bearer {token}"},
        )

    with pytest.raises(InputTooLarge, match="larger than 50,000 bytes"):
        await follow()


CREDENTIALS_FORM = {"grant_type": "client_credentials"}


def basic_auth() -> dict[str, str]:
    import base64

    from tests.fakes.spotify import CLIENT_ID, CLIENT_SECRET

    raw = base64.b64encode(f"{CLIENT_ID}:{CLIENT_SECRET}".encode()).decode()
    return {"Authorization": f"Basic {raw}"}


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        (b'\xef\xbb\xbf{"a": 1}', {"a": 1}),
        (b"[" * 200_000 + b"]" * 200_000, None),
        (b"\xff\xfe{}", None),
        (b"<html>502</html>", None),
        (b"", None),
    ],
)
def test_loads_never_raises(body, expected) -> None:
    from bot.net.answers import loads

    assert loads(body) == expected


async def test_retry_after_pauses_every_request_to_that_host(
    fake_settings, fake_reccobeats
) -> None:
    """A ReccoBeats 429 + Retry-After holds back the other requests too, and slows the pace."""
    url = f"{fake_reccobeats.api_base}/audio-features"
    fake_reccobeats.fault("status", route="audio-features", status=429, retry_after="1")
    loop = asyncio.get_running_loop()
    async with HttpClient(fake_settings.http, pause_scale=0.3) as client:
        refused_request = asyncio.create_task(client.get_json(url, params={"ids": "a"}))
        await asyncio.sleep(0.1)  # the 429 has arrived: the host is paused for 0.3 s
        start = loop.time()
        await client.get_json(url, params={"ids": "b"})
        waited = loop.time() - start
        await refused_request
        pace = next(p for p in client.adaptive.values() if p.refused)
    assert waited >= 0.15
    assert pace.refused == 1 and pace.rate is not None
    assert fake_reccobeats.count("audio-features") == 3
