"""The map's layout at the newer library's density: the measure of its quality."""

from __future__ import annotations

import math

import networkx as nx

from graphkit.view.layout import layout_quality

from .layout_graphs import dense_graph


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
