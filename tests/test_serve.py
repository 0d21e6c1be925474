"""graphkit serve: a real Oxigraph child behind a local HTTP server, the query panel in headless Chromium."""

from __future__ import annotations

import json
import os
import queue
import shutil
import signal
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import pytest
from click.testing import CliRunner

import graphkit
from graphkit.cli import cli
from graphkit.query import find_queries, query
from graphkit.serve import Server, library_server, to_served_page

from .test_store import free_port

REPO = Path(__file__).resolve().parent.parent
HOSTILE = Path(__file__).parent / "data" / "hostile"
#: Values for the shipped queries' parameters, chosen so that each query has rows.
BINDINGS = {"pattern": "gap-analysis", "text": "lean"}
BINDINGS_FOR = {
    "enables-transitively": {"pattern": "alignment-monitoring"},
    "generalization-tree": {"pattern": "feedback-escalation"},
}


def bindings_for(name: str) -> dict[str, str]:
    return BINDINGS_FOR.get(name) or {p: BINDINGS[p] for p in find_queries()[name].parameters}


NO_PROXY = urllib.request.build_opener(urllib.request.ProxyHandler({}))


def post(url: str, text: str, accept: str = "application/sparql-results+json", **headers: str):
    request = urllib.request.Request(
        url, data=text.encode(), headers={"Content-Type": "application/sparql-query", "Accept": accept, **headers}
    )
    with NO_PROXY.open(request, timeout=15) as response:
        return json.load(response) if "json" in accept else response.read()


def values(result: dict) -> list[list[str | None]]:
    """SPARQL JSON results as rows of lexical values (None where unbound)."""
    names = result["head"]["vars"]
    return [[row[n]["value"] if n in row else None for n in names] for row in result["results"]["bindings"]]


def local_values(name: str, library: graphkit.Library) -> tuple[list[str], list[list[str | None]]]:
    result = query(library, name, bindings_for(name))
    return list(result.variables), [[t.value if t is not None else None for t in row] for row in result.terms]


def with_values(text: str, bindings: dict[str, str]) -> str:
    """The query with a VALUES block opening its WHERE group, as the page's panel binds parameters."""
    at = text.index("{")
    assert "#" not in text[text.index("SELECT") : at]  # no comment with a brace before the group
    block = "".join(f' VALUES ?{k} {{ "{v}" }}' for k, v in bindings.items())
    return text[: at + 1] + block + text[at + 1 :]


@pytest.fixture(scope="module")
def server(sample_library):
    with Server(sample_library.graph, port=0) as s:
        s.serve_in_thread()
        yield s


# --------------------------------------------------------------------------- the endpoint


def test_the_endpoint_answers_every_example_query_as_graphkit_query_does(server, sample_library):
    assert len(find_queries()) >= 10
    for name, q in find_queries().items():
        result = post(server.sparql_url, with_values(q.text, bindings_for(name)))
        variables, rows = local_values(name, sample_library)
        assert result["head"]["vars"] == variables, name
        assert values(result) == rows, name
        assert rows, f"{name} gives no rows: choose BINDINGS that exercise it"


def test_the_endpoint_holds_the_library_and_the_ontology(server, sample_library):
    count = post(server.sparql_url, "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }")
    expected = len(graphkit.rdf.to_triples(sample_library.graph, with_ontology=True))
    assert values(count) == [[str(expected)]]
    ontology = "ASK { <https://w3id.org/graphkit/ontology> a <http://www.w3.org/2002/07/owl#Ontology> }"
    assert post(server.sparql_url, ontology)["boolean"] is True


def test_the_endpoint_speaks_the_sparql_protocol(server):
    text = "SELECT ?slug WHERE { ?p <https://w3id.org/graphkit/ontology#slug> ?slug } ORDER BY ?slug LIMIT 2"
    url = server.sparql_url + "?" + urllib.parse.urlencode({"query": text})
    request = urllib.request.Request(url, headers={"Accept": "text/csv"})
    with NO_PROXY.open(request, timeout=15) as response:
        assert response.read().decode().splitlines() == [
            "slug",
            "5s-methodology",
            "5s-methodology-workplace-organization",
        ]
    form = urllib.request.Request(
        server.sparql_url,
        data=urllib.parse.urlencode({"query": text}).encode(),
        headers={"Content-Type": "application/x-www-form-urlencoded", "Accept": "application/sparql-results+json"},
    )
    with NO_PROXY.open(form, timeout=15) as response:
        assert values(json.load(response)) == [["5s-methodology"], ["5s-methodology-workplace-organization"]]


@pytest.mark.parametrize(
    "method, path, body, headers, status, message",
    [
        (
            "POST",
            "sparql",
            b"update=DROP ALL",
            {"Content-Type": "application/x-www-form-urlencoded"},
            403,
            "this endpoint is read-only: queries only, no updates",
        ),
        (
            "POST",
            "sparql",
            b"DROP ALL",
            {"Content-Type": "Application/SPARQL-Update; charset=utf-8"},
            403,
            "this endpoint is read-only: queries only, no updates",
        ),
        (
            "POST",
            "sparql",
            b"DROP ALL",
            {"Content-Type": "application/sparql-query"},
            403,
            "DROP is refused: graphkit runs read-only queries (SELECT, ASK, CONSTRUCT, DESCRIBE)",
        ),
        (
            "POST",
            "sparql",
            b"query=SELECT+*+WHERE+%7B+%53ERVICE+%3Chttp://127.0.0.1:9/x%3E+%7B+?s+?p+?o+%7D+%7D",
            {"Content-Type": "Application/X-WWW-Form-Urlencoded"},
            403,
            "SERVICE is refused: a query runs on the library only, never on another endpoint",
        ),
        (
            "GET",
            "sparql?query=ASK+%7B%7D&default-graph-uri=http://127.0.0.1:9/g",
            None,
            {},
            403,
            "default-graph-uri and named-graph-uri are refused, as FROM is: a query runs on the library's own data",
        ),
        (
            "POST",
            "sparql?named-graph-uri=http://127.0.0.1:9/g",
            b"ASK {}",
            {"Content-Type": "application/sparql-query"},
            403,
            "default-graph-uri and named-graph-uri are refused, as FROM is: a query runs on the library's own data",
        ),
        (
            "GET",
            "sparql?query=ASK+%7B%7D&query=SELECT+*+WHERE+%7B%7D",
            None,
            {},
            400,
            "give one query per request",
        ),
        (
            "POST",
            "sparql",
            b"query=ASK+%7B%7D%ff",
            {"Content-Type": "application/x-www-form-urlencoded"},
            400,
            "the form is not percent-encoded UTF-8",
        ),
        (
            "POST",
            "sparql",
            b"ASK {}",
            {"Content-Type": "text/plain"},
            415,
            "send application/sparql-query or a form with query=...",
        ),
        (
            "GET",
            "",
            None,
            {"Host": "attacker.example"},
            403,
            "unknown Host header (open the URL graphkit serve printed)",
        ),
        (
            "POST",
            "sparql",
            b"query=ASK+%7B%7D",
            {"Content-Type": "application/x-www-form-urlencoded", "Origin": "https://attacker.example"},
            403,
            "cross-origin requests are refused",
        ),
        (
            "POST",
            "sparql",
            b"SELECT * WHERE { SERVICE <http://127.0.0.1:9/sparql> { ?s ?p ?o } }",
            {"Content-Type": "application/sparql-query"},
            403,
            "SERVICE is refused: a query runs on the library only, never on another endpoint",
        ),
        (
            "GET",
            "sparql?query=" + urllib.parse.quote("SELECT * FROM <file:///etc/passwd> WHERE { ?s ?p ?o }"),
            None,
            {},
            403,
            "FROM is refused: a query runs on the library's own data (drop the FROM clause)",
        ),
        ("GET", "store", None, {}, 404, "not found: the map is at /, the SPARQL endpoint at /sparql"),
        ("GET", "sparql", None, {}, 400, "give a SPARQL query: GET /sparql?query=... or POST /sparql"),
    ],
    ids=[
        "form-update",
        "update-body",
        "update-as-query",
        "service-in-recased-encoded-form",
        "default-graph-uri",
        "named-graph-uri",
        "two-queries",
        "bad-form",
        "other-type",
        "dns-rebinding",
        "cross-origin",
        "service",
        "from",
        "unknown-path",
        "no-query",
    ],  # fmt: skip
)
def test_the_endpoint_refuses(server, method, path, body, headers, status, message):
    request = urllib.request.Request(server.url + path, data=body, method=method, headers=headers)
    with pytest.raises(urllib.error.HTTPError) as err:
        NO_PROXY.open(request, timeout=15)
    assert err.value.code == status
    assert err.value.read().decode() == message + "\n"
    ask = "ASK { ?s ?p ?o }"
    assert post(server.sparql_url, ask)["boolean"] is True  # nothing was dropped


@pytest.mark.parametrize("method", ["PUT", "DELETE", "PATCH", "OPTIONS", "TRACE", "PROPFIND"])
@pytest.mark.parametrize("path, allowed", [("sparql", "GET, HEAD, POST"), ("", "GET, HEAD")], ids=["sparql", "page"])
def test_other_methods_get_405_with_allow(server, method, path, allowed):
    request = urllib.request.Request(server.url + path, data=b"DROP ALL", method=method)
    with pytest.raises(urllib.error.HTTPError) as err:
        NO_PROXY.open(request, timeout=15)
    assert (err.value.code, err.value.headers["Allow"]) == (405, allowed)
    assert err.value.read().decode() == f"use {allowed} here\n"


def test_a_query_given_up_stops_using_the_cpu(sample_library):
    with Server(sample_library.graph, port=0, timeout=1) as s:
        s.serve_in_thread()
        first = s.sparql.process
        heavy = "SELECT ?c WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i } ORDER BY ?c LIMIT 1"  # Oxigraph sorts on past its timeout
        with pytest.raises(urllib.error.HTTPError) as err:
            post(s.sparql_url, heavy)
        assert (err.value.code, err.value.read().decode()) == (504, "the query took longer than 1 s and was stopped\n")
        assert first.poll() is not None  # the child that was computing is gone, with its CPU use
        assert s.sparql.process is not first
        assert post(s.sparql_url, "ASK { ?s ?p ?o }")["boolean"] is True  # and a new one answers


def test_a_bad_query_gets_oxigraph_s_message(server):
    with pytest.raises(urllib.error.HTTPError) as err:
        post(server.sparql_url, "SELECT WHERE {")
    assert err.value.code == 400
    assert "error" in err.value.read().decode().lower()


def test_the_page_is_the_map_with_the_query_panel(sample_library):
    page = to_served_page(sample_library.graph, title="sample")
    data = json.loads(page.split('<script type="application/json" id="gkq-data">', 1)[1].split("</script>", 1)[0])
    assert [q["name"] for q in data["queries"]] == list(find_queries())
    assert data["endpoint"] == "sparql"
    assert "https://" not in page.split("<script")[0].split("<style")[0]


# --------------------------------------------------------------------------- a library kept in the cache


def _write_pattern(root: Path, slug: str, title: str) -> None:
    path = root / f"{slug}.md"
    path.write_text(f"---\nslug: {slug}\ntitle: {title}\n---\n", encoding="utf-8")
    info = path.stat()  # a minute back: a file written within 2 s keeps no store
    os.utime(path, ns=(info.st_atime_ns, info.st_mtime_ns - 60 * 1_000_000_000))


def _served(server: Server) -> tuple[bytes, list[list[str | None]], str]:
    """The page, the patterns' titles from the endpoint, and the store Oxigraph serves."""
    server.serve_in_thread()
    with urllib.request.urlopen(server.url, timeout=10) as response:
        page = response.read()
    label = "<http://www.w3.org/2004/02/skos/core#prefLabel>"
    titles = values(post(server.sparql_url, f"SELECT ?t WHERE {{ ?p {label} ?t }} ORDER BY ?t"))
    cmdline = Path(f"/proc/{server.sparql.process.pid}/cmdline").read_text().split("\0")
    return page, titles, cmdline[cmdline.index("--location") + 1]


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc to find the store served")
def test_an_unchanged_library_is_served_from_the_kept_store_and_page(tmp_path):
    library, cache = tmp_path / "library", tmp_path / "cache"
    library.mkdir()
    _write_pattern(library, "a", "Alpha")
    with library_server(library, cache, port=0) as first:
        page, titles, location = _served(first)
    first_page = page
    assert first.store.built and titles == [["Alpha"]] and location == str(first.store.location)
    (kept_page,) = first.store.path.glob("page-*.html")
    assert kept_page.read_bytes() == page and b"<title>library</title>" in page
    seen = kept_page.stat()
    with library_server(library, cache, port=0) as again:
        assert (again.store.built, again.store.library, again.G) == (False, None, None)  # nothing loaded
        assert _served(again) == (page, titles, location)
    assert (kept_page.stat().st_ino, kept_page.stat().st_mtime_ns) == (seen.st_ino, seen.st_mtime_ns)
    with library_server(library, cache, port=0, title="Another title") as titled:
        assert b"<title>Another title</title>" in _served(titled)[0]
    assert len(list(first.store.path.glob("page-*.html"))) == 2  # one page for each title

    _write_pattern(library, "a", "Alpha, renamed")
    with library_server(library, cache, port=0) as changed:
        page, titles, location = _served(changed)
    assert changed.store.built and titles == [["Alpha, renamed"]] and location != str(first.store.location)
    assert page != first_page and not first.store.path.exists()  # a new page; the older store is removed


# --------------------------------------------------------------------------- the command


def _children(pid: int) -> list[int]:
    """Live (non-zombie) processes whose parent is ``pid``, from /proc."""
    out = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            fields = stat.rsplit(")", 1)[1].split()
            if int(fields[1]) == pid and fields[0] != "Z":
                out.append(int(entry.name))
    return out


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


def _wait(predicate, seconds: float = 15.0) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.05)
    return False


def _start_serve(port: int) -> tuple[subprocess.Popen, list[str]]:
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    process = subprocess.Popen(
        [sys.executable, "-m", "graphkit", "serve", "--port", str(port)],
        cwd=REPO,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    lines: queue.Queue[str] = queue.Queue()
    threading.Thread(target=lambda: [lines.put(line) for line in process.stdout], daemon=True).start()
    got = []
    try:
        while len(got) < 2:
            got.append(lines.get(timeout=60).rstrip("\n"))
    except queue.Empty:
        process.kill()
        process.wait(timeout=10)
        pytest.fail(f"graphkit serve printed {got} and then nothing; stderr: {process.stderr.read()}")
    return process, got


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc to find the child process")
@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT], ids=["SIGTERM", "Ctrl-C"])
def test_graphkit_serve_answers_and_stops_cleanly(sig):
    port = free_port()
    process, lines = _start_serve(port)
    try:
        assert lines == [f"map     http://127.0.0.1:{port}/", f"SPARQL  http://127.0.0.1:{port}/sparql"]
        result = post(
            lines[1].split()[1], "SELECT (COUNT(?p) AS ?n) WHERE { ?p a <https://w3id.org/graphkit/ontology#Pattern> }"
        )
        assert values(result) == [["37"]]
        [child] = _children(process.pid)
        cmdline = Path(f"/proc/{child}/cmdline").read_text().split("\0")
        assert Path(cmdline[0]).name == "oxigraph" and cmdline[1] == "serve-read-only"
        location = Path(cmdline[cmdline.index("--location") + 1])
        assert location.is_dir() and location.parent.parent == Path(os.environ["GRAPHKIT_CACHE_DIR"])
        log = Path(os.readlink(f"/proc/{child}/fd/1"))  # oxigraph's output, in the server's temporary folder
        assert log.name == "oxigraph.log"
        process.send_signal(sig)
        assert process.wait(timeout=20) == 0
        assert process.stderr.read().splitlines()[-1] == "stopped."
        assert not _alive(child)
        assert not log.parent.exists()  # the temporary folder is gone
        assert location.is_dir()  # the store kept in the cache stays for the next start
    finally:
        if process.poll() is None:
            process.kill()
            process.wait(timeout=10)


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="the child dies with its parent on Linux only")
def test_a_killed_graphkit_serve_takes_oxigraph_along():
    process, _lines = _start_serve(free_port())
    try:
        [child] = _children(process.pid)
        folder = Path(os.readlink(f"/proc/{child}/fd/1")).parent  # the server's temporary folder
        process.kill()
        process.wait(timeout=10)
        assert _wait(lambda: not _alive(child)), "the oxigraph child outlived graphkit serve"
        shutil.rmtree(folder)  # nothing cleans up after a SIGKILL: the temporary folder stays
    finally:
        if process.poll() is None:
            process.kill()
            process.wait(timeout=10)


def test_a_taken_port_fails_in_one_line():
    import socket

    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen(1)
        port = taken.getsockname()[1]
        result = CliRunner().invoke(cli, ["serve", "--port", str(port)], catch_exceptions=False)
    assert result.exit_code == 1
    assert result.output.splitlines() == [
        f"Error: cannot serve on 127.0.0.1:{port} (Address already in use; choose another with --port, or --port 0 for any free port)"
    ]


def test_without_oxigraph_the_error_names_the_extra(monkeypatch, tmp_path):
    monkeypatch.setenv("PATH", str(tmp_path))
    monkeypatch.setattr(sys, "executable", str(tmp_path / "python"))
    result = CliRunner().invoke(cli, ["serve", "--port", "0"], catch_exceptions=False)
    assert result.exit_code == 1
    assert result.output.splitlines() == [
        "Error: the oxigraph SPARQL server is not installed (pip install 'graphkit[serve]', or pip install oxigraph)"
    ]


# --------------------------------------------------------------------------- in a browser


@pytest.fixture(scope="module")
def page(server, browser):
    context = browser.new_context(viewport={"width": 1400, "height": 900})
    tab = context.new_page()
    errors: list[str] = []
    tab.on("pageerror", lambda err: errors.append(str(err)))
    tab.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    tab.goto(server.url)
    tab.wait_for_function("() => window.gkFirstDraw !== undefined", timeout=30_000)
    tab.click("#gkq-toggle")
    tab.errors = errors
    yield tab
    context.close()


def _run_in_panel(tab, name: str, bindings: dict[str, str]) -> tuple[list[str], list[list[str]]]:
    tab.select_option("#gkq-example", name)
    for key, value in bindings.items():
        tab.fill(f"#gkq-param-{key}", value)
    tab.evaluate("document.querySelector('#gkq-status').textContent = ''")
    tab.click("#gkq-run")
    tab.wait_for_function(
        "() => / in \\d+ ms$|failed/.test(document.querySelector('#gkq-status').textContent)", timeout=15_000
    )
    status = tab.text_content("#gkq-status")
    assert " in " in status, status
    head = tab.eval_on_selector_all("#gkq-results th", "ths => ths.map(th => th.textContent)")
    rows = tab.eval_on_selector_all(
        "#gkq-results tbody tr",
        """trs => trs.map(tr => Array.from(tr.cells).map(td => {
              const a = td.querySelector('a');
              return a ? a.title : (td.title || td.textContent);
           }))""",
    )
    return head, rows


@pytest.mark.browser
def test_the_panel_runs_every_example_query(page, sample_library):
    for name in find_queries():
        head, rows = _run_in_panel(page, name, bindings_for(name))
        variables, expected = local_values(name, sample_library)
        assert head == variables, name
        assert rows == [[v if v is not None else "" for v in row] for row in expected], name
    assert page.errors == []


@pytest.mark.browser
def test_a_result_row_shows_its_pattern_on_the_map(page):
    _head, rows = _run_in_panel(page, "neighbours", {"pattern": "gap-analysis"})
    assert rows[0][:2] == ["gap-analysis", "https://w3id.org/graphkit/ontology#enabled_by"]
    assert page.text_content("#gkq-results tbody tr td:nth-child(2)") == "gk:enabled_by"
    page.click("#gkq-results tbody tr:first-child td:nth-child(3) a")
    page.wait_for_function("() => !document.getElementById('gk-details').hidden", timeout=10_000)
    assert page.evaluate("location.hash").startswith("#p=performance-sensing")
    assert page.text_content("#gk-d-title") == "Performance Sensing"


@pytest.mark.browser
def test_the_panel_binds_in_the_where_group_as_the_sparql_page_does(page):
    bind = "(q) => window.gkQuery.withBindings(q, {pattern: 'kanban'})"
    assert page.evaluate(bind, "CONSTRUCT { ?p gk:related ?q } WHERE { ?p gk:slug ?pattern }") == (
        'CONSTRUCT { ?p gk:related ?q } WHERE { VALUES ?pattern { "kanban" } ?p gk:slug ?pattern }'
    )
    assert page.evaluate(bind, "CONSTRUCT { ?p gk:x '{' } { ?p gk:slug ?pattern }") == (
        "CONSTRUCT { ?p gk:x '{' } { VALUES ?pattern { \"kanban\" } ?p gk:slug ?pattern }"
    )
    assert page.evaluate(bind, "CONSTRUCT WHERE { ?p gk:slug ?pattern }") == (
        'CONSTRUCT WHERE { ?p gk:slug ?pattern }\nVALUES (?pattern) { ("kanban") }'
    )
    assert page.evaluate(bind, "# {\nSELECT * { ?p gk:slug ?pattern }") == (
        '# {\nSELECT * { VALUES ?pattern { "kanban" } ?p gk:slug ?pattern }'
    )


@pytest.mark.browser
def test_bound_text_is_a_value_never_query_text(page):
    # A value that would close the string and add a clause if it were pasted unescaped.
    _head, rows = _run_in_panel(page, "search", {"text": 'lean" ) } UNION { ?p ?q ?r } #\\'})
    assert rows == []
    _head, rows = _run_in_panel(page, "search", {"text": "Kanban"})
    assert [r[1] for r in rows] == ["kanban"]
    page.fill("#gkq-text", "SELECT ?x WHERE { BIND('<img src=x onerror=alert(1)>' AS ?x) }")
    page.click("#gkq-run")
    page.wait_for_function("() => /row/.test(document.querySelector('#gkq-status').textContent)", timeout=15_000)
    assert page.text_content("#gkq-results td") == "<img src=x onerror=alert(1)>"
    assert page.eval_on_selector_all("#gkq-results img", "imgs => imgs.length") == 0
    page.fill("#gkq-text", "SELECT WHERE {")
    page.click("#gkq-run")
    page.wait_for_function("() => /failed/.test(document.querySelector('#gkq-status').textContent)", timeout=15_000)
    assert page.get_attribute("#gkq-status", "class") == "gkq-error"
