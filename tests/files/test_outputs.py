"""The output folder: checked before the analysis, written all or nothing, never through links."""

from __future__ import annotations

import errno
import os
from pathlib import Path

import pytest

import bot.files.outputs
from bot.files.outputs import OutputUnusable, check_folder, write_results
from bot.roots.cli import main
from tests.conftest import SAMPLE_CSV

FILES = {"clusters.md": b"# new", "clusters_scatter.png": b"\x89PNG new", "clusters.json": b"{}"}


def test_a_full_disk_leaves_previous_results_and_no_temporary_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name in FILES:
        (tmp_path / name).write_bytes(b"previous")
    calls = []
    real_fsync = os.fsync

    def fsync(fd: int) -> None:
        calls.append(fd)
        if len(calls) == 2:
            raise OSError(errno.ENOSPC, "No space left on device")
        real_fsync(fd)

    monkeypatch.setattr(bot.files.outputs.os, "fsync", fsync)
    with pytest.raises(OutputUnusable, match="no space left on device"):
        write_results(tmp_path, FILES)
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(FILES)
    assert all((tmp_path / name).read_bytes() == b"previous" for name in FILES)


def test_a_symlink_where_a_result_goes_is_replaced_not_written_through(tmp_path: Path) -> None:
    victim = tmp_path / "elsewhere.md"
    victim.write_text("keep me", encoding="utf-8")
    out = tmp_path / "out"
    out.mkdir()
    (out / "clusters.md").symlink_to(victim)
    write_results(out, FILES)
    assert victim.read_text(encoding="utf-8") == "keep me"
    assert not (out / "clusters.md").is_symlink()
    assert (out / "clusters.md").read_bytes() == b"# new"


@pytest.mark.parametrize(
    ("make", "out", "message"),
    [
        (lambda t: (t / "f").write_text("x"), "f", "exists and is not a folder"),
        (lambda t: (t / "f").write_text("x"), "f/sub", "is a file, not a folder"),
        (lambda t: (t / "o" / "clusters.json").mkdir(parents=True), "o", "is a folder"),
        (lambda t: None, "/proc/playlist-clusters-test", "Cannot write into /proc"),
    ],
)
def test_unusable_output_folders_are_refused_before_the_analysis(
    tmp_path: Path, make, out: str, message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    make(tmp_path)
    target = out if out.startswith("/") else str(tmp_path / out)
    before = sorted(p.name for p in tmp_path.rglob("*"))
    with pytest.raises(OutputUnusable, match=message):
        check_folder(Path(target))
    assert main(["analyze", str(SAMPLE_CSV), "--out", target, "--no-cache", "-q"]) == 2
    err = capsys.readouterr().err
    assert message in err and err.count("\n") == 1
    assert sorted(p.name for p in tmp_path.rglob("*")) == before


def test_check_folder_creates_nothing(tmp_path: Path) -> None:
    check_folder(tmp_path / "a" / "b")
    assert list(tmp_path.iterdir()) == []
