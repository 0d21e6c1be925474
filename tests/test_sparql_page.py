"""The SPARQL page: Oxigraph's WebAssembly build in one offline HTML file, checked against graphkit query.

The browser tests drive Debian's chromium headless (see conftest.py); every http(s) request is
aborted and recorded, and none may be made.
"""

from __future__ import annotations

import hashlib
import json
import re
from pathlib import Path
from urllib.parse import quote, unquote

import pyoxigraph as ox
import pytest
from click.testing import CliRunner

import graphkit
from graphkit.cli import cli
from graphkit.errors import ExportError, QueryError
from graphkit.query import find_queries
from graphkit.rdf import to_triples
from graphkit.site import build_site
from graphkit.sparqlpage import OXIGRAPH_VERSION, ask_href, to_sparql_page, unpacked, write_sparql_page

from .test_hostile_library import hostile  # noqa: F401 - a fixture

HERE = Path(__file__).parent
PACKAGE = HERE.parent / "graphkit" / "sparqlpage"
HOSTILE = HERE / "data" / "view-hostile"
ESCAPES = HERE / "data" / "hostile"
#: Values for the shipped queries' parameters, chosen so that each query has rows (as in test_serve).
BINDINGS = {"pattern": "gap-analysis", "text": "lean"}
BINDINGS_FOR = {
    "enables-transitively": {"pattern": "alignment-monitoring"},
    "generalization-tree": {"pattern": "feedback-escalation"},
}
REFUSED = "is refused: this page runs read-only queries (SELECT, ASK, CONSTRUCT, DESCRIBE)"
# Every payload of the hostile libraries sets window.__pwned or calls alert when it runs.
WATCH = """
window.__alerts = [];
window.alert = window.confirm = window.prompt = function (m) { window.__alerts.push(String(m)); };
"""


def bindings_for(name: str) -> dict[str, str]:
    return BINDINGS_FOR.get(name) or {p: BINDINGS[p] for p in find_queries()[name].parameters}


def block(page: str, name: str) -> str:
    return re.search(rf'id="{name}">([^<]*)</script>', page).group(1)


def cli_rows(root: Path | None, query: str, bindings: dict[str, str]) -> tuple[list[str], list[list[str]]]:
    """What ``graphkit query ROOT QUERY --bind ... -f json`` gives: its variables and rows of values."""
    args = ["query", *([str(root)] if root else []), query, "-f", "json"]
    for name, value in bindings.items():
        args += ["--bind", f"{name}={value}"]
    result = CliRunner().invoke(cli, args, catch_exceptions=False)
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    names = data["head"]["vars"]
    return names, [[row[n]["value"] if n in row else "" for n in names] for row in data["results"]["bindings"]]


@pytest.fixture(scope="module")
def sample_page(sample_library) -> str:
    return to_sparql_page(sample_library.graph, title="Sample", site=True)


# --------------------------------------------------------------------------- the page as text


def test_the_page_carries_the_triples_graphkit_query_loads(sample_library, sample_page):
    triples = set()
    for name in ("gks-ontology", "gks-rdf"):
        triples |= {q.triple for q in ox.parse(unpacked(block(sample_page, name)), format=ox.RdfFormat.TURTLE)}
    assert triples == set(to_triples(sample_library.graph, with_ontology=True))


def test_a_site_s_page_loads_the_turtle_the_site_wrote(tmp_path, sample_library):
    """graph.ttl is written once: the SPARQL page carries the same bytes, and the ontology beside them."""
    from graphkit.site import write_site

    write_site(sample_library, tmp_path)
    page = (tmp_path / "sparql.html").read_text(encoding="utf-8")
    assert unpacked(block(page, "gks-rdf")) == (tmp_path / "graph.ttl").read_bytes()
    assert page == to_sparql_page(sample_library.graph, title="sample", site=True)


def test_the_same_library_gives_the_same_page(sample_library, sample_page):
    again = graphkit.load_library()
    assert to_sparql_page(again.graph, title="Sample", site=True) == sample_page


def test_the_page_names_no_resource_and_its_policy_allows_no_request(sample_page):
    assert not re.search(r"<(?:script|img|iframe|link)[^>]* src=", sample_page)
    assert re.findall(r"<link [^>]*>", sample_page) == ['<link rel="icon" href="data:,">']
    policy = re.search(r'http-equiv="Content-Security-Policy" content="([^"]*)"', sample_page).group(1)
    policy = policy.replace("&#39;", "'")
    assert "default-src 'none'" in policy and "connect-src 'none'" in policy
    # the one script that runs is the page's own, allowed by its hash
    (script,) = re.findall(r"<script>(.*?)</script>", sample_page, re.S)
    digest = hashlib.sha256(script.encode()).digest()
    assert f"script-src 'sha256-{__import__('base64').b64encode(digest).decode()}'" in policy


def test_the_page_scripts_cannot_end_their_elements():
    for name in ("sparql.js", "worker.js", "sparql.css"):
        text = (PACKAGE / name).read_text(encoding="utf-8").lower()
        assert "</script" not in text and "</style" not in text and "<!--" not in text, name


def test_the_vendored_files_are_the_pinned_ones():
    script = (PACKAGE / "vendor" / "refresh.sh").read_text(encoding="utf-8")
    assert re.search(r"^VERSION=(\S+)$", script, re.M).group(1) == OXIGRAPH_VERSION
    pins = re.findall(r"^(?:\S+ )?(oxigraph[\w.-]+) ([0-9a-f]{64})$", script, re.M)
    assert sorted(name for name, _ in pins) == sorted(
        p.name for p in (PACKAGE / "vendor").iterdir() if p.name != "refresh.sh"
    )
    for name, digest in pins:
        assert hashlib.sha256((PACKAGE / "vendor" / name).read_bytes()).hexdigest() == digest, name


def test_the_map_link_asks_the_neighbours_query():
    href = ask_href("sparql.html")
    assert href == "sparql.html#q=" + quote(find_queries()["neighbours"].text, safe="") + "&$pattern="


def test_bad_options_and_paths_are_graphkit_errors(sample_library, tmp_path):
    with pytest.raises(QueryError, match=r"^no shipped query is named 'hub' \(known: .*hubs"):
        to_sparql_page(sample_library.graph, start="hub")
    (tmp_path / "taken").mkdir()
    with pytest.raises(ExportError, match=r"taken: cannot write the SPARQL page \("):
        write_sparql_page(sample_library.graph, tmp_path / "taken")


def test_the_benchmark_binds_values_that_give_each_query_rows(sample_library):
    from benchmarks import sparql_bench
    from graphkit.query import load_store, query

    store = load_store(sample_library)
    bindings = sparql_bench.bindings_of(graphkit.sample_library())
    assert {name for name, values in bindings.items() if values} == {
        "enables-transitively", "generalization-tree", "neighbours", "search",
    }  # fmt: skip
    for name, values in bindings.items():
        assert len(query(store, name, values)) > 0, name
    report = {"queries": list(bindings), "bindings": bindings, "results": {"ready": {"median": 2.0, "runs": [2.0]}}}
    lines = sparql_bench.table(report)
    assert "| store ready, from navigation | 2.00 s | 3 s |" in lines
    assert f"| query `neighbours` (pattern={bindings['neighbours']['pattern']}) | n/a | 1 s |" in lines


# --------------------------------------------------------------------------- in a browser

READ_TABLE = """() => ({
  head: Array.from(document.querySelectorAll('#gks-results th')).map(th => th.textContent),
  rows: Array.from(document.querySelectorAll('#gks-results tbody tr')).map(tr => Array.from(tr.cells).map(td => {
    const a = td.querySelector('a');
    return a ? a.title : (td.title || td.textContent);
  })),
})"""


class Tab:
    """The page in a fresh context, offline: every http(s) request is aborted and recorded."""

    def __init__(self, browser) -> None:
        self.context = browser.new_context(viewport={"width": 1280, "height": 900})
        self.attempted: list[str] = []
        self.context.route(re.compile(r"^https?://"), self._abort)
        self.context.add_init_script(WATCH)
        self.page = self.context.new_page()
        self.errors: list[str] = []
        self.page.on("pageerror", lambda e: self.errors.append(str(e)))
        self.page.on("console", lambda m: self.errors.append(m.text) if m.type in ("error", "warning") else None)

    def _abort(self, route) -> None:
        self.attempted.append(route.request.url)
        route.abort()

    def open(self, url: str) -> dict:
        """Go to ``url`` (a new page, or a new address on the same one) and wait for its answer."""
        before = self.finished()
        self.page.goto(url)
        return self.wait(before)

    def finished(self) -> int:
        return self.page.evaluate("window.gkSparql ? window.gkSparql.finished : 0")

    def wait(self, before: int) -> dict:
        self.page.wait_for_function(
            "(n) => window.gkSparql && (window.gkSparql.finished > n || window.gkSparql.failed)",
            arg=before,
            timeout=30_000,
        )
        assert self.page.evaluate("window.gkSparql.failed") is None
        return self.page.evaluate("window.gkSparql.last")

    def table(self) -> tuple[list[str], list[list[str]]]:
        got = self.page.evaluate(READ_TABLE)
        return got["head"], got["rows"]

    def status(self) -> str:
        return self.page.text_content("#gks-status")

    def run(self, text: str) -> dict:
        """Type a query in the editor and run it."""
        before = self.finished()
        self.page.fill("#gks-text", text)
        self.page.click("#gks-run")
        return self.wait(before)

    def assert_clean(self) -> None:
        assert self.attempted == []
        assert self.errors == []
        assert self.page.evaluate("window.__alerts") == [] and self.page.evaluate("window.__pwned") is None

    def close(self) -> None:
        self.context.close()


def address(text: str, bindings: dict[str, str]) -> str:
    return "#q=" + quote(text, safe="") + "".join(f"&${quote(k)}={quote(v, safe='')}" for k, v in bindings.items())


@pytest.fixture
def tab(browser):
    opened = Tab(browser)
    yield opened
    opened.close()


@pytest.fixture(scope="module")
def sample_file(tmp_path_factory, sample_page) -> Path:
    path = tmp_path_factory.mktemp("sparql") / "sparql.html"
    path.write_text(sample_page, encoding="utf-8")
    return path


@pytest.mark.browser
def test_every_shipped_query_gives_the_rows_of_graphkit_query(tab, sample_file):
    for name, q in find_queries().items():
        bindings = bindings_for(name)
        outcome = tab.open(sample_file.as_uri() + address(q.text, bindings))
        assert outcome["ok"], (name, outcome)
        expected = cli_rows(None, name, bindings)
        assert tab.table() == expected, name
        assert expected[1], f"{name} gives no rows: choose bindings that exercise it"
        # the menu names the shipped query, and its parameters are fields holding the values
        assert tab.page.input_value("#gks-example") == name
        for key, value in bindings.items():
            assert tab.page.input_value(f"#gks-param-{key}") == value
    tab.assert_clean()


@pytest.mark.browser
def test_a_pattern_in_a_result_links_to_the_map(tab, sample_file):
    tab.open(sample_file.as_uri() + address(find_queries()["neighbours"].text, {"pattern": "gap-analysis"}))
    links = tab.page.eval_on_selector_all("#gks-results a", "as => as.map(a => a.getAttribute('href'))")
    assert "map.html#p=gap-analysis" in links and "map.html#p=performance-sensing" in links
    assert tab.page.text_content("#gks-results tbody tr td:nth-child(2)") == "gk:enabled_by"


@pytest.mark.browser
def test_graph_results_are_turtle_and_yes_or_no_answers(tab, sample_file):
    tab.open(sample_file.as_uri())
    construct = "CONSTRUCT { ?p skos:prefLabel ?t ; gk:related ?q } WHERE { ?p gk:slug 'kanban' ; skos:prefLabel ?t ; gk:related ?q }"
    outcome = tab.run(construct)
    assert outcome["kind"] == "graph" and outcome["rows"] > 1
    shown = tab.page.text_content("#gks-results pre")
    expected = graphkit.query.query(graphkit.load_library(), construct).triples
    assert {q.triple for q in ox.parse(shown.encode(), format=ox.RdfFormat.TURTLE)} == set(expected)
    assert shown.startswith("@prefix gk: <https://w3id.org/graphkit/ontology#> .\n@prefix pat: ")
    outcome = tab.run("DESCRIBE pat:kanban")
    described = tab.page.text_content("#gks-results pre")
    expected = graphkit.query.query(graphkit.load_library(), "DESCRIBE pat:kanban").triples
    assert {q.triple for q in ox.parse(described.encode(), format=ox.RdfFormat.TURTLE)} == set(expected)
    assert tab.page.is_visible("#gks-ttl") and not tab.page.is_visible("#gks-csv")
    tab.run("ASK { pat:kanban gk:related ?x }")
    assert tab.page.text_content("#gks-results") == "yes" and tab.status().startswith("yes/no answer in ")
    tab.assert_clean()


@pytest.mark.browser
def test_csv_and_json_downloads_hold_every_row(tab, sample_file):
    tab.open(sample_file.as_uri() + address(find_queries()["search"].text, {"text": "lean"}))
    with tab.page.expect_download() as info:
        tab.page.click("#gks-csv")
    assert info.value.suggested_filename == "search.csv"
    expected = graphkit.query.to_csv(graphkit.query.query(graphkit.load_library(), "search", {"text": "lean"}))
    assert Path(info.value.path()).read_bytes().decode() == expected
    with tab.page.expect_download() as info:
        tab.page.click("#gks-json")
    data = json.loads(Path(info.value.path()).read_text())
    assert [r["pattern"]["value"] for r in data["results"]["bindings"]] == [r[1] for r in tab.table()[1]]


@pytest.mark.browser
def test_updates_load_and_service_are_refused_and_change_nothing(tab, sample_file):
    tab.open(sample_file.as_uri() + address("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }", {}))
    before = tab.table()
    refused = {
        "INSERT DATA { <urn:a> <urn:b> <urn:c> }": "INSERT " + REFUSED,
        "LOAD <http://127.0.0.1:9/library.ttl>": "LOAD " + REFUSED,
        "# a comment\nPREFIX x: <urn:x#>\ndelete WHERE { ?s ?p ?o }": "DELETE " + REFUSED,
        "CLEAR ALL": "CLEAR " + REFUSED,
        "SELECT * WHERE { ?s ?p ?o } ; INSERT DATA { <urn:a> <urn:b> <urn:c> }": None,
        "SELECT * WHERE { SERVICE <http://127.0.0.1:9/sparql> { ?s ?p ?o } }":
            "SERVICE is refused: a query runs on the library only, never on another endpoint",
    }  # fmt: skip
    for text, message in refused.items():
        outcome = tab.run(text)
        assert not outcome["ok"], text
        if message is not None:
            assert outcome["message"] == message
        else:
            assert outcome["message"].startswith("the query is not valid SPARQL at line 1, column ")
        assert "\n" not in tab.status() and tab.status() == outcome["message"]
    # FROM chooses no other graph: the query runs on the library's triples
    tab.run("SELECT (COUNT(*) AS ?n) FROM <http://127.0.0.1:9/other> WHERE { ?s ?p ?o }")
    assert tab.table() == before
    tab.run("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }")
    assert tab.table() == before
    tab.assert_clean()


@pytest.mark.browser
def test_a_bad_query_gets_one_line_saying_where(tab, sample_file):
    tab.open(sample_file.as_uri())
    outcome = tab.run("SELECT ?s WHERE {\n  ?s gk:slug\n}")
    assert outcome["message"] == "the query is not valid SPARQL at line 3, column 1, near '}'"
    assert tab.page.text_content("#gks-results") == ""


@pytest.mark.browser
def test_bound_values_are_rdf_terms_never_query_text(tab, sample_file):
    search = find_queries()["search"].text
    for value in [
        'lean" ) } UNION { ?p ?q ?r } #\\',
        "a\\u0022b",
        "Kanban",
        "<https://w3id.org/graphkit/library/pattern/kanban>",
    ]:
        tab.open(sample_file.as_uri() + address(search, {"text": value}))
        assert tab.table() == cli_rows(None, "search", {"text": value}), value
    outcome = tab.open(sample_file.as_uri() + address(search, {"text": "<not an iri>"}))
    assert outcome["message"] == "?text: <not an iri> is not a valid IRI"
    tab.assert_clean()


@pytest.mark.browser
def test_the_address_holds_the_question_so_a_link_reproduces_it(tab, browser, sample_file):
    tab.open(sample_file.as_uri())
    tab.page.select_option("#gks-example", "neighbours")
    tab.page.fill("#gks-param-pattern", "kanban")
    before = tab.finished()
    tab.page.press("#gks-param-pattern", "Enter")
    tab.wait(before)
    url = tab.page.url
    fields = [part.split("=", 1) for part in url.split("#", 1)[1].split("&")]
    assert [(unquote(k), unquote(v)) for k, v in fields] == [
        ("q", find_queries()["neighbours"].text),
        ("$pattern", "kanban"),
    ]
    other = Tab(browser)
    try:
        other.open(url)
        assert other.table() == tab.table() == cli_rows(None, "neighbours", {"pattern": "kanban"})
    finally:
        other.close()


@pytest.mark.browser
def test_stop_ends_a_long_query_and_the_page_answers_again(tab, sample_file):
    tab.open(sample_file.as_uri())
    tab.page.fill("#gks-text", "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }")
    tab.page.click("#gks-run")
    tab.page.click("#gks-stop")
    assert tab.status() == "Stopped. The library is loading again."
    tab.run("SELECT (COUNT(?p) AS ?n) WHERE { ?p a gk:Pattern }")
    assert tab.table() == (["n"], [["37"]])


@pytest.mark.browser
def test_a_library_too_large_for_a_page_says_so_and_points_to_graphkit_serve(tab, sample_library, tmp_path):
    path = write_sparql_page(sample_library.graph, tmp_path / "sparql.html", max_turtle_bytes=50_000)
    assert path.stat().st_size < 200_000  # neither the engine nor the library is in it
    tab.page.goto(path.as_uri())
    tab.page.wait_for_function("() => window.gkSparql.failed !== null")
    message = tab.page.text_content("#gks-store")
    assert message.startswith("This library is too large to query in a browser page: its store would not fit")
    assert "(over 0.1 MB of Turtle). Run graphkit serve on the library" in message
    assert tab.page.is_disabled("#gks-run")
    tab.assert_clean()


@pytest.mark.browser
@pytest.mark.parametrize("root", [HOSTILE, ESCAPES, "hostile"], ids=["view-hostile", "escapes", "build-hostile"])
def test_a_hostile_library_runs_nothing_and_shows_its_strings_as_text(tab, tmp_path, root, request):
    if root == "hostile":  # the library of test_hostile_library.py: control characters, links outside it
        root = request.getfixturevalue("hostile")
    library = graphkit.load_library(root)
    path = tmp_path / "sparql.html"
    write_sparql_page(library.graph, path, title="<img src=x onerror=\"window.__pwned='heading'\">", site=True)
    strings = (
        "SELECT ?pattern ?title ?alias ?summary ?page WHERE { ?p gk:slug ?pattern ; skos:prefLabel ?title . "
        "OPTIONAL { ?p skos:altLabel ?alias } OPTIONAL { ?p skos:definition ?summary } OPTIONAL { ?p foaf:page ?page } } "
        "ORDER BY ?pattern ?title ?alias ?summary ?page"
    )
    tab.open(path.as_uri() + address(strings, {}))
    assert tab.table() == cli_rows(root, strings, {})
    titles = {library.graph.nodes[n]["title"] for n in library.graph}
    shown = set(
        tab.page.eval_on_selector_all("#gks-results tbody tr td:nth-child(2)", "tds => tds.map(td => td.textContent)")
    )
    assert shown == titles
    hrefs = tab.page.eval_on_selector_all("#gks-results a", "as => as.map(a => a.getAttribute('href'))")
    assert {unquote(h.removeprefix("map.html#p=")) for h in hrefs} == set(library.graph)
    # the library's strings as Turtle, a hostile query text and a hostile bound value: all text
    tab.run("CONSTRUCT { ?p ?q ?o } WHERE { ?p a gk:Pattern ; ?q ?o }")
    tab.open(path.as_uri() + address("<img src=x onerror=\"window.__pwned='query'\">", {}))
    assert tab.status().startswith("the query is not valid SPARQL at line 1, column ")
    tab.open(
        path.as_uri() + address(find_queries()["search"].text, {"text": "<b onmouseover=\"window.__pwned='value'\">"})
    )
    assert tab.page.title() == "SPARQL · <img src=x onerror=\"window.__pwned='heading'\">"
    tab.assert_clean()


@pytest.mark.browser
def test_the_maps_details_ask_the_sparql_page_about_a_pattern(tab, tmp_path):
    site = tmp_path / "site"
    build_site(None, site)
    tab.page.goto((site / "map.html").as_uri() + "#p=kanban")
    tab.page.wait_for_selector("#gk-d-ask", timeout=30_000)
    before = 0
    tab.page.click("#gk-d-ask")
    tab.wait(before)
    assert tab.page.url.startswith((site / "sparql.html").as_uri() + "#q=")
    assert tab.table() == cli_rows(None, "neighbours", {"pattern": "kanban"})
    assert tab.attempted == []


# The three ways SPARQL spells a CONSTRUCT's WHERE group: a value is bound in the group, never in the template.
BOUND_CONSTRUCTS = [
    "CONSTRUCT { ?p gk:related ?q } WHERE { ?p gk:slug ?pattern ; gk:related ?q }",
    "CONSTRUCT { ?p gk:related ?q } { ?p gk:slug ?pattern ; gk:related ?q }",
    "CONSTRUCT WHERE { ?p gk:slug ?pattern ; gk:related ?q }",
]


@pytest.mark.browser
@pytest.mark.parametrize("construct", BOUND_CONSTRUCTS)
def test_a_bound_construct_gives_the_triples_of_graphkit_query(tab, sample_file, construct):
    outcome = tab.open(sample_file.as_uri() + address(construct, {"pattern": "kanban"}))
    assert outcome["kind"] == "graph"
    shown = tab.page.text_content("#gks-results pre")
    expected = graphkit.query.query(graphkit.load_library(), construct, bindings={"pattern": "kanban"}).triples
    assert len(expected) > 1
    assert {q.triple for q in ox.parse(shown.encode(), format=ox.RdfFormat.TURTLE)} == set(expected)
    tab.assert_clean()
