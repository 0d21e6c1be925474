"""Stage 4 (store): the library's RDF -> one named graph of a remote SPARQL 1.1 store.

Two standard protocols: the Graph Store HTTP Protocol (one ``PUT``, the default) and SPARQL
Update (batches into a staging graph, then one ``MOVE``). HTTP is httpx; credentials go only
in answer to the store's challenge, in the scheme it asks for (Basic or Digest).
"""

from __future__ import annotations

import ipaddress
import re
import socket
import urllib.parse
import uuid
from collections.abc import Callable, Generator, Iterator, Sequence
from dataclasses import dataclass

import httpx
import networkx as nx
import pyoxigraph as ox

from .errors import StoreError, StoreOutcomeUnknown
from .rdf import DEFAULT_BASE_IRI, PREFIXES, check_base_iri, to_triples

__all__ = [
    "DEFAULT_CONNECT_TIMEOUT",
    "DEFAULT_TIMEOUT",
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
#: Seconds to wait for a store's answer: a library of 40k patterns (405k triples) took about
#: 52 s to push to a local Oxigraph, and ten times that still fits.
DEFAULT_TIMEOUT = 600.0
#: Seconds to wait for a connection to the store.
DEFAULT_CONNECT_TIMEOUT = 10.0

_MEDIA_TYPES = {"ntriples": "application/n-triples", "turtle": "text/turtle"}
_RDF_FORMATS = {"ntriples": ox.RdfFormat.N_TRIPLES, "turtle": ox.RdfFormat.TURTLE}
_CHUNK = 1 << 16
_UPDATE_TYPE = "application/sparql-update; charset=utf-8"
_CLEANUP_TIMEOUT = 5.0

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
        ``batch_size``, ``timeout``, ``connect_timeout``, ``progress``.
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
    timeout: float = DEFAULT_TIMEOUT,
    connect_timeout: float = DEFAULT_CONNECT_TIMEOUT,
    progress: Progress | None = None,
) -> PushResult:
    """Replace the named graph ``graph`` of the store at ``endpoint`` with ``triples``.

    Running it twice leaves the same store. What a failure leaves:

    - ``gsp``: one ``PUT endpoint?graph=IRI`` whose body is the whole graph. The store parses
      the body and replaces the graph in one request; a body it refuses changes nothing.
    - ``update``: ``INSERT DATA`` batches of ``batch_size`` triples into a fresh staging graph
      ``urn:graphkit:staging:<random>``, then one ``MOVE`` of it onto ``graph``. Until the
      ``MOVE``, ``graph`` is untouched; a failed batch drops the staging graph, and where that
      may not hold (the store is gone, or may still apply a batch that got no answer) the
      error names it. The ``MOVE`` is one request, as atomic as the store makes one update
      request (Oxigraph, Fuseki with TDB2 and GraphDB run each request as one transaction).

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
        Credentials, sent only in answer to the store's challenge (Basic or Digest).
    batch_size : int
        Triples per ``INSERT DATA`` request (``update``). Triples with blank nodes all go into
        one request, since a blank node label means one node only within one request.
    timeout : float
        Seconds to wait for the store's answer to a request (and for it to take each part of
        the body).
    connect_timeout : float
        Seconds to wait for a connection.
    progress : callable, optional
        Called as ``progress(done, total)``: bytes of the body sent (``gsp``) or triples
        stored (``update``).

    Returns
    -------
    PushResult

    Raises
    ------
    StoreOutcomeUnknown
        A request was sent but no answer came: the store may still apply it.
    StoreError
        The store cannot be reached, refuses the request or the credentials.
    """
    url = endpoint_url(endpoint, protocol)
    check_graph_iri(graph)
    if fmt not in _MEDIA_TYPES:
        raise StoreError(f"unknown body format {fmt!r} (known: {', '.join(_MEDIA_TYPES)})")
    if batch_size < 1:
        raise StoreError(f"batch size must be at least 1, not {batch_size}")
    if not (timeout > 0 and connect_timeout > 0):
        raise StoreError(f"timeouts must be positive, not {timeout:g} and {connect_timeout:g} s")
    triples = list(triples)
    with _Client(url, user, password, timeout, connect_timeout) as client:
        if protocol == "gsp":
            _put(client, graph, triples, fmt, progress)
            return PushResult(url, graph, protocol, len(triples), 1)
        requests = _update(client, graph, triples, batch_size, progress)
    return PushResult(url, graph, protocol, len(triples), requests)


def _put(client: _Client, graph: str, triples: list[ox.Triple], fmt: str, progress: Progress | None) -> None:
    data = ox.serialize(triples, format=_RDF_FORMATS[fmt], prefixes=PREFIXES if fmt == "turtle" else None) or b""
    target = client.url + ("&" if "?" in client.url else "?") + urllib.parse.urlencode({"graph": graph})
    if client.user is not None:
        # Answering a challenge re-sends the whole request: learn the challenge (and check the
        # password) with a request that has no body, so the graph goes once.
        client.probe(target)
    client.send("PUT", target, data, _MEDIA_TYPES[fmt] + "; charset=utf-8", "PUT", progress)


def _update(client: _Client, graph: str, triples: list[ox.Triple], batch_size: int, progress: Progress | None) -> int:
    """Stage the triples in batches, then MOVE the staging graph onto ``graph``; return the request count."""
    staging = STAGING_PREFIX + uuid.uuid4().hex
    remains = f"DROP GRAPH {_iri(staging)} if it remains"
    batches = list(_batches(triples, batch_size))
    requests = done = 0
    try:
        for number, batch in enumerate(batches, 1):
            body = to_insert_data(batch, staging).encode("utf-8")
            client.send("POST", client.url, body, _UPDATE_TYPE, f"INSERT DATA {number} of {len(batches)}")
            requests += 1
            done += len(batch)
            if progress is not None:
                progress(done, len(triples))
        if not triples:  # nothing to stage: MOVE needs an existing source graph
            client.send("POST", client.url, f"CREATE GRAPH {_iri(staging)}".encode(), _UPDATE_TYPE, "CREATE GRAPH")
            requests += 1
    except StoreOutcomeUnknown as err:
        # The store may apply the batch after this DROP, so the staging graph is named anyway.
        client.drop(staging)
        raise StoreOutcomeUnknown(f"{err} to the staging graph; {graph} is unchanged ({remains})") from err
    except BaseException as err:
        if not client.drop(staging) and requests and isinstance(err, StoreError):
            raise StoreError(f"{err}; {remains}") from err
        raise
    try:
        client.send("POST", client.url, f"MOVE {_iri(staging)} TO {_iri(graph)}".encode(), _UPDATE_TYPE, "MOVE")
    except StoreOutcomeUnknown as err:
        # A DROP now could cut into the MOVE: leave both graphs to the store (so too on Ctrl-C).
        raise StoreOutcomeUnknown(f"{err} and replace {graph} (if it does not, DROP GRAPH {_iri(staging)})") from err
    except StoreError as err:
        if not client.drop(staging):
            raise StoreError(f"{err}; {remains}") from err
        raise
    return requests + 1


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


def _offered(response: httpx.Response) -> list[str]:
    """The authentication schemes a 401 answer offers, as the store spells them, in its order.

    Only the first of each ``WWW-Authenticate`` header: httpx's Digest reads no other.
    """
    return [value.split(None, 1)[0] for value in response.headers.get_list("WWW-Authenticate") if value.strip()]


class _ChallengeAuth(httpx.Auth):
    """Credentials only in answer to the store's challenge, in the scheme it names (Digest first).

    Virtuoso answers Basic credentials sent up front with 401 and no challenge, so the first
    request goes without; once a challenge has named the scheme, later requests answer it at once.
    """

    def __init__(self, user: str, password: str) -> None:
        self.schemes: dict[str, httpx.Auth] = {
            "digest": httpx.DigestAuth(user, password),
            "basic": httpx.BasicAuth(user, password),
        }
        self.chosen: httpx.Auth | None = None

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        challenge = None
        if self.chosen is None:
            challenge = yield request
            offered = {scheme.lower() for scheme in _offered(challenge)}
            name = next((s for s in self.schemes if s in offered), None)
            if challenge.status_code != 401 or name is None:
                return
            self.chosen = self.schemes[name]
        flow = self.chosen.auth_flow(request)
        try:
            request = next(flow)
            if challenge is not None and "Authorization" not in request.headers:
                request = flow.send(challenge)  # Digest answers the challenge already received
            while True:
                request = flow.send((yield request))
        except StopIteration:
            return


class _Body:
    """A request body sent in chunks, reporting progress; iterable again for an answer to a challenge."""

    def __init__(self, data: bytes, progress: Progress | None) -> None:
        self.data, self.progress = data, progress
        #: The last pass went through to the end: only a whole request can be applied.
        self.sent = False

    def __iter__(self) -> Iterator[bytes]:
        self.sent = False
        total = len(self.data)
        for start in range(0, total, _CHUNK):
            chunk = self.data[start : start + _CHUNK]
            yield chunk  # resumed once the chunk is written
            if self.progress is not None:
                self.progress(start + len(chunk), total)
        if not total and self.progress is not None:
            self.progress(0, 0)
        self.sent = True


class _Client:
    """HTTP requests to one store, with the error messages a person can act on."""

    def __init__(self, url: str, user: str | None, password: str | None, timeout: float, connect: float) -> None:
        self.url, self.user, self.timeout, self.connect = url, user, timeout, connect
        self.http = httpx.Client(
            auth=_ChallengeAuth(user, password or "") if user is not None else None,
            timeout=httpx.Timeout(timeout, connect=connect),
            # A proxy from the environment must not see requests to this machine's own stores.
            trust_env=not _is_loopback(urllib.parse.urlsplit(url).hostname or ""),
            headers={"User-Agent": "graphkit"},
            follow_redirects=False,  # a redirect would re-send the body and credentials elsewhere
        )

    def __enter__(self) -> _Client:
        return self

    def __exit__(self, *exc: object) -> None:
        self.http.close()

    def probe(self, url: str) -> None:
        """A ``HEAD`` request: any answer but 401 will do (many stores answer 404 or 405)."""
        try:
            response = self.http.send(self.http.build_request("HEAD", url))
        except httpx.HTTPError as err:
            raise self._failed(err, url, None, "HEAD", self.timeout) from err
        if response.status_code == 401:
            raise StoreError(self._refused(response))

    def send(
        self,
        method: str,
        url: str,
        data: bytes,
        content_type: str,
        what: str,
        progress: Progress | None = None,
        timeout: float | None = None,
    ) -> None:
        """Send one request; ``what`` names it in the message when it got no answer."""
        wait = timeout or self.timeout
        body = _Body(data, progress)
        headers = {"Content-Type": content_type, "Content-Length": str(len(data))}
        request = self.http.build_request(
            method, url, content=body, headers=headers, timeout=httpx.Timeout(wait, connect=self.connect)
        )
        try:
            response = self.http.send(request, stream=True)
        except httpx.HTTPError as err:
            raise self._failed(err, url, body, what, wait) from err
        try:
            try:
                response.read()
            except httpx.HTTPError:
                pass  # the status is the answer; the text only goes into a message
            if response.status_code == 504 and body.sent:
                raise StoreOutcomeUnknown(
                    f"{_public(url)}: {what} sent, a gateway answered HTTP 504 Gateway Timeout"
                    "; the store behind it may still apply it"
                )
            if not response.is_success:
                raise StoreError(self._refused(response))
        finally:
            response.close()

    def drop(self, graph: str) -> bool:
        """Best effort ``DROP SILENT GRAPH``, waiting a few seconds at most; True if the store did it."""
        update = f"DROP SILENT GRAPH {_iri(graph)}".encode()
        try:
            self.send("POST", self.url, update, _UPDATE_TYPE, "DROP", timeout=min(self.timeout, _CLEANUP_TIMEOUT))
        except StoreError:
            return False
        return True

    def _failed(self, err: httpx.HTTPError, url: str, body: _Body | None, what: str, wait: float) -> StoreError:
        where = _public(url)
        if isinstance(err, httpx.ConnectTimeout):
            return StoreError(f"cannot reach {where} (no connection within {self.connect:g} s)")
        if isinstance(err, (httpx.ConnectError, httpx.ProxyError)):
            return StoreError(f"cannot reach {where} ({_reason(err)})")
        if body is not None and body.sent:
            if isinstance(err, httpx.TimeoutException):
                how = f"no answer within {wait:g} s"
            else:
                how = f"the connection broke before an answer ({_reason(err)})"
            return StoreOutcomeUnknown(f"{where}: {what} sent, {how}; the store may still apply it")
        if isinstance(err, httpx.WriteTimeout):
            return StoreError(f"{where}: the store took no more of the request for {wait:g} s")
        if isinstance(err, httpx.TimeoutException):
            return StoreError(f"{where}: no answer within {wait:g} s")
        return StoreError(f"{where}: the connection broke before an answer ({_reason(err)})")

    def _refused(self, response: httpx.Response) -> str:
        where = _public(str(response.request.url))
        status = f"HTTP {response.status_code}"
        if response.is_redirect:
            target = response.url.join(response.headers["Location"])
            return f"{where}: redirected to {_public(str(target))} (give that URL as the endpoint)"
        if response.status_code == 401:
            if self.user is None:
                return f"{where}: authentication needed ({status}; pass --user NAME and set {PASSWORD_ENV})"
            offered = ", ".join(_offered(response))
            if "Authorization" not in response.request.headers and offered:
                return f"{where}: the store asks for {offered} authentication (graphkit answers Basic or Digest)"
            return f"{where}: the store refused user {self.user!r} ({status}; check the password in {PASSWORD_ENV})"
        text = _short_text(response)
        hint = ""
        if response.status_code in (404, 405, 415):
            hint = "; is this the store's endpoint for this protocol? see graphkit push --help"
        reason = f"{status} {response.reason_phrase}" if response.reason_phrase else status
        return f"{where}: the store refused the request ({reason}{': ' + text if text else ''}{hint})"


def _short_text(response: httpx.Response) -> str:
    try:
        raw = response.content[:4096]
    except httpx.ResponseNotRead:
        return ""
    text = raw.decode("utf-8", errors="replace")
    if "html" in (response.headers.get("Content-Type") or "").lower():
        text = re.sub(r"(?s)<(script|style)\b.*?</\1>|<[^>]*>", " ", text)
    text = " ".join(text.split())
    return text if len(text) <= 200 else text[:199] + "…"


def _reason(err: BaseException) -> str:
    """What went wrong, in a few words: the operating system's reason where there is one."""
    cause: BaseException = err
    while (cause.__cause__ or cause.__context__) is not None:  # httpx -> httpcore -> the OSError
        cause = cause.__cause__ or cause.__context__  # type: ignore[assignment]
    if isinstance(cause, ConnectionRefusedError):
        return "connection refused"
    if isinstance(cause, socket.gaierror):
        return "unknown host"
    if isinstance(cause, OSError) and cause.strerror:
        return cause.strerror.lower()
    return str(err).rstrip(".") or type(err).__name__
