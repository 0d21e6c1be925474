"""The store a query runs on: in memory (``load_store``), or kept on disk for a library folder (``open_store``).

A kept store is a pyoxigraph (RocksDB) folder in the cache, named by the library's fingerprint
(every file's size, times and inode, the configuration), the base IRI and graphkit's own code:
while the library is unchanged, a query opens it in milliseconds instead of loading the library
and building the store again (seconds, and hundreds of MB on a large library). It is built in a
temporary folder and renamed into place, so no run ever sees half a store; it is opened
read-only, so any number of queries and ``graphkit serve`` share it. Each user holds a shared
lock on its folder: a store kept for an older state of the library is removed by the next build
unless someone still uses it.

Building needs the graph and RDF stages (NetworkX, rdflib): they are imported where a store is
built, so that a query on a kept store starts without them.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import tempfile
import time
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Union

import pyoxigraph as ox

from ..errors import QueryError
from ..namespaces import DEFAULT_BASE_IRI

try:
    import fcntl
except ImportError:  # not POSIX: stores are shared without locks, and old ones are left in place
    fcntl = None  # type: ignore[assignment]

if TYPE_CHECKING:
    import networkx as nx

    from ..library import Library
    from ..load import Scan

__all__ = ["RDF_FILE_FORMATS", "KeptStore", "Source", "load_store", "open_store"]

Source = Union[str, "os.PathLike[str]", "Library", "nx.MultiDiGraph", ox.Store, "KeptStore"]

#: File extensions of the RDF files a query can run on.
RDF_FILE_FORMATS = {
    ".ttl": ox.RdfFormat.TURTLE,
    ".turtle": ox.RdfFormat.TURTLE,
    ".nt": ox.RdfFormat.N_TRIPLES,
    ".ntriples": ox.RdfFormat.N_TRIPLES,
    ".jsonld": ox.RdfFormat.JSON_LD,
    ".rdf": ox.RdfFormat.RDF_XML,
    ".owl": ox.RdfFormat.RDF_XML,
    ".xml": ox.RdfFormat.RDF_XML,
}

#: Bump when what a kept store holds changes in a way its name does not show.
STORE_FORMAT = 1


# --------------------------------------------------------------------------- in memory


def load_store(source: Source, base_iri: str = DEFAULT_BASE_IRI) -> ox.Store:
    """An in-memory pyoxigraph store holding the library's triples and the graphkit ontology.

    ``source`` is an RDF file (by extension: ``.ttl``, ``.nt``, ``.jsonld``, ``.rdf``), a
    library folder, a ``Library``, a pattern graph, or a store (returned as it is; the store of
    a ``KeptStore`` too).

    Examples
    --------
    >>> from graphkit import load_library
    >>> store = load_store(load_library())
    >>> len(store) > 1000
    True
    """
    if isinstance(source, ox.Store):
        return source
    if isinstance(source, KeptStore):
        return source.store
    from ..library import Library, load_library
    from ..rdf import ontology_triples, to_triples

    if isinstance(source, (str, os.PathLike)):
        path = Path(source)
        if path.is_dir():
            triples = to_triples(load_library(path).graph, base_iri, with_ontology=True)
        elif path.is_file():
            triples = [*_read_rdf(path), *ontology_triples()]
        else:
            raise QueryError(f"{path}: no such file or folder (give an exported RDF file or a library folder)")
    else:
        G = source.graph if isinstance(source, Library) else source
        triples = to_triples(G, base_iri, with_ontology=True)
    store = ox.Store()
    _fill(store, triples)
    return store


def _fill(store: ox.Store, triples: Iterable[ox.Triple]) -> None:
    store.bulk_extend(ox.Quad(t.subject, t.predicate, t.object) for t in triples)


def _read_rdf(path: Path) -> list[ox.Triple]:
    fmt = RDF_FILE_FORMATS.get(path.suffix.lower())
    if fmt is None:
        known = ", ".join(sorted(RDF_FILE_FORMATS))
        raise QueryError(f"{path}: unknown RDF file type {path.suffix or '(none)'!r} (known: {known})")
    try:
        return [q.triple for q in ox.parse(path=str(path), format=fmt, without_named_graphs=True)]
    except SyntaxError as err:
        raise QueryError(f"{path}: not valid {fmt.name} ({err.msg if hasattr(err, 'msg') else err})") from err
    except (OSError, ValueError) as err:
        raise QueryError(f"{path}: cannot read ({err})") from err


# --------------------------------------------------------------------------- kept on disk


@dataclass
class KeptStore:
    """A library's query store, open for reading until ``close()`` (or the end of the process).

    ``path`` is the kept folder (the RocksDB store is its ``store`` folder), or None when the
    store is not kept: a file of the library changed within the last 2 s, and might change again
    unseen, so that store lives in memory only. ``built`` tells whether this call built it;
    ``note`` is one line on a kept store that could not be read and was built again;
    ``library`` is the library when it was loaded to build the store.
    """

    store: ox.Store
    path: Path | None
    built: bool
    note: str = ""
    library: Library | None = None
    _lock: int | None = None

    @property
    def location(self) -> Path | None:
        """The folder of the RocksDB store (what ``oxigraph serve --location`` takes), if kept."""
        return None if self.path is None else self.path / "store"

    def close(self) -> None:
        """Let go of the store: a later build may remove it once nobody else uses it."""
        if self._lock is not None:
            os.close(self._lock)
            self._lock = None

    def __del__(self) -> None:
        self.close()


def open_store(
    root: str | os.PathLike[str] | None,
    cache_dir: str | os.PathLike[str],
    *,
    base_iri: str = DEFAULT_BASE_IRI,
    follow_outside: bool = False,
) -> KeptStore:
    """The query store of the library at ``root``, kept in ``cache_dir``: opened when it is kept
    for the library as it is now, else built (and kept) from the library.

    A kept store that cannot be read (damaged, or half removed by hand) is set aside and built
    again; ``note`` says so in one line. ``follow_outside`` is passed to ``load_library``.

    Examples
    --------
    >>> import tempfile
    >>> from graphkit.query import query
    >>> with tempfile.TemporaryDirectory() as cache:
    ...     first = open_store(None, cache)
    ...     again = open_store(None, cache)
    ...     n = query(again.store, "SELECT (COUNT(?p) AS ?n) WHERE { ?p a gk:Pattern }").rows
    ...     first.close(); again.close()
    >>> first.built, again.built, again.path == first.path, n
    (True, False, True, [{'n': 37}])
    """
    from ..library import sample_library
    from ..load import scan_library

    base = sample_library() if root is None else Path(root)
    scan = scan_library(base, follow_outside=follow_outside)
    fingerprint = scan.fingerprint()
    if fingerprint.endswith("-racy"):  # a file changed a moment ago: keep nothing that could go stale
        library = _load(base, scan, cache_dir, follow_outside)
        store = ox.Store()
        _fill(store, _triples(library, base_iri))
        return KeptStore(store, None, built=True, library=library)

    cache = Path(cache_dir)
    family = _family(scan, base_iri)
    folder = cache / f"{family}-{_state(fingerprint, base_iri)}"
    note = ""
    if folder.is_dir():
        try:
            return _open(folder, built=False)
        except (OSError, RuntimeError) as err:  # RocksDB: OSError when a file is missing, RuntimeError when damaged
            if folder.is_dir():  # (else it was replaced by another run a moment ago: build it)
                note = f"{folder}: the kept query store cannot be read ({_why(err)}); building it again"
                _set_aside(folder)
    library = _load(base, scan, cache_dir, follow_outside)
    triples = _triples(library, base_iri)
    try:
        kept = _build(folder, triples)
    except OSError as err:  # a cache that cannot be written costs time, never the answer
        store = ox.Store()
        _fill(store, triples)
        note = f"{cache}: cannot keep the query store there ({err.strerror or err}); it was built in memory"
        return KeptStore(store, None, built=True, note=note, library=library)
    kept.note, kept.library = note, library
    _remove_unused(cache, family, keep=folder)
    return kept


def _why(err: BaseException) -> str:
    if isinstance(err, RuntimeError):
        return "it is damaged"
    if isinstance(err, FileNotFoundError):
        return "files of it are missing"
    return getattr(err, "strerror", None) or " ".join(str(err).split())


def _load(base: Path, scan: Scan, cache_dir: str | os.PathLike[str], follow_outside: bool) -> Library:
    from ..library import load_library

    return load_library(base, cache_dir=cache_dir, scan=scan, follow_outside=follow_outside)


def _triples(library: Library, base_iri: str) -> list[ox.Triple]:
    from ..rdf import to_triples

    return to_triples(library.graph, base_iri, with_ontology=True)


def _family(scan: Scan, base_iri: str) -> str:
    """The name every kept store of this library (folder, choice of links, base IRI) starts with."""
    key = repr((str(scan.folder.resolve()), scan.boundary, base_iri))
    return "store-" + hashlib.sha256(key.encode()).hexdigest()[:16]


def _state(fingerprint: str, base_iri: str) -> str:
    """What the store holds: the library as scanned, the base IRI, and the code that made the triples."""
    key = repr((STORE_FORMAT, fingerprint, base_iri, ox.__version__, _code_signature()))
    return hashlib.sha256(key.encode()).hexdigest()[:16]


def _code_signature() -> list[tuple[str, int, int]]:
    """Size and mtime of graphkit's own code and ontology: an edited checkout builds its stores again."""
    from ..namespaces import ontology_file

    package = Path(__file__).resolve().parent.parent
    files = sorted(package.rglob("*.py"))
    ontology = ontology_file()
    files.append(ontology)
    signature = []
    for path in files:
        info = path.stat()
        signature.append((path.name, info.st_size, info.st_mtime_ns))
    return signature


def _lock(folder: Path, exclusive: bool = False) -> int | None:
    """Wait for a lock on ``folder``: shared by those who read the store, exclusive to whoever builds it.

    The lock is held by the open file it returns (None where there are no locks).
    """
    if fcntl is None:
        return None
    fd = os.open(folder, os.O_RDONLY)
    fcntl.flock(fd, fcntl.LOCK_EX if exclusive else fcntl.LOCK_SH)
    return fd


def _unlock(lock: int | None) -> None:
    if lock is not None:
        os.close(lock)


def _open(folder: Path, built: bool, lock: int | None = None) -> KeptStore:
    """Open a kept store read-only, holding a shared lock on its folder while it is used."""
    if lock is None:
        lock = _lock(folder)
    try:
        if lock is not None and os.fstat(lock).st_ino != os.stat(folder).st_ino:
            raise FileNotFoundError(f"{folder} was replaced while it was opened")
        store = ox.Store.read_only(str(folder / "store"))
        store.query("ASK { ?s ?p ?o }")  # reads the data, not only the store's catalogue
    except BaseException:
        _unlock(lock)
        raise
    return KeptStore(store, folder, built=built, _lock=lock)


def _build(folder: Path, triples: list[ox.Triple]) -> KeptStore:
    """Build the store in a temporary folder beside ``folder``, then rename it into place."""
    folder.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=folder.name + ".tmp-", dir=folder.parent))
    lock = _lock(tmp, exclusive=True)  # a build in progress is never taken for an unused store
    try:
        store = ox.Store(str(tmp / "store"))
        _fill(store, triples)
        store.flush()
        del store  # closed before its folder moves
        os.rename(tmp, folder)
    except OSError:
        _unlock(lock)
        shutil.rmtree(tmp, ignore_errors=True)
        if folder.is_dir():  # another run kept the same store first: use that one
            return _open(folder, built=False)
        raise
    except BaseException:
        _unlock(lock)
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    if lock is not None:
        fcntl.flock(lock, fcntl.LOCK_SH)  # readers may open it now
    return _open(folder, built=True, lock=lock)


def _set_aside(folder: Path) -> None:
    """Rename an unreadable store out of the way; the next build removes it once nobody uses it."""
    try:
        os.rename(folder, folder.with_name(f"{folder.name}.unreadable-{os.getpid()}-{time.time_ns()}"))
    except OSError:
        pass  # renamed or removed meanwhile by another run


def _remove_unused(cache: Path, family: str, keep: Path) -> None:
    """Remove the stores kept for older states of the library, and leftovers of failed builds, unless in use."""
    if fcntl is None:
        return
    for folder in sorted(cache.glob(family + "-*")):
        if folder == keep or not folder.is_dir():
            continue
        try:
            lock = os.open(folder, os.O_RDONLY)
        except OSError:
            continue
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
            shutil.rmtree(folder, ignore_errors=True)
        except BlockingIOError:
            pass  # in use (or being built): left for a later build
        finally:
            os.close(lock)
