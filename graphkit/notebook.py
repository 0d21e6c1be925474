"""Jupyter helpers: one ``Explorer`` over a library for tables, paths, SPARQL and an inline map.

The inline map is the same self-contained page ``graphkit view`` writes, shown in an
``<iframe srcdoc>``: no side file, no server, no network, so it renders in JupyterLab,
VS Code, Colab and in notebooks exported to HTML. pandas is optional (``graphkit[notebook]``).
"""

from __future__ import annotations

import html
import os
from collections.abc import Iterable, Mapping
from typing import Any

import networkx as nx

from .errors import GraphkitError
from .explore import Step, find_paths, neighbourhood, pattern_rows
from .library import Library, load_library
from .load import Config
from .model import Problem
from .query import QueryResult, load_store, query
from .rdf import DEFAULT_BASE_IRI, to_rdflib
from .site import library_title
from .view import facet_graph, focus_graph, to_html

__all__ = ["Explorer", "InlineMap", "to_frame"]


def to_frame(rows: Iterable[Mapping[str, Any]], columns: Iterable[str] | None = None) -> Any:
    """Rows as a pandas DataFrame (pandas is an optional dependency).

    Examples
    --------
    >>> to_frame([{"a": 1}, {"a": 2}])["a"].tolist()
    [1, 2]
    """
    try:
        import pandas as pd
    except ImportError as err:
        raise GraphkitError("pandas is needed for DataFrames (pip install 'graphkit[notebook]')") from err
    return pd.DataFrame(list(rows), columns=list(columns) if columns is not None else None)


class InlineMap:
    """An interactive map shown inline in a notebook (``_repr_html_``), or saved with ``save``."""

    def __init__(self, page: str, height: int = 650, nodes: int = 0, edges: int = 0) -> None:
        self.page, self.height, self.nodes, self.edges = page, height, nodes, edges

    def _repr_html_(self) -> str:
        # srcdoc keeps the page inside the notebook; the page escapes its own data, and
        # html.escape makes the whole page one safe attribute value.
        return (
            f'<iframe srcdoc="{html.escape(self.page, quote=True)}" '
            f'style="width:100%;height:{int(self.height)}px;border:1px solid #ddd" '
            f'title="Pattern map: {self.nodes} patterns, {self.edges} relations" '
            'sandbox="allow-scripts allow-popups"></iframe>'
        )

    def save(self, path: str | os.PathLike[str]) -> str:
        """Write the page to ``path`` (UTF-8) and give the path."""
        with open(path, "w", encoding="utf-8") as f:
            f.write(self.page)
        return os.fspath(path)

    def __repr__(self) -> str:
        return f"<InlineMap: {self.nodes} patterns, {self.edges} relations>"


class Explorer:
    """A pattern library opened for exploration in a notebook.

    Parameters
    ----------
    source : path, Library or None
        A library folder, an already loaded ``Library``, or ``None`` for the shipped sample.

    Examples
    --------
    >>> from graphkit.explore import format_path
    >>> ex = Explorer()
    >>> ex.stats()["patterns"]
    37
    >>> [format_path(p) for p in ex.paths("kanban", "gemba-walks")]
    ['kanban --related-> gemba-walks']
    >>> ex.sparql("SELECT (COUNT(?p) AS ?n) WHERE { ?p a gk:Pattern }").rows
    [{'n': 37}]
    """

    def __init__(
        self,
        source: str | os.PathLike[str] | Library | None = None,
        *,
        config: Config | None = None,
        cache_dir: str | os.PathLike[str] | None = None,
        base_iri: str = DEFAULT_BASE_IRI,
    ) -> None:
        self.library = source if isinstance(source, Library) else load_library(source, config, cache_dir=cache_dir)
        self.base_iri = base_iri
        self._store: Any = None

    def __repr__(self) -> str:
        return f"<Explorer {self.library.root}: {self.G.number_of_nodes()} patterns>"

    @property
    def G(self) -> nx.MultiDiGraph:
        """The pattern graph (nodes keyed by slug; edge key = relation)."""
        return self.library.graph

    @property
    def problems(self) -> tuple[Problem, ...]:
        return self.library.problems

    def stats(self, top: int = 10) -> dict[str, Any]:
        """Counts of patterns, relations, components, problems and the most connected patterns."""
        return self.library.stats(top=top)

    # ----------------------------------------------------------------- tables

    def patterns(self) -> Any:
        """One row per pattern (a DataFrame indexed by slug)."""
        return to_frame(pattern_rows(self.G)).set_index("slug")

    def problems_table(self) -> Any:
        """The problems report as a DataFrame."""
        columns = ["path", "line", "column", "severity", "kind", "message", "slug", "relation", "target"]
        return to_frame(({c: getattr(p, c) for c in columns} for p in self.problems), columns)

    def edges(self, inferred: bool = True) -> Any:
        """One row per edge: source, relation, target, inferred, weight, confidence."""
        rows = [
            {
                "source": u,
                "relation": d["relation"],
                "target": v,
                "inferred": d["inferred"],
                "weight": d.get("weight"),
                "confidence": d.get("confidence"),
            }
            for u, v, d in self.G.edges(data=True)
            if inferred or not d["inferred"]
        ]
        return to_frame(rows, ["source", "relation", "target", "inferred", "weight", "confidence"])

    # ----------------------------------------------------------------- graph questions

    def neighbourhood(self, name: str, depth: int = 1, relations: Iterable[str] | None = None) -> nx.MultiDiGraph:
        """The patterns within ``depth`` steps of a pattern (slug, id, title or alias), as a new graph."""
        return neighbourhood(self.G, name, depth, relations)

    def paths(
        self, a: str, b: str, relations: Iterable[str] | None = None, directed: bool = False, limit: int = 10
    ) -> list[list[Step]]:
        """The shortest typed paths between two patterns; ``format_path`` prints one."""
        return find_paths(self.G, a, b, relations, directed=directed, limit=limit)

    # ----------------------------------------------------------------- RDF and SPARQL

    def rdf(self) -> Any:
        """The library as an ``rdflib.Graph`` (prefixes bound)."""
        return to_rdflib(self.G, self.base_iri)

    def sparql(self, text: str, **bindings: Any) -> QueryResult:
        """Run SPARQL (text, ``@file.rq`` or a shipped query's name); keyword arguments are bound values."""
        if self._store is None:
            self._store = load_store(self.library, self.base_iri)
        return query(self._store, text, bindings, self.base_iri)

    def sparql_table(self, text: str, **bindings: Any) -> Any:
        """Like ``sparql``, as a DataFrame with the query's variables as columns."""
        result = self.sparql(text, **bindings)
        return to_frame(result.rows, result.variables or None)

    # ----------------------------------------------------------------- the map

    def map(
        self,
        focus: str | None = None,
        depth: int = 1,
        relations: Iterable[str] | None = None,
        domain: str | None = None,
        color_by: str = "domain",
        height: int = 650,
    ) -> InlineMap:
        """The interactive map, inline: the whole library, a focused part, or one domain."""
        G = self.G
        if domain is not None:
            G = facet_graph(G, domain)
        if focus is not None:
            G = focus_graph(G, focus, depth, relations)
        renderer = "vis" if focus is not None else "sigma"
        page = to_html(G, title=_title(self.library, focus, domain), color_by=color_by, renderer=renderer)
        return InlineMap(page, height, G.number_of_nodes(), G.number_of_edges())


def _title(library: Library, focus: str | None, domain: str | None) -> str:
    name = library_title(library)
    if focus:
        return f"{name}: around {focus}"
    if domain:
        return f"{name}: {domain}"
    return name
