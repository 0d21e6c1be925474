"""Stage 1, the folder: which pattern files a library has, and a fingerprint of them from ``stat`` alone.

Nothing here reads a pattern file (only the library's configuration, TOML), so a command that
only needs to know whether the library changed (a build with nothing to do, a query on a kept
store) imports no YAML parser and no process pool.
"""

from __future__ import annotations

import fnmatch
import hashlib
import os
import time
from dataclasses import dataclass
from pathlib import Path

from ..errors import ConfigError, LibraryError
from .config import DEFAULT_CONFIG, OUTSIDE, Config, load_config, within

__all__ = ["RACY_NS", "Scan", "file_name_text", "find_markdown_files", "patterns_root", "scan_library"]

RACY_NS = 2_000_000_000  # coarser than any common filesystem's timestamps (FAT: 2 s)


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
        racy = newest >= self.scanned_ns - RACY_NS
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
