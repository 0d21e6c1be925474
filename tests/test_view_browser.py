"""The map in a real browser: Debian's chromium, headless, driven by playwright, offline.

Without a browser these tests skip, except in CI (``CI=true``), where they fail.
"""

from __future__ import annotations

from pathlib import Path
from urllib.parse import quote

import networkx as nx
import pytest

import graphkit
from graphkit.view import focus_graph, to_html

pytestmark = pytest.mark.browser

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
        self.page.on("console", lambda m: self.errors.append(m.text) if m.type in ("error", "warning") else None)
        self.page.on("pageerror", lambda e: self.errors.append(str(e)))
        self.page.goto(url)
        self.page.wait_for_selector("body[data-drawn='1']", timeout=30_000)

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
    files = {
        "sample": to_html(G, title="Sample"),
        "hostile": to_html(graphkit.load_library(HOSTILE).graph, title="<img src=x onerror=alert(1)>"),
        "focus": to_html(focus_graph(G, "gap-analysis", 2), selected="gap-analysis", depth=2),
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


def test_whole_map_draws_every_pattern_and_relation_offline(open_page, pages, sample):
    page = open_page(pages["sample"])
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
    page = open_page(pages["sample"])
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
    assert headings == ["generalizes from (2)", "requires (2)", "enabled by (2)"]
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
    page = open_page(pages["sample"])
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
    page = open_page(pages["sample"] + "#p=gap-analysis&d=2&off=enables&inf=0")
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


def test_injection_payloads_show_as_text_and_run_nothing(open_page, pages):
    lib = graphkit.load_library(HOSTILE)
    G = lib.graph
    page = open_page(pages["hostile"])
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
    assert page.js("Object.keys(graphkit.network.body.nodes).length") == G.number_of_nodes() == 1587
    assert page.visible_edges() == G.number_of_edges()
    page.page.fill("#gk-search", "Commons Blueprint")
    page.page.press("#gk-search", "Enter")
    assert page.neighbours_listed() == set(nx.all_neighbors(G, "commons-blueprint"))
    page.assert_clean()


def test_hovering_an_edge_names_the_relation(open_page, pages):
    page = open_page(pages["hostile"])
    point = page.js(
        "() => { const p = graphkit.network.getPositions(['a b#c', 'plain']);"
        " const a = graphkit.network.canvasToDOM(p['a b#c']), b = graphkit.network.canvasToDOM(p['plain']);"
        " const r = document.querySelector('#gk-map').getBoundingClientRect();"
        " return [(a.x + b.x) / 2 + r.left, (a.y + b.y) / 2 + r.top]; }"
    )
    page.page.mouse.move(point[0] - 2, point[1] - 2)
    page.page.mouse.move(*point)
    page.page.wait_for_selector("div.vis-tooltip", state="visible")
    assert page.page.text_content("div.vis-tooltip") == "Space & Hash — specializes to → Plain Pattern"
    page.assert_clean()
