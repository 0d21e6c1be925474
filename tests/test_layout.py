"""The map's layout at the newer library's density: deterministic, packed, and showing the domains."""

from __future__ import annotations

import json
import math

import networkx as nx
import pytest

from graphkit.view.layout import layout_positions, layout_quality, node_size

from .layout_graphs import dense_graph


@pytest.fixture(scope="module")
def dense():
    """A tenth of the newer library: 361 patterns, 3.5k relations, hubs of about 100."""
    return dense_graph(0.1)


@pytest.fixture(scope="module")
def planted():
    """Eight domains, 400 patterns in the main component, most links within a domain, hubs of 120-200."""
    return dense_graph(
        patterns=600, curated=2400, inferred=2400, domains=8, main=400, isolated=150, hubs=(200, 150, 120)
    )


def test_dense_graph_has_the_newer_librarys_shape():
    G = dense_graph(0.1)
    sizes = sorted(map(len, nx.weakly_connected_components(G)), reverse=True)
    inferred = sum(1 for *_, key in G.edges(keys=True) if key.endswith(":inferred"))
    assert (G.number_of_nodes(), sizes[0], sizes.count(1)) == (361, 230, 118)
    assert (G.number_of_edges() - inferred, inferred) == (1724, 1822)
    assert all(d["inferred"] == k.endswith(":inferred") for _, _, k, d in G.edges(keys=True, data=True))
    hubs = sorted(G.degree(), key=lambda nd: -nd[1])[:3]
    assert sorted(slug for slug, _ in hubs) == ["pattern-00000", "pattern-00001", "pattern-00002"]
    assert min(degree for _, degree in hubs) > 90


def test_layout_is_byte_for_byte_deterministic(dense):
    shuffled = nx.MultiDiGraph()
    shuffled.add_nodes_from(reversed(list(dense.nodes(data=True))))
    shuffled.add_edges_from(reversed(list(dense.edges(keys=True, data=True))))
    first = json.dumps(layout_positions(dense), sort_keys=True)
    assert json.dumps(layout_positions(shuffled), sort_keys=True) == first
    assert json.dumps(layout_positions(dense), sort_keys=True) == first


def test_small_components_and_isolated_patterns_sit_beside_the_main_component(dense):
    pos = layout_positions(dense)
    main = max(nx.weakly_connected_components(dense), key=len)
    right_of_main = max(pos[n][0] for n in main)
    assert min(pos[n][0] for n in dense if n not in main) > right_of_main


def test_no_two_dots_of_the_main_component_overlap(dense):
    """Communities sit in discs apart from each other, and dots inside a community are pushed apart."""
    pos = layout_positions(dense)
    main = sorted(max(nx.weakly_connected_components(dense), key=len))
    for i, a in enumerate(main):
        for b in main[i + 1 :]:
            assert math.dist(pos[a], pos[b]) >= node_size(dense.degree(a)) + node_size(dense.degree(b)), (a, b)


def test_isolated_patterns_are_grouped_by_domain(dense):
    pos = layout_positions(dense)
    alone = sorted(nx.isolates(dense), key=lambda n: (pos[n][1], pos[n][0]))  # reading order of the grid
    domains = [dense.nodes[n]["domain"] for n in alone]
    assert domains == sorted(domains)


def test_inferred_links_do_not_shape_the_layout(planted):
    """With half the links inferred, the map keeps the curated links' picture (at full weight they would cost a fifth
    of the curated neighbours on screen)."""
    curated_only = nx.MultiDiGraph(planted)
    curated_only.remove_edges_from([(u, v, k) for u, v, k in planted.edges(keys=True) if k.endswith(":inferred")])
    assert len(max(nx.weakly_connected_components(curated_only), key=len)) == 400
    with_inferred = layout_quality(planted, layout_positions(planted))["neighbours"]
    without = layout_quality(curated_only, layout_positions(curated_only))["neighbours"]
    assert abs(with_inferred - without) < 0.03


def test_layout_separates_planted_domains_better_than_a_plain_force_layout(planted):
    ours = layout_quality(planted, layout_positions(planted))
    spring = layout_quality(planted, nx.spring_layout(nx.Graph(planted), seed=7))
    assert ours == layout_quality(planted, layout_positions(planted))
    # nx.spring_layout: silhouette 0.22, neighbours 0.12; ours: 0.50 and 0.40
    assert ours["silhouette"] > 0.4 and ours["silhouette"] > spring["silhouette"] + 0.2
    assert ours["neighbours"] > 2 * spring["neighbours"]


def test_layout_quality_of_a_perfect_and_a_shuffled_picture():
    G = nx.Graph()
    for d in "abc":
        nx.add_cycle(G, [f"{d}{i}" for i in range(12)])
        nx.set_node_attributes(G, {f"{d}{i}": d for i in range(12)}, "domain")
    G.add_edges_from([("a0", "b0"), ("b0", "c0")])
    centre = {"a": (0.0, 0.0), "b": (1000.0, 0.0), "c": (0.0, 1000.0)}
    ring = {
        n: (
            centre[n[0]][0] + 50 * math.cos(int(n[1:]) * math.pi / 6),
            centre[n[0]][1] + 50 * math.sin(int(n[1:]) * math.pi / 6),
        )
        for n in G
    }
    quality = layout_quality(G, ring, k=2)
    assert quality["neighbours"] == 1.0
    assert quality["silhouette"] > 0.9
    names = sorted(G)
    mixed = {n: ring[names[(i * 7) % len(names)]] for i, n in enumerate(names)}
    assert layout_quality(G, mixed, k=2)["silhouette"] < 0.1


@pytest.mark.parametrize("n", [2, 30, 64, 65, 400])
def test_near_pairs_are_the_same_measured_pair_by_pair_or_by_a_tree(n):
    import numpy as np

    from graphkit.view import layout

    rng = np.random.default_rng(n)
    xy = rng.uniform(0, 20 * math.sqrt(n), size=(n, 2))
    xy[-1] = xy[0]  # two dots on one point
    got = layout._near_pairs(xy, 30.0)
    distance = np.linalg.norm(xy[:, None, :] - xy[None, :, :], axis=2)
    want = [(i, j) for i in range(n) for j in range(i + 1, n) if distance[i, j] <= 30.0]
    assert list(zip(got[0].tolist(), got[1].tolist(), strict=True)) == want
    assert (0, n - 1) in want


def test_laying_out_a_library_of_small_communities_does_not_import_scipy():
    import subprocess
    import sys

    code = (
        "import sys; from graphkit import load_library; from graphkit.view.layout import layout_positions; "
        "layout_positions(load_library().graph); print('scipy' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out == "False\n"
