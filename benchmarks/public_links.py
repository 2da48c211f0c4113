"""The whole `analyze` of public links read without credentials, at 50 ms a request.

Cases, each timed as `playlist-clusters analyze SOURCE --no-cache` does it (read the
playlist, match it to Deezer, audio features, cluster, write the three files), at
DEFAULT settings (only the base URLs point at the fakes), median of ``--runs`` (5)
with min and max, in one run:

- **baseline: CSV**: the same 100 Spotify tracks as an Exportify-style CSV with the
  audio-feature columns (no request at all): what the analysis itself costs;
- **Spotify embed link**: a 100-track public Spotify playlist with no Spotify setting:
  the embed page (1 request), ReccoBeats for 95 of the 100 tracks (3 requests), the
  Deezer match of every track (100 searches, then one ``/album`` per matched album),
  Deezer's tempo/loudness for the 5 ReccoBeats lacks;
- **YouTube Music link**: a 100-track public playlist (ytmusicapi's saved answer, 1
  request), every track matched to Deezer, then Deezer's tempo/loudness per match
  (``/track/{id}``) within ``DEEZER_TRACK_BUDGET_SECONDS`` and preview analysis;
- **Apple Music link**: a 100-track public playlist page (reconstructed in the shape
  parsers of the real page agree on, around the same 100 real tracks; 1 request), every
  track matched to Deezer, then Deezer's tempo/loudness as for YouTube Music;
- **repeat from the cache**: the Spotify link again on a warm cache database: no request.

``--path bot`` times the same links through the bot's path instead: the pipeline
built as the bot builds it (``build_pipeline(..., background=True)`` over a fresh
cache database each run), from the link to the analysis and the answer's text, once
with the Deezer match waiting for every lookup (**before**: the matcher's budget
off, as before ``DEEZER_MATCH_BUDGET_SECONDS``) and once at the default budget
(**after**), and once as a weekly post asks (**weekly**: ``AnalysisOptions.complete``,
the budget set but every lookup waited for), in the same run. Each line also gives
when the background lookups were done (the next answer is full from then on) and the
answer's reading counts.
``--path both`` (the default) runs both.

Every fake answers after ``--latency`` (50 ms) with bodies of real size sent chunked,
in a child process (``benchmarks/realistic.py``). Deezer answers are paced by the
client's default budget (``DEEZER_RATE_PER_5S`` = 45 in any 5 s), which is what bounds
the two link cases: about 200 Deezer requests each.

    python benchmarks/public_links.py [--runs 5] [--latency 0.05] [--only apple]
                                      [--path cli|bot|both]
"""

from __future__ import annotations

import argparse
import asyncio
import csv
import statistics
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.realistic import Served
from bot.model import Track
from bot.roots.cli import build_parser, run_analyze
from bot.settings.env import Settings
from bot.sources.spotify_page import parse_embed_page
from tests.fakes.apple_music import PID as APPLE_PID
from tests.fakes.apple_music import SLUG as APPLE_SLUG
from tests.fakes.apple_music import FakeAppleMusic, playlist_page, real_listing
from tests.fakes.base import FakeServer
from tests.fakes.data import features, spotify_id
from tests.fakes.deezer_search import Listing, labelled_catalogue
from tests.fakes.public_pages import FakeSpotifyPage, embed_page, entry_like, real_entries
from tests.fakes.reccobeats import FakeReccoBeats
from tests.fakes.ytmusic import FEEL_GOOD, FakeYTMusic

PID = spotify_id(4242)
AUDIO = ("danceability", "energy", "valence", "acousticness", "instrumentalness",
         "speechiness", "liveness", "tempo", "loudness")  # fmt: skip


def spotify_entries() -> list[dict]:
    real = real_entries()
    extra = [
        entry_like(real[i % len(real)], spotify_id(6000 + i), f"Titre {i}", "Zoë", 180_000 + i)
        for i in range(100 - len(real))
    ]
    return real + extra


def spotify_tracks() -> list[Track]:
    shown = parse_embed_page(embed_page(spotify_entries(), pid=PID, name="x"))
    return [t for t in shown.entries if isinstance(t, Track)]


def ytmusic_listing() -> list[Listing]:
    """The saved YouTube Music answer's tracks, read the way the source reads them."""
    import json

    from ytmusicapi import YTMusic

    from tests.fakes.public_pages import public_bytes
    from tests.fakes.ytmusic import RECORDED

    answer = json.loads(public_bytes(RECORDED[FEEL_GOOD]))

    class Offline(YTMusic):  # type: ignore[misc]
        def _send_request(self, *_: object, **__: object) -> dict:
            return answer

    items = Offline().get_playlist(FEEL_GOOD)["tracks"]
    return [
        Listing(i["videoId"], i["title"], tuple(a["name"] for a in i["artists"]),
                int(i.get("duration_seconds") or 0))
        for i in items
    ]  # fmt: skip


def build() -> list[tuple[str, FakeServer]]:
    page = FakeSpotifyPage()
    page.pages[PID] = embed_page(spotify_entries(), pid=PID, name="Cent titres 🎧")
    recco = FakeReccoBeats()
    for i, track in enumerate(spotify_tracks()):
        if i % 20 != 19:
            recco.features[track.id] = {k: v for k, v in features(i).items() if k in AUDIO}
    deezer, _ = labelled_catalogue(
        [Listing(t.id, t.title, t.artists, round((t.duration_ms or 0) / 1000))
         for t in spotify_tracks()]
    )  # fmt: skip
    labelled_catalogue(ytmusic_listing(), fake=deezer, first_id=50_000_000)
    labelled_catalogue([t for t, _ in real_listing()], fake=deezer, first_id=80_000_000)
    apple = FakeAppleMusic()
    apple.pages[APPLE_PID] = playlist_page(100)
    return [("page", page), ("recco", recco), ("deezer", deezer), ("ytmusic", FakeYTMusic()),
            ("apple", apple)]  # fmt: skip


def write_csv(folder: Path) -> Path:
    """The 100 Spotify tracks as an Exportify-style CSV with the audio-feature columns."""
    path = folder / "cent_titres.csv"
    with path.open("w", newline="", encoding="utf-8") as out:
        writer = csv.writer(out)
        writer.writerow(["Track URI", "Track Name", "Artist Name(s)", "Duration (ms)",
                         *(a.capitalize() for a in AUDIO)])  # fmt: skip
        for i, t in enumerate(spotify_tracks()):
            values = features(i)
            writer.writerow([f"spotify:track:{t.id}", t.title, ", ".join(t.artists),
                             t.duration_ms, *(values[a] for a in AUDIO)])  # fmt: skip
    return path


def requests_served(urls: dict[str, str]) -> int:
    total = 0
    for origin in urls.values():
        with urllib.request.urlopen(f"{origin}/_bench/stats") as answer:
            total += int(__import__("json").loads(answer.read())["served"])
    return total


async def analyze_once(source: str, settings: Settings, out: Path, cache: bool) -> float:
    argv = ["analyze", source, "-q", "--out", str(out)] + ([] if cache else ["--no-cache"])
    args = build_parser().parse_args(argv)
    started = time.perf_counter()
    await run_analyze(args, settings)
    return time.perf_counter() - started


async def bot_once(
    link: str, settings: Settings, folder: Path, budget: bool, complete: bool = False
) -> dict:
    """One answer through the bot's path on a fresh cache: seconds to the answer's text,
    seconds until the background lookups were done, and the reading counts
    (``complete``: as a weekly post asks, waiting for every lookup)."""
    from bot.model import AnalysisOptions
    from bot.net.client import HttpClient
    from bot.render.document import with_audio
    from bot.render.pages import answer_text
    from bot.roots.wiring import build_pipeline, close_providers, load_source
    from storage.database import open_database

    database = await open_database(folder / f"bot-{time.monotonic_ns()}.db")
    try:
        async with HttpClient(settings.http) as http:
            pipeline = build_pipeline(settings, http, database.cache, background=True)
            matcher = pipeline.sources["ytmusic"].matcher  # type: ignore[attr-defined]
            if not budget:
                matcher.budget = None  # before: every lookup waited for
            try:
                started = time.perf_counter()
                ref = await load_source(link, settings, http)
                analysis = await pipeline.run(ref, AnalysisOptions(complete=complete))
                answer_text(analysis)
                answered = time.perf_counter() - started
                await matcher.wait_background()
                for provider in pipeline.providers:
                    if hasattr(provider, "wait_background"):
                        await provider.wait_background()
                settled = time.perf_counter() - started
            finally:
                await close_providers(pipeline)
    finally:
        await database.close()
    playlist = analysis.playlist
    return {
        "answer": answered,
        "background": settled,
        "matched": playlist.matched,
        "pending": playlist.match_pending,
        "features": with_audio(playlist),
    }


def bot_cases(
    urls: dict[str, str], settings: Settings, folder: Path, runs: int, only: str = ""
) -> None:
    links = [
        ("Spotify embed link, 100 tracks", f"https://open.spotify.com/playlist/{PID}"),
        ("YouTube Music link, 100 tracks",
         f"https://music.youtube.com/playlist?list={FEEL_GOOD}"),
        ("Apple Music link, 100 tracks",
         f"https://music.apple.com/us/playlist/{APPLE_SLUG}/{APPLE_PID}"),
    ]  # fmt: skip
    for label, link in [c for c in links if only.casefold() in c[0].casefold()]:
        for budget, when, complete in (
            (False, "before", False),
            (True, "after", False),
            (True, "weekly", True),  # a weekly post: AnalysisOptions.complete
        ):
            found, asked = [], []
            for _ in range(runs):
                before = requests_served(urls)
                found.append(asyncio.run(bot_once(link, settings, folder, budget, complete)))
                asked.append(requests_served(urls) - before)
            counts = ", ".join(
                f"{key} {statistics.median(f[key] for f in found):.0f}"
                for key in ("matched", "pending", "features")
            )
            print(line(f"bot {when}: {label}", [f["answer"] for f in found],
                       f"requests {statistics.median(asked):.0f}; {counts}"))  # fmt: skip
            print(line("  ... background done", [f["background"] for f in found]))


def line(label: str, times: list[float], note: str = "") -> str:
    med = statistics.median(times)
    return f"{label:<44} median {med:6.2f} s  min {min(times):6.2f}  max {max(times):6.2f}  {note}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--latency", type=float, default=0.05)
    parser.add_argument("--path", choices=("cli", "bot", "both"), default="both")
    parser.add_argument("--only", default="", help="run only the cases whose label has this")
    opts = parser.parse_args()
    with Served(build, opts.latency) as urls, tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        settings = Settings(
            _env_file=None,
            spotify_embed_base=f"{urls['page']}/embed",
            reccobeats_api_base=f"{urls['recco']}/v1",
            deezer_api_base=urls["deezer"],
            ytmusic_api_base=f"{urls['ytmusic']}/youtubei/v1",
            apple_music_base=urls["apple"],
            database_path=folder / "cache.db",
        )
        cases = [
            ("baseline: CSV, 100 tracks", str(write_csv(folder))),
            ("Spotify embed link, 100 tracks", f"https://open.spotify.com/playlist/{PID}"),
            ("YouTube Music link, 100 tracks",
             f"https://music.youtube.com/playlist?list={FEEL_GOOD}"),
            ("Apple Music link, 100 tracks",
             f"https://music.apple.com/us/playlist/{APPLE_SLUG}/{APPLE_PID}"),
        ]  # fmt: skip
        cases = [c for c in cases if opts.only.casefold() in c[0].casefold()]
        print(f"latency {opts.latency * 1000:.0f} ms per request, default settings, "
              f"{opts.runs} runs each")  # fmt: skip
        if opts.path in ("bot", "both"):
            bot_cases(urls, settings, folder, opts.runs, opts.only)
        if opts.path == "bot":
            return
        for label, source in cases:
            times, asked = [], []
            for run in range(opts.runs):
                before = requests_served(urls)
                times.append(asyncio.run(analyze_once(source, settings, folder / f"o{run}", False)))
                asked.append(requests_served(urls) - before)
            print(line(label, times, f"requests {statistics.median(asked):.0f}"))
        if opts.only:
            return
        link = cases[1][1]
        asyncio.run(analyze_once(link, settings, folder / "warm", True))
        times, asked = [], []
        for run in range(opts.runs):
            before = requests_served(urls)
            times.append(asyncio.run(analyze_once(link, settings, folder / f"c{run}", True)))
            asked.append(requests_served(urls) - before)
        print(line("Spotify link again (cache)", times, f"requests {max(asked)}"))


if __name__ == "__main__":
    main()
