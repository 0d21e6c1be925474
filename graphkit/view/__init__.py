"""Stage 3 (view): a pattern graph -> one self-contained, offline, interactive HTML map (pyvis).

``to_html(G)`` gives the page as text, ``write_html(G, path)`` writes it; ``focus_graph`` and
``facet_graph`` cut out the part a focused page shows, ``hierarchy_graph`` a pattern's
generalization tree; ``layout_positions`` is the layout.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import networkx as nx

from ..errors import ViewError
from .colors import facet_colors
from .layout import layout_positions
from .page import COLOR_FACETS, RENDERERS, facet_values, relation_styles, script_json, to_html
from .select import facet_graph, focus_graph, hierarchy_graph

__all__ = [
    "COLOR_FACETS",
    "RENDERERS",
    "facet_colors",
    "facet_graph",
    "facet_values",
    "focus_graph",
    "hierarchy_graph",
    "layout_positions",
    "relation_styles",
    "script_json",
    "to_html",
    "write_html",
]


def write_html(G: nx.MultiDiGraph, path: str | os.PathLike[str], **options: Any) -> Path:
    """Write the map of ``G`` (see ``to_html`` for ``options``) to ``path``; give the path.

    Examples
    --------
    >>> import tempfile
    >>> from graphkit import load_library
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     out = write_html(load_library().graph, Path(tmp) / "map.html")
    ...     out.read_text(encoding="utf-8").count('id="gk-map"')
    1
    """
    page = to_html(G, **options)
    path = Path(path)
    try:
        path.write_text(page, encoding="utf-8")
    except OSError as err:
        raise ViewError(f"{path}: cannot write the map ({err.strerror or err})") from err
    return path
