"""No import cycles between modules of bot/, cogs/ and storage/ (issue #20).

A cycle hides which of two modules is the lower one: the tree stops saying the
layers. The graph is the one import-linter builds (grimp), with imports under
``TYPE_CHECKING`` included, since a type-only cycle still ties two modules together.
"""

from __future__ import annotations

import grimp

PACKAGES = ("bot", "cogs", "storage")


def _ours(module: str) -> bool:
    return module.split(".")[0] in PACKAGES


def _cycles(graph: grimp.ImportGraph) -> list[tuple[str, ...]]:
    """One chain per import that closes a cycle: ``a -> b -> ... -> a``."""
    found: list[tuple[str, ...]] = []
    for importer in sorted(m for m in graph.modules if _ours(m)):
        for imported in sorted(graph.find_modules_directly_imported_by(importer)):
            if not _ours(imported) or imported == importer:
                continue
            back = graph.find_shortest_chain(importer=imported, imported=importer)
            if back:
                found.append((importer, *back))
    return found


def test_no_module_imports_itself_back() -> None:
    graph = grimp.build_graph(*PACKAGES, exclude_type_checking_imports=False)
    cycles = _cycles(graph)
    assert not cycles, "import cycles:\n" + "\n".join(" -> ".join(c) for c in cycles)


def test_the_check_sees_a_cycle() -> None:
    """The check itself: a graph with a two-module cycle is reported."""
    graph = grimp.ImportGraph()
    graph.add_import(importer="bot.a", imported="bot.b")
    graph.add_import(importer="bot.b", imported="bot.a")
    graph.add_import(importer="bot.b", imported="bot.c")
    assert _cycles(graph) == [("bot.a", "bot.b", "bot.a"), ("bot.b", "bot.a", "bot.b")]
