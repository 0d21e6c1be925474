"""Take the README's screenshots with headless Chromium, on a synthetic library at the newer
Commons OS library's density (3,614 patterns, about 10 relations each; benchmarks/dense.py).

python docs/make_screenshots.py      # writes docs/map.png, docs/hub.png, docs/hierarchy.png and docs/sparql.png
python docs/make_screenshots.py sparql          # only the ones named
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

import graphkit  # noqa: E402
from benchmarks.dense import make_dense_library  # noqa: E402
from graphkit.query import find_queries  # noqa: E402
from graphkit.sparqlpage import to_sparql_page  # noqa: E402
from graphkit.view import focus_graph, hierarchy_graph, to_html  # noqa: E402

ARGS = ["--headless", "--no-sandbox", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run"]  # fmt: skip
HIERARCHY = ("generalizes_from", "specializes_to")


def main(names: list[str]) -> None:
    from urllib.parse import quote

    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory() as tmp:
        make_dense_library(Path(tmp) / "library", scale=1.0)
        G = graphkit.load_library(Path(tmp) / "library").graph
        hub = max(G, key=lambda n: (G.degree(n), n))
        tree = max(G, key=lambda n: (sum(k in HIERARCHY for *_, k in G.edges(n, keys=True)), n))
        title = "Commons OS at its newer density (synthetic)"
        pages = {
            "map": to_html(G, title=title),
            "hub": to_html(
                focus_graph(G, hub, 1), title=f"{title}: {G.nodes[hub]['title']}", selected=hub, depth=1,
                renderer="vis", limit=60,
            ),
            "hierarchy": to_html(
                hierarchy_graph(G, tree), title=f"{title}: {G.nodes[tree]['title']}", selected=tree,
                renderer="vis",
            ),
            "sparql": to_sparql_page(G, title=title, site=True),
        }  # fmt: skip
        # the SPARQL page asks what the map's "Ask about this pattern" asks, of the pattern of the hierarchy
        asks = {"sparql": "#q=" + quote(find_queries()["neighbours"].text, safe="") + "&$pattern=" + quote(tree)}
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=ARGS)
            for name, page_text in pages.items():
                if names and name not in names:
                    continue
                path = Path(tmp) / f"{name}.html"
                path.write_text(page_text, encoding="utf-8")
                page = browser.new_page(viewport={"width": 1400, "height": 860})
                page.goto(path.as_uri() + asks.get(name, ""))
                if name == "sparql":
                    page.wait_for_function("() => window.gkSparql.finished > 0", timeout=120_000)
                else:
                    page.wait_for_function("window.gkFirstDraw", timeout=120_000)
                    page.wait_for_timeout(1500)  # let the camera settle
                page.screenshot(path=str(HERE / f"{name}.png"))
                page.close()
            browser.close()


if __name__ == "__main__":
    main(sys.argv[1:])
