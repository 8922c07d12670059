"""The import contract: data flows one way through the stage packages, with no cycles.

Layers, lowest first (a module may import its own layer and lower ones only)::

    assistant, errors, types, config, locks   settings, error tree, value objects, the file lock
    text                                       Arabic, dates (pubdate, date_window), spans, sentences, terms
    ingest                                     reader, metadata, boilerplate, chunking
    models                                     locate, fetch, embed, openvino(_convert, _tokenizer), generate, resources
    index                                      build, manifest, store, dense, lexical, sentence store
    retrieve                                   query, search
    answer                                     pipeline, evidence, gate, prompting, verify, compose, prompts
    app                                        api, session, conversation, history, catalog
    eval                                       evaluation
    cli, tui, __main__                         the two front ends

Every ``import`` counts, wherever it stands (module level, inside functions,
under ``TYPE_CHECKING``). Cycles are looked for among the imports that run
when a module is imported (module level, ``TYPE_CHECKING`` blocks excluded).
Only the terminal UI imports textual and only the CLI imports click; the core
(everything but cli/tui) must import without either.

A violation that is known and still to be fixed goes into ``KNOWN_VIOLATIONS``
(importer, imported); the test fails on any other, and on an entry that no
longer happens, so the list only shrinks.
"""

from __future__ import annotations

import ast
import json
import os
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = "assistant"

LAYERS: tuple[frozenset[str], ...] = (
    frozenset({"assistant", "assistant.errors", "assistant.types", "assistant.config", "assistant.locks"}),
    frozenset({"assistant.text"}),
    frozenset({"assistant.ingest"}),
    frozenset({"assistant.models"}),
    frozenset({"assistant.index"}),
    frozenset({"assistant.retrieve"}),
    frozenset({"assistant.answer"}),
    frozenset({"assistant.app"}),
    frozenset({"assistant.eval"}),
    frozenset({"assistant.cli", "assistant.tui", "assistant.__main__"}),
)
"""Lowest first. A name covers the module itself and everything below it."""

FRONT_ENDS = ("assistant.cli", "assistant.tui", "assistant.__main__")
"""Not the core: the only places where click (cli) and textual (tui) may be imported."""

ONLY_IN = {"click": "assistant.cli", "textual": "assistant.tui"}
"""A third-party package and the one subpackage allowed to import it."""

KNOWN_VIOLATIONS: frozenset[tuple[str, str]] = frozenset()
"""(importer, imported) pairs that break the layering today and are still to be fixed. Only shrink it."""


# --- reading the tree ---------------------------------------------------------


@dataclass(frozen=True)
class Import:
    """One imported module, as ``importer`` names it at ``line``."""

    importer: str
    target: str
    line: int
    runs_on_import: bool
    """At module level and not under ``if TYPE_CHECKING``: executed when the importer is imported."""


def module_names(root: Path, package: str = PACKAGE) -> dict[str, Path]:
    """Every module of ``package`` under ``root``, by dotted name (packages by their ``__init__``)."""
    modules: dict[str, Path] = {}
    for path in sorted((root / package).rglob("*.py")):
        parts = list(path.relative_to(root).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        modules[".".join(parts)] = path
    return modules


def _is_type_checking(test: ast.expr) -> bool:
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _walk(node: ast.AST, runs: bool) -> Iterator[tuple[ast.AST, bool]]:
    """Every node below ``node``, with whether it runs when the module is imported."""
    for child in ast.iter_child_nodes(node):
        child_runs = runs
        if isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda):
            child_runs = False
        yield child, child_runs
        if isinstance(child, ast.If) and _is_type_checking(child.test):
            for stmt in child.body:
                yield stmt, False
                yield from _walk(stmt, False)
            for stmt in child.orelse:
                yield stmt, child_runs
                yield from _walk(stmt, child_runs)
            continue
        yield from _walk(child, child_runs)


def _resolve(importer: str, is_package: bool, level: int, module: str | None) -> str:
    """The absolute module named by ``from <level dots><module> import ...`` in ``importer``."""
    if level == 0:
        return module or ""
    base = importer.split(".")
    if not is_package:
        base = base[:-1]
    base = base[: len(base) - (level - 1)]
    return ".".join(base + ([module] if module else []))


def imports_of(name: str, path: Path, known: set[str]) -> list[Import]:
    """Every module ``name`` imports, wherever the import stands; ``known`` resolves ``from pkg import module``."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    is_package = path.name == "__init__.py"
    found: list[Import] = []
    for node, runs in _walk(tree, True):
        if isinstance(node, ast.Import):
            found.extend(Import(name, alias.name, node.lineno, runs) for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = _resolve(name, is_package, node.level, node.module)
            for alias in node.names:
                sub = f"{base}.{alias.name}"
                found.append(Import(name, sub if sub in known else base, node.lineno, runs))
        elif (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute | ast.Name)
            and getattr(node.func, "attr", getattr(node.func, "id", None)) == "import_module"
            and node.args
            and isinstance(node.args[0], ast.Constant)
            and isinstance(node.args[0].value, str)
        ):
            found.append(Import(name, node.args[0].value, node.lineno, False))
    return found


def all_imports(root: Path, package: str = PACKAGE) -> tuple[dict[str, Path], list[Import]]:
    modules = module_names(root, package)
    known = set(modules)
    return modules, [imp for name, path in modules.items() for imp in imports_of(name, path, known)]


def _within(module: str, prefix: str) -> bool:
    return module == prefix or module.startswith(prefix + ".")


def layer_of(module: str) -> int | None:
    """The layer of an ``assistant`` module (the most specific name in LAYERS wins), None if none."""
    best: tuple[int, int] | None = None
    for index, names in enumerate(LAYERS):
        for layer_name in names:
            matches = module == layer_name if layer_name == PACKAGE else _within(module, layer_name)
            if matches and (best is None or len(layer_name) > best[0]):
                best = (len(layer_name), index)
    return None if best is None else best[1]


# --- the checks, as functions of a tree (so they can be tested on a planted one) ---


def upward_imports(imports: list[Import]) -> list[Import]:
    """Imports of a higher layer than the importer's."""
    bad = []
    for imp in imports:
        if not _within(imp.target, PACKAGE):
            continue
        low, high = layer_of(imp.importer), layer_of(imp.target)
        if low is not None and high is not None and high > low:
            bad.append(imp)
    return bad


def unlayered(modules: dict[str, Path]) -> list[str]:
    return [name for name in modules if layer_of(name) is None]


def cycles(modules: dict[str, Path], imports: list[Import]) -> list[list[str]]:
    """Import cycles among the imports that run on import (Tarjan's strongly connected components)."""
    graph: dict[str, set[str]] = {name: set() for name in modules}
    for imp in imports:
        if not imp.runs_on_import or not _within(imp.target, PACKAGE):
            continue
        # Importing a.b.c runs a, a.b and a.b.c.
        parts = imp.target.split(".")
        for i in range(1, len(parts) + 1):
            target = ".".join(parts[:i])
            if target in graph and target != imp.importer:
                graph[imp.importer].add(target)

    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for nxt in sorted(graph[node]):
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def misplaced_third_party(imports: list[Import]) -> list[Import]:
    """click imported outside assistant.cli, textual outside assistant.tui."""
    return [
        imp
        for imp in imports
        for dist, home in ONLY_IN.items()
        if _within(imp.target, dist) and not _within(imp.importer, home)
    ]


def _describe(imps: list[Import], modules: dict[str, Path]) -> str:
    return "\n".join(
        f"  {imp.importer} -> {imp.target}  ({modules[imp.importer].relative_to(ROOT) if modules[imp.importer].is_relative_to(ROOT) else modules[imp.importer]}:{imp.line})"
        for imp in imps
    )


# --- the contract on the real tree ---------------------------------------------

MODULES, IMPORTS = all_imports(ROOT)


def test_every_module_has_a_layer() -> None:
    missing = unlayered(MODULES)
    assert not missing, f"modules in no layer (add them to LAYERS in {Path(__file__).name}): {missing}"


def test_no_module_imports_a_higher_layer() -> None:
    bad = upward_imports(IMPORTS)
    new = [imp for imp in bad if (imp.importer, imp.target) not in KNOWN_VIOLATIONS]
    assert not new, "a lower stage imports a higher one:\n" + _describe(new, MODULES)
    fixed = KNOWN_VIOLATIONS - {(imp.importer, imp.target) for imp in bad}
    assert not fixed, f"fixed, remove from KNOWN_VIOLATIONS: {sorted(fixed)}"


def test_no_import_cycles() -> None:
    found = cycles(MODULES, IMPORTS)
    assert not found, f"import cycles: {found}"


def test_retrieve_never_imports_the_index_builder() -> None:
    bad = [
        imp
        for imp in IMPORTS
        if _within(imp.importer, "assistant.retrieve") and _within(imp.target, "assistant.index.build")
    ]
    assert not bad, "the reader imports the builder:\n" + _describe(bad, MODULES)


def test_click_only_in_cli_and_textual_only_in_tui() -> None:
    bad = misplaced_third_party(IMPORTS)
    assert not bad, "click or textual imported outside its front end:\n" + _describe(bad, MODULES)


_PROBE = """
import importlib, json, sys
for name in sys.argv[1:]:
    importlib.import_module(name)
print(json.dumps(sorted(m for m in sys.modules if m.split(".")[0] in ("click", "textual") or m == "assistant.index.build")))
"""


def _loaded_by(names: list[str]) -> list[str]:
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1"}
    proc = subprocess.run(
        [sys.executable, "-c", _PROBE, *names], check=False, cwd=ROOT, env=env, capture_output=True, text=True, timeout=300
    )
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout.strip().splitlines()[-1])


def test_the_core_imports_without_click_or_textual() -> None:
    core = [name for name in MODULES if not any(_within(name, front) for front in FRONT_ENDS)]
    loaded = [m for m in _loaded_by(core) if m.split(".")[0] in ("click", "textual")]
    assert not loaded, f"importing the core loads {loaded}"


def test_search_runs_without_the_index_builder() -> None:
    retrieve = [name for name in MODULES if _within(name, "assistant.retrieve")]
    assert "assistant.index.build" not in _loaded_by(retrieve)


# --- the checks catch what they should (a planted tree) -------------------------


def _plant(root: Path, files: dict[str, str]) -> tuple[dict[str, Path], list[Import]]:
    for rel, body in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(body, encoding="utf-8")
    return all_imports(root)


def test_checks_catch_planted_violations(tmp_path: Path) -> None:
    modules, imports = _plant(
        tmp_path,
        {
            "assistant/__init__.py": "",
            "assistant/text/__init__.py": "",
            "assistant/text/dates.py": "def f():\n    from assistant.ingest import boilerplate\n",
            "assistant/ingest/__init__.py": "",
            "assistant/ingest/boilerplate.py": "from ..text import dates\n",
            "assistant/index/__init__.py": "",
            "assistant/index/build.py": "",
            "assistant/retrieve/__init__.py": "",
            "assistant/retrieve/search.py": (
                "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from assistant.index.build import x\n"
                "import click\n"
            ),
            "assistant/models/__init__.py": "",
            "assistant/models/a.py": "from assistant.models import b\n",
            "assistant/models/b.py": "import assistant.models.a\n",
            "assistant/tui/__init__.py": "",
            "assistant/tui/app.py": "import textual.app\nfrom assistant.retrieve import search\n",
            "assistant/oops.py": "",
        },
    )
    assert [(i.importer, i.target) for i in upward_imports(imports)] == [
        ("assistant.text.dates", "assistant.ingest.boilerplate")
    ]
    assert cycles(modules, imports) == [["assistant.models.a", "assistant.models.b"]]
    assert [(i.importer, i.target) for i in misplaced_third_party(imports)] == [("assistant.retrieve.search", "click")]
    assert unlayered(modules) == ["assistant.oops"]
    retrieve_build = [
        i for i in imports if _within(i.importer, "assistant.retrieve") and _within(i.target, "assistant.index.build")
    ]
    assert [(i.target, i.runs_on_import) for i in retrieve_build] == [("assistant.index.build", False)]


@pytest.mark.parametrize(
    ("importer", "is_package", "level", "module", "expected"),
    [
        ("assistant.ingest.boilerplate", False, 1, "chunking", "assistant.ingest.chunking"),
        ("assistant.ingest.boilerplate", False, 2, "text.arabic", "assistant.text.arabic"),
        ("assistant.ingest", True, 1, "reader", "assistant.ingest.reader"),
        ("assistant.ingest.reader", False, 1, None, "assistant.ingest"),
        ("assistant.x", False, 0, "os.path", "os.path"),
    ],
)
def test_relative_imports_resolve(importer: str, is_package: bool, level: int, module: str | None, expected: str) -> None:
    assert _resolve(importer, is_package, level, module) == expected
