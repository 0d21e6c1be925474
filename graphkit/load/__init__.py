"""Stage 1: Markdown files -> Pattern records and a problems report.

``config`` reads a library's settings, ``read`` gets one file's frontmatter safely, ``parse``
turns it into a record (the only code that knows frontmatter shapes), ``files`` walks the folder,
``survey`` surveys every field of a library for ``graphkit fields``.
The speed of loading lives in two modules: ``parallel`` parses a large library's files in
worker processes, and ``cache`` keeps parsed records so that an unchanged file is not parsed again.
"""

from .cache import default_cache_dir
from .config import Config, load_config, parse_config
from .files import (
    LoadResult,
    Scan,
    file_name_text,
    find_markdown_files,
    load_patterns,
    patterns_root,
    read_file,
    scan_library,
    sort_problems,
)
from .parse import parse_pattern
from .read import Frontmatter, read_frontmatter
from .survey import survey_fields, to_config_toml

__all__ = [
    "Config",
    "Frontmatter",
    "LoadResult",
    "Scan",
    "default_cache_dir",
    "file_name_text",
    "find_markdown_files",
    "load_config",
    "load_patterns",
    "parse_config",
    "parse_pattern",
    "patterns_root",
    "read_file",
    "read_frontmatter",
    "scan_library",
    "sort_problems",
    "survey_fields",
    "to_config_toml",
]
