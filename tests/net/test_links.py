"""Link parsing (pure) and short-link resolution against a fake redirect server."""

from __future__ import annotations

import asyncio

import aiohttp
import pytest
from aiohttp import web
from aiohttp.test_utils import TestServer
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.errors import BadLink, ProviderDown
from bot.model import PlaylistRef
from bot.net.client import HttpClient
from bot.net.links import SHORT_LINK_HOSTS, parse_link, resolve_link
from tests.fakes import make_settings

SID = "37i9dQZF1DXcBWIGoYBM5M"


@pytest.mark.parametrize(
    "text",
    [
        f"https://open.spotify.com/playlist/{SID}",
        f"https://open.spotify.com/playlist/{SID}?si=4f1c2d9e8a7b4c3d",
        f"http://open.spotify.com/playlist/{SID}",
        f"open.spotify.com/playlist/{SID}",
        f"https://open.spotify.com/intl-de/playlist/{SID}",
        f"https://open.spotify.com/intl-pt/playlist/{SID}?si=x&pt=y",
        f"https://open.spotify.com/embed/playlist/{SID}",
        f"https://open.spotify.com/user/someone/playlist/{SID}",
        f"https://play.spotify.com/playlist/{SID}",
        f"<https://open.spotify.com/playlist/{SID}>",
        f"  https://open.spotify.com/playlist/{SID}.  ",
        f"spotify:playlist:{SID}",
        f"spotify:user:someone:playlist:{SID}",
        SID,
    ],
)
def test_spotify_playlist_forms(text: str) -> None:
    assert parse_link(text) == PlaylistRef("spotify", SID)


@pytest.mark.parametrize(
    "text",
    [
        "https://www.deezer.com/playlist/908622995",
        "https://deezer.com/playlist/908622995",
        "https://www.deezer.com/fr/playlist/908622995",
        "https://www.deezer.com/pt-br/playlist/908622995?utm_source=x",
        "www.deezer.com/en/playlist/908622995",
        "deezer:playlist:908622995",
    ],
)
def test_deezer_playlist_forms(text: str) -> None:
    assert parse_link(text) == PlaylistRef("deezer", "908622995")


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        (f"https://open.spotify.com/track/{SID}", "a track"),
        (f"https://open.spotify.com/intl-fr/album/{SID}", "an album"),
        (f"https://open.spotify.com/artist/{SID}", "an artist"),
        (f"spotify:track:{SID}", "a track"),
        ("https://www.deezer.com/fr/track/3135556", "a track"),
        ("https://www.deezer.com/album/302127", "an album"),
        ("https://deezer.com/artist/27", "an artist"),
    ],
)
def test_other_kinds_say_what_they_are(text: str, kind: str) -> None:
    with pytest.raises(BadLink) as info:
        parse_link(text)
    assert str(info.value) == f"That is {kind} link; paste a playlist link."


@pytest.mark.parametrize(
    "text",
    [
        "",
        "hello",
        "12345",  # a bare number could be any Deezer object
        "https://example.com/playlist/908622995",
        "https://open.spotify.com.evil.com/playlist/" + SID,
        "https://open.spotify.com/playlist/tooShort",
        "https://www.deezer.com/playlist/notanumber",
        "ftp://open.spotify.com/playlist/" + SID,
        "spotify:playlist:",
        "https://spotify.link/abc",  # short links need resolve_link
    ],
)
def test_refused_texts(text: str) -> None:
    with pytest.raises(BadLink):
        parse_link(text)


@given(st.text(max_size=300))
def test_random_junk_never_crashes(text: str) -> None:
    try:
        ref = parse_link(text)
    except BadLink as exc:
        assert str(exc)
    else:
        assert ref.source in {"spotify", "deezer"}


# --- short links -------------------------------------------------------------------


class Redirects:
    """A fake short-link service: path -> (status, Location) answers; records requests."""

    def __init__(self) -> None:
        self.routes: dict[str, tuple[int, str]] = {}
        self.pages: dict[str, str] = {}
        self.seen: list[str] = []
        self.app = web.Application()
        self.app.router.add_get("/{tail:.*}", self.handle)

    async def handle(self, request: web.Request) -> web.StreamResponse:
        self.seen.append(request.path_qs)
        if request.path in self.pages:
            return web.Response(text=self.pages[request.path], content_type="text/html")
        status, location = self.routes.get(request.path, (404, ""))
        if status == 404:
            return web.Response(status=404)
        return web.Response(status=status, headers={"Location": location})


@pytest.fixture
async def redirects():
    fake = Redirects()
    server = TestServer(fake.app, host="127.0.0.1")
    await server.start_server()
    fake.origin = str(server.make_url("/")).rstrip("/")
    yield fake
    await server.close()


@pytest.fixture
async def http():
    client = HttpClient(make_settings(http_max_retries=0).http, pause_scale=0.0)
    yield client
    await client.close()


def _origins(fake: Redirects) -> dict[str, str]:
    return {host: fake.origin for host in (*SHORT_LINK_HOSTS, "spotify.app.link")}


async def test_spotify_short_link_two_hops(redirects, http) -> None:
    redirects.routes["/abcDEF"] = (307, "https://spotify.app.link/xyz")
    redirects.routes["/xyz"] = (302, f"https://open.spotify.com/playlist/{SID}?si=1")
    ref = await resolve_link("https://spotify.link/abcDEF", http, origins=_origins(redirects))
    assert ref == PlaylistRef("spotify", SID)
    assert redirects.seen == ["/abcDEF", "/xyz"]


async def test_deezer_short_link_relative_redirect(redirects, http) -> None:
    redirects.routes["/s/30yQ1"] = (302, "/s/30yQ2")
    redirects.routes["/s/30yQ2"] = (301, "https://www.deezer.com/fr/playlist/908622995?host=1")
    ref = await resolve_link("link.deezer.com/s/30yQ1", http, origins=_origins(redirects))
    assert ref == PlaylistRef("deezer", "908622995")


async def test_short_link_that_answers_with_a_page(redirects, http) -> None:
    redirects.pages["/p"] = (
        '<html><meta property="og:url" content="https://www.deezer.com/playlist/1111"></html>'
    )
    ref = await resolve_link("https://deezer.page.link/p", http, origins=_origins(redirects))
    assert ref == PlaylistRef("deezer", "1111")


async def test_short_link_to_a_track_says_so(redirects, http) -> None:
    redirects.routes["/t"] = (302, f"https://open.spotify.com/track/{SID}")
    with pytest.raises(BadLink, match="track link"):
        await resolve_link("https://spotify.link/t", http, origins=_origins(redirects))


@pytest.mark.parametrize(
    "location",
    [
        "https://evil.example.com/playlist/1",
        "http://127.0.0.1:8080/x",
        "https://spotify.link:8443/x",
        "http://spotify.link/x",
        "https://user@spotify.link/x",
        "file:///etc/passwd",
    ],
)
async def test_redirect_off_the_allowlist_is_not_followed(redirects, http, location) -> None:
    redirects.routes["/go"] = (302, location)
    with pytest.raises(BadLink, match="somewhere I do not follow"):
        await resolve_link("https://spotify.link/go", http, origins=_origins(redirects))
    assert redirects.seen == ["/go"]
    assert http.total_requests == 1


async def test_redirect_loop_stops_after_five_hops(redirects, http) -> None:
    redirects.routes["/loop"] = (302, "https://spotify.link/loop")
    with pytest.raises(BadLink, match="more than 5 times"):
        await resolve_link("https://spotify.link/loop", http, origins=_origins(redirects))
    assert len(redirects.seen) == 5


async def test_dead_short_link(redirects, http) -> None:
    with pytest.raises(BadLink, match="HTTP 404"):
        await resolve_link("https://spotify.link/gone", http, origins=_origins(redirects))


async def test_ordinary_links_need_no_request(http) -> None:
    ref = await resolve_link(f"https://open.spotify.com/playlist/{SID}", http)
    assert ref == PlaylistRef("spotify", SID)
    assert http.total_requests == 0


# --- property: only allowlisted hosts are ever fetched ------------------------------

HOSTS = st.sampled_from(
    [
        *sorted(SHORT_LINK_HOSTS),
        "open.spotify.com",
        "www.deezer.com",
        "evil.example.com",
        "spotify.link.evil.com",
        "127.0.0.1",
        "[::1]",
        "10.0.0.1",
        "localhost",
        "evil.com@spotify.link",
        "spotify.link@evil.com",
    ]
)
LINKS = st.builds(
    lambda scheme, host, port, path: f"{scheme}{host}{port}/{path}",
    st.sampled_from(["https://", "http://", "ftp://", "file://", "", "//", "javascript:"]),
    HOSTS,
    st.sampled_from(["", ":443", ":80", ":8080", ":0"]),
    st.text(alphabet=st.characters(codec="utf-8"), max_size=30),
)


class _RefusingResolver(aiohttp.abc.AbstractResolver):
    """Resolves nothing: the property test never leaves the machine."""

    async def resolve(self, host: str, port: int = 0, family: int = 0):  # type: ignore[override]
        raise OSError(f"no network in tests ({host})")

    async def close(self) -> None:
        return None


async def _fetched_urls(text: str) -> list[str]:
    seen: list[str] = []

    async def on_start(_session, _ctx, params) -> None:
        seen.append(str(params.url))

    trace = aiohttp.TraceConfig()
    trace.on_request_start.append(on_start)
    session = aiohttp.ClientSession(
        connector=aiohttp.TCPConnector(resolver=_RefusingResolver()), trace_configs=[trace]
    )
    client = HttpClient(
        make_settings(http_max_retries=0, http_timeout_seconds=0.5).http,
        session=session,
        pause_scale=0.0,
    )
    try:
        await resolve_link(text, client)
    except (BadLink, ProviderDown):
        pass
    finally:
        await session.close()
    return seen


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.one_of(LINKS, st.text(max_size=60)))
def test_only_allowlisted_hosts_are_fetched(text: str) -> None:
    from yarl import URL

    for url in asyncio.run(_fetched_urls(text)):
        u = URL(url)
        assert u.scheme == "https"
        assert u.host in SHORT_LINK_HOSTS
        assert u.port == 443
        assert u.user is None


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("https://music.youtube.com/playlist?list=PLabc_-1", PlaylistRef("ytmusic", "PLabc_-1")),
        ("youtube.com/playlist?list=OLAK5uy_x&si=9", PlaylistRef("ytmusic", "OLAK5uy_x")),
        ("https://m.youtube.com/watch?v=dQw4w9WgXcQ&list=PLq", PlaylistRef("ytmusic", "PLq")),
        ("https://music.youtube.com/browse/VLPLzz", PlaylistRef("ytmusic", "PLzz")),
        ("https://music.apple.com/fr/playlist/x/pl.u-abc", PlaylistRef("apple", "fr/x/pl.u-abc")),
        (
            "https://open.spotify.com/embed/playlist/37i9dQZF1DXcBWIGoYBM5M?utm_source=x",
            PlaylistRef("spotify", "37i9dQZF1DXcBWIGoYBM5M"),
        ),
    ],
)
def test_public_links(text: str, expected: PlaylistRef) -> None:
    assert parse_link(text) == expected


@pytest.mark.parametrize(
    ("text", "said"),
    [
        ("https://www.youtube.com/watch?v=dQw4w9WgXcQ", "not a playlist"),
        ("https://www.youtube.com/playlist?list=WL", "only they can see"),
        ("https://youtube.com/playlist?list=a%20b", "no valid playlist id"),
        ("https://music.youtube.com/channel/UC1", "not a playlist"),
        ("https://music.apple.com/fr/album/x/1440935467", "That is an album link"),
    ],
)
def test_public_links_refused_with_a_reason(text: str, said: str) -> None:
    with pytest.raises(BadLink, match=said):
        parse_link(text)
