"""graphkit push --user into a real Virtuoso on loopback, through its Digest-protected endpoints."""

from __future__ import annotations

import os
import secrets
import shutil
import subprocess
import urllib.parse
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal

import pyoxigraph as ox
import pytest

from graphkit.store import STAGING_PREFIX

from .test_store import free_port, local, run, stop, wait_for

XSD = "http://www.w3.org/2001/XMLSchema#"
USER = "graphkit"

# A database of its own in a temporary folder, listening on loopback only.
INI = """\
[Database]
DatabaseFile = virtuoso.db
ErrorLogFile = virtuoso.log
LockFile = virtuoso.lck
TransactionFile = virtuoso.trx
xa_persistent_file = virtuoso.pxa
TempStorage = TempDatabase
[TempDatabase]
DatabaseFile = virtuoso-temp.db
TransactionFile = virtuoso-temp.trx
[Parameters]
ServerPort = 127.0.0.1:{sql_port}
DisableUnixSocket = 1
NumberOfBuffers = 2000
MaxDirtyBuffers = 1200
CheckpointInterval = 0
DirsAllowed = .
[HTTPServer]
ServerPort = 127.0.0.1:{http_port}
ServerThreads = 4
MaxClientConnections = 4
[SPARQL]
ResultSetMaxRows = 1000000
"""


@dataclass
class Virtuoso:
    url: str
    password: str

    def construct(self, where: str) -> set[ox.Triple]:
        """The triples that match ``where``, as the public /sparql endpoint gives them back."""
        request = urllib.request.Request(
            self.url + "/sparql",
            data=urllib.parse.urlencode({"query": f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ {where} }}"}).encode(),
            headers={"Accept": "application/n-triples"},
        )
        with urllib.request.urlopen(request, timeout=30) as response:
            return {q.triple for q in ox.parse(response.read(), ox.RdfFormat.N_TRIPLES)}

    def graph(self, iri: str) -> set[ox.Triple]:
        return self.construct(f"GRAPH {ox.NamedNode(iri)} {{ ?s ?p ?o }}")

    def staging(self) -> set[ox.Triple]:
        return self.construct(f'GRAPH ?g {{ ?s ?p ?o }} FILTER(STRSTARTS(STR(?g), "{STAGING_PREFIX}"))')


def missing(reason: str) -> None:
    """Skip, except in CI (``CI=true``), where a missing Virtuoso is a failure (as for the browser tests)."""
    if os.environ.get("CI") == "true":
        pytest.fail(f"CI needs the Virtuoso tests: {reason}")
    pytest.skip(reason)


@pytest.fixture(scope="session")
def virtuoso(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Virtuoso]:
    program, isql = shutil.which("virtuoso-t"), shutil.which("isql-vt")
    if program is None or isql is None:
        missing("Virtuoso is not installed (apt-get install virtuoso-opensource)")
    for _attempt in range(3):  # a free port may be taken between asking and binding
        folder = tmp_path_factory.mktemp("virtuoso")
        sql_port, http_port = free_port(), free_port()
        (folder / "virtuoso.ini").write_text(INI.format(sql_port=sql_port, http_port=http_port), encoding="utf-8")
        process = subprocess.Popen(
            [program, "+foreground", "+configfile", "virtuoso.ini"],
            cwd=folder,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            wait_for(f"http://127.0.0.1:{http_port}/sparql", process, seconds=60)
            break
        except RuntimeError:
            stop(process)
    else:
        pytest.fail(f"virtuoso-t did not start; see {folder / 'virtuoso.log'}")
    try:
        password = secrets.token_hex(8)
        # A new database has dba/dba: set a password, and add a user that may only update RDF.
        setup = (
            f"USER_SET_PASSWORD('dba', '{secrets.token_hex(8)}'); "
            f"DB.DBA.USER_CREATE('{USER}', '{password}'); "
            f'GRANT SPARQL_UPDATE TO "{USER}";'
        )
        done = subprocess.run(
            [isql, f"127.0.0.1:{sql_port}", "dba", "dba", f"exec={setup}"],
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert done.returncode == 0 and "Error" not in done.stdout + done.stderr, done.stdout + done.stderr
        yield Virtuoso(f"http://127.0.0.1:{http_port}", password)
    finally:
        stop(process)


def same_value(triples: set[ox.Triple]) -> set[ox.Triple]:
    """Virtuoso keeps a decimal with a whole value ("3.0") as an xsd:integer of the same value."""
    out = set()
    for t in triples:
        o = t.object
        if isinstance(o, ox.Literal) and o.datatype.value == XSD + "decimal" and Decimal(o.value) % 1 == 0:
            o = ox.Literal(str(int(Decimal(o.value))), datatype=ox.NamedNode(XSD + "integer"))
        out.add(ox.Triple(t.subject, t.predicate, o))
    return out


@pytest.mark.parametrize(
    "protocol, path, requests",
    [("gsp", "/sparql-graph-crud-auth", "1 request"), ("update", "/sparql-auth", "6 requests")],
    ids=["gsp", "update"],
)
def test_push_with_user_into_virtuoso(virtuoso, protocol, path, requests):
    graph = f"https://example.org/graphs/{protocol}"
    endpoint = virtuoso.url + path
    args = ["push", "-e", endpoint, "-g", graph, "-p", protocol, "--batch-size", "1000", "-u", USER]
    result = run(*args, env={"GRAPHKIT_STORE_PASSWORD": virtuoso.password})
    assert result.exit_code == 0, result.output
    expected = local()
    assert result.output == f"{graph}: {len(expected)} triples pushed to {endpoint} ({protocol}, {requests})\n"
    stored = virtuoso.graph(graph)
    assert len(stored) == len(expected)
    assert same_value(stored) == same_value(expected)
    assert virtuoso.staging() == set()


def test_a_wrong_password_is_refused_by_virtuoso(virtuoso):
    endpoint = virtuoso.url + "/sparql-graph-crud-auth"
    args = ["push", "-e", endpoint, "-g", "https://example.org/graphs/refused", "-u", USER]
    result = run(*args, env={"GRAPHKIT_STORE_PASSWORD": "guess"})
    assert result.exit_code == 1
    assert result.output.splitlines() == [
        f"Error: {endpoint}: the store refused user '{USER}' (HTTP 401; check the password in GRAPHKIT_STORE_PASSWORD)"
    ]
    assert virtuoso.graph("https://example.org/graphs/refused") == set()
