"""The map in a real browser: Debian's chromium, headless, driven by playwright, offline.

Without a browser these tests skip, except in CI (``CI=true``), where they fail.
"""

from __future__ import annotations

from pathlib import Path
from urllib.parse import quote

import networkx as nx
import pytest

import graphkit
from graphkit.view import facet_graph, focus_graph, hierarchy_graph, to_html

pytestmark = pytest.mark.browser

DEFAULT_RELATIONS = list(graphkit.model.DEFAULT_VOCABULARY)

HERE = Path(__file__).parent
HOSTILE = HERE / "data" / "view-hostile"
CORPUS = HERE.parent.parent / "shared" / "corpus" / "commons-os-patterns-2026-02-17" / "_patterns"
# Every payload of the hostile library sets window.__pwned or calls alert when it runs.
WATCH = """
window.__alerts = [];
window.alert = window.confirm = window.prompt = function (m) { window.__alerts.push(String(m)); };
"""


class Page:
    """A loaded map with everything the page did recorded: requests, failures, console errors."""

    def __init__(self, browser, url: str) -> None:
        self.context = browser.new_context(viewport={"width": 1280, "height": 800})
        self.context.add_init_script(WATCH)
        self.page = self.context.new_page()
        self.requests: list[str] = []
        self.failed: list[str] = []
        self.errors: list[str] = []
        self.page.on("request", lambda r: self.requests.append(r.url))
        self.page.on("requestfailed", lambda r: self.failed.append(r.url))
        self.page.on("console", self._console)
        self.page.on("pageerror", lambda e: self.errors.append(str(e)))
        self.page.goto(url)
        self.page.wait_for_selector("body[data-drawn='1']", timeout=30_000)

    def _console(self, message) -> None:
        # SwiftShader's notes on its own speed ("GPU stall due to ReadPixels") are not the page's
        if message.type in ("error", "warning") and "GL Driver Message" not in message.text:
            self.errors.append(message.text)

    def js(self, expression: str, arg=None):
        return self.page.evaluate(expression, arg)

    def visible_edges(self) -> int:
        return self.js("Object.keys(graphkit.network.body.edges).length")

    def highlighted(self) -> set[str]:
        return set(self.js("graphkit.nodes.get({filter: n => n.group !== 'faded'}).map(n => n.id)"))

    def faded_edges(self) -> list[list[str]]:
        return self.js(
            "Object.values(graphkit.network.body.edges).filter(e => e.options.color.color === '#e6e9ed')"
            ".map(e => [e.fromId, e.toId])"
        )

    def neighbours_listed(self) -> set[str]:
        """Every pattern the panel links to, its folded groups opened (their links are made on opening)."""
        self.js("document.querySelectorAll('#gk-d-relations details').forEach(d => { d.open = true; })")
        self.page.wait_for_function(
            "Array.from(document.querySelectorAll('#gk-d-relations details')).every(d => d.querySelector('ul'))"
        )
        return set(self.js("Array.from(document.querySelectorAll('#gk-d-relations a')).map(a => a.dataset.slug)"))

    def assert_clean(self) -> None:
        assert self.failed == []
        assert [u for u in self.requests if not u.startswith(("file://", "data:"))] == []
        assert self.errors == []
        assert self.js("window.__alerts") == [] and self.js("window.__pwned") is None

    def close(self) -> None:
        self.context.close()


@pytest.fixture(scope="module")
def sample():
    return graphkit.load_library()


@pytest.fixture(scope="module")
def pages(tmp_path_factory, sample):
    folder = tmp_path_factory.mktemp("pages")
    G = sample.graph
    hostile = graphkit.load_library(HOSTILE).graph
    files = {
        "sample": to_html(G, title="Sample"),
        "sample_vis": to_html(G, title="Sample", renderer="vis"),
        "hostile": to_html(hostile, title="<img src=x onerror=alert(1)>"),
        "hostile_vis": to_html(hostile, title="<img src=x onerror=alert(1)>", renderer="vis"),
        "focus": to_html(focus_graph(G, "gap-analysis", 2), selected="gap-analysis", depth=2, renderer="vis"),
        "domain": to_html(facet_graph(G, "governance"), title="Governance"),
        "local": to_html(focus_graph(G, "commons-blueprint", 1), selected="commons-blueprint", renderer="vis", limit=8),
        "tree": to_html(hierarchy_graph(G, "commons-blueprint"), selected="commons-blueprint"),
    }
    for name, text in files.items():
        (folder / f"{name}.html").write_text(text, encoding="utf-8")
    return {name: (folder / f"{name}.html").as_uri() for name in files}


@pytest.fixture
def open_page(browser):
    opened = []

    def open_(url: str) -> Page:
        page = Page(browser, url)
        opened.append(page)
        return page

    yield open_
    for page in opened:
        page.close()


def test_vis_map_draws_every_pattern_and_relation_offline(open_page, pages, sample):
    page = open_page(pages["sample_vis"])
    G = sample.graph
    assert page.js("Object.keys(graphkit.network.body.nodes).length") == G.number_of_nodes()
    assert page.visible_edges() == G.number_of_edges()
    assert page.page.text_content("#gk-node-count") == str(G.number_of_nodes())
    assert page.page.text_content("#gk-edge-count") == str(G.number_of_edges())
    assert page.js("graphkit.network.physics.options.enabled") is False
    assert page.page.is_hidden("#gk-details")
    page.assert_clean()


def test_search_by_title_focuses_and_lists_the_neighbours(open_page, pages, sample):
    G = sample.graph
    page = open_page(pages["sample_vis"])
    page.page.fill("#gk-search", "gap anal")
    first = page.page.locator("#gk-results li").first
    assert first.get_attribute("data-slug") == "gap-analysis"
    page.page.press("#gk-search", "Enter")
    assert page.js("location.hash") == "#p=gap-analysis&d=1"
    assert page.js("graphkit.network.getSelectedNodes()") == ["gap-analysis"]
    assert page.page.text_content("#gk-d-title") == "Gap Analysis"
    neighbours = set(nx.all_neighbors(G, "gap-analysis"))
    assert page.neighbours_listed() == neighbours
    assert page.highlighted() == neighbours | {"gap-analysis"}
    keep = neighbours | {"gap-analysis"}
    outside = sum(1 for u, v in G.edges() if not (u in keep and v in keep))
    assert len(page.faded_edges()) == outside > 0
    headings = page.js("Array.from(document.querySelectorAll('#gk-d-relations h3')).map(h => h.textContent)")
    # curated groups in the vocabulary's order (generalizes_from, ..., enables, requires)
    assert headings == ["generalizes from (2)", "enabled by (2)", "requires (2)"]
    assert page.page.text_content("#gk-d-url") == ""  # gap-analysis has no page URL
    page.js("graphkit.select('5s-methodology')")
    assert page.page.get_attribute("#gk-d-url a", "href") == "https://commons-os.github.io/patterns/5s-methodology/"
    page.assert_clean()


@pytest.mark.parametrize(
    "query, slug",
    [
        ("Needs Assessment", "gap-analysis"),
        ("pat_01khm0d17btw84h9g7rpkq3pep", "gap-analysis"),
        ("5S-methodology", "5s-methodology"),
    ],
    ids=["alias", "id", "slug"],
)
def test_search_by_alias_id_and_slug(open_page, pages, query, slug):
    page = open_page(pages["sample"])
    assert page.js("q => graphkit.search(q)[0]", query) == slug


def test_clicking_a_neighbour_in_the_panel_moves_the_focus(open_page, pages, sample):
    page = open_page(pages["sample"] + "#p=gap-analysis&d=1")
    page.page.click("#gk-d-relations a[data-slug='performance-sensing']")
    assert page.js("graphkit.state().p") == "performance-sensing"
    assert page.page.text_content("#gk-d-title") == sample.graph.nodes["performance-sensing"]["title"]
    page.page.go_back()
    page.page.wait_for_function("graphkit.state().p === 'gap-analysis'")


def test_toggling_a_relation_type_hides_its_edges(open_page, pages, sample):
    G = sample.graph
    page = open_page(pages["sample_vis"])
    page.page.uncheck("#gk-relations input[data-relation='related']")
    related = sum(1 for _, _, d in G.edges(data=True) if d["relation"] == "related")
    assert page.visible_edges() == G.number_of_edges() - related
    assert (
        page.js("Object.values(graphkit.network.body.edges).filter(e => e.options.color.color === '#8da0b3').length")
        == 0
    )
    assert page.page.text_content("#gk-edge-count") == str(G.number_of_edges() - related)
    assert page.js("location.hash") == "#off=related"
    page.page.uncheck("#gk-inferred")
    inferred = sum(1 for _, _, d in G.edges(data=True) if d["inferred"] and d["relation"] != "related")
    assert page.visible_edges() == G.number_of_edges() - related - inferred
    page.page.check("#gk-relations input[data-relation='related']")
    page.page.check("#gk-inferred")
    assert page.visible_edges() == G.number_of_edges()
    page.assert_clean()


def test_the_url_hash_restores_a_view(open_page, pages, sample):
    G = sample.graph
    page = open_page(pages["sample_vis"] + "#p=gap-analysis&d=2&off=enables&inf=0")
    assert page.js("graphkit.state()") == {"p": "gap-analysis", "d": 2, "off": ["enables"], "inf": False}
    assert page.page.input_value("#gk-depth") == "2"
    assert not page.page.is_checked("#gk-relations input[data-relation='enables']")
    assert not page.page.is_checked("#gk-inferred")
    shown = nx.MultiGraph()
    shown.add_nodes_from(G)
    shown.add_edges_from((u, v) for u, v, d in G.edges(data=True) if d["relation"] != "enables" and not d["inferred"])
    assert page.visible_edges() == shown.number_of_edges()
    assert page.highlighted() == set(nx.single_source_shortest_path_length(shown, "gap-analysis", cutoff=2))
    assert page.page.text_content("#gk-d-title") == "Gap Analysis"
    keep = page.highlighted()
    assert sorted(map(tuple, page.faded_edges())) == sorted(
        (u, v)
        for u, v, d in G.edges(data=True)
        if d["relation"] != "enables" and not d["inferred"] and not (u in keep and v in keep)
    )
    page.page.select_option("#gk-depth", "1")
    assert page.js("location.hash") == "#p=gap-analysis&d=1&off=enables&inf=0"
    page.page.check("#gk-inferred")  # edges the filter brings back are faded too
    keep = page.highlighted()
    assert len(page.faded_edges()) == sum(
        1 for u, v, d in G.edges(data=True) if d["relation"] != "enables" and not (u in keep and v in keep)
    )
    page.page.click("#gk-fit")
    assert page.faded_edges() == [] and page.highlighted() == set(G)
    page.assert_clean()


def test_a_hash_naming_no_pattern_says_so(open_page, pages):
    page = open_page(pages["sample"] + "#p=" + quote("<b>nope</b>", safe=""))
    assert page.page.text_content("#gk-message") == "No pattern is called “<b>nope</b>”."
    assert page.js("graphkit.state().p") is None
    page.assert_clean()


def test_focused_page_opens_on_its_pattern(open_page, pages, sample):
    page = open_page(pages["focus"])
    H = focus_graph(sample.graph, "gap-analysis", 2)
    assert page.js("Object.keys(graphkit.network.body.nodes).length") == H.number_of_nodes()
    assert page.visible_edges() == H.number_of_edges()
    assert page.js("graphkit.state()") == {"p": "gap-analysis", "d": 2, "off": [], "inf": True}
    assert page.highlighted() == set(H)
    assert page.page.is_visible("#gk-details")
    page.assert_clean()


def test_injection_payloads_show_as_text_and_run_nothing_on_the_vis_page(open_page, pages):
    lib = graphkit.load_library(HOSTILE)
    G = lib.graph
    page = open_page(pages["hostile_vis"])
    assert page.js("document.title") == "<img src=x onerror=alert(1)>"
    assert page.page.text_content("#gk-title") == "<img src=x onerror=alert(1)>"
    legend = page.js("Array.from(document.querySelectorAll('#gk-colors li span:nth-child(2)')).map(s => s.textContent)")
    assert "<b onmouseover=\"window.__pwned='domain'\">dom</b>" in legend
    for slug in sorted(G):
        page.js("s => graphkit.select(s)", slug)
        assert page.page.text_content("#gk-d-title") == G.nodes[slug]["title"]
        assert page.page.text_content("#gk-d-summary") == (G.nodes[slug]["summary"] or "")
        assert page.neighbours_listed() == set(nx.all_neighbors(G, slug))
        assert (
            page.js(
                "document.querySelectorAll('#gk-details img, #gk-details svg, #gk-details b, #gk-details i').length"
            )
            == 0
        )
    # a javascript: page URL stays text
    page.js("s => graphkit.select(s)", "xss-title")
    assert page.js("document.querySelectorAll('#gk-d-url a').length") == 0
    assert page.page.text_content("#gk-d-url") == "page: javascript:window.__pwned='url'"
    # the search lists hostile titles as text
    page.page.fill("#gk-search", "img src")
    assert page.page.text_content("#gk-results li span") == G.nodes["xss-title"]["title"]
    # a tooltip (pyvis would switch to innerHTML for a title holding "href") is text too
    page.js("graphkit.select(null)")
    page.page.fill("#gk-search", "")
    point = page.js(
        "s => { const p = graphkit.network.getPositions([s])[s]; const d = graphkit.network.canvasToDOM(p);"
        " const r = document.querySelector('#gk-map').getBoundingClientRect(); return [d.x + r.left, d.y + r.top]; }",
        "href-title",
    )
    page.page.mouse.move(point[0] - 3, point[1] - 3)
    page.page.mouse.move(*point)
    page.page.wait_for_selector("div.vis-tooltip", state="visible")
    # innerText turns the line breaks into <br>, and nothing else becomes an element
    assert page.js("Array.from(document.querySelector('div.vis-tooltip').children).map(c => c.tagName)") == ["BR", "BR"]
    assert page.page.text_content("div.vis-tooltip").startswith(G.nodes["href-title"]["title"])
    page.assert_clean()


@pytest.mark.corpus
def test_whole_corpus_map(open_page, tmp_path):
    if not CORPUS.is_dir():
        pytest.skip(f"the shared corpus is not at {CORPUS}")
    G = graphkit.load_library(CORPUS).graph
    path = tmp_path / "corpus.html"
    path.write_text(to_html(G), encoding="utf-8")
    page = open_page(path.as_uri())
    assert page.js("graphkit.graph.order") == G.number_of_nodes() == 1587
    assert page.js("graphkit.shownEdges()") == sum(1 for _, _, d in G.edges(data=True) if not d["inferred"])
    page.page.fill("#gk-search", "Commons Blueprint")
    page.page.press("#gk-search", "Enter")
    assert page.neighbours_listed() == set(nx.all_neighbors(curated(G), "commons-blueprint"))
    page.assert_clean()


def test_hovering_an_edge_names_the_relation(open_page, pages):
    # The one edge between these two patterns: where two edges lie on one line, either may answer.
    script = "</script><script>window.__pwned = 'slug'</script>"
    page = open_page(pages["hostile_vis"])
    point = page.js(
        "([a, b]) => { const p = graphkit.network.getPositions([a, b]);"
        " const pa = graphkit.network.canvasToDOM(p[a]), pb = graphkit.network.canvasToDOM(p[b]);"
        " const r = document.querySelector('#gk-map').getBoundingClientRect();"
        " return [(pa.x + pb.x) / 2 + r.left, (pa.y + pb.y) / 2 + r.top]; }",
        ["plain", script],
    )
    page.page.mouse.move(point[0] - 2, point[1] - 2)
    page.page.mouse.move(*point)
    page.page.wait_for_selector("div.vis-tooltip", state="visible")
    title = graphkit.load_library(HOSTILE).graph.nodes[script]["title"]
    assert page.page.text_content("div.vis-tooltip") == f"Plain Pattern — implements → {title}"
    page.assert_clean()


# --- the WebGL overview (sigma.js + graphology) ----------------------------------------------


def curated(G: nx.MultiDiGraph) -> nx.MultiDiGraph:
    """The relations the overview shows at first: machine-inferred ones start hidden."""
    H = nx.MultiDiGraph()
    H.add_nodes_from(G)
    H.add_edges_from((u, v, k) for u, v, k, d in G.edges(keys=True, data=True) if not d["inferred"])
    return H


def wait_still(page: Page) -> None:
    """Wait for the camera to settle and its place to reach the address bar."""
    page.page.wait_for_function("!graphkit.sigma.getCamera().isAnimated()")
    page.page.wait_for_timeout(400)


def test_overview_draws_every_pattern_with_webgl_offline(open_page, pages, sample):
    G = sample.graph
    page = open_page(pages["sample"])
    assert page.js("typeof window.gkFirstDraw") == "number"
    shown = curated(G).number_of_edges()
    # sigma's graph holds the patterns; the links shown are drawn from the page's own buffer
    assert page.js("[graphkit.graph.order, graphkit.graph.size, graphkit.links()]") == [G.number_of_nodes(), 0, shown]
    assert page.js("document.querySelectorAll('#gk-map canvas').length") >= 2
    assert page.js("graphkit.sigma.getCanvases().edges.getContext('webgl2') !== null") is True
    assert page.js("graphkit.shownEdges()") == shown < G.number_of_edges()
    assert page.page.text_content("#gk-node-count") == str(G.number_of_nodes())
    assert page.page.text_content("#gk-edge-count") == str(shown)
    assert not page.page.is_checked("#gk-inferred")
    assert page.page.is_hidden("#gk-details")
    assert page.js("typeof vis") == "undefined"
    page.page.check("#gk-inferred")  # one toggle shows the machine-inferred links
    assert page.js("graphkit.shownEdges()") == G.number_of_edges() == page.js("graphkit.links()")
    assert page.page.text_content("#gk-edge-count") == str(G.number_of_edges())
    assert page.js("location.hash") == "#inf=1"
    page.assert_clean()


def test_overview_search_chooses_and_names_the_neighbours(open_page, pages, sample):
    G = curated(sample.graph)
    page = open_page(pages["sample"])
    page.page.fill("#gk-search", "a")
    assert page.page.get_attribute("#gk-search", "aria-activedescendant") == "gk-result-0"
    page.page.press("#gk-search", "ArrowDown")
    assert page.page.get_attribute("#gk-search", "aria-activedescendant") == "gk-result-1"
    assert page.page.get_attribute("#gk-result-1", "aria-selected") == "true"
    page.page.fill("#gk-search", "gap anal")
    assert page.page.locator("#gk-results li").first.get_attribute("data-slug") == "gap-analysis"
    page.page.press("#gk-search", "Enter")
    assert page.page.get_attribute("#gk-search", "aria-activedescendant") is None
    neighbours = set(nx.all_neighbors(G, "gap-analysis"))
    assert page.js("graphkit.highlightedSlugs()") == sorted(neighbours | {"gap-analysis"})
    assert page.neighbours_listed() == neighbours
    assert page.page.text_content("#gk-d-title") == "Gap Analysis"
    # the map fades; the neighbourhood is drawn again above it, with its links
    outside = next(n for n in sorted(G) if n not in neighbours and n != "gap-analysis")
    assert page.js("s => graphkit.sigma.getNodeDisplayData(s).highlighted", outside) is False
    assert all(page.js("s => graphkit.sigma.getNodeDisplayData(s).highlighted", n) for n in neighbours)
    assert page.js("getComputedStyle(document.querySelector('#gk-map canvas.sigma-nodes')).opacity") == "0.18"
    keep = neighbours | {"gap-analysis"}
    lit = sorted((u, v, k) for u, v, k in G.edges(keys=True) if u in keep and v in keep)
    assert sorted(map(tuple, page.js("graphkit.litEdges()"))) == lit
    wait_still(page)
    assert page.js("location.hash").startswith("#p=gap-analysis&d=1&cam=")
    # the chosen pattern and every neighbour carry their names on the canvas
    drawn = set(page.js("graphkit.named()"))
    assert neighbours | {"gap-analysis"} <= drawn
    assert page.js("graphkit.labelledSlugs()") == sorted(neighbours | {"gap-analysis"})
    page.assert_clean()


def test_labels_never_crowd_the_whole_map(open_page, pages, sample):
    page = open_page(pages["sample"])
    boxes = page.js(
        """() => { const s = graphkit.sigma, ctx = s.getCanvases().labels.getContext('2d');
        ctx.font = '12px system-ui, sans-serif';
        return graphkit.named().map(id => { const d = s.getNodeDisplayData(id);
          const p = s.framedGraphToViewport(d); const w = ctx.measureText(d.label).width;
          return [p.x + d.size + 3, p.y - 7, p.x + d.size + 3 + w, p.y + 7]; }); }"""
    )
    assert 0 < len(boxes) < sample.graph.number_of_nodes()  # the grid leaves some names for closer looks
    overlaps = [
        (a, b) for i, a in enumerate(boxes) for b in boxes[i + 1 :]
        if a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]
    ]  # fmt: skip
    assert overlaps == []


def test_a_hub_lights_its_strongest_neighbours_and_says_how_many(open_page, tmp_path):
    from graphkit import Link, Pattern, build_graph

    spokes = [Pattern(f"s{i:03d}", f"Spoke {i:03d}") for i in range(200)]
    # five spokes are related among themselves: they are the better connected, so they come first
    strong = [Pattern(f"t{i}", f"Tie {i}", links=(Link("related", "s000"), Link("related", "s001"))) for i in range(3)]
    hub = Pattern("hub", "Hub", links=tuple(Link("enables", s.slug) for s in spokes))
    G = build_graph([hub, *spokes, *strong])
    path = tmp_path / "hub.html"
    path.write_text(to_html(G, title="Hub"), encoding="utf-8")
    page = open_page(path.as_uri() + "#p=hub&d=1")
    lit = page.js("graphkit.highlightedSlugs()")
    assert len(lit) == 150 and {"hub", "s000", "s001"} <= set(lit)
    assert len(page.js("graphkit.labelledSlugs()")) == 41
    assert page.page.text_content("#gk-d-limit") == (
        "The map lights the 150 nearest and strongest of the 200 patterns within 1 step."
    )
    assert page.page.text_content("#gk-d-relations h3") == "enables (200)"
    # the twelve strongest in sight (the better connected first), the rest folded with their count
    shown = page.js("Array.from(document.querySelectorAll('#gk-d-relations section > ul a')).map(a => a.dataset.slug)")
    assert shown[:2] == ["s000", "s001"] and len(shown) == 12
    assert page.page.text_content("#gk-d-relations details.gk-more summary") == "188 more"
    assert not page.page.is_visible("#gk-d-relations details.gk-more li")
    assert len(page.neighbours_listed()) == 200
    page.assert_clean()


def test_filters_facets_and_the_panel_agree(open_page, pages, sample):
    G = curated(sample.graph)
    domains = {n: d["domains"] for n, d in sample.graph.nodes(data=True)}
    page = open_page(pages["sample"] + "#p=gap-analysis&d=1")
    page.page.uncheck("#gk-relations input[data-relation='requires']")
    headings = page.js("Array.from(document.querySelectorAll('#gk-d-relations h3')).map(h => h.textContent)")
    assert headings == ["generalizes from (2)", "enabled by (2)"]
    page.page.select_option("#gk-filters select[data-facet='domain']", "governance")
    keep = {n for n in G if "governance" in domains[n]}
    assert set(page.js("graphkit.shownNodes()")) == keep
    rel = {(u, v, k): d["relation"] for u, v, k, d in sample.graph.edges(keys=True, data=True)}
    edges = [(u, v) for u, v, k in G.edges(keys=True) if u in keep and v in keep and rel[(u, v, k)] != "requires"]
    assert page.js("graphkit.shownEdges()") == len(edges)
    assert page.page.text_content("#gk-node-count") == str(len(keep))
    assert page.page.text_content("#gk-edge-count") == str(len(edges))
    assert page.neighbours_listed() == {m for u, v in edges for m in (u, v) if "gap-analysis" in (u, v)} - {
        "gap-analysis"
    }
    assert page.js("location.hash.split('&cam=')[0]") == "#p=gap-analysis&d=1&off=requires&f.domain=governance"
    hidden = next(n for n in sorted(G) if n not in keep)
    assert page.js("s => graphkit.sigma.getNodeDisplayData(s).hidden", hidden) is True
    # a legend swatch filters by its value; pressing it again shows all
    page.page.click("#gk-colors li[data-value='operations']")
    assert page.js("graphkit.state().f") == {"domain": "operations"}
    assert page.page.get_attribute("#gk-colors li[data-value='operations']", "aria-pressed") == "true"
    assert page.page.input_value("#gk-filters select[data-facet='domain']") == "operations"
    page.page.click("#gk-colors li[data-value='operations']")
    assert page.js("graphkit.state().f") == {}
    assert set(page.js("graphkit.shownNodes()")) == set(G)
    page.assert_clean()


def test_the_url_keeps_camera_colour_facet_and_filters(open_page, pages, sample):
    url = (
        pages["sample"]
        + "#p=gap-analysis&d=2&off=enables&inf=1&color=status&f.domain=governance&cam=0.4000,0.6000,0.2500"
    )
    page = open_page(url)
    assert page.js("graphkit.state()") == {
        "p": "gap-analysis", "d": 2, "off": ["enables"], "inf": True, "color": "status", "f": {"domain": "governance"},
    }  # fmt: skip
    camera = page.js("(() => { const c = graphkit.sigma.getCamera().getState(); return [c.x, c.y, c.ratio]; })()")
    assert camera == pytest.approx([0.4, 0.6, 0.25])
    assert page.page.input_value("#gk-color-by") == "status"
    assert page.page.text_content("#gk-facet-title") == "colour: status"
    assert page.page.input_value("#gk-filters select[data-facet='domain']") == "governance"
    assert page.js("location.hash") == "#" + url.split("#", 1)[1]
    # moving the camera rewrites the address; the address brings the same view back
    page.js("graphkit.sigma.getCamera().setState({x: 0.3, y: 0.35, ratio: 0.5})")
    page.page.wait_for_function("location.hash.includes('cam=0.3000,0.3500,0.5000')")
    again = open_page(pages["sample"] + page.js("location.hash"))
    assert again.js("graphkit.state()") == page.js("graphkit.state()")
    camera = again.js("(() => { const c = graphkit.sigma.getCamera().getState(); return [c.x, c.y, c.ratio]; })()")
    assert camera == pytest.approx([0.3, 0.35, 0.5])
    for slug, data in sample.graph.nodes(data=True):  # coloured by status now
        status = data.get("status")
        if status:
            item = next(
                i
                for i in again.js(
                    "graphkit.sigma && " + "JSON.parse(document.getElementById('gk-meta').textContent).legends.status"
                )
                if i["value"] in (status, None) and i.get("label") != "none"
            )
            assert again.js("s => graphkit.graph.getNodeAttribute(s, 'color')", slug) == item["color"]
    again.assert_clean()


def legend_colors(page: Page) -> dict[str, str]:
    return dict(page.js(
        "Array.from(document.querySelectorAll('#gk-colors li')).map(li =>"
        " [li.children[1].textContent, li.children[0].style.background])"
    ))  # fmt: skip


def test_a_value_keeps_its_colour_on_every_page(open_page, pages, sample):
    whole = legend_colors(open_page(pages["sample"]))
    for name in ("domain", "focus"):
        other = legend_colors(open_page(pages[name]))
        shared = [v for v in other if v in whole and not v.startswith(("other", "none"))]
        assert shared and {v: other[v] for v in shared} == {v: whole[v] for v in shared}, name
    # the colour of a pattern follows its value, whatever page shows it
    page = open_page(pages["domain"])
    whole_page = open_page(pages["sample"])
    for slug in page.js("graphkit.graph.nodes()"):
        assert page.js("s => graphkit.colorOf(s)", slug) == whole_page.js("s => graphkit.colorOf(s)", slug)


def test_the_panel_floats_over_the_map_and_the_choice_is_framed_beside_it(open_page, pages, sample):
    page = open_page(pages["sample"])
    size = page.js(
        "(() => { const r = document.querySelector('#gk-map').getBoundingClientRect(); return [r.width, r.height]; })()"
    )
    page.js("graphkit.select('gap-analysis')")
    # the map keeps its size (a resized WebGL canvas is reallocated and redrawn)
    assert (
        page.js(
            "(() => { const r = document.querySelector('#gk-map').getBoundingClientRect(); return [r.width, r.height]; })()"
        )
        == size
    )
    panel = page.page.locator("#gk-details").bounding_box()
    mapbox = page.page.locator("#gk-map").bounding_box()
    assert panel["width"] == 340 and panel["x"] + panel["width"] == pytest.approx(mapbox["x"] + mapbox["width"])
    page.page.wait_for_function("!graphkit.sigma.getCamera().isAnimated()")
    xs = page.js(
        "graphkit.highlightedSlugs().map(s => graphkit.sigma.framedGraphToViewport(graphkit.sigma.getNodeDisplayData(s)).x"
        " + document.querySelector('#gk-map').getBoundingClientRect().left)"
    )
    assert len(xs) == len(set(nx.all_neighbors(curated(sample.graph), "gap-analysis"))) + 1
    assert min(xs) > mapbox["x"] and max(xs) < panel["x"]
    page.assert_clean()


def test_phone_width_has_a_legend_drawer_and_a_bottom_sheet(browser, pages):
    context = browser.new_context(viewport={"width": 390, "height": 800}, has_touch=True)
    try:
        page = context.new_page()
        page.goto(pages["sample"])
        page.wait_for_selector("body[data-drawn='1']")
        assert not page.is_visible("#gk-legend")
        page.click("#gk-legend-toggle")
        page.wait_for_function("getComputedStyle(document.querySelector('#gk-legend')).transform === 'none'")
        assert page.is_visible("#gk-filters select[data-facet='domain']")
        page.keyboard.press("Escape")
        page.wait_for_selector("#gk-legend", state="hidden")
        page.evaluate("graphkit.select('gap-analysis')")
        box = page.locator("#gk-details").bounding_box()
        assert box["width"] == 390 and box["y"] >= 800 * 0.55 - 1 and box["y"] + box["height"] == pytest.approx(800)
        # the neighbourhood is framed above the sheet, not under it
        page.wait_for_function("!graphkit.sigma.getCamera().isAnimated()")
        lit = page.evaluate(
            "graphkit.highlightedSlugs().map(s => { const p = graphkit.sigma.framedGraphToViewport("
            "graphkit.sigma.getNodeDisplayData(s)); return p.y + document.querySelector('#gk-map')"
            ".getBoundingClientRect().top; })"
        )
        assert lit and max(lit) < box["y"]
        page.keyboard.press("Escape")
        assert page.is_hidden("#gk-details")
        # no legend name is cut mid-word: every word of a name sits on one line
        page.click("#gk-legend-toggle")
        words = page.evaluate(
            """() => Array.from(document.querySelectorAll('#gk-legend .gk-name')).flatMap(span => {
              const text = span.firstChild; if (!text) return [];
              const out = []; const re = /\\S+/g; let m;
              while ((m = re.exec(text.data))) { const r = document.createRange();
                r.setStart(text, m.index); r.setEnd(text, m.index + m[0].length);
                out.push([m[0], r.getClientRects().length]); }
              return out; })"""
        )
        assert words and [w for w, lines in words if lines != 1] == []
    finally:
        context.close()


# Pixels the map's own links cover: sigma draws, then its WebGL canvas is read in the same task.
LINK_PIXELS = """() => { graphkit.sigma.refresh({ skipIndexation: true });
  const gl = graphkit.sigma.getCanvases().edges, c = document.createElement('canvas');
  c.width = gl.width; c.height = gl.height; const ctx = c.getContext('2d'); ctx.drawImage(gl, 0, 0);
  const d = ctx.getImageData(0, 0, c.width, c.height).data; let n = 0;
  for (let i = 3; i < d.length; i += 4) if (d[i]) n++; return n; }"""


def test_a_choice_stops_drawing_the_maps_own_links(open_page, pages):
    page = open_page(pages["sample"])
    assert page.js(LINK_PIXELS) > 1000
    page.js("graphkit.select('gap-analysis')")
    assert page.js(LINK_PIXELS) == 0  # only the lit links, drawn on their own layer
    page.js("graphkit.select(null)")
    assert page.js(LINK_PIXELS) > 1000


def test_escape_and_an_empty_click_clear_the_choice(open_page, pages):
    page = open_page(pages["sample"] + "#p=gap-analysis&d=1")
    assert page.page.is_visible("#gk-details")
    assert page.js("graphkit.litEdges().length") > 0
    page.page.keyboard.press("Escape")
    assert page.page.is_hidden("#gk-details") and page.js("graphkit.state().p") is None
    # the map comes back: unfaded, nothing drawn above it
    assert page.js("getComputedStyle(document.querySelector('#gk-map canvas.sigma-nodes')).opacity") == "1"
    assert page.js("graphkit.litEdges()") == []
    assert page.js("graphkit.graph.filterNodes((n, a) => graphkit.sigma.getNodeDisplayData(n).highlighted)") == []
    page.js("graphkit.select('gap-analysis')")
    wait_still(page)
    page.js("graphkit.sigma.getCamera().setState({x: 0.5, y: 0.5, ratio: 1})")
    box = page.page.locator("#gk-map").bounding_box()
    page.page.mouse.click(box["x"] + 4, box["y"] + 4)  # inside the stage padding: no pattern there
    assert page.page.is_hidden("#gk-details") and page.js("graphkit.state().p") is None
    page.assert_clean()


def test_the_view_exports_as_png(open_page, pages):
    page = open_page(pages["sample"] + "#p=gap-analysis&d=1")
    wait_still(page)
    url = page.js("graphkit.exportPNG()")
    assert url.startswith("data:image/png;base64,")
    size, coloured = page.js(
        """u => new Promise(done => { const img = new Image(); img.onload = () => {
          const c = document.createElement('canvas'); c.width = img.width; c.height = img.height;
          const ctx = c.getContext('2d'); ctx.drawImage(img, 0, 0);
          const px = ctx.getImageData(0, 0, c.width, c.height).data; let n = 0;
          for (let i = 0; i < px.length; i += 4) if (px[i] < 200 || px[i + 1] < 200 || px[i + 2] < 200) n++;
          done([[img.width, img.height], n]); }; img.src = u; })""",
        url,
    )
    canvas = page.js("(() => { const c = graphkit.sigma.getCanvases().nodes; return [c.width, c.height]; })()")
    assert size == canvas and coloured > 500  # nodes, edges and names, drawn on white
    with page.page.expect_download() as download:
        page.page.click("#gk-export")
    assert download.value.suggested_filename == "Sample.png"
    page.assert_clean()


def test_hostile_titles_run_nothing_on_the_overview(open_page, pages):
    G = graphkit.load_library(HOSTILE).graph
    shown = curated(G)
    page = open_page(pages["hostile"])
    assert page.page.text_content("#gk-title") == "<img src=x onerror=alert(1)>"
    legend = page.js("Array.from(document.querySelectorAll('#gk-colors li .gk-name')).map(s => s.textContent)")
    assert "<b onmouseover=\"window.__pwned='domain'\">dom</b>" in legend
    page.page.check("#gk-inferred")
    for slug in sorted(G):
        page.js("s => graphkit.select(s)", slug)
        assert page.js("s => graphkit.graph.getNodeAttribute(s, 'label')", slug) == G.nodes[slug]["title"]
        assert page.page.text_content("#gk-d-title") == G.nodes[slug]["title"]
        assert page.neighbours_listed() == set(nx.all_neighbors(G, slug))
        assert page.js("document.querySelectorAll('#gk-details img, #gk-details svg, #gk-details b').length") == 0
    page.page.uncheck("#gk-inferred")
    page.js("s => graphkit.select(s)", "xss-title")
    assert page.neighbours_listed() == set(nx.all_neighbors(shown, "xss-title"))
    assert page.page.text_content("#gk-d-url") == "page: javascript:window.__pwned='url'"
    page.page.fill("#gk-search", "img src")
    assert page.page.text_content("#gk-results li span") == G.nodes["xss-title"]["title"]
    # hovering a pattern draws its name on the canvas, never as markup
    page.js("graphkit.select(null)")
    wait_still(page)
    point = page.js(
        "s => { const d = graphkit.sigma.getNodeDisplayData(s); const p = graphkit.sigma.framedGraphToViewport(d);"
        " const r = document.querySelector('#gk-map').getBoundingClientRect(); return [p.x + r.left, p.y + r.top]; }",
        "href-title",
    )
    page.page.mouse.move(point[0] - 2, point[1] - 2)
    page.page.mouse.move(*point)
    page.page.wait_for_selector("#gk-tip", state="visible")
    title = G.nodes["href-title"]["title"]
    assert page.js("document.querySelector('#gk-tip').textContent") == f"{title}\nhref-title\n" + (
        ", ".join(G.nodes["href-title"]["domains"]) + " · " if G.nodes["href-title"]["domains"] else ""
    ) + f"{G.degree('href-title')} relation" + ("" if G.degree("href-title") == 1 else "s")
    assert page.js("document.querySelector('#gk-tip').children.length") == 0
    assert page.js("document.querySelectorAll('#gk-map img, #gk-map b, #gk-map a').length") == 0
    page.assert_clean()


def test_the_local_graph_shows_the_strongest_and_can_show_all(open_page, pages, sample):
    from graphkit.view.page import strongest_first

    H = focus_graph(sample.graph, "commons-blueprint", 1)
    page = open_page(pages["local"])
    strongest = sorted(strongest_first(H, "commons-blueprint")[:8])
    assert sorted(page.js("graphkit.nodeView.getIds()")) == strongest
    assert page.page.text_content("#gk-all") == f"Show all {H.number_of_nodes()}"
    assert page.page.text_content("#gk-node-count") == "8"
    page.page.click("#gk-all")
    assert page.js("graphkit.nodeView.length") == H.number_of_nodes()
    assert page.js("location.hash") == "#p=commons-blueprint&d=1&all=1"
    assert page.page.text_content("#gk-all") == "Strongest 8"
    again = open_page(pages["local"] + "#p=commons-blueprint&d=1&all=1")
    assert again.js("graphkit.nodeView.length") == H.number_of_nodes()
    page.assert_clean()


def test_the_hierarchy_draws_as_a_tree(open_page, pages, sample):
    H = hierarchy_graph(sample.graph, "commons-blueprint")
    page = open_page(pages["tree"])
    y = page.js("(() => { const p = graphkit.network.getPositions(); const out = {};"
                " for (const k in p) out[k] = p[k].y; return out; })()")  # fmt: skip
    assert set(y) == set(H)
    for n, level in H.nodes(data="level"):
        assert y[n] == y["commons-blueprint"] + 140 * level  # one row per level, the general on top
    assert page.visible_edges() == H.number_of_edges()
    page.assert_clean()


def test_compact_domains_are_named_over_their_region_when_zoomed_out(open_page, tmp_path):
    from graphkit import Pattern, build_graph

    patterns = [Pattern(f"w{i}", f"West {i}", domains=("west",)) for i in range(8)]
    patterns += [Pattern(f"e{i}", f"East {i}", domains=("east",)) for i in range(8)]
    patterns += [Pattern(f"s{i}", f"Scattered {i}", domains=("scattered",)) for i in range(8)]
    patterns += [Pattern(f"m{i}", f"Mixed {i}", domains=("mixed",)) for i in range(5)]
    G = build_graph(patterns)
    positions = {f"w{i}": (-1000.0 + 10 * i, 0.0) for i in range(8)}
    positions |= {f"e{i}": (1000.0 + 10 * i, 0.0) for i in range(8)}
    positions |= {f"s{i}": (-1000.0 + 2000 * (i % 2), 1000.0 * (i // 2)) for i in range(8)}
    positions |= {f"m{i}": (1005.0 + 10 * i, 0.0) for i in range(5)}  # among the east, fewer than half there
    path = tmp_path / "regions.html"
    path.write_text(to_html(G, title="Regions", positions=positions), encoding="utf-8")
    page = open_page(path.as_uri())
    assert sorted(page.js("graphkit.regions()")) == ["east", "west"]  # "scattered" and "mixed" have no region
    page.js("graphkit.sigma.getCamera().setState({x: 0.5, y: 0.5, ratio: 0.2})")
    page.page.wait_for_function("graphkit.regions().length === 0")
    page.js("graphkit.sigma.getCamera().setState({x: 0.5, y: 0.5, ratio: 1})")
    page.page.wait_for_function("graphkit.regions().length === 2")
    page.js("graphkit.select('w0')")  # a chosen neighbourhood's names come first
    assert page.js("graphkit.regions()") == []
    page.assert_clean()


def test_two_patterns_show_the_paths_graphkit_path_prints(open_page, pages, sample):
    from graphkit.explore import find_paths, format_path

    G = sample.graph
    page = open_page(pages["sample"] + "#p=alignment-monitoring&q=anomaly-response")
    expected = [format_path(p) for p in find_paths(G, "alignment-monitoring", "anomaly-response", limit=5)]
    assert page.js("graphkit.paths()") == expected and len(expected) == 2
    on_paths = {s for p in find_paths(G, "alignment-monitoring", "anomaly-response", limit=5) for st in p
                for s in (st.source, st.target)}  # fmt: skip
    assert page.js("graphkit.highlightedSlugs()") == sorted(on_paths)
    assert page.js("graphkit.labelledSlugs()") == sorted(on_paths)
    assert page.page.text_content("#gk-d-path h3") == "shortest paths to Anomaly Response (2 steps)"
    assert page.js("Array.from(document.querySelectorAll('#gk-d-path li')).map(li => li.textContent)") == expected
    assert page.js("graphkit.state().q") == "anomaly-response"
    # the path button, then the search, picks the other end; the filters shape the paths
    page.js("graphkit.select('alignment-monitoring')")
    assert page.page.is_hidden("#gk-d-path")
    page.page.uncheck("#gk-relations input[data-relation='generalizes_from']")
    page.page.click("#gk-path-to")
    assert page.page.get_attribute("#gk-path-to", "aria-pressed") == "true"
    page.page.fill("#gk-search", "feedback loop gov")
    page.page.press("#gk-search", "Enter")
    others = [r for r in DEFAULT_RELATIONS if r != "generalizes_from"]
    expected = [
        format_path(p) for p in find_paths(G, "alignment-monitoring", "feedback-loop-governance", others, limit=5)
    ]
    assert page.js("graphkit.paths()") == expected and expected
    assert page.js("location.hash").split("&cam=")[0] == (
        "#p=alignment-monitoring&q=feedback-loop-governance&d=1&off=generalizes_from"
    )
    page.page.keyboard.press("Escape")
    assert page.js("graphkit.state().p") is None and page.js("graphkit.paths()") == []
    page.assert_clean()
