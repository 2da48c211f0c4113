"""`python -m bot.roots.health`: exit 0 when the running bot touched its heartbeat file lately.

The bot writes ``HEALTH_FILE`` every 30 seconds while connected to Discord (every
shard of the process connected, when sharded); the container's HEALTHCHECK runs this
module, so a bot that lost its connection (or hangs) turns the container unhealthy
instead of looking fine. The file's text names the process's shards, which the
answer repeats ("healthy: last heartbeat 12 s ago (shards 0 of 2, 1,204 guilds)").
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

from bot.settings.env import get_settings

MAX_AGE_SECONDS = 120.0


def heartbeat_age(path: Path, now: float | None = None) -> float | None:
    """Seconds since the heartbeat file was written, or None when there is none."""
    try:
        written = path.stat().st_mtime
    except FileNotFoundError:
        return None
    return (time.time() if now is None else now) - written


def heartbeat_note(path: Path) -> str:
    """What the heartbeat says of the process: " (shards 0 of 2, 12 guilds)", or ""."""
    try:
        beat = json.loads(path.read_text(encoding="utf-8"))
        return f" ({beat['shards']}, {int(beat['guilds']):,} guilds)"
    except (OSError, ValueError, TypeError, KeyError):  # older plain-number beats, races
        return ""


def main() -> int:
    path = get_settings().health_file
    age = heartbeat_age(path)
    if age is None:
        print(f"unhealthy: no heartbeat at {path}", file=sys.stderr)
        return 1
    note = heartbeat_note(path)
    if age > MAX_AGE_SECONDS:
        print(f"unhealthy: last heartbeat {age:.0f} s ago{note}", file=sys.stderr)
        return 1
    print(f"healthy: last heartbeat {age:.0f} s ago{note}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
