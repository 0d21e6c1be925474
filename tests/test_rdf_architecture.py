"""Import arrows of the RDF stage: rdf <- query, export, shapes <- cli; click and pySHACL stay in their module."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "graphkit"
MODULES = {
    "rdf/terms.py": {"errors"},
    "rdf/triples.py": {"errors", "model", "rdf"},
    "rdf/__init__.py": {"rdf"},
    "query.py": {"errors", "library", "rdf"},
    "export.py": {"errors", "graph", "model", "rdf"},
    "shapes.py": {"errors", "model", "rdf"},
}


def imports(path: Path) -> tuple[set[str], set[str]]:
    """(graphkit modules, third-party top-level packages) a file imports."""
    own, other = set(), set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.level:
            base = (node.module or "").split(".")[0]
            own.add(base or "rdf")  # "from .terms import" inside graphkit/rdf
        elif isinstance(node, ast.ImportFrom):
            other.add((node.module or "").split(".")[0])
        elif isinstance(node, ast.Import):
            other.update(alias.name.split(".")[0] for alias in node.names)
    return own, other


@pytest.mark.parametrize("name", sorted(MODULES), ids=sorted(MODULES))
def test_rdf_stage_imports_only_to_its_left(name):
    own, other = imports(PACKAGE / name)
    own = {m for m in own if m not in ("terms", "triples")}
    assert own <= MODULES[name]
    assert "click" not in other and "pyvis" not in other
    assert ("pyshacl" in other) == (name == "shapes.py")


@pytest.mark.parametrize("name", sorted(MODULES), ids=sorted(MODULES))
def test_library_code_never_prints_or_exits(name):
    tree = ast.parse((PACKAGE / name).read_text(encoding="utf-8"))
    calls = {n.func.id for n in ast.walk(tree) if isinstance(n, ast.Call) and isinstance(n.func, ast.Name)}
    assert not calls & {"print", "exit", "quit"}
    assert "sys" not in imports(PACKAGE / name)[1]
