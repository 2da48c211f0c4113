"""Every storage test runs on both backends: SQLite (a file) and PostgreSQL (a schema).

A test asking for ``db``, ``location``, ``new_location`` or ``backend`` (fixtures of
``tests/conftest.py``) is run twice, ``[sqlite]`` and ``[postgres]``;
``@pytest.mark.sqlite_only`` (with its reason) keeps a test about the SQLite file itself
to one run.
"""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from bot.model import Analysis
from storage.database import Database, open_database
from tests.conftest import Location
from tests.storage.helpers import analyse, sample_playlist

__all__ = ["Location"]


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
