"""One measurement in a fresh process: ``python -m benchmarks.measure NAME LIBRARY WORKDIR``.

Prints one JSON object: ``seconds`` (the timed part only; imports and set-up excluded) and
``peak_mb`` (the process's and its children's peak resident memory). Each measurement runs
in its own interpreter so that caches, imports and memory of one never help another.
"""

from __future__ import annotations

import json
import re
import resource
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

MEASUREMENTS: dict[str, Callable[[Path, Path], Callable[[], object]]] = {}


def measurement(name: str):
    """Register ``setup(library, workdir) -> run``; only ``run()`` is timed."""

    def register(setup):
        MEASUREMENTS[name] = setup
        return setup

    return register


def _markdown_files(library: Path) -> list[Path]:
    return sorted(library.rglob("*.md"))


_BOUNDARY = re.compile(r"^-{3,}\s*$", re.M)


@measurement("floor")
def _floor(library, workdir):
    """The floor: split the frontmatter by hand and parse it with yaml.CSafeLoader, one process."""
    import yaml

    files = _markdown_files(library)

    def run():
        for path in files:
            text = path.read_text(encoding="utf-8-sig", errors="replace")
            parts = _BOUNDARY.split(text, 2)
            if len(parts) == 3:
                try:
                    yaml.load(parts[1], Loader=yaml.CSafeLoader)
                except yaml.YAMLError:
                    pass

    return run


@measurement("python-frontmatter")
def _python_frontmatter(library, workdir):
    """What a user would write first: frontmatter.load() on every file."""
    import frontmatter

    files = _markdown_files(library)

    def run():
        for path in files:
            try:
                frontmatter.load(path)
            except Exception:  # noqa: BLE001 - the baseline has no error handling of its own
                pass

    return run


@measurement("load")
def _load(library, workdir):
    """graphkit: files -> records -> graph with the problems report, no cache."""
    import graphkit

    return lambda: graphkit.load_library(library)


@measurement("load-1core")
def _load_one_core(library, workdir):
    import graphkit

    return lambda: graphkit.load_library(library, workers=1)


@measurement("load-warm")
def _load_warm(library, workdir):
    """graphkit with a cache from an earlier run and no file changed."""
    import graphkit

    cache = workdir / "cache-warm"
    graphkit.load_library(library, cache_dir=cache)
    # Files written within 2 s of a scan are read again on the next run (they may have
    # changed within the filesystem's timestamp granularity); a second scan settles them.
    time.sleep(2.1)
    primed = graphkit.load_library(library, cache_dir=cache)
    assert primed.from_cache > 0 or not primed.files

    def run():
        lib = graphkit.load_library(library, cache_dir=cache)
        return {"from_cache": lib.from_cache, "files": len(lib.files)}

    return run


@measurement("graph")
def _graph(library, workdir):
    """Linking and building the NetworkX graph from records already loaded."""
    from graphkit import build_graph, link_patterns
    from graphkit.load import load_patterns

    result = load_patterns(library)

    def run():
        edges, _ = link_patterns(result.patterns, result.config.vocabulary)
        return build_graph(result.patterns, result.config.vocabulary, edges)

    return run


# The SPARQL set: every shipped query rdflib's store answers within a minute on the corpus
# (hubs, neighbours, one-sided-links and orphans take rdflib from 27 s to many minutes).
QUERIES = [
    ("patterns-per-domain", {}),
    ("facet-counts", {}),
    ("links-per-relation", {}),
    ("enables-transitively", {"pattern": "alignment-monitoring"}),
    ("generalization-tree", {"pattern": "commons-blueprint"}),
    ("requires-without-alternative", {}),
    ("score-summary", {}),
    ("search", {"text": "governance"}),
    ("uncurated-inferred-links", {}),
]


def _graph_of(library):
    import graphkit

    return graphkit.load_library(library).graph


@measurement("turtle")
def _turtle(library, workdir):
    """graphkit's whole export: the NetworkX graph to Turtle text (triples built, sorted, serialized)."""
    from graphkit.rdf import to_turtle

    G = _graph_of(library)
    return lambda: to_turtle(G)


@measurement("turtle-rdflib")
def _turtle_rdflib(library, workdir):
    """The rdflib way from the same graph: its triples into an rdflib.Graph, then rdflib's serializer."""
    from graphkit.rdf import to_rdflib

    G = _graph_of(library)
    return lambda: to_rdflib(G).serialize(format="turtle")


@measurement("serialize")
def _serialize(library, workdir):
    """The serializer alone: pyoxigraph writing the triples (made beforehand) as Turtle, graphkit's prefixes."""
    import pyoxigraph as ox

    from graphkit.rdf import PREFIXES, to_triples

    triples = to_triples(_graph_of(library))
    return lambda: ox.serialize(triples, format=ox.RdfFormat.TURTLE, prefixes=PREFIXES)


@measurement("serialize-rdflib")
def _serialize_rdflib(library, workdir):
    """The serializer alone: rdflib writing the same triples as Turtle."""
    from graphkit.rdf import to_rdflib

    g = to_rdflib(_graph_of(library))
    return lambda: g.serialize(format="turtle")


def _run_queries(run_one_query):
    return {"rows": sum(run_one_query(name, bindings) for name, bindings in QUERIES)}


@measurement("sparql")
def _sparql(library, workdir):
    """graphkit: the query set on a loaded pyoxigraph store (values bound)."""
    from graphkit.query import load_store, query

    store = load_store(_graph_of(library))
    return lambda: _run_queries(lambda name, b: len(query(store, name, b)))


@measurement("sparql-rdflib")
def _sparql_rdflib(library, workdir):
    """rdflib's own store and SPARQL engine: the same triples, queries and bound values."""
    import rdflib

    from graphkit.query import get_query
    from graphkit.rdf import PREFIXES, to_rdf

    g = rdflib.Graph()
    g.parse(data=to_rdf(_graph_of(library), "ntriples", with_ontology=True), format="nt")

    def one(name, bindings):
        init = {k: rdflib.Literal(v) for k, v in bindings.items()}
        return len(list(g.query(get_query(name).text, initNs=PREFIXES, initBindings=init)))

    return lambda: _run_queries(one)


@measurement("store")
def _store(library, workdir):
    """graphkit: the library and the ontology into a pyoxigraph store."""
    from graphkit.query import load_store

    G = _graph_of(library)
    return lambda: len(load_store(G)) and {}


@measurement("store-rdflib")
def _store_rdflib(library, workdir):
    """rdflib: the same triples (as N-Triples) into an rdflib.Graph."""
    import rdflib

    from graphkit.rdf import to_rdf

    text = to_rdf(_graph_of(library), "ntriples", with_ontology=True)
    return lambda: len(rdflib.Graph().parse(data=text, format="nt")) and {}


@measurement("layout")
def _layout(library, workdir):
    """graphkit's layout: igraph per component, overlap removal, components packed."""
    from graphkit.view import layout_positions

    G = _graph_of(library)

    def run():
        layout_positions(G)

    return run


@measurement("layout-spring")
def _layout_spring(library, workdir):
    """nx.spring_layout, what a NetworkX user reaches for."""
    import networkx as nx

    G = nx.Graph(_graph_of(library))

    def run():
        nx.spring_layout(G, seed=1)

    return run


@measurement("page")
def _page(library, workdir):
    """graphkit: the whole map page, layout included."""
    from graphkit.view import to_html

    G = _graph_of(library)
    return lambda: to_html(G)


@measurement("page-pyvis")
def _page_pyvis(library, workdir):
    """pyvis defaults: Network().from_nx(G) and generate_html() (layout left to the browser)."""
    from benchmarks.view_bench import pyvis_default_page

    G = _graph_of(library)
    return lambda: pyvis_default_page(G)


def _first_draw(workdir, page):
    from playwright.sync_api import sync_playwright

    from benchmarks.view_bench import CHROMIUM_ARGS, first_draw

    path = workdir / "page.html"
    path.write_text(page, encoding="utf-8")

    def run():
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
            try:
                times = first_draw(browser, path, runs=1, timeout=FIRST_DRAW_LIMIT)
            finally:
                browser.close()
        if times is None:
            return {"seconds": None, "over": FIRST_DRAW_LIMIT}
        return {"seconds": times[0] / 1000}

    return run


FIRST_DRAW_LIMIT = 60.0


@measurement("first-draw")
def _first_draw_ours(library, workdir):
    """Navigation to first drawn frame of graphkit's page, in headless Chromium (offline)."""
    from graphkit.view import to_html

    return _first_draw(workdir, to_html(_graph_of(library)))


@measurement("first-draw-pyvis")
def _first_draw_pyvis(library, workdir):
    """The same for pyvis's default page (physics and smooth edges on)."""
    from benchmarks.view_bench import pyvis_default_page

    return _first_draw(workdir, pyvis_default_page(_graph_of(library)))


@measurement("build")
def _build(library, workdir):
    """graphkit build, cold: no cache; map, Turtle, JSON graph, problems report, index."""
    from graphkit.site import build_site

    return lambda: build_site(library, workdir / "site", cache_dir=workdir / "fresh-cache").rebuilt


@measurement("build-warm")
def _build_warm(library, workdir):
    """graphkit build again, no file changed since the last build."""
    from graphkit.site import build_site

    build_site(library, workdir / "site", cache_dir=workdir / "cache")
    time.sleep(2.1)  # past the 2 s window in which a just-written file counts as possibly changed
    build_site(library, workdir / "site", cache_dir=workdir / "cache")

    def run():
        result = build_site(library, workdir / "site", cache_dir=workdir / "cache")
        assert not result.rebuilt
        return {}

    return run


def _graphkit_build(library: Path, workdir: Path, cache: Path) -> dict:
    """Run ``graphkit build`` as a user does: a whole process, imports and start-up included."""
    command = [sys.executable, "-m", "graphkit", "--cache-dir", str(cache), "build", str(library), "-o"]
    subprocess.run([*command, str(workdir / "site")], check=True, capture_output=True)
    return {}


@measurement("build-process")
def _build_process(library, workdir):
    """graphkit build, cold, as a whole process: a new cache folder, nothing built before."""
    return lambda: _graphkit_build(library, workdir, workdir / "fresh-cache")


@measurement("build-process-warm")
def _build_process_warm(library, workdir):
    """graphkit build again as a whole process, no file changed since the last build."""
    for _ in range(2):
        _graphkit_build(library, workdir, workdir / "cache")
        time.sleep(2.1)  # past the 2 s window in which a just-written file counts as possibly changed
    return lambda: _graphkit_build(library, workdir, workdir / "cache")


@measurement("obvious")
def _obvious(library, workdir):
    """The obvious pipeline: python-frontmatter, a NetworkX graph of top-level string references,
    rdflib's Turtle serializer, nx.spring_layout and pyvis's default page."""
    import frontmatter
    import networkx as nx
    import rdflib
    from pyvis.network import Network

    files = _markdown_files(library)
    relations = ("generalizes_from", "specializes_to", "enables", "requires", "related")
    ns = rdflib.Namespace("https://example.org/pattern/")

    def run():
        G = nx.MultiDiGraph()
        for path in files:
            try:
                post = frontmatter.load(path)
            except Exception:  # noqa: BLE001
                continue
            slug = str(post.get("slug") or path.stem)
            G.add_node(slug, title=str(post.get("title") or slug))
            for rel in relations:
                for target in post.get(rel) or []:
                    if isinstance(target, str):
                        G.add_edge(slug, target, key=rel)
        g = rdflib.Graph()
        for n, d in G.nodes(data=True):
            g.add((ns[n], rdflib.RDFS.label, rdflib.Literal(d.get("title", n))))
        for u, v, k in G.edges(keys=True):
            g.add((ns[u], ns[k], ns[v]))
        g.serialize(format="turtle")
        nx.spring_layout(nx.Graph(G), seed=1)
        net = Network(cdn_resources="in_line")
        plain = nx.MultiDiGraph()
        plain.add_nodes_from((n, {"label": d.get("title", n)}) for n, d in G.nodes(data=True))
        plain.add_edges_from(G.edges())
        net.from_nx(plain)
        (workdir / "obvious.html").write_text(net.generate_html(), encoding="utf-8")

    return run


def _own_peak_kb() -> int:
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def main(argv: list[str]) -> None:
    name, library, workdir = argv[0], Path(argv[1]), Path(argv[2])
    workdir.mkdir(parents=True, exist_ok=True)
    run = MEASUREMENTS[name](library, workdir)
    start = time.perf_counter()
    result = run()
    seconds = time.perf_counter() - start
    extra = result if isinstance(result, dict) else {}  # a run gives a dict only to report on itself
    seconds = extra.pop("seconds", seconds)
    # Linux keeps ru_maxrss across exec, so RUSAGE_SELF would report the launching process's peak;
    # VmHWM belongs to this process's own memory map. Worker processes report through RUSAGE_CHILDREN.
    peak_kb = max(_own_peak_kb(), resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)
    print(json.dumps({"name": name, "seconds": seconds, "peak_mb": peak_kb / 1024, **extra}))


if __name__ == "__main__":
    main(sys.argv[1:])
