"""Bot figures at DEFAULT settings: answer time for a 430-track link, event-loop stalls.

Runs the real bot (discord.py HTTP + gateway) against the fake Discord of the tests on
127.0.0.1, and the fake Spotify, ReccoBeats and Deezer APIs (the test fakes: real body
sizes, sent chunked; ``--latency`` 50 ms per request; no server limits) in a child
process (``benchmarks/realistic.py``). The app has no Spotify audio features (403, as
for every app since 2024-11-27); ReccoBeats lacks 4% of the tracks, which Deezer's
tempo fallback then looks up by ISRC (within DEEZER_TRACK_BUDGET_SECONDS, the rest in
the background). Prints the median of ``--runs`` runs (default 5) with min and max of:

- a 430-track Spotify link, nothing cached (a different playlist each run): time from
  the command to the answer reaching Discord (target < 3 s), next to a naive sequential
  fetch of the same pages and features in the same run;
- the largest event-loop stall (a 5 ms ticker on the bot's loop; target < 50 ms) while
  a 10,000-track CSV upload and a 10,000-track Spotify link are analysed (later link
  runs find the features in the cache; the pages are fetched every time), beside the
  same meter on the idle bot for 3 s after each link run: the stall the machine itself
  causes (other processes on a shared machine), the floor of the figures above;
- a cached answer: command to answer (target < 100 ms).

The settings are the defaults except the base URLs, no per-user cooldown (one user
sends every command) and no preview-audio analysis (``benchmarks/audio.py``). The bot
tunes the interpreter as it does in production (``bot.threads.tune_interpreter``: GC young
threshold 5,000, GIL switch interval 1 ms); ``--gen0 700`` and ``--switch 0.005`` put
CPython's defaults back, to see what each is worth.

    python benchmarks/bot.py [--runs 5] [--tracks 10000] [--gen0 N] [--switch S]
"""

from __future__ import annotations

import argparse
import asyncio
import functools
import gc
import statistics
import sys
import tempfile
import time
from pathlib import Path
from unittest import mock

import discord
import yarl
from aiohttp.test_utils import TestServer

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.realistic import Served, inflate_deezer  # noqa: E402
from benchmarks.sources import naive_spotify  # noqa: E402
from bot.roots.app import PlaylistBot  # noqa: E402
from bot.roots.wiring import build_pipeline  # noqa: E402
from tests.fake_discord import FakeDiscord  # noqa: E402
from tests.fakes.base import FakeServer  # noqa: E402
from tests.fakes.data import features, spotify_id  # noqa: E402
from tests.fakes.deezer import FakeDeezer  # noqa: E402
from tests.fakes.reccobeats import FakeReccoBeats  # noqa: E402
from tests.fakes.spotify import (  # noqa: E402
    CLIENT_ID,
    CLIENT_SECRET,
    FakeSpotify,
    SpotifyPlaylist,
    track_object,
)
from tests.harness import bot_settings, playlist_csv  # noqa: E402

SMALL = 430


def small_pid(run: int) -> str:
    return spotify_id(50_000 + run)


def big_pid(run: int) -> str:
    return spotify_id(60_000 + run)


def build(runs: int, big: int) -> list[tuple[str, FakeServer]]:
    """Spotify: ``runs`` 430-track playlists (distinct tracks) and ``runs`` big ones."""
    spotify, recco, deezer = FakeSpotify(), FakeReccoBeats(), FakeDeezer()
    spotify.features_forbidden = True
    indexes = list(range(big))
    for run in range(runs):
        start = 100_000 * (run + 1)
        spotify.add(
            SpotifyPlaylist.generated(small_pid(run), SMALL, start=start), with_features=False
        )
        indexes += range(start, start + SMALL)
    entries = [track_object(i) for i in range(big)]  # shared by the big playlists
    for run in range(runs):
        spotify.add(SpotifyPlaylist(big_pid(run), "10k 🎧", entries), with_features=False)
    for i in indexes:
        if i % 25:
            recco.features[spotify_id(i)] = features(i)
        else:
            deezer.details[3_000_000 + i] = {"bpm": 120.0, "gain": -8.0, "isrc": f"JPZZ{i:08d}"}
    inflate_deezer(deezer)
    return [("spotify", spotify), ("reccobeats", recco), ("deezer", deezer)]


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


def answered(token: str):
    def done(call) -> bool:
        has_embed = bool(call.json and call.json.get("embeds"))
        return call.method == "PATCH" and token in call.path and has_embed

    return done


def without_previews(settings, web, cache):
    """The bot's pipeline (background lookups on) minus preview-audio analysis."""
    pipeline = build_pipeline(settings, web, cache, background=True)
    pipeline.providers = [p for p in pipeline.providers if p.name != "preview"]
    return pipeline


def spread(values: list[float], unit: str = "s", scale: float = 1.0) -> str:
    v = [x * scale for x in values]
    return f"median {statistics.median(v):.2f} {unit} (min {min(v):.2f}, max {max(v):.2f})"


async def timed(fake: FakeDiscord, send, seconds: float = 600) -> tuple[float, float]:
    """(seconds from the command to the answer, worst event-loop stall meanwhile)."""
    with StallMeter() as meter:
        start = time.perf_counter()
        token = await send()
        await fake.wait_for(answered(token), seconds)
        return time.perf_counter() - start, meter.worst


async def idle_stall(seconds: float = 3.0) -> float:
    """The worst stall of the meter while the bot does nothing: the machine's own share."""
    with StallMeter() as meter:
        await asyncio.sleep(seconds)
    return meter.worst


async def measure(
    runs: int, tracks: int, latency: float, gen0: int | None, switch: float | None
) -> None:
    fake = FakeDiscord()
    server = TestServer(fake.app(), host="127.0.0.1")
    await server.start_server()
    fake.base = f"http://127.0.0.1:{server.port}"
    gateway = yarl.URL(f"ws://127.0.0.1:{server.port}/")
    with (
        Served(functools.partial(build, runs, tracks), latency) as urls,
        tempfile.TemporaryDirectory() as folder,
        mock.patch.object(discord.http.Route, "BASE", f"{fake.base}/api/v10"),
        mock.patch.object(discord.gateway.DiscordWebSocket, "DEFAULT_GATEWAY", gateway),
    ):
        settings = bot_settings(
            Path(folder),
            spotify_client_id=CLIENT_ID,
            spotify_client_secret=CLIENT_SECRET,
            spotify_api_base=f"{urls['spotify']}/v1",
            spotify_token_url=f"{urls['spotify']}/api/token",
            reccobeats_api_base=f"{urls['reccobeats']}/v1",
            deezer_api_base=urls["deezer"],
            preview_hosts=[],
            csv_max_bytes=50_000_000,
            http_timeout_seconds=15.0,  # the defaults the test harness shortens
            progress_edit_interval_seconds=1.5,
        )
        bot = PlaylistBot(settings, heartbeat=False, pipeline_factory=without_previews)
        runner = asyncio.create_task(bot.start("fake-token"))
        await asyncio.wait_for(bot.wait_until_ready(), 20)
        if gen0 is not None:
            gc.set_threshold(gen0, *gc.get_threshold()[1:])
        if switch is not None:
            sys.setswitchinterval(switch)
        print(
            f"Bot at DEFAULT settings, fakes at {latency * 1000:.0f} ms a request, {runs} runs "
            "(a shared machine: compare figures with their baselines)"
        )
        print(
            f"GC thresholds {gc.get_threshold()}, GIL switch interval "
            f"{sys.getswitchinterval() * 1000:g} ms"
            + (" (set on the command line)" if (gen0, switch) != (None, None) else "")
        )
        small, naive, stalls = [], [], []
        for run in range(runs):
            link = f"https://open.spotify.com/playlist/{small_pid(run)}"
            took, worst = await timed(fake, lambda link=link: fake.send_clusters_link(link, 4))
            small.append(took)
            stalls.append(worst)
            naive.append(await naive_spotify(urls, small_pid(run), SMALL))
        print(
            f"{SMALL}-track Spotify link, nothing cached: command -> answer {spread(small)} "
            "(target < 3 s)"
        )
        print(f"  sequential fetch of the same pages + features alone: {spread(naive)}")
        print(f"  largest event-loop stall {spread(stalls, 'ms', 1000)}")

        csv_times, csv_stalls, link_times, link_stalls, idle = [], [], [], [], []
        for run in range(runs):
            data = playlist_csv(groups=4, per_group=tracks // 4, name_prefix=f"Run {run} 曲")
            took, worst = await timed(
                fake, lambda data=data: fake.send_clusters_command("big.csv", data, clusters=6)
            )
            csv_times.append(took)
            csv_stalls.append(worst)
            link = f"https://open.spotify.com/playlist/{big_pid(run)}"
            took, worst = await timed(fake, lambda link=link: fake.send_clusters_link(link, 6))
            link_times.append(took)
            link_stalls.append(worst)
            idle.append(await idle_stall())
        print(f"CSV upload, {tracks:,} tracks: command -> answer {spread(csv_times)}")
        print(f"  largest event-loop stall {spread(csv_stalls, 'ms', 1000)} (target < 50 ms)")
        print(f"Spotify link, {tracks:,} tracks: command -> answer {spread(link_times)}")
        print(f"  largest event-loop stall {spread(link_stalls, 'ms', 1000)} (target < 50 ms)")
        print(f"  baseline: the same meter on the idle bot for 3 s {spread(idle, 'ms', 1000)}")

        cached = []
        link = f"https://open.spotify.com/playlist/{small_pid(0)}"
        for _ in range(runs):
            took, _ = await timed(fake, lambda: fake.send_clusters_link(link, 4), 60)
            cached.append(took)
        print(f"cached answer: command -> answer {spread(cached, 'ms', 1000)} (target < 100 ms)")
        await bot.close()
        await runner
    await server.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--tracks", type=int, default=10_000)
    parser.add_argument("--latency", type=float, default=0.05)
    parser.add_argument(
        "--gen0",
        type=int,
        default=None,
        help="the cyclic GC's young threshold after start (default: the bot's own tuning)",
    )
    parser.add_argument(
        "--switch",
        type=float,
        default=None,
        help="the GIL switch interval in seconds after start (default: the bot's own)",
    )
    args = parser.parse_args()
    if args.runs < 5:
        print("note: fewer than 5 runs is not a measurement, only a try", file=sys.stderr)
    asyncio.run(measure(args.runs, args.tracks, args.latency, args.gen0, args.switch))


if __name__ == "__main__":
    main()
