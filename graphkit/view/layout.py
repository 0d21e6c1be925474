"""Positions for the map, computed in Python: graph -> ``{slug: (x, y)}``.

A force layout of a dense library draws one uniform disc: a few hubs linked from everywhere
pull every pattern to the middle. So the largest component is cut into communities first
(Leiden, on the curated links, with hub links damped and links within a domain pulled
harder), the communities are placed by a force layout of the graph between them, and each is
laid out inside its own disc (large ones are cut again). Machine-inferred links pull a tenth
as hard as curated ones: they place a pattern that has no curated link and barely move the
rest. Small components and isolated patterns are packed in a block beside the main
component, so they never bury it. Seeded: the same graph gives the
same positions, byte for byte. ``layout_quality`` measures how well a layout shows the
library's structure.
"""

from __future__ import annotations

import math
import random
from collections.abc import Hashable, Iterator, Mapping
from contextlib import contextmanager
from functools import lru_cache
from typing import Any

import igraph
import networkx as nx
import numpy as np

__all__ = ["focus_positions", "layout_positions", "layout_quality", "node_size"]

#: At most this many patterns on one ring of a local graph (``focus_positions``).
RING_SIZE = 60
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
#: Weight of a pair of patterns joined by machine-inferred links only, against 1 for a curated
#: link: enough to bring a pattern without curated links near its inferred neighbours, too
#: little to pull communities together (half the newer library's links are inferred).
INFERRED_WEIGHT = 0.1
#: Extra weight of a link between two patterns of the same primary domain: of two equally
#: linked groupings, the map prefers the one a reader can name by its colour.
DOMAIN_PULL = 2.0
#: A group of more patterns than this is cut into communities before it is laid out: a force
#: layout of a few hundred patterns still shows its shape, of thousands a disc.
SPLIT_ABOVE = 50
#: How many times a community may be cut again.
MAX_DEPTH = 4
#: Free space between the discs of two communities, in page pixels.
COMMUNITY_GAP = 2 * NODE_GAP


def node_size(degree: int) -> float:
    """The radius of a pattern's dot on the map, growing with the square root of its degree.

    Examples
    --------
    >>> node_size(0), node_size(4), node_size(10_000)
    (6.0, 10.8, 40.0)
    """
    return round(min(6.0 + 2.4 * math.sqrt(degree), 40.0), 1)


def focus_positions(G: nx.Graph, focus: Hashable, spacing: float = 34.0) -> dict[Hashable, tuple[float, float]]:
    """Positions for a local graph: ``focus`` in the middle, each further step out on a ring of its own.

    A ring is wide enough to give every pattern on it ``spacing`` pixels, so every name has
    room; a step's patterns go round in ``strongest_first`` order, at most ``RING_SIZE`` to a
    ring, so a hub's strongest neighbours sit innermost (and a page cut to its strongest
    ``RING_SIZE`` shows the first ring). Deterministic.

    Examples
    --------
    >>> G = nx.MultiDiGraph([("hub", "a", "enables"), ("hub", "b", "enables"), ("a", "c", "related")])
    >>> pos = focus_positions(G, "hub")
    >>> pos["hub"], round(pos["a"][0]), round(pos["c"][0])
    ((0.0, 0.0), 180, 360)
    """
    steps = nx.single_source_shortest_path_length(G.to_undirected(as_view=True), focus)
    positions: dict[Hashable, tuple[float, float]] = {focus: (0.0, 0.0)}
    rings: dict[int, list[Hashable]] = {}
    for node in strongest_first(G, focus):  # the order a page cut to its strongest N keeps
        if steps.get(node):
            rings.setdefault(steps[node], []).append(node)
    radius = 0.0
    for step in sorted(rings):
        ordered = rings[step]
        for start in range(0, len(ordered), RING_SIZE):  # a hub's many neighbours: the strongest innermost
            ring = ordered[start : start + RING_SIZE]
            radius = max(radius + 180.0, len(ring) * spacing / (2 * math.pi))
            for i, node in enumerate(ring):
                angle = 2 * math.pi * i / len(ring)
                positions[node] = (round(radius * math.cos(angle), 2), round(radius * math.sin(angle), 2))
    for node in G:  # patterns the focus does not reach (a cut page keeps them): one more ring
        if node not in positions:
            radius += 180.0
            positions[node] = (round(radius, 2), 0.0)
    return positions


def _strength(data: dict[str, Any]) -> float:
    """How strong a relation is: curated above inferred; curated by weight, inferred by confidence."""
    if data.get("inferred"):
        confidence = data.get("confidence")
        return min(max(float(confidence), 0.0), 1.0) if isinstance(confidence, (int, float)) else 0.5
    weight = data.get("weight")
    return 2.0 + (float(weight) if isinstance(weight, (int, float)) and weight > 0 else 0.0)


def strongest_first(G: nx.MultiDiGraph, slug: Any) -> list[Any]:
    """The patterns of ``G`` by closeness to ``slug``, then by the strength of the link that reaches
    them (curated before inferred, by weight or confidence), then by degree.

    Examples
    --------
    >>> from graphkit import Link, Pattern, build_graph
    >>> G = build_graph([Pattern("a", "A", links=(Link("related", "b"), Link("related", "c", weight=3),
    ...                                          Link("related", "d", inferred=True, confidence=0.9))),
    ...                  Pattern("b", "B"), Pattern("c", "C"), Pattern("d", "D")])
    >>> strongest_first(G, "a")
    ['a', 'c', 'b', 'd']
    """
    U = G.to_undirected(as_view=True)
    distance = nx.single_source_shortest_path_length(U, slug)
    best: dict[Any, float] = {slug: float("inf")}
    for n, k in distance.items():
        for m, edges in U.adj[n].items():
            if distance.get(m) == k + 1:
                best[m] = max(best.get(m, 0.0), max(_strength(d) for d in edges.values()))
    degree = dict(G.degree())
    order = sorted(distance, key=lambda n: (distance[n], -best[n], -degree[n], str(n)))
    return order + sorted((n for n in G if n not in distance), key=str)


def layout_positions(
    G: nx.Graph, seed: int = 7, edge_length: float = EDGE_LENGTH
) -> dict[Hashable, tuple[float, float]]:
    """Deterministic 2-D positions for every node of ``G``, in page pixels (y grows downwards).

    Edge direction and keys are ignored. Curated links shape the picture; links whose
    ``inferred`` attribute is true weigh a tenth, and a hub's links weigh less the more it
    has. Communities of the largest component sit in discs of their own, patterns of one
    primary domain (``domain``, else the first of ``domains``) drawn together when their links
    allow it. The largest component sits on the left; the other components, largest first,
    and then the isolated nodes in a grid ordered by domain, fill a block on its right.

    Parameters
    ----------
    G : networkx graph
        Any NetworkX graph; it is not modified.
    seed : int
        Seed of the communities and starting positions; the same graph and seed give the same
        positions.
    edge_length : float
        The median length of an edge inside a community, in pixels.

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
    g = _layout_graph(G, nodes)
    radii = np.array([node_size(d) for d in _degrees(G, nodes)])
    components = sorted(g.connected_components(mode="weak"), key=lambda c: (-len(c), min(c)))
    rng = np.random.default_rng(seed)

    blocks = []  # (member indices, local coordinates as an (n, 2) array)
    with _igraph_random(seed):
        for members in components:
            if len(members) == 1:
                continue
            local = _nested_layout(g.induced_subgraph(members), radii[members], rng, edge_length, 0)
            blocks.append((members, local))
    domains = [_primary_domain(G.nodes[n]) for n in nodes]
    # Isolated patterns in domain runs: the grid reads as bands of colour, not confetti.
    isolated = sorted(
        (c[0] for c in components if len(c) == 1), key=lambda i: (domains[i] is None, domains[i] or "", i)
    )

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


def _primary_domain(data: Mapping[str, Any]) -> str | None:
    """A pattern's primary domain: ``domain``, else the first of ``domains``, else None."""
    domain = data.get("domain")
    if not domain:
        domains = data.get("domains")
        domain = domains[0] if isinstance(domains, (list, tuple)) and domains else None
    return str(domain) if domain else None


def _degrees(G: nx.Graph, nodes: list[Hashable]) -> list[int]:
    degree = dict(G.degree())
    return [degree[n] for n in nodes]


def _layout_graph(G: nx.Graph, nodes: list[Hashable]) -> igraph.Graph:
    """The undirected weighted graph the layout pulls along: one edge per linked pair of nodes.

    A pair weighs 1 when a curated link joins it, ``INFERRED_WEIGHT`` when only inferred
    links do, times ``DOMAIN_PULL`` within a domain, divided by the geometric mean of its two
    ends' total weights: a hub's hundreds of links each pull a hundred times less than a
    link between two patterns with one link each. Weights are scaled to a median of 1.
    """
    index = {n: i for i, n in enumerate(nodes)}
    # Flat arrays rather than a dict of pairs: at 350k links that is 10 MB instead of 100.
    ends = np.array([(index[u], index[v]) for u, v in G.edges()], dtype=np.int64).reshape(-1, 2)
    pull = np.array([INFERRED_WEIGHT if d.get("inferred") else 1.0 for _, _, d in G.edges(data=True)])
    ends.sort(axis=1)
    keep = ends[:, 0] != ends[:, 1]
    ends, pull = ends[keep], pull[keep]
    # One edge per pair, with the strongest of its links (curated before inferred), in pair order.
    order = np.lexsort((-pull, ends[:, 1], ends[:, 0]))
    ends, pull = ends[order], pull[order]
    first = np.ones(len(ends), dtype=bool)
    first[1:] = np.any(ends[1:] != ends[:-1], axis=1)
    ends, weight = ends[first], pull[first]
    g = igraph.Graph(n=len(nodes), edges=ends.tolist())
    if not len(ends):
        return g
    domains = [_primary_domain(G.nodes[n]) for n in nodes]
    codes = {d: c for c, d in enumerate(sorted({d for d in domains if d is not None}))}
    domain = np.array([codes[d] if d is not None else -1 for d in domains])
    same = (domain[ends[:, 0]] == domain[ends[:, 1]]) & (domain[ends[:, 0]] >= 0)
    weight = np.where(same, weight * DOMAIN_PULL, weight)
    strength = np.bincount(ends[:, 0], weight, len(nodes)) + np.bincount(ends[:, 1], weight, len(nodes))
    weight = weight / np.sqrt(strength[ends[:, 0]] * strength[ends[:, 1]])
    g.es["weight"] = (weight / float(np.median(weight))).tolist()
    return g


@contextmanager
def _igraph_random(seed: int) -> Iterator[None]:
    """igraph draws from Python's global ``random`` during layouts; give it a seeded one meanwhile."""
    igraph.set_random_number_generator(random.Random(seed))
    try:
        yield
    finally:
        igraph.set_random_number_generator(random)


def _nested_layout(
    g: igraph.Graph, radii: np.ndarray, rng: np.random.Generator, edge_length: float, depth: int
) -> np.ndarray:
    """A connected group of nodes: small ones by a force layout, large ones community by community.

    Each community is laid out on its own (recursively) and centred in a disc; the discs are
    placed by a force layout of the graph between communities, then pushed apart until none
    overlaps another.
    """
    n = g.vcount()
    if n <= SPLIT_ABOVE or depth >= MAX_DEPTH or g.ecount() == 0:
        return _spread(_force_layout(g, rng, edge_length), radii)
    membership = g.community_leiden(objective_function="modularity", weights="weight", n_iterations=-1).membership
    k = max(membership) + 1
    if k == 1:
        return _spread(_force_layout(g, rng, edge_length), radii)
    groups: list[list[int]] = [[] for _ in range(k)]
    for i, c in enumerate(membership):
        groups[c].append(i)
    locals_, disc = [], np.zeros(k)
    for c, members in enumerate(groups):
        local = _nested_layout(g.induced_subgraph(members), radii[members], rng, edge_length, depth + 1)
        local = local - (local.max(axis=0) + local.min(axis=0)) / 2
        disc[c] = float(np.max(np.linalg.norm(local, axis=1) + radii[members]))
        locals_.append(local)
    between = g.copy()
    between.contract_vertices(membership, combine_attrs="first")
    between.simplify(multiple=True, loops=True, combine_edges={"weight": "sum"})
    centres = _place_discs(between, disc, rng)
    xy = np.zeros((n, 2))
    for members, local, centre in zip(groups, locals_, centres, strict=True):
        xy[members] = local + centre
    return xy


def _force_layout(g: igraph.Graph, rng: np.random.Generator, edge_length: float) -> np.ndarray:
    """Weighted Fruchterman-Reingold, scaled so the median edge is ``edge_length`` long."""
    n = g.vcount()
    if n == 1:
        return np.zeros((1, 2))
    if n == 2:
        return np.array([[0.0, 0.0], [edge_length, 0.0]])
    start = rng.uniform(-1.0, 1.0, size=(n, 2)) * math.sqrt(n)
    weights = "weight" if "weight" in g.es.attributes() else None
    coords = np.array(
        g.layout_fruchterman_reingold(seed=start.tolist(), weights=weights, niter=500, grid=n >= GRID_FROM).coords
    )
    if g.ecount() == 0:
        return coords * edge_length
    ends = np.array(g.get_edgelist())
    lengths = np.linalg.norm(coords[ends[:, 0]] - coords[ends[:, 1]], axis=1)
    median = float(np.median(lengths)) or 1.0
    return coords * (edge_length / median)


def _place_discs(between: igraph.Graph, disc: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Centres for discs of radius ``disc``: linked ones near each other, none overlapping.

    The force layout of the communities' graph gives the arrangement; it is scaled so that
    linked discs about touch, then overlapping discs are pushed apart.
    """
    k = len(disc)
    if between.ecount():
        # Two communities pull by their links' weight over their discs' radii: two big ones do not crush the rest.
        ends = np.array(between.get_edgelist())
        between.es["weight"] = (np.array(between.es["weight"]) / np.sqrt(disc[ends[:, 0]] * disc[ends[:, 1]])).tolist()
    start = rng.uniform(-1.0, 1.0, size=(k, 2)) * math.sqrt(k)
    weights = "weight" if between.ecount() else None
    xy = np.array(between.layout_fruchterman_reingold(seed=start.tolist(), weights=weights, niter=500).coords)
    if between.ecount():
        ends = np.array(between.get_edgelist())
        lengths = np.maximum(np.linalg.norm(xy[ends[:, 0]] - xy[ends[:, 1]], axis=1), 1e-9)
        xy *= float(np.median((disc[ends[:, 0]] + disc[ends[:, 1]] + COMMUNITY_GAP) / lengths))
    return _separate(xy, disc, COMMUNITY_GAP)


def _separate(xy: np.ndarray, radii: np.ndarray, gap: float, rounds: int = 200) -> np.ndarray:
    """Push discs apart until no two are closer than their radii plus ``gap``.

    Each round moves the two discs of every overlapping pair apart by their overlap. Should
    some still overlap after ``rounds`` (a crowd pushes back), the picture is scaled up just
    enough to part them: that ends every overlap at once.
    """
    xy = xy + np.stack([np.cos(np.arange(len(xy)) * 2.399), np.sin(np.arange(len(xy)) * 2.399)], axis=1) * 1e-3
    i, j = np.triu_indices(len(xy), 1)
    need = radii[i] + radii[j] + gap
    for _ in range(rounds):
        delta = xy[j] - xy[i]
        dist = np.sqrt(np.einsum("ij,ij->i", delta, delta))
        close = dist < need
        if not close.any():
            return xy
        push = delta[close] * (((need[close] - dist[close]) / 2 * 1.01) / np.maximum(dist[close], 1e-9))[:, None]
        for axis in (0, 1):
            xy[:, axis] += np.bincount(j[close], push[:, axis], len(xy)) - np.bincount(i[close], push[:, axis], len(xy))
    dist = np.linalg.norm(xy[j] - xy[i], axis=1)
    return xy * max(1.0, float(np.max(need / np.maximum(dist, 1e-9))) * 1.001)


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
        i, j = _near_pairs(xy, reach)
        if not len(i):
            break
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


#: Up to this many nodes, ``_near_pairs`` measures every pair; above, it asks a k-d tree.
ALL_PAIRS_UP_TO = 64


@lru_cache(maxsize=ALL_PAIRS_UP_TO)
def _all_pairs(n: int) -> tuple[np.ndarray, np.ndarray]:
    return np.triu_indices(n, 1)


def _near_pairs(xy: np.ndarray, reach: float) -> tuple[np.ndarray, np.ndarray]:
    """The pairs ``(i, j)``, ``i < j``, of points at most ``reach`` apart, in order of ``i`` then ``j``.

    Nearly every group the map spreads is a community of at most ``SPLIT_ABOVE`` patterns
    (6,000 calls at 3,600 patterns): measuring their few hundred pairs takes about as long as
    a k-d tree would, and the map does without importing SciPy (0.2 s of every build). A
    larger group asks SciPy's k-d tree. The same pairs, in the same order, either way.

    >>> i, j = _near_pairs(np.array([[0.0, 0.0], [3.0, 4.0], [0.0, 1.0]]), 5.0)
    >>> i.tolist(), j.tolist()
    ([0, 0, 1], [1, 2, 2])
    """
    if len(xy) <= ALL_PAIRS_UP_TO:
        i, j = _all_pairs(len(xy))
        delta = xy[j] - xy[i]
        near = (delta * delta).sum(axis=1) <= reach * reach
        return i[near], j[near]
    from scipy.spatial import cKDTree  # a large group only

    pairs = cKDTree(xy).query_pairs(reach, output_type="ndarray")
    pairs = pairs[np.lexsort((pairs[:, 1], pairs[:, 0]))]
    return pairs[:, 0], pairs[:, 1]


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
        from scipy.spatial import cKDTree

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
