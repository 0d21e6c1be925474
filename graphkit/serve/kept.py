"""``graphkit serve`` on a library folder: the SPARQL store and the map page kept in the cache.

The store is the one ``graphkit query`` keeps (``graphkit.query.open_store``), served by Oxigraph
where it lies; the page is kept beside it, for each title and set of page options. While the
library is unchanged the server starts without loading the library, building the store or
drawing the map.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from pathlib import Path
from typing import Any

from ..namespaces import DEFAULT_BASE_IRI
from ..query import open_store
from .app import Server, to_served_page

__all__ = ["library_server"]


def library_server(
    root: str | os.PathLike[str] | None,
    cache_dir: str | os.PathLike[str],
    *,
    title: str | None = None,
    base_iri: str = DEFAULT_BASE_IRI,
    follow_outside: bool = False,
    host: str = "127.0.0.1",
    port: int = 8000,
    timeout: float = 60.0,
    program: str | None = None,
    **page_options: Any,
) -> Server:
    """The ``Server`` of the library at ``root`` (not started), its store and page kept in ``cache_dir``.

    ``title`` defaults to the library folder's name; ``page_options`` go to ``to_served_page``.
    ``server.store.note`` is one line on a kept store that had to be built again.

    Examples
    --------
    >>> import tempfile, urllib.request
    >>> with tempfile.TemporaryDirectory() as cache:
    ...     first = library_server(None, cache, port=0)
    ...     again = library_server(None, cache, port=0)
    ...     with again:
    ...         _ = again.serve_in_thread()
    ...         page = urllib.request.urlopen(again.url, timeout=10).read()
    ...     first.close()
    >>> first.store.built, again.store.built, page == first.page
    (True, False, True)
    """
    kept = open_store(root, cache_dir, base_iri=base_iri, follow_outside=follow_outside)
    key = repr((None if root is None else str(root), title, base_iri, sorted(page_options.items())))
    saved = None if kept.path is None else kept.path / f"page-{hashlib.sha256(key.encode()).hexdigest()[:16]}.html"
    page = _read(saved)
    library = kept.library
    if page is None or kept.location is None:
        if library is None:
            from ..library import load_library

            library = load_library(root, cache_dir=cache_dir, follow_outside=follow_outside)
        if page is None:
            from ..site import library_title

            name = title or library_title(library)
            page = to_served_page(library.graph, name, base_iri, **page_options).encode("utf-8")
            _write(saved, page)
    G = None if kept.location is not None else library.graph  # type: ignore[union-attr]
    store = kept if kept.location is not None else None
    return Server(G, host=host, port=port, base_iri=base_iri, timeout=timeout, program=program, page=page, store=store)


def _read(path: Path | None) -> bytes | None:
    if path is None:
        return None
    try:
        return path.read_bytes()
    except OSError:
        return None


def _write(path: Path | None, page: bytes) -> None:
    """Keep the page beside its store (written whole, then renamed: a reader never sees half of it)."""
    if path is None:
        return
    tmp = None
    try:
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=path.name, suffix=".tmp")
        with os.fdopen(fd, "wb") as f:
            f.write(page)
        os.replace(tmp, path)
    except OSError:
        if tmp is not None:
            Path(tmp).unlink(missing_ok=True)
        # a page that cannot be kept is drawn again next time
