"""graphkit: a pattern library as a knowledge graph (NetworkX, RDF/SPARQL, interactive maps).

The public API below is imported on first use (``graphkit.load_library`` or ``from graphkit
import load_library``), so that ``graphkit --help``, or a query on a kept store, does not import
NetworkX, rdflib, igraph and SciPy it never uses.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .lazy import lazy_exports

__version__ = "0.1.0"

#: Each public name and the module it lives in.
_API = {
    "Config": "load",
    "ConfigError": "errors",
    "DEFAULT_VOCABULARY": "model",
    "ExportError": "errors",
    "GraphkitError": "errors",
    "Library": "library",
    "LibraryError": "errors",
    "Link": "model",
    "Pattern": "model",
    "PatternFileError": "errors",
    "PatternNotFound": "errors",
    "Problem": "model",
    "QueryError": "errors",
    "RelationType": "model",
    "ServeError": "errors",
    "StoreError": "errors",
    "StoreOutcomeUnknown": "errors",
    "Vocabulary": "model",
    "build_graph": "graph",
    "edge_key": "graph",
    "get_pattern": "graph",
    "graph_stats": "graph",
    "link_patterns": "graph",
    "load_config": "load",
    "load_library": "library",
    "load_patterns": "load",
    "parse_config": "load",
    "parse_pattern": "load",
    "sample_library": "library",
}

__all__ = sorted(_API)


__getattr__, __dir__ = lazy_exports(__name__, _API)


if TYPE_CHECKING:  # the same names, for type checkers (re-exported)
    from .errors import (  # noqa: F401
        ConfigError,
        ExportError,
        GraphkitError,
        LibraryError,
        PatternFileError,
        PatternNotFound,
        QueryError,
        ServeError,
        StoreError,
        StoreOutcomeUnknown,
    )
    from .graph import build_graph, edge_key, get_pattern, graph_stats, link_patterns  # noqa: F401
    from .library import Library, load_library, sample_library  # noqa: F401
    from .load import Config, load_config, load_patterns, parse_config, parse_pattern  # noqa: F401
    from .model import DEFAULT_VOCABULARY, Link, Pattern, Problem, RelationType, Vocabulary  # noqa: F401
