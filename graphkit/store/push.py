"""Push the library's RDF into one named graph of a store: by Graph Store PUT, or SPARQL Update batches and a MOVE."""

from __future__ import annotations

import urllib.parse
import uuid
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

import networkx as nx
import pyoxigraph as ox

from ..errors import StoreError, StoreOutcomeUnknown
from ..rdf import DEFAULT_BASE_IRI, PREFIXES, check_base_iri, to_triples
from .defaults import DEFAULT_CONNECT_TIMEOUT, DEFAULT_TIMEOUT, PROTOCOLS
from .http import Client, Progress, check_url, public_url

__all__ = [
    "DEFAULT_CONNECT_TIMEOUT",
    "DEFAULT_TIMEOUT",
    "PROTOCOLS",
    "STAGING_PREFIX",
    "PushResult",
    "check_graph_iri",
    "endpoint_url",
    "push_graph",
    "push_triples",
    "to_insert_data",
]

#: Staging graphs of ``protocol="update"`` are named ``urn:graphkit:staging:<random hex>``.
STAGING_PREFIX = "urn:graphkit:staging:"

_MEDIA_TYPES = {"ntriples": "application/n-triples", "turtle": "text/turtle"}
_RDF_FORMATS = {"ntriples": ox.RdfFormat.N_TRIPLES, "turtle": ox.RdfFormat.TURTLE}
_UPDATE_TYPE = "application/sparql-update; charset=utf-8"
_CLEANUP_TIMEOUT = 5.0


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
    if not endpoint.isprintable():  # urlsplit drops some of them silently, httpx refuses them
        raise StoreError(f"endpoint {endpoint!r} contains a control character or a line break")
    try:
        parts = urllib.parse.urlsplit(endpoint)
        parts.port  # noqa: B018 - raises on a bad port
    except ValueError as err:
        raise StoreError(f"endpoint {endpoint!r} is not a URL ({err})") from err
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise StoreError(f"endpoint {endpoint!r} is not an http:// or https:// URL (e.g. http://127.0.0.1:7878/store)")
    if parts.username or parts.password:
        raise StoreError(f"endpoint {public_url(endpoint)!r} carries credentials: give the user with --user instead")
    if parts.fragment or "#" in endpoint:
        raise StoreError(f"endpoint {endpoint!r} has a fragment (#...): give the URL without it")
    if parts.path in ("", "/") and not parts.query:
        endpoint = urllib.parse.urlunsplit(parts._replace(path="/store" if protocol == "gsp" else "/update"))
    return check_url(endpoint)


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
    with Client(url, user, password, timeout, connect_timeout) as client:
        if protocol == "gsp":
            _put(client, graph, triples, fmt, progress)
            return PushResult(url, graph, protocol, len(triples), 1)
        requests = _update(client, graph, triples, batch_size, progress)
    return PushResult(url, graph, protocol, len(triples), requests)


def _put(client: Client, graph: str, triples: list[ox.Triple], fmt: str, progress: Progress | None) -> None:
    data = ox.serialize(triples, format=_RDF_FORMATS[fmt], prefixes=PREFIXES if fmt == "turtle" else None) or b""
    target = client.url + ("&" if "?" in client.url else "?") + urllib.parse.urlencode({"graph": graph})
    if client.user is not None:
        # Answering a challenge re-sends the whole request: learn the challenge (and check the
        # password) with a request that has no body, so the graph goes once.
        client.probe(target)
    client.send("PUT", target, data, _MEDIA_TYPES[fmt] + "; charset=utf-8", "PUT", progress)


def _update(client: Client, graph: str, triples: list[ox.Triple], batch_size: int, progress: Progress | None) -> int:
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
        _drop(client, staging)
        raise StoreOutcomeUnknown(f"{err} to the staging graph; {graph} is unchanged ({remains})") from err
    except BaseException as err:
        if not _drop(client, staging) and requests and isinstance(err, StoreError):
            raise StoreError(f"{err}; {remains}") from err
        raise
    try:
        client.send("POST", client.url, f"MOVE {_iri(staging)} TO {_iri(graph)}".encode(), _UPDATE_TYPE, "MOVE")
    except StoreOutcomeUnknown as err:
        # A DROP now could cut into the MOVE: leave both graphs to the store (so too on Ctrl-C).
        raise StoreOutcomeUnknown(f"{err} and replace {graph} (if it does not, DROP GRAPH {_iri(staging)})") from err
    except StoreError as err:
        if not _drop(client, staging):
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


def _drop(client: Client, graph: str) -> bool:
    """Best effort ``DROP SILENT GRAPH``, waiting a few seconds at most; True if the store did it."""
    update = f"DROP SILENT GRAPH {_iri(graph)}".encode()
    try:
        client.send("POST", client.url, update, _UPDATE_TYPE, "DROP", timeout=min(client.timeout, _CLEANUP_TIMEOUT))
    except StoreError:
        return False
    return True
