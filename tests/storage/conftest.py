"""Every storage test runs on both backends: SQLite (a file) and PostgreSQL (a schema).

A test asking for ``db``, ``location``, ``new_location`` or ``backend`` is run twice,
``[sqlite]`` and ``[postgres]``; ``@pytest.mark.sqlite_only`` (with its reason) keeps
a test about the SQLite file itself (WAL, busy locks, PRAGMAs, file size, killed
writers at SQLite VM steps) to one run. PostgreSQL is the session's throwaway server
(``postgres_url``), with a fresh empty schema per location.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Iterator
from pathlib import Path

import pytest

from bot.model import Analysis
from storage.database import Database, open_database
from tests.pg_server import new_schema
from tests.storage.helpers import analyse, sample_playlist

BACKENDS = ("sqlite", "postgres")

Location = str | Path


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    if "backend" in metafunc.fixturenames:
        only = metafunc.definition.get_closest_marker("sqlite_only")
        metafunc.parametrize("backend", ["sqlite"] if only else BACKENDS, indirect=True)


@pytest.fixture
def backend(request: pytest.FixtureRequest) -> str:
    """``"sqlite"`` or ``"postgres"`` (parametrized by pytest_generate_tests)."""
    return str(request.param)


@pytest.fixture
def new_location(
    backend: str, tmp_path: Path, request: pytest.FixtureRequest
) -> Iterator[Callable[[str], Location]]:
    """Make empty databases: a file path (SQLite) or a URL of a new schema (PostgreSQL).

    Opening the same location twice is a restart: the data is still there.
    """
    drops: list[Callable[[], None]] = []

    def make(name: str = "test") -> Location:
        if backend == "sqlite":
            return tmp_path / "data" / f"{name}.db"
        url, drop = new_schema(request.getfixturevalue("postgres_url"))
        drops.append(drop)
        return url

    yield make
    for drop in drops:
        drop()


@pytest.fixture
def location(new_location: Callable[[str], Location]) -> Location:
    """One empty database of the test's backend."""
    return new_location("test")


@pytest.fixture
async def db(location: Location) -> AsyncIterator[Database]:
    database = await open_database(location)
    try:
        yield database
    finally:
        await database.close()


@pytest.fixture(scope="session")
def sample_analysis() -> Analysis:
    """The bundled sample, analysed once for the whole session (treat as read-only)."""
    return analyse(sample_playlist())
