"""Shared test helpers: synthetic playlists, the bundled sample, and the fake servers.

The fake Spotify, Deezer and ReccoBeats servers (``tests/fakes/``) are served as the
fixtures ``fake_spotify``, ``fake_deezer`` and ``fake_reccobeats``; other tests (the
bot's end-to-end test) reuse them: add a playlist with ``fake_deezer.generated(pid, n)``
and use ``fake_settings`` (every base URL pointed at the fakes) and ``http``.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Iterator
from pathlib import Path

import numpy as np
import pytest

from bot.model import Playlist, PlaylistRef, Track
from bot.net.client import HttpClient
from bot.settings.env import Settings
from tests.fakes import make_settings
from tests.fakes.base import serve
from tests.fakes.deezer import FakeDeezer
from tests.fakes.reccobeats import FakeReccoBeats
from tests.fakes.spotify import CLIENT_ID, CLIENT_SECRET, FakeSpotify
from tests.pg_server import STARTUP, new_schema, postgres_server

ROOT = Path(__file__).resolve().parents[1]
SAMPLE_CSV = ROOT / "samples" / "international_pop_synthetic_features.csv"
REFERENCE_PAGE = ROOT / "tests" / "data" / "reference_page.md"


def blob_playlist(
    sizes: tuple[int, ...] = (40, 30, 20), seed: int = 1
) -> tuple[Playlist, np.ndarray]:
    """A playlist of well-separated audio-feature groups and the true group of each track."""
    rng = np.random.default_rng(seed)
    centres = [
        {
            "danceability": 0.85,
            "energy": 0.85,
            "valence": 0.8,
            "acousticness": 0.05,
            "tempo": 128.0,
        },
        {"danceability": 0.35, "energy": 0.2, "valence": 0.2, "acousticness": 0.9, "tempo": 75.0},
        {"danceability": 0.5, "energy": 0.95, "valence": 0.4, "acousticness": 0.02, "tempo": 175.0},
        {"danceability": 0.6, "energy": 0.5, "valence": 0.9, "acousticness": 0.5, "tempo": 100.0},
    ]
    tracks: list[Track] = []
    truth: list[int] = []
    for group, size in enumerate(sizes):
        for i in range(size):
            audio = {
                key: float(value + rng.normal(0, 4.0 if key == "tempo" else 0.04))
                for key, value in centres[group].items()
            }
            tracks.append(
                Track(
                    id=f"g{group}t{i}",
                    title=f"Track {group}-{i}",
                    artists=(f"Artist {i % 7}",),
                    audio=audio,
                    audio_provider="csv",
                )
            )
            truth.append(group)
    order = rng.permutation(len(tracks))
    playlist = Playlist(
        PlaylistRef("csv", "blobs.csv"), "Blobs", [tracks[i] for i in order], "snap"
    )
    return playlist, np.array(truth)[order]


@pytest.fixture
def sample_csv() -> Path:
    return SAMPLE_CSV


@pytest.fixture
async def fake_spotify() -> AsyncIterator[FakeSpotify]:
    fake = FakeSpotify()
    async with serve(fake):
        yield fake


@pytest.fixture
async def fake_deezer() -> AsyncIterator[FakeDeezer]:
    fake = FakeDeezer()
    async with serve(fake):
        yield fake


@pytest.fixture
async def fake_reccobeats() -> AsyncIterator[FakeReccoBeats]:
    fake = FakeReccoBeats()
    async with serve(fake):
        yield fake


@pytest.fixture
def fake_settings(fake_spotify, fake_deezer, fake_reccobeats) -> Settings:
    """Settings pointing every base URL at the fakes, with Spotify credentials."""
    return make_settings(
        spotify_client_id=CLIENT_ID,
        spotify_client_secret=CLIENT_SECRET,
        spotify_api_base=fake_spotify.api_base,
        spotify_token_url=fake_spotify.token_url,
        deezer_api_base=fake_deezer.api_base,
        reccobeats_api_base=fake_reccobeats.api_base,
    )


@pytest.fixture
async def http(fake_settings: Settings) -> AsyncIterator[HttpClient]:
    """An HttpClient on the fakes whose retry pauses are 1/1000 of the real ones."""
    client = HttpClient(fake_settings.http, pause_scale=0.001)
    yield client
    await client.close()


# --- databases of both backends ---------------------------------------------------------
#
# A test asking for ``location``, ``new_location`` or ``backend`` runs twice, ``[sqlite]``
# and ``[postgres]``; ``@pytest.mark.sqlite_only`` (with its reason) keeps a test about
# the SQLite file itself (WAL, busy locks, PRAGMAs, file size, killed writers at SQLite
# VM steps) to one run. PostgreSQL is the session's throwaway server (``postgres_url``),
# with a fresh empty schema per location.

BACKENDS = ("sqlite", "postgres")

#: A SQLite file, or the URL of a PostgreSQL schema: what ``open_database`` opens.
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


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    """A PostgreSQL server for the session (``tests/pg_server.py``): skipped without one,
    failed in CI."""
    with postgres_server() as url:
        yield url


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    """Say what the session's own PostgreSQL server cost to start."""
    if STARTUP:
        terminalreporter.write_line(f"PostgreSQL test server: started in {STARTUP[0]:.2f} s")
