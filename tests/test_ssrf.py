"""No query reaches beyond the library: a listener on 127.0.0.1 counts every connection made to it.

Each query of the corpus asks, in its own disguise, for SERVICE (or FROM) at the listener. Run
directly on a pyoxigraph store, the disguised queries do reach it (the control test), so the
listener would see a leak; through every way graphkit takes a query, they must not.
"""

from __future__ import annotations

import importlib
import json
import re
import socketserver
import threading
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pyoxigraph as ox
import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import graphkit
from graphkit.cli import cli
from graphkit.errors import QueryError, QueryRefused
from graphkit.query import query
from graphkit.query.guard import read_query
from graphkit.serve import Server

NO_PROXY = urllib.request.build_opener(urllib.request.ProxyHandler({}))
ANSWER = b'{"head":{"vars":["a"]},"results":{"bindings":[{"a":{"type":"literal","value":"LEAK"}}]}}'


class Listener(socketserver.ThreadingTCPServer):
    """Counts every connection; answers each HTTP request with one SPARQL JSON row."""

    daemon_threads = True
    allow_reuse_address = True

    def __init__(self) -> None:
        self.connections = 0
        self.lock = threading.Lock()
        super().__init__(("127.0.0.1", 0), _Count)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"


class _Count(socketserver.StreamRequestHandler):
    server: Listener

    def handle(self) -> None:
        with self.server.lock:
            self.server.connections += 1
        try:
            while self.rfile.readline() not in (b"\r\n", b"\n", b""):
                pass
            head = f"HTTP/1.1 200 OK\r\nContent-Type: application/sparql-results+json\r\nContent-Length: {len(ANSWER)}\r\nConnection: close\r\n\r\n"
            self.wfile.write(head.encode() + ANSWER)
        except OSError:
            pass


@pytest.fixture(scope="module")
def listener() -> Iterator[Listener]:
    server = Listener()
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


# {U} is the listener's URL, {P} its port.
CORPUS = {
    "plain": "SELECT * WHERE { SERVICE <{U}/x> { ?a ?b ?c } }",
    "escaped-newline-opens-a-comment": 'SELECT * WHERE { BIND("\\u000A#" AS ?x) SERVICE <{U}/x> { ?a ?b ?c } }',
    "escaped-backslash": 'SELECT * WHERE { BIND("\\u005c" AS ?x) SERVICE <{U}/y> { ?a ?b ?c } BIND("y" AS ?y) }',
    "escaped-quote": 'SELECT * WHERE { BIND("\\u0022" AS ?x) SERVICE <{U}/x> { ?a ?b ?c } }',
    "escaped-newline-in-comment": "SELECT * WHERE { ?s ?p ?o # \\u000A SERVICE <{U}/x> { ?a ?b ?c }\n }",
    "escaped-keyword": "SELECT * WHERE { \\u0053ERVICE <{U}/x> { ?a ?b ?c } }",
    "escaped-iri": "SELECT * WHERE { SERVICE <http://127.0.0.1:{P}/\\u0078> { ?a ?b ?c } }",
    "recased": "select * where { sErViCe <{U}/x> { ?a ?b ?c } }",
    "silent": "SELECT * WHERE { SERVICE SILENT <{U}/x> { ?a ?b ?c } }",
    "glued-silent": "SELECT * WHERE { SERVICESILENT<{U}/x>{ ?a ?b ?c } }",
    "glued-after-filter": "SELECT * WHERE { ?s ?p ?o FILTER(true)SERVICE<{U}/x>{ ?a ?b ?c } }",
    "glued-after-bind": "SELECT * WHERE { BIND(1 AS ?x)SERVICE<{U}/x>{ ?a ?b ?c } }",
    "glued-after-comparison": "SELECT * WHERE { ?s ?p ?o FILTER(?o<?o)SERVICE<{U}/x>{ ?a ?b ?c } }",
    "glued-after-number": "SELECT * WHERE { ?s ?p 1SERVICE<{U}/x>{ ?a ?b ?c } }",
    "glued-after-true": "SELECT * WHERE { ?s ?p trueSERVICE<{U}/x>{ ?a ?b ?c } }",
    "empty-prefix": "PREFIX : <{U}/> SELECT * WHERE { SERVICE:x { ?a ?b ?c } }",
    "prefixed-endpoint": "PREFIX ep: <{U}/> SELECT * WHERE { SERVICE ep:x { ?a ?b ?c } }",
    "relative-to-base": "BASE <{U}/> SELECT * WHERE { SERVICE <x> { ?a ?b ?c } }",
    "after-a-dotted-name": "PREFIX gk: <http://x/> SELECT * WHERE { ?s ?p gk:a.b.SERVICE <{U}/x> { ?a ?b ?c } }",
    "comment-before": "SELECT * WHERE { # SERVICE in a comment, then the real one\n SERVICE <{U}/x> { ?a ?b ?c } }",
    "crlf-and-tabs": "SELECT\t*\r\nWHERE {\r\nSERVICE\t<{U}/x>\r\n{ ?a ?b ?c } }",
    "subquery": "SELECT * WHERE { { SELECT * WHERE { SERVICE <{U}/x> { ?a ?b ?c } } } }",
    "optional": "SELECT * WHERE { OPTIONAL { SERVICE <{U}/x> { ?a ?b ?c } } }",
    "exists": "SELECT * WHERE { BIND(1 AS ?one) FILTER EXISTS { SERVICE <{U}/x> { ?a ?b ?c } } }",
    "not-exists": "ASK { FILTER NOT EXISTS { SERVICE <{U}/x> { ?a ?b ?c } } }",
    "exists-in-select": "SELECT (EXISTS { SERVICE <{U}/x> { ?a ?b ?c } } AS ?e) WHERE { }",
    "minus": "SELECT * WHERE { BIND(1 AS ?one) MINUS { SERVICE <{U}/x> { ?a ?b ?c } } }",
    "union": "SELECT * WHERE { { BIND(1 AS ?one) } UNION { SERVICE <{U}/x> { ?a ?b ?c } } }",
    "lateral": "SELECT * WHERE { BIND(1 AS ?one) LATERAL { SERVICE <{U}/x> { ?a ?b ?c } } }",
    "service-variable": "SELECT * WHERE { VALUES ?u { <{U}/x> } SERVICE ?u { ?a ?b ?c } }",
    "service-dollar-variable": "SELECT * WHERE { VALUES $u { <{U}/x> } SERVICE $u { ?a ?b ?c } }",
    "construct": "CONSTRUCT { ?a ?b ?c } WHERE { SERVICE <{U}/x> { ?a ?b ?c } }",
    "describe": "DESCRIBE ?a WHERE { SERVICE <{U}/x> { ?a ?b ?c } }",
    "ask": "ASK { SERVICE <{U}/x> { ?a ?b ?c } }",
    "from": "SELECT * FROM <{U}/g> WHERE { ?a ?b ?c }",
    "from-named": "SELECT * FROM NAMED <{U}/g> WHERE { GRAPH ?g { ?a ?b ?c } }",
    "from-glued-to-empty-prefix": "PREFIX : <{U}/> SELECT * FROM:g WHERE { ?a ?b ?c }",
}


def corpus(listener: Listener) -> dict[str, str]:
    port = str(listener.server_address[1])
    return {name: text.replace("{U}", listener.url).replace("{P}", port) for name, text in CORPUS.items()}


def engine_store() -> ox.Store:
    store = ox.Store()
    store.add(ox.Quad(ox.NamedNode("http://x/s"), ox.NamedNode("http://x/p"), ox.Literal("o")))
    return store


def run_on_engine(store: ox.Store, text: str) -> None:
    """Run a query on pyoxigraph itself, with no check of graphkit's in between."""
    try:
        result = store.query(text)
        if not isinstance(result, ox.QueryBoolean):
            list(result)
    except (SyntaxError, OSError, RuntimeError, ValueError):
        pass


@pytest.mark.parametrize(
    "name", ["plain", "escaped-newline-opens-a-comment", "escaped-backslash", "empty-prefix", "glued-silent"]
)
def test_control_the_engine_alone_does_reach_the_listener(listener, name):
    before = listener.connections
    run_on_engine(engine_store(), corpus(listener)[name])
    assert listener.connections > before


@pytest.mark.parametrize("name", sorted(CORPUS), ids=sorted(CORPUS))
def test_the_python_api_refuses_every_disguise(listener, sample_library, name):
    before = listener.connections
    with pytest.raises(QueryRefused, match=r"^(SERVICE|FROM) is refused|^the query reads differently"):
        query(sample_library, corpus(listener)[name])
    assert listener.connections == before


def test_the_two_reported_queries_get_one_clear_line(listener, sample_library):
    port = listener.server_address[1]
    before = listener.connections
    for text in (
        f'SELECT * WHERE {{ BIND("\\u000A#" AS ?x) SERVICE <http://127.0.0.1:{port}/x> {{ ?a ?b ?c }} }}',
        f'SELECT * WHERE {{ BIND("\\u005c" AS ?x) SERVICE <http://127.0.0.1:{port}/y> {{ ?a ?b ?c }} BIND("y" AS ?y) }}',
    ):
        result = CliRunner().invoke(cli, ["query", str(graphkit.sample_library()), text])
        assert (result.exit_code, result.output) == (
            1,
            "Error: SERVICE is refused: a query runs on the library only, never on another endpoint\n",
        )
    assert listener.connections == before


@pytest.fixture(scope="module")
def exported(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("export") / "library.ttl"
    assert CliRunner().invoke(cli, ["export", str(graphkit.sample_library()), "-o", str(path)]).exit_code == 0
    return path


@pytest.mark.parametrize("source", ["folder", "file"])
def test_graphkit_query_refuses_every_disguise(listener, exported, source):
    where = str(graphkit.sample_library()) if source == "folder" else str(exported)
    before = listener.connections
    for name, text in corpus(listener).items():
        result = CliRunner().invoke(cli, ["query", where, text])
        assert result.exit_code == 1, name
        assert result.output.startswith(
            ("Error: SERVICE is refused", "Error: FROM is refused", "Error: the query reads differently")
        ), name
        assert "\n" not in result.output.rstrip("\n"), name
    assert listener.connections == before


@pytest.fixture(scope="module")
def server(sample_library):
    with Server(sample_library.graph, port=0) as s:
        s.serve_in_thread()
        yield s


def _ways(url: str, text: str) -> Iterator[tuple[str, urllib.request.Request]]:
    """Every way graphkit serve takes a query, some spelled as a client might spell them."""
    encoded = urllib.parse.urlencode({"query": text})
    every_byte = "".join(f"%{b:02X}" for b in text.encode())
    yield "get", urllib.request.Request(f"{url}?{encoded}")
    yield "get-every-byte-encoded", urllib.request.Request(f"{url}?query={every_byte}")
    yield "head", urllib.request.Request(f"{url}?{encoded}", method="HEAD")
    for media in ("application/sparql-query", "Application/SPARQL-Query; charset=UTF-8"):
        yield f"post-{media}", urllib.request.Request(url, data=text.encode(), headers={"Content-Type": media})
    for media in (
        "application/x-www-form-urlencoded",
        "Application/X-WWW-Form-Urlencoded",
        "application/x-www-form-urlencoded ; charset=utf-8",
    ):
        yield f"form-{media}", urllib.request.Request(url, data=encoded.encode(), headers={"Content-Type": media})
    yield (
        "form-every-byte-encoded",
        urllib.request.Request(
            url, data=f"query={every_byte}".encode(), headers={"Content-Type": "application/x-www-form-urlencoded"}
        ),
    )


def test_graphkit_serve_refuses_every_disguise_every_way(listener, server):
    before = listener.connections
    for name, text in corpus(listener).items():
        for way, request in _ways(server.sparql_url, text):
            with pytest.raises(urllib.error.HTTPError) as err:
                NO_PROXY.open(request, timeout=15)
            assert err.value.code == 403, (name, way)
    assert listener.connections == before
    answer = NO_PROXY.open(urllib.request.Request(server.sparql_url + "?query=ASK%7B%7D"), timeout=15)
    assert json.load(answer)["boolean"] is True


# --------------------------------------------------------------------------- the class, not the examples

_INSERTS = [" ", "\n", "\t", "#", "# x\n", '"', "'", "\\", "\\u000A", "\\u000D", "\\u0022", "\\u0027", "\\u005c",
            "\\u0023", "\\u003C", "\\u003E", ".", ":", "<", ">", "(", ")", "{", "}", "a", "1", "true", "_:b", "@en",
            "?", "$", "SILENT", "SERVICE", "\\u0053", "%53"]  # fmt: skip


@st.composite
def disguises(draw: st.DrawFn, texts: list[str]) -> str:
    text = draw(st.sampled_from(texts))
    for _ in range(draw(st.integers(1, 4))):
        at = draw(st.integers(0, len(text)))
        how = draw(st.sampled_from(["insert", "escape", "case"]))
        if how == "insert":
            text = text[:at] + draw(st.sampled_from(_INSERTS)) + text[at:]
        elif at < len(text) and how == "escape":
            text = text[:at] + f"\\u{ord(text[at]):04X}" + text[at + 1 :]
        elif at < len(text):
            text = text[:at] + text[at].swapcase() + text[at + 1 :]
    return text


def test_what_the_check_accepts_never_reaches_the_listener(listener):
    """Disguises made at random: whatever read_query lets through, the engine runs without a request."""
    texts = list(corpus(listener).values())
    store = engine_store()

    @settings(max_examples=1500, deadline=None, suppress_health_check=[HealthCheck.too_slow], database=None)
    @given(disguises(texts))
    def accepted_queries_make_no_request(text: str) -> None:
        try:
            read_query(text)
        except QueryError:
            return
        before = listener.connections
        run_on_engine(store, text)
        assert listener.connections == before, text

    accepted_queries_make_no_request()


@settings(max_examples=300, deadline=None, database=None)
@given(st.text())
def test_any_text_is_read_or_refused_in_one_line(text):
    try:
        read_query(text)
    except QueryError as err:
        assert "\n" not in str(err)


# The grammar's productions as SPARQL 1.1 writes them ("(X | '.')* X"), beside the guard's
# shorter spelling ("('.'* X)*", each large class compiled once fewer): they must read the same names.
_G = importlib.import_module("graphkit.query.guard")
GRAMMAR_PREFIX = rf"[{_G._BASE}](?:[{_G._CHARS}.]*[{_G._CHARS}])?"
GRAMMAR_LOCAL = rf"(?:[{_G._U}:0-9]|{_G._PLX})(?:(?:[{_G._CHARS}.:]|{_G._PLX})*(?:[{_G._CHARS}:]|{_G._PLX}))?"
GRAMMAR_PNAME = re.compile(rf"({GRAMMAR_PREFIX})?:({GRAMMAR_LOCAL})?")
GRAMMAR_WORD = re.compile(GRAMMAR_PREFIX)
GRAMMAR_BNODE = re.compile(rf"_:[{_G._U}0-9](?:[{_G._CHARS}.]*[{_G._CHARS}])?")
# Characters on both sides of every edge of the classes, and the ones that end or escape a name.
# (The classes themselves come from the guard: this holds the spelling of the names to the grammar.)
NAME_TEXT = st.text(
    alphabet="aZ_0-.:%fG\\~·×÷é\u00bf\u00c0\u00d6\u00d8\u00f6\u00f8\u02ff\u0300\u036f\u0370\u037d\u037e\u037f"
    "\u1fff\u2000\u200c\u200d\u200e\u203f\u2040\u2041\u206f\u2070\u218f\u2190\u2bff\u2c00\u2fef\u2ff0"
    "\u3000\u3001\ud7ff\uf8ff\uf900\ufdcf\ufdd0\ufdef\ufdf0\ufffd\ufffe\U00010000\U000effff\U000f0000 ?",
    max_size=12,
)


@settings(max_examples=3000, deadline=None, database=None)
@given(NAME_TEXT)
def test_the_guard_reads_names_as_the_grammar_spells_them(text):
    m = GRAMMAR_PNAME.match(text)
    word = GRAMMAR_WORD.match(text)
    expected = ("pname", m.group(0)) if m else ("word", word.group(0)) if word else None
    name = _G._NAME.match(text)
    got = ("pname", name.group(0)) if name.group(2) is not None else ("word", name.group(0)) if name.group(1) else None
    assert got == expected
    text = "_:" + text
    bnode = GRAMMAR_BNODE.match(text)
    assert (bnode and bnode.group(0)) == (_G._BNODE.match(text) and _G._BNODE.match(text).group(0))
