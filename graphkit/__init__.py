"""graphkit: a pattern library as a knowledge graph (NetworkX, RDF/SPARQL, interactive maps)."""

from .errors import (
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
from .graph import build_graph, edge_key, get_pattern, graph_stats, link_patterns
from .library import Library, load_library, sample_library
from .load import Config, load_config, load_patterns, parse_config, parse_pattern
from .model import DEFAULT_VOCABULARY, Link, Pattern, Problem, RelationType, Vocabulary

__version__ = "0.1.0"

__all__ = [
    "Config",
    "ConfigError",
    "DEFAULT_VOCABULARY",
    "ExportError",
    "GraphkitError",
    "Library",
    "LibraryError",
    "Link",
    "Pattern",
    "PatternFileError",
    "PatternNotFound",
    "Problem",
    "QueryError",
    "RelationType",
    "ServeError",
    "StoreError",
    "StoreOutcomeUnknown",
    "Vocabulary",
    "build_graph",
    "edge_key",
    "get_pattern",
    "graph_stats",
    "link_patterns",
    "load_config",
    "load_library",
    "load_patterns",
    "parse_config",
    "parse_pattern",
    "sample_library",
]
