"""The shape of the code: imports flow one way, and each third-party library belongs to one module."""

from __future__ import annotations

import ast
import importlib
import subprocess
import sys
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "graphkit"

# Each module may import only from the stages listed for it (left of it in the pipeline;
# errors, model, namespaces and lazy serve every stage):
# files -> records (load) -> graph -> exporters (rdf, export, query, view, sparqlpage, site, store, serve) -> cli.
BASE = {"errors", "lazy", "model", "namespaces"}
ALLOWED = {
    "errors": set(),
    "lazy": set(),
    "model": {"errors"},
    "namespaces": {"errors"},
    "load": BASE,
    "graph": BASE,
    "library": BASE | {"load", "graph"},
    "explore": BASE | {"graph"},
    "rdf": BASE | {"graph", "library"},
    "export": BASE | {"graph", "rdf"},
    "query": BASE | {"graph", "library", "load", "rdf"},
    "shapes": BASE | {"graph", "library", "rdf"},
    "view": BASE | {"graph", "library", "explore"},
    "sparqlpage": BASE | {"graph", "library", "rdf", "query", "view"},
    "report": BASE | {"view"},
    "diff": BASE | {"graph", "library", "load"},
    "site": BASE | {"graph", "library", "load", "rdf", "export", "view", "sparqlpage", "report"},
    "store": BASE | {"graph", "rdf"},
    "serve": BASE | {"graph", "library", "rdf", "query", "site", "view"},
    "fix": BASE | {"graph", "library", "load"},
    "notebook": BASE | {"graph", "library", "load", "explore", "rdf", "query", "view", "site"},
    "__main__": {"cli"},
}
OWNERS = {
    "click": {"cli"},
    "frontmatter": {"load"},
    "yaml": {"load"},
    "pyvis": {"view"},
    "pyshacl": {"shapes"},
    "httpx": {"store"},
    "rapidfuzz": {"graph"},
}


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
    for library, owners in OWNERS.items():
        if library in used:
            assert top in owners, f"{name} imports {library}, which belongs to {sorted(owners)}"
    if top in ("cli", "__init__"):
        return  # the shell and the public API may use every stage
    assert top in ALLOWED, f"{name} is a new stage: give it a place in ALLOWED"
    assert internal <= ALLOWED[top], f"{name} imports {sorted(internal - ALLOWED[top])}"


def test_library_code_never_prints_or_exits():
    for name, tree in modules():
        if name in ("cli", "__main__"):
            continue
        for node in ast.walk(tree):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
                assert node.func.id not in ("print", "exit", "quit"), f"{name} calls {node.func.id}()"
            if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name):
                assert (node.value.id, node.attr) != ("sys", "exit"), f"{name} calls sys.exit()"


# --------------------------------------------------------------------------- what a command imports

LAZY_PACKAGES = ["graphkit", "graphkit.load", "graphkit.store", "graphkit.view"]


@pytest.mark.parametrize("package", LAZY_PACKAGES)
def test_a_lazy_package_names_the_same_api_for_python_and_for_type_checkers(package):
    # Its names are imported on first use (_API); type checkers read the TYPE_CHECKING imports.
    module = importlib.import_module(package)
    path = Path(module.__file__)
    tree = ast.parse(path.read_text(encoding="utf-8"))
    checked = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and getattr(node.test, "id", None) == "TYPE_CHECKING":
            for statement in node.body:
                if isinstance(statement, ast.ImportFrom) and statement.level == 1:
                    checked.update(alias.name for alias in statement.names)
    assert checked == set(module._API)
    for name in module.__all__:
        value = getattr(module, name)
        if name in module._API:
            assert value is getattr(importlib.import_module(f"{package}.{module._API[name]}"), name)
    with pytest.raises(AttributeError, match="has no attribute 'nothing'"):
        module.nothing  # noqa: B018


HEAVY = ["networkx", "rdflib", "igraph", "scipy", "numpy", "pyvis", "jinja2", "httpx", "pyoxigraph", "yaml"]
PARSING = ["yaml", "frontmatter", "multiprocessing", "concurrent.futures"]


def imported_by_command(args: list[str], watched: list[str]) -> list[str]:
    """Which of ``watched`` a fresh process imports to run ``graphkit ARGS``."""
    code = (
        "import sys\n"
        "from graphkit.cli import cli\n"
        f"try:\n    cli({args!r}, prog_name='graphkit')\nexcept SystemExit:\n    pass\n"
        f"print(sorted(m for m in {watched!r} if m in sys.modules))\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return ast.literal_eval(done.stdout.splitlines()[-1])


@pytest.mark.parametrize(
    "args",
    [["--help"], ["--version"], ["query", "--help"], ["serve", "--help"], ["push", "--help"], ["view", "--help"]],
    ids=lambda args: " ".join(args),
)
def test_help_imports_no_stage(args):
    # graphkit --help is what every user meets first: it imports click and graphkit's option values only.
    assert imported_by_command(args, HEAVY) == []


@pytest.mark.parametrize(
    "args, imports",
    [(["build", "-o", "{tmp}/site"], []), (["query", "hubs", "-f", "csv"], ["pyoxigraph"])],
    ids=["build, nothing changed", "query on a kept store"],
)
def test_a_run_on_an_unchanged_library_only_scans_it(tmp_path, args, imports):
    # The second run finds the library as the first left it: it stats the files and parses none,
    # so it imports no YAML parser and no process pool (nor the graph, for the query).
    args = ["--cache-dir", str(tmp_path / "cache"), *(a.format(tmp=tmp_path) for a in args)]
    watched = sorted(set(HEAVY + PARSING))
    assert "yaml" in imported_by_command(args, watched)  # the first run parsed the library
    assert imported_by_command(args, watched) == imports
