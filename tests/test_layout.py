"""The rules of the layout that import-linter cannot check (it runs in CI as `lint-imports`).

- No module outside ``tests/`` is above 400 lines: a module that grows past it holds
  more than one concern and is split by what it does.
- Only the composition root reads the environment: ``Settings()``, ``get_settings()``
  and ``os.environ``/``os.getenv`` appear nowhere else, so every other layer is given
  the values it needs.
- Tests mirror the Discord side: every cog (``cogs/x.py``) has ``tests/cogs/test_x*.py``
  and every module of ``bot/discord_ui/`` has ``tests/discord_ui/test_x*.py`` (or, for
  the explore actions, whose flows need a whole bot, ``tests/cogs/test_x*.py``).
"""

from __future__ import annotations

import ast
from pathlib import Path

from tests.conftest import ROOT

MAX_LINES = 400
PACKAGES = ("bot", "cogs", "storage", "benchmarks", "scripts")
#: Modules that may read settings from the environment.
COMPOSITION_ROOT = {
    "bot/roots/app.py",
    "bot/roots/cli.py",
    "bot/roots/cache_cli.py",
    "bot/roots/wiring.py",
    "bot/roots/health.py",
    "bot/__main__.py",
    "bot/settings/env.py",
    # start-up helper of the roots: caps BLAS/OpenMP threads through their env variables
    "bot/threads.py",
}


def _modules(*packages: str) -> list[Path]:
    return sorted(p for package in packages for p in (ROOT / package).rglob("*.py"))


def _environment_reads(tree: ast.AST) -> list[str]:
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
            if node.func.id in {"Settings", "get_settings"}:
                found.append(f"{node.func.id}() on line {node.lineno}")
        elif (
            isinstance(node, ast.Attribute)
            and node.attr in {"environ", "getenv"}
            and isinstance(node.value, ast.Name)
            and node.value.id == "os"
        ):
            found.append(f"os.{node.attr} on line {node.lineno}")
    return found


def test_no_module_outside_tests_is_above_400_lines() -> None:
    modules = _modules(*PACKAGES)
    assert len(modules) > 50  # the walk found the tree
    long = {
        str(path.relative_to(ROOT)): count
        for path in modules
        if (count := len(path.read_text(encoding="utf-8").splitlines())) > MAX_LINES
    }
    assert long == {}


def test_only_the_composition_root_reads_the_environment() -> None:
    readers = {}
    for path in _modules("bot", "cogs", "storage"):
        name = path.relative_to(ROOT).as_posix()
        if name in COMPOSITION_ROOT:
            continue
        found = _environment_reads(ast.parse(path.read_text(encoding="utf-8")))
        if found:
            readers[name] = found
    assert readers == {}


def test_the_environment_check_finds_what_it_looks_for() -> None:
    code = "import os\nx = Settings()\ny = os.environ['A']\nz = get_settings().k_min\n"
    assert len(_environment_reads(ast.parse(code))) == 3


def _untested(package: str, *test_folders: str) -> list[str]:
    missing = []
    for module in sorted((ROOT / package).glob("*.py")):
        if module.name == "__init__.py":
            continue
        pattern = f"test_{module.stem}*.py"
        if not any(list((ROOT / folder).glob(pattern)) for folder in test_folders):
            missing.append(module.relative_to(ROOT).as_posix())
    return missing


def test_every_cog_and_discord_ui_module_has_a_test_module() -> None:
    assert _untested("cogs", "tests/cogs") == []
    assert _untested("bot/discord_ui", "tests/discord_ui", "tests/cogs") == []


#: Modules that may sit directly in bot/: the ground every layer stands on.
MAX_LOOSE_IN_BOT = 8
#: Modules one package may hold at one level before it hides its own layers.
MAX_MODULES_PER_PACKAGE = 13


def test_the_tree_names_the_layers() -> None:
    """bot/ keeps only its ground loose; each package is small and says what it holds."""
    loose = sorted(
        p.name for p in (ROOT / "bot").glob("*.py") if p.name not in {"__init__.py", "__main__.py"}
    )
    assert 0 < len(loose) <= MAX_LOOSE_IN_BOT, loose
    crowded = {}
    undocumented = []
    for package in [
        "cogs",
        "storage",
        *(p.parent.name for p in (ROOT / "bot").glob("*/__init__.py")),
    ]:
        folder = ROOT / package if package in {"cogs", "storage"} else ROOT / "bot" / package
        count = len([p for p in folder.glob("*.py") if p.name != "__init__.py"])
        if count > MAX_MODULES_PER_PACKAGE:
            crowded[package] = count
        init = ast.parse((folder / "__init__.py").read_text(encoding="utf-8"))
        if not ast.get_docstring(init):
            undocumented.append(package)
    assert crowded == {}
    assert undocumented == []
