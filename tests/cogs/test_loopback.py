"""End to end through a fake Discord on a loopback socket: the real discord.py HTTP
client and gateway code, from login to a reaction turning the page."""

from __future__ import annotations

import asyncio
import os
import signal
from pathlib import Path

import discord
import pytest
import yarl
from aiohttp.test_utils import TestServer

from bot.roots.app import PlaylistBot, run_bot
from bot.sources.csvfile import parse_playlist_csv
from storage.database import Database
from tests.fake_discord import CHANNEL_ID, FakeDiscord
from tests.harness import bot_settings, playlist_csv
from tests.pages_seen import count_components, is_layout, seen


@pytest.fixture
async def fake_discord(monkeypatch: pytest.MonkeyPatch):
    fake = FakeDiscord()
    server = TestServer(fake.app(), host="127.0.0.1")
    await server.start_server()
    fake.base = f"http://127.0.0.1:{server.port}"
    monkeypatch.setattr(discord.http.Route, "BASE", f"{fake.base}/api/v10")
    monkeypatch.setattr(
        discord.gateway.DiscordWebSocket,
        "DEFAULT_GATEWAY",
        yarl.URL(f"ws://127.0.0.1:{server.port}/"),
    )
    try:
        yield fake
    finally:
        await server.close()


async def test_slash_command_upload_and_reaction_over_real_http_and_gateway(
    tmp_path: Path, fake_discord: FakeDiscord
) -> None:
    fake = fake_discord
    bot = PlaylistBot(bot_settings(tmp_path), heartbeat=False, freeze_heap=False)
    runner = asyncio.create_task(bot.start("fake-token"))
    try:
        await asyncio.wait_for(bot.wait_until_ready(), 10)
        assert [c.path for c in fake.calls[:2]] == [
            "/api/v10/users/@me",
            "/api/v10/oauth2/applications/@me",
        ]
        token = await fake.send_clusters_command("Road_Trip.csv", playlist_csv(), clusters=2)

        deferred = await fake.wait_for(lambda c: c.path.endswith(f"/{token}/callback"))
        assert deferred.json["type"] == 5  # deferred "thinking" answer, public

        upload = await fake.wait_for(
            lambda c: c.method == "PATCH" and token in c.path and bool(c.files)
        )
        assert upload.files["clusters.png"].startswith(b"\x89PNG\r\n\x1a\n")
        # a layout message: no content or embeds, the page in components (V2 flag)
        assert is_layout(upload.json) and upload.json["content"] is None
        assert not upload.json.get("embeds")
        page = seen(upload.json)
        assert page.title.startswith("Cluster #1 · ") and page.title.endswith(" · 25 tracks")
        assert page.footer.startswith("Page 1/5 · Cluster 1/2 · Road Trip · ")
        assert page.top.startswith("**Clusters in Road Trip**")
        assert page.gallery == ["attachment://clusters.png"]
        assert page.thumbnails == [f"https://img.example/{n}.jpg" for n in range(5)]
        assert count_components(upload.json["components"]) <= 40
        assert upload.json["allowed_mentions"] == {"parse": []}
        message_id = fake.originals[token]

        reactions = f"/channels/{CHANNEL_ID}/messages/{message_id}/reactions/"
        await fake.wait_for(lambda c: c.method == "PUT" and c.path.endswith("/⏩/@me"))
        added = [c.path for c in fake.calls if c.method == "PUT" and reactions in c.path]
        assert len(added) == 6

        await fake.react(message_id, "▶")
        turned = await fake.wait_for(
            lambda c: (
                c.method == "PATCH"
                and c.path.endswith(f"/channels/{CHANNEL_ID}/messages/{message_id}")
            )
        )
        assert seen(turned.json).footer.startswith("Page 2/5 · Cluster 1/2")
        assert seen(turned.json).top.startswith("**Clusters in Road Trip**")  # kept
        removed = [c for c in fake.calls if c.method == "DELETE" and reactions in c.path]
        assert len(removed) == 1  # the bot may manage messages: it took the arrow back

        # a button on the page turns it too (an update of the message, type 7)
        page_ids = seen(fake.messages[message_id]).custom_ids
        assert "pc:pg:0:0:1:n" in page_ids
        pressed = await fake.send_component(message_id, "pc:pg:0:0:1:n")
        update = await fake.wait_for(lambda c: c.path.endswith(f"/{pressed}/callback"))
        assert update.json["type"] == 7
        assert seen(update.json["data"]).footer.startswith("Page 3/5 · Cluster 1/2")
        assert seen(fake.messages[message_id]).gallery  # the map still resolves
        assert fake.refused == []
    finally:
        await bot.close()
        await asyncio.wait_for(runner, 10)
    assert bot.is_closed()


def _component(message: dict, prefix: str) -> dict:
    rows = [c for c in message["components"] if c["type"] == 1]
    return next(c for row in rows for c in row["components"] if c["custom_id"].startswith(prefix))


async def test_explore_over_real_http_map_and_take_home_round_trip(
    tmp_path: Path, fake_discord: FakeDiscord
) -> None:
    fake = fake_discord
    bot = PlaylistBot(bot_settings(tmp_path), heartbeat=False, freeze_heap=False)
    runner = asyncio.create_task(bot.start("fake-token"))
    try:
        await asyncio.wait_for(bot.wait_until_ready(), 10)
        token = await fake.send_clusters_command("Road_Trip.csv", playlist_csv(), clusters=2)
        first = await fake.wait_for(
            lambda c: c.method == "PATCH" and token in c.path and bool(c.files)
        )
        message_id = fake.originals[token]
        x_axis = _component(fake.messages[message_id], "pc:ax:x:")
        tempo = next(o["value"] for o in x_axis["options"] if o["label"] == "X axis: tempo (BPM)")

        chosen = await fake.send_component(message_id, x_axis["custom_id"], [tempo])
        deferred = await fake.wait_for(lambda c: c.path.endswith(f"/{chosen}/callback"))
        assert deferred.json["type"] == 6  # the message itself will change
        edit = await fake.wait_for(
            lambda c: c.method == "PATCH" and chosen in c.path and bool(c.files)
        )
        png = edit.files["clusters.png"]
        assert png.startswith(b"\x89PNG") and png != first.files["clusters.png"]
        shown = _component(fake.messages[message_id], "pc:ax:x:")
        assert [o["label"] for o in shown["options"] if o.get("default")] == ["X axis: tempo (BPM)"]
        state = await bot.storage.messages.get(message_id)
        assert state.map_x == "tempo"

        home = _component(fake.messages[message_id], "pc:home:")
        pressed = await fake.send_component(message_id, home["custom_id"])
        reply = await fake.wait_for(
            lambda c: c.method == "PATCH" and pressed in c.path and bool(c.files)
        )
        assert sorted(reply.files) == [
            "road-trip-cluster-1.csv",
            "road-trip-cluster-1.m3u8",
            "road-trip-cluster-1.xspf",
        ]
        back = parse_playlist_csv(reply.files["road-trip-cluster-1.csv"], name="b", ref_id="b")
        assert [t.title for t in back.tracks] == [f"Song {n:03d}" for n in range(25)]
    finally:
        await bot.close()
        await asyncio.wait_for(runner, 10)


async def test_a_deezer_link_served_by_the_fake_deezer_api(
    tmp_path: Path, fake_discord: FakeDiscord, fake_deezer
) -> None:
    fake = fake_discord
    playlist = fake_deezer.generated(4242, 36, name="夜のドライブ 🚗")
    for i in (5, 17):
        playlist.tracks[i]["readable"] = False  # not playable in the server's region
    # not about pacing: at Deezer's default 45 requests in 5 s the 46th waits 5 s
    settings = bot_settings(tmp_path, deezer_api_base=fake_deezer.api_base, deezer_rate_per_5s=5000)
    bot = PlaylistBot(settings, heartbeat=False, freeze_heap=False)
    runner = asyncio.create_task(bot.start("fake-token"))
    try:
        await asyncio.wait_for(bot.wait_until_ready(), 10)
        token = await fake.send_clusters_link("https://www.deezer.com/fr/playlist/4242", 3)
        upload = await fake.wait_for(
            lambda c: c.method == "PATCH" and token in c.path and bool(c.files)
        )
        page = seen(upload.json)
        assert "Clusters in 夜のドライブ 🚗" in page.top
        assert "36 tracks in 3 clusters" in page.top
        assert "2 tracks not playable on Deezer in this server's region" in page.top
        assert page.footer.startswith("Page 1/")
        assert "Cluster 1/3 · 夜のドライブ 🚗 · " in page.footer
        assert "](https://www.deezer.com/track/" in page.tracks[0]
        progress = [
            c.json.get("content")
            for c in fake.calls
            if c.method == "PATCH" and token in c.path and c.json
        ]
        assert any(text and text.startswith("Fetching") for text in progress), progress
        assert fake_deezer.count("playlist") >= 1
    finally:
        await bot.close()
        await asyncio.wait_for(runner, 10)


async def test_sigterm_shuts_the_bot_down_cleanly(
    tmp_path: Path, fake_discord: FakeDiscord
) -> None:
    settings = bot_settings(tmp_path)
    task = asyncio.create_task(run_bot(settings, "fake-token"))
    await asyncio.wait_for(fake_discord.ready.wait(), 10)
    os.kill(os.getpid(), signal.SIGTERM)
    await asyncio.wait_for(task, 10)  # returns normally: no exception, nothing left running
    assert fake_discord.ws is not None and fake_discord.ws.closed
    # the database was closed properly: it opens again at once and is intact
    database = await Database.open(settings.database_path)
    try:
        assert await database.integrity_check() == "ok"
    finally:
        await database.close()
