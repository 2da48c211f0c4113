"""build_pipeline, load_source and `playlist-clusters analyze LINK` against the fakes."""

from __future__ import annotations

import asyncio
import json
import os
import sys
from pathlib import Path

import pytest

from bot.errors import BadLink
from bot.features.audio import PreviewAudioProvider
from bot.features.deezer import DeezerFeatures
from bot.features.reccobeats import ReccoBeatsFeatures
from bot.features.spotify import SpotifyFeatures
from bot.model import AnalysisOptions, Playlist, PlaylistRef
from bot.roots.cli import ProgressBar
from bot.roots.wiring import build_pipeline, close_providers, load_source
from tests.fakes.data import TITLES, features, spotify_id
from tests.fakes.spotify import CLIENT_ID, CLIENT_SECRET, SpotifyPlaylist
from tests.synthetic_audio import clicks, to_mp3, tones

ROOT = Path(__file__).resolve().parents[2]
SAMPLE = ROOT / "samples" / "international_pop_synthetic_features.csv"


def test_providers_follow_the_configured_order(fake_settings, http) -> None:
    pipeline = build_pipeline(fake_settings, http)
    assert [type(p) for p in pipeline.providers] == [
        SpotifyFeatures,
        ReccoBeatsFeatures,
        PreviewAudioProvider,  # before Deezer's two columns, see build_providers
        DeezerFeatures,
    ]
    settings = fake_settings.model_copy(update={"feature_providers": ["deezer", "reccobeats"]})
    names = [p.name for p in build_pipeline(settings, http).providers]
    assert names == ["preview", "deezer", "reccobeats"]
    settings = fake_settings.model_copy(update={"feature_providers": ["deezer", "preview"]})
    assert [p.name for p in build_pipeline(settings, http).providers] == ["deezer", "preview"]
    assert set(pipeline.sources) == {"spotify", "deezer", "ytmusic", "apple"}


async def test_load_source_csv_and_links(fake_settings, http) -> None:
    csv = await load_source(str(SAMPLE), fake_settings, http)
    assert isinstance(csv, Playlist) and len(csv.tracks) == 30
    link = await load_source("https://www.deezer.com/fr/playlist/42", fake_settings, http)
    assert link == PlaylistRef("deezer", "42")
    with pytest.raises(BadLink):
        await load_source("https://example.com/playlist/1", fake_settings, http)
    assert http.total_requests == 0


async def test_progress_reaches_the_progress_bar(fake_settings, http, fake_deezer, capsys) -> None:
    fake_deezer.generated(5, 1000, albums=3)
    bar = ProgressBar(True)
    bar.enabled = True  # draw although the test's stderr is not a terminal
    playlist = await build_pipeline(fake_settings, http).fetch(PlaylistRef("deezer", "5"), bar)
    assert len(playlist.tracks) == 1000
    err = capsys.readouterr().err
    assert "Fetching tracks 300/1,000" in err
    assert "Fetching tracks 1,000/1,000" in err
    assert "Reading album details 3/3" in err


async def _cli(tmp_path: Path, env: dict[str, str], *args: str) -> tuple[int, str, str]:
    """Run the real console entry point in a child process (the fakes keep serving here)."""
    full_env = {k: v for k, v in os.environ.items() if not k.startswith(("SPOTIFY", "DEEZER"))}
    full_env.update(env)
    full_env["PYTHONPATH"] = str(ROOT)
    proc = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot.roots.cli",
        *args,
        cwd=tmp_path,
        env=full_env,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    out, err = await proc.communicate()
    return proc.returncode or 0, out.decode("utf-8"), err.decode("utf-8")


def _fake_env(fake_spotify, fake_deezer, fake_reccobeats) -> dict[str, str]:
    return {
        "SPOTIFY_API_BASE": fake_spotify.api_base,
        "SPOTIFY_TOKEN_URL": fake_spotify.token_url,
        "DEEZER_API_BASE": fake_deezer.api_base,
        "RECCOBEATS_API_BASE": fake_reccobeats.api_base,
        "SPOTIFY_EMBED_BASE": "http://127.0.0.1:9/embed",
        "YTMUSIC_API_BASE": "http://127.0.0.1:9/youtubei/v1",
        "APPLE_MUSIC_BASE": "http://127.0.0.1:9/apple",
        "PREVIEW_HOSTS": "127.0.0.1",
        "PYTHONIOENCODING": "utf-8",
    }


async def test_cli_deezer_link_without_spotify_credentials(
    tmp_path, fake_spotify, fake_deezer, fake_reccobeats
) -> None:
    fake_deezer.generated(908622995, 60, albums=6)
    env = _fake_env(fake_spotify, fake_deezer, fake_reccobeats)
    code, out, err = await _cli(
        tmp_path,
        env,
        "analyze",
        "https://www.deezer.com/fr/playlist/908622995",
        "-q",
        "--out",
        "result",
    )
    assert code == 0, err
    assert "“ใหม่ล่าสุด 🎧” (60 tracks)" in out
    assert "60 of 60 tracks had audio features (Deezer with tempo and loudness only)." in out
    document = json.loads((tmp_path / "result" / "clusters.json").read_text(encoding="utf-8"))
    titles = {t["title"] for c in document["clusters"] for t in c["tracks"]}
    assert set(TITLES) <= titles
    markdown = (tmp_path / "result" / "clusters.md").read_text(encoding="utf-8")
    assert "ขอใจเธอแลกเบอร์โทร" in markdown and "夜に駆ける" in markdown
    assert fake_spotify.log == []  # never asked Spotify


async def test_cli_spotify_link_with_reccobeats(
    tmp_path, fake_spotify, fake_deezer, fake_reccobeats
) -> None:
    pid = spotify_id(3)
    playlist = fake_spotify.add(SpotifyPlaylist.generated(pid, 120), with_features=False)
    fake_spotify.features_forbidden = True
    for i, entry in enumerate(playlist.entries):
        fake_reccobeats.features[entry["id"]] = {
            k: v for k, v in features(i).items() if k not in {"key", "mode"}
        }
    env = _fake_env(fake_spotify, fake_deezer, fake_reccobeats)
    env.update({"SPOTIFY_CLIENT_ID": CLIENT_ID, "SPOTIFY_CLIENT_SECRET": CLIENT_SECRET})
    code, out, err = await _cli(
        tmp_path,
        env,
        "analyze",
        f"https://open.spotify.com/intl-ja/playlist/{pid}?si=x",
        "-q",
        "-k",
        "2",
    )
    assert code == 0, err
    assert "Found 2 clusters in “国際ポップ 🌏” (120 tracks)" in out
    assert "120 of 120 tracks had audio features (ReccoBeats)." in out
    assert (tmp_path / "国際ポップ" / "clusters_scatter.png").exists()


async def test_cli_spotify_link_without_credentials_explains(
    tmp_path, fake_spotify, fake_deezer, fake_reccobeats
) -> None:
    env = _fake_env(fake_spotify, fake_deezer, fake_reccobeats)
    env["SPOTIFY_PAGE_READING"] = "false"
    code, _, err = await _cli(tmp_path, env, "analyze", f"spotify:playlist:{spotify_id(3)}", "-q")
    assert code == 2
    assert "no Spotify credentials" in err and "Deezer link" in err
    assert len(err.strip().splitlines()) == 1


async def test_cli_track_link(tmp_path, fake_spotify, fake_deezer, fake_reccobeats) -> None:
    env = _fake_env(fake_spotify, fake_deezer, fake_reccobeats)
    code, _, err = await _cli(tmp_path, env, "analyze", "https://www.deezer.com/track/3135556")
    assert code == 2
    assert "That is a track link; paste a playlist link." in err


async def test_cli_csv_still_works(tmp_path, fake_spotify, fake_deezer, fake_reccobeats) -> None:
    env = _fake_env(fake_spotify, fake_deezer, fake_reccobeats)
    code, out, err = await _cli(tmp_path, env, "analyze", str(SAMPLE), "-q", "--out", "csv")
    assert code == 0, err
    assert "30 of 30 tracks had audio features (from the file)." in out
    assert fake_spotify.log == [] and fake_reccobeats.log == [] and fake_deezer.log == []


async def test_deezer_playlist_with_previews_runs_preview_analysis_before_deezer(
    fake_settings, http, fake_deezer
) -> None:
    """Previews lead; Deezer's tempo/loudness is asked only for the tracks without one."""
    fake_deezer.generated(9, 12, albums=2)
    fake_deezer.local_previews = True
    for i in range(10):
        clip = clicks(150, 4.0, freq=4000) if i % 2 else tones((98.0, 123.0), 4.0)
        fake_deezer.previews[3_000_000 + i] = to_mp3(clip)
    settings = fake_settings.model_copy(update={"audio_workers": 1})
    pipeline = build_pipeline(settings, http)
    try:
        playlist = await pipeline.fetch(PlaylistRef("deezer", "9"))
        analysis = await pipeline.analyze(playlist, AnalysisOptions(k=2))
    finally:
        await close_providers(pipeline)
    assert fake_deezer.count("preview") == 12
    assert fake_deezer.count("track") == 2  # only the two without a preview
    assert [t.audio_provider for t in playlist.tracks[10:]] == ["deezer", "deezer"]
    assert analysis.features.family == "preview"
    assert analysis.features.summary.startswith("10 of 12 tracks had features from preview audio")


async def test_cli_second_run_of_a_link_comes_from_the_cache(
    tmp_path, fake_spotify, fake_deezer, fake_reccobeats
) -> None:
    fake_deezer.generated(4242, 30, albums=3)
    env = _fake_env(fake_spotify, fake_deezer, fake_reccobeats)
    link = "https://deezer.com/playlist/4242"
    code, first, err = await _cli(tmp_path, env, "analyze", link, "-q", "-k", "2")
    assert code == 0, err
    asked = len(fake_deezer.log)
    code, second, err = await _cli(tmp_path, env, "analyze", link, "-q", "-k", "2")
    assert code == 0, err
    assert len(fake_deezer.log) == asked  # fresh playlist and analysis from the cache
    assert second == first
    assert (tmp_path / "data" / "playlist-clusters.db").exists()
