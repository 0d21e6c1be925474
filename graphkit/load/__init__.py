"""Stage 1: Markdown files -> Pattern records and a problems report.

``config`` reads a library's settings, ``scan`` finds the pattern files and fingerprints them
from ``stat`` alone, ``read`` gets one file's frontmatter safely, ``parse`` turns it into a
record (the only code that knows frontmatter shapes), ``files`` reads the files the scan found,
``survey`` surveys every field of a library for ``graphkit fields``.
The speed of loading lives in two modules: ``parallel`` parses a large library's files in
worker processes, and ``cache`` keeps parsed records so that an unchanged file is not parsed again.

The names below are imported on first use: a command that only scans the folder (a build
with nothing to do, a query on a kept store) imports no YAML parser and no process pool.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..lazy import lazy_exports

#: Each public name and the module of this package it lives in.
_API = {
    "Config": "config",
    "Frontmatter": "read",
    "LoadResult": "files",
    "Scan": "scan",
    "default_cache_dir": "cache",
    "file_name_text": "scan",
    "find_markdown_files": "scan",
    "load_config": "config",
    "load_patterns": "files",
    "parse_config": "config",
    "parse_pattern": "parse",
    "patterns_root": "scan",
    "read_file": "files",
    "read_frontmatter": "read",
    "scan_library": "scan",
    "sort_problems": "files",
    "survey_fields": "survey",
    "to_config_toml": "survey",
}

__all__ = sorted(_API)

__getattr__, __dir__ = lazy_exports(__name__, _API)

if TYPE_CHECKING:  # the same names, for type checkers (re-exported)
    from .cache import default_cache_dir  # noqa: F401
    from .config import Config, load_config, parse_config  # noqa: F401
    from .files import LoadResult, load_patterns, read_file, sort_problems  # noqa: F401
    from .parse import parse_pattern  # noqa: F401
    from .read import Frontmatter, read_frontmatter  # noqa: F401
    from .scan import Scan, file_name_text, find_markdown_files, patterns_root, scan_library  # noqa: F401
    from .survey import survey_fields, to_config_toml  # noqa: F401
