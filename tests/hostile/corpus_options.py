"""Corpus cases for options (--clusters, --name, --out, usage) and settings."""

from __future__ import annotations

import os
from pathlib import Path

from bot.settings.env import Settings
from tests.hostile.case import (
    ARGV,
    GOOD,
    SAMPLE,
    Case,
    Setup,
    analyze,
    both,
    file_at,
    seeded_bytes,
    symlink_loop,
    write_bytes,
)
from tests.hostile.texts import CLUSTERS


def _json_folder(work: Path, outside: Path) -> None:
    GOOD(work, outside)
    (work / "out" / "clusters.json").mkdir(parents=True)


def _symlinked_result(work: Path, outside: Path) -> None:
    GOOD(work, outside)
    (outside / "victim.md").write_text("do not touch", encoding="utf-8")
    (work / "out").mkdir()
    os.symlink(outside / "victim.md", work / "out" / "clusters.md")


def _previous_results(work: Path, outside: Path) -> None:
    GOOD(work, outside)
    (work / "out").mkdir()
    for name in ("clusters.md", "clusters.json", "clusters_scatter.png"):
        (work / "out" / name).write_text("previous", encoding="utf-8")


def options_cases() -> list[Case]:
    """--clusters, --name and --out, including folders that cannot take the results."""
    cases = []
    for i, value in enumerate(CLUSTERS):
        only_here = "\x00" in value
        argv = analyze(SAMPLE, "--clusters", value)
        cases.append(
            Case(
                f"options-clusters-{i:02d}", "options", argv, setup=GOOD, in_process_only=only_here
            )
        )
    names: list[ARGV] = ["", "-", "x" * 201, "x" * 100_000, b"\xff\xfe bytes", "\x1b[31m", "a\nb"]
    for i, value in enumerate(names):
        cases.append(
            Case(f"options-name-{i:02d}", "options", analyze(SAMPLE, "--name", value), setup=GOOD)
        )
    outs: list[tuple[str, str, Setup]] = [
        ("existing-file", "afile", both(GOOD, file_at("afile"))),
        ("proc", "/proc", GOOD),
        ("proc-sub", "/proc/hostile/out", GOOD),
        ("sys-sub", "/sys/hostile", GOOD),
        ("dev-null", "/dev/null", GOOD),
        ("through-a-file", "afile/sub", both(GOOD, file_at("afile"))),
        ("json-is-folder", "out", _json_folder),
        ("symlinked-result", "out", _symlinked_result),
        ("previous-results", "out", _previous_results),
        ("long-name", "o" * 300, GOOD),
        ("long-path", "/".join(["o" * 200] * 25), GOOD),
        ("dot", ".", GOOD),
        ("empty", "", GOOD),
    ]  # fmt: skip
    for key, out, setup in outs:
        argv: list[ARGV] = ["analyze", SAMPLE, "--out", out, "--no-cache"]
        cases.append(Case(f"options-out-{key}", "options", argv, setup=setup, out=out))
    full: list[ARGV] = ["analyze", SAMPLE, "--out", "out", "--no-cache"]
    cases.append(
        Case("options-out-disk-full", "options", full, setup=_previous_results, process=True,
             file_size_limit=8_000)
    )  # fmt: skip
    cases.append(
        Case("options-out-default", "options", analyze(SAMPLE, out=""), setup=GOOD, out="")
    )
    cases.append(
        Case(
            "options-out-default-hostile-name",
            "options",
            analyze(SAMPLE, "--name", "../../" + "𝒜" * 90, out=""),
            setup=GOOD,
            out="",
        )
    )
    bytes_out = b"out\xff"
    cases.append(
        Case(
            "options-out-non-utf8",
            "options",
            ["analyze", SAMPLE, "--out", bytes_out, "--no-cache"],
            setup=GOOD,
            out=os.fsdecode(bytes_out),
        )
    )
    for i, argv in enumerate(
        [
            ["analyze"],
            ["nosuch"],
            [],
            ["analyze", SAMPLE, "--bogus"],
            ["cache"],
            ["cache", "x"],
            ["--version"],
            ["analyze", SAMPLE, "-k"],
            ["bot"],
            ["sync-commands", "--guild", "x"],
            ["sync-commands", "--guild", "１２"],
        ]
    ):
        cases.append(Case(f"options-usage-{i:02d}", "options", list(argv), setup=GOOD, out=""))
    return cases


BAD_VALUES = ("abc", "-1", "nan", "1e400", "")


def _env_file(data: bytes) -> Setup:
    def setup(work: Path, outside: Path) -> None:
        (work / ".env").write_bytes(data)

    return setup


def settings_cases() -> list[Case]:
    """Every setting with bad values (checked on `cache stats`), and DATABASE_PATH problems."""
    cases = []
    for name in Settings.model_fields:
        for i, value in enumerate(BAD_VALUES[:4] if name != "database_path" else ()):
            env = {name.upper(): value}
            cases.append(
                Case(f"settings-{name}-{i}", "settings", ["cache", "stats"], env=env, out="")
            )
    databases: list[tuple[str, str, Setup | None]] = [
        ("folder", ".", None),
        ("empty", "", None),
        ("parent-is-file", "afile/x.db", file_at("afile")),
        ("proc", "/proc/hostile.db", None),
        ("dev-null", "/dev/null", None),
        ("not-sqlite", "junk.db", write_bytes("junk.db", seeded_bytes(8192, 5))),
        ("text-file", "t.db", file_at("t.db")),
        ("long-name", "d" * 300 + ".db", None),
        ("loop", "loop1.csv", symlink_loop),
    ]
    for key, path, setup in databases:
        env = {"DATABASE_PATH": path}
        cases.append(
            Case(f"settings-db-{key}", "settings", ["cache", "stats"], env=env, setup=setup, out="")
        )
        cases.append(
            Case(
                f"settings-db-analyze-{key}",
                "settings",
                ["analyze", SAMPLE, "-o", "out"],
                env=env,
                setup=both(GOOD, setup) if setup else GOOD,
            )
        )
    edges = {
        "METADATA_WEIGHT": "0", "K_MIN": "12", "K_MAX": "2", "CSV_MAX_ROWS": "1",
        "CSV_MAX_BYTES": "1", "HTTP_TIMEOUT_SECONDS": "0.1", "FEATURE_PROVIDERS": "",
        "RANDOM_STATE": "4294967295", "PREVIEW_HOSTS": ",,,", "CACHE_MAX_MB": "0",
    }  # fmt: skip
    for name, value in edges.items():
        cases.append(
            Case(
                f"settings-edge-{name.lower()}",
                "settings",
                analyze(SAMPLE),
                env={name: value},
                setup=GOOD,
            )
        )
    cases.append(
        Case(
            "settings-env-not-utf8",
            "settings",
            ["cache", "stats"],
            setup=_env_file(b"CSV_MAX_ROWS=\xff\xfe\n"),
            out="",
        )
    )
    cases.append(
        Case(
            "settings-env-folder",
            "settings",
            ["cache", "stats"],
            setup=lambda w, o: (w / ".env").mkdir(),
            out="",
        )
    )
    cases.append(
        Case(
            "settings-env-binary",
            "settings",
            ["cache", "stats"],
            setup=_env_file(seeded_bytes(4096, 6)),
            out="",
        )
    )
    cases.append(
        Case("settings-bot-no-token", "settings", ["bot"], env={"DISCORD_TOKEN": " "}, out="")
    )
    return cases
