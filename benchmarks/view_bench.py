"""Benchmark the map: layout time, and time from navigation to first draw in headless Chromium.

Compares graphkit's page with pyvis's defaults (``Network().from_nx(G)``, physics on) on the
shared corpus (when it is beside the repository) and on a synthetic library the size of the
later real one (3,600 patterns, ~17,000 curated edges, heavy-tailed degrees, a third isolated).
Layout is compared with ``nx.spring_layout``. Prints a Markdown table.

    python benchmarks/view_bench.py [--runs 5] [--timeout 60] [--no-spring]

Not a test: numbers depend on the machine and its load. Pages load from file:// with every
http(s) request blocked, as on a machine without internet.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

import networkx as nx

HERE = Path(__file__).resolve().parent
sys.path[:0] = [str(HERE.parent), str(HERE)]

from synthetic import synthetic_graph  # noqa: E402

import graphkit  # noqa: E402
from graphkit.view import layout_positions, to_html  # noqa: E402

CORPUS = HERE.parent.parent / "shared" / "corpus" / "commons-os-patterns-2026-02-17" / "_patterns"
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run",
]  # fmt: skip
HOOK = "network.once('afterDrawing', function () { window.gkFirstDraw = performance.now(); });"


def pyvis_default_page(G: nx.MultiDiGraph) -> str:
    """What a pyvis user gets by default: ``from_nx`` on the graph, physics and smooth edges on."""
    from pyvis.network import Network

    plain = nx.MultiDiGraph()  # from_nx modifies its input and chokes on list attributes: give it a copy
    plain.add_nodes_from((n, {"label": str(d.get("title") or n)}) for n, d in G.nodes(data=True))
    plain.add_edges_from(G.edges())
    net = Network(cdn_resources="in_line")
    net.from_nx(plain)
    page = net.generate_html()
    marker = "network = new vis.Network(container, data, options);"
    assert marker in page
    return page.replace(marker, marker + "\n" + HOOK, 1)


def first_draw(browser, path: Path, runs: int, timeout: float) -> list[float] | None:
    """Milliseconds from navigation to the first drawn frame, one per run (a fresh context each)."""
    times = []
    for _ in range(runs):
        context = browser.new_context(viewport={"width": 1400, "height": 900})
        context.route("http*://**/*", lambda route: route.abort())
        page = context.new_page()
        try:
            page.goto(path.as_uri(), wait_until="commit")
            page.wait_for_function("window.gkFirstDraw !== undefined", timeout=timeout * 1000, polling=100)
            times.append(page.evaluate("window.gkFirstDraw"))
        except Exception:  # playwright's TimeoutError: report ">timeout"
            context.close()
            return None
        context.close()
    return times


def fmt_ms(times: list[float] | None, timeout: float) -> str:
    if times is None:
        return f"> {timeout:.0f} s"
    return f"{statistics.median(times) / 1000:.2f} s (min {min(times) / 1000:.2f})"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5, help="page loads per measurement (median reported)")
    parser.add_argument("--timeout", type=float, default=60.0, help="seconds to wait for a pyvis-default page")
    parser.add_argument("--no-spring", action="store_true", help="skip nx.spring_layout (about 30 s)")
    args = parser.parse_args()

    graphs = []
    if CORPUS.is_dir():
        graphs.append(("shared corpus", graphkit.load_library(CORPUS).graph))
    else:
        print(f"(no corpus at {CORPUS}; synthetic library only)", file=sys.stderr)
    graphs.append(("synthetic 3,600", synthetic_graph()))

    from playwright.sync_api import sync_playwright

    rows = []
    with tempfile.TemporaryDirectory() as tmp, sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
        warm = Path(tmp) / "warm.html"
        warm.write_text(to_html(graphkit.load_library().graph), encoding="utf-8")
        first_draw(browser, warm, 1, args.timeout)  # start the browser's processes once
        for name, G in graphs:
            t = time.perf_counter()
            positions = layout_positions(G)
            ours_layout = time.perf_counter() - t
            t = time.perf_counter()
            page = to_html(G, positions=positions)
            ours_page = time.perf_counter() - t
            if args.no_spring:
                spring = "skipped"
            else:
                t = time.perf_counter()
                nx.spring_layout(nx.Graph(G.to_undirected()), seed=1)
                spring = f"{time.perf_counter() - t:.1f} s"
            ours_path = Path(tmp) / "ours.html"
            ours_path.write_text(page, encoding="utf-8")
            pyvis_path = Path(tmp) / "pyvis.html"
            pyvis_path.write_text(pyvis_default_page(G), encoding="utf-8")
            ours = first_draw(browser, ours_path, args.runs, args.timeout)
            theirs = first_draw(browser, pyvis_path, 1, args.timeout)
            rows.append(
                (
                    f"{name} ({G.number_of_nodes():,} patterns, {G.number_of_edges():,} edges)",
                    f"{ours_layout:.2f} s",
                    spring,
                    f"{ours_page:.2f} s",
                    fmt_ms(ours, args.timeout),
                    fmt_ms(theirs, args.timeout),
                )
            )
        browser.close()
    print("| graph | layout (graphkit, igraph) | layout (nx.spring_layout) | page render (Python) "
          f"| first draw, graphkit (median of {args.runs}) | first draw, pyvis defaults |")  # fmt: skip
    print("|---|---|---|---|---|---|")
    for row in rows:
        print("| " + " | ".join(row) + " |")


if __name__ == "__main__":
    main()
