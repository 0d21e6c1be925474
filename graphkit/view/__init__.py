"""Stage 3 (view): a pattern graph -> one self-contained, offline, interactive HTML map (pyvis).

``to_html(G)`` gives the page as text, ``write_html(G, path)`` writes it; ``focus_graph`` and
``facet_graph`` cut out the part a focused page shows, ``hierarchy_graph`` a pattern's
generalization tree; ``layout_positions`` is the layout.

Each name is imported from its module on first use: the command line reads the facets
(``colors.FACETS``) for its options without importing the layout's igraph and SciPy or pyvis.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..errors import ViewError
from ..lazy import lazy_exports

if TYPE_CHECKING:
    import networkx as nx

    from .colors import facet_colors, facet_values  # noqa: F401 - re-exported
    from .layout import layout_positions  # noqa: F401
    from .page import COLOR_FACETS, RENDERERS, relation_styles, script_json, to_html  # noqa: F401
    from .select import facet_graph, focus_graph, hierarchy_graph  # noqa: F401

#: Each public name and the module it lives in.
_API = {
    "COLOR_FACETS": "page",
    "RENDERERS": "page",
    "facet_colors": "colors",
    "facet_graph": "select",
    "facet_values": "colors",
    "focus_graph": "select",
    "hierarchy_graph": "select",
    "layout_positions": "layout",
    "relation_styles": "page",
    "script_json": "page",
    "to_html": "page",
}

__all__ = sorted([*_API, "write_html"])


__getattr__, __dir__ = lazy_exports(__name__, _API)


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
    from .page import to_html

    page = to_html(G, **options)
    path = Path(path)
    try:
        path.write_text(page, encoding="utf-8")
    except OSError as err:
        raise ViewError(f"{path}: cannot write the map ({err.strerror or err})") from err
    return path
