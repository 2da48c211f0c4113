"""Fetch speed at DEFAULT settings against realistic fakes, with and without server limits.

Every figure is the median of ``--runs`` runs (default 5) with min and max, next to two
baselines measured in the same run:

- **sequential**: a naive script (one aiohttp session, one request after another, JSON
  parsed, ``Retry-After`` / Deezer's quota pause honoured) fetching the same pages and
  the same features;
- **ideal** (when the servers limit; for Deezer always, as the client keeps its known
  budget): the busiest host's requests of the "pages + ..." stage at its limit,
  counting its first window as free:
  ``max over hosts of max(0, requests - limit) / (limit / window)``.

Cases:

1. A 10,000-track Spotify playlist whose app has no Spotify audio features (403, as for
   every app since 2024-11-27), features from ReccoBeats (which lacks 4% of the tracks).
   Deezer knows those 4% by ISRC, but its two columns could place none of them beside
   full features, so neither the prefetch nor the answer asks it (issue 22; a playlist
   ReccoBeats mostly lacks would wait up to DEEZER_TRACK_BUDGET_SECONDS). "pages +
   features" is the time until every page and every ReccoBeats batch is in; "answer"
   adds the remaining providers. ``benchmarks/whole_links.py`` times the whole
   ``analyze`` process of this link and of a 430-track one.
2. A 2,000-track Deezer playlist (200 albums): pages and album details, then Deezer's
   tempo/loudness per track within the budget.

The fakes (``benchmarks/realistic.py``) answer after ``--latency`` (50 ms) with bodies of
realistic size sent chunked, in a child process so their work does not slow the client.
Limits when on: Spotify 30 and ReccoBeats 20 requests in any second (both unpublished;
assumed values), Deezer 50 per 5 s (its known budget; quota error code 4 in HTTP 200).
Preview-audio analysis is left out (``benchmarks/audio.py`` measures it). The side run
``--lifted`` repeats case 1 with the client's limits lifted, labelled as such.

    python benchmarks/sources.py [--runs 5] [--only spotify|deezer] [--lifted]
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import time
from base64 import b64encode
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import aiohttp

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.realistic import Served, inflate_deezer
from bot.model import PlaylistRef
from bot.net.client import HttpClient
from bot.roots.wiring import build_pipeline, close_providers
from bot.settings.env import Settings
from tests.fakes.base import FakeServer
from tests.fakes.data import features, spotify_id
from tests.fakes.deezer import FakeDeezer
from tests.fakes.reccobeats import FakeReccoBeats
from tests.fakes.spotify import CLIENT_ID, CLIENT_SECRET, FakeSpotify, SpotifyPlaylist

SPOTIFY_TRACKS = 10_000
SPOTIFY_PID = spotify_id(4242)
RECCO_MISSING_EVERY = 25  # ReccoBeats lacks 4% of the tracks
DEEZER_TRACKS = 2_000
DEEZER_ALBUMS = 200
#: (requests, window in seconds, how a refusal looks) per fake when limits are on.
LIMITS = {
    "spotify": (30, 1.0, "429"),
    "reccobeats": (20, 1.0, "429"),
    "deezer": (50, 5.0, "deezer"),
}


def build_spotify() -> list[tuple[str, FakeServer]]:
    spotify, recco, deezer = FakeSpotify(), FakeReccoBeats(), FakeDeezer()
    spotify.add(SpotifyPlaylist.generated(SPOTIFY_PID, SPOTIFY_TRACKS), with_features=False)
    spotify.features_forbidden = True
    spotify.cache_pages = True
    for i in range(SPOTIFY_TRACKS):
        if i % RECCO_MISSING_EVERY:
            recco.features[spotify_id(i)] = features(i)
        else:  # Deezer knows the tracks ReccoBeats lacks, by ISRC
            deezer.details[3_000_000 + i] = {"bpm": 120.0, "gain": -8.0, "isrc": f"JPZZ{i:08d}"}
    inflate_deezer(deezer)
    return [("spotify", spotify), ("reccobeats", recco), ("deezer", deezer)]


def build_deezer() -> list[tuple[str, FakeServer]]:
    deezer = FakeDeezer()
    deezer.generated(77, DEEZER_TRACKS, albums=DEEZER_ALBUMS)
    inflate_deezer(deezer)
    return [("deezer", deezer)]


BUILDERS: dict[str, Callable[[], list[tuple[str, FakeServer]]]] = {
    "spotify": build_spotify,
    "deezer": build_deezer,
}


async def server_stats(urls: dict[str, str], reset: bool = False) -> dict[str, dict[str, int]]:
    async with aiohttp.ClientSession() as session:
        out = {}
        for name, url in urls.items():
            if reset:
                async with session.post(f"{url}/_bench/reset"):
                    pass
            async with session.get(f"{url}/_bench/stats") as resp:
                out[name] = await resp.json()
        return out


def default_settings(urls: dict[str, str], **lifted: Any) -> Settings:
    """The DEFAULT settings, with the base URLs pointed at the fakes (and credentials)."""
    base = {
        "spotify_client_id": CLIENT_ID,
        "spotify_client_secret": CLIENT_SECRET,
        "preview_hosts": [],
    }
    if "spotify" in urls:
        base["spotify_api_base"] = f"{urls['spotify']}/v1"
        base["spotify_token_url"] = f"{urls['spotify']}/api/token"
    if "reccobeats" in urls:
        base["reccobeats_api_base"] = f"{urls['reccobeats']}/v1"
    if "deezer" in urls:
        base["deezer_api_base"] = urls["deezer"]
    return Settings(_env_file=None, **base, **lifted)  # type: ignore[call-arg]


async def ours(urls: dict[str, str], ref: PlaylistRef, **lifted: Any) -> dict[str, Any]:
    """The project's pipeline (fetch with streamed features, then the remaining providers);
    the servers' counts when the fetch stage ended are in ``"stage"``."""
    settings = default_settings(urls, **lifted)
    async with HttpClient(settings.http) as http:
        pipeline = build_pipeline(settings, http)  # the CLI's: no background lookups
        pipeline.providers = [p for p in pipeline.providers if p.name != "preview"]
        start = time.perf_counter()
        playlist = await pipeline.fetch(ref)
        fetched = time.perf_counter() - start
        stage = await server_stats(urls)  # a few ms, outside the timed stage
        await pipeline.enrich(playlist)
        answer = time.perf_counter() - start
        await close_providers(pipeline)  # as the CLI does: stops lookups nobody waits for
    return {
        "fetch": fetched,
        "answer": answer,
        "stage": stage,
        "requests": http.total_requests,
        "covered": sum(1 for t in playlist.tracks if t.audio),
    }


async def _naive_get(session: aiohttp.ClientSession, url: str, **kw: Any) -> Any:
    """One GET after another; waits out 429 (Retry-After) and Deezer's quota (5 s)."""
    while True:
        async with session.request(kw.pop("method", "GET"), url, **kw) as resp:
            payload = await resp.json()
            if resp.status == 429:
                await asyncio.sleep(float(resp.headers.get("Retry-After", "1")))
                continue
            error = payload.get("error") if isinstance(payload, dict) else None
            if isinstance(error, dict) and error.get("code") == 4:
                await asyncio.sleep(5.0)
                continue
            return payload


async def naive_spotify(
    urls: dict[str, str], pid: str = SPOTIFY_PID, tracks: int = SPOTIFY_TRACKS
) -> float:
    """Token, metadata, every page, then every ReccoBeats batch of 40, one at a time."""
    start = time.perf_counter()
    async with aiohttp.ClientSession() as session:
        api = f"{urls['spotify']}/v1"
        token = await _naive_get(
            session,
            f"{urls['spotify']}/api/token",
            method="POST",
            data={"grant_type": "client_credentials"},
            headers={
                "Authorization": "Basic "
                + b64encode(f"{CLIENT_ID}:{CLIENT_SECRET}".encode()).decode()
            },
        )
        auth = {"Authorization": f"Bearer {token['access_token']}"}
        await _naive_get(session, f"{api}/playlists/{pid}", headers=auth)
        ids: list[str] = []
        for offset in range(0, tracks, 100):
            page = await _naive_get(
                session,
                f"{api}/playlists/{pid}/items",
                params={"offset": offset, "limit": 100},
                headers=auth,
            )
            ids += [e["item"]["id"] for e in page["items"]]
        for i in range(0, len(ids), 40):
            recco = f"{urls['reccobeats']}/v1/audio-features"
            await _naive_get(session, recco, params={"ids": ",".join(ids[i : i + 40])})
    return time.perf_counter() - start


async def naive_deezer(urls: dict[str, str]) -> float:
    """Metadata, every page, then every distinct album, one at a time."""
    start = time.perf_counter()
    base = urls["deezer"]
    async with aiohttp.ClientSession() as session:
        await _naive_get(session, f"{base}/playlist/77")
        albums: dict[int, None] = {}
        for index in range(0, DEEZER_TRACKS, 100):
            page = await _naive_get(
                session, f"{base}/playlist/77/tracks", params={"index": index, "limit": 100}
            )
            albums.update(dict.fromkeys(t["album"]["id"] for t in page["data"]))
        for album in albums:
            await _naive_get(session, f"{base}/album/{album}")
    return time.perf_counter() - start


def spread(values: list[float]) -> str:
    return (
        f"median {statistics.median(values):6.2f} s (min {min(values):.2f}, max {max(values):.2f})"
    )


def ideal(served: dict[str, dict[str, int]], hosts: list[str]) -> float:
    """The busiest of ``hosts``: its accepted requests at its limit, first window free."""
    return max(
        max(0, served[h]["served"] - LIMITS[h][0]) / (LIMITS[h][0] / LIMITS[h][1]) for h in hosts
    )


async def measure(
    urls: dict[str, str],
    ref: PlaylistRef,
    naive: Callable[[dict[str, str]], Awaitable[float]],
    runs: int,
    fetch_hosts: list[str],
    **lifted: Any,
) -> dict[str, list[float]]:
    out: dict[str, list[float]] = {k: [] for k in ("fetch", "answer", "naive", "ideal", "refused")}
    sent = []
    settle = max(LIMITS[name][1] for name in urls)  # let the limit windows empty
    for _ in range(runs):
        await server_stats(urls, reset=True)
        await asyncio.sleep(settle)
        mine = await ours(urls, ref, **lifted)
        stats = await server_stats(urls)
        refused = sum(s["refused"] for s in stats.values())
        total = sum(s["served"] + s["refused"] for s in stats.values())
        out["fetch"].append(mine["fetch"])
        out["answer"].append(mine["answer"])
        out["refused"].append(refused / max(total, 1))
        out["ideal"].append(ideal(mine["stage"], fetch_hosts))  # the same stage's requests
        sent.append(total)
        await server_stats(urls, reset=True)
        await asyncio.sleep(settle)
        out["naive"].append(await naive(urls))
    out["sent"] = [float(s) for s in sent]
    return out


def report(
    label: str, result: dict[str, list[float]], limited: bool, stage: str, deezer: bool = False
) -> None:
    fetch, naive = statistics.median(result["fetch"]), statistics.median(result["naive"])
    print(f"  {label}")
    print(f"    {stage:<34} {spread(result['fetch'])}")
    print(f"    {'answer (+ the remaining providers)':<34} {spread(result['answer'])}")
    print(f"    {'sequential, same pages + features':<34} {spread(result['naive'])}")
    refused = statistics.median(result["refused"])
    print(
        f"    requests {statistics.median(result['sent']):,.0f} (median), refused "
        f"{refused:.1%} (max {max(result['refused']):.1%}; target < 10%)"
    )
    target = " (target >= 3x)" if not limited and not deezer else ""
    print(f"    sequential / ours ({stage}): {naive / fetch:.1f}x{target}")
    if deezer and not limited:
        print(
            "    (the client keeps Deezer's known budget even when a server does not limit; "
            "the naive script does not, and the real Deezer would refuse it)"
        )
    if limited or deezer:
        best = statistics.median(result["ideal"])
        print(
            f"    ideal (busiest host at its limit) {best:.2f} s; ours / ideal = "
            f"{fetch / best:.2f}x (target <= 1.5x)"
        )


async def run_case(case: str, runs: int, latency: float, lifted: bool) -> None:
    ref = PlaylistRef("spotify", SPOTIFY_PID) if case == "spotify" else PlaylistRef("deezer", "77")
    naive = naive_spotify if case == "spotify" else naive_deezer
    hosts = ["spotify", "reccobeats"] if case == "spotify" else ["deezer"]
    stage = "pages + ReccoBeats features" if case == "spotify" else "pages + album details"
    title = (
        f"Spotify {SPOTIFY_TRACKS:,} tracks + ReccoBeats (lacks 4%) + Deezer ISRC fallback"
        if case == "spotify"
        else f"Deezer {DEEZER_TRACKS:,} tracks, {DEEZER_ALBUMS} albums + Deezer tempo per track"
    )
    print(f"{title}; latency {latency * 1000:.0f} ms; {runs} runs; DEFAULT settings")
    for limited in (False, True):
        with Served(BUILDERS[case], latency, LIMITS if limited else None) as urls:
            result = await measure(urls, ref, naive, runs, hosts)
            label = "servers limit" if limited else "servers do not limit"
            report(label, result, limited, stage, deezer=case == "deezer")
            if lifted and case == "spotify" and not limited:
                side = await measure(
                    urls,
                    ref,
                    naive,
                    runs,
                    hosts,
                    spotify_rate_per_second=1e6,
                    reccobeats_rate_per_second=1e6,
                    deezer_rate_per_5s=10**7,
                )
                report("SIDE RUN, client limits lifted (not a default)", side, False, stage)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--latency", type=float, default=0.05)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--only", choices=["spotify", "deezer"])
    parser.add_argument("--lifted", action="store_true", help="labelled side run, limits lifted")
    args = parser.parse_args()
    print("Figures from a shared machine: compare each figure with its baseline, not across runs.")
    for case in ("spotify", "deezer"):
        if args.only in (None, case):
            asyncio.run(run_case(case, args.runs, args.latency, args.lifted))


if __name__ == "__main__":
    main()
