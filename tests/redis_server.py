"""Start a throw-away redis-server on a free 127.0.0.1 port (tests/jobs, benchmarks/load.py).

No persistence (``--save ''``, ``--appendonly no``); ready once its log says so.
"""

from __future__ import annotations

import shutil
import socket
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

READY = b"Ready to accept connections"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def find_redis_server() -> str | None:
    return shutil.which("redis-server")


def _wait_ready(process: subprocess.Popen[bytes], seconds: float = 20.0) -> None:
    """Read the server's log until it says it is ready (or fail if it exits)."""
    assert process.stdout is not None
    deadline = time.monotonic() + seconds
    seen = b""
    while time.monotonic() < deadline:
        line = process.stdout.readline()
        if not line and process.poll() is not None:
            break
        seen += line
        if READY in line:
            return
    raise RuntimeError(f"redis-server did not start: {seen.decode(errors='replace')[-2000:]}")


@contextmanager
def redis_server(executable: str, folder: Path) -> Iterator[str]:
    """A running redis-server for the block; yields its ``redis://`` URL."""
    port = free_port()
    options = ("--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--dir", str(folder))
    process = subprocess.Popen(
        [executable, "--port", str(port), *options],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    try:
        _wait_ready(process)
        # the log is not read any more: close it so a full pipe never blocks the server
        assert process.stdout is not None
        process.stdout.close()
        yield f"redis://127.0.0.1:{port}/0"
    finally:
        process.terminate()
        try:
            process.wait(10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
