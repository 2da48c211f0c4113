"""Fixtures of the preview-audio tests: the MP3 library, the fake CDN, a process pool."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from concurrent.futures import ProcessPoolExecutor

import aiohttp
import pytest
from aiohttp.test_utils import TestServer

from bot.features.audio import make_executor
from tests.features.preview_cdn import FakeCdn, family_clip
from tests.synthetic_audio import silence, to_mp3


@pytest.fixture(scope="module")
def library() -> dict[str, bytes]:
    """Every MP3 the fake CDN serves, made once per module."""
    files = {f"f{f}m{m}.mp3": to_mp3(family_clip(f, m)) for f in range(3) for m in range(4)}
    good = files["f0m0.mp3"]
    files["silent.mp3"] = to_mp3(silence(5.0))
    files["truncated.mp3"] = good[:1200]
    files["garbage.mp3"] = b"<html><body>Not an MP3</body></html>" * 100
    files["huge.mp3"] = good * 40
    return files


@pytest.fixture(scope="module")
def pool() -> Iterator[ProcessPoolExecutor]:
    executor = make_executor(2)
    yield executor
    executor.shutdown(wait=True, cancel_futures=True)


@pytest.fixture
async def cdn(library: dict[str, bytes]) -> AsyncIterator[FakeCdn]:
    fake = FakeCdn(dict(library))
    fake.server = TestServer(fake.app(), host="127.0.0.1")
    await fake.server.start_server()
    yield fake
    await fake.server.close()


@pytest.fixture
async def session() -> AsyncIterator[aiohttp.ClientSession]:
    async with aiohttp.ClientSession() as s:
        yield s
