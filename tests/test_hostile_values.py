"""Hostile values at each boundary they used to break: settings, links, numbers, text."""

from __future__ import annotations

import numpy as np
import pytest

from bot.analysis.features import build_feature_table
from bot.errors import BadLink, DatabaseUnusable
from bot.files.terminal import one_line, printable
from bot.model import Playlist, PlaylistRef, Track
from bot.net.links import parse_link
from bot.render.scatter import render_scatter
from bot.roots.cli import main, slug
from bot.settings.env import BadSetting, get_settings
from storage.codec import decode_playlist, encode_playlist
from storage.database import Database
from tests.conftest import SAMPLE_CSV


@pytest.fixture
def fresh_settings(monkeypatch: pytest.MonkeyPatch, tmp_path):
    monkeypatch.chdir(tmp_path)
    get_settings.cache_clear()
    yield monkeypatch
    get_settings.cache_clear()


@pytest.mark.parametrize(
    ("name", "value", "message"),
    [
        (
            "CSV_MAX_ROWS",
            "abc",
            "CSV_MAX_ROWS='abc' is not usable: Input should be a valid integer",
        ),
        ("CSV_MAX_ROWS", "-1", "CSV_MAX_ROWS='-1' is not usable: must be a number from 1"),
        ("HTTP_TIMEOUT_SECONDS", "nan", "HTTP_TIMEOUT_SECONDS='nan' is not usable"),
        ("DEEZER_API_BASE", "ftp://x", "must be an http:// or https:// URL"),
        ("FEATURE_PROVIDERS", "spotify,nope", "unknown provider 'nope'"),
        ("DISCORD_TOKEN", "", None),
    ],
)
def test_a_bad_setting_names_the_variable(
    fresh_settings, name: str, value: str, message: str | None, capsys
) -> None:
    fresh_settings.setenv(name, value)
    if message is None:
        get_settings()
        return
    with pytest.raises(BadSetting, match=message):
        get_settings()
    assert main(["cache", "stats"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and name in err


def test_k_min_above_k_max_is_refused(fresh_settings) -> None:
    fresh_settings.setenv("K_MIN", "9")
    fresh_settings.setenv("K_MAX", "3")
    with pytest.raises(BadSetting, match="K_MIN"):
        get_settings()


def test_a_settings_file_that_is_not_utf8_is_a_sentence(fresh_settings, tmp_path) -> None:
    (tmp_path / ".env").write_bytes(b"LOG_LEVEL=\xff\n")
    with pytest.raises(BadSetting, match=r"\.env"):
        get_settings()


@pytest.mark.parametrize("where", ["folder", "parent-is-file", "device"])
async def test_an_unusable_database_path_names_the_variable(tmp_path, where: str) -> None:
    path = {
        "folder": tmp_path,
        "parent-is-file": tmp_path / "f" / "x.db",
        "device": "/dev/null",
    }[where]
    (tmp_path / "f").write_text("x")
    with pytest.raises(DatabaseUnusable, match="DATABASE_PATH="):
        await Database.open(path)


@pytest.mark.parametrize(
    "link",
    [
        "https://xn--.com/playlist/1",
        "https://xn--zz.deezer.com/playlist/1",
        "https://xn--a-ecp.ru/playlist/1",
        "https://[]@/",
        "xn--a.com/x",
    ],
)
def test_hosts_that_do_not_survive_idna_are_bad_links(link: str) -> None:
    with pytest.raises(BadLink):
        parse_link(link)


@pytest.mark.parametrize("value", ["１２", "١٢", "1_0", "٣", " 3.0", "+3"])
def test_clusters_takes_ascii_digits_only(value: str, capsys) -> None:
    with pytest.raises(SystemExit):
        main(["analyze", str(SAMPLE_CSV), "--clusters", value])
    assert "--clusters takes a whole number" in capsys.readouterr().err


def test_names_from_bytes_and_with_controls_stay_off_the_terminal(tmp_path, capsys) -> None:
    name = "\x1b[31mRed\x1b[0m \udcff\r\n$\\foo$"
    out = tmp_path / "o"
    assert (
        main(["analyze", str(SAMPLE_CSV), "-o", str(out), "--name", name, "-q", "--no-cache"]) == 0
    )
    text = capsys.readouterr().out
    assert "\x1b" not in text and "\r" not in text and "\udcff" not in text
    assert "Red" in text and "$\\foo$" in text
    (out / "clusters.md").read_text(encoding="utf-8")
    assert slug("𝒜" * 80).encode("utf-8").__len__() <= 120


def test_terminal_helpers() -> None:
    assert printable("a\x1b[2Jb\x07c\u202ed") == "ab c d"
    assert one_line("x\ny\udcff") == "x\\ny\\udcff"


def test_mathtext_and_deep_braces_are_drawn_as_plain_text() -> None:
    names = ["$\\foo$", "$^$", "{" * 200 + "$x$" + "}" * 200, "_hidden", "\udcff"]
    png = render_scatter(
        np.random.default_rng(0).random((5, 2)),
        list(range(5)),
        names,
        title="$" + "{" * 200 + "x" + "}" * 200 + "$",
        x_label="genre:$\\frac{1}{0}$",
        y_label="$\\sqrt{$",
    )
    assert png.startswith(b"\x89PNG")


def test_absurd_feature_values_are_unknown_not_nan_in_the_matrix() -> None:
    tracks = [
        Track(
            id=str(i),
            title=f"t{i}",
            audio={"energy": [1e308, 0.2, float("inf"), 0.8][i % 4], "tempo": 100.0 + i},
            duration_ms=[10**20, 200_000][i % 2],
        )
        for i in range(12)
    ]
    table = build_feature_table(tracks)
    assert np.isfinite(table.matrix).all()


def test_the_codec_stores_what_json_cannot_hold() -> None:
    track = Track(id="a", title="x\ud800", duration_ms=10**20, popularity=10**30)
    playlist = Playlist(ref=PlaylistRef("csv", "a"), name="n\udcff", tracks=[track], snapshot="s")
    back = decode_playlist(encode_playlist(playlist))
    assert back.name == "n\ufffd"
    assert back.tracks[0].duration_ms == 1e20
    assert back.tracks[0].title.startswith("x")
