"""Stage 1, the files: read each pattern file the scan found (see ``parallel`` and ``cache`` for the speed)."""

from __future__ import annotations

import os
import stat
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import partial
from pathlib import Path

from ..model import ERROR, WARNING, Pattern, Problem
from .cache import PatternCache
from .config import OUTSIDE, Config, MiB, declare_hint, within
from .parallel import read_in_processes
from .parse import parse_pattern
from .scan import RACY_NS, Scan, scan_library

__all__ = ["LoadResult", "load_patterns", "read_file", "sort_problems", "unread_problems"]


@dataclass(frozen=True)
class LoadResult:
    """What loading a folder gives: the pattern records, the problems, and the configuration."""

    patterns: tuple[Pattern, ...]
    problems: tuple[Problem, ...]
    config: Config
    files: tuple[str, ...]
    from_cache: int = 0


# Opening with O_NONBLOCK: a FIFO named like a pattern file is refused by the fstat below,
# not waited on forever; for a regular file the flag changes nothing.
_OPEN_FLAGS = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0)
_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)


class _Outside(Exception):
    """Internal: the file is a link that leads outside the library folder."""


def _open(path: str, inside: str | None) -> int:
    """Open a pattern file. With ``inside`` (a resolved folder), a link is followed only to a file below it.

    The decision is made on the file this call opens, not on an earlier look at the folder:
    a plain file is opened with O_NOFOLLOW, so it cannot have become a link in between.
    """
    if inside is None:
        return os.open(path, _OPEN_FLAGS)
    if _NOFOLLOW:
        try:
            return os.open(path, _OPEN_FLAGS | _NOFOLLOW)
        except OSError:
            if not os.path.islink(path):
                raise
    elif not os.path.islink(path):
        return os.open(path, _OPEN_FLAGS)
    target = os.path.realpath(path)
    if not within(target, inside):
        raise _Outside
    return os.open(target, _OPEN_FLAGS | _NOFOLLOW)


def read_file(root: Path, rel: str, config: Config, inside: str | None = None) -> tuple[Pattern | None, list[Problem]]:
    """Read and parse one file of the library; bad input becomes problems, never an exception.

    With ``inside`` (a folder as ``os.path.realpath`` gives it), a link that leads outside
    that folder is not read but reported.
    """
    # One open, fstat and read per file, on plain strings: about 13 µs a file, where
    # pathlib's stat() and read_bytes() took 28 µs (a tenth of reading a library).
    try:
        fd = _open(os.path.join(root, rel), inside)
        try:
            info = os.fstat(fd)
            if not stat.S_ISREG(info.st_mode):
                return None, [Problem(rel, "unreadable", ERROR, "not a regular file")]
            size = info.st_size
            if size > config.max_file_size:
                return None, [_too_large(rel, size, config)]
            chunks: list[bytes] = []
            while chunk := os.read(fd, size + 1 if not chunks else 1 << 20):  # until the end, should it grow
                chunks.append(chunk)
        finally:
            os.close(fd)
    except _Outside:
        return None, [Problem(rel, "outside-library", ERROR, f"a link to a file {OUTSIDE}")]
    except OSError as err:
        return None, [Problem(rel, "unreadable", ERROR, f"cannot read the file ({err.strerror or err})")]
    data = chunks[0] if len(chunks) == 1 else b"".join(chunks)
    if len(data) > config.max_file_size:
        return None, [_too_large(rel, len(data), config)]
    return parse_pattern(data, rel, config)


def _too_large(rel: str, size: int, config: Config) -> Problem:
    return Problem(
        rel,
        "too-large",
        ERROR,
        f"file is {size / MiB:.1f} MiB, over the {config.max_file_size / MiB:g} MiB limit "
        "(raise max_file_size in the graphkit configuration)",
    )


def load_patterns(
    root: str | os.PathLike[str],
    config: Config | None = None,
    *,
    workers: int | None = None,
    cache_dir: str | os.PathLike[str] | None = None,
    scan: Scan | None = None,
    follow_outside: bool = False,
) -> LoadResult:
    """Read every pattern file below ``root`` into records and a problems report.

    Files are read in sorted order. Duplicate slugs keep the first file (by path) and report
    the others; files sharing an id are all kept and reported.

    Parameters
    ----------
    root : path
        The library folder (its ``_patterns/`` subfolder is used when present).
    config : Config, optional
        Read from the library's ``graphkit.toml`` or ``pyproject.toml`` when omitted.
    workers : int, optional
        Processes that parse files (see ``parallel.read_in_processes``). By default one per
        core from 200 files, else none.
    cache_dir : path, optional
        Keep parsed records there; an unchanged file (same size, mtime, ctime and inode)
        is not parsed again. Delete the folder at any time. No cache when omitted.
    scan : Scan, optional
        What ``scan_library`` found in ``root`` a moment ago (so a caller that needed the
        fingerprint first does not walk the folder twice); taken now when omitted.
    follow_outside : bool
        Read files outside ``root`` that links inside it lead to, and a ``patterns_dir``
        outside it. By default such a link is reported (``outside-library``) and not read.
        A given ``scan`` must have been taken with the same choice.

    Examples
    --------
    >>> import graphkit
    >>> result = load_patterns(graphkit.sample_library())
    >>> any(p.slug == "bottom-up-adoption" for p in result.patterns)
    True
    """
    if scan is None:
        scan = scan_library(root, config, follow_outside=follow_outside)
    elif (scan.boundary is None) != follow_outside:
        raise ValueError("the scan was taken with another follow_outside")
    folder, config, files, signatures = scan.folder, scan.config, scan.files, scan.signatures
    cache = PatternCache(Path(cache_dir), folder, config, scan.boundary) if cache_dir is not None else None
    entries = cache.read() if cache else {}
    results: dict[str, _Result] = {}
    kept: dict[str, _Entry] = {}
    todo = []
    for rel in files:
        entry, sig = entries.get(rel), signatures[rel]
        # A file written shortly before the cached scan may have changed again within the
        # filesystem's timestamp granularity without its signature changing: read it again.
        if entry is not None and sig is not None and entry[0] == sig and sig[1] < entry[1] - RACY_NS:
            results[rel] = entry[2]
            kept[rel] = entry
        else:
            todo.append(rel)
    read = partial(_read_files, folder, config, scan.boundary)
    results.update(zip(todo, read_in_processes(read, todo, workers), strict=True))
    if cache and (todo or set(entries) != set(kept)):
        for rel in todo:
            sig = signatures[rel]
            if sig is not None:
                kept[rel] = (sig, scan.scanned_ns, results[rel])
        cache.write(kept)

    records: list[Pattern] = []
    problems = list(config.problems)  # settings of the configuration that could not be read
    problems += [
        Problem(rel, "unreadable", ERROR, f"cannot list the folder ({why}); its files are not read")
        for rel, why in scan.unlisted
    ]
    problems += [
        Problem(rel, "not-utf8", ERROR, "the file name is not valid UTF-8; it is not read (rename the file)")
        for rel in scan.misnamed
    ]
    problems += [
        Problem(
            rel,
            "outside-library",
            WARNING,
            "a link to a folder outside the library folder, not read (graphkit follows no links to folders)",
        )
        for rel in scan.linked_out
    ]
    for rel in files:
        pattern, found = results[rel]
        problems.extend(found)
        if pattern is not None:
            records.append(pattern)
    patterns, more = _deduplicate(records)
    problems.extend(more)
    problems.extend(unread_problems(patterns, config))
    return LoadResult(
        tuple(patterns),
        tuple(sort_problems(problems)),
        config,
        tuple(sorted([*files, *scan.misnamed])),
        from_cache=len(files) - len(todo),
    )


_Result = tuple[Pattern | None, list[Problem]]
_Entry = tuple[tuple[int, int, int, int], int, _Result]  # signature, when it was taken, what was read


def _read_files(folder: Path, config: Config, inside: str | None, files: Sequence[str]) -> list[_Result]:
    return [read_file(folder, rel, config, inside) for rel in files]


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


def unread_problems(patterns: Sequence[Pattern], config: Config) -> list[Problem]:
    """One warning per field no relation reads whose values look like references, for the whole library.

    A field of mappings with a key such as ``slug`` or ``hub_id`` (or any non-empty key under
    ``relationships:``) counts by its shape; a list of words counts when one of them is a
    pattern's slug or id (so ``tags: [governance]`` counts only where a pattern is so named).

    Examples
    --------
    >>> from graphkit.load.config import DEFAULT_CONFIG
    >>> a = Pattern("a", "A", path="a.md", unread=(("hubs", ()), ("tags", ("x",))))
    >>> [(p.path, p.kind, p.message[:48]) for p in unread_problems([a], DEFAULT_CONFIG)]
    [('a.md', 'undeclared-field', 'hubs holds references in 1 file, which no relati')]
    """
    names = {p.slug for p in patterns} | {p.id for p in patterns if p.id}
    carriers: dict[str, list[str]] = {}
    for p in patterns:
        for where, candidates in p.unread:
            if not candidates or not names.isdisjoint(candidates):
                carriers.setdefault(where, []).append(p.path)
    problems = []
    for where, paths in sorted(carriers.items()):
        nested = where.startswith("relationships.")
        shown = where if where.isprintable() and " " not in where else repr(where)
        name = where.split(".", 1)[1] if nested else where
        word = name if name.isidentifier() else "NAME"
        hint = declare_hint(config.source, word, None if nested or word == name else where)
        files = f"{len(paths)} file" + ("s" if len(paths) != 1 else "")
        if nested:
            message = f"{shown} is not a known relation ({files}); {hint} to make it edges"
        else:
            message = f"{shown} holds references in {files}, which no relation reads; {hint}"
        problems.append(
            Problem(
                min(paths),
                "unknown-relation" if nested else "undeclared-field",
                WARNING,
                message + " (graphkit fields --toml prints the table)",
                relation=name,
            )
        )
    return problems


def sort_problems(problems: Iterable[Problem]) -> list[Problem]:
    """Problems in a stable order: by file, line, kind, then message."""
    return sorted(problems, key=lambda p: (p.path, p.line or 0, p.column or 0, p.kind, p.message))
