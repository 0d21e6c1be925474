"""A synthetic pattern library the size of the later real one, for benchmarks.

3,600 patterns and about 17,000 curated edges, with a heavy-tailed degree distribution (a
few hubs, one with in-degree over a thousand, like the real library), about a third of the
patterns isolated, some small components, and the real library's mix of relation types.
"""

from __future__ import annotations

import numpy as np
import networkx as nx

from graphkit import Link, Pattern, build_graph

DOMAINS = ["operations", "platform", "startup", "design", "governance", "technology", "privacy",
           "security", "culture", "meta", "sustainability", "value-creation"]
# Relation mix of the shared corpus (curated edges), most of them "related".
RELATIONS = ["related"] * 84 + ["generalizes_from"] * 5 + ["specializes_to"] * 5 + ["enables"] * 2 + \
    ["requires"] * 3 + ["complementary"]


def synthetic_graph(n: int = 3600, edges: int = 17000, seed: int = 1) -> nx.MultiDiGraph:
    """The pattern graph of a synthetic library (deterministic for a seed)."""
    rng = np.random.default_rng(seed)
    isolated = n // 3
    small = 150                       # patterns in small components of 2-5
    core = n - isolated - small
    slugs = [f"pattern-{i:05d}" for i in range(n)]
    # Heavy-tailed attachment weights (Zipf-like), plus one giant hub.
    weights = 1.0 / np.arange(1, core + 1) ** 0.9
    weights[0] = weights.sum() * 0.08
    weights /= weights.sum()
    links: dict[int, list[Link]] = {i: [] for i in range(n)}
    seen: set[tuple[int, int, str]] = set()
    # a spanning backbone keeps the core in one component
    for i in range(1, core):
        j = int(rng.integers(0, i))
        links[i].append(Link("related", slugs[j]))
        seen.add((i, j, "related"))
    count = core - 1
    while count < edges - small:
        a = int(rng.integers(0, core))
        b = int(rng.choice(core, p=weights))
        rel = RELATIONS[int(rng.integers(0, len(RELATIONS)))]
        if a == b or (a, b, rel) in seen:
            continue
        seen.add((a, b, rel))
        links[a].append(Link(rel, slugs[b]))
        count += 1
    i = core
    while i < core + small:
        size = int(rng.integers(2, 6))
        members = list(range(i, min(i + size, core + small)))
        for k in members[1:]:
            links[k].append(Link("related", slugs[int(rng.choice(members[: members.index(k)]))]))
        i += size
    patterns = [
        Pattern(
            slugs[i],
            f"Synthetic Pattern {i}",
            id=f"pat_{i:026d}",
            summary=f"A synthetic pattern number {i}, made for benchmarks.",
            domains=(DOMAINS[int(rng.integers(0, len(DOMAINS)))],),
            links=tuple(links[i]),
        )
        for i in range(n)
    ]
    return build_graph(patterns)
