"""The hostile-input corpus of the command line: generated cases, by class (issue 10).

Each :class:`Case` is a `playlist-clusters` command line (without the program
name), the settings it runs with, and a function that lays out its input files in
the case's working folder. The runner (:mod:`tests.hostile.runner`) runs it with the
network unreachable and checks what a user must never see: a traceback, a hang,
unbounded memory, more than one stderr line on exit 2, control characters on stdout,
a file written outside ``--out``.

Deterministic: the same cases in the same order on every run (seeded bytes).
"""

from __future__ import annotations

import os
import socket
from pathlib import Path

from tests.hostile.case import (
    ARGV,
    GOOD,
    GOOD_BYTES,
    SAMPLE,
    Case,
    Setup,
    analyze,
    csv_text,
    playlist_rows,
    seeded_bytes,
    symlink_loop,
    write_bytes,
    write_playlist,
)
from tests.hostile.corpus_compare import compare_cases
from tests.hostile.corpus_options import options_cases, settings_cases
from tests.hostile.texts import (
    CONTROLS,
    HOSTILE_TEXT,
    LINKS,
    MATHTEXT,
    NUMBERS,
    PUBLIC_LINKS,
    SCRIPTS,
)


def _k(i: int) -> list[ARGV]:
    """A fixed cluster count for most cases (the picture is what they test; choosing k
    costs time), automatic for every fifth."""
    return [] if i % 5 == 0 else ["--clusters", "3"]


def names_cases() -> list[Case]:
    """Hostile names, titles, artists, albums and genres in many scripts and markups."""
    cases = []
    for i, text in enumerate(HOSTILE_TEXT):
        name = [] if "\x00" in text else ["--name", text[:200]]
        setup = write_playlist(SAMPLE, text=text, genre=text[:300])
        argv = analyze(SAMPLE, *name, *_k(i))
        cases.append(Case(f"names-{i:03d}", "names", argv, setup=setup))
    for i, text in enumerate(MATHTEXT[:3] + CONTROLS[:3] + SCRIPTS[:3] + ["\udcff\udcfe"]):
        # through the cache too: the name is part of the cache key and the stored blob
        argv = analyze(SAMPLE, "--name", text, *_k(i + 1), cache=True)
        in_file = text if text.isprintable() or "\x1b" in text else "plain"
        setup = write_playlist(SAMPLE, text=in_file, genre=in_file)
        cases.append(Case(f"names-cached-{i:03d}", "names", argv, setup=setup))
    cached = os.fsdecode(b"caf\xe9 \xff.csv")
    argv = analyze(cached, cache=True)
    cases.append(Case("names-cached-file", "names", argv, setup=write_playlist(cached)))
    for i, text in enumerate(MATHTEXT[:6] + CONTROLS[:6] + SCRIPTS[:6]):
        file_name = text.replace("/", "_").replace("\x00", "")[:100] + ".csv"
        cases.append(
            Case(
                f"names-file-{i:03d}", "names", analyze(file_name), setup=write_playlist(file_name)
            )
        )
    return cases


def numbers_cases() -> list[Case]:
    """Huge, tiny, NaN and infinite numbers in features and metadata."""
    cases = []
    columns = ("Energy", "Tempo", "Duration (ms)", "Popularity", "Release Date")
    for column in columns:
        for value in NUMBERS[:12] if column != "Energy" else NUMBERS:
            cid = f"numbers-{column.split()[0].lower()}-{len(cases):03d}"
            setup = write_playlist(SAMPLE, value=value, column=column)
            cases.append(Case(cid, "numbers", analyze(SAMPLE, *_k(len(cases))), setup=setup))
    every = write_playlist(SAMPLE, n=12, value="1e308", column="Danceability")
    cases.append(Case("numbers-all-huge", "numbers", analyze(SAMPLE), setup=every))
    return cases


def files_cases() -> list[Case]:
    """Empty, binary, huge, wrongly encoded and malformed CSV files."""
    good = csv_text(playlist_rows(12))
    huge_rows = "Track Name,Artist Name(s),Energy\n" + "".join(
        f"t{i},a{i},{i % 7 / 7}\n" for i in range(10_050)
    )
    marks = ["none", "NONE", " none ", "none\x00", "x" * 10_000, "", "🔇", "null"]
    half_silent = "Track Name,Artist Name(s),Energy,Danceability,Sound Features\n" + "".join(
        f"t{i},a{i % 5},{i % 7 / 7},{i % 3 / 3},\n"
        if i % 2
        else f"t{i},stranger {i},,,{marks[i // 2 % len(marks)]}\n"
        for i in range(40)
    )
    contents: dict[str, bytes] = {
        "sound-features-marks": half_silent.encode(),
        "sound-features-all-none": (
            "Track Name,Artist Name(s),Energy,Sound Features\n"
            + "".join(f"t{i},a{i},,none\n" for i in range(12))
        ).encode(),
        "empty": b"",
        "bom-only": b"\xef\xbb\xbf",
        "header-only": b"Track Name,Artist Name(s)\n",
        "blank-lines": b"\n\n\n\n",
        "one-row": b"Track Name,Artist Name(s)\nx,y\n",
        "random-bytes": seeded_bytes(50_000, 1),
        "png": b"\x89PNG\r\n\x1a\n" + seeded_bytes(2000, 2),
        "gzip": b"\x1f\x8b\x08\x00" + seeded_bytes(2000, 3),
        "zip": b"PK\x03\x04" + seeded_bytes(2000, 4),
        "utf16-le-bom": good.encode("utf-16"),
        "utf16-be-bom": b"\xfe\xff" + good.encode("utf-16-be"),
        "utf16-no-bom": good.encode("utf-16-le"),
        "utf32-bom": good.encode("utf-32"),
        "latin1": good.replace("pop", "café").encode("latin-1"),
        "shift-jis": ("Track Name,Artist Name(s)\n怪物,YOASOBI\n" * 5).encode("shift_jis"),
        "cr-only": good.replace("\n", "\r").encode(),
        "nul-after-4k": good.encode() + b"x" * 5000 + b"\x00\x00,\x00\n",
        "nul-in-cell": good.replace("pop", "p\x00p").encode(),
        "one-huge-cell": b'Track Name,Artist Name(s)\n"' + b"x" * 3_000_000 + b'",y\n',
        "over-size-cap": b"Track Name,Artist Name(s)\n" + b"a,b\n" * 1_300_000,
        "over-row-cap": huge_rows.encode(),
        "unterminated-quote": good.replace("pop\n", 'pop\n"open', 1).encode(),
        "many-columns": (",".join(f"c{i}" for i in range(20_000)) + "\n").encode() * 3,
        "duplicate-headers": b"Track Name,Track Name,Artist Name(s),Artist Name(s)\na,b,c,d\n" * 4,
        "only-delimiters": b",,,,,\n,,,,,\n",
        "semicolons": good.replace(",", ";").encode(),
        "tabs": good.replace(",", "\t").encode(),
        "quote-storm": b'"' * 100_000,
        "deep-quotes": b'Track Name,Artist Name(s)\n"' + b'""' * 50_000 + b'",a\n',
        "bidi-header": "\u202eTrack Name,Artist Name(s)\nx,y\n".encode(),
        "crlf-mixed": good.replace("\n", "\r\n", 5).encode(),
        "html": b"<!doctype html><html><body>Not a CSV</body></html>",
        "json": b'{"tracks": [{"name": "x"}]}',
        "long-line-no-newline": b"Track Name,Artist Name(s)," + b"x," * 400_000,
        "invalid-utf8-mid": good.encode()[:200] + b"\xff\xfe\xfd" + good.encode()[200:],
    }
    return [
        Case(f"files-{key}", "files", analyze("f.csv"), setup=write_bytes("f.csv", data))
        for key, data in contents.items()
    ]


def _fifo(work: Path, outside: Path) -> None:
    os.mkfifo(work / "fifo.csv")


def _socket(work: Path, outside: Path) -> None:
    sock = socket.socket(socket.AF_UNIX)
    sock.bind(str(work / "sock.csv"))
    sock.close()


def _symlink(target: str, name: str) -> Setup:
    def setup(work: Path, outside: Path) -> None:
        os.symlink(target, work / name)

    return setup


def _unreadable(work: Path, outside: Path) -> None:
    GOOD(work, outside)
    os.chmod(work / SAMPLE, 0)


def _home_missing(work: Path, outside: Path) -> None:
    return None


def special_cases() -> list[Case]:
    """Special files and impossible paths as SOURCE."""
    long_name = "n" * 300 + ".csv"
    deep = "/".join(["d" * 200] * 25) + "/x.csv"
    process = [
        ("fifo", "fifo.csv", _fifo),
        ("dev-zero", "/dev/zero", None),
        ("dev-urandom", "/dev/urandom", None),
        ("symlink-to-zero", "zero.csv", _symlink("/dev/zero", "zero.csv")),
        ("dev-stdin", "/dev/stdin", None),
        ("proc-kcore", "/proc/kcore", None),
    ]
    cases = [
        Case(f"special-{key}", "special", analyze(src), setup=setup, process=True)
        for key, src, setup in process
    ]
    plain: list[tuple[str, ARGV, Setup | None]] = [
        ("dev-null", "/dev/null", None),
        ("dev-full", "/dev/full", None),
        ("proc-self-environ", "/proc/self/environ", None),
        ("proc-self-mem", "/proc/self/mem", None),
        ("folder", "sub", lambda w, o: (w / "sub").mkdir()),
        ("folder-csv", "sub.csv", lambda w, o: (w / "sub.csv").mkdir()),
        ("symlink-loop", "loop1.csv", symlink_loop),
        ("dangling-symlink", "gone.csv", _symlink("nowhere.csv", "gone.csv")),
        ("socket", "sock.csv", _socket),
        ("unreadable", SAMPLE, _unreadable),
        ("over-long-name", long_name, None),
        ("over-long-path", deep, None),
        ("through-a-file", SAMPLE + "/x.csv", GOOD),
        ("no-such-user", "~nosuchuser_hostile/x.csv", None),
        ("home-missing-file", "~/no-such-file-hostile.csv", _home_missing),
        ("non-utf8-name", b"\xff\xfe\xe9.csv", write_bytes(b"\xff\xfe\xe9.csv", b"a,b\n")),
        ("non-utf8-good", b"caf\xe9.csv", write_bytes(b"caf\xe9.csv", GOOD_BYTES)),
        ("dash", "-", None),
        ("empty-arg", "", None),
        ("dot", ".", None),
        ("root", "/", None),
        ("missing", "no/such/file.csv", None),
        ("proc-folder", "/proc", None),
    ]  # fmt: skip
    cases += [
        Case(f"special-{key}", "special", analyze(src), setup=setup) for key, src, setup in plain
    ]
    cases.append(
        Case(
            "special-nul-in-path", "special", analyze("p\x00.csv"), setup=GOOD, in_process_only=True
        )
    )
    return cases


def links_cases() -> list[Case]:
    """Malformed, internationalised, wrong-kind and huge links; real ones unreachable."""
    cases = [Case(f"links-{i:03d}", "links", analyze(link)) for i, link in enumerate(LINKS)]
    no_credentials = {"SPOTIFY_CLIENT_ID": "", "SPOTIFY_CLIENT_SECRET": ""}
    cases.append(
        Case("links-spotify-no-credentials", "links", analyze(LINKS[-4]), env=no_credentials)
    )
    cases += [
        Case(f"links-public-{i:03d}", "links", analyze(link)) for i, link in enumerate(PUBLIC_LINKS)
    ]
    return cases


def db_copy_cases() -> list[Case]:
    """`db copy` (issue 25) with sources and targets that are not databases."""

    def copy(source: ARGV, target: ARGV) -> list[ARGV]:
        return ["db", "copy", "--from", source, "--to", target]

    garbage = write_bytes("junk.db", seeded_bytes(4096, 25))
    plain: list[tuple[str, list[ARGV], Setup | None]] = [
        ("missing-source", copy("no/such.db", "t.db"), None),
        ("source-is-garbage", copy("junk.db", "t.db"), garbage),
        ("source-is-a-csv", copy("f.csv", "t.db"), write_bytes("f.csv", GOOD_BYTES)),
        ("source-is-a-folder", copy("sub", "t.db"), lambda w, o: (w / "sub").mkdir()),
        ("same-file", copy("junk.db", "junk.db"), garbage),
        ("target-is-garbage", copy("f.csv", "junk.db"), garbage),
        ("target-unreachable-url", copy("no.db", "postgresql://u:pw@127.0.0.1:9/x"), None),
        ("target-bad-url", copy("no.db", "postgresql://[::1"), None),
        ("target-in-dev-null", copy("no.db", "/dev/null/t.db"), None),
        ("empty-args", copy("", ""), None),
    ]  # fmt: skip
    return [Case(f"db-copy-{key}", "files", argv, setup=setup) for key, argv, setup in plain]


def all_cases() -> list[Case]:
    """The whole corpus, in a fixed order."""
    return (
        names_cases()
        + numbers_cases()
        + files_cases()
        + special_cases()
        + links_cases()
        + options_cases()
        + settings_cases()
        + db_copy_cases()
        + compare_cases()
    )
