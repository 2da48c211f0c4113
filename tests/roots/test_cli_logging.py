"""Every exit 2 of the CLI is one stderr line; progress notes appear only when asked for
(``-v`` or ``LOG_LEVEL``). Run as a real child process against the fake Spotify."""

from __future__ import annotations

from pathlib import Path

from tests.fakes.data import spotify_id
from tests.fakes.spotify import CLIENT_ID, CLIENT_SECRET, SpotifyPlaylist
from tests.roots.test_wiring import _cli, _fake_env


def refusing_spotify(fake_spotify, fake_deezer, fake_reccobeats) -> tuple[dict[str, str], str]:
    """A fake Spotify refusing every page size the program tries (100, 50 and 20)."""
    pid = spotify_id(5)
    fake_spotify.add(SpotifyPlaylist.generated(pid, 30), with_features=False)
    fake_spotify.max_limit = 10
    env = _fake_env(fake_spotify, fake_deezer, fake_reccobeats)
    env.update({"SPOTIFY_CLIENT_ID": CLIENT_ID, "SPOTIFY_CLIENT_SECRET": CLIENT_SECRET})
    return env, f"https://open.spotify.com/playlist/{pid}"


async def test_spotify_refusing_every_page_size_is_one_line(
    tmp_path: Path, fake_spotify, fake_deezer, fake_reccobeats
) -> None:
    env, link = refusing_spotify(fake_spotify, fake_deezer, fake_reccobeats)
    code, _, err = await _cli(tmp_path, env, "analyze", link, "-q", "-o", "out")
    assert code == 2
    lines = err.splitlines()
    assert len(lines) == 1 and lines[0].startswith("playlist-clusters: "), err
    assert "smaller page" not in err


async def test_the_notes_show_with_v_or_log_level(
    tmp_path: Path, fake_spotify, fake_deezer, fake_reccobeats
) -> None:
    env, link = refusing_spotify(fake_spotify, fake_deezer, fake_reccobeats)
    for extra_env, flags in (({}, ["-v"]), ({"LOG_LEVEL": "INFO"}, [])):
        code, _, err = await _cli(
            tmp_path, {**env, **extra_env}, "analyze", link, "-q", "-o", "out", *flags
        )
        assert code == 2
        notes = [line for line in err.splitlines() if "trying a smaller page" in line]
        assert [n.split(": ", 2)[-1] for n in notes] == [
            "Spotify refused limit=100; trying a smaller page",
            "Spotify refused limit=50; trying a smaller page",
        ]
        assert err.splitlines()[-1].startswith("playlist-clusters: ")  # the error, last
