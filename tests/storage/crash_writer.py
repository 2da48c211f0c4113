"""A writer process for the crash tests: saves an analysis and is killed on the way.

    python -m tests.storage.crash_writer DB INPUT MAX_BYTES MODE [ARG]

DB is a SQLite file, or a PostgreSQL URL (``loop`` only). INPUT is a folder with
``doc.json`` (:func:`bot.render.document.to_document`) and ``png``. Modes:

- ``count``: save under key "new" and print how many SQLite VM steps it took;
- ``step N``: SIGKILL itself at the N-th VM step of saving "new";
- ``statement PREFIX``: SIGKILL itself when a statement starting with PREFIX begins;
- ``loop``: save "loop-0", "loop-1", ... forever, printing each key once committed,
  until the test kills it from outside.
"""

from __future__ import annotations

import asyncio
import json
import os
import signal
import sys
from pathlib import Path

from bot.render.document import from_document
from storage.database import open_database


def _die() -> None:
    os.kill(os.getpid(), signal.SIGKILL)


async def main(db_path: str, folder: str, max_bytes: str, mode: str, arg: str = "") -> None:
    doc = json.loads((Path(folder) / "doc.json").read_text("utf-8"))
    analysis = from_document(doc, (Path(folder) / "png").read_bytes())
    db = await open_database(db_path, cache_max_bytes=int(max_bytes))
    async with db.read() as session:
        conn = getattr(session, "connection", None)  # aiosqlite's, for SQLite's hooks
        if mode == "count":
            steps = [0]

            def count() -> int:
                steps[0] += 1
                return 0

            await conn.set_progress_handler(count, 1)  # type: ignore[union-attr]
        elif mode == "step":
            target, seen = int(arg), [0]

            def kill_at_step() -> int:
                seen[0] += 1
                if seen[0] >= target:
                    _die()
                return 0

            await conn.set_progress_handler(kill_at_step, 1)  # type: ignore[union-attr]
        elif mode == "statement":

            def kill_at_statement(sql: str) -> None:
                if sql.lstrip().startswith(arg):
                    _die()

            await conn.set_trace_callback(kill_at_statement)  # type: ignore[union-attr]
    if mode == "loop":
        print("ready", flush=True)
        for i in range(1_000_000):
            await db.cache.put_analysis(f"loop-{i}", analysis)
            print(f"loop-{i}", flush=True)
    await db.cache.put_analysis("new", analysis)
    if mode == "count":
        async with db.read() as session:
            await session.connection.set_progress_handler(None, 1)  # type: ignore[attr-defined]
        print(steps[0], flush=True)
    await db.close()


if __name__ == "__main__":
    asyncio.run(main(*sys.argv[1:]))
