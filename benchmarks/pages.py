"""Layout pages (issue 23): the time to build a page the bot sends, and its payload size.

For a 1,000-track playlist (synthetic, default settings) and the bundled sample: the
first page of the largest cluster built as the bot builds it (the viewer's page, the
layout with every control, the JSON Discord receives), and the payload's size in bytes.
Baseline in the same run: the same page's text as one embed (what a page was before
issue 23: ten text lines and one thumbnail), built and serialised the same way.
Prints median, min and max of N runs (default 5); the machine may be shared: noisy.
Run: python benchmarks/pages.py [tracks] [runs]
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import discord

# the project root first: this folder's bot.py would otherwise shadow the bot package
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.pipeline import synthetic_playlist
from benchmarks.timing import timed
from bot.discord_ui.pager import Pager
from bot.model import Analysis, AnalysisOptions
from bot.pipeline.runner import compute_analysis
from bot.render.pages import Position, answer_text, build_page
from bot.sources.csvfile import parse_playlist_csv
from cogs.spotify_account import save_items

SAMPLE = Path(__file__).resolve().parents[1] / "samples/international_pop_synthetic_features.csv"


class _Counts:
    def count_range(self, analysis: Any) -> tuple[int, int]:
        return (2, 12)


def layout_payload(pager: Pager, analysis: Analysis) -> bytes:
    """The JSON body of the first page as the bot sends it."""
    page = build_page(analysis, Position(0, 0))
    view = pager.layout(analysis, page, intro=answer_text(analysis), png=True)
    return json.dumps({"flags": 1 << 15, "components": view.to_components()}).encode()


def embed_payload(analysis: Analysis) -> bytes:
    """Baseline: the page's text as one embed with the first track's art."""
    page = build_page(analysis, Position(0, 0), per_page=10)
    embed = discord.Embed(title=page.title, description=page.description, colour=0x5865F2)
    embed.set_thumbnail(url=page.thumbnail or None)
    embed.set_footer(text=page.footer)
    body = {"content": answer_text(analysis), "embeds": [embed.to_dict()]}
    return json.dumps(body).encode()


def _count(components: list[dict[str, Any]]) -> int:
    """Components as Discord counts them (nested ones and accessories included)."""
    total = 0
    for component in components:
        total += 1 + _count(component.get("components") or [])
        total += _count([component["accessory"]]) if "accessory" in component else 0
    return total


def report(name: str, analysis: Analysis, runs: int) -> None:
    pager = Pager(None, None, _Counts())  # type: ignore[arg-type]
    pager.extra_items.append(save_items)
    print(f"{name}: {analysis.track_count:,} tracks, {len(analysis.clusters)} clusters")
    for label, build in (
        ("baseline: the page as one embed (10 lines)", lambda: embed_payload(analysis)),
        ("layout page (sections, map, every control)", lambda: layout_payload(pager, analysis)),
    ):
        median, low, high = timed(build, runs)
        body = build()
        parts = json.loads(body).get("components")
        counted = f", {_count(parts)} components" if parts else ""
        print(
            f"  {label:<46} {median * 1000:7.2f} ms (min {low * 1000:.2f}, max "
            f"{high * 1000:.2f})  {len(body):,} bytes{counted}"
        )


def main(n: int = 1000, runs: int = 5) -> None:
    options = AnalysisOptions()
    report("synthetic", compute_analysis(synthetic_playlist(n), options), runs)
    sample = parse_playlist_csv(SAMPLE.read_bytes(), name="International Pop", ref_id="s")
    report("bundled sample", compute_analysis(sample, options), runs)


if __name__ == "__main__":
    main(*(int(a) for a in sys.argv[1:3]))
