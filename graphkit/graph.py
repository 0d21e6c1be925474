"""Stage 2: pattern records -> one typed ``nx.MultiDiGraph``, plus the problems of linking.

Resolves every reference (TypeID or slug) to a pattern, merges relations declared twice,
and reports dangling, ambiguous and self references and one-sided inverse or symmetric
relations. The node and edge attribute schema lives here.
"""

from __future__ import annotations

import math
import re
from bisect import bisect_left, bisect_right
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, replace
from typing import Any

import networkx as nx

from .errors import PatternNotFound
from .model import DEFAULT_VOCABULARY, ERROR, EXTERNAL, WARNING, Link, Pattern, Problem, Vocabulary

__all__ = [
    "Edge",
    "build_graph",
    "edge_key",
    "external_attributes",
    "get_pattern",
    "is_external",
    "graph_stats",
    "link_patterns",
    "suggest_targets",
    "NODE_ATTRIBUTES",
]

#: Node attributes, in the order exporters write them. Lists and mappings stay lists and mappings.
NODE_ATTRIBUTES = (
    "title",
    "id",
    "aliases",
    "summary",
    "domain",
    "domains",
    "categories",
    "era",
    "origin",
    "status",
    "scores",
    "lifecycle",
    "page_url",
    "path",
    "generation",
)


def edge_key(relation: str, inferred: bool = False) -> str:
    """The key of an edge in the graph: the relation, marked when machine-inferred.

    Examples
    --------
    >>> edge_key("enables"), edge_key("related", inferred=True)
    ('enables', 'related:inferred')
    """
    return f"{relation}:inferred" if inferred else relation


@dataclass(frozen=True)
class Edge:
    """A resolved relation between two patterns (slugs)."""

    source: str
    target: str
    relation: str
    inferred: bool = False
    weight: float | None = None
    description: str | None = None
    confidence: float | None = None
    reason: str | None = None
    external: bool = False  # the target is no pattern but an external node
    extra: tuple[tuple[str, Any], ...] = ()  # the entry's keys the relation keeps

    @property
    def key(self) -> str:
        return edge_key(self.relation, self.inferred)


def link_patterns(
    patterns: Iterable[Pattern], vocabulary: Vocabulary = DEFAULT_VOCABULARY
) -> tuple[list[Edge], list[Problem]]:
    """Resolve every link of every pattern; give the edges and the problems found.

    A target may be a slug or a TypeID. A relation declared twice (say at the top level and
    under ``relationships:``) is one edge; the first weight and description given are kept.

    Examples
    --------
    >>> a = Pattern("a", "A", id="pat_a", links=(Link("enables", "pat_b"), Link("enables", "b", weight=0.5)))
    >>> b = Pattern("b", "B", id="pat_b", links=(Link("related", "nowhere"),))
    >>> edges, problems = link_patterns([a, b])
    >>> [(e.source, e.relation, e.target, e.weight) for e in edges]
    [('a', 'enables', 'b', 0.5)]
    >>> [p.kind for p in problems]
    ['dangling-reference']
    """
    patterns = list(patterns)
    by_slug = {p.slug: p for p in patterns}
    by_id: dict[str, list[str]] = {}
    for p in patterns:
        if p.id:
            by_id.setdefault(p.id, []).append(p.slug)

    merged: dict[tuple[str, str, str, bool], Edge] = {}
    problems: list[Problem] = []
    reported: set[tuple[str, str, str, bool, str]] = set()

    def report(p: Pattern, link: Link, kind: str, severity: str, message: str) -> None:
        marker = (p.slug, link.relation, link.ref, link.inferred, kind)
        if marker in reported:
            return
        reported.add(marker)
        problems.append(Problem(p.path, kind, severity, message, slug=p.slug, relation=link.relation, target=link.ref))

    def resolve(ref: str) -> str | None | list[str]:
        """The slug ``ref`` names; None when it names nothing; the slugs when an id names several."""
        if ref in by_slug:
            return ref
        slugs = by_id.get(ref)
        if slugs is None:
            return None
        return slugs[0] if len(set(slugs)) == 1 else sorted(set(slugs))

    for p in patterns:
        for link in p.links:
            where = f"{link.relation} (inferred)" if link.inferred else link.relation
            found = resolve(link.ref)
            if link.alt is not None:
                other = resolve(link.alt)
                if found != other:
                    use = link.alt if found is None and isinstance(other, str) else link.ref
                    report(
                        p,
                        link,
                        "reference-mismatch",
                        WARNING,
                        f"{where} names {link.ref!r} and {link.alt!r} in one entry, which are not the same "
                        f"pattern; {use!r} is used",
                    )
                    if use == link.alt:
                        found = other
            external = False
            if isinstance(found, list):
                report(
                    p,
                    link,
                    "ambiguous-reference",
                    ERROR,
                    f"{where} names id {link.ref!r}, which several patterns share ({', '.join(found)}); use a slug",
                )
                continue
            if found is None:
                rt = vocabulary.get(link.relation)
                policy = rt.unresolved if rt is not None and not link.inferred else "error"
                if policy == EXTERNAL:
                    external = True
                    found = link.ref
                else:
                    report(
                        p,
                        link,
                        "dangling-reference",
                        ERROR if policy == "error" and not link.inferred else WARNING,
                        f"{where} names {link.ref!r}, which is no pattern's slug or id",
                    )
                    continue
            target = found
            if target == p.slug:
                report(p, link, "self-reference", WARNING, f"{where} names the pattern itself; no edge is made")
                continue
            key = (p.slug, link.relation, target, link.inferred)
            old = merged.get(key)
            if old is None:
                merged[key] = Edge(
                    p.slug,
                    target,
                    link.relation,
                    link.inferred,
                    link.weight,
                    link.description,
                    link.confidence,
                    link.reason,
                    external,
                    link.extra,
                )
            elif (old.weight is None and link.weight is not None) or (
                old.description is None and link.description is not None
            ):
                merged[key] = Edge(
                    old.source,
                    old.target,
                    old.relation,
                    old.inferred,
                    old.weight if old.weight is not None else link.weight,
                    old.description if old.description is not None else link.description,
                    old.confidence,
                    old.reason,
                    old.external,
                    old.extra or link.extra,
                )
    edges = list(merged.values())
    dangling = {p.target for p in problems if p.kind == "dangling-reference" and p.target}
    if dangling:
        suggested = suggest_targets(sorted(dangling), patterns)
        problems = [_with_suggestion(p, suggested.get(p.target or "")) for p in problems]
    problems.extend(_one_sided(edges, by_slug, vocabulary))
    return edges, problems


def _with_suggestion(problem: Problem, slug: str | None) -> Problem:
    if problem.kind != "dangling-reference" or slug is None:
        return problem
    return replace(problem, message=f"{problem.message}; did you mean {slug!r}?", suggestion=slug)


#: A suggestion needs this similarity (rapidfuzz's ``fuzz.ratio``, 0-100) or more ...
SUGGESTION_CUTOFF = 90.0
#: ... and must beat every other pattern's best name by more than this many points.
SUGGESTION_MARGIN = 2.0
# TypeIDs are random: two of the same second share most of their characters, so a near
# miss says nothing about which was meant.
_TYPEID = re.compile(r"[a-z]+_[0-9a-z]{20,}")
_NOT_WORD = re.compile(r"[\W_]+")


def _folded(name: str) -> str:
    """A name as references are compared: casefolded, every run of other characters one hyphen.

    Examples
    --------
    >>> _folded("Gap Analysis"), _folded("gap_analysis ")
    ('gap-analysis', 'gap-analysis')
    """
    return _NOT_WORD.sub("-", name.casefold()).strip("-")


def suggest_targets(refs: Iterable[str], patterns: Iterable[Pattern]) -> dict[str, str]:
    """The slug each reference most likely meant, for those where one pattern is a clear match.

    Each reference is compared with every pattern's slug, title and aliases (casefolded, with
    spaces and underscores as hyphens) by rapidfuzz's ``fuzz.ratio``. A pattern is suggested
    when its best name scores at least ``SUGGESTION_CUTOFF`` and more than
    ``SUGGESTION_MARGIN`` points above every other pattern's; references shaped like a TypeID
    get no suggestion.

    Examples
    --------
    >>> patterns = [Pattern("gap-analysis", "Gap Analysis"), Pattern("team-roles", "Team Roles"),
    ...             Pattern("team-rules", "Team Rules")]
    >>> suggest_targets(["gap-analyis", "Gap analysis", "team-rles", "nothing-like-it"], patterns)
    {'gap-analyis': 'gap-analysis', 'Gap analysis': 'gap-analysis'}
    """
    from rapidfuzz import fuzz, process  # only a library with dangling references needs it

    names: dict[str, set[str]] = {}
    for p in patterns:
        for name in (p.slug, p.title, *p.aliases):
            folded = _folded(name)
            if folded:
                names.setdefault(folded, set()).add(p.slug)
    choices = sorted(names, key=len)
    lengths = [len(c) for c in choices]
    out: dict[str, str] = {}
    for ref in refs:
        query = _folded(ref)
        if not query or _TYPEID.fullmatch(ref.strip()):
            continue
        # fuzz.ratio is 200 * matches / (len(a) + len(b)): at or above the cutoff only for
        # names of about the same length, so only those are scored.
        shortest = math.floor(len(query) * SUGGESTION_CUTOFF / (200 - SUGGESTION_CUTOFF))
        longest = math.ceil(len(query) * (200 - SUGGESTION_CUTOFF) / SUGGESTION_CUTOFF)
        window = choices[bisect_left(lengths, shortest) : bisect_right(lengths, longest)]
        found = process.extract(
            query, window, scorer=fuzz.ratio, processor=None, score_cutoff=SUGGESTION_CUTOFF, limit=None
        )
        best: dict[str, float] = {}
        for name, score, _ in found:
            for slug in names[name]:
                best[slug] = max(score, best.get(slug, 0.0))
        ranked = sorted(best.items(), key=lambda item: (-item[1], item[0]))
        if ranked and (len(ranked) == 1 or ranked[0][1] - ranked[1][1] > SUGGESTION_MARGIN):
            if ranked[0][0] != ref:
                out[ref] = ranked[0][0]
    return out


def _one_sided(edges: list[Edge], by_slug: dict[str, Pattern], vocabulary: Vocabulary) -> list[Problem]:
    """Curated links whose target's file does not state the other direction: of a symmetric
    relation, or of an inverse the files write too (an inverse only the export states, such as
    ``enabled_by``, cannot be missing)."""
    curated = {(e.source, e.relation, e.target) for e in edges if not e.inferred and not e.external}
    problems = []
    for source, relation, target in sorted(curated):
        rt = vocabulary.get(relation)
        if rt is None:
            continue
        if rt.symmetric and (target, relation, source) not in curated:
            problems.append(
                Problem(
                    by_slug[source].path,
                    "one-sided-symmetric",
                    WARNING,
                    f"{source!r} lists {target!r} under {relation}, but {target!r} does not list {source!r}",
                    slug=source,
                    relation=relation,
                    target=target,
                )
            )
        elif rt.inverse in vocabulary and (target, rt.inverse, source) not in curated:
            problems.append(
                Problem(
                    by_slug[source].path,
                    "one-sided-inverse",
                    WARNING,
                    f"{source!r} {relation} {target!r}, but {target!r} does not list {source!r} under {rt.inverse}",
                    slug=source,
                    relation=relation,
                    target=target,
                )
            )
    return problems


def node_attributes(p: Pattern) -> dict[str, Any]:
    """The attributes of a pattern's node: plain lists and dicts, ``None`` for absent fields."""
    return {
        "title": p.title,
        "id": p.id,
        "aliases": list(p.aliases),
        "summary": p.summary,
        "domain": p.domain,
        "domains": list(p.domains),
        "categories": list(p.categories),
        "era": list(p.era),
        "origin": list(p.origin),
        "status": p.status,
        "scores": dict(p.scores),
        "lifecycle": dict(p.lifecycle),
        "page_url": p.page_url,
        "path": p.path,
        "generation": p.generation,
    }


def external_attributes(ref: str) -> dict[str, Any]:
    """The attributes of an external node (a target outside the library): ``kind`` ``"external"``,
    the reference as its title, every pattern attribute empty.

    Examples
    --------
    >>> a = external_attributes("git")
    >>> a["kind"], a["title"], a["path"]
    ('external', 'git', None)
    """
    attrs = node_attributes(Pattern(ref, ref))
    attrs.update(kind=EXTERNAL, path=None, generation=None)
    return attrs


def is_external(G: nx.MultiDiGraph, node: str) -> bool:
    """Whether ``node`` is an external node (no pattern of the library)."""
    return G.nodes[node].get("kind") == EXTERNAL


def build_graph(
    patterns: Iterable[Pattern], vocabulary: Vocabulary = DEFAULT_VOCABULARY, edges: Iterable[Edge] | None = None
) -> nx.MultiDiGraph:
    """Build the pattern graph: one node per pattern, one edge per resolved relation.

    Parameters
    ----------
    patterns : iterable of Pattern
        Records from ``load_patterns``; unresolved targets stay out of the graph.
    vocabulary : Vocabulary
        The relation types; kept in ``G.graph["vocabulary"]`` for exporters.
    edges : iterable of Edge, optional
        Already resolved edges (from ``link_patterns``); resolved here when omitted.

    Returns
    -------
    nx.MultiDiGraph
        Nodes keyed by slug, in sorted order; then the external nodes (targets of a relation
        declared ``unresolved = "external"``), keyed by the reference, with ``kind``
        ``"external"``. Edge key = relation name, or ``"<relation>:inferred"`` for a
        machine-inferred link. Edge attributes: ``relation``, ``inferred``, and ``weight``,
        ``description``, ``confidence``, ``reason`` when given, and the keys the relation keeps.

    Examples
    --------
    >>> G = build_graph([Pattern("a", "A", links=(Link("enables", "b"),)), Pattern("b", "B")])
    >>> sorted(G.edges(keys=True))
    [('a', 'b', 'enables')]
    """
    patterns = sorted(patterns, key=lambda p: p.slug)
    if edges is None:
        edges, _ = link_patterns(patterns, vocabulary)
    G = nx.MultiDiGraph(vocabulary=vocabulary)
    edges = sorted(edges, key=lambda e: (e.source, e.key, e.target))
    for p in patterns:
        G.add_node(p.slug, **node_attributes(p))
    for ref in sorted({e.target for e in edges if e.external}):
        G.add_node(ref, **external_attributes(ref))
    for e in edges:
        attrs: dict[str, Any] = {"relation": e.relation, "inferred": e.inferred}
        for name in ("weight", "description", "confidence", "reason"):
            value = getattr(e, name)
            if value is not None:
                attrs[name] = value
        attrs.update(e.extra)
        G.add_edge(e.source, e.target, key=e.key, **attrs)
    return G


def get_pattern(G: nx.MultiDiGraph, name: str) -> str:
    """The slug of the pattern named by slug, id, title or alias (case-insensitive for the last two).

    Raises ``PatternNotFound`` when nothing matches, or when an id, title or alias is shared
    by several patterns (a slug never is).

    Examples
    --------
    >>> G = build_graph([Pattern("bottom-up-adoption", "Bottom-Up Adoption", id="pat_1")])
    >>> get_pattern(G, "pat_1"), get_pattern(G, "bottom-up adoption")
    ('bottom-up-adoption', 'bottom-up-adoption')
    >>> get_pattern(build_graph([Pattern("a", "Same"), Pattern("b", "Same")]), "same")
    Traceback (most recent call last):
    ...
    graphkit.errors.PatternNotFound: 'same' names 2 patterns (a, b); give a slug
    """
    if name in G:
        return name
    folded = name.casefold()
    for matches in (
        [slug for slug, data in G.nodes(data=True) if data.get("id") == name],
        [
            slug
            for slug, data in G.nodes(data=True)
            if str(data.get("title", "")).casefold() == folded
            or folded in (a.casefold() for a in data.get("aliases", ()))
        ],
    ):
        if len(matches) == 1:
            return matches[0]
        if matches:
            shown = ", ".join(matches[:5]) + (", ..." if len(matches) > 5 else "")
            raise PatternNotFound(f"{name!r} names {len(matches)} patterns ({shown}); give a slug")
    raise PatternNotFound(f"{name!r} names no pattern (give a slug, id, title or alias)")


def graph_stats(G: nx.MultiDiGraph, problems: Iterable[Problem] = (), top: int = 10) -> dict[str, Any]:
    """Counts that describe the graph and its problems, as JSON-ready data.

    Examples
    --------
    >>> G = build_graph([Pattern("a", "A", links=(Link("enables", "b"),)), Pattern("b", "B")])
    >>> s = graph_stats(G)
    >>> s["patterns"], s["edges"], s["edges_by_relation"], s["components"]
    (2, 1, {'enables': 1}, 1)
    """
    curated: Counter[str] = Counter()
    inferred: Counter[str] = Counter()
    degree: Counter[str] = Counter()
    externals = {n for n, kind in G.nodes(data="kind") if kind == EXTERNAL}
    external_edges = 0
    for u, v, data in G.edges(data=True):
        (inferred if data["inferred"] else curated)[data["relation"]] += 1
        external_edges += v in externals
        if not data["inferred"]:
            degree[u] += 1
            degree[v] += 1
    vocabulary = G.graph.get("vocabulary", DEFAULT_VOCABULARY)

    def ordered(counter: Counter[str]) -> dict[str, int]:
        names = [n for n in vocabulary if n in counter] + sorted(set(counter) - set(vocabulary))
        return {n: counter[n] for n in names}

    problems = list(problems)
    by_kind = Counter(p.kind for p in problems)
    by_severity = Counter(p.severity for p in problems)
    # External nodes are no patterns: they neither join components nor count among the hubs.
    patterns = G.subgraph(n for n in G if n not in externals) if externals else G
    components = sorted((len(c) for c in nx.weakly_connected_components(patterns)), reverse=True)
    hubs = sorted(patterns.nodes, key=lambda n: (-degree[n], n))[:top]
    return {
        "patterns": patterns.number_of_nodes(),
        "edges": sum(curated.values()),
        "edges_by_relation": ordered(curated),
        "inferred_edges": sum(inferred.values()),
        "inferred_by_relation": ordered(inferred),
        "problems": len(problems),
        "errors": by_severity.get(ERROR, 0),
        "warnings": by_severity.get(WARNING, 0),
        "problems_by_kind": dict(sorted(by_kind.items())),
        "components": len(components),
        "largest_component": components[0] if components else 0,
        "isolated_patterns": sum(1 for n in patterns if patterns.degree(n) == 0),
        "external_nodes": len(externals),
        "external_edges": external_edges,
        "most_connected": [
            {"slug": n, "title": G.nodes[n].get("title"), "degree": degree[n]} for n in hubs if degree[n] > 0
        ],
    }
