"""Parts of a pattern graph worth a page of their own: a pattern's neighbourhood, one domain.

Each function returns a new graph (the caller's graph is never modified) that keeps the
vocabulary and the library's facet colours, so a focused page draws, colours and explains its
relations like the whole map does.
"""

from __future__ import annotations

from collections.abc import Iterable

import networkx as nx

from ..errors import ViewError
from ..explore import neighbourhood
from ..graph import get_pattern
from ..model import DEFAULT_VOCABULARY
from .colors import FACETS, library_colors

__all__ = ["FACETS", "facet_graph", "focus_graph", "hierarchy_graph"]


def _relations(G: nx.MultiDiGraph, relations: Iterable[str] | None) -> set[str] | None:
    if relations is None:
        return None
    wanted = set(relations)
    if not wanted:
        return None
    vocabulary = G.graph.get("vocabulary", DEFAULT_VOCABULARY)
    known = set(vocabulary) | {d.get("relation") for _, _, d in G.edges(data=True)}
    unknown = sorted(wanted - known)
    if unknown:
        raise ViewError(
            f"unknown relation {', '.join(map(repr, unknown))} (known: {', '.join(sorted(str(k) for k in known))})"
        )
    return wanted


def focus_graph(
    G: nx.MultiDiGraph, name: str, depth: int = 1, relations: Iterable[str] | None = None
) -> nx.MultiDiGraph:
    """The patterns within ``depth`` steps of one pattern, with the relations among them.

    Steps follow edges both ways. With ``relations``, only edges of those relation types are
    followed and kept (inferred ones included).

    Parameters
    ----------
    G : nx.MultiDiGraph
        The pattern graph; not modified.
    name : str
        The pattern: its slug, id, title or an alias.
    depth : int
        How many steps out (0 = the pattern alone).
    relations : iterable of str, optional
        Relation names to follow; all when omitted or empty.

    Returns
    -------
    nx.MultiDiGraph
        A new graph; ``H.graph["focus"]`` is the slug in the middle.

    Examples
    --------
    >>> from graphkit import load_library
    >>> G = load_library().graph
    >>> H = focus_graph(G, "Gap Analysis", depth=1, relations=["enables"])
    >>> H.graph["focus"], sorted(H), H.number_of_edges()
    ('gap-analysis', ['gap-analysis', 'performance-sensing', 'structural-integrity-audit'], 2)
    """
    if depth < 0:
        raise ViewError(f"depth must be 0 or more, not {depth}")
    H = neighbourhood(G, name, depth, _relations(G, relations), inferred=True)
    H.graph.setdefault("facet_colors", library_colors(G))
    return H


def facet_graph(G: nx.MultiDiGraph, value: str, facet: str = "domain") -> nx.MultiDiGraph:
    """The patterns with ``value`` among their ``facet`` values (see ``FACETS``), and the relations among them.

    Examples
    --------
    >>> from graphkit import load_library
    >>> H = facet_graph(load_library().graph, "governance")
    >>> all("governance" in d["domains"] for _, d in H.nodes(data=True)), H.number_of_nodes() > 0
    (True, True)
    """

    if facet not in FACETS:
        raise ViewError(f"unknown facet {facet!r} (choose one of: {', '.join(FACETS)})")
    attribute = FACETS[facet]

    def values(data: dict) -> list[str]:
        v = data.get(attribute)
        return [str(x) for x in v] if isinstance(v, (list, tuple)) else ([] if v is None else [str(v)])

    keep = {n for n, d in G.nodes(data=True) if value in values(d)}
    if not keep:
        known = sorted({x for _, d in G.nodes(data=True) for x in values(d)})
        raise ViewError(f"no pattern has {facet} {value!r} (known: {', '.join(known) or 'none'})")
    H = _subgraph(G, keep, None)
    H.graph.setdefault("facet_colors", library_colors(G))
    return H


#: The relations of the generalization hierarchy: relation -> +1 when its target is more
#: specific than its source (one level down), -1 when more general.
HIERARCHY = {"specializes_to": 1, "generalizes_from": -1}


def hierarchy_graph(G: nx.MultiDiGraph, name: str) -> nx.MultiDiGraph:
    """A pattern's generalization hierarchy: what it generalizes from and specializes to, transitively.

    Only curated ``generalizes_from``/``specializes_to`` relations are followed and kept. Each
    pattern gets a ``level`` (0 = the most general shown), which a page draws as a tree.

    Examples
    --------
    >>> from graphkit import Link, Pattern, build_graph
    >>> G = build_graph([Pattern("a", "A", links=(Link("specializes_to", "b"),)),
    ...                  Pattern("b", "B", links=(Link("specializes_to", "c"), Link("enables", "d"))),
    ...                  Pattern("c", "C"), Pattern("d", "D")])
    >>> H = hierarchy_graph(G, "b")
    >>> sorted(H.nodes(data="level")), H.graph["hierarchy"]
    ([('a', 0), ('b', 1), ('c', 2)], 'b')
    """
    slug = get_pattern(G, name)
    steps: dict = {}  # pattern -> [(other, +1 when other is one level down)]
    for u, v, d in G.edges(data=True):
        sign = HIERARCHY.get(d.get("relation", ""))
        if sign is None or d.get("inferred"):
            continue
        steps.setdefault(u, []).append((v, sign))
        steps.setdefault(v, []).append((u, -sign))
    level = {slug: 0}
    # up from the pattern to what is more general, down to what is more specific; never sideways
    for direction in (-1, 1):
        frontier = [slug]
        while frontier:
            nxt = []
            for n in frontier:
                for other, sign in sorted(steps.get(n, []), key=lambda s: (str(s[0]), s[1])):
                    if sign == direction and other not in level:
                        level[other] = level[n] + sign
                        nxt.append(other)
            frontier = nxt
    H = _subgraph(G, set(level), set(HIERARCHY))
    H.remove_edges_from([(u, v, k) for u, v, k, d in H.edges(keys=True, data=True) if d.get("inferred")])
    top = min(level.values())
    for n in H:
        H.nodes[n]["level"] = level[n] - top
    H.graph["hierarchy"] = slug
    H.graph["focus"] = slug
    H.graph.setdefault("facet_colors", library_colors(G))
    return H


def _subgraph(G: nx.MultiDiGraph, keep: set, relations: set[str] | None) -> nx.MultiDiGraph:
    H = nx.MultiDiGraph()
    H.graph.update(G.graph)
    H.add_nodes_from((n, dict(G.nodes[n])) for n in sorted(keep, key=str))
    H.add_edges_from(
        (u, v, k, dict(d))
        for u, v, k, d in G.edges(keys=True, data=True)
        if u in keep and v in keep and (relations is None or d.get("relation") in relations)
    )
    return H
