"""Colours of facet values: derived from the value and the library, never from a page's ranks.

Shared by the page (legend, node colours) and the cuts of ``select`` (which carry the library's
table to the pages cut from it).
"""

from __future__ import annotations

import hashlib
from collections import Counter
from typing import TYPE_CHECKING, Any

from ..errors import ViewError

if TYPE_CHECKING:  # the command line reads FACETS without importing NetworkX
    import networkx as nx

__all__ = [
    "EXTERNAL_COLOR",
    "FACETS",
    "NONE_COLOR",
    "OTHER_COLOR",
    "PALETTE",
    "facet_colors",
    "facet_values",
    "library_colors",
]

#: Facets of a pattern: name -> node attribute (list-valued attributes hold several values).
FACETS = {
    "domain": "domains",
    "category": "categories",
    "era": "era",
    "origin": "origin",
    "status": "status",
    "generation": "generation",
}

#: Colours of the most frequent facet values (Tableau 10 and a few more, colour-blind aware first).
#: More would stop being told apart; the rest of the values share ``OTHER_COLOR``.
PALETTE = (
    "#4e79a7", "#f28e2b", "#59a14f", "#e15759", "#76b7b2", "#edc948", "#b07aa1", "#ff9da7",
    "#9c755f", "#1b9e77", "#7570b3", "#d95f02", "#66a61e", "#e7298a",
)  # fmt: skip
OTHER_COLOR = "#bab0ac"
NONE_COLOR = "#d9d9d9"
#: External nodes (targets outside the library, no patterns): one colour of their own, whatever the facet.
EXTERNAL_COLOR = "#3d4852"


def _facet_value(data: dict[str, Any], attribute: str) -> str | None:
    value = data.get(attribute)
    if isinstance(value, (list, tuple)):
        value = value[0] if value else None
    return None if value is None or value == "" else str(value)


def facet_values(G: nx.Graph, facet: str = "domain") -> Counter[str]:
    """How many patterns have each value of a facet (the first value of list-valued facets).

    Examples
    --------
    >>> import networkx as nx
    >>> G = nx.Graph()
    >>> G.add_node("a", domains=["design", "ops"]); G.add_node("b", domains=["design"]); G.add_node("c")
    >>> facet_values(G, "domain")
    Counter({'design': 2})
    """
    if facet not in FACETS:
        raise ViewError(f"cannot colour by {facet!r} (choose one of: {', '.join(FACETS)})")
    attribute = FACETS[facet]
    return Counter(v for _, d in G.nodes(data=True) if (v := _facet_value(d, attribute)) is not None)


def facet_colors(G: nx.Graph, facet: str = "domain") -> dict[str, str]:
    """The colour of each value of a facet, derived from the value itself and the library.

    The ``len(PALETTE)`` most frequent values get a colour each: the palette entry picked by a
    hash of the value, or the next free one when an earlier value took it. The rest share
    ``OTHER_COLOR``. A page cut from a library (``focus_graph``, ``facet_graph``) carries the
    library's table in ``G.graph["facet_colors"]``, so a value looks the same on all its pages.

    Examples
    --------
    >>> import networkx as nx
    >>> G = nx.Graph()
    >>> G.add_node("a", domains=["design"]); G.add_node("b", domains=["ops"]); G.add_node("c", domains=["ops"])
    >>> colors = facet_colors(G)
    >>> sorted(colors), colors["design"] in PALETTE, colors["design"] != colors["ops"]
    (['design', 'ops'], True, True)
    >>> H = G.subgraph(["a"]).copy(); H.graph["facet_colors"] = {"domain": colors}
    >>> facet_colors(H) == {"design": colors["design"]}
    True
    """
    given = G.graph.get("facet_colors", {}).get(facet)
    counts = facet_values(G, facet)
    table: dict[str, str] = dict(given) if given is not None else {}
    if given is None:
        taken: set[int] = set()
        for value in sorted(counts, key=lambda v: (-counts[v], v)):
            if len(taken) == len(PALETTE):
                table[value] = OTHER_COLOR
                continue
            slot = int.from_bytes(hashlib.sha256(value.encode("utf-8")).digest()[:4], "big") % len(PALETTE)
            while slot in taken:
                slot = (slot + 1) % len(PALETTE)
            taken.add(slot)
            table[value] = PALETTE[slot]
    return {value: table.get(value, OTHER_COLOR) for value in sorted(counts)}


def library_colors(G: nx.Graph) -> dict[str, dict[str, str]]:
    """``facet_colors`` for every facet: what a page cut from ``G`` keeps in ``graph["facet_colors"]``.

    Examples
    --------
    >>> import networkx as nx
    >>> G = nx.Graph(); G.add_node("a", status="draft")
    >>> library_colors(G)["status"] == facet_colors(G, "status"), library_colors(G)["domain"]
    (True, {})
    """
    return {facet: facet_colors(G, facet) for facet in FACETS}
