"""Stage 1, the folder: find the pattern files and read them (see ``parallel`` and ``cache`` for the speed)."""

from __future__ import annotations

import fnmatch
import hashlib
import os
import stat
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import partial
from pathlib import Path

from ..errors import ConfigError, LibraryError
from ..model import ERROR, WARNING, Pattern, Problem
from .cache import PatternCache
from .config import DEFAULT_CONFIG, OUTSIDE, Config, MiB, declare_hint, load_config, within
from .parallel import read_in_processes
from .parse import parse_pattern

__all__ = [
    "LoadResult",
    "Scan",
    "file_name_text",
    "find_markdown_files",
    "load_patterns",
    "patterns_root",
    "read_file",
    "scan_library",
    "sort_problems",
    "unread_problems",
]


@dataclass(frozen=True)
class LoadResult:
    """What loading a folder gives: the pattern records, the problems, and the configuration."""

    patterns: tuple[Pattern, ...]
    problems: tuple[Problem, ...]
    config: Config
    files: tuple[str, ...]
    from_cache: int = 0


def find_markdown_files(root: Path, config: Config = DEFAULT_CONFIG) -> list[str]:
    """Every Markdown file below ``root`` as sorted POSIX paths relative to ``root``.

    Hidden folders (``.git``) are skipped, and so are the ``exclude`` globs of the configuration.
    A link to a folder is not followed (as ``os.walk`` does not). A folder below ``root``
    that cannot be listed, and a file whose name is not UTF-8, are left out here;
    ``scan_library`` reports them.
    """
    return _find(root, config, None).files


@dataclass
class _Found:
    files: list[str]  # Markdown files, relative to the folder walked
    unlisted: list[tuple[str, str]]  # folders that could not be listed, and why
    misnamed: list[str]  # Markdown files whose names are not UTF-8, shown with their bytes escaped
    linked_out: list[str]  # links to folders outside the library (when its folder is given)


def _find(root: Path, config: Config, library: str | None) -> _Found:
    """The Markdown files below ``root``, and what the walk left out.

    With ``library`` (the resolved library folder), links to folders outside it are listed.
    """
    found: list[str] = []
    unlisted: list[tuple[str, str]] = []
    linked_out: list[str] = []
    folders = [(os.fspath(root), "")]
    while folders:
        folder, prefix = folders.pop()
        try:
            with os.scandir(folder) as entries:
                for entry in entries:
                    name = entry.name
                    try:
                        is_dir = entry.is_dir()
                    except OSError:
                        is_dir = False  # then read as a file, and reported if it cannot be
                    if is_dir:
                        if name.startswith("."):
                            continue
                        if not entry.is_symlink():
                            folders.append((entry.path, prefix + name + "/"))
                        elif library is not None and not within(os.path.realpath(entry.path), library):
                            linked_out.append(prefix + name + "/")
                    elif name.lower().endswith((".md", ".markdown")):
                        found.append(prefix + name)
        except OSError as err:
            if not prefix:
                raise LibraryError(f"{root}: cannot list the folder ({err.strerror or err})") from err
            unlisted.append((prefix, err.strerror or str(err)))
    if config.exclude:

        def kept(rel: str) -> bool:
            return not any(fnmatch.fnmatch(rel, glob) for glob in config.exclude)

        found = [rel for rel in found if kept(rel)]
        unlisted = [(rel, why) for rel, why in unlisted if kept(rel)]
        linked_out = [rel for rel in linked_out if kept(rel)]
    # A name that is not UTF-8 (the file system gives its bytes as lone surrogates) cannot be
    # written into any report, page or export; such files are reported with the bytes escaped.
    misnamed = [rel for rel in found if not _is_utf8(rel)]
    if misnamed:
        found = [rel for rel in found if _is_utf8(rel)]
    return _Found(
        sorted(found),
        sorted((file_name_text(rel), why) for rel, why in unlisted),
        sorted(map(file_name_text, misnamed)),
        sorted(map(file_name_text, linked_out)),
    )


def _is_utf8(name: str) -> bool:
    if name.isascii():
        return True
    try:
        name.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def file_name_text(name: str) -> str:
    r"""A file name as ``os`` gives it, as text any report or page can hold: bytes that are not UTF-8 as ``\xff``.

    Examples
    --------
    >>> file_name_text(os.fsdecode(b"caf\xe9.md"))
    'caf\\xe9.md'
    """
    return name.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")


def patterns_root(root: Path, config: Config) -> Path:
    """The folder that holds the pattern files: ``patterns_dir``, else ``_patterns`` if present, else ``root``."""
    if config.patterns_dir:
        return root / config.patterns_dir
    if (root / "_patterns").is_dir():
        return root / "_patterns"
    return root


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
        if entry is not None and sig is not None and entry[0] == sig and sig[1] < entry[1] - _RACY_NS:
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
_RACY_NS = 2_000_000_000  # coarser than any common filesystem's timestamps (FAT: 2 s)


def _read_files(folder: Path, config: Config, inside: str | None, files: Sequence[str]) -> list[_Result]:
    return [read_file(folder, rel, config, inside) for rel in files]


def _signature(path: str) -> tuple[int, int, int, int] | None:
    try:
        info = os.stat(path)
    except OSError:
        return None
    return (info.st_size, info.st_mtime_ns, info.st_ctime_ns, info.st_ino)


@dataclass(frozen=True)
class Scan:
    """What is in a library folder, from ``stat`` alone: the pattern files and their signatures."""

    folder: Path
    config: Config
    files: tuple[str, ...]
    signatures: dict[str, tuple[int, int, int, int] | None]
    scanned_ns: int  # when the signatures were taken
    boundary: str | None  # the resolved library folder no link may lead out of; None to follow links anywhere
    unlisted: tuple[tuple[str, str], ...] = ()  # folders that could not be listed, and why
    misnamed: tuple[str, ...] = ()  # Markdown files whose names are not UTF-8 (bytes escaped); not read
    linked_out: tuple[str, ...] = ()  # links to folders outside the library folder

    def fingerprint(self) -> str:
        """A digest of the scan: equal digests mean no file was added, removed or changed
        (size, mtime, ctime, inode) and the configuration is the same. It ends in ``-racy``
        when a file was written within 2 s of the scan and may change again unseen.
        """
        from .. import __version__

        # repr() of a path is plain text even where the name is not UTF-8 (the file names are)
        key = (__version__, str(self.folder.resolve()), self.config, self.boundary, self.misnamed, self.linked_out)
        digest = hashlib.sha256(repr(key).encode())
        newest = 0
        for rel in self.files:
            sig = self.signatures[rel]
            digest.update(f"{rel}\0{sig}\n".encode())
            if sig is not None:
                newest = max(newest, sig[1])
        digest.update(repr(self.unlisted).encode())
        racy = newest >= self.scanned_ns - _RACY_NS
        return digest.hexdigest() + ("-racy" if racy else "")


def scan_library(root: str | os.PathLike[str], config: Config | None = None, *, follow_outside: bool = False) -> Scan:
    """Find the pattern files below ``root`` and ``stat`` each one; read nothing.

    Unless ``follow_outside``, a ``patterns_dir`` (or ``_patterns`` link) outside ``root``
    is an error, and links that lead outside ``root`` are not read (see ``load_patterns``).

    Examples
    --------
    >>> import graphkit
    >>> scan = scan_library(graphkit.sample_library())
    >>> len(scan.files), scan.fingerprint() == scan_library(graphkit.sample_library()).fingerprint()
    (37, True)
    """
    base = Path(root)
    if not base.exists():
        raise LibraryError(f"{root}: no such folder")
    if not base.is_dir():
        raise LibraryError(f"{root}: not a folder (give the folder that holds the pattern files)")
    if config is None:
        config = load_config(base, follow_outside=follow_outside)
    folder = patterns_root(base, config)
    if not folder.is_dir():
        raise LibraryError(f"{folder}: patterns_dir is not a folder")
    library = os.path.realpath(base)
    boundary = None if follow_outside else library
    if boundary is not None and not within(os.path.realpath(folder), boundary):
        if config.patterns_dir:
            raise ConfigError(config.source or "configuration", f"patterns_dir {config.patterns_dir!r} is {OUTSIDE}")
        raise LibraryError(f"{folder}: a link to a folder {OUTSIDE}")
    found = _find(folder, config, library)
    scanned_ns = time.time_ns()
    where = os.fspath(folder)
    signatures = {rel: _signature(os.path.join(where, rel)) for rel in found.files}
    return Scan(
        folder,
        config,
        tuple(found.files),
        signatures,
        scanned_ns,
        boundary,
        tuple(found.unlisted),
        tuple(found.misnamed),
        tuple(found.linked_out),
    )


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
