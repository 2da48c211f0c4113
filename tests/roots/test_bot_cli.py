"""Starting the bot from the command line: a missing token is one clear line, exit 2."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

from bot.roots.health import heartbeat_age

ROOT = Path(__file__).resolve().parents[2]


def run(args: list[str], cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k != "DISCORD_TOKEN"}
    env["PYTHONPATH"] = str(ROOT)
    return subprocess.run(
        [sys.executable, *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=60
    )


def test_without_a_token_the_bot_exits_2_naming_the_setting(tmp_path: Path) -> None:
    for args in (["-m", "bot"], ["-m", "bot.roots.cli", "sync-commands", "--guild", "123"]):
        done = run(args, tmp_path)
        assert done.returncode == 2, done.stderr
        lines = done.stderr.strip().splitlines()
        assert len(lines) == 1
        assert "DISCORD_TOKEN" in lines[0] and ".env.example" in lines[0]


def test_heartbeat_age_reads_the_file_the_bot_touches(tmp_path: Path) -> None:
    beat = tmp_path / "heartbeat"
    assert heartbeat_age(beat) is None
    beat.write_text("1")
    age = heartbeat_age(beat, now=time.time() + 300)
    assert age is not None and 299 <= age <= 301
