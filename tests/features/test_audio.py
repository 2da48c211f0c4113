"""PreviewAudioProvider against a fake preview CDN on 127.0.0.1, through the pipeline."""

from __future__ import annotations

from concurrent.futures import ProcessPoolExecutor
from types import SimpleNamespace

import aiohttp
import numpy as np
import pytest
from sklearn.metrics import adjusted_rand_score

from bot.analysis.audio.signal import FEATURE_NAMES, FEATURE_VERSION
from bot.features.audio import (
    DOWNLOAD_FAILED,
    HOST_NOT_ALLOWED,
    PROVIDER_NAME,
    STAGE,
    TOO_LARGE,
    PreviewAudioProvider,
)
from bot.features.preview_failures import FAILURE_PROVIDER
from bot.model import AnalysisOptions, Playlist, PlaylistRef
from bot.pipeline.runner import Pipeline
from bot.settings.env import Settings
from tests.features.preview_cdn import DictCache, FakeCdn, Progress, provider, track


async def test_pipeline_recovers_three_sound_families(
    cdn: FakeCdn, session: aiohttp.ClientSession
) -> None:
    truth = [f for f in range(3) for _ in range(4)]
    tracks = [
        track(f"{f}{m}", cdn.url(f"/previews/f{f}m{m}.mp3?hdnea=exp=1~hmac=abc"))
        for f in range(3)
        for m in range(4)
    ]
    order = np.random.default_rng(1).permutation(len(tracks))
    playlist = Playlist(
        PlaylistRef("deezer", "1"), "Three families", [tracks[i] for i in order], "snap"
    )
    progress = Progress()
    async with PreviewAudioProvider(session, allowed_hosts=["127.0.0.1"], workers=1) as audio:
        analysis = await Pipeline(providers=[audio]).analyze(playlist, AnalysisOptions(), progress)
    assert audio.last_report.analysed == 12 and audio.last_report.failed == 0
    labels = analysis.labels
    assert adjusted_rand_score([truth[i] for i in order], labels) >= 0.9
    assert analysis.features.family == "preview"
    assert analysis.features.summary == (
        "12 of 12 tracks had features from preview audio (preview analysis)."
    )
    assert set(analysis.features.columns) >= {"tempo", "rms_db", "spectral_centroid"}
    listening = [r for r in progress.reports if r[0] == STAGE]
    assert listening[0] == (STAGE, 0, 12) and listening[-1] == (STAGE, 12, 12)
    assert [done for _, done, _ in listening] == sorted(done for _, done, _ in listening)
    assert all(set(t.preview_features or ()) == set(FEATURE_NAMES) for t in playlist.tracks)
    assert "hdnea" not in repr([t.to_dict() for t in playlist.tracks])


async def test_bad_previews_are_skipped_counted_and_never_fatal(
    cdn: FakeCdn, session: aiohttp.ClientSession, pool: ProcessPoolExecutor
) -> None:
    names = ["f0m1", "silent", "truncated", "garbage", "huge", "endless", "expired", "missing"]
    names.append("slow")
    tracks = [track(n, cdn.url(f"/previews/{n}.mp3")) for n in names]
    tracks.append(track("moved", cdn.url("/previews/moved-f2m0.mp3")))
    tracks.append(track("elsewhere", cdn.url("/previews/moved-f1m0.mp3?host=localhost")))
    audio = provider(session, pool, max_bytes=400_000, timeout=1.0)
    got = await audio.enrich(tracks, Progress())
    report = audio.last_report
    assert got == 2 and report.analysed == 2
    with_features = {t.id for t in tracks if t.preview_features}
    assert with_features == {"f0m1", "moved"}
    assert report.skipped == {
        "silent": 1,
        "too short": 1,
        "could not be decoded": 1,
        TOO_LARGE: 2,
        DOWNLOAD_FAILED: 3,
        HOST_NOT_ALLOWED: 1,
    }
    assert report.summary() == (
        "9 previews could not be analysed (3 download failed, 2 too large, "
        "1 could not be decoded, 1 host not allowed, 1 silent, 1 too short)."
    )
    # The redirect to a host outside the allowlist was not followed.
    assert cdn.hits.count("/previews/f1m0.mp3") == 0


async def test_non_allowlisted_host_is_never_fetched(
    cdn: FakeCdn, session: aiohttp.ClientSession, pool: ProcessPoolExecutor
) -> None:
    url = cdn.url("/previews/f0m0.mp3")
    strangers = [
        track("a", url),
        track("b", url.replace("http://", "ftp://")),
        track("c", "not a url at all"),
    ]
    audio = provider(session, pool, allowed_hosts=["cdnt-preview.dzcdn.net", "127.0.0.2"])
    assert await audio.enrich(strangers, Progress()) == 0
    assert audio.last_report.skipped == {HOST_NOT_ALLOWED: 3}
    assert cdn.hits == []
    # The same URL is fetched once its host is allowed: the server was there all along.
    assert await provider(session, pool).enrich([track("a", url)], Progress()) == 1
    assert cdn.hits == ["/previews/f0m0.mp3"]


async def test_second_analysis_downloads_nothing(
    cdn: FakeCdn, session: aiohttp.ClientSession, pool: ProcessPoolExecutor
) -> None:
    cache = DictCache()
    first = [track(f"t{m}", cdn.url(f"/previews/f1m{m}.mp3?token=one")) for m in range(3)]
    first.append(track("bad", cdn.url("/previews/garbage.mp3?token=one")))
    audio = provider(session, pool, cache=cache)
    assert await audio.enrich(first, Progress()) == 3
    assert len(cdn.hits) == 4
    assert {key[1] for key in cache.data if key[2] == PROVIDER_NAME} == {"t0", "t1", "t2"}
    assert {key[1] for key in cache.data if key[2] == FAILURE_PROVIDER} == {"bad"}
    assert {key[3] for key in cache.data} == {FEATURE_VERSION}
    assert "token" not in repr(cache.data) and "http" not in repr(cache.data)

    # Fresh track objects with fresh (re-signed) preview URLs, as a new fetch gives.
    again = [track(f"t{m}", cdn.url(f"/previews/f1m{m}.mp3?token=two")) for m in range(3)]
    audio = provider(session, pool, cache=cache)
    progress = Progress()
    assert await audio.enrich(again, progress) == 3
    assert len(cdn.hits) == 4
    assert audio.last_report.cached == 3 and audio.last_report.analysed == 0
    assert [t.preview_features for t in again] == [t.preview_features for t in first[:3]]
    assert progress.reports == [(STAGE, 0, 3), (STAGE, 3, 3)]


async def test_only_tracks_that_need_previews_are_fetched(
    cdn: FakeCdn, session: aiohttp.ClientSession, pool: ProcessPoolExecutor
) -> None:
    tracks = [
        track("no-preview"),
        track("needs", cdn.url("/previews/f2m1.mp3")),
        track("needs", cdn.url("/previews/f2m1.mp3")),  # the same track twice: one fetch
        track("done", cdn.url("/previews/f2m2.mp3"), preview_features={"tempo": 100.0}),
    ]
    audio = provider(session, pool)
    assert await audio.enrich(tracks, Progress()) == 1
    assert cdn.hits == ["/previews/f2m1.mp3"]
    assert tracks[1].preview_features is not None
    assert tracks[2].preview_features == tracks[1].preview_features
    assert tracks[0].preview_features is None
    assert tracks[3].preview_features == {"tempo": 100.0}


async def test_a_minority_with_provider_features_is_analysed_too(
    cdn: FakeCdn, session: aiohttp.ClientSession, pool: ProcessPoolExecutor
) -> None:
    spotify_scale = {"energy": 0.5, "tempo": 120.0}
    tracks = [track(f"p{m}", cdn.url(f"/previews/f0m{m}.mp3")) for m in range(3)]
    tracks.append(
        track("a", cdn.url("/previews/f1m0.mp3"), audio=spotify_scale, audio_provider="deezer")
    )
    playlist = Playlist(PlaylistRef("deezer", "2"), "Mixed", tracks, "snap")
    async with provider(session, pool) as audio:
        analysis = await Pipeline(providers=[audio]).analyze(playlist, AnalysisOptions(k=2))
    # The preview family leads, so the track with provider features is heard as well
    # instead of sitting at the column medians; the two scales are never mixed.
    assert all(t.preview_features for t in tracks)
    assert analysis.features.family == "preview"
    assert analysis.features.summary == (
        "4 of 4 tracks had features from preview audio (preview analysis)."
    )
    assert "energy" not in analysis.features.columns
    assert analysis.labels[3] != analysis.labels[0] == analysis.labels[1] == analysis.labels[2]


async def test_nothing_is_downloaded_when_provider_features_cover_most_tracks(
    cdn: FakeCdn, session: aiohttp.ClientSession, pool: ProcessPoolExecutor
) -> None:
    url = cdn.url("/previews/f0m2.mp3")
    tracks = [track(str(i), url, audio={"energy": 0.5}, audio_provider="spotify") for i in range(3)]
    tracks += [track(f"p{i}", url) for i in range(2)]
    audio = provider(session, pool)
    progress = Progress()
    assert await audio.enrich(tracks, progress) == 0
    assert audio.last_report.not_needed
    assert cdn.hits == [] and progress.reports == []


async def test_accepts_a_client_object_holding_the_session(
    cdn: FakeCdn, session: aiohttp.ClientSession, pool: ProcessPoolExecutor
) -> None:
    http = SimpleNamespace(session=session)
    audio = provider(http, pool)  # type: ignore[arg-type]
    assert await audio.enrich([track("x", cdn.url("/previews/f0m3.mp3"))], Progress()) == 1


def test_settings_configure_the_provider(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PREVIEW_HOSTS", "cdn.example, 127.0.0.1")
    monkeypatch.setenv("PREVIEW_MAX_BYTES", "123456")
    monkeypatch.setenv("AUDIO_WORKERS", "3")
    settings = Settings(_env_file=None)
    audio = PreviewAudioProvider.from_settings(settings.features, SimpleNamespace(session=None))
    assert audio.allowed_hosts == {"cdn.example", "127.0.0.1"}
    assert audio.max_bytes == 123456 and audio.workers == 3
    assert (audio.name, audio.family) == ("preview", "preview")


async def test_errors_from_the_callers_side_surface_as_themselves(
    cdn: FakeCdn, session: aiohttp.ClientSession, pool: ProcessPoolExecutor
) -> None:
    def progress(stage: str, done: int, total: int) -> None:
        if done:
            raise LookupError("progress message was deleted")

    tracks = [track(f"x{m}", cdn.url(f"/previews/f0m{m}.mp3")) for m in range(3)]
    with pytest.raises(LookupError, match="deleted"):
        await provider(session, pool).enrich(tracks, progress)


async def test_work_in_flight_is_bounded_whatever_the_playlist_size(
    cdn: FakeCdn, session: aiohttp.ClientSession, pool: ProcessPoolExecutor
) -> None:
    tracks = [track(f"t{i}", cdn.url(f"/previews/f2m{i % 4}.mp3?delay=0.05")) for i in range(10)]
    audio = provider(session, pool, workers=1)
    assert await audio.enrich(tracks, Progress()) == 10
    assert len(cdn.hits) == 10
    assert cdn.peak_active == 2  # two previews per worker process, never more
