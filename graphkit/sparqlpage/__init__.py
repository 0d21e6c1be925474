"""The SPARQL page: a pattern graph -> one HTML file that runs SPARQL on the library in the browser.

The page carries Oxigraph's WebAssembly build (vendored in ``vendor/``, refreshed by its
``refresh.sh``), the triples ``graphkit query`` loads (the library's and the ontology's, as
Turtle), and the shipped queries. ``sparql.js`` runs the queries in a Web Worker
(``worker.js``) started from the page's own text: nothing is fetched, so the page works from
``file://`` with no network. Binary data and the library's text travel compressed, in base64
(``packed``); the page shows every string from the library with ``textContent``.
"""

from __future__ import annotations

import base64
import os
import zlib
from collections.abc import Iterable
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any
from urllib.parse import quote

import jinja2
import networkx as nx
from markupsafe import Markup

from ..errors import ExportError, QueryError
from ..query import binding_script, find_queries
from ..rdf import DEFAULT_BASE_IRI, PREFIXES, check_base_iri, generate_turtle, ontology_triples, serialize_triples
from ..view import script_json
from ..view.page import packed, script_hash, unpacked

__all__ = [
    "ASK_QUERY",
    "MAX_TURTLE_BYTES",
    "OXIGRAPH_VERSION",
    "ask_href",
    "packed",
    "to_sparql_page",
    "unpacked",
    "write_sparql_page",
]

#: The npm ``oxigraph`` release vendored in ``vendor/`` (pinned in ``vendor/refresh.sh``).
OXIGRAPH_VERSION = "0.5.11"
#: The shipped query a page runs when its address asks nothing.
START_QUERY = "hubs"
#: The shipped query the map's "Ask about this pattern" link asks, its ``pattern`` bound.
ASK_QUERY = "neighbours"

# The page's text compresses best at zlib's level 9, but level 6 is within 1% of it at half the time.
_LEVEL = 6
# The Turtle is written and compressed a piece at a time (generate_turtle): a library of
# 36,000 patterns makes 200 MB of it, which need not be held at once.
#: The most Turtle a page loads, in bytes. Oxigraph's store takes about ten times its Turtle's
#: size in the page (2.2 GB for 205 MB), and WebAssembly gets 4 GB at most: a larger library's
#: page says it is too large and points to graphkit serve instead.
MAX_TURTLE_BYTES = 250_000_000


@lru_cache(maxsize=1)
def _assets() -> dict[str, str]:
    here = resources.files(__package__)
    vendor = here / "vendor"
    # Package files, trusted: inlined as they are (none contains "</script" or "</style").
    return {
        "template": (here / "sparql.html").read_text(encoding="utf-8"),
        "css": (here / "sparql.css").read_text(encoding="utf-8"),
        # the page's one script: the query-text reading it shares with graphkit serve, then its own
        "app_js": binding_script() + "\n" + (here / "sparql.js").read_text(encoding="utf-8"),
        "worker_js": (here / "worker.js").read_text(encoding="utf-8"),
        # Oxigraph's glue code, an ES module: the worker imports it from a blob: of this text
        "oxigraph_js": base64.b64encode((vendor / "oxigraph.js").read_bytes()).decode("ascii"),
        # 4 MB of WebAssembly, 1.55 MB compressed, in 0.07 s (level 9 saves 0.12 MB in 0.4 s): made once per process
        "wasm": packed((vendor / "oxigraph_bg.wasm").read_bytes(), 3),
        # The ontology, loaded into the page's store beside the library's Turtle (as graphkit query does)
        "ontology": packed(serialize_triples(ontology_triples()).encode("utf-8"), _LEVEL),
    }


def _ontology_bytes() -> int:
    return len(unpacked(_assets()["ontology"]))


def _packed_turtle(pieces: Iterable[str], limit: int) -> tuple[str | None, int]:
    """Turtle given a piece at a time, as ``packed`` text, and its size in bytes.

    ``None`` and the size so far once the Turtle grows past ``limit`` bytes.
    """
    compressor = zlib.compressobj(_LEVEL)
    size = 0
    chunks = []
    for piece in pieces:
        data = piece.encode("utf-8")
        size += len(data)
        if size > limit:
            return None, size
        chunks.append(compressor.compress(data))
    chunks.append(compressor.flush())
    return base64.b64encode(b"".join(chunks)).decode("ascii"), size


def _policy(app_js: str) -> str:
    """The page's Content-Security-Policy: no request of any kind, only the page's own script runs.

    The page script is allowed by its hash; the worker is a ``blob:`` made from the page's
    text, and it imports Oxigraph's glue code from another ``blob:`` and compiles WebAssembly.
    Only the page's own script can make a ``blob:`` URL.
    """
    return (
        f"default-src 'none'; script-src {script_hash(app_js)} 'wasm-unsafe-eval' blob:; worker-src blob:; "
        "style-src 'unsafe-inline'; img-src data:; connect-src 'none'; base-uri 'none'; form-action 'none'"
    )


def ask_href(page: str = "sparql.html") -> str:
    """The start of a link that asks the SPARQL page ``page`` about one pattern: add the slug, percent-encoded.

    The link holds the whole shipped ``neighbours`` query and binds its ``pattern``, so it
    reproduces the question wherever the page is.

    Examples
    --------
    >>> href = ask_href()
    >>> href.startswith("sparql.html#q=%23%20Every%20pattern"), href.endswith("&$pattern=")
    (True, True)
    """
    return f"{page}#q={quote(find_queries()[ASK_QUERY].text, safe='')}&$pattern="


def to_sparql_page(
    G: nx.MultiDiGraph,
    title: str = "Pattern library",
    base_iri: str = DEFAULT_BASE_IRI,
    site: bool = False,
    start: str = START_QUERY,
    max_turtle_bytes: int = MAX_TURTLE_BYTES,
    turtle: Iterable[str] | None = None,
) -> str:
    """The SPARQL page of ``G``: one self-contained HTML file that queries the library in the browser.

    Parameters
    ----------
    G : nx.MultiDiGraph
        A pattern graph (from ``load_library``); it is not modified.
    title : str
        The library's name, shown as text.
    base_iri : str
        The base of the library's IRIs, as in ``graphkit query``.
    site : bool
        The page is part of a site (``graphkit build``): it links the index and the map, and a
        pattern in a result links to ``map.html#p=<slug>``.
    start : str
        The shipped query the page shows and runs when its address asks nothing.
    max_turtle_bytes : int
        A library whose Turtle is larger gets a page that says it is too large to query in a
        browser and points to ``graphkit serve`` (see ``MAX_TURTLE_BYTES``).
    turtle : iterable of str, optional
        The library's Turtle, ``generate_turtle(G, base_iri)`` by default, given a piece at a
        time; a site passes the text it wrote to ``graph.ttl`` rather than write it twice.
        The page loads the ontology beside it.

    Returns
    -------
    str
        The page; the same graph gives the same text.

    Examples
    --------
    >>> from graphkit import load_library
    >>> page = to_sparql_page(load_library().graph, title="Sample")
    >>> page.startswith("<!DOCTYPE html>"), "https://" in page.split("<body>")[0].replace("https://w3id.org", "")
    (True, False)
    """
    queries = find_queries()
    if start not in queries:
        raise QueryError(f"no shipped query is named {start!r} (known: {', '.join(queries)})")
    base = check_base_iri(base_iri)
    ontology_bytes = _ontology_bytes()
    rdf, rdf_bytes = _packed_turtle(
        generate_turtle(G, base) if turtle is None else turtle, max_turtle_bytes - ontology_bytes
    )
    rdf_bytes += ontology_bytes
    prefixes = {**PREFIXES, "pat": base + "pattern/"}
    meta: dict[str, Any] = {
        "queries": [
            {"name": q.name, "description": q.description, "parameters": list(q.parameters), "text": q.text}
            for q in queries.values()
        ],
        # the usual prefixes, declared before every query as graphkit query declares them
        "prologue": "".join(f"PREFIX {name}: <{iri}>\n" for name, iri in prefixes.items()),
        "prologueLines": len(prefixes),
        "prefixes": prefixes,
        "patternBase": base + "pattern/",
        "map": "map.html" if site else None,
        "start": start,
        "rdfBytes": rdf_bytes,
        "tooLarge": rdf is None,
        "rdfFormat": "text/turtle",
    }
    assets = dict(_assets())
    if rdf is None:  # nothing to load: the page carries no engine either
        assets.update(wasm="", oxigraph_js="", ontology="")
    env = jinja2.Environment(
        loader=jinja2.DictLoader({"sparql.html": assets["template"]}), autoescape=True, keep_trailing_newline=True
    )
    env.filters["script_json"] = lambda value: Markup(script_json(value))
    template = env.get_template("sparql.html")
    try:
        return template.render(
            {k: Markup(v) for k, v in assets.items() if k != "template"},
            title=title,
            site=site,
            prefixes=list(prefixes),
            meta=meta,
            rdf=Markup(rdf or ""),
            csp=_policy(assets["app_js"]),
            oxigraph_version=OXIGRAPH_VERSION,
        )
    except (jinja2.TemplateError, TypeError, ValueError) as err:
        raise ExportError(f"cannot render the SPARQL page: {err}") from err


def write_sparql_page(G: nx.MultiDiGraph, path: str | os.PathLike[str], **options: Any) -> Path:
    """Write the SPARQL page of ``G`` (see ``to_sparql_page`` for ``options``) to ``path``; give the path.

    Examples
    --------
    >>> import tempfile
    >>> from graphkit import load_library
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     out = write_sparql_page(load_library().graph, Path(tmp) / "sparql.html")
    ...     out.read_text(encoding="utf-8").count('id="gks-text"')
    1
    """
    page = to_sparql_page(G, **options)
    path = Path(path)
    try:
        path.write_text(page, encoding="utf-8")
    except OSError as err:
        raise ExportError(f"{path}: cannot write the SPARQL page ({err.strerror or err})") from err
    return path
