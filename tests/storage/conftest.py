from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.model import Analysis
from storage.database import Database
from tests.storage.helpers import analyse, sample_playlist


@pytest.fixture
async def db(tmp_path: Path) -> AsyncIterator[Database]:
    database = await Database.open(tmp_path / "data" / "test.db")
    try:
        yield database
    finally:
        await database.close()


@pytest.fixture(scope="session")
def sample_analysis() -> Analysis:
    """The bundled sample, analysed once for the whole session (treat as read-only)."""
    return analyse(sample_playlist())
