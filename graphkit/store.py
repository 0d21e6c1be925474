"""Stage 4 (store): the library's RDF -> one named graph of a remote SPARQL 1.1 store.

Two standard protocols: the Graph Store HTTP Protocol (one ``PUT``, the default) and SPARQL
Update (batches into a staging graph, then one ``MOVE``). HTTP is the standard library's
``urllib``: no extra dependency, and Basic and Digest authentication are both built in.
"""

from __future__ import annotations

import http.client
import ipaddress
import re
import socket
import urllib.error
import urllib.parse
import urllib.request
import uuid
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass

import networkx as nx
import pyoxigraph as ox

from .errors import StoreError
from .rdf import DEFAULT_BASE_IRI, PREFIXES, check_base_iri, to_triples

__all__ = [
    "PASSWORD_ENV",
    "PROTOCOLS",
    "PushResult",
    "check_graph_iri",
    "endpoint_url",
    "push_graph",
    "push_triples",
    "to_insert_data",
]

#: The protocols ``push_triples`` speaks.
PROTOCOLS = ("gsp", "update")
#: Where the command line reads the password of ``--user`` (never from an option).
PASSWORD_ENV = "GRAPHKIT_STORE_PASSWORD"
#: Staging graphs of ``protocol="update"`` are named ``urn:graphkit:staging:<random hex>``.
STAGING_PREFIX = "urn:graphkit:staging:"

_MEDIA_TYPES = {"ntriples": "application/n-triples", "turtle": "text/turtle"}
_RDF_FORMATS = {"ntriples": ox.RdfFormat.N_TRIPLES, "turtle": ox.RdfFormat.TURTLE}
_CHUNK = 1 << 16
_UPDATE_TYPE = "application/sparql-update; charset=utf-8"

Progress = Callable[[int, int], None]


@dataclass(frozen=True)
class PushResult:
    """What a push did: where to, by which protocol, how many triples in how many requests."""

    endpoint: str
    graph: str
    protocol: str
    triples: int
    requests: int


def check_graph_iri(iri: str) -> str:
    """Return ``iri`` if it can name a graph (an absolute IRI), else raise ``StoreError``.

    Graph IRIs are written into SPARQL Update text, so they are checked by pyoxigraph's
    strict IRI parser first: no space, ``>``, ``"`` or ``{`` can get through.

    Examples
    --------
    >>> check_graph_iri("https://example.org/graphs/patterns")
    'https://example.org/graphs/patterns'
    >>> check_graph_iri("https://example.org/a> } ; DROP ALL ; #")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    graphkit.errors.StoreError: graph IRI 'https://example.org/a> } ; DROP ALL ; #' is not an absolute IRI (Invalid...
    """
    try:
        ox.NamedNode(iri)
    except (ValueError, TypeError) as err:
        raise StoreError(
            f"graph IRI {iri!r} is not an absolute IRI ({err}; e.g. https://example.org/graphs/patterns)"
        ) from err
    return iri


def endpoint_url(endpoint: str, protocol: str = "gsp") -> str:
    """The URL requests go to: ``endpoint`` itself, or Oxigraph's path when it names only a server.

    Only ``http`` and ``https`` URLs are accepted. A URL without a path (``http://host:7878``)
    gets Oxigraph's ``/store`` (Graph Store Protocol) or ``/update`` (SPARQL Update).

    Examples
    --------
    >>> endpoint_url("http://127.0.0.1:7878")
    'http://127.0.0.1:7878/store'
    >>> endpoint_url("http://127.0.0.1:7878/", "update")
    'http://127.0.0.1:7878/update'
    >>> endpoint_url("http://localhost:3030/ds/data")
    'http://localhost:3030/ds/data'
    """
    if protocol not in PROTOCOLS:
        raise StoreError(f"unknown protocol {protocol!r} (known: {', '.join(PROTOCOLS)})")
    try:
        parts = urllib.parse.urlsplit(endpoint)
        parts.port  # noqa: B018 - raises on a bad port
    except ValueError as err:
        raise StoreError(f"endpoint {endpoint!r} is not a URL ({err})") from err
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise StoreError(f"endpoint {endpoint!r} is not an http:// or https:// URL (e.g. http://127.0.0.1:7878/store)")
    if parts.username or parts.password:
        raise StoreError(f"endpoint {_public(endpoint)!r} carries credentials: give the user with --user instead")
    if parts.path in ("", "/") and not parts.query:
        return urllib.parse.urlunsplit(parts._replace(path="/store" if protocol == "gsp" else "/update"))
    return endpoint


def to_insert_data(triples: Sequence[ox.Triple], graph: str) -> str:
    """SPARQL Update text that adds ``triples`` to ``graph``; the triples are written by pyoxigraph.

    Examples
    --------
    >>> t = ox.Triple(ox.NamedNode("https://example.org/a"), ox.NamedNode("https://example.org/title"),
    ...               ox.Literal('say "hi" } ; DROP ALL'))
    >>> print(to_insert_data([t], "https://example.org/g"))
    INSERT DATA { GRAPH <https://example.org/g> {
    <https://example.org/a> <https://example.org/title> "say \\"hi\\" } ; DROP ALL" .
    } }
    """
    body = (ox.serialize(list(triples), format=ox.RdfFormat.N_TRIPLES) or b"").decode("utf-8")
    return f"INSERT DATA {{ GRAPH {_iri(graph)} {{\n{body}}} }}"


def push_graph(
    G: nx.MultiDiGraph,
    endpoint: str,
    graph: str | None = None,
    *,
    base_iri: str = DEFAULT_BASE_IRI,
    with_ontology: bool = True,
    **options: object,
) -> PushResult:
    """Replace one named graph of a SPARQL store with the library's RDF (see ``push_triples``).

    Parameters
    ----------
    G : nx.MultiDiGraph
        The pattern graph; it is not modified.
    endpoint : str
        The store's Graph Store endpoint (``protocol="gsp"``) or SPARQL Update endpoint.
    graph : str, optional
        The named graph to replace; the library's IRI (``base_iri``) by default.
    base_iri : str
        Where the library's IRIs live, as for ``graphkit.rdf.to_triples``.
    with_ontology : bool
        Put the graphkit ontology into the graph too, so the graph answers the example
        queries on its own (they use the ontology's inverse and symmetric declarations).
    **options
        Passed to ``push_triples``: ``protocol``, ``fmt``, ``user``, ``password``,
        ``batch_size``, ``timeout``, ``progress``.
    """
    check_base_iri(base_iri)
    triples = to_triples(G, base_iri, with_ontology=with_ontology)
    return push_triples(triples, endpoint, graph or base_iri, **options)  # type: ignore[arg-type]


def push_triples(
    triples: Sequence[ox.Triple],
    endpoint: str,
    graph: str,
    *,
    protocol: str = "gsp",
    fmt: str = "ntriples",
    user: str | None = None,
    password: str | None = None,
    batch_size: int = 10_000,
    timeout: float = 60.0,
    progress: Progress | None = None,
) -> PushResult:
    """Replace the named graph ``graph`` of the store at ``endpoint`` with ``triples``.

    Running it twice leaves the same store. What a failure leaves:

    - ``gsp``: one ``PUT endpoint?graph=IRI`` whose body is the whole graph. The store parses
      the body and replaces the graph in one request; a body it refuses changes nothing.
    - ``update``: ``INSERT DATA`` batches of ``batch_size`` triples into a fresh staging graph
      ``urn:graphkit:staging:<random>``, then one ``MOVE`` of it onto ``graph``. Until the
      ``MOVE``, ``graph`` is untouched; a failed batch drops the staging graph (best effort:
      if the store is gone, the staging graph stays, named in no other graph). The ``MOVE`` is
      one request, as atomic as the store makes one update request (Oxigraph, Fuseki with
      TDB2 and GraphDB run each request as one transaction).

    Parameters
    ----------
    triples : sequence of pyoxigraph.Triple
    endpoint : str
        See ``endpoint_url``.
    graph : str
        The IRI of the graph to replace (checked by ``check_graph_iri``).
    protocol : {"gsp", "update"}
    fmt : {"ntriples", "turtle"}
        The body of a ``gsp`` push (``update`` always writes N-Triples inside ``INSERT DATA``).
    user, password : str, optional
        Credentials; the store chooses Basic or Digest authentication.
    batch_size : int
        Triples per ``INSERT DATA`` request (``update``). Triples with blank nodes all go into
        one request, since a blank node label means one node only within one request.
    timeout : float
        Seconds to wait for the store to connect or answer, per request.
    progress : callable, optional
        Called as ``progress(done, total)``: bytes of the body sent (``gsp``) or triples
        stored (``update``).

    Returns
    -------
    PushResult

    Raises
    ------
    StoreError
        The store cannot be reached, refuses the request or asks for authentication.
    """
    url = endpoint_url(endpoint, protocol)
    check_graph_iri(graph)
    if fmt not in _MEDIA_TYPES:
        raise StoreError(f"unknown body format {fmt!r} (known: {', '.join(_MEDIA_TYPES)})")
    if batch_size < 1:
        raise StoreError(f"batch size must be at least 1, not {batch_size}")
    client = _Client(url, user, password, timeout)
    triples = list(triples)
    if protocol == "gsp":
        data = ox.serialize(triples, format=_RDF_FORMATS[fmt], prefixes=PREFIXES if fmt == "turtle" else None) or b""
        target = url + ("&" if "?" in url else "?") + urllib.parse.urlencode({"graph": graph})
        client.send("PUT", target, data, _MEDIA_TYPES[fmt] + "; charset=utf-8", progress)
        return PushResult(url, graph, protocol, len(triples), 1)
    staging = STAGING_PREFIX + uuid.uuid4().hex
    requests = 0
    done = 0
    try:
        for batch in _batches(triples, batch_size):
            client.send("POST", url, to_insert_data(batch, staging).encode("utf-8"), _UPDATE_TYPE)
            requests += 1
            done += len(batch)
            if progress is not None:
                progress(done, len(triples))
        if not triples:  # nothing to stage: MOVE needs an existing source graph
            client.send("POST", url, f"CREATE GRAPH {_iri(staging)}".encode(), _UPDATE_TYPE)
            requests += 1
        client.send("POST", url, f"MOVE {_iri(staging)} TO {_iri(graph)}".encode(), _UPDATE_TYPE)
        requests += 1
    except BaseException:
        client.cleanup(f"DROP SILENT GRAPH {_iri(staging)}".encode())
        raise
    return PushResult(url, graph, protocol, len(triples), requests)


# --------------------------------------------------------------------------- helpers


def _iri(iri: str) -> str:
    return str(ox.NamedNode(iri))  # pyoxigraph writes <...>; check_graph_iri ran before


def _batches(triples: list[ox.Triple], size: int) -> Iterator[list[ox.Triple]]:
    def blank(t: ox.Triple) -> bool:
        return isinstance(t.subject, ox.BlankNode) or isinstance(t.object, ox.BlankNode)

    plain = [t for t in triples if not blank(t)]
    for start in range(0, len(plain), size):
        yield plain[start : start + size]
    with_blanks = [t for t in triples if blank(t)]
    if with_blanks:
        yield with_blanks


def _public(url: str) -> str:
    """The URL as messages show it: without query string and credentials."""
    parts = urllib.parse.urlsplit(url)
    host = parts.hostname or ""
    if ":" in host:
        host = f"[{host}]"
    netloc = host + (f":{parts.port}" if parts.port else "")
    return urllib.parse.urlunsplit((parts.scheme, netloc, parts.path, "", ""))


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


class _RefuseRedirect(urllib.request.HTTPRedirectHandler):
    """A redirect is reported, not followed: it would re-send the body and credentials elsewhere."""

    def redirect_request(self, req, fp, code, msg, headers, newurl):  # type: ignore[no-untyped-def]
        raise StoreError(f"{_public(req.full_url)}: redirected to {_public(newurl)} (give that URL as the endpoint)")


class _Body:
    """A request body sent in chunks, reporting progress; iterable again for an auth retry."""

    def __init__(self, data: bytes, progress: Progress | None) -> None:
        self.data, self.progress = data, progress

    def __iter__(self) -> Iterator[bytes]:
        total = len(self.data)
        for start in range(0, total, _CHUNK):
            chunk = self.data[start : start + _CHUNK]
            yield chunk
            if self.progress is not None:
                self.progress(start + len(chunk), total)
        if not total and self.progress is not None:
            self.progress(0, 0)


class _Client:
    """HTTP requests to one store, with the error messages a person can act on."""

    def __init__(self, url: str, user: str | None, password: str | None, timeout: float) -> None:
        self.url, self.user, self.timeout = url, user, timeout
        host = urllib.parse.urlsplit(url).hostname or ""
        # A proxy from the environment must not see requests to this machine's own stores.
        handlers: list[urllib.request.BaseHandler] = [
            urllib.request.ProxyHandler({} if _is_loopback(host) else None),
            _RefuseRedirect(),
        ]
        if user is not None:
            manager = urllib.request.HTTPPasswordMgrWithPriorAuth()
            manager.add_password(None, url, user, password or "", is_authenticated=True)
            # Basic is sent at once (as curl and requests do); Digest when the store asks for it.
            handlers += [urllib.request.HTTPDigestAuthHandler(manager), urllib.request.HTTPBasicAuthHandler(manager)]
        self.opener = urllib.request.build_opener(*handlers)

    def send(self, method: str, url: str, data: bytes, content_type: str, progress: Progress | None = None) -> None:
        body = _Body(data, progress)
        request = urllib.request.Request(url, data=body, method=method)  # type: ignore[arg-type]
        request.add_header("Content-Type", content_type)
        request.add_header("Content-Length", str(len(data)))
        request.add_header("User-Agent", "graphkit")
        where = _public(self.url)
        try:
            with self.opener.open(request, timeout=self.timeout) as response:
                response.read()
        except urllib.error.HTTPError as err:
            raise StoreError(self._refused(where, err)) from err
        except urllib.error.URLError as err:
            raise StoreError(f"cannot reach {where} ({_reason(err.reason, self.timeout)})") from err
        except TimeoutError as err:
            raise StoreError(f"cannot reach {where} ({_reason(err, self.timeout)})") from err
        except (http.client.HTTPException, ConnectionError) as err:
            raise StoreError(f"{where}: the connection broke before an answer ({_reason(err, self.timeout)})") from err
        except ValueError as err:  # urllib's auth handlers on an authentication scheme they do not know
            raise StoreError(f"{where}: {err}") from err

    def cleanup(self, update: bytes) -> None:
        try:
            self.timeout = min(self.timeout, 5.0)
            self.send("POST", self.url, update, _UPDATE_TYPE)
        except StoreError:
            pass  # the store is gone or refuses: the staging graph stays, the target is unchanged

    def _refused(self, where: str, err: urllib.error.HTTPError) -> str:
        status = f"HTTP {err.code}"
        if err.code == 401:
            if self.user is None:
                return f"{where}: authentication needed ({status}; pass --user NAME and set {PASSWORD_ENV})"
            return f"{where}: the store refused user {self.user!r} ({status}; check the password in {PASSWORD_ENV})"
        text = _short_body(err)
        hint = ""
        if err.code in (404, 405, 415):
            hint = "; is this the store's endpoint for this protocol? see graphkit push --help"
        reason = f"{status} {err.reason}" if err.reason else status
        return f"{where}: the store refused the request ({reason}{': ' + text if text else ''}{hint})"


def _short_body(err: urllib.error.HTTPError) -> str:
    try:
        raw = err.read(4096)
    except (OSError, http.client.HTTPException):
        return ""
    text = raw.decode("utf-8", errors="replace")
    if "html" in (err.headers.get("Content-Type") or "").lower():
        text = re.sub(r"(?s)<(script|style)\b.*?</\1>|<[^>]*>", " ", text)
    text = " ".join(text.split())
    return text if len(text) <= 200 else text[:199] + "…"


def _reason(reason: object, timeout: float) -> str:
    if isinstance(reason, TimeoutError):
        return f"no answer within {timeout:g} s"
    if isinstance(reason, ConnectionRefusedError):
        return "connection refused"
    if isinstance(reason, socket.gaierror):
        return "unknown host"
    if isinstance(reason, OSError) and reason.strerror:
        return reason.strerror.lower()
    return str(reason) or type(reason).__name__
