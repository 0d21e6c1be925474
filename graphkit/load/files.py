"""Stage 1, the folder: find the pattern files, read them (in parallel, from a cache when unchanged)."""

from __future__ import annotations

import fnmatch
import os
import stat
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from ..errors import LibraryError
from ..model import ERROR, WARNING, Pattern, Problem
from .config import DEFAULT_CONFIG, Config, MiB, load_config
from .parse import parse_pattern

__all__ = ["LoadResult", "find_markdown_files", "load_patterns", "patterns_root", "read_file", "sort_problems"]


@dataclass(frozen=True)
class LoadResult:
    """What loading a folder gives: the pattern records, the problems, and the configuration."""

    patterns: tuple[Pattern, ...]
    problems: tuple[Problem, ...]
    config: Config
    files: tuple[str, ...]


def find_markdown_files(root: Path, config: Config = DEFAULT_CONFIG) -> list[str]:
    """Every Markdown file below ``root`` as sorted POSIX paths relative to ``root``.

    Hidden folders (``.git``) are skipped, and so are the ``exclude`` globs of the configuration.
    """
    found = []
    for folder, dirs, files in os.walk(root):
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        rel_folder = Path(folder).relative_to(root)
        for name in files:
            if not name.lower().endswith((".md", ".markdown")):
                continue
            rel = (rel_folder / name).as_posix()
            if any(fnmatch.fnmatch(rel, glob) for glob in config.exclude):
                continue
            found.append(rel)
    return sorted(found)


def patterns_root(root: Path, config: Config) -> Path:
    """The folder that holds the pattern files: ``patterns_dir``, else ``_patterns`` if present, else ``root``."""
    if config.patterns_dir:
        return root / config.patterns_dir
    if (root / "_patterns").is_dir():
        return root / "_patterns"
    return root


def read_file(root: Path, rel: str, config: Config) -> tuple[Pattern | None, list[Problem]]:
    """Read and parse one file of the library; bad input becomes problems, never an exception."""
    path = root / rel
    try:
        info = path.stat()
        if not stat.S_ISREG(info.st_mode):
            return None, [Problem(rel, "unreadable", ERROR, "not a regular file")]
        size = info.st_size
        if size > config.max_file_size:
            return None, [
                Problem(
                    rel,
                    "too-large",
                    ERROR,
                    f"file is {size / MiB:.1f} MiB, over the {config.max_file_size / MiB:g} MiB limit "
                    "(raise max_file_size in the graphkit configuration)",
                )
            ]
        data = path.read_bytes()
    except OSError as err:
        return None, [Problem(rel, "unreadable", ERROR, f"cannot read the file ({err.strerror or err})")]
    return parse_pattern(data, rel, config)


def load_patterns(root: str | os.PathLike[str], config: Config | None = None) -> LoadResult:
    """Read every pattern file below ``root`` into records and a problems report.

    Files are read in sorted order. Duplicate slugs keep the first file (by path) and report
    the others; files sharing an id are all kept and reported.

    Examples
    --------
    >>> import graphkit
    >>> result = load_patterns(graphkit.sample_library())
    >>> any(p.slug == "bottom-up-adoption" for p in result.patterns)
    True
    """
    base = Path(root)
    if not base.exists():
        raise LibraryError(f"{root}: no such folder")
    if not base.is_dir():
        raise LibraryError(f"{root}: not a folder (give the folder that holds the pattern files)")
    if config is None:
        config = load_config(base)
    folder = patterns_root(base, config)
    if not folder.is_dir():
        raise LibraryError(f"{folder}: patterns_dir is not a folder")
    files = find_markdown_files(folder, config)
    records: list[Pattern] = []
    problems: list[Problem] = []
    for rel in files:
        pattern, found = read_file(folder, rel, config)
        problems.extend(found)
        if pattern is not None:
            records.append(pattern)
    patterns, more = _deduplicate(records)
    problems.extend(more)
    return LoadResult(tuple(patterns), tuple(sort_problems(problems)), config, tuple(files))


def _deduplicate(records: Sequence[Pattern]) -> tuple[list[Pattern], list[Problem]]:
    problems = []
    by_slug: dict[str, Pattern] = {}
    kept = []
    for p in records:
        first = by_slug.get(p.slug)
        if first is not None:
            problems.append(
                Problem(
                    p.path,
                    "duplicate-slug",
                    ERROR,
                    f"slug {p.slug!r} is already used by {first.path}; this file is left out of the graph",
                    slug=p.slug,
                )
            )
            continue
        by_slug[p.slug] = p
        kept.append(p)
    by_id: dict[str, list[Pattern]] = {}
    for p in kept:
        if p.id:
            by_id.setdefault(p.id, []).append(p)
    for pid, group in by_id.items():
        if len(group) < 2:
            continue
        for p in group:
            others = ", ".join(o.path for o in group if o is not p)
            problems.append(
                Problem(
                    p.path,
                    "duplicate-id",
                    WARNING,
                    f"id {pid!r} is also used by {others}; references by this id are ambiguous",
                    slug=p.slug,
                )
            )
    return kept, problems


def sort_problems(problems: Iterable[Problem]) -> list[Problem]:
    """Problems in a stable order: by file, line, kind, then message."""
    return sorted(problems, key=lambda p: (p.path, p.line or 0, p.column or 0, p.kind, p.message))
