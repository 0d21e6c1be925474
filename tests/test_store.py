"""graphkit push: a real Oxigraph server on loopback, and small real HTTP servers for what it cannot do."""

from __future__ import annotations

import base64
import http.server
import json
import shutil
import socket
import subprocess
import threading
import time
import urllib.parse
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph as ox
import pytest
from click.testing import CliRunner

import graphkit
from graphkit.cli import cli
from graphkit.errors import ServeError, StoreError
from graphkit.serve.oxigraph import find_oxigraph
from graphkit.rdf import DEFAULT_BASE_IRI, GK, to_triples
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
        thread = threading.Thread(target=server.serve_forever, daemon=True)
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


def test_a_store_that_never_answers_times_out():
    with socket.socket() as listener:  # accepts connections (the kernel's backlog) but never answers
        listener.bind(("127.0.0.1", 0))
        listener.listen(1)
        port = listener.getsockname()[1]
        with pytest.raises(StoreError) as err:
            push_triples([], f"http://127.0.0.1:{port}/store", GRAPH, timeout=0.3)
    assert str(err.value) == f"cannot reach http://127.0.0.1:{port}/store (no answer within 0.3 s)"


@pytest.mark.parametrize(
    "args, message",
    [
        (
            ["-e", "ftp://example.org/store"],
            "endpoint 'ftp://example.org/store' is not an http:// or https:// URL (e.g. http://127.0.0.1:7878/store)",
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
    ids=["scheme", "credentials-in-url", "graph-iri", "graph-iri-injection", "no-password", "base-iri"],
)
def test_bad_input_fails_in_one_line(args, message):
    result = run("push", *args, env={"GRAPHKIT_STORE_PASSWORD": None})
    assert result.exit_code == 1
    assert result.output.splitlines() == [f"Error: {message}"]


@dataclass
class Received:
    requests: list[tuple[str, str, str | None, bytes]] = field(default_factory=list)


class AuthStore(http.server.ThreadingHTTPServer):
    """A real loopback HTTP server that wants Basic credentials alice:s3cret, and keeps what it gets."""

    def __init__(self) -> None:
        self.received = Received()
        super().__init__(("127.0.0.1", 0), _AuthHandler)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}/store"


class _AuthHandler(http.server.BaseHTTPRequestHandler):
    def log_message(self, *args) -> None:
        pass

    def do_PUT(self) -> None:
        body = self.rfile.read(int(self.headers["Content-Length"]))
        auth = self.headers.get("Authorization")
        self.server.received.requests.append((self.path, self.headers["Content-Type"], auth, body))
        if auth != "Basic " + base64.b64encode(b"alice:s3cret").decode():
            self.send_response(401)
            self.send_header("WWW-Authenticate", 'Basic realm="store"')
            self.end_headers()
            return
        if self.path.startswith("/store?graph="):
            self.send_response(204)
        else:
            self.send_response(307)
            self.send_header("Location", "http://127.0.0.1:1/elsewhere?graph=x")
        self.end_headers()


def test_authentication(serve_in_thread):
    store = serve_in_thread(AuthStore())
    no_user = run("push", "-e", store.url)
    assert no_user.exit_code == 1
    assert no_user.output.splitlines() == [
        f"Error: {store.url}: authentication needed (HTTP 401; pass --user NAME and set GRAPHKIT_STORE_PASSWORD)"
    ]
    wrong = run("push", "-e", store.url, "--user", "alice", env={"GRAPHKIT_STORE_PASSWORD": "guess"})
    assert wrong.exit_code == 1
    assert wrong.output.splitlines() == [
        f"Error: {store.url}: the store refused user 'alice' (HTTP 401; check the password in GRAPHKIT_STORE_PASSWORD)"
    ]
    store.received.requests.clear()
    ok = run("push", "-e", store.url, "-u", "alice", "-g", GRAPH, "--password-env", "MY_PW", env={"MY_PW": "s3cret"})
    assert ok.exit_code == 0, ok.output
    [(path, content_type, _auth, body)] = store.received.requests  # credentials went with the first request
    assert path == "/store?" + urllib.parse.urlencode({"graph": GRAPH})
    assert content_type == "application/n-triples; charset=utf-8"
    assert canonical(q.triple for q in ox.parse(body, ox.RdfFormat.N_TRIPLES)) == local()


def test_a_redirect_is_reported_not_followed(serve_in_thread):
    store = serve_in_thread(AuthStore())
    with pytest.raises(StoreError) as err:
        push_triples([], store.url.replace("/store", "/old"), GRAPH, user="alice", password="s3cret")
    assert str(err.value) == (
        f"{store.url.replace('/store', '/old')}: redirected to http://127.0.0.1:1/elsewhere (give that URL as the endpoint)"
    )
    assert [r[0] for r in store.received.requests] == ["/old?" + urllib.parse.urlencode({"graph": GRAPH})]
