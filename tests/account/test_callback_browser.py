"""The callback page in a real browser (headless Chromium): readable without JavaScript.

Skipped when Chromium is not installed, except in CI (``CI=true``), where its absence
fails the test: ``.ci/run`` installs it.
"""

from __future__ import annotations

import asyncio
import os
import re
import shutil

import pytest

from tests.account.conftest import Env

BROWSERS = ("chromium", "chromium-browser", "google-chrome")
FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-javascript",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-default-apps",
    "--disable-sync",
    "--no-first-run",
    "--metrics-recording-only",
    "--disable-domain-reliability",
    "--disable-breakpad",
    "--dump-dom",
)


def find_browser() -> str:
    for name in BROWSERS:
        path = shutil.which(name)
        if path:
            return path
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail("Chromium is missing in CI; .ci/run should have installed it")
    pytest.skip("no headless Chromium installed (apt-get install chromium)")


async def dump_dom(browser: str, url: str, home: str) -> str:
    process = await asyncio.create_subprocess_exec(
        browser,
        *FLAGS,
        f"--user-data-dir={home}/profile",
        url,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.DEVNULL,
        env={**os.environ, "HOME": home},
    )
    try:
        out, _ = await asyncio.wait_for(process.communicate(), timeout=90)
    except TimeoutError:
        process.kill()
        await process.wait()
        raise
    return out.decode("utf-8")


def text_of(dom: str) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", dom).split())


async def test_the_connected_page_reads_right_in_a_browser_without_javascript(
    env: Env, tmp_path
) -> None:
    browser = find_browser()
    env.fake.add_user("u1", "Ünal 🎧 <b>bold</b>")
    url = await env.service.start(7)  # Chromium follows the fake's redirect to the callback
    dom = await dump_dom(browser, url, str(tmp_path))
    text = text_of(dom)
    assert "Spotify connected" in text
    assert "You are connected as Ünal 🎧 &lt;b&gt;bold&lt;/b&gt;." in text
    assert "<b>bold</b>" not in dom
    assert await env.db.accounts.get(7) is not None
    # the same link again: used up
    dom = await dump_dom(browser, url, str(tmp_path))
    assert "This sign-in link has expired" in text_of(dom)
