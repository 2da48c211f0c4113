"""How the CLI gets a CSV off the disk: regular files only, reads bounded by the size cap."""

from __future__ import annotations

import os
import threading
from pathlib import Path

import pytest

from bot.errors import CsvError, InputTooLarge
from bot.files.reader import _read_bounded, looks_like_file, read_csv_source, read_regular_file


def _within(seconds: float, func, *args):
    """Run ``func`` in a thread; fail (instead of hanging the suite) if it blocks."""
    result: dict[str, object] = {}

    def target() -> None:
        try:
            result["value"] = func(*args)
        except BaseException as exc:
            result["error"] = exc

    thread = threading.Thread(target=target, daemon=True)
    thread.start()
    thread.join(seconds)
    assert not thread.is_alive(), f"{func.__name__} blocked"
    return result


def test_a_fifo_is_refused_without_waiting_for_a_writer(tmp_path: Path) -> None:
    fifo = tmp_path / "pipe.csv"
    os.mkfifo(fifo)
    result = _within(5, read_regular_file, fifo, 1000)
    assert isinstance(result["error"], CsvError)
    assert "named pipe" in str(result["error"])


@pytest.mark.parametrize("device", ["/dev/zero", "/dev/urandom", "/dev/null"])
def test_devices_are_refused_before_reading(device: str) -> None:
    result = _within(5, read_regular_file, Path(device), 1000)
    assert "not a regular file" in str(result["error"])


def test_reads_stop_at_the_cap_whatever_stat_says() -> None:
    read_end, write_end = os.pipe()
    os.write(write_end, b"x" * 5000)
    os.close(write_end)
    try:
        with pytest.raises(InputTooLarge):
            _read_bounded(read_end, 1000)
    finally:
        os.close(read_end)


@pytest.mark.parametrize(
    ("make", "text", "message"),
    [
        (lambda t: (t / "a.csv").symlink_to(t / "b.csv") or (t / "b.csv").symlink_to(t / "a.csv"),
         "a.csv", "loop of symbolic links"),
        (lambda t: (t / "f.csv").write_text("x"), "f.csv/x.csv", "a part of the path is a file"),
        (lambda t: None, "n" * 300 + ".csv", "file name is too long"),
        (lambda t: (t / "d.csv").mkdir(), "d.csv", "is a folder"),
    ],
)  # fmt: skip
def test_impossible_paths_are_one_sentence(tmp_path: Path, make, text: str, message: str) -> None:
    make(tmp_path)
    with pytest.raises(CsvError, match=message):
        read_csv_source(str(tmp_path / text), max_rows=10, max_bytes=1000)


def test_an_unknown_home_folder_is_a_sentence() -> None:
    with pytest.raises(CsvError, match="names no user"):
        read_csv_source("~no_such_user_here/x.csv", max_rows=10, max_bytes=1000)


def test_a_file_name_that_is_not_utf8_gives_a_valid_playlist_name(tmp_path: Path) -> None:
    name = os.fsdecode(b"caf\xe9 mix.csv")
    (tmp_path / name).write_bytes(b"Track Name,Artist Name(s)\nx,y\n")
    playlist = read_csv_source(str(tmp_path / name), max_rows=10, max_bytes=1000)
    assert playlist is not None
    assert playlist.name == "caf\ufffd mix"
    playlist.name.encode("utf-8")


def test_what_counts_as_a_file(tmp_path: Path) -> None:
    (tmp_path / "folder").mkdir()
    assert looks_like_file(str(tmp_path / "folder"))
    assert looks_like_file("missing.csv")
    assert not looks_like_file("https://www.deezer.com/playlist/1")
    assert not looks_like_file("open.spotify.com/playlist/x")
    assert not looks_like_file("a\x00b")
