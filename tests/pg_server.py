"""A throwaway PostgreSQL server for the tests, and a fresh schema per test.

:func:`postgres_server` gives the base URL of a server: ``TEST_DATABASE_URL`` when set
(a server someone runs; the tests only create and drop schemas named ``test_...``),
else a cluster of its own, made with the distribution's ``initdb`` in a temporary
folder and started with ``pg_ctl`` on a free 127.0.0.1 port, its socket in that folder
too; without durability (``fsync=off``), since it is thrown away. As root it runs as
the ``postgres`` user (the server refuses to run as root). Without server binaries the
tests that need it are skipped, except in CI (``CI=true``), where that fails them:
``.ci/run`` installs the ``postgresql`` package.

:func:`new_schema` makes an empty schema and returns the server's URL with
``search_path`` set to it (asyncpg passes unknown URL parameters to the server), so
every test starts from an empty database in a fraction of a millisecond.
"""

from __future__ import annotations

import asyncio
import glob
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import time
import uuid
from collections.abc import Awaitable, Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TypeVar
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import pytest

T = TypeVar("T")

#: Seconds the session waited for its own server (reported in the test summary).
STARTUP: list[float] = []


def in_thread(make: Callable[[], Awaitable[T]]) -> T:
    """Run a coroutine to completion on a loop of its own in another thread, so sync
    fixtures and tests can use asyncpg beside pytest-asyncio's loop."""
    with ThreadPoolExecutor(1) as pool:
        return pool.submit(lambda: asyncio.run(make())).result()  # type: ignore[arg-type]


def _binaries() -> Path | None:
    """The folder holding ``initdb`` and ``pg_ctl``: the newest under /usr/lib/postgresql,
    else wherever PATH finds them."""
    folders = sorted(
        glob.glob("/usr/lib/postgresql/*/bin"), key=lambda p: int(p.split("/")[-2]), reverse=True
    )
    found = shutil.which("initdb")
    if found:
        folders.append(str(Path(found).resolve().parent))
    for folder in folders:
        if all((Path(folder) / tool).is_file() for tool in ("initdb", "pg_ctl", "postgres")):
            return Path(folder)
    return None


def _missing(why: str) -> None:
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(f"{why} in CI; .ci/run should have installed the postgresql package")
    pytest.skip(f"{why} (apt-get install postgresql, or set TEST_DATABASE_URL)")


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextmanager
def _own_cluster(binaries: Path, *, durable: bool = False) -> Iterator[str]:
    """initdb + pg_ctl start in a temporary folder; stopped and removed afterwards.

    Not ``durable`` (tests): no fsync, no synchronous commit. ``durable`` (benchmarks):
    PostgreSQL's own defaults, as a production server commits.
    """
    as_user: list[str] = []
    folder = Path(tempfile.mkdtemp(prefix="playlist-clusters-pg-"))
    if os.geteuid() == 0:
        try:
            owner = pwd.getpwnam("postgres")
        except KeyError:
            shutil.rmtree(folder)
            _missing("no 'postgres' user to run the server as")
        os.chown(folder, owner.pw_uid, owner.pw_gid)
        as_user = ["runuser", "-u", "postgres", "--"]
    data, port = folder / "data", _free_port()
    options = f"-p {port} -k {folder} -c listen_addresses=127.0.0.1 -c max_connections=200"
    if not durable:
        options += " -c fsync=off -c synchronous_commit=off -c full_page_writes=off"
    run: dict[str, Any] = {"check": True, "capture_output": True, "timeout": 120}
    try:
        subprocess.run(
            [*as_user, str(binaries / "initdb"), "-D", str(data), "-A", "trust", "-U",
             "postgres", "-E", "UTF8", "--no-locale", "--no-sync"],
            **run,
        )  # fmt: skip
        subprocess.run(
            [*as_user, str(binaries / "pg_ctl"), "-D", str(data), "-o", options, "-w",
             "-l", str(folder / "server.log"), "start"],
            **run,
        )  # fmt: skip
    except subprocess.CalledProcessError as exc:
        log = folder / "server.log"
        tail = log.read_text(errors="replace")[-2000:] if log.exists() else ""
        shutil.rmtree(folder, ignore_errors=True)
        raise RuntimeError(f"PostgreSQL did not start: {exc.stderr!r} {tail}") from exc
    try:
        yield f"postgresql://postgres@127.0.0.1:{port}/postgres"
    finally:
        subprocess.run(
            [*as_user, str(binaries / "pg_ctl"), "-D", str(data), "-m", "immediate", "stop"],
            capture_output=True,
            timeout=60,
        )
        shutil.rmtree(folder, ignore_errors=True)


@contextmanager
def postgres_server(*, durable: bool = False) -> Iterator[str]:
    """The base URL of a PostgreSQL server for this test session (see the module doc);
    ``durable``: with fsync and synchronous commits (for benchmarks)."""
    given = os.environ.get("TEST_DATABASE_URL", "")
    if given:
        yield given
        return
    binaries = _binaries()
    if binaries is None:
        _missing("no PostgreSQL server binaries (initdb, pg_ctl) found")
        return
    started = time.perf_counter()
    with _own_cluster(binaries, durable=durable) as url:
        STARTUP.append(time.perf_counter() - started)
        yield url


def with_schema(url: str, schema: str) -> str:
    """``url`` with ``search_path`` set to ``schema``."""
    parts = urlsplit(url)
    query = [(k, v) for k, v in parse_qsl(parts.query) if k != "search_path"]
    return urlunsplit(parts._replace(query=urlencode([*query, ("search_path", schema)])))


def new_schema(url: str) -> tuple[str, Callable[[], None]]:
    """An empty schema on the server of ``url``: its URL and a function dropping it."""
    import asyncpg

    schema = f"test_{uuid.uuid4().hex[:16]}"

    async def run(sql: str) -> None:
        conn = await asyncpg.connect(url)
        try:
            await conn.execute(sql)
        finally:
            await conn.close()

    in_thread(lambda: run(f'CREATE SCHEMA "{schema}"'))
    return with_schema(url, schema), lambda: in_thread(
        lambda: run(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')
    )
