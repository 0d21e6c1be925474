"""The front of ``graphkit serve``: one HTTP server with the map page and ``/sparql``, a proxy to Oxigraph.

Page and endpoint share one origin, so the page's query panel can ``fetch("sparql")`` with no
CORS. The endpoint reads each request's one query as Oxigraph would (a URL query, a form in any
spelling of its media type, or a body), checks it with ``graphkit.query.check_query`` (no
``SERVICE``, ``FROM``, ``LOAD`` or updates) and forwards exactly that text, alone, as a new request:
no parameter reaches Oxigraph unchecked. The Oxigraph child is read-only anyway. Requests with
another site's ``Host`` or ``Origin`` are refused; other methods get 405.
"""

from __future__ import annotations

import http.server
import ipaddress
import threading
import urllib.error
import urllib.parse
import urllib.request
from importlib import resources
from typing import TYPE_CHECKING, Any

from ..errors import QueryError, QueryRefused, ServeError
from ..namespaces import DEFAULT_BASE_IRI, PREFIXES
from ..query import KeptStore, binding_script, check_query, find_queries
from .oxigraph import OxigraphServer

if TYPE_CHECKING:
    import networkx as nx

__all__ = ["Server", "to_served_page"]

_MAX_BODY = 1 << 20
_FORWARDED = ("application/sparql-query", "application/x-www-form-urlencoded")
_ALLOW = {"/": "GET, HEAD", "/index.html": "GET, HEAD", "/sparql": "GET, HEAD, POST"}
_READ_ONLY = "this endpoint is read-only: queries only, no updates"
#: Seconds the front waits beyond the query timeout before it gives the answer up.
_GRACE_SECONDS = 5.0
_CSP = (
    "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; "
    "img-src data: blob:; connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
)


def _asset(name: str) -> str:
    return (resources.files("graphkit.serve") / name).read_text(encoding="utf-8")


def to_served_page(
    G: nx.MultiDiGraph, title: str = "Pattern map", base_iri: str = DEFAULT_BASE_IRI, **options: Any
) -> str:
    """The map page of ``G`` with a SPARQL panel that runs the shipped example queries on ``sparql``.

    The panel reads the queries, the prefixes and the pattern IRI base from a JSON block, runs a
    query with ``fetch`` on the same origin, and writes every result cell with ``textContent``.
    ``options`` go to ``graphkit.view.to_html``.

    Examples
    --------
    >>> from graphkit import load_library
    >>> page = to_served_page(load_library().graph)
    >>> page.count('id="gkq-panel"'), page.count('id="gk-map"'), page.rstrip().endswith("</html>")
    (1, 1, True)
    """
    from ..view import script_json, to_html

    page = to_html(G, title=title, **options)
    queries = [
        {"name": q.name, "description": q.description, "parameters": list(q.parameters), "text": q.text}
        for q in find_queries().values()
    ]
    prefixes = {**PREFIXES, "pat": base_iri + "pattern/"}
    data = {
        "queries": queries,
        "prologue": "".join(f"PREFIX {name}: <{iri}>\n" for name, iri in prefixes.items()),
        "prefixes": prefixes,
        "patternBase": base_iri + "pattern/",
        "endpoint": "sparql",
    }
    panel = (
        f"<style>{_asset('panel.css')}</style>\n"
        f"{_asset('panel.html')}\n"
        f'<script type="application/json" id="gkq-data">{script_json(data)}</script>\n'
        f"<script>{binding_script()}\n{_asset('panel.js')}</script>\n"
    )
    head, tag, tail = page.rpartition("</body>")
    if not tag:
        raise ServeError("the map page has no </body> to put the query panel before")
    return head + panel + tag + tail


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


class _Handler(http.server.BaseHTTPRequestHandler):
    server: _FrontServer
    server_version = "graphkit"
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - the base class's name
        pass  # library code stays quiet; the CLI prints the URLs

    def _refused(self) -> bool:
        """Refuse what a web page from elsewhere can send: its own Host (DNS rebinding) or Origin (a form)."""
        host = (self.headers.get("Host") or "").lower()
        allowed = self.server.allowed_hosts
        if allowed is not None and host not in allowed:
            self._text(403, "unknown Host header (open the URL graphkit serve printed)")
            return True
        origin = self.headers.get("Origin")
        if origin is not None and origin.lower() != f"http://{host}":
            self._text(403, "cross-origin requests are refused")
            return True
        return False

    def _send(self, status: int, body: bytes, content_type: str, extra: dict[str, str] | None = None) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "no-store")
        self.send_header("X-Content-Type-Options", "nosniff")
        for name, value in (extra or {}).items():
            self.send_header(name, value)
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def _text(self, status: int, message: str) -> None:
        self._send(status, message.encode("utf-8") + b"\n", "text/plain; charset=utf-8")

    def do_GET(self) -> None:
        if self._refused():
            return None
        path, _, query = self.path.partition("?")
        if path in ("/", "/index.html"):
            return self._send(200, self.server.page, "text/html; charset=utf-8", {"Content-Security-Policy": _CSP})
        if path == "/sparql":
            return self._sparql(self._form(query))
        return self._text(404, "not found: the map is at /, the SPARQL endpoint at /sparql")

    do_HEAD = do_GET

    def do_POST(self) -> None:
        if self._refused():
            return None
        path, _, query = self.path.partition("?")
        if path != "/sparql":
            return (
                self._method_not_allowed()
                if path in _ALLOW
                else self._text(404, "not found: POST SPARQL queries to /sparql")
            )
        media_type = (self.headers.get("Content-Type") or "").split(";")[0].strip().lower()
        if media_type == "application/sparql-update":
            return self._text(403, _READ_ONLY)
        if media_type not in _FORWARDED:
            return self._text(415, "send application/sparql-query or a form with query=...")
        try:
            length = int(self.headers.get("Content-Length") or "")
        except ValueError:
            return self._text(411, "a POST needs a Content-Length")
        if not 0 <= length <= _MAX_BODY:
            return self._text(413, f"a query may have at most {_MAX_BODY} bytes")
        body = self.rfile.read(length)
        fields = self._form(query)
        if fields is None:
            return None
        if media_type == "application/x-www-form-urlencoded":
            form = self._form(body)
            return self._sparql(None if form is None else fields + form)
        try:
            return self._sparql([*fields, ("query", body.decode("utf-8"))])
        except UnicodeDecodeError:
            return self._text(400, "the query is not UTF-8 text")

    def __getattr__(self, name: str) -> Any:
        # http.server answers a method with no do_<METHOD> with 501; every other method is 405 here.
        if name.startswith("do_"):
            return self._method_not_allowed
        raise AttributeError(name)

    def _method_not_allowed(self) -> None:
        path = self.path.partition("?")[0]
        if path not in _ALLOW:
            return self._text(404, "not found: the map is at /, the SPARQL endpoint at /sparql")
        allowed = _ALLOW[path]
        return self._send(405, f"use {allowed} here\n".encode(), "text/plain; charset=utf-8", {"Allow": allowed})

    def _form(self, data: str | bytes) -> list[tuple[str, str]] | None:
        """The fields of a URL query or a form body, decoded as the SPARQL server would decode them."""
        try:
            text = data.decode("ascii") if isinstance(data, bytes) else data
            return urllib.parse.parse_qsl(text, keep_blank_values=True, encoding="utf-8", errors="strict")
        except (UnicodeDecodeError, ValueError):
            self._text(400, "the form is not percent-encoded UTF-8")
            return None

    def _sparql(self, fields: list[tuple[str, str]] | None) -> None:
        """Check the one query of a request, then forward exactly that text, and nothing else, to Oxigraph."""
        if fields is None:
            return None
        names = {name for name, _ in fields}
        if names & {"update", "using-graph-uri", "using-named-graph-uri"}:
            return self._text(403, _READ_ONLY)
        if names & {"default-graph-uri", "named-graph-uri"}:
            return self._text(
                403,
                "default-graph-uri and named-graph-uri are refused, as FROM is: a query runs on the library's own data",
            )
        texts = [value for name, value in fields if name == "query"]
        if not texts:
            return self._text(400, "give a SPARQL query: GET /sparql?query=... or POST /sparql")
        if len(texts) > 1:
            return self._text(400, "give one query per request")
        try:
            check_query(texts[0])
        except QueryRefused as err:
            return self._text(403, str(err))
        except QueryError as err:
            return self._text(400, str(err))
        return self._forward(texts[0])

    def _forward(self, text: str) -> None:
        sparql = self.server.sparql
        process = sparql.process
        request = urllib.request.Request(sparql.query_url, data=text.encode("utf-8"), method="POST")
        request.add_header("Content-Type", "application/sparql-query; charset=utf-8")
        request.add_header("Accept", self.headers.get("Accept") or "application/sparql-results+json")
        try:
            with self.server.opener.open(request, timeout=self.server.timeout + _GRACE_SECONDS) as response:
                status, data, headers = response.status, response.read(), response.headers
        except urllib.error.HTTPError as err:
            status, data, headers = err.code, err.read(), err.headers
        except (urllib.error.URLError, OSError) as err:
            if not isinstance(err, TimeoutError) and not isinstance(getattr(err, "reason", None), TimeoutError):
                return self._text(502, f"the SPARQL server does not answer ({err})")
            sparql.restart(process)  # Oxigraph may go on computing an answer nobody waits for
            return self._text(504, f"the query took longer than {self.server.timeout:g} s and was stopped")
        self._send(status, data, headers.get("Content-Type") or "application/octet-stream")


class _FrontServer(http.server.ThreadingHTTPServer):
    daemon_threads = True
    page: bytes
    sparql: OxigraphServer
    opener: urllib.request.OpenerDirector
    allowed_hosts: frozenset[str] | None
    timeout: float


class Server:
    """``graphkit serve``: a read-only SPARQL server with the library and the map page, on loopback.

    ``start()`` loads the graph (and the graphkit ontology) into an Oxigraph child process and
    binds the front server; ``serve_forever()`` answers until interrupted; ``close()`` stops
    both and leaves no process behind. A context manager does ``start`` and ``close``.

    Given a ``page`` (the bytes of ``to_served_page``), that page is served; given a ``store``
    kept on disk (``graphkit.query.open_store``), Oxigraph serves that store, and the server
    holds it until ``close()``. With both, ``G`` is not needed (see ``library_server``).

    Examples
    --------
    >>> import json, urllib.request
    >>> from graphkit import load_library
    >>> with Server(load_library().graph, port=0) as server:
    ...     _ = server.serve_in_thread()
    ...     text = b"ASK { ?p a <https://w3id.org/graphkit/ontology#Pattern> }"
    ...     ask = urllib.request.Request(server.sparql_url, data=text,
    ...                                  headers={"Content-Type": "application/sparql-query"})
    ...     json.load(urllib.request.urlopen(ask, timeout=10))["boolean"]
    True
    """

    def __init__(
        self,
        G: nx.MultiDiGraph | None = None,
        *,
        title: str = "Pattern map",
        host: str = "127.0.0.1",
        port: int = 8000,
        base_iri: str = DEFAULT_BASE_IRI,
        timeout: float = 60.0,
        program: str | None = None,
        page: bytes | None = None,
        store: KeptStore | None = None,
        **page_options: Any,
    ) -> None:
        from ..rdf import check_base_iri

        location = None if store is None else store.location
        if G is None and (page is None or location is None):
            raise ServeError("give the graph, or the page and a store kept on disk")
        self.G, self.title, self.host, self.port = G, title, host, port
        self.base_iri, self.timeout, self.program, self.page_options = (
            check_base_iri(base_iri),
            timeout,
            program,
            page_options,
        )
        self.page, self.store, self.location = page, store, location
        self.sparql: OxigraphServer | None = None
        self._front: _FrontServer | None = None
        self._thread: threading.Thread | None = None
        self._serving = False

    def __enter__(self) -> Server:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.close()

    @property
    def url(self) -> str:
        """The map page's URL."""
        if self._front is None:
            raise ServeError("the server is not started")
        host = self.host if ":" not in self.host else f"[{self.host}]"
        if host in ("0.0.0.0", "[::]"):
            host = "127.0.0.1"
        return f"http://{host}:{self._front.server_address[1]}/"

    @property
    def sparql_url(self) -> str:
        """The SPARQL endpoint's URL (SPARQL 1.1 Protocol, queries only)."""
        return self.url + "sparql"

    def start(self) -> Server:
        from ..rdf import to_triples

        page = self.page
        if page is None:
            page = to_served_page(self.G, self.title, self.base_iri, **self.page_options).encode("utf-8")
        triples = to_triples(self.G, self.base_iri, with_ontology=True) if self.location is None else []
        try:
            self.sparql = OxigraphServer(triples, self.program, self.timeout, self.location).start()
            try:
                front = _FrontServer((self.host, self.port), _Handler)
            except OSError as err:
                hint = "choose another with --port, or --port 0 for any free port"
                raise ServeError(f"cannot serve on {self.host}:{self.port} ({err.strerror or err}; {hint})") from err
        except BaseException:
            self.close()
            raise
        port = front.server_address[1]
        front.page, front.sparql, front.timeout = page, self.sparql, self.timeout
        front.opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
        names = {self.host, "localhost", "127.0.0.1", "[::1]"} if _is_loopback(self.host) else None
        front.allowed_hosts = None if names is None else frozenset(f"{n}:{port}".lower() for n in names)
        self._front = front
        return self

    def serve_forever(self) -> None:
        """Answer requests until ``close()`` is called from another thread or the process is interrupted."""
        if self._front is None:
            raise ServeError("the server is not started")
        self._serving = True
        try:
            self._front.serve_forever(poll_interval=0.2)
        finally:
            self._serving = False

    def serve_in_thread(self) -> threading.Thread:
        """Answer requests in a daemon thread (for notebooks and tests); ``close()`` stops it."""
        self._thread = threading.Thread(target=self.serve_forever, name="graphkit-serve", daemon=True)
        self._thread.start()
        return self._thread

    def close(self) -> None:
        """Stop answering, stop the SPARQL server, remove its files. Safe to call more than once."""
        front, self._front = self._front, None
        try:
            if front is not None:
                if self._thread is not None:
                    front.shutdown()
                    self._thread.join(timeout=10)
                    self._thread = None
                front.server_close()
        finally:
            try:
                if self.sparql is not None:
                    self.sparql.stop()
            finally:
                if self.store is not None:
                    self.store.close()
