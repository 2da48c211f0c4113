"""/spotify connect and disconnect, Liked Songs, 💚 and Save to Spotify, in SimCord."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import aiohttp

from tests.account.conftest import account_settings, fake_accounts, free_port
from tests.fakes.spotify import SpotifyPlaylist
from tests.fakes.spotify_accounts import FakeSpotifyAccounts
from tests.harness import World, playlist_csv, world
from tests.pages_seen import seen

__all__ = ["fake_accounts"]  # the fixture, shared with tests/account


def on(fake: FakeSpotifyAccounts, **extra: Any) -> dict[str, Any]:
    return {
        **account_settings(fake, free_port()),
        "feature_providers": ["spotify"],
        "http_max_retries": 0,
        # aiolimiter's pauses are timers SimCord's virtual clock would hold back
        "spotify_rate_per_second": 10_000.0,
        **extra,
    }


def link_buttons(message: Any) -> list[Any]:
    return [c for row in message.components for c in row.children if getattr(c, "url", None)]


def private_text(result: Any) -> str:
    """The one private answer of an interaction (a reply, or the follow-up of a deferral)."""
    if result.response is not None:
        assert result.ephemeral
        return result.response.content
    (followup,) = result.followups
    assert followup.ephemeral
    return followup.content


def labels(message: Any) -> list[str]:
    return seen(message).labels


async def sign_in(w: World, member: Any) -> str:
    """Run /spotify connect as ``member`` and follow its link like a browser."""
    result = await member.slash(w.channel, "spotify connect")
    assert result.ephemeral
    (button,) = link_buttons(result.response.message)
    async with aiohttp.ClientSession() as browser, browser.get(button.url) as resp:
        assert resp.status == 200
        return await resp.text()


async def test_without_settings_the_commands_say_why_and_pages_have_no_save_button(
    tmp_path: Path,
) -> None:
    async with world(tmp_path) as w:
        result = await w.owner.slash(w.channel, "spotify connect")
        assert result.ephemeral
        assert "PUBLIC_URL, TOKEN_ENCRYPTION_KEY" in result.response.content
        result = await w.owner.slash(w.channel, "spotify disconnect")
        assert result.ephemeral and "not available" in result.response.content
        answer = (await w.clusters(csv_bytes=playlist_csv(), clusters=2)).response
        assert "Save to Spotify" not in labels(w.message(answer.id))
        result = await w.clusters(link="liked songs")
        assert "needs a connected Spotify account" in private_text(result)


async def test_connect_liked_songs_marks_and_save(tmp_path: Path, fake_accounts) -> None:
    fake = fake_accounts
    user = fake.add_user("alice-sp", "Alice アリス", liked=24)
    async with world(tmp_path, **on(fake)) as w:
        page = await sign_in(w, w.owner)
        assert "You are connected as Alice アリス." in page
        account = await w.bot.storage.accounts.get(w.owner.id)
        assert account is not None and account.spotify_user_id == user.id

        # Liked Songs offered by autocomplete and clustered as a source of its own
        offered = await w.autocomplete("clusters", "link", "", user=w.owner)
        assert offered[0] == "liked-songs"
        answer = (await w.clusters(link="liked-songs", clusters=2)).response
        assert "Clusters in Liked Songs" in w.page(answer).top
        # 💚 by consent: never asked, so the shared answer shows none of them ...
        assert not any("💚" in text for text in w.page(w.message(answer.id)).texts)
        # ... while the same answer only she sees shows every one
        mine = await w.clusters(link="liked-songs", clusters=2, private=True)
        tracks = w.page(mine).tracks
        assert tracks and all("💚" in line.split("\n")[0] for line in tracks)
        # she says yes with the button of the connect answer: her next shared page shows them
        connect = await w.owner.slash(w.channel, "spotify connect")
        assert "May your 💚" in connect.response.content
        said = await w.click(w.owner, connect, "Show my 💚 to others")
        assert said.ephemeral and "now show on shared answers" in said.response.content
        assert await w.bot.storage.members.shows_liked(w.owner.id) is True
        await w.react(w.owner, answer.id, "▶")
        assert all("💚" in line.split("\n")[0] for line in w.page(w.message(answer.id)).tracks)
        # a stranger's private copy never shows her 💚 (he has no library of his own)
        copy = await w.click(w.stranger, answer.id, "▶")
        assert copy.ephemeral and not any("💚" in t for t in w.page(copy).tracks)
        # and /hearts takes it back
        await w.owner.slash(w.channel, "hearts", show=False)
        await w.react(w.owner, answer.id, "◀")
        assert not any("💚" in text for text in w.page(w.message(answer.id)).texts)
        # Save to Spotify sits on the page itself, and under the "Take home" answer
        assert "Save to Spotify" in w.page(w.message(answer.id)).labels
        home = await w.click(w.owner, answer.id, "📥 Take home")
        assert "Save to Spotify" in labels(home.response.message)

        # the owner saves the cluster on the page into their account, privately
        saved = await w.click(w.owner, home, "Save to Spotify")
        assert "private playlist: https://open.spotify.com/playlist/" in private_text(saved), (
            saved,
            w.errors(),
        )
        (created,) = fake.created.values()
        assert created["owner"] == user.id and created["public"] is False
        first_cluster = w.page(w.message(answer.id)).title
        size = int(first_cluster.rsplit(" · ", 1)[1].split()[0])
        assert len(created["uris"]) == size

        # a member without an account is told how to get one, privately
        refused = await w.click(w.stranger, home, "Save to Spotify")
        assert "/spotify connect" in private_text(refused)
        assert len(fake.created) == 1

        result = await w.owner.slash(w.channel, "spotify disconnect")
        assert result.ephemeral and "tokens are deleted" in result.response.content
        assert await w.bot.storage.accounts.get(w.owner.id) is None


async def test_own_playlists_are_offered_and_a_revoked_grant_asks_to_connect_again(
    tmp_path: Path, fake_accounts
) -> None:
    fake = fake_accounts
    user = fake.add_user("bob-sp", "Bob")
    mine = SpotifyPlaylist.generated("7" * 22, 20, name="夜のドライブ 🚗")
    fake.add_own_playlist(user, mine)
    async with world(tmp_path, **on(fake)) as w:
        assert await w.autocomplete("clusters", "link", "", user=w.owner) == []  # not connected
        await sign_in(w, w.owner)
        offered = await w.autocomplete("clusters", "link", "ドライブ", user=w.owner)
        assert offered == ["spotify:playlist:" + "7" * 22]
        answer = (await w.clusters(link=offered[0], clusters=2)).response
        assert "夜のドライブ" in w.page(answer).top
        fake.revoke(user.id)
        fake.expire_access_tokens()
        result = await w.clusters(link=offered[0], clusters=3)
        assert "Connect again with `/spotify connect`" in private_text(result)
        assert await w.bot.storage.accounts.get(w.owner.id) is None
