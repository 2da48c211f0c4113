"""Bot figures: event-loop stalls during a 10,000-track analysis, and cached answer time.

Runs the real bot (discord.py HTTP + gateway) against the fake Discord of the tests on
127.0.0.1, with a 10,000-track CSV upload and a 10,000-track Deezer playlist served by
the fake Deezer API. Prints:

- the largest event-loop stall while each playlist is analysed (target < 50 ms),
  measured by a 5 ms ticker running on the bot's loop;
- the time from a cached request's INTERACTION_CREATE to the answer reaching Discord
  (target < 100 ms).

    python benchmarks/bot.py [--tracks 10000] [--with-previews]

Preview-audio analysis is left out unless asked for: it runs in worker processes and
its cost (minutes for 10,000 previews) is measured by the audio benchmark.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import tempfile
import threading
import time
from pathlib import Path
from unittest import mock

import discord
import yarl
from aiohttp.test_utils import TestServer

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot.app import PlaylistBot  # noqa: E402
from bot.wiring import build_pipeline  # noqa: E402
from tests.fake_discord import FakeDiscord  # noqa: E402
from tests.fakes.base import serve  # noqa: E402
from tests.fakes.deezer import FakeDeezer  # noqa: E402
from tests.harness import bot_settings, playlist_csv  # noqa: E402


class StallMeter:
    """A 5 ms ticker on the loop; the longest gap beyond 5 ms is the worst stall."""

    def __init__(self) -> None:
        self.worst = 0.0
        self._task: asyncio.Task[None] | None = None

    async def _tick(self) -> None:
        while True:
            start = time.perf_counter()
            await asyncio.sleep(0.005)
            self.worst = max(self.worst, time.perf_counter() - start - 0.005)

    def __enter__(self) -> StallMeter:
        self.worst = 0.0
        self._task = asyncio.get_running_loop().create_task(self._tick())
        return self

    def __exit__(self, *exc: object) -> None:
        assert self._task is not None
        self._task.cancel()


class ThreadedDeezer:
    """The fake Deezer API on its own thread and loop, so its work is not the bot's stall."""

    def __init__(self, tracks: int) -> None:
        self.fake = FakeDeezer()
        self.fake.generated(9000, tracks, albums=200, name="Big mix")
        self._stop: asyncio.Event | None = None
        self._ready = threading.Event()
        self._thread = threading.Thread(target=lambda: asyncio.run(self._serve()), daemon=True)

    async def _serve(self) -> None:
        self._stop = asyncio.Event()
        self._loop = asyncio.get_running_loop()
        async with serve(self.fake):
            self._ready.set()
            await self._stop.wait()

    def __enter__(self) -> FakeDeezer:
        self._thread.start()
        self._ready.wait(30)
        return self.fake

    def __exit__(self, *exc: object) -> None:
        assert self._stop is not None
        self._loop.call_soon_threadsafe(self._stop.set)
        self._thread.join(30)


def answered(fake: FakeDiscord, token: str):
    def done(call) -> bool:
        has_embed = bool(call.json and call.json.get("embeds"))
        return call.method == "PATCH" and token in call.path and has_embed

    return done


def without_previews(settings, web, cache):
    """The bot's pipeline minus preview-audio analysis (benchmarks/audio.py measures that)."""
    pipeline = build_pipeline(settings, web, cache)
    pipeline.providers = [p for p in pipeline.providers if p.name != "preview"]
    return pipeline


async def measure(tracks: int, previews: bool) -> None:
    fake = FakeDiscord()
    server = TestServer(fake.app(), host="127.0.0.1")
    await server.start_server()
    fake.base = f"http://127.0.0.1:{server.port}"
    gateway = yarl.URL(f"ws://127.0.0.1:{server.port}/")
    with (
        ThreadedDeezer(tracks) as deezer,
        tempfile.TemporaryDirectory() as folder,
        mock.patch.object(discord.http.Route, "BASE", f"{fake.base}/api/v10"),
        mock.patch.object(discord.gateway.DiscordWebSocket, "DEFAULT_GATEWAY", gateway),
    ):
        settings = bot_settings(
            Path(folder),
            deezer_api_base=deezer.api_base,
            csv_max_bytes=50_000_000,
            playlist_max_tracks=tracks,
            progress_edit_interval_seconds=1.5,
            deezer_rate_per_5s=100_000,
        )
        factory = None if previews else without_previews
        bot = PlaylistBot(settings, heartbeat=False, pipeline_factory=factory)
        runner = asyncio.create_task(bot.start("fake-token"))
        await asyncio.wait_for(bot.wait_until_ready(), 20)
        data = playlist_csv(groups=4, per_group=tracks // 4)
        rows = [
            ("CSV upload", lambda: fake.send_clusters_command("big.csv", data, clusters=6)),
            (
                "Deezer link",
                lambda: fake.send_clusters_link("https://www.deezer.com/playlist/9000", 6),
            ),
        ]
        for label, send in rows:
            with StallMeter() as meter:
                start = time.perf_counter()
                token = await send()
                await fake.wait_for(answered(fake, token), 600)
                first = time.perf_counter() - start
            print(
                f"{label}, {tracks:,} tracks, first run: {first:.2f} s, "
                f"largest event-loop stall {meter.worst * 1000:.1f} ms"
            )
            times = []
            for _ in range(5):
                start = time.perf_counter()
                token = await send()
                await fake.wait_for(answered(fake, token), 60)
                times.append(time.perf_counter() - start)
            times.sort()
            print(
                f"{label}, cached: interaction -> answer median {times[2] * 1000:.0f} ms, "
                f"best {times[0] * 1000:.0f} ms, worst {times[-1] * 1000:.0f} ms"
            )
        await bot.close()
        await runner
    await server.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tracks", type=int, default=10_000)
    parser.add_argument(
        "--with-previews", action="store_true", help="also analyse every track's preview audio"
    )
    args = parser.parse_args()
    asyncio.run(measure(args.tracks, args.with_previews))


if __name__ == "__main__":
    main()
