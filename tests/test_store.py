"""graphkit push: a real Oxigraph server on loopback, and small real HTTP servers for what it cannot do."""

from __future__ import annotations

import base64
import contextlib
import hashlib
import http.server
import json
import re
import secrets
import shutil
import socket
import struct
import subprocess
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox
import pytest
from click.testing import CliRunner

import graphkit
from graphkit.cli import cli
from graphkit.errors import ServeError, StoreError, StoreOutcomeUnknown
from graphkit.rdf import DEFAULT_BASE_IRI, GK, to_triples
from graphkit.serve.oxigraph import find_oxigraph
from graphkit.store import STAGING_PREFIX, push_graph, push_triples

PAT = DEFAULT_BASE_IRI + "pattern/"
GRAPH = "https://example.org/graphs/patterns"


def run(*args: str, env: dict[str, str] | None = None):
    return CliRunner().invoke(cli, list(args), catch_exceptions=False, env=env)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(url: str, process: subprocess.Popen | None = None, seconds: float = 15.0) -> None:
    """Poll ``url`` until it answers (bounded); fail at once if ``process`` exits."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process is not None and process.poll() is not None:
            raise RuntimeError(f"the server exited with code {process.returncode}")
        try:
            with urllib.request.urlopen(url, timeout=1):
                return
        except OSError:
            time.sleep(0.05)
    raise RuntimeError(f"{url} did not answer within {seconds} s")


@dataclass
class Oxigraph:
    url: str
    process: subprocess.Popen

    def select(self, text: str) -> list[dict[str, str]]:
        request = urllib.request.Request(
            self.url + "/query",
            data=text.encode(),
            headers={"Content-Type": "application/sparql-query", "Accept": "application/sparql-results+json"},
        )
        with urllib.request.urlopen(request, timeout=10) as response:
            data = json.load(response)
        return [{k: v["value"] for k, v in row.items()} for row in data["results"]["bindings"]]

    def quads(self) -> set[ox.Quad]:
        """Everything in the store, every graph, through SPARQL over HTTP."""
        request = urllib.request.Request(
            self.url + "/query",
            data=b"CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }",
            headers={"Content-Type": "application/sparql-query", "Accept": "application/n-triples"},
        )
        out = set()
        for row in self.select("SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }"):
            out |= {ox.Quad(t.subject, t.predicate, t.object, ox.NamedNode(row["g"])) for t in self.graph(row["g"])}
        with urllib.request.urlopen(request, timeout=10) as response:
            out |= {
                ox.Quad(q.subject, q.predicate, q.object) for q in ox.parse(response.read(), ox.RdfFormat.N_TRIPLES)
            }
        return out

    def graph(self, iri: str) -> set[ox.Triple]:
        request = urllib.request.Request(
            self.url + "/query",
            data=f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ GRAPH {ox.NamedNode(iri)} {{ ?s ?p ?o }} }}".encode(),
            headers={"Content-Type": "application/sparql-query", "Accept": "application/n-triples"},
        )
        with urllib.request.urlopen(request, timeout=10) as response:
            return {q.triple for q in ox.parse(response.read(), ox.RdfFormat.N_TRIPLES)}

    def graphs(self) -> dict[str, int]:
        rows = self.select("SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g")
        return {row["g"]: int(row["n"]) for row in rows}


def start_oxigraph(location: Path, port: int | None = None) -> Oxigraph:
    try:
        program = find_oxigraph()  # as graphkit serve finds it: on PATH, else beside this Python
    except ServeError as err:
        pytest.fail(str(err))
    for _attempt in range(3):  # the free port may be taken between asking and binding
        bind = f"127.0.0.1:{port or free_port()}"
        process = subprocess.Popen(
            [program, "serve", "--location", str(location), "--bind", bind],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            wait_for(f"http://{bind}/", process)
            return Oxigraph(f"http://{bind}", process)
        except RuntimeError:
            stop(process)
    pytest.fail("oxigraph serve did not start")


def stop(process: subprocess.Popen) -> None:
    process.terminate()
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=10)


@pytest.fixture
def oxigraph(tmp_path: Path) -> Iterator[Oxigraph]:
    server = start_oxigraph(tmp_path / "store")
    try:
        yield server
    finally:
        stop(server.process)


def canonical(triples) -> set[ox.Triple]:
    """The triples as an Oxigraph store holds them: numbers in canonical form ("4.0"^^xsd:decimal is "4")."""
    store = ox.Store()
    store.extend(ox.Quad(t.subject, t.predicate, t.object) for t in triples)
    return {q.triple for q in store}


def local(root: Path | None = None, base: str = DEFAULT_BASE_IRI) -> set[ox.Triple]:
    """The local export of a library (with the ontology, as pushed), in the store's canonical form."""
    return canonical(to_triples(graphkit.load_library(root).graph, base, with_ontology=True))


def changed_sample(tmp_path: Path) -> Path:
    """The sample library with a relation added, a relation removed and a pattern deleted."""
    root = shutil.copytree(graphkit.sample_library(), tmp_path / "changed")
    gap = root / "gap-analysis.md"
    text = gap.read_text(encoding="utf-8")
    removed = (
        "  - id: performance-sensing\n    weight: 0.9\n"
        "    description: Sensing data reveals gaps between actual and desired state.\n"
    )
    assert removed in text and "  complementary: []\n" in text
    text = text.replace(removed, "").replace("  complementary: []\n", "  complementary:\n  - kanban\n", 1)
    gap.write_text(text, encoding="utf-8")
    (root / "tps-documented.md").unlink()
    return root


def triple(s: str, p: str, o: str) -> ox.Triple:
    return ox.Triple(ox.NamedNode(PAT + s), ox.NamedNode(str(GK[p])), ox.NamedNode(PAT + o))


# --------------------------------------------------------------------------- against Oxigraph


@pytest.mark.parametrize("protocol", ["gsp", "update"])
def test_push_then_push_a_changed_library(oxigraph, tmp_path, protocol):
    first = run(
        "push",
        "--endpoint",
        oxigraph.url + ("/store" if protocol == "gsp" else "/update"),
        "--graph",
        GRAPH,
        "--protocol",
        protocol,
    )
    assert first.exit_code == 0, first.output
    before = local()
    assert oxigraph.graph(GRAPH) == before
    assert triple("gap-analysis", "requires", "performance-sensing") in before

    root = changed_sample(tmp_path)
    second = run("push", str(root), "--endpoint", oxigraph.url, "--graph", GRAPH, "--protocol", protocol)
    assert second.exit_code == 0, second.output
    after = local(root)
    assert (
        second.output
        == f"{GRAPH}: {len(after)} triples pushed to {oxigraph.url}/{'store' if protocol == 'gsp' else 'update'} "
        f"({protocol}, {1 if protocol == 'gsp' else 2} request{'' if protocol == 'gsp' else 's'})\n"
    )
    stored = oxigraph.graph(GRAPH)
    assert len(stored) == len(after)
    assert stored == after
    assert triple("gap-analysis", "complementary", "kanban") in stored
    assert triple("kanban", "complementary", "gap-analysis") in stored  # the symmetric side the export adds
    assert triple("gap-analysis", "requires", "performance-sensing") not in stored
    assert not any(t.subject == ox.NamedNode(PAT + "tps-documented") for t in stored)
    assert oxigraph.graphs() == {GRAPH: len(after)}  # no staging graph left, default graph empty
    assert oxigraph.select("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }") == [{"n": "0"}]


@pytest.mark.parametrize("protocol", ["gsp", "update"])
def test_push_twice_leaves_the_same_store(oxigraph, protocol):
    assert run("push", "-e", oxigraph.url, "-p", protocol).exit_code == 0
    once = oxigraph.quads()
    assert run("push", "-e", oxigraph.url, "-p", protocol).exit_code == 0
    assert oxigraph.quads() == once
    assert oxigraph.graphs() == {DEFAULT_BASE_IRI: len(local())}  # the default graph IRI is the library's


def test_both_protocols_store_the_same_graph(oxigraph):
    G = graphkit.load_library().graph
    push_graph(G, oxigraph.url, "https://example.org/by-gsp", protocol="gsp", fmt="turtle")
    push_graph(G, oxigraph.url, "https://example.org/by-update", protocol="update", batch_size=700)
    assert oxigraph.graph("https://example.org/by-gsp") == oxigraph.graph("https://example.org/by-update") == local()


def test_push_leaves_other_graphs_alone(oxigraph):
    other = ox.Triple(ox.NamedNode("https://example.org/x"), ox.NamedNode("https://example.org/y"), ox.Literal("z"))
    push_triples([other], oxigraph.url, "https://example.org/other")
    push_graph(graphkit.load_library().graph, oxigraph.url, GRAPH, protocol="update")
    assert oxigraph.graph("https://example.org/other") == {other}
    assert set(oxigraph.graphs()) == {"https://example.org/other", GRAPH}


@pytest.mark.parametrize("protocol", ["gsp", "update"])
def test_hostile_titles_arrive_intact(oxigraph, protocol):
    root = Path(__file__).parent / "data" / "hostile"
    push_graph(graphkit.load_library(root).graph, oxigraph.url, GRAPH, protocol=protocol, batch_size=50)
    assert oxigraph.graph(GRAPH) == local(root)


def test_progress_is_reported(oxigraph):
    triples = to_triples(graphkit.load_library().graph, with_ontology=True)
    seen: list[tuple[int, int]] = []
    push_triples(
        triples, oxigraph.url, GRAPH, protocol="update", batch_size=1000, progress=lambda d, t: seen.append((d, t))
    )
    assert seen == [(n, len(triples)) for n in [*range(1000, len(triples), 1000), len(triples)]]
    seen.clear()
    push_triples(triples, oxigraph.url, GRAPH, progress=lambda d, t: seen.append((d, t)))
    assert seen[-1][0] == seen[-1][1] > 0 and all(a[0] < b[0] for a, b in zip(seen, seen[1:], strict=False))


def test_empty_graph_with_update_protocol(oxigraph):
    push_graph(graphkit.load_library().graph, oxigraph.url, GRAPH, protocol="update")
    result = push_triples([], oxigraph.url, GRAPH, protocol="update")
    assert result.requests == 2
    assert oxigraph.graph(GRAPH) == set()
    assert oxigraph.graphs() == {}


# --------------------------------------------------------------------------- failures


class FailingProxy(http.server.ThreadingHTTPServer):
    """A real HTTP proxy in front of Oxigraph that answers 503 to the n-th request (1-based)."""

    def __init__(self, target: str, fail_at: int) -> None:
        self.target, self.fail_at, self.seen = target, fail_at, []
        self.lock = threading.Lock()
        super().__init__(("127.0.0.1", 0), _ProxyHandler)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"


class _ProxyHandler(http.server.BaseHTTPRequestHandler):
    def log_message(self, *args) -> None:
        pass

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers["Content-Length"]))
        with self.server.lock:
            self.server.seen.append(body.decode())
            n = len(self.server.seen)
        if n == self.server.fail_at:
            self.send_response(503)
            self.send_header("Content-Type", "text/html")
            self.end_headers()
            self.wfile.write(b"<html><body><h1>Service   unavailable</h1>\n<p>try later</p></body></html>")
            return
        request = urllib.request.Request(
            self.server.target + self.path,
            data=body,
            method="POST",
            headers={"Content-Type": self.headers["Content-Type"]},
        )
        try:
            with urllib.request.urlopen(request, timeout=10) as response:
                status, data = response.status, response.read()
        except urllib.error.HTTPError as err:
            status, data = err.code, err.read()
        self.send_response(status)
        self.end_headers()
        self.wfile.write(data)


@pytest.fixture
def serve_in_thread():
    servers = []

    def start(server: http.server.HTTPServer) -> http.server.HTTPServer:
        thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
        thread.start()
        servers.append((server, thread))
        return server

    yield start
    for server, thread in servers:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)


def test_failed_update_push_leaves_the_previous_graph(oxigraph, tmp_path, serve_in_thread):
    push_graph(graphkit.load_library().graph, oxigraph.url, GRAPH)
    before = oxigraph.quads()
    proxy = serve_in_thread(FailingProxy(oxigraph.url, fail_at=3))
    result = run(
        "push", str(changed_sample(tmp_path)), "-e", proxy.url, "-g", GRAPH, "-p", "update", "--batch-size", "1000"
    )
    assert result.exit_code == 1
    assert result.output.splitlines() == [
        f"Error: {proxy.url}/update: the store refused the request (HTTP 503 Service Unavailable: Service unavailable try later)"
    ]
    assert oxigraph.quads() == before  # the target graph as it was, the staging graph dropped
    staging = [line for line in proxy.seen if STAGING_PREFIX in line]
    assert len(staging) == 4 and staging[-1].startswith("DROP SILENT GRAPH <urn:graphkit:staging:")
    assert not any(text.startswith("MOVE") for text in proxy.seen)


def test_push_to_a_dead_port_fails_in_one_line():
    port = free_port()
    result = run("push", "--endpoint", f"http://127.0.0.1:{port}/store")
    assert result.exit_code == 1
    assert result.output.splitlines() == [f"Error: cannot reach http://127.0.0.1:{port}/store (connection refused)"]
    update = run("push", "-e", f"http://127.0.0.1:{port}", "-p", "update")
    assert update.output.splitlines() == [f"Error: cannot reach http://127.0.0.1:{port}/update (connection refused)"]


@pytest.mark.parametrize(
    "args, message",
    [
        (
            ["-e", "ftp://example.org/store"],
            "endpoint 'ftp://example.org/store' is not an http:// or https:// URL (e.g. http://127.0.0.1:7878/store)",
        ),
        (
            ["-e", "http://127.0.0.1:1/store#x"],
            "endpoint 'http://127.0.0.1:1/store#x' has a fragment (#...): give the URL without it",
        ),
        (
            ["-e", "http://127.0.0.1:1/st\nore"],
            "endpoint 'http://127.0.0.1:1/st\\nore' contains a control character or a line break",
        ),
        (
            ["-e", "http://u:p@127.0.0.1:1/store"],
            "endpoint 'http://127.0.0.1:1/store' carries credentials: give the user with --user instead",
        ),
        (
            ["-e", "http://127.0.0.1:1/store", "-g", "patterns"],
            "graph IRI 'patterns' is not an absolute IRI (No scheme found in an absolute IRI; e.g. https://example.org/graphs/patterns)",
        ),
        (
            ["-e", "http://127.0.0.1:1/store", "-g", "https://example.org/a> } ; DROP ALL ; <x:"],
            "graph IRI 'https://example.org/a> } ; DROP ALL ; <x:' is not an absolute IRI (Invalid IRI code point '>'; e.g. https://example.org/graphs/patterns)",
        ),
        (
            ["-e", "http://127.0.0.1:1/store", "--user", "alice"],
            "--user alice needs the password in the environment variable GRAPHKIT_STORE_PASSWORD",
        ),
        (
            ["-e", "http://127.0.0.1:1/store", "--base-iri", "urn:x"],
            "base IRI 'urn:x' is not an absolute IRI ending in '/' or '#' (e.g. https://example.org/patterns/)",
        ),
    ],
    ids=[
        "scheme",
        "fragment",
        "control-character",
        "credentials-in-url",
        "graph-iri",
        "graph-iri-injection",
        "no-password",
        "base-iri",
    ],
)
def test_bad_input_fails_in_one_line(args, message):
    result = run("push", *args, env={"GRAPHKIT_STORE_PASSWORD": None})
    assert result.exit_code == 1
    assert result.output.splitlines() == [f"Error: {message}"]


# --------------------------------------------------------------------------- authentication

PASSWORD = {"GRAPHKIT_STORE_PASSWORD": "s3cret"}


class ChallengeProxy(http.server.ThreadingHTTPServer):
    """A loopback proxy in front of Oxigraph that wants alice:s3cret by ``scheme`` (Basic or Digest).

    It keeps (method, scheme of the credentials sent or None, body size) of every request.
    """

    realm = "store"

    def __init__(self, target: str, scheme: str, qop: str = "auth") -> None:
        self.target, self.scheme, self.qop = target, scheme, qop
        self.seen: list[tuple[str, str | None, int]] = []
        self.nonces: set[str] = set()
        super().__init__(("127.0.0.1", 0), _ChallengeHandler)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"

    def challenge(self) -> str:
        if self.scheme != "Digest":
            return f'{self.scheme} realm="{self.realm}"'
        nonce = secrets.token_hex(16)
        self.nonces.add(nonce)
        return f'Digest realm="{self.realm}", qop="{self.qop}", nonce="{nonce}", opaque="{secrets.token_hex(8)}", algorithm=MD5'

    def accepts(self, method: str, path: str, header: str) -> bool:
        scheme, _, rest = header.partition(" ")
        if scheme != self.scheme:
            return False
        if scheme == "Basic":
            return rest == base64.b64encode(b"alice:s3cret").decode()
        if scheme != "Digest":
            return False
        f = urllib.request.parse_keqv_list(urllib.request.parse_http_list(rest))

        def md5(text: str) -> str:
            return hashlib.md5(text.encode()).hexdigest()

        ha1, ha2 = md5(f"alice:{self.realm}:s3cret"), md5(f"{method}:{path}")
        expected = md5(f"{ha1}:{f['nonce']}:{f['nc']}:{f['cnonce']}:{f['qop']}:{ha2}")
        return f["username"] == "alice" and f["nonce"] in self.nonces and f["uri"] == path and f["response"] == expected


class _ChallengeHandler(http.server.BaseHTTPRequestHandler):
    def log_message(self, *args) -> None:
        pass

    def do_HEAD(self) -> None:
        self.answer()

    def do_PUT(self) -> None:
        self.answer()

    def do_POST(self) -> None:
        self.answer()

    def answer(self) -> None:
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        header = self.headers.get("Authorization")
        self.server.seen.append((self.command, header.split(" ")[0] if header else None, len(body)))
        if header is None or not self.server.accepts(self.command, self.path, header):
            self.send_response(401)
            self.send_header("WWW-Authenticate", self.server.challenge())
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        status, data = forward(self.server.target, self.command, self.path, body, self.headers.get("Content-Type"))
        self.send_response(status)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(data)


def forward(target: str, method: str, path: str, body: bytes, content_type: str | None) -> tuple[int, bytes]:
    """Send a request on to the store; return its status and body."""
    headers = {"Content-Type": content_type} if content_type else {}
    request = urllib.request.Request(target + path, data=body or None, method=method, headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as err:
        return err.code, err.read()


def ntriples_size() -> int:
    triples = to_triples(graphkit.load_library().graph, with_ontology=True)
    return len(ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES))


@pytest.mark.parametrize("scheme", ["Basic", "Digest"])
def test_gsp_push_with_user_answers_the_challenge_and_sends_the_graph_once(oxigraph, serve_in_thread, scheme):
    proxy = serve_in_thread(ChallengeProxy(oxigraph.url, scheme))
    result = run("push", "-e", proxy.url + "/store", "-g", GRAPH, "--user", "alice", env=PASSWORD)
    assert result.exit_code == 0, result.output
    assert oxigraph.graph(GRAPH) == local()
    # no credentials until challenged; the password is checked before the graph goes, and it goes once
    assert proxy.seen == [("HEAD", None, 0), ("HEAD", scheme, 0), ("PUT", scheme, ntriples_size())]


@pytest.mark.parametrize("scheme", ["Basic", "Digest"])
def test_update_push_with_user_answers_the_challenge(oxigraph, serve_in_thread, scheme):
    proxy = serve_in_thread(ChallengeProxy(oxigraph.url, scheme))
    result = run(
        "push", "-e", proxy.url, "-g", GRAPH, "-p", "update", "--batch-size", "2000", "-u", "alice", env=PASSWORD
    )
    assert result.exit_code == 0, result.output
    assert oxigraph.graph(GRAPH) == local()
    assert oxigraph.graphs() == {GRAPH: len(local())}
    requests = -(-len(local()) // 2000) + 1  # the batches and the MOVE
    # the first batch goes without credentials, then again in answer to the challenge; the rest answer it at once
    assert [(method, sent) for method, sent, _ in proxy.seen] == [("POST", None)] + [("POST", scheme)] * requests


@pytest.mark.parametrize("scheme", ["Basic", "Digest"])
def test_a_wrong_password_is_refused_before_the_graph_goes(oxigraph, serve_in_thread, scheme):
    proxy = serve_in_thread(ChallengeProxy(oxigraph.url, scheme))
    result = run("push", "-e", proxy.url + "/store", "-u", "alice", env={"GRAPHKIT_STORE_PASSWORD": "guess"})
    assert result.exit_code == 1
    assert result.output.splitlines() == [
        f"Error: {proxy.url}/store: the store refused user 'alice' (HTTP 401; check the password in GRAPHKIT_STORE_PASSWORD)"
    ]
    assert proxy.seen == [("HEAD", None, 0), ("HEAD", scheme, 0)]
    assert oxigraph.graphs() == {}


def test_authentication_needed(oxigraph, serve_in_thread):
    proxy = serve_in_thread(ChallengeProxy(oxigraph.url, "Digest"))
    result = run("push", "-e", proxy.url + "/store")
    assert result.exit_code == 1
    assert result.output.splitlines() == [
        f"Error: {proxy.url}/store: authentication needed (HTTP 401; pass --user NAME and set GRAPHKIT_STORE_PASSWORD)"
    ]
    assert proxy.seen == [("PUT", None, ntriples_size())]


def test_an_unknown_scheme_is_named(oxigraph, serve_in_thread):
    proxy = serve_in_thread(ChallengeProxy(oxigraph.url, "Bearer"))
    result = run("push", "-e", proxy.url + "/store", "-u", "alice", env=PASSWORD)
    assert result.exit_code == 1
    assert result.output.splitlines() == [
        f"Error: {proxy.url}/store: the store asks for Bearer authentication (graphkit answers Basic or Digest)"
    ]
    assert proxy.seen == [("HEAD", None, 0)]


def test_a_challenge_httpx_cannot_answer_is_named(oxigraph, serve_in_thread):
    proxy = serve_in_thread(ChallengeProxy(oxigraph.url, "Digest", qop="auth-int"))
    result = run("push", "-e", proxy.url + "/store", "-u", "alice", env=PASSWORD)
    assert result.exit_code == 1
    assert result.output.splitlines() == [
        f"Error: {proxy.url}/store: the store's Digest challenge cannot be answered"
        " (graphkit answers qop=auth with MD5, SHA, SHA-256 or SHA-512)"
    ]
    assert proxy.seen == [("HEAD", None, 0)]


class Redirecting(http.server.ThreadingHTTPServer):
    """A loopback server that answers every request with a redirect elsewhere, and counts them."""

    def __init__(self) -> None:
        self.seen: list[str] = []
        super().__init__(("127.0.0.1", 0), _RedirectHandler)


class _RedirectHandler(http.server.BaseHTTPRequestHandler):
    def log_message(self, *args) -> None:
        pass

    def do_PUT(self) -> None:
        self.rfile.read(int(self.headers["Content-Length"]))
        self.server.seen.append(self.path)
        self.send_response(307)
        self.send_header("Location", "http://127.0.0.1:1/elsewhere?graph=x")
        self.send_header("Content-Length", "0")
        self.end_headers()


def test_a_redirect_is_reported_not_followed(serve_in_thread):
    store = serve_in_thread(Redirecting())
    url = f"http://127.0.0.1:{store.server_address[1]}/old"
    with pytest.raises(StoreError) as err:
        push_triples([], url, GRAPH)
    assert str(err.value) == f"{url}: redirected to http://127.0.0.1:1/elsewhere (give that URL as the endpoint)"
    assert store.seen == ["/old?" + urllib.parse.urlencode({"graph": GRAPH})]


# --------------------------------------------------------------------------- no answer


class HoldingProxy(http.server.ThreadingHTTPServer):
    """A loopback proxy in front of Oxigraph that takes the ``hold``-th request (1-based) and does not answer.

    ``release()`` then passes that request on to the store, as a store that was only slow would
    still apply it. ``seen`` keeps every request body.
    """

    def __init__(self, target: str, hold: int) -> None:
        self.target, self.hold = target, hold
        self.seen: list[str] = []
        self.lock = threading.Lock()
        self.released, self.forwarded = threading.Event(), threading.Event()
        super().__init__(("127.0.0.1", 0), _HoldingHandler)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"

    def release(self) -> None:
        self.released.set()
        assert self.forwarded.wait(10)


class _HoldingHandler(http.server.BaseHTTPRequestHandler):
    def log_message(self, *args) -> None:
        pass

    def do_PUT(self) -> None:
        self.answer()

    def do_POST(self) -> None:
        self.answer()

    def answer(self) -> None:
        body = self.rfile.read(int(self.headers["Content-Length"]))
        with self.server.lock:
            self.server.seen.append(body.decode())
            held = len(self.server.seen) == self.server.hold
        if held:
            self.server.released.wait(30)
        status, data = forward(self.server.target, self.command, self.path, body, self.headers["Content-Type"])
        if held:
            self.server.forwarded.set()
            return  # the client gave up long ago
        self.send_response(status)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)


@pytest.fixture
def holding(oxigraph, serve_in_thread):
    proxies = []

    def start(hold: int) -> HoldingProxy:
        proxy = serve_in_thread(HoldingProxy(oxigraph.url, hold))
        proxies.append(proxy)
        return proxy

    yield start
    for proxy in proxies:
        proxy.released.set()  # before serve_in_thread shuts the proxy down


def test_a_put_without_answer_may_still_be_applied(oxigraph, holding):
    proxy = holding(1)
    result = run("push", "-e", proxy.url + "/store", "-g", GRAPH, "--timeout", "1")
    assert result.exit_code == 3
    assert result.output.splitlines() == [
        f"Error: {proxy.url}/store: PUT sent, no answer within 1 s; the store may still apply it"
    ]
    assert oxigraph.graphs() == {}
    proxy.release()
    assert oxigraph.graph(GRAPH) == local()  # and so it did


def staging_graph(bodies: list[str]) -> str:
    [name] = {m for body in bodies for m in re.findall(r"urn:graphkit:staging:[0-9a-f]{32}", body)}
    return name


def test_an_update_batch_without_answer_drops_and_names_the_staging_graph(oxigraph, holding, tmp_path):
    push_graph(graphkit.load_library().graph, oxigraph.url, GRAPH)
    before = oxigraph.quads()
    root = changed_sample(tmp_path)
    batches = -(-len(local(root)) // 2000)
    assert batches >= 3
    proxy = holding(2)
    result = run(
        "push", str(root), "-e", proxy.url, "-g", GRAPH, "-p", "update", "--batch-size", "2000", "--timeout", "1"
    )
    assert result.exit_code == 3
    staging = staging_graph(proxy.seen)
    assert result.output.splitlines() == [
        f"Error: {proxy.url}/update: INSERT DATA 2 of {batches} sent, no answer within 1 s; the store may still apply"
        f" it to the staging graph; {GRAPH} is unchanged (DROP GRAPH <{staging}> if it remains)"
    ]
    assert proxy.seen[2:] == [f"DROP SILENT GRAPH <{staging}>"]
    assert oxigraph.quads() == before  # dropped
    proxy.release()  # the store applies the held batch after all: the staging graph is back
    assert oxigraph.graphs() == {GRAPH: len(before), staging: 2000}
    oxigraph_update(oxigraph, f"DROP GRAPH <{staging}>")  # as the message says
    assert oxigraph.quads() == before


def test_a_move_without_answer_names_the_staging_graph(oxigraph, holding, tmp_path):
    push_graph(graphkit.load_library().graph, oxigraph.url, GRAPH)
    before = oxigraph.quads()
    root = changed_sample(tmp_path)
    batches = -(-len(local(root)) // 2000)
    proxy = holding(batches + 1)
    result = run(
        "push", str(root), "-e", proxy.url, "-g", GRAPH, "-p", "update", "--batch-size", "2000", "--timeout", "1"
    )
    assert result.exit_code == 3
    staging = staging_graph(proxy.seen)
    assert result.output.splitlines() == [
        f"Error: {proxy.url}/update: MOVE sent, no answer within 1 s; the store may still apply it and replace"
        f" {GRAPH} (if it does not, DROP GRAPH <{staging}>)"
    ]
    assert proxy.seen[-1] == f"MOVE <{staging}> TO <{GRAPH}>"  # and no DROP: it could cut into the MOVE
    assert oxigraph.graphs() == {GRAPH: len(before), staging: len(local(root))}
    proxy.release()
    assert oxigraph.graphs() == {GRAPH: len(local(root))}
    assert oxigraph.graph(GRAPH) == local(root)


def oxigraph_update(server: Oxigraph, text: str) -> None:
    request = urllib.request.Request(
        server.url + "/update", data=text.encode(), headers={"Content-Type": "application/sparql-update"}
    )
    with urllib.request.urlopen(request, timeout=10):
        pass


class Misbehaving(http.server.ThreadingHTTPServer):
    """A loopback store that reads each request whole, then never answers, hangs up, or answers 504."""

    def __init__(self, behaviour: str) -> None:
        self.behaviour = behaviour
        self.done = threading.Event()
        super().__init__(("127.0.0.1", 0), _MisbehavingHandler)


class _MisbehavingHandler(http.server.BaseHTTPRequestHandler):
    def log_message(self, *args) -> None:
        pass

    def do_PUT(self) -> None:
        self.rfile.read(int(self.headers["Content-Length"]))
        if self.server.behaviour == "never answers":
            self.server.done.wait(30)
        elif self.server.behaviour == "answers 504":
            self.send_response(504)
            self.send_header("Content-Length", "0")
            self.end_headers()
        elif self.server.behaviour == "refuses with escapes":
            body = "\x1b]0;owned\x07bad\x1b[2J request\u009b\n".encode()
            self.send_response(400)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
        else:  # close with a reset, as a store that crashed would (no orderly shutdown first)
            self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            self.connection.close()
        self.close_connection = True


@pytest.mark.parametrize(
    "behaviour, what",
    [
        ("never answers", "no answer within 0.5 s; the store may still apply it"),
        (
            "hangs up",
            "the connection broke before an answer (connection reset by peer); the store may still apply it",
        ),
        ("answers 504", "a gateway answered HTTP 504 Gateway Timeout; the store behind it may still apply it"),
    ],
    ids=["never-answers", "hangs-up", "gateway-timeout"],
)
def test_a_sent_request_without_answer_exits_3(serve_in_thread, behaviour, what):
    store = serve_in_thread(Misbehaving(behaviour))
    url = f"http://127.0.0.1:{store.server_address[1]}/store"
    try:
        result = run("push", "-e", url, "--timeout", "0.5")
    finally:
        store.done.set()
    assert result.exit_code == 3
    assert result.output.splitlines() == [f"Error: {url}: PUT sent, {what}"]


def test_the_stores_text_reaches_the_terminal_without_control_characters(serve_in_thread):
    store = serve_in_thread(Misbehaving("refuses with escapes"))
    url = f"http://127.0.0.1:{store.server_address[1]}/store"
    result = run("push", "-e", url)
    assert result.exit_code == 1
    assert result.output.splitlines() == [
        f"Error: {url}: the store refused the request (HTTP 400 Bad Request: ]0;owned bad [2J request)"
    ]


def test_a_store_that_never_answers_times_out():
    with socket.socket() as listener:  # accepts connections (the kernel's backlog) but never answers
        listener.bind(("127.0.0.1", 0))
        listener.listen(1)
        port = listener.getsockname()[1]
        with pytest.raises(StoreOutcomeUnknown) as err:
            push_triples([], f"http://127.0.0.1:{port}/store", GRAPH, timeout=0.3)
    assert (
        str(err.value)
        == f"http://127.0.0.1:{port}/store: PUT sent, no answer within 0.3 s; the store may still apply it"
    )


def test_no_connection_within_the_connect_timeout():
    with contextlib.ExitStack() as stack:
        listener = stack.enter_context(socket.socket())
        listener.bind(("127.0.0.1", 0))
        listener.listen(0)
        port = listener.getsockname()[1]
        for _ in range(8):  # fill the accept queue: then the kernel drops new connection attempts
            client = stack.enter_context(socket.socket())
            client.settimeout(0.2)
            try:
                client.connect(("127.0.0.1", port))
            except TimeoutError:
                break
        else:
            pytest.fail("the accept queue did not fill")
        result = run("push", "-e", f"http://127.0.0.1:{port}/store", "--connect-timeout", "0.3", "--timeout", "30")
    assert result.exit_code == 1
    assert result.output.splitlines() == [
        f"Error: cannot reach http://127.0.0.1:{port}/store (no connection within 0.3 s)"
    ]
