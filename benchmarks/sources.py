"""Fetch speed of the Spotify and Deezer sources against the fakes with 50 ms latency.

Prints wall time, request count and requests per track for:

- a 10,000-track Spotify playlist plus audio features (Spotify's endpoint, 100 ids per
  call, and ReccoBeats, 40 per call), concurrently (``HTTP_CONCURRENCY``) and strictly
  one request after another (concurrency 1), next to the ideal
  ``(1 token + 1 metadata/first page + ceil(other pages / c) + ceil(batches / c))``
  round trips (and the bare ``ceil(pages / c) + ceil(batches / c)``);
- a 2,000-track Deezer playlist (200 distinct albums) plus Deezer's tempo/loudness per
  track, both ways, and the floor Deezer's rate limit (``DEEZER_RATE_PER_5S``) puts on
  the same requests.

Rate limits are lifted for the timed runs (the ideal counts round trips only); the
fake servers run in a child process so their work does not slow the client. Run:
``python benchmarks/sources.py [--latency 0.05] [--concurrency 8] [--only spotify]``.
"""

from __future__ import annotations

import argparse
import asyncio
import math
import multiprocessing
import sys
import time
from collections.abc import Awaitable, Callable
from multiprocessing.connection import Connection
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bot.features.deezer import DeezerFeatures
from bot.features.reccobeats import ReccoBeatsFeatures
from bot.features.spotify import SpotifyFeatures
from bot.http import HttpClient
from bot.model import PlaylistRef
from bot.sources.deezer import DeezerSource
from bot.sources.spotify import SpotifyAuth, SpotifySource
from tests.fakes import make_settings
from tests.fakes.base import FakeServer, serve
from tests.fakes.data import features, spotify_id
from tests.fakes.deezer import FakeDeezer
from tests.fakes.reccobeats import FakeReccoBeats
from tests.fakes.spotify import CLIENT_ID, CLIENT_SECRET, FakeSpotify, SpotifyPlaylist

SPOTIFY_TRACKS = 10_000
SPOTIFY_PID = spotify_id(4242)
DEEZER_TRACKS = 2_000
DEEZER_ALBUMS = 200


def _serve_in_child(builder: str, latency: float, conn: Connection) -> None:
    """Child process: build the fakes named by ``builder``, serve them, send their URLs."""

    async def run() -> None:
        fakes = BUILDERS[builder]()
        for fake in fakes:
            fake.latency = latency
        contexts = [serve(f) for f in fakes]
        for c in contexts:
            await c.__aenter__()
        conn.send([f.url for f in fakes])
        await asyncio.get_running_loop().run_in_executor(None, conn.recv)
        for c in contexts:
            await c.__aexit__(None, None, None)

    asyncio.run(run())


class Served:
    """Fakes served from a child process, so their CPU work does not slow the client."""

    def __init__(self, builder: str, latency: float) -> None:
        self.parent, child = multiprocessing.Pipe()
        self.process = multiprocessing.get_context("spawn").Process(
            target=_serve_in_child, args=(builder, latency, child), daemon=True
        )

    def __enter__(self) -> list[str]:
        self.process.start()
        return self.parent.recv()

    def __exit__(self, *exc: object) -> None:
        self.parent.send("stop")
        self.process.join(timeout=10)


def build_spotify() -> list[FakeServer]:
    spotify, recco = FakeSpotify(), FakeReccoBeats()
    spotify.add(SpotifyPlaylist.generated(SPOTIFY_PID, SPOTIFY_TRACKS))
    spotify.cache_pages = True
    recco.features.update({spotify_id(i): features(i) for i in range(SPOTIFY_TRACKS)})
    return [spotify, recco]


def build_deezer() -> list[FakeServer]:
    deezer = FakeDeezer()
    deezer.generated(77, DEEZER_TRACKS, albums=DEEZER_ALBUMS)
    return [deezer]


BUILDERS: dict[str, Callable[[], list[FakeServer]]] = {
    "spotify": build_spotify,
    "deezer": build_deezer,
}


async def timed(
    settings_kw: dict, job: Callable[[HttpClient, object], Awaitable[int]], concurrency: int
) -> tuple[float, int, int]:
    settings = make_settings(http_concurrency=concurrency, http_timeout_seconds=30.0, **settings_kw)
    async with HttpClient(settings) as http:
        start = time.perf_counter()
        tracks = await job(http, settings)
        wall = time.perf_counter() - start
    return wall, http.total_requests, tracks


def line(label: str, wall: float, requests: int, tracks: int) -> None:
    print(
        f"  {label:<34} {wall:7.2f} s  {requests:6,} requests  "
        f"{requests / max(tracks, 1):.3f} requests/track"
    )


async def spotify_case(latency: float, c: int) -> None:
    pid = SPOTIFY_PID
    with Served("spotify", latency) as (spotify_url, recco_url):
        kw = dict(
            spotify_client_id=CLIENT_ID,
            spotify_client_secret=CLIENT_SECRET,
            spotify_api_base=f"{spotify_url}/v1",
            spotify_token_url=f"{spotify_url}/api/token",
            reccobeats_api_base=f"{recco_url}/v1",
            spotify_rate_per_second=1e6,
            reccobeats_rate_per_second=1e6,
        )

        def job(provider: str) -> Callable[[HttpClient, object], Awaitable[int]]:
            async def run(http: HttpClient, settings) -> int:
                auth = SpotifyAuth.from_settings(settings, http)
                playlist = await SpotifySource.from_settings(settings, auth).fetch(
                    PlaylistRef("spotify", pid)
                )
                if provider == "spotify":
                    await SpotifyFeatures.from_settings(settings, auth).enrich(playlist.tracks)
                else:
                    await ReccoBeatsFeatures.from_settings(settings, http).enrich(playlist.tracks)
                assert sum(1 for t in playlist.tracks if t.audio) == SPOTIFY_TRACKS
                return len(playlist.tracks)

            return run

        pages = math.ceil(SPOTIFY_TRACKS / 100)
        print(
            f"Spotify: {SPOTIFY_TRACKS:,} tracks ({pages} pages), latency "
            f"{latency * 1000:.0f} ms, concurrency {c}"
        )
        for provider, per_call in (("spotify", 100), ("reccobeats", 40)):
            batches = math.ceil(SPOTIFY_TRACKS / per_call)
            trips = 1 + 1 + math.ceil((pages - 1) / c) + math.ceil(batches / c)
            ideal = max(trips * latency, 1e-9)
            wall, requests, tracks = await timed(kw, job(provider), c)
            seq_wall, seq_requests, _ = await timed(kw, job(provider), 1)
            print(f" + features from {provider} ({per_call} ids/call, {batches} calls)")
            line(f"concurrent (c={c})", wall, requests, tracks)
            line("one request after another", seq_wall, seq_requests, tracks)
            print(
                f"  ideal {trips} round trips = {ideal:.2f} s; concurrent/ideal = "
                f"{wall / ideal:.2f}x (target <= 1.5x); sequential/concurrent = "
                f"{seq_wall / wall:.1f}x (target >= 5x)"
            )
            bare = (math.ceil(pages / c) + math.ceil(batches / c)) * latency
            print(
                f"  without the token and the metadata/first-page round: ideal "
                f"{bare:.2f} s, concurrent/ideal = {wall / max(bare, 1e-9):.2f}x"
            )


async def deezer_case(latency: float, c: int) -> None:
    default_rate = type(make_settings()).model_fields["deezer_rate_per_5s"].default
    with Served("deezer", latency) as (deezer_url,):
        kw = dict(deezer_api_base=deezer_url, deezer_rate_per_5s=10**7)

        async def run(http: HttpClient, settings) -> int:
            playlist = await DeezerSource.from_settings(settings, http).fetch(
                PlaylistRef("deezer", "77")
            )
            await DeezerFeatures.from_settings(settings, http).enrich(playlist.tracks)
            return len(playlist.tracks)

        print(
            f"Deezer: {DEEZER_TRACKS:,} tracks, {DEEZER_ALBUMS} albums, latency "
            f"{latency * 1000:.0f} ms, concurrency {c} (rate limit lifted)"
        )
        wall, requests, tracks = await timed(kw, run, c)
        seq_wall, seq_requests, _ = await timed(kw, run, 1)
        line(f"concurrent (c={c})", wall, requests, tracks)
        line("one request after another", seq_wall, seq_requests, tracks)
        floor = max(0, requests - default_rate) / (default_rate / 5)
        print(
            f"  sequential/concurrent = {seq_wall / wall:.1f}x; at the real limit of "
            f"{default_rate} per 5 s the same {requests:,} requests need >= {floor:.0f} s"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--latency", type=float, default=0.05)
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--only", choices=["spotify", "deezer"])
    args = parser.parse_args()
    if args.only != "deezer":
        asyncio.run(spotify_case(args.latency, args.concurrency))
    if args.only != "spotify":
        asyncio.run(deezer_case(args.latency, args.concurrency))


if __name__ == "__main__":
    main()
