"""The shape of the code: imports flow one way, and each third-party library belongs to one module."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "graphkit"

# Each module may import only from the stages listed for it (left of it in the pipeline).
STAGES = [
    "errors",
    "model",
    "load",
    "graph",
    "library",
    "rdf",
    "export",
    "query",
    "view",
    "notebook",
    "store",
    "serve",
    "bench",
    "cli",
]
ALLOWED = {
    "errors": set(),
    "model": {"errors"},
    "load": {"errors", "model"},
    "graph": {"errors", "model"},
    "library": {"errors", "model", "load", "graph"},
    "explore": {"errors", "model", "graph"},
    "store": {"errors", "model", "rdf"},
    "serve": {"errors", "model", "rdf", "query", "view"},
}
OWNERS = {"click": {"cli"}, "frontmatter": {"load"}, "yaml": {"load"}, "pyvis": {"view"}}


def modules():
    for path in sorted(PACKAGE.rglob("*.py")):
        rel = path.relative_to(PACKAGE).with_suffix("")
        yield ".".join(rel.parts), ast.parse(path.read_text(encoding="utf-8"))


def imported(tree: ast.Module, name: str) -> set[str]:
    depth = name.count(".")
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom):
            if node.level == 0:
                found.add(node.module.split(".")[0])
            else:
                base = name.split(".")[: max(0, depth + 1 - node.level)]
                target = ".".join([*base, node.module] if node.module else base)
                found.add("." + target.split(".")[0] if target else ".")
        elif isinstance(node, ast.Import):
            found.update(alias.name.split(".")[0] for alias in node.names)
    return found


@pytest.mark.parametrize("name, tree", list(modules()), ids=[n for n, _ in modules()])
def test_imports_flow_one_way(name, tree):
    top = name.split(".")[0]
    used = imported(tree, name)
    internal = {u[1:] for u in used if u.startswith(".") and u != "."} - {top}
    if top in ALLOWED:
        assert internal <= ALLOWED[top], f"{name} imports {sorted(internal - ALLOWED[top])}"
    for library, owners in OWNERS.items():
        if library in used:
            assert top in owners, f"{name} imports {library}, which belongs to {sorted(owners)}"


def test_library_code_never_prints_or_exits():
    for name, tree in modules():
        if name in ("cli", "__main__"):
            continue
        for node in ast.walk(tree):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
                assert node.func.id not in ("print", "exit", "quit"), f"{name} calls {node.func.id}()"
            if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name):
                assert (node.value.id, node.attr) != ("sys", "exit"), f"{name} calls sys.exit()"
