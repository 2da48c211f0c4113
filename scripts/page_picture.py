"""Draw docs/page.png: the bot's first page of the bundled sample, as a browser shows an
HTML mock of Discord's layout components (headless Chromium).

The mock is made from the real payload the bot sends (``Pager.layout(...).to_components()``):
its texts, sections, gallery and controls, in Discord's dark colours. Markdown is drawn
only as far as the page uses it (links, bold, italics, headings, subtext, escapes).
Album art is fetched from nowhere (no network here): each thumbnail is a coloured square
with the album's initial. Emoji and Japanese need fonts-noto-color-emoji and fonts-noto-cjk
(apt-get install). Run: python scripts/page_picture.py [out.png [locale]]
"""

from __future__ import annotations

import base64
import html
import re
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bot.discord_ui.pager import Pager  # noqa: E402
from bot.locales import words_for  # noqa: E402
from bot.model import AnalysisOptions  # noqa: E402
from bot.pipeline.runner import compute_analysis  # noqa: E402
from bot.render.map import render_overview  # noqa: E402
from bot.render.pages import Position, answer_text, build_page  # noqa: E402
from bot.sources.csvfile import parse_playlist_csv  # noqa: E402
from cogs.spotify_account import save_items  # noqa: E402

SAMPLE = ROOT / "samples/international_pop_synthetic_features.csv"
COLOURS = ["#e67e22", "#1abc9c", "#9b59b6", "#e74c3c", "#3498db", "#f1c40f"]


class _Counts:
    def count_range(self, analysis: Any) -> tuple[int, int]:
        return (2, 12)


def markdown(text: str) -> str:
    """The little markdown a page uses, as HTML."""
    out = html.escape(text, quote=False)
    out = re.sub(r"\\(.)", r"\1", out)
    out = re.sub(r"\[([^\]]+)\]\(([^)]+)\)", r'<a href="\2">\1</a>', out)
    out = re.sub(r"\*\*(.+?)\*\*", r"<b>\1</b>", out)
    out = re.sub(r"(?<![\w*])\*(.+?)\*(?!\w)", r"<i>\1</i>", out)
    lines = []
    for line in out.split("\n"):
        if line.startswith("### "):
            lines.append(f"<h3>{line[4:]}</h3>")
        elif line.startswith("-# "):
            lines.append(f"<small>{line[3:]}</small>")
        else:
            lines.append(f"<div>{line}</div>")
    return "".join(lines)


def component(c: dict[str, Any], png: str, n: list[int]) -> str:
    kind = c["type"]
    if kind == 10:
        return f'<div class="text">{markdown(c["content"])}</div>'
    if kind == 12:
        return f'<img class="map" src="data:image/png;base64,{png}">'
    if kind == 9:
        n[0] += 1
        colour = COLOURS[n[0] % len(COLOURS)]
        alt = c["accessory"].get("description", "")
        initial = html.escape(alt.split(": ", 1)[-1][:1] or "♪")  # "Album art: <album>"
        inner = "".join(component(x, png, n) for x in c["components"])
        thumb = f'<div class="thumb" style="background:{colour}">{initial}</div>'
        return f'<div class="section"><div>{inner}</div>{thumb}</div>'
    if kind == 1:
        return (
            '<div class="row">' + "".join(component(x, png, n) for x in c["components"]) + "</div>"
        )
    if kind == 2:
        off = " off" if c.get("disabled") else ""
        green = " green" if c.get("style") == 3 else ""
        emoji = (c.get("emoji") or {}).get("name", "")
        label = html.escape(f"{emoji} {c.get('label', '')}".strip())
        return f'<span class="button{off}{green}">{label}</span>'
    if kind == 3:
        hint = c.get("placeholder") or next(
            (o["label"] for o in c.get("options", []) if o.get("default")), ""
        )
        return f'<span class="select">{html.escape(hint)} ▾</span>'
    if kind == 17:
        inner = "".join(component(x, png, n) for x in c["components"])
        return f'<div class="container">{inner}</div>'
    return ""


STYLE = """
body { background:#313338; color:#dbdee1; margin:0;
       font:15px 'DejaVu Sans','Noto Sans CJK JP','Noto Color Emoji',sans-serif;
       padding:16px; width:560px; }
.container { border-left:4px solid #5865f2; background:#2b2d31; border-radius:8px;
             padding:12px 14px; }
.text div { margin:2px 0; } h3 { margin:6px 0 4px; font-size:18px; color:#f2f3f5; }
small { color:#949ba4; font-size:12px; } a { color:#00a8fc; text-decoration:none; }
.map { width:100%; border-radius:6px; margin:8px 0; }
.section { display:flex; justify-content:space-between; gap:12px; margin:8px 0; }
.thumb { width:64px; height:64px; border-radius:6px; flex:none; color:#fff; font-size:28px;
         display:flex; align-items:center; justify-content:center; }
.row { margin:6px 0; display:flex; gap:6px; flex-wrap:wrap; }
.button { background:#4e5058; color:#fff; border-radius:4px; padding:4px 10px; font-size:14px; }
.button.off { opacity:.5; } .button.green { background:#248046; }
.select { background:#1e1f22; border-radius:4px; padding:6px 10px; width:100%; color:#b5bac1; }
"""


def main(out: str = str(ROOT / "docs/page.png"), locale: str = "") -> None:
    """Draw the page into ``out``, in the language of the Discord ``locale`` (e.g. ``ja``)."""
    words = words_for(locale)
    playlist = parse_playlist_csv(SAMPLE.read_bytes(), name="International Pop", ref_id="s")
    analysis = compute_analysis(playlist, AnalysisOptions())
    pager = Pager(None, None, _Counts())  # type: ignore[arg-type]
    pager.extra_items.append(save_items)
    page = build_page(analysis, Position(0, 0), words=words)
    view = pager.layout(analysis, page, intro=answer_text(analysis, words=words), png=True)
    # the map as the member's page has it: English is the stored picture, others are drawn
    png = base64.b64encode(render_overview(analysis, words) if locale else analysis.png).decode()
    body = "".join(component(c, png, [0]) for c in view.to_components())
    document = (
        f"<html><head><meta charset='utf-8'><style>{STYLE}</style></head><body>{body}</body></html>"
    )
    with tempfile.TemporaryDirectory() as folder:
        page_html = Path(folder) / "page.html"
        page_html.write_text(document, "utf-8")
        subprocess.run(
            [
                "chromium",
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--hide-scrollbars",
                f"--screenshot={out}",
                # Japanese lines wrap more: a taller window shows the last menu too
                f"--window-size=592,{1250 if locale else 1190}",
                page_html.as_uri(),
            ],
            check=True,
            capture_output=True,
            timeout=120,
        )
    print(f"wrote {out}")


if __name__ == "__main__":
    main(*sys.argv[1:3])
