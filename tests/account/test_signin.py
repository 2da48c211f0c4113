"""The whole sign-in through the callback server, as a browser would follow it."""

from __future__ import annotations

import logging
import re
import time

import aiohttp
import pytest
from yarl import URL

from bot.account.oauth import NotConnected, TokenRevoked
from bot.account.pkce import CALLBACK_PATH, SCOPES, challenge
from tests.account.conftest import Env


async def browse(url: str) -> tuple[int, str, aiohttp.ClientResponse]:
    """Open ``url`` like a browser: follow redirects, return status, text and response."""
    async with aiohttp.ClientSession() as browser, browser.get(url) as resp:
        return resp.status, await resp.text(), resp


def paragraphs(page: str) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", page).split())


async def test_connecting_stores_encrypted_tokens_and_says_so(env: Env) -> None:
    user = env.fake.add_user("alice-spotify", "Alice 🎧 アリス")
    url = await env.service.start(42)
    query = URL(url).query
    assert URL(url).with_query(None) == URL(env.fake.authorize_url)
    assert query["code_challenge_method"] == "S256" and query["response_type"] == "code"
    assert set(query["scope"].split()) == set(SCOPES)
    assert query["redirect_uri"] == env.settings.public_url + CALLBACK_PATH

    status, page, resp = await browse(url)
    assert status == 200
    assert resp.headers["Content-Type"] == "text/html; charset=utf-8"
    assert resp.headers["Cache-Control"] == "no-store"
    assert resp.headers["Referrer-Policy"] == "no-referrer"
    assert "<script" not in page
    text = paragraphs(page)
    assert "Spotify connected" in text and "You are connected as Alice 🎧 アリス." in text

    account = await env.db.accounts.get(42)
    assert account is not None and account.spotify_user_id == user.id
    # what the fake handed out is nowhere in the database file, in any form
    (access,) = list(env.fake.access_users)
    (refresh,) = list(env.fake.refresh_tokens)
    raw = b"".join(p.read_bytes() for p in env.db.path.parent.glob("bot.db*"))
    assert len(raw) > 4096
    for secret in (access, refresh):
        assert secret.encode() not in raw
    # the code was redeemed with the verifier whose hash went to /authorize
    exchange = env.fake.token_requests[0]
    assert exchange["grant_type"] == "authorization_code"
    assert challenge(exchange["code_verifier"]) == query["code_challenge"]
    assert await env.service.access_token(42) == access


async def test_a_state_works_once(env: Env) -> None:
    env.fake.add_user("u1", "One")
    url = await env.service.start(7)
    status, _, resp = await browse(url)
    assert status == 200
    status, page, _ = await browse(str(resp.url))  # the same callback again
    assert status == 400 and "This sign-in link has expired" in paragraphs(page)


async def test_an_unknown_or_missing_state_is_refused(env: Env) -> None:
    base = env.settings.public_url + CALLBACK_PATH
    for query in ("?code=x&state=nope", "?code=x", "", "?state=" + "x" * 5000):
        status, page, _ = await browse(base + query)
        assert status == 400 and "expired" in paragraphs(page), query
    assert await env.db.accounts.get(7) is None


async def test_a_sign_in_older_than_ten_minutes_has_expired(env: Env) -> None:
    env.fake.add_user("u1", "One")
    clock = [1_000_000.0]
    env.db.accounts.clock = lambda: clock[0]
    env.service.clock = lambda: clock[0] + 601
    url = await env.service.start(7)
    status, page, _ = await browse(url)
    assert status == 400 and "older than 10 minutes" in paragraphs(page)
    assert await env.db.accounts.get(7) is None


async def test_declining_on_spotify_stores_nothing(env: Env) -> None:
    env.fake.add_user("u1", "One")
    env.fake.consent = "access_denied"
    status, page, _ = await browse(await env.service.start(7))
    assert status == 200 and "You declined" in paragraphs(page)
    assert await env.db.accounts.get(7) is None


async def test_an_error_from_spotify_is_shown_escaped(env: Env) -> None:
    env.fake.add_user("u1", "One")
    env.fake.consent = "<b>server_error</b>"
    status, page, _ = await browse(await env.service.start(7))
    assert status == 502
    assert "&lt;b&gt;server_error&lt;/b&gt;" in page and "<b>" not in page
    assert await env.db.accounts.get(7) is None


async def test_a_display_name_cannot_inject_markup(env: Env) -> None:
    env.fake.add_user("u1", '<script>alert("x")</script> & co')
    status, page, _ = await browse(await env.service.start(7))
    assert status == 200
    assert "<script>" not in page
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; co" in page


async def test_a_code_redeemed_with_another_verifier_is_refused(env: Env) -> None:
    env.fake.add_user("u1", "One")
    url = URL(await env.service.start(7))
    forged = url.update_query(code_challenge=challenge("not-the-verifier" * 3))
    status, page, _ = await browse(str(forged))
    assert status == 502 and "code_verifier" not in page  # Spotify's error, not our secret
    assert "Spotify did not accept the sign-in (invalid_grant)" in paragraphs(page)
    assert await env.db.accounts.get(7) is None


async def test_other_paths_are_not_found(env: Env) -> None:
    status, page, _ = await browse(env.settings.public_url + "/admin")
    assert status == 404 and "only finishes Spotify sign-ins" in page


async def test_tokens_are_refreshed_before_expiry_and_on_401(env: Env) -> None:
    env.fake.add_user("u1", "One", liked=3)
    await browse(await env.service.start(7))
    first = await env.service.access_token(7)
    # close to expiry: renewed before use
    env.service.clock = lambda: 10**12
    second = await env.service.access_token(7)
    assert second != first
    env.service.clock = time.time
    assert await env.service.access_token(7) == second  # the renewed token was stored
    # a token Spotify refuses mid-use: refreshed once, the call repeated
    env.fake.expire_access_tokens()
    env.service.clock = lambda: 0.0
    me = await env.library.auth(7).get(f"{env.fake.api_base}/me")
    assert me["id"] == "u1"
    assert sum(r["grant_type"] == "refresh_token" for r in env.fake.token_requests) == 2


async def test_a_revoked_grant_disconnects_and_asks_to_connect_again(env: Env) -> None:
    env.fake.add_user("u1", "One", liked=3)
    await browse(await env.service.start(7))
    env.fake.revoke("u1")
    with pytest.raises(TokenRevoked, match="Connect again with `/spotify connect`"):
        await env.library.auth(7).get(f"{env.fake.api_base}/me")
    assert await env.db.accounts.get(7) is None
    with pytest.raises(NotConnected):
        await env.service.access_token(7)


async def test_disconnect_deletes_the_tokens(env: Env) -> None:
    env.fake.add_user("u1", "One")
    await browse(await env.service.start(7))
    assert await env.service.disconnect(7)
    assert await env.db.accounts.get(7) is None
    assert not await env.service.disconnect(7)


async def test_no_token_code_or_verifier_is_ever_logged(
    env: Env, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    env.fake.add_user("u1", "One", liked=120)
    url = await env.service.start(7)
    await browse(url)
    env.fake.expire_access_tokens()
    await env.library.liked(7, [t["id"] for t in env.fake.users["u1"].liked])
    env.service.clock = lambda: 10**12
    await env.service.access_token(7)
    env.fake.revoke("u1")
    with pytest.raises(TokenRevoked):
        await env.service.access_token(7)
    secrets = [*env.fake.access_users, *env.fake.refresh_tokens]
    secrets += [r["code"] for r in env.fake.token_requests if "code" in r]
    secrets += [r["code_verifier"] for r in env.fake.token_requests if "code_verifier" in r]
    secrets.append(URL(url).query["state"])
    assert len(secrets) >= 6
    # The fake Spotify's own access log (its side of the wire) is not the bot's logging;
    # the bot's callback server keeps none, so no line names its path.
    ours = [r for r in caplog.records if r.name != "aiohttp.access"]
    theirs = [r.getMessage() for r in caplog.records if r.name == "aiohttp.access"]
    assert theirs and not any(f"GET {CALLBACK_PATH}" in line for line in theirs)
    logged = "\n".join(f"{r.getMessage()} {r.args!r} {r.exc_text or ''}" for r in ours)
    assert any(r.name.startswith("bot.") for r in ours)  # the flow does log
    for secret in secrets:
        assert secret not in logged
