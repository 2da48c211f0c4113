"""Runs corpus cases and says what went wrong, in this process or in a child process.

Every case gets a fresh folder ``<root>/<id>/`` with ``work/`` (the working folder,
where inputs are laid out and the cache database lives) and ``outside/`` (a place the
command must never touch). The network is unreachable: every base URL points at a
closed port on 127.0.0.1. After the run the whole case folder is compared with a
snapshot taken before: only the ``--out`` folder (or the default one, a new folder in
``work/``) and the database may have changed.
"""

from __future__ import annotations

import contextlib
import io
import os
import resource
import shutil
import signal
import socket
import subprocess
import sys
import time
import traceback
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from bot.settings.env import Settings, get_settings
from tests.hostile.corpus import Case

ROOT = Path(__file__).resolve().parents[2]
RESULT_NAMES = {"clusters.md", "clusters.json", "clusters_scatter.png"}
#: What `compare` writes (issue 24).
COMPARE_NAMES = {"taste.md", "taste.json", "taste_map.png"}
#: Peak resident memory a child may reach (the analysis of a small playlist needs ~300 MB).
MAX_RSS_BYTES = 1_500_000_000
#: Address-space limit of a child: a read of /dev/zero fails fast instead of swapping.
ADDRESS_SPACE_LIMIT = 6_000_000_000
CONTROL = {chr(c) for c in range(0x20) if c != 0x0A} | {chr(c) for c in range(0x7F, 0xA0)}


def closed_port() -> int:
    """A 127.0.0.1 port nothing listens on (bound, then released)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def offline_env(retries: int | None) -> dict[str, str]:
    """Settings that point every remote service at closed local ports."""
    env = {
        "SPOTIFY_API_BASE": f"http://127.0.0.1:{closed_port()}/v1",
        "SPOTIFY_TOKEN_URL": f"http://127.0.0.1:{closed_port()}/api/token",
        "DEEZER_API_BASE": f"http://127.0.0.1:{closed_port()}",
        "RECCOBEATS_API_BASE": f"http://127.0.0.1:{closed_port()}/v1",
        "SPOTIFY_EMBED_BASE": f"http://127.0.0.1:{closed_port()}/embed",
        "YTMUSIC_API_BASE": f"http://127.0.0.1:{closed_port()}/youtubei/v1",
        "APPLE_MUSIC_BASE": f"http://127.0.0.1:{closed_port()}/apple",
        "PREVIEW_HOSTS": "127.0.0.1",
        "SPOTIFY_CLIENT_ID": "hostile-client",
        "SPOTIFY_CLIENT_SECRET": "hostile-secret",
        "DATABASE_PATH": "db/cache.db",
        "HEALTH_FILE": "db/heartbeat",
    }
    if retries is not None:
        env["HTTP_MAX_RETRIES"] = str(retries)
    return env


@dataclass
class Outcome:
    """What one run of a case did and what is wrong with it."""

    case: Case
    code: int | str
    stdout: str
    stderr: str
    seconds: float
    rss: int = 0
    problems: list[str] = field(default_factory=list)

    @property
    def traceback(self) -> bool:
        return "Traceback (most recent call last)" in self.stderr or self.code == "traceback"

    @property
    def hang(self) -> bool:
        return self.code == "hang"


# --- the file tree ------------------------------------------------------------------


def snapshot(folder: Path) -> dict[bytes, tuple]:
    """Every entry below ``folder`` (not following links): kind, size, mtime, link target."""
    found: dict[bytes, tuple] = {}
    base = os.fsencode(folder)
    for top, dirs, files in os.walk(base, followlinks=False):
        for name in dirs + files:
            path = os.path.join(top, name)
            try:
                info = os.lstat(path)
            except OSError:
                continue
            link = os.readlink(path) if os.path.islink(path) else b""
            rel = os.path.relpath(path, base)
            if os.path.isdir(path) and not link:  # a folder changes when its files do
                found[rel] = (info.st_mode >> 12, 0, 0, b"")
            else:
                found[rel] = (info.st_mode >> 12, info.st_size, info.st_mtime_ns, link)
    return found


def _allowed(rel: bytes, case: Case, new_top: set[bytes]) -> bool:
    parts = rel.split(os.sep.encode())
    if parts[0] != b"work" or len(parts) < 2:
        return False
    if parts[1] == b"db":
        return True
    if case.out and not os.path.isabs(case.out):
        out = os.path.normpath(os.fsencode(case.out)).split(os.sep.encode())
        return parts[1 : 1 + len(out)] == out or out == [b"."]
    return not case.out and parts[1] in new_top


def write_problems(case: Case, before: dict, after: dict) -> list[str]:
    """Entries changed outside the places the case may write, and temporary leftovers."""
    new_top = {
        rel.split(os.sep.encode())[1]
        for rel in set(after) - set(before)
        if rel.startswith(b"work" + os.sep.encode()) and rel.count(os.sep.encode()) == 1
    }
    problems = []
    for rel in sorted(set(before) | set(after)):
        if before.get(rel) != after.get(rel) and not _allowed(rel, case, new_top):
            problems.append(f"wrote outside --out: {os.fsdecode(rel)!r}")
        if rel.endswith(b".tmp") and rel in after and rel not in before:
            problems.append(f"temporary file left: {os.fsdecode(rel)!r}")
    return problems[:5]


def prepare(case: Case, root: Path) -> Path:
    folder = root / case.id
    shutil.rmtree(folder, ignore_errors=True)
    (folder / "work" / "db").mkdir(parents=True)
    (folder / "outside").mkdir()
    if case.setup is not None:
        case.setup(folder / "work", folder / "outside")
    return folder


def _half_written(before: dict, after: dict) -> list[str]:
    """Result files created or changed by a run that failed (exit 2)."""
    changed = [
        rel
        for rel in set(before) | set(after)
        if os.path.basename(rel).decode(errors="replace") in RESULT_NAMES | COMPARE_NAMES
        and before.get(rel) != after.get(rel)
    ]
    return [f"exit 2 but results changed: {os.fsdecode(changed[0])!r}"] if changed else []


def _results_problems(outcome: Outcome, folder: Path, before: dict, after: dict) -> list[str]:
    """Exit 0 leaves the three results; exit 2 leaves every result file as it found it."""
    case = outcome.case
    if outcome.code == 2:
        return _half_written(before, after)
    if not case.out or os.path.isabs(case.out) or case.argv[:1] not in (["analyze"], ["compare"]):
        return []
    names, page = (
        (RESULT_NAMES, "clusters.md")
        if case.argv[:1] == ["analyze"]
        else (COMPARE_NAMES, "taste.md")
    )
    out = os.path.join(os.fsencode(folder / "work"), os.fsencode(case.out))
    if outcome.code == 0 and not os.path.isdir(out):
        return ["exit 0 but no output folder"]
    if outcome.code == 0:
        missing = names - {os.fsdecode(n) for n in os.listdir(out)}
        if missing:
            return [f"exit 0 but missing {sorted(missing)}"]
        with open(os.path.join(out, os.fsencode(page)), encoding="utf-8") as text:
            if CONTROL & set(text.read()):
                return [f"control characters in {page}"]
    return []


def check(outcome: Outcome, folder: Path, before: dict) -> Outcome:
    """Fill ``outcome.problems`` from the rules every case must keep."""
    problems = outcome.problems
    if outcome.hang:
        problems.append("hang (timeout)")
    elif outcome.traceback:
        problems.append("traceback: " + outcome.stderr.strip().splitlines()[-1][:200])
    elif outcome.code not in (0, 2):
        problems.append(f"exit status {outcome.code!r}")
    if outcome.code == 2 and (outcome.stderr.count("\n") != 1 or not outcome.stderr.endswith("\n")):
        problems.append(f"exit 2 with {outcome.stderr.count(chr(10))} stderr lines")
    if CONTROL & set(outcome.stdout):
        problems.append("control characters on stdout")
    if outcome.rss > MAX_RSS_BYTES:
        problems.append(f"peak memory {outcome.rss / 1e6:.0f} MB")
    after = snapshot(folder)
    problems += write_problems(outcome.case, before, after)
    problems += _results_problems(outcome, folder, before, after)
    return outcome


# --- running ------------------------------------------------------------------------


class _Hang(BaseException):
    pass


@contextlib.contextmanager
def _alarm(seconds: float) -> Iterator[None]:
    def fire(signum: int, frame: object) -> None:
        raise _Hang

    previous = signal.signal(signal.SIGALRM, fire)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


@contextlib.contextmanager
def _environment(env: dict[str, str], cwd: Path) -> Iterator[None]:
    saved_env, saved_cwd = dict(os.environ), os.getcwd()
    for name in Settings.model_fields:
        os.environ.pop(name.upper(), None)
    os.environ.update(env)
    os.chdir(cwd)
    get_settings.cache_clear()
    try:
        yield
    finally:
        os.chdir(saved_cwd)
        os.environ.clear()
        os.environ.update(saved_env)
        get_settings.cache_clear()


def run_in_process(case: Case, root: Path, env: dict[str, str], timeout: float) -> Outcome:
    """Run ``case`` through ``bot.roots.cli.main`` here (fast: the libraries are loaded once)."""
    from bot.roots.cli import main

    folder = prepare(case, root)
    before = snapshot(folder)
    out, err = io.StringIO(), io.StringIO()
    argv = [os.fsdecode(a) for a in case.argv]
    start = time.perf_counter()
    with (
        _environment({**env, **case.env}, folder / "work"),
        contextlib.redirect_stdout(out),
        contextlib.redirect_stderr(err),
    ):
        try:
            with _alarm(timeout):
                code: int | str = main(argv)
        except SystemExit as exc:
            code = exc.code if isinstance(exc.code, int) else 2
        except _Hang:
            code = "hang"
        except BaseException:  # a traceback is what the corpus looks for
            traceback.print_exc(file=err)
            code = "traceback"
    outcome = Outcome(case, code, out.getvalue(), err.getvalue(), time.perf_counter() - start)
    return check(outcome, folder, before)


CHILD = """
import os, resource, sys
try:
    from bot.roots.cli import main
    code = main(sys.argv[1:])
finally:
    with open(os.environ["HOSTILE_RSS_FILE"], "w") as handle:
        handle.write(str(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024))
sys.exit(code)
"""


def _limits(file_size: int) -> Callable[[], None]:
    """The child's limits: address space, and file size when the case sets one."""

    def apply() -> None:
        resource.setrlimit(resource.RLIMIT_AS, (ADDRESS_SPACE_LIMIT, ADDRESS_SPACE_LIMIT))
        if file_size:
            resource.setrlimit(resource.RLIMIT_FSIZE, (file_size, file_size))

    return apply


def run_in_child(case: Case, root: Path, env: dict[str, str], timeout: float) -> Outcome:
    """Run ``case`` as `python -c ...` in a child with a memory limit and a timeout."""
    folder = prepare(case, root)
    before = snapshot(folder)
    rss_file = root / f".{case.id}.rss"
    child_env = {k: v for k, v in os.environ.items() if k.lower() not in Settings.model_fields}
    child_env.update({**env, **case.env, "PYTHONPATH": str(ROOT)})
    child_env["HOSTILE_RSS_FILE"] = str(rss_file)
    child_env.setdefault("MPLBACKEND", "Agg")
    start = time.perf_counter()
    try:
        result = subprocess.run(
            [sys.executable, "-c", CHILD, *case.argv],
            cwd=folder / "work",
            env=child_env,
            stdin=subprocess.DEVNULL,
            capture_output=True,
            timeout=timeout,
            preexec_fn=_limits(case.file_size_limit),
            check=False,
        )
        code: int | str = result.returncode
        stdout, stderr = result.stdout, result.stderr
    except subprocess.TimeoutExpired as exc:
        code, stdout, stderr = "hang", exc.stdout or b"", exc.stderr or b""
    seconds = time.perf_counter() - start
    rss = int(rss_file.read_text()) if rss_file.exists() else 0
    rss_file.unlink(missing_ok=True)
    text = (stdout.decode("utf-8", "replace"), stderr.decode("utf-8", "replace"))
    return check(Outcome(case, code, *text, seconds, rss=rss), folder, before)


def run(case: Case, root: Path, env: dict[str, str], timeout: float, *, child: bool) -> Outcome:
    """A case in a child process when it needs one (or ``child``), else in this process."""
    if case.in_process_only:
        return run_in_process(case, root, env, timeout)
    if case.process or child:
        return run_in_child(case, root, env, timeout)
    return run_in_process(case, root, env, timeout)
