"""In-memory pattern graphs with the newer library's shape, for the layout's tests and measurements.

``dense_graph()`` has the newer Commons OS library's counts (3,614 patterns, about 17k curated
and 18k machine-inferred relations, 81 domains, a main component of 2,296 patterns, 1,184
isolated ones, three alphabetically early hubs with about 1,300, 1,060 and 970 relations);
``scale`` multiplies every count. Most links join patterns of one domain, so the domains are
planted communities a layout can show. Run this file to print the layout's quality and time:
``python -m tests.layout_graphs [scale] [--spring]``.
"""

from __future__ import annotations

import sys

import networkx as nx
import numpy as np

# The relation mix of the corpus's curated links, most of them "related".
RELATIONS = ["related"] * 84 + ["generalizes_from"] * 5 + ["specializes_to"] * 5 + ["enables"] * 3 + ["requires"] * 3


def dense_graph(
    scale: float = 1.0,
    *,
    patterns: int = 3614,
    curated: int = 17235,
    inferred: int = 18222,
    domains: int = 81,
    main: int = 2296,
    isolated: int = 1184,
    hubs: tuple[int, ...] = (1328, 1063, 971),
    within: float = 0.75,
    seed: int = 1,
) -> nx.MultiDiGraph:
    """A pattern graph shaped like the newer library, built like ``graphkit.build_graph`` builds one.

    Nodes are slugs with ``title``, ``domain`` and ``domains``; edges are keyed by relation
    (``"related"``) or ``"<relation>:inferred"`` and carry ``relation`` and ``inferred``.
    ``within`` is the share of the non-hub links that join two patterns of one primary domain;
    hub links go to the alphabetically first patterns from anywhere. Deterministic for a seed.

    Examples
    --------
    >>> G = dense_graph(0.05)
    >>> G.number_of_nodes(), sum(1 for _ in nx.isolates(G)), len(max(nx.weakly_connected_components(G), key=len))
    (181, 59, 115)
    """
    rng = np.random.default_rng(seed)
    n, n_main, n_alone = round(patterns * scale), round(main * scale), round(isolated * scale)
    n_curated, n_inferred = round(curated * scale), round(inferred * scale)
    hub_degrees = [max(1, round(h * scale)) for h in hubs]
    slugs = [f"pattern-{i:05d}" for i in range(n)]
    # The hubs are the first slugs; the other roles are dealt at random.
    order = np.concatenate([np.arange(len(hubs)), len(hubs) + rng.permutation(n - len(hubs))])
    main_nodes = order[:n_main]
    small_nodes = order[n_main : n - n_alone]
    share = 1.0 / np.arange(1, domains + 1) ** 0.8
    domain_of = rng.choice(domains, size=n, p=share / share.sum())
    names = [f"domain-{d:02d}" for d in range(domains)]

    G = nx.MultiDiGraph()
    for i in range(n):
        extra = [names[int(rng.integers(domains))]] if rng.random() < 0.2 else []
        first = names[domain_of[i]]
        G.add_node(slugs[i], title=f"Pattern {i}", domain=first, domains=[first, *[d for d in extra if d != first]])

    by_domain: dict[int, list[int]] = {}
    for i in main_nodes:
        by_domain.setdefault(int(domain_of[i]), []).append(int(i))

    def partner(a: int) -> int:
        if rng.random() < within:
            pool = by_domain[int(domain_of[a])]
            return pool[int(rng.integers(len(pool)))]
        return int(main_nodes[int(rng.integers(n_main))])

    def link(a: int, b: int, is_inferred: bool) -> bool:
        relation = RELATIONS[int(rng.integers(len(RELATIONS)))]
        key = f"{relation}:inferred" if is_inferred else relation
        if a == b or G.has_edge(slugs[a], slugs[b], key):
            return False
        G.add_edge(slugs[a], slugs[b], key=key, relation=relation, inferred=is_inferred)
        return True

    # A spanning tree keeps the main component in one piece; it follows the domains too.
    seen = [int(main_nodes[0])]
    for a in main_nodes[1:]:
        a = int(a)
        same = [b for b in seen[-200:] if domain_of[b] == domain_of[a]]
        b = same[-1] if same and rng.random() < within else seen[int(rng.integers(len(seen)))]
        link(a, b, False)
        seen.append(a)
    made = n_main - 1
    # Small components of two to five patterns.
    k = 0
    while k < len(small_nodes):
        size = min(int(rng.integers(2, 6)), len(small_nodes) - k)
        if size == 1:  # a lone leftover joins the previous component
            link(int(small_nodes[k]), int(small_nodes[k - 1]), False)
            made, k = made + 1, k + 1
            continue
        members = small_nodes[k : k + size]
        for j in range(1, size):
            made += link(int(members[j]), int(members[int(rng.integers(j))]), False)
        k += size
    # Hub links, half curated and half inferred, from anywhere in the main component.
    for h, degree in enumerate(hub_degrees):
        got = 0
        while got < degree:
            is_inferred = got % 2 == 1
            if link(int(main_nodes[int(rng.integers(n_main))]), h, is_inferred):
                got += 1
                made += not is_inferred
    inferred_made = sum(d // 2 for d in hub_degrees)
    while made < n_curated:
        a = int(main_nodes[int(rng.integers(n_main))])
        made += link(a, partner(a), False)
    while inferred_made < n_inferred:
        a = int(main_nodes[int(rng.integers(n_main))])
        inferred_made += link(a, partner(a), True)
    return G


def _measure(scale: float, spring: bool) -> None:
    import time

    from graphkit.view.layout import layout_positions, layout_quality

    G = dense_graph(scale)
    print(f"{G.number_of_nodes()} patterns, {G.number_of_edges()} relations")
    t = time.perf_counter()
    pos = layout_positions(G)
    print(f"layout_positions: {time.perf_counter() - t:.2f} s  {layout_quality(G, pos)}")
    if spring:
        t = time.perf_counter()
        pos = nx.spring_layout(nx.Graph(G), seed=7)
        print(f"nx.spring_layout: {time.perf_counter() - t:.2f} s  {layout_quality(G, pos)}")


if __name__ == "__main__":
    _measure(float(sys.argv[1]) if len(sys.argv) > 1 and sys.argv[1][0].isdigit() else 1.0, "--spring" in sys.argv)
