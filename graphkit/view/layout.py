"""Positions for the map, computed in Python: graph -> ``{slug: (x, y)}``.

The largest connected component is laid out with igraph's Fruchterman-Reingold (its C core
takes well under a second on thousands of patterns, where ``nx.spring_layout`` takes tens of
seconds); the small components and the isolated patterns are packed in a block beside it, so
they never bury it. A fixed seed makes the same graph give the same picture, byte for byte.
``layout_quality`` measures how well a layout shows the library's structure.
"""

from __future__ import annotations

import math
import random
from collections.abc import Hashable, Iterator, Mapping
from contextlib import contextmanager
from typing import Any

import igraph
import networkx as nx
import numpy as np
from scipy.spatial import cKDTree

__all__ = ["layout_positions", "layout_quality", "node_size"]

#: Median edge length of a laid-out component, in page pixels.
EDGE_LENGTH = 110.0
#: Distance between neighbouring isolated patterns in their grid, in page pixels.
GRID_STEP = 36.0
#: Free space kept between two nodes of a component (room for a label), in page pixels.
NODE_GAP = 44.0
#: Components of this many patterns or more are laid out with Fruchterman-Reingold's grid
#: variant, which weighs repulsion between nearby nodes only. Below, every pair is weighed:
#: clusters stand further apart, but the work grows with the square of the size (0.4 s for
#: 620 patterns, 0.08 s with the grid; igraph itself switches at 1,000).
GRID_FROM = 500


def node_size(degree: int) -> float:
    """The radius of a pattern's dot on the map, growing with the square root of its degree.

    Examples
    --------
    >>> node_size(0), node_size(4), node_size(10_000)
    (6.0, 10.8, 40.0)
    """
    return round(min(6.0 + 2.4 * math.sqrt(degree), 40.0), 1)


def layout_positions(
    G: nx.Graph, seed: int = 7, edge_length: float = EDGE_LENGTH
) -> dict[Hashable, tuple[float, float]]:
    """Deterministic 2-D positions for every node of ``G``, in page pixels (y grows downwards).

    Edge direction, keys and attributes are ignored: two nodes joined by any edge are pulled
    together. The largest component sits on the left; the other components, largest first,
    and then the isolated nodes in a grid, fill a block on its right.

    Parameters
    ----------
    G : networkx graph
        Any NetworkX graph; it is not modified.
    seed : int
        Seed of the starting positions; the same graph and seed give the same positions.
    edge_length : float
        The median length of an edge, in pixels.

    Returns
    -------
    dict
        ``{node: (x, y)}``, rounded to 0.1 px.

    Examples
    --------
    >>> G = nx.MultiDiGraph([("a", "b"), ("b", "c"), ("c", "a")])
    >>> G.add_node("lonely")
    >>> pos = layout_positions(G)
    >>> sorted(pos) == ["a", "b", "c", "lonely"], pos == layout_positions(G.copy())
    (True, True)
    >>> max(pos[n][0] for n in "abc") < pos["lonely"][0]   # isolated patterns beside the main component
    True
    """
    nodes = sorted(G.nodes, key=str)
    if not nodes:
        return {}
    index = {n: i for i, n in enumerate(nodes)}
    pairs = sorted({(min(index[u], index[v]), max(index[u], index[v])) for u, v in G.edges() if u != v})
    g = igraph.Graph(n=len(nodes), edges=pairs)
    degree = dict(G.degree())
    radii = np.array([node_size(degree[n]) for n in nodes])
    components = sorted(g.connected_components(mode="weak"), key=lambda c: (-len(c), min(c)))
    rng = np.random.default_rng(seed)

    blocks = []  # (member indices, local coordinates as an (n, 2) array)
    with _igraph_random(seed):
        for members in components:
            if len(members) == 1:
                continue
            local = _component_layout(g.induced_subgraph(members), rng, edge_length)
            blocks.append((members, _spread(local, radii[members])))
    isolated = [c[0] for c in components if len(c) == 1]

    xy = np.zeros((len(nodes), 2))
    if blocks:
        main_members, main_xy = blocks[0]
        main_xy = main_xy - main_xy.min(axis=0)
        xy[main_members] = main_xy
        main_w, main_h = main_xy.max(axis=0)
        rest = blocks[1:]
        left = main_w + 2 * edge_length if (rest or isolated) else 0.0
    else:
        rest, main_h, left = [], 0.0, 0.0
    _pack(xy, rest, isolated, left=left, height=max(main_h, edge_length), edge_length=edge_length)
    xy -= xy.mean(axis=0)
    return {n: (round(float(xy[i, 0]), 1) + 0.0, round(float(xy[i, 1]), 1) + 0.0) for i, n in enumerate(nodes)}


@contextmanager
def _igraph_random(seed: int) -> Iterator[None]:
    """igraph draws from Python's global ``random`` during layouts; give it a seeded one meanwhile."""
    igraph.set_random_number_generator(random.Random(seed))
    try:
        yield
    finally:
        igraph.set_random_number_generator(random)


def _component_layout(sub: igraph.Graph, rng: np.random.Generator, edge_length: float) -> np.ndarray:
    """One connected component, scaled so its median edge is ``edge_length`` long."""
    n = sub.vcount()
    if n == 2:
        return np.array([[0.0, 0.0], [edge_length, 0.0]])
    start = rng.uniform(-1.0, 1.0, size=(n, 2)) * math.sqrt(n)
    grid = n >= GRID_FROM
    coords = np.array(sub.layout_fruchterman_reingold(seed=start.tolist(), niter=500, grid=grid).coords)
    ends = np.array(sub.get_edgelist())
    lengths = np.linalg.norm(coords[ends[:, 0]] - coords[ends[:, 1]], axis=1)
    median = float(np.median(lengths)) or 1.0
    return coords * (edge_length / median)


def _spread(xy: np.ndarray, radii: np.ndarray, rounds: int = 60) -> np.ndarray:
    """Push apart nodes that overlap (closer than their radii plus ``NODE_GAP``), a few rounds.

    Force layouts squeeze dense clusters (the library has many cliques of ``related``
    patterns, and hubs with hundreds of neighbours) until the dots cover each other. The
    component is first scaled up until its bounding box could hold every dot with its gap,
    then overlapping pairs are pushed apart; this keeps the shape and makes room.
    """
    xy = xy.copy()
    n = len(xy)
    if n < 2:
        return xy
    footprint = float(np.sum((2 * radii + NODE_GAP) ** 2))
    extent = xy.max(axis=0) - xy.min(axis=0)
    area = float(max(extent[0], NODE_GAP) * max(extent[1], NODE_GAP))
    if area < footprint:
        xy *= math.sqrt(footprint / area)
    reach = 2 * float(radii.max()) + NODE_GAP
    # A fixed tiny offset per node separates nodes that sit on the same point, deterministically.
    xy += np.stack([np.cos(np.arange(n) * 2.399), np.sin(np.arange(n) * 2.399)], axis=1) * 1e-3
    for _ in range(rounds):
        pairs = cKDTree(xy).query_pairs(reach, output_type="ndarray")
        if not len(pairs):
            break
        i, j = pairs[:, 0], pairs[:, 1]
        delta = xy[j] - xy[i]
        dist = np.sqrt(np.einsum("ij,ij->i", delta, delta))
        need = radii[i] + radii[j] + NODE_GAP
        close = dist < need
        if not close.any():
            break
        i, j, delta, dist, need = i[close], j[close], delta[close], dist[close], need[close]
        push = delta * (((need - dist) / 2 * 0.9) / np.maximum(dist, 1e-9))[:, None]
        for axis in (0, 1):
            xy[:, axis] += np.bincount(j, push[:, axis], n) - np.bincount(i, push[:, axis], n)
    return xy


def _pack(
    xy: np.ndarray,
    blocks: list[tuple[list[int], np.ndarray]],
    isolated: list[int],
    left: float,
    height: float,
    edge_length: float,
) -> None:
    """Shelf-pack the small components, then a grid of isolated nodes, into a block at ``left``.

    The block is about as tall as the main component, so the whole map keeps a landscape shape.
    """
    pad = edge_length * 0.6
    sizes = [(local.max(axis=0) - local.min(axis=0)) for _, local in blocks]
    area = sum((w + pad) * (h + pad) for w, h in sizes) + len(isolated) * GRID_STEP**2
    widest = max((w + pad for w, _ in sizes), default=GRID_STEP)
    width = max(widest, area / height, GRID_STEP * 4)
    x = y = shelf = 0.0
    for (members, local), (w, h) in zip(blocks, sizes, strict=True):
        if x > 0 and x + w > width:
            x, y, shelf = 0.0, y + shelf + pad, 0.0
        xy[members] = local - local.min(axis=0) + (left + x, y)
        x += w + pad
        shelf = max(shelf, h)
    if blocks:
        y += shelf + pad
    per_row = max(1, int(width // GRID_STEP) + 1)
    for k, i in enumerate(isolated):
        row, col = divmod(k, per_row)
        xy[i] = (left + col * GRID_STEP, y + row * GRID_STEP)


def _primary_domain(data: Mapping[str, Any]) -> str | None:
    """A pattern's primary domain: ``domain``, else the first of ``domains``, else None."""
    domain = data.get("domain")
    if not domain:
        domains = data.get("domains")
        domain = domains[0] if isinstance(domains, (list, tuple)) and domains else None
    return str(domain) if domain else None


def layout_quality(
    G: nx.Graph,
    positions: Mapping[Hashable, Any],
    k: int = 10,
    sample: int = 2000,
    seed: int = 0,
    inferred: bool = False,
) -> dict[str, float]:
    """How well a layout shows the library's structure, measured on its largest component.

    ``silhouette`` is the mean silhouette of the patterns' primary domains in the plane (from
    -1 to 1: above 0, a pattern sits nearer its own domain than the nearest other one; a
    uniform disc scores about 0). ``neighbours`` is the share of each pattern's ``k`` nearest
    dots on screen that are its graph neighbours (curated links, and inferred ones when
    ``inferred``). Both are averaged over at most ``sample`` patterns of the largest component,
    drawn with ``seed``: the small components and isolated patterns are packed, not laid out.

    Parameters
    ----------
    G : networkx graph
        The graph that was laid out; nodes may carry ``domain`` or ``domains``.
    positions : mapping
        ``{node: (x, y)}`` for every node, as from ``layout_positions`` or ``nx.spring_layout``.
    k : int
        How many nearest dots count as a pattern's neighbourhood on screen.
    sample : int
        The most patterns measured (the silhouette compares every pair of them).
    seed : int
        Seed of the sample.
    inferred : bool
        Whether machine-inferred links count as graph neighbours.

    Returns
    -------
    dict
        ``{"silhouette": float, "neighbours": float}``.

    Examples
    --------
    >>> G = nx.Graph([("a1", "a2"), ("a2", "a3"), ("a3", "b1"), ("b1", "b2"), ("b2", "b3")])
    >>> nx.set_node_attributes(G, {n: n[0] for n in G}, "domain")
    >>> line = {n: (float(i), 0.0) for i, n in enumerate(sorted(G))}
    >>> {name: round(value, 2) for name, value in layout_quality(G, line, k=1).items()}
    {'silhouette': 0.51, 'neighbours': 1.0}
    """
    undirected = G.to_undirected(as_view=True) if G.is_directed() else G
    main = sorted(max(nx.connected_components(undirected), key=len, default=set()), key=str)
    rng = np.random.default_rng(seed)
    chosen = sorted(rng.choice(len(main), size=sample, replace=False)) if len(main) > sample else range(len(main))
    picked = [main[i] for i in chosen]
    everyone = sorted(G.nodes, key=str)
    where = np.array([positions[n] for n in everyone], dtype=float)
    at = {n: i for i, n in enumerate(everyone)}

    linked: dict[Hashable, set[Hashable]] = {}
    for u, v, data in G.edges(data=True):
        if u != v and (inferred or not data.get("inferred")):
            linked.setdefault(u, set()).add(v)
            linked.setdefault(v, set()).add(u)
    reach = min(k, len(everyone) - 1)
    shares = []
    if reach > 0 and picked:
        _, near = cKDTree(where).query(where[[at[n] for n in picked]], k=reach + 1)
        for n, row in zip(picked, near, strict=True):
            others = [everyone[j] for j in row if j != at[n]][:reach]
            shares.append(sum(o in linked.get(n, ()) for o in others) / reach)

    labelled = [n for n in picked if _primary_domain(G.nodes[n])]
    return {
        "silhouette": _silhouette(where[[at[n] for n in labelled]], [_primary_domain(G.nodes[n]) for n in labelled]),
        "neighbours": float(np.mean(shares)) if shares else 0.0,
    }


def _silhouette(xy: np.ndarray, labels: list[Any]) -> float:
    """The mean silhouette of labelled points (0 for a point alone in its label, as scikit-learn has it)."""
    names = sorted(set(labels))
    if len(names) < 2:
        return 0.0
    code = np.array([names.index(label) for label in labels])
    one_hot = np.zeros((len(labels), len(names)))
    one_hot[np.arange(len(labels)), code] = 1.0
    distance = np.sqrt(np.maximum(((xy[:, None, :] - xy[None, :, :]) ** 2).sum(axis=2), 0.0))
    total = distance @ one_hot
    count = one_hot.sum(axis=0)
    own = count[code] - 1
    a = np.where(own > 0, total[np.arange(len(labels)), code] / np.maximum(own, 1), 0.0)
    mean_to = total / count
    mean_to[np.arange(len(labels)), code] = np.inf
    b = mean_to.min(axis=1)
    s = np.where(own > 0, (b - a) / np.maximum(np.maximum(a, b), 1e-12), 0.0)
    return float(s.mean())
