"""The last stage: a loaded library -> a static site in one folder (``graphkit build``).

The map, the JSON graph, the problems report (HTML and JSON) and an index page linking them.
Each file is one entry of ``ARTIFACTS``; a new export joins the site by adding one entry.
Every page is self-contained and deterministic: the same library gives the same bytes.
"""

from __future__ import annotations

import html
import json
import os
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable
from urllib.parse import quote

import networkx as nx

from .errors import ExportError
from .library import Library
from .model import DEFAULT_VOCABULARY, ERROR
from .view import write_html

__all__ = ["ARTIFACTS", "Artifact", "library_title", "problems_report", "to_node_link", "write_site"]


@dataclass(frozen=True)
class Artifact:
    """One file of the site: its name, what the index calls it, and the function that writes it."""

    filename: str
    title: str
    description: str
    write: Callable[[Library, Path, dict[str, Any]], None]


def library_title(library: Library) -> str:
    """A name for the library: its folder (the parent's, for a ``_patterns`` folder).

    Examples
    --------
    >>> from graphkit import load_library
    >>> library_title(load_library())
    'sample'
    """
    root = library.root
    name = root.name
    if name.startswith("_") and root.parent.name:
        name = root.parent.name
    return name or "pattern library"


def to_node_link(G: nx.MultiDiGraph) -> dict[str, Any]:
    """The graph as node-link data that ``json`` can write; list and dict attributes stay as they are.

    A node's key is under ``"slug"`` (its ``"id"`` is the pattern's TypeID); the vocabulary
    becomes a list of relation types. ``nx.node_link_graph(data, name="slug", edges="links")``
    reads it back.

    Examples
    --------
    >>> from graphkit import load_library
    >>> G = load_library().graph
    >>> data = to_node_link(G)
    >>> H = nx.node_link_graph(json.loads(json.dumps(data)), name="slug", edges="links")
    >>> sorted(H.edges(keys=True)) == sorted(G.edges(keys=True)), H.nodes["5s-methodology"]["aliases"]
    (True, ['6S', '7S'])
    """
    H = nx.MultiDiGraph()
    vocabulary = G.graph.get("vocabulary", DEFAULT_VOCABULARY)
    H.graph["vocabulary"] = [
        {"name": rt.name, "label": rt.label, "inverse": rt.inverse, "symmetric": rt.symmetric, "skos": rt.skos,
         "comment": rt.comment}
        for rt in vocabulary.values()
    ]  # fmt: skip
    H.add_nodes_from(sorted(G.nodes(data=True), key=lambda item: str(item[0])))
    H.add_edges_from(sorted(G.edges(keys=True, data=True), key=lambda e: (str(e[0]), str(e[2]), str(e[1]))))
    return nx.node_link_data(H, name="slug", edges="links")


def problems_report(library: Library) -> dict[str, Any]:
    """The problems report as JSON-ready data (the shape ``graphkit check -f json`` prints).

    Examples
    --------
    >>> from graphkit import load_library
    >>> sorted(problems_report(load_library()))
    ['errors', 'files', 'patterns', 'problems', 'warnings']
    """
    errors = sum(1 for p in library.problems if p.severity == ERROR)
    return {
        "files": len(library.files),
        "patterns": len(library.patterns),
        "errors": errors,
        "warnings": len(library.problems) - errors,
        "problems": [p.to_dict() for p in library.problems],
    }


def _json_text(data: Any) -> str:
    return json.dumps(data, indent=2, ensure_ascii=False, allow_nan=False) + "\n"


def _write_text(path: Path, text: str) -> None:
    try:
        path.write_text(text, encoding="utf-8")
    except OSError as err:
        raise ExportError(f"{path}: cannot write ({err.strerror or err})") from err


def _write_map(library: Library, path: Path, context: dict[str, Any]) -> None:
    write_html(library.graph, path, title=context["title"], color_by=context["color_by"])


def _write_graph_json(library: Library, path: Path, context: dict[str, Any]) -> None:
    _write_text(path, _json_text(to_node_link(library.graph)))


def _write_problems_json(library: Library, path: Path, context: dict[str, Any]) -> None:
    _write_text(path, _json_text(problems_report(library)))


_STYLE = """
body { font: 15px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: #1f2328; margin: 2rem auto;
       max-width: 64rem; padding: 0 1rem; }
h1 { font-size: 1.6rem; margin-bottom: .2rem; } .note { color: #57606a; }
table { border-collapse: collapse; margin: 1rem 0; } th, td { text-align: left; padding: .25rem .7rem;
       border-bottom: 1px solid #d0d7de; vertical-align: top; }
td.n { text-align: right; font-variant-numeric: tabular-nums; } a { color: #0969da; }
.error { color: #cf222e; font-weight: 600; } .warning { color: #9a6700; }
code { font-size: .9em; overflow-wrap: anywhere; }
"""


def _page(title: str, body: str) -> str:
    e = html.escape
    return (
        '<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f'<link rel="icon" href="data:,">\n<title>{e(title)}</title>\n<style>{_STYLE}</style>\n</head>\n'
        f"<body>\n{body}</body>\n</html>\n"
    )


def _map_link(slug: str) -> str:
    return "map.html#p=" + quote(slug, safe="")


def _write_problems_html(library: Library, path: Path, context: dict[str, Any]) -> None:
    e = html.escape
    report = problems_report(library)
    by_kind = Counter(p.kind for p in library.problems)
    rows = []
    for p in library.problems:
        slug = f'<a href="{e(_map_link(p.slug))}">{e(p.slug)}</a>' if p.slug is not None and p.slug in library.graph else ""
        rows.append(
            f'<tr><td><code>{e(p.where)}</code></td><td class="{e(p.severity)}">{e(p.severity)}</td>'
            f"<td>{e(p.kind)}</td><td>{slug}</td><td>{e(p.message)}</td></tr>\n"
        )
    kinds = "".join(f'<tr><td>{e(k)}</td><td class="n">{n}</td></tr>\n' for k, n in sorted(by_kind.items()))
    body = (
        f"<h1>Problems: {e(context['title'])}</h1>\n"
        f'<p class="note"><a href="index.html">index</a> · {report["files"]} files, {report["patterns"]} patterns: '
        f'{report["errors"]} errors, {report["warnings"]} warnings · <a href="problems.json">as JSON</a></p>\n'
        + (f"<table><tr><th>kind</th><th>count</th></tr>\n{kinds}</table>\n" if kinds else "<p>No problems.</p>\n")
        + (
            "<table><tr><th>where</th><th>severity</th><th>kind</th><th>pattern</th><th>problem</th></tr>\n"
            + "".join(rows)
            + "</table>\n"
            if rows
            else ""
        )
    )
    _write_text(path, _page(f"Problems: {context['title']}", body))


#: The files of the site, in the order the index lists them. The Turtle export (``graphkit.rdf``)
#: joins as one more entry, e.g. ``Artifact("graph.ttl", "RDF/Turtle", "...", _write_turtle)``.
ARTIFACTS: list[Artifact] = [
    Artifact("map.html", "Map", "the interactive map of every pattern and relation (works offline)", _write_map),
    Artifact("graph.json", "Graph (JSON)", "the graph as NetworkX node-link JSON, every attribute kept",
             _write_graph_json),
    Artifact("problems.html", "Problems", "every problem found while loading, one row each", _write_problems_html),
    Artifact("problems.json", "Problems (JSON)", "the same report, as `graphkit check -f json` prints it",
             _write_problems_json),
]  # fmt: skip


def _write_index(library: Library, path: Path, context: dict[str, Any], artifacts: list[Artifact]) -> None:
    e = html.escape
    stats = library.stats(top=10)
    links = "".join(
        f'<li><a href="{e(quote(a.filename))}">{e(a.title)}</a>: {e(a.description)}</li>\n' for a in artifacts
    )
    relations = "".join(
        f'<tr><td>{e(name)}</td><td class="n">{n}</td><td class="n">{stats["inferred_by_relation"].get(name, 0)}</td></tr>\n'
        for name, n in {**{k: 0 for k in stats["inferred_by_relation"]}, **stats["edges_by_relation"]}.items()
    )
    hubs = "".join(
        f'<li><a href="{e(_map_link(h["slug"]))}">{e(str(h["title"] or h["slug"]))}</a> ({h["degree"]})</li>\n'
        for h in stats["most_connected"]
    )
    body = (
        f"<h1>{e(context['title'])}</h1>\n"
        f'<p class="note">{stats["patterns"]} patterns, {stats["edges"]} curated and {stats["inferred_edges"]} '
        f'machine-inferred relations, {stats["components"]} components (largest {stats["largest_component"]}, '
        f'{stats["isolated_patterns"]} isolated patterns); {stats["errors"]} errors and {stats["warnings"]} warnings '
        f'in the <a href="problems.html">problems report</a>.</p>\n'
        f"<ul>\n{links}</ul>\n"
        f"<h2>Relations</h2>\n<table><tr><th>relation</th><th>curated</th><th>inferred</th></tr>\n{relations}</table>\n"
        + (f"<h2>Most connected</h2>\n<ol>\n{hubs}</ol>\n" if hubs else "")
        + '<p class="note">Made by graphkit.</p>\n'
    )
    _write_text(path, _page(context["title"], body))


def write_site(
    library: Library,
    directory: str | os.PathLike[str],
    title: str | None = None,
    color_by: str = "domain",
    artifacts: list[Artifact] | None = None,
) -> list[Path]:
    """Write the site of ``library`` into ``directory`` (made if missing); give the files written.

    Parameters
    ----------
    library : Library
        From ``load_library``.
    directory : path
        The output folder; files of the same names are replaced, others left alone.
    title : str, optional
        The site's title; the library folder's name by default.
    color_by : str
        The facet that colours the map (see ``graphkit.view.COLOR_FACETS``).
    artifacts : list of Artifact, optional
        The files to write (``ARTIFACTS`` by default); ``index.html`` is always written, last.

    Examples
    --------
    >>> import tempfile
    >>> from graphkit import load_library
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     [p.name for p in write_site(load_library(), tmp)]
    ['map.html', 'graph.json', 'problems.html', 'problems.json', 'index.html']
    """
    out = Path(directory)
    if out.exists() and not out.is_dir():
        raise ExportError(f"{out}: exists and is not a folder (give a folder for the site)")
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as err:
        raise ExportError(f"{out}: cannot make the folder ({err.strerror or err})") from err
    chosen = list(ARTIFACTS if artifacts is None else artifacts)
    context = {"title": title or library_title(library), "color_by": color_by}
    written = []
    for artifact in chosen:
        path = out / artifact.filename
        artifact.write(library, path, context)
        written.append(path)
    index = out / "index.html"
    _write_index(library, index, context, chosen)
    written.append(index)
    return written
