"""`python -m bot.health`: exit 0 when the running bot touched its heartbeat file lately.

The bot touches ``HEALTH_FILE`` every 30 seconds while connected to Discord; the
container's HEALTHCHECK runs this module, so a bot that lost its connection (or
hangs) turns the container unhealthy instead of looking fine.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

from bot.config import get_settings

MAX_AGE_SECONDS = 120.0


def heartbeat_age(path: Path, now: float | None = None) -> float | None:
    """Seconds since the heartbeat file was written, or None when there is none."""
    try:
        written = path.stat().st_mtime
    except FileNotFoundError:
        return None
    return (time.time() if now is None else now) - written


def main() -> int:
    path = get_settings().health_file
    age = heartbeat_age(path)
    if age is None:
        print(f"unhealthy: no heartbeat at {path}", file=sys.stderr)
        return 1
    if age > MAX_AGE_SECONDS:
        print(f"unhealthy: last heartbeat {age:.0f} s ago", file=sys.stderr)
        return 1
    print(f"healthy: last heartbeat {age:.0f} s ago")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
