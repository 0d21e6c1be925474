"""The map without a browser: layout, page data, escaping, focused graphs, the site and the CLI."""

from __future__ import annotations

import ast
import json
import os
import re
from html.parser import HTMLParser
from pathlib import Path

import networkx as nx
import pytest
from click.testing import CliRunner
from hypothesis import given
from hypothesis import strategies as st

import graphkit
from graphkit.cli import cli
from graphkit.errors import ExportError, PatternNotFound, ViewError
from graphkit.export import parse_json, to_json
from graphkit.model import DEFAULT_VOCABULARY
from graphkit.site import ARTIFACTS, write_site
from graphkit.view import (
    facet_colors,
    facet_graph,
    focus_graph,
    hierarchy_graph,
    layout_positions,
    relation_styles,
    script_json,
    to_html,
    write_html,
)
from graphkit.view.colors import PALETTE
from graphkit.view.layout import node_size
from graphkit.view.page import (
    network_data,
    pack_edges,
    pack_nodes,
    read_data_block,
    strongest_first,
    unpack_edges,
    unpack_nodes,
)

HERE = Path(__file__).parent
HOSTILE = HERE / "data" / "view-hostile"
PACKAGE = HERE.parent / "graphkit"


@pytest.fixture(scope="module")
def sample() -> graphkit.Library:
    return graphkit.load_library()


@pytest.fixture(scope="module")
def hostile() -> graphkit.Library:
    return graphkit.load_library(HOSTILE)


class _Scripts(HTMLParser):
    """Collects every script element (its attributes and text) and every external resource link."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.scripts: list[tuple[dict, str]] = []
        self.links: list[str] = []
        self._open: dict | None = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        for name in ("src", "href"):
            if attrs.get(name):
                self.links.append(attrs[name])
        if tag == "script":
            self._open = attrs
            self.scripts.append((attrs, ""))

    def handle_data(self, data):
        if self._open is not None:
            attrs, text = self.scripts[-1]
            self.scripts[-1] = (attrs, text + data)

    def handle_endtag(self, tag):
        if tag == "script":
            self._open = None


def parse_page(page: str) -> tuple[dict[str, object], _Scripts]:
    parser = _Scripts()
    parser.feed(page)
    data = {a["id"]: json.loads(text) for a, text in parser.scripts if a.get("type") == "application/json"}
    blocks = {
        a["id"]: read_data_block(text) for a, text in parser.scripts if a.get("type") == "application/octet-stream"
    }
    data["gk-nodes"] = unpack_nodes(blocks["gk-nodes"])
    data["gk-edges"] = unpack_edges(blocks["gk-edges"])
    return data, parser


# --- layout ---------------------------------------------------------------------------------


def test_layout_is_deterministic_and_ignores_insertion_order(sample):
    G = sample.graph
    shuffled = nx.MultiDiGraph()
    shuffled.add_nodes_from(reversed(list(G.nodes(data=True))))
    shuffled.add_edges_from(reversed(list(G.edges(keys=True, data=True))))
    assert layout_positions(G) == layout_positions(shuffled) == layout_positions(G)
    assert layout_positions(G, seed=1) != layout_positions(G, seed=2)


def test_layout_does_not_touch_the_graph(sample):
    G = sample.graph
    before = to_json(G)
    layout_positions(G)
    to_html(G)
    assert to_json(G) == before


def test_layout_keeps_nodes_of_a_component_apart(sample):
    G = sample.graph
    pos = layout_positions(G)
    main = max(nx.weakly_connected_components(G), key=len)
    points = sorted(main)
    for i, a in enumerate(points):
        for b in points[i + 1 :]:
            d = ((pos[a][0] - pos[b][0]) ** 2 + (pos[a][1] - pos[b][1]) ** 2) ** 0.5
            # the overlap pass leaves at least the two radii between any two dots
            assert d >= node_size(G.degree(a)) + node_size(G.degree(b)), (a, b)


def test_layout_of_a_component_large_enough_for_the_grid():
    from graphkit.view.layout import GRID_FROM

    G = nx.MultiDiGraph()
    n = GRID_FROM + 20
    nx.add_cycle(G, range(n))
    G.add_edges_from((i, (i * 7) % n) for i in range(0, n, 3))  # chords: one component, not a ring
    pos = layout_positions(G)
    assert set(pos) == set(G) and pos == layout_positions(G)
    xs, ys = [p[0] for p in pos.values()], [p[1] for p in pos.values()]
    for a in range(n):
        for b in range(a + 1, n):
            d = ((pos[a][0] - pos[b][0]) ** 2 + (pos[a][1] - pos[b][1]) ** 2) ** 0.5
            assert d >= node_size(G.degree(a)) + node_size(G.degree(b)), (a, b)
    assert max(xs) - min(xs) < 40 * (max(ys) - min(ys))  # laid out in two dimensions, not on a line


def test_layout_places_small_components_and_isolated_patterns_beside_the_main_one():
    G = nx.MultiDiGraph()
    nx.add_cycle(G, [f"main{i}" for i in range(30)])
    G.add_edges_from([("main0", "main15"), ("main5", "main20")])
    G.add_edge("pair-a", "pair-b")
    G.add_nodes_from(f"alone{i}" for i in range(40))
    pos = layout_positions(G)
    assert set(pos) == set(G)
    right_of_main = max(pos[f"main{i}"][0] for i in range(30))
    assert min(pos[n][0] for n in G if not n.startswith("main")) > right_of_main
    # the pair sits above the grid of isolated patterns
    assert max(pos["pair-a"][1], pos["pair-b"][1]) < min(pos[f"alone{i}"][1] for i in range(40))


@pytest.mark.parametrize(
    "G",
    [nx.MultiDiGraph(), nx.MultiDiGraph([("a", "b")]), nx.empty_graph(["x", "y", "z"], create_using=nx.MultiDiGraph)],
    ids=["empty", "one-edge", "only-isolated"],
)
def test_layout_of_degenerate_graphs(G):
    pos = layout_positions(G)
    assert set(pos) == set(G)
    assert len(set(pos.values())) == len(pos)


# --- page data and escaping -----------------------------------------------------------------


@given(st.text())
def test_script_json_never_closes_a_script_and_round_trips(text):
    out = script_json({"t": text, "l": [text]})
    assert not set(out) & {"<", ">", "&", "\u2028", "\u2029"}
    assert json.loads(out) == {"t": text, "l": [text]}


def test_relation_styles_cover_unknown_relations_deterministically():
    styles = relation_styles(DEFAULT_VOCABULARY, ["implements", "conflicts_with"])
    by_name = {s["name"]: s for s in styles}
    assert [s["name"] for s in styles] == [*DEFAULT_VOCABULARY, "implements", "conflicts_with"]
    assert by_name["related"]["directed"] is False and by_name["enables"]["directed"] is True
    assert by_name["generalizes_from"]["inverse_label"] == "specializes to"
    assert by_name["implements"]["label"] == "implements" and by_name["implements"]["directed"] is True
    assert by_name["implements"] == relation_styles(DEFAULT_VOCABULARY, ["implements"])[-1]
    assert all(re.fullmatch(r"#[0-9a-f]{6}", s["color"]) for s in styles)


def test_network_data_has_every_node_and_edge(sample):
    G = sample.graph
    nodes, edges, meta = network_data(G)
    assert [n["id"] for n in nodes] == sorted(G)
    assert len(edges) == G.number_of_edges()
    ids = [n["id"] for n in nodes]
    assert sorted(
        (ids[e["f"]], ids[e["t"]], meta["relations"][e["r"]]["name"], e.get("i") == 1) for e in edges
    ) == sorted((u, v, d["relation"], d["inferred"]) for u, v, d in G.edges(data=True))
    legend = meta["legend"]
    assert sum(item["count"] for item in legend) == G.number_of_nodes()
    gap = next(n for n in nodes if n["id"] == "gap-analysis")
    assert legend[gap["c"]]["value"] == "operations"
    assert gap["size"] == node_size(G.degree("gap-analysis"))
    assert gap["aliases"] == ["Discrepancy Evaluation", "Needs Assessment", "Current-Future State Comparison"]


def test_legend_groups_rare_values_as_other_and_counts_missing_ones():
    G = nx.MultiDiGraph()
    for i in range(len(PALETTE) + 3):
        G.add_node(f"p{i}", domains=[f"d{i:02d}"])
    G.add_node("none", domains=[])
    _, _, meta = network_data(G)
    tail = meta["legend"][-2:]
    assert [(t["label"], t["count"]) for t in tail] == [("other (3 values)", 3), ("none", 1)]
    assert len(meta["legend"]) == len(PALETTE) + 2


def test_page_is_deterministic_and_self_contained(sample):
    page = to_html(sample.graph, title="Sample")
    assert page == to_html(graphkit.load_library().graph, title="Sample")
    data, parser = parse_page(page)
    assert [a.get("id") for a, _ in parser.scripts] == ["gk-nodes", "gk-edges", "gk-options", "gk-meta", None, None]
    assert all(not a.get("src") for a, _ in parser.scripts)
    assert [link for link in parser.links if not link.startswith("data:")] == []
    assert '<link rel="stylesheet"' not in page
    assert data["gk-meta"]["counts"] == {"nodes": 37, "edges": sample.graph.number_of_edges()}
    assert data["gk-options"]["physics"] == {"enabled": False}
    assert data["gk-options"]["edges"]["smooth"] is False


@pytest.mark.parametrize("library", ["sample", "hostile"])
def test_the_packed_page_data_unpacks_to_the_records(library, request):
    G = request.getfixturevalue(library).graph
    nodes, edges, _ = network_data(G)
    assert unpack_nodes(pack_nodes(nodes)) == nodes
    assert unpack_edges(pack_edges(edges)) == edges
    page, _ = parse_page(to_html(G))
    assert page["gk-nodes"] == nodes and page["gk-edges"] == edges


def test_hostile_strings_reach_the_page_only_as_escaped_json(hostile):
    G = hostile.graph
    page = to_html(G, title="<i>Hostile</i> library")
    for raw in ("<img src=x", "<svg onload", "</script><script>", "<b onmouseover", "<a href=", "<i>Hostile"):
        assert raw not in page, raw
    assert "\u2028" not in page
    assert "<title>&lt;i&gt;Hostile&lt;/i&gt; library</title>" in page
    data, parser = parse_page(page)
    assert len(parser.scripts) == 6
    nodes = {n["id"]: n for n in data["gk-nodes"]}
    assert set(nodes) == set(G)
    for slug, n in nodes.items():
        assert n["label"] == G.nodes[slug]["title"]
        assert n["summary"] == G.nodes[slug]["summary"]
        assert n["domains"] == G.nodes[slug]["domains"]
    assert nodes["xss-title"]["url"] == "javascript:window.__pwned='url'"  # the page makes only http(s) links
    assert [item["value"] for item in data["gk-meta"]["legend"]][:1] == ["governance"]


@pytest.mark.parametrize(
    "kwargs, message",
    [
        (
            {"color_by": "colour"},
            "cannot colour by 'colour' (choose one of: domain, category, era, origin, status, generation)",
        ),
        ({"selected": "nowhere"}, "cannot select 'nowhere': it is not a pattern of this graph"),
        ({"depth": -1}, "depth must be 0 or more, not -1"),
        ({"renderer": "canvas"}, "cannot draw with 'canvas' (choose one of: sigma, vis)"),
        ({"limit": 0, "selected": "gap-analysis"}, "limit must be 1 or more, not 0"),
    ],
    ids=["facet", "selected", "depth", "renderer", "limit"],
)
def test_bad_page_options_raise_view_error(sample, kwargs, message):
    with pytest.raises(ViewError) as err:
        to_html(sample.graph, **kwargs)
    assert str(err.value) == message


def test_write_html_reports_an_unwritable_path(sample, tmp_path):
    with pytest.raises(ViewError, match=r"cannot write the map"):
        write_html(sample.graph, tmp_path / "missing" / "map.html")


# --- focused graphs -------------------------------------------------------------------------


def test_focus_graph_follows_edges_both_ways_to_the_depth(sample):
    G = sample.graph
    H = focus_graph(G, "gap-analysis", depth=2)
    U = nx.Graph(G)
    assert set(H) == set(nx.single_source_shortest_path_length(U, "gap-analysis", cutoff=2))
    assert H.number_of_edges() == G.subgraph(H.nodes).number_of_edges()
    assert H.graph["focus"] == "gap-analysis" and H.graph["vocabulary"] == G.graph["vocabulary"]


def test_focus_graph_with_relations_keeps_only_those(sample):
    H = focus_graph(sample.graph, "Purpose Definition", depth=1, relations=["enables"])
    assert sorted(H) == [
        "alignment-monitoring", "commons-boundary-definition", "governance-design", "purpose-definition",
        "stakeholder-architecture",
    ]  # fmt: skip
    assert {d["relation"] for _, _, d in H.edges(data=True)} == {"enables"}
    assert focus_graph(sample.graph, "purpose-definition", depth=0).number_of_nodes() == 1


def test_focus_graph_errors(sample):
    with pytest.raises(PatternNotFound, match=r"^'nope' names no pattern"):
        focus_graph(sample.graph, "nope")
    with pytest.raises(ViewError) as err:
        focus_graph(sample.graph, "gap-analysis", relations=["enabels"])
    assert str(err.value).startswith("unknown relation 'enabels' (known: alternatives, complementary, enables,")


def test_facet_graph(sample):
    H = facet_graph(sample.graph, "governance")
    assert set(H) == {n for n, d in sample.graph.nodes(data=True) if "governance" in d["domains"]}
    assert all(u in H and v in H for u, v in H.edges())
    with pytest.raises(ViewError, match=r"^no pattern has domain 'nope' \(known: architecture, "):
        facet_graph(sample.graph, "nope")
    with pytest.raises(ViewError, match=r"^unknown facet 'colour'"):
        facet_graph(sample.graph, "x", "colour")


# --- the site -------------------------------------------------------------------------------


def test_site_is_complete_and_deterministic(sample, tmp_path):
    first = write_site(sample, tmp_path / "a")
    second = write_site(graphkit.load_library(), tmp_path / "b")
    names = [p.name for p in first]
    assert names == [a.filename for a in ARTIFACTS] + ["index.html"]
    for a, b in zip(first, second, strict=True):
        assert a.read_bytes() == b.read_bytes(), a.name
    index = (tmp_path / "a" / "index.html").read_text(encoding="utf-8")
    for name in names[:-1]:
        assert f'href="{name}"' in index
    assert str(tmp_path) not in "".join(p.read_text(encoding="utf-8") for p in first)


def test_site_graph_json_round_trips_list_and_dict_attributes(sample, tmp_path):
    write_site(sample, tmp_path)
    H = parse_json((tmp_path / "graph.json").read_text(encoding="utf-8"))
    G = sample.graph
    assert sorted(H.edges(keys=True, data=True)) == sorted(G.edges(keys=True, data=True))
    for n in G:
        assert H.nodes[n] == G.nodes[n]
    assert H.graph["vocabulary"] == DEFAULT_VOCABULARY
    assert json.loads((tmp_path / "problems.json").read_text(encoding="utf-8")) == sample.problems_report()


def test_site_problems_page_escapes_and_links_to_the_map(hostile, tmp_path):
    write_site(hostile, tmp_path, title="<b>lib</b>")
    problems = (tmp_path / "problems.html").read_text(encoding="utf-8")
    assert "<h1>Problems: &lt;b&gt;lib&lt;/b&gt;</h1>" in problems
    data = json.loads(problems.split('<script type="application/json" id="gkr-data">')[1].split("</script>")[0])
    assert ["a b#c", 1] in [row[5:7] for row in data["rows"]]  # the page links it to map.html#p=a%20b%23c
    assert "<img" not in problems.split("<script")[0]
    index = (tmp_path / "index.html").read_text(encoding="utf-8")
    assert "<img" not in index  # hubs are listed by title, escaped
    assert '">&lt;img src=x onerror=&quot;window.__pwned=&#x27;title&#x27;&quot;&gt;</a> (3)</li>' in index
    assert "<h1>&lt;b&gt;lib&lt;/b&gt;</h1>" in index


def test_site_refuses_a_file_as_folder(sample, tmp_path):
    target = tmp_path / "site"
    target.write_text("not a folder")
    with pytest.raises(ExportError) as err:
        write_site(sample, target)
    assert str(err.value) == f"{target}: exists and is not a folder (give a folder for the site)"


# --- the command line -----------------------------------------------------------------------


def run(*args: str):
    return CliRunner().invoke(cli, list(args), prog_name="graphkit", catch_exceptions=False)


def test_cli_view_writes_the_map(tmp_path):
    out = tmp_path / "graph.html"
    result = run("view", "-o", str(out))
    assert result.exit_code == 0
    data, _ = parse_page(out.read_text(encoding="utf-8"))
    assert data["gk-meta"]["counts"]["nodes"] == 37
    assert data["gk-meta"]["title"] == "sample"


def test_cli_view_to_stdout_is_the_same_page(tmp_path):
    out = tmp_path / "graph.html"
    run("view", "-o", str(out), "--color-by", "status")
    result = run("view", "-o", "-", "--color-by", "status")
    assert result.exit_code == 0
    assert result.stdout == out.read_text(encoding="utf-8")


def test_cli_view_focus_and_domain(tmp_path, sample):
    out = tmp_path / "focus.html"
    result = run("view", "--focus", "Gap Analysis", "--depth", "1", "-r", "enables", "-r", "requires", "-o", str(out))
    assert result.exit_code == 0
    data, _ = parse_page(out.read_text(encoding="utf-8"))
    assert data["gk-meta"]["initial"] == {"p": "gap-analysis", "d": 1}
    assert data["gk-meta"]["title"] == "sample: Gap Analysis"
    assert sorted(n["id"] for n in data["gk-nodes"]) == sorted(
        focus_graph(sample.graph, "gap-analysis", 1, ["enables", "requires"])
    )
    out = tmp_path / "domain.html"
    assert run("view", "--domain", "governance", "-o", str(out)).exit_code == 0
    data, _ = parse_page(out.read_text(encoding="utf-8"))
    assert {n["id"] for n in data["gk-nodes"]} == set(facet_graph(sample.graph, "governance"))


@pytest.mark.parametrize(
    "args, code, first_line",
    [
        (["view", "--focus", "nope"], 1, "Error: 'nope' names no pattern (give a slug, id, title or alias)"),
        (["view", "--focus", "gap-analysis", "-r", "bogus"], 1, "Error: unknown relation 'bogus' (known: "),
        (["view", "--domain", "nope"], 1, "Error: no pattern has domain 'nope' (known: "),
        (["view", "-r", "enables"], 2, "Error: --relation needs --focus"),
        (["view", "--hierarchy"], 2, "Error: --hierarchy needs --focus"),
        (["view", "--depth", "-1"], 2, "Error: Invalid value for '-d' / '--depth': -1 is not in the range 0<=x<=10."),
        (["view", "--color-by", "colour"], 2, "Error: Invalid value for '--color-by': 'colour' is not one of "),
    ],
    ids=[
        "unknown-pattern",
        "unknown-relation",
        "unknown-domain",
        "relation-without-focus",
        "hierarchy-without-focus",
        "depth",
        "facet",
    ],  # fmt: skip
)
def test_cli_view_errors(args, code, first_line, tmp_path):
    result = run(*args, "-o", str(tmp_path / "x.html"))
    assert result.exit_code == code
    lines = result.stderr.splitlines()
    if code == 2:
        assert lines[0] == "Usage: graphkit view [OPTIONS] [ROOT]"
    assert lines[-1].startswith(first_line)
    assert not (tmp_path / "x.html").exists()


def test_cli_build(tmp_path):
    result = run("build", str(HOSTILE), "-o", str(tmp_path / "site"))
    assert result.exit_code == 0
    assert result.stdout.splitlines() == [str(tmp_path / "site" / a.filename) for a in ARTIFACTS] + [
        str(tmp_path / "site" / "index.html")
    ]
    assert result.stderr.splitlines()[-1].startswith("6 patterns, 7 relations, 0 errors, 1 warnings; open ")


def test_cli_build_into_a_file_fails_with_one_line(tmp_path):
    target = tmp_path / "site"
    target.write_text("")
    result = run("build", "-o", str(target))
    assert result.exit_code == 1
    assert result.stderr == f"Error: {target}: exists and is not a folder (give a folder for the site)\n"


# --- architecture ---------------------------------------------------------------------------


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom):
            names.add("." * node.level + (node.module or ""))
    return names


def test_view_imports_only_stages_to_its_left_and_owns_pyvis():
    for path in sorted((PACKAGE / "view").glob("*.py")):
        imports = _imports(path)
        assert not any(
            name.lstrip(".").split(".")[0] in {"rdf", "site", "cli", "click", "query"} for name in imports
        ), path
    users = sorted(p.relative_to(PACKAGE).as_posix() for p in PACKAGE.rglob("*.py") if any(
        n.split(".")[0] == "pyvis" for n in _imports(p)))  # fmt: skip
    assert users == ["view/page.py"]


def test_inlined_assets_cannot_close_their_elements():
    from graphkit.view.page import _assets

    assets = _assets()
    for name in ("vis_js", "sigma_js", "app_js"):
        assert "</script" not in assets[name].lower(), name
    for name in ("vis_css", "app_css"):
        assert "</style" not in assets[name].lower(), name


def _age_files(folder):
    for path in folder.rglob("*.md"):
        info = path.stat()
        os.utime(path, ns=(info.st_atime_ns, info.st_mtime_ns - 60 * 1_000_000_000))


def test_warm_build_does_nothing_and_a_change_rebuilds(tmp_path):
    import shutil as _shutil

    from graphkit.site import build_site

    lib, site, cache = tmp_path / "lib", tmp_path / "site", tmp_path / "cache"
    _shutil.copytree(graphkit.sample_library(), lib)
    _age_files(lib)
    first = build_site(lib, site, cache_dir=cache)
    assert first.rebuilt and first.summary == {"patterns": 37, "relations": 324, "errors": 118, "warnings": 46}
    before = {p.name: p.read_bytes() for p in first.files}
    again = build_site(lib, site, cache_dir=cache)
    assert (again.rebuilt, again.summary, [p.name for p in again.files]) == (False, first.summary, list(before))

    (site / "map.html").write_text("tampered")  # an output changed: rebuilt
    assert build_site(lib, site, cache_dir=cache).rebuilt
    assert {p.name: p.read_bytes() for p in first.files} == before

    page = lib / "kanban.md"
    page.write_text(page.read_text(encoding="utf-8").replace("title: Kanban", "title: Kanban Board"), encoding="utf-8")
    changed = build_site(lib, site, cache_dir=cache)
    assert changed.rebuilt
    data, _ = parse_page((site / "map.html").read_text(encoding="utf-8"))
    assert {n["id"]: n["label"] for n in data["gk-nodes"]}["kanban"] == "Kanban Board"
    assert build_site(lib, site, cache_dir=cache, title="Other").rebuilt  # other options: rebuilt


def test_a_build_pauses_the_collector_and_turns_it_back_on(tmp_path, monkeypatch):
    import gc

    import graphkit.site as site

    seen, write = [], site.write_site
    monkeypatch.setattr(
        site, "write_site", lambda *args, **kwargs: seen.append(gc.isenabled()) or write(*args, **kwargs)
    )
    assert gc.isenabled()
    site.build_site(None, tmp_path / "site")
    assert seen == [False] and gc.isenabled()
    (tmp_path / "file").write_text("not a folder")
    with pytest.raises(graphkit.ExportError):
        site.build_site(None, tmp_path / "file")
    assert gc.isenabled()


def test_what_a_paused_build_made_is_in_the_oldest_generation_and_cycles_are_still_collected():
    import gc
    import weakref

    from graphkit.site import _collector_paused

    class Node:
        other = None

    with _collector_paused():
        kept = [[i] for i in range(1000)]
        a, b = Node(), Node()
        a.other, b.other = b, a
        cycle = weakref.ref(a)
        del a, b
    assert gc.isenabled()
    assert any(o is kept for o in gc.get_objects(generation=2))
    assert cycle() is not None
    gc.collect()
    assert cycle() is None


def test_build_without_cache_always_rebuilds(tmp_path):
    from graphkit.site import build_site

    assert build_site(None, tmp_path / "a").rebuilt
    assert build_site(None, tmp_path / "a").rebuilt


def test_a_site_file_that_cannot_be_written_is_reported_and_the_index_left_out(sample, tmp_path):
    written = write_site(sample, tmp_path / "one")
    assert sorted(p.name for p in (tmp_path / "one").iterdir()) == sorted(p.name for p in written)

    broken = tmp_path / "broken"
    (broken / "graph.ttl").mkdir(parents=True)  # the Turtle export cannot be written there
    with pytest.raises(graphkit.ExportError, match=r"graph\.ttl: cannot write"):
        write_site(sample, broken)
    # the other files are written; the index, which links to them all, is not
    assert sorted(p.name for p in broken.iterdir()) == [
        "graph.json",
        "graph.ttl",
        "map.html",
        "problems.html",
        "problems.json",
        "sparql.html",
    ]


# --- the WebGL overview, colours, the local graph and the hierarchy -----------------------------


def test_the_overview_inlines_sigma_and_a_focused_page_vis_network(sample):
    from graphkit.view.page import _assets

    overview, focused = to_html(sample.graph), to_html(sample.graph, renderer="vis")
    assets = _assets()
    vendor = PACKAGE / "view" / "vendor"
    for name in ("sigma.min.js", "graphology.umd.min.js"):
        assert (vendor / name).read_text(encoding="utf-8") in assets["sigma_js"]
    for name in ("sigma.LICENSE", "graphology.LICENSE"):
        assert "Permission is hereby granted, free of charge" in (vendor / name).read_text(encoding="utf-8")
    assert assets["sigma_js"] in overview and assets["vis_js"] not in overview
    assert assets["vis_js"] in focused and assets["sigma_js"] not in focused
    assert parse_page(overview)[0]["gk-meta"]["renderer"] == "sigma"
    assert overview == to_html(sample.graph)


def test_a_value_has_one_colour_on_every_page_of_a_library(sample):
    G = sample.graph
    whole = facet_colors(G)
    assert len({c for v, c in whole.items() if c != "#bab0ac"}) == len([c for c in whole.values() if c != "#bab0ac"])
    for H in (focus_graph(G, "gap-analysis", 1), facet_graph(G, "governance"), hierarchy_graph(G, "commons-blueprint")):
        legend = parse_page(to_html(H))[0]["gk-meta"]["legend"]
        assert {i["value"]: i["color"] for i in legend if i["value"]} == {
            i["value"]: whole[i["value"]] for i in legend if i["value"]
        }
    # the page's own counts do not decide: a page of one rare domain colours it as the library does
    rare = min(whole, key=lambda v: (facet_values_count(G, v), v))
    legend = parse_page(to_html(facet_graph(G, rare)))[0]["gk-meta"]["legends"]["domain"]
    assert [i["color"] for i in legend if i["value"] == rare] == [whole[rare]]


def facet_values_count(G, value):
    return sum(1 for _, d in G.nodes(data=True) if d["domains"][:1] == [value])


def test_strongest_first_orders_by_distance_then_strength_then_degree(sample):
    G = sample.graph
    order = strongest_first(G, "commons-blueprint")
    assert order[0] == "commons-blueprint" and sorted(order) == sorted(G)
    near = set(nx.all_neighbors(G, "commons-blueprint"))
    assert set(order[1 : len(near) + 1]) == near


def test_a_focused_page_ranks_its_patterns_for_the_limit(sample):
    H = focus_graph(sample.graph, "commons-blueprint", 1)
    data, _ = parse_page(to_html(H, selected="commons-blueprint", renderer="vis", limit=5))
    assert data["gk-meta"]["limit"] == 5
    ranked = sorted(data["gk-nodes"], key=lambda n: n["rank"])
    assert [n["id"] for n in ranked] == [str(n) for n in strongest_first(H, "commons-blueprint")]
    data, _ = parse_page(to_html(H, selected="commons-blueprint", renderer="vis", limit=500))
    assert data["gk-meta"]["limit"] is None and "rank" not in data["gk-nodes"][0]


def test_hierarchy_graph_levels_follow_generalization(sample):
    G = sample.graph
    H = hierarchy_graph(G, "Gap Analysis")
    assert dict(H.nodes(data="level")) == {"alignment-monitoring": 0, "commons-blueprint": 0, "gap-analysis": 1}
    assert {d["relation"] for _, _, d in H.edges(data=True)} <= {"generalizes_from", "specializes_to"}
    for u, v, d in H.edges(data=True):
        if d["relation"] == "specializes_to" and {u, v} != {"alignment-monitoring", "commons-blueprint"}:
            assert H.nodes[u]["level"] < H.nodes[v]["level"]
    data, _ = parse_page(to_html(H, selected="gap-analysis"))
    assert data["gk-meta"]["renderer"] == "vis" and data["gk-meta"]["hierarchy"] is True
    assert {n["id"]: n["level"] for n in data["gk-nodes"]} == dict(H.nodes(data="level"))
    assert data["gk-options"]["layout"]["hierarchical"]["enabled"] is True
    assert sorted(G) == sorted(graphkit.load_library().graph)  # the library graph is untouched


def test_cli_view_hierarchy_and_limit(tmp_path, sample):
    out = tmp_path / "tree.html"
    assert run("view", "--focus", "commons-blueprint", "--hierarchy", "-o", str(out)).exit_code == 0
    data, _ = parse_page(out.read_text(encoding="utf-8"))
    assert data["gk-meta"]["hierarchy"] is True
    assert {n["id"] for n in data["gk-nodes"]} == set(hierarchy_graph(sample.graph, "commons-blueprint"))
    out = tmp_path / "local.html"
    assert run("view", "--focus", "commons-blueprint", "--limit", "7", "-o", str(out)).exit_code == 0
    data, _ = parse_page(out.read_text(encoding="utf-8"))
    assert data["gk-meta"]["limit"] == 7 and data["gk-meta"]["renderer"] == "vis"
    out = tmp_path / "whole.html"
    assert run("view", "-o", str(out)).exit_code == 0
    data, _ = parse_page(out.read_text(encoding="utf-8"))
    assert data["gk-meta"]["renderer"] == "sigma" and data["gk-meta"]["limit"] is None
