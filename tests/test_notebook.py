"""The notebook API, and every notebook in notebooks/ executed top to bottom.

The executed tour is exported to HTML with nbconvert and opened in headless Chromium: the
inline map renders offline with the right number of patterns.
"""

from __future__ import annotations

import html
import os
from pathlib import Path

import pytest

import graphkit
from graphkit.explore import format_path
from graphkit.notebook import Explorer, InlineMap

NOTEBOOKS = sorted((Path(__file__).resolve().parent.parent / "notebooks").glob("*.ipynb"))


@pytest.fixture(scope="module")
def ex() -> Explorer:
    return Explorer()


def test_patterns_table(ex):
    table = ex.patterns()
    assert len(table) == 37
    assert table.loc["bottom-up-adoption", "title"] == "Bottom-Up Adoption"
    assert (table.loc["alignment-monitoring", "in_degree"], table.loc["alignment-monitoring", "out_degree"]) == (9, 10)


def test_edges_and_problems_tables(ex):
    edges = ex.edges()
    assert len(edges) == 290 + 34
    assert len(ex.edges(inferred=False)) == 290
    assert ex.problems_table()["kind"].value_counts().to_dict() == {
        "dangling-reference": 123,
        "one-sided-symmetric": 29,
        "one-sided-inverse": 12,
    }


def test_sparql_binds_values(ex):
    table = ex.sparql_table("enables-transitively", pattern="alignment-monitoring")
    assert list(table.columns)[:2] == ["pattern", "enabled"]
    assert set(table["pattern"]) == {"alignment-monitoring"}
    hostile = ex.sparql("SELECT ?slug WHERE { ?p gk:slug ?slug }", slug='x" } ; DROP ALL ; #')
    assert hostile.rows == []


def test_neighbourhood_and_paths(ex):
    assert ex.neighbourhood("alignment-monitoring").number_of_nodes() == 10
    assert [format_path(p) for p in ex.paths("gap-analysis", "human-agent-handoff")] == [
        "gap-analysis --generalizes_from-> commons-blueprint --specializes_to-> human-agent-handoff"
    ]


def test_inline_map_is_one_escaped_srcdoc(tmp_path):
    (tmp_path / "x.md").write_text('---\nslug: x\ntitle: "<img src=x onerror=alert(1)>\\" onload=\\"alert(2)"\n---\n')
    m = Explorer(tmp_path).map()
    assert isinstance(m, InlineMap)
    markup = m._repr_html_()
    assert markup.startswith('<iframe srcdoc="') and markup.endswith("></iframe>")
    srcdoc = markup[len('<iframe srcdoc="') : markup.index('" style=')]
    assert '"' not in srcdoc and "<" not in srcdoc  # the whole page is one attribute value
    assert html.unescape(srcdoc) == m.page
    assert (m.nodes, m.edges) == (1, 0)


def test_map_of_one_domain_and_a_focus(ex):
    assert ex.map(domain="sensing").nodes == 2
    assert ex.map(focus="alignment-monitoring", depth=1).nodes == 10


@pytest.fixture(scope="module")
def executed(tmp_path_factory):
    nbformat = pytest.importorskip("nbformat")
    nbclient = pytest.importorskip("nbclient")
    # The kernel must import the same graphkit as these tests (a source checkout or an install).
    source = str(Path(graphkit.__file__).resolve().parent.parent)
    saved = os.environ.get("PYTHONPATH")
    os.environ["PYTHONPATH"] = os.pathsep.join(filter(None, [source, saved]))
    library = os.environ.pop("GRAPHKIT_LIBRARY", None)  # the tour checks the sample's figures
    try:
        return _execute_all(nbformat, nbclient)
    finally:
        if saved is None:
            del os.environ["PYTHONPATH"]
        else:
            os.environ["PYTHONPATH"] = saved
        if library is not None:
            os.environ["GRAPHKIT_LIBRARY"] = library


def _execute_all(nbformat, nbclient):
    out = {}
    for path in NOTEBOOKS:
        nb = nbformat.read(path, as_version=4)
        assert all(not c.get("outputs") for c in nb.cells if c.cell_type == "code"), f"{path.name} has outputs"
        nbclient.NotebookClient(
            nb, timeout=180, kernel_name="python3", resources={"metadata": {"path": str(path.parent)}}
        ).execute()
        out[path.name] = nb
    return out


def test_notebooks_run_top_to_bottom(executed):
    assert "explore.ipynb" in executed
    for name, nb in executed.items():
        errors = [o for c in nb.cells for o in c.get("outputs", []) if o.output_type == "error"]
        assert errors == [], f"{name}: {errors}"


@pytest.mark.browser
def test_inline_map_in_exported_notebook_renders_offline(executed, browser, tmp_path):
    from nbconvert import HTMLExporter

    body, _ = HTMLExporter().from_notebook_node(executed["explore.ipynb"])
    page_path = tmp_path / "explore.html"
    page_path.write_text(body, encoding="utf-8")
    context = browser.new_context()
    page = context.new_page()
    outside: list[str] = []
    errors: list[str] = []

    def on_request(request):
        if not request.url.startswith(("file:", "about:", "data:")):
            # nbconvert's own template asks for require.js and MathJax from a CDN; the map asks for nothing.
            if request.frame != page.main_frame:
                outside.append(request.url)
            return request

    page.on("request", on_request)
    page.on(
        "console",
        lambda m: errors.append(m.text) if m.type == "error" and m.location.get("url") == "about:srcdoc" else None,
    )
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.route("http*://**", lambda route: route.abort())
    try:
        page.goto(page_path.as_uri())
        assert page.locator("iframe").count() == 1
        frame = page.wait_for_selector("iframe").content_frame()  # on a loaded machine it may still be loading
        page.locator("iframe").scroll_into_view_if_needed()  # browsers do not draw frames out of sight
        frame.wait_for_function("window.graphkit && window.gkFirstDraw", timeout=30_000)
        assert frame.url == "about:srcdoc"
        assert frame.evaluate("window.graphkit.nodes.length") == 10
        assert (
            frame.evaluate("window.graphkit.edges.length")
            == graphkit.explore.neighbourhood(graphkit.load_library().graph, "alignment-monitoring").number_of_edges()
        )
        assert outside == []
        assert errors == []
    finally:
        context.close()
