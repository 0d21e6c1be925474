"""Linking and the graph: resolution, merging, inferred edges, and the problems of linking."""

from __future__ import annotations

import networkx as nx
import pytest

import graphkit
from graphkit import Link, Pattern, build_graph, get_pattern, link_patterns


def test_fixture_graph_edges(fixture_library):
    G = fixture_library.graph
    assert isinstance(G, nx.MultiDiGraph)
    assert list(G.nodes) == ["alpha", "beta", "delta", "gamma"]
    assert sorted(G.edges(keys=True)) == [
        ("alpha", "beta", "generalizes_from"),
        ("alpha", "beta", "related"),
        ("alpha", "gamma", "enables"),
        ("beta", "alpha", "related"),
        ("beta", "alpha", "related:inferred"),
        ("beta", "alpha", "specializes_to"),
        ("beta", "delta", "alternatives"),
        ("beta", "gamma", "enables"),
        ("delta", "beta", "alternatives"),
        ("gamma", "alpha", "related"),
    ]


def test_relation_declared_twice_is_one_edge_with_its_weight(fixture_library):
    G = fixture_library.graph
    assert G.number_of_edges("beta", "gamma") == 1
    assert G.edges["beta", "gamma", "enables"] == {
        "relation": "enables",
        "inferred": False,
        "weight": 0.8,
        "description": "Beta makes gamma easier.",
    }


def test_inferred_edge_is_apart_from_curated_one(fixture_library):
    G = fixture_library.graph
    assert G.edges["beta", "alpha", "related:inferred"] == {
        "relation": "related",
        "inferred": True,
        "confidence": 3.0,
        "reason": "Shared entities: Feedback Loop",
    }
    assert G.edges["beta", "alpha", "related"] == {"relation": "related", "inferred": False}


def test_node_attributes(fixture_library):
    assert fixture_library.graph.nodes["gamma"] == {
        "title": "Gamma",
        "id": "pat_01gamma000000000000000000",
        "aliases": [],
        "summary": None,
        "domain": "technology",
        "domains": ["technology"],
        "categories": [],
        "era": [],
        "origin": [],
        "status": None,
        "scores": {},
        "lifecycle": {},
        "page_url": None,
        "path": "gamma.md",
        "generation": "classic",
    }


def test_fixture_problems(fixture_library):
    assert [str(p) for p in fixture_library.problems] == [
        "alpha.md: error: related names 'missing-pattern', which is no pattern's slug or id [dangling-reference]",
        "beta.md: warning: related (inferred) names 'nowhere', which is no pattern's slug or id [dangling-reference]",
        "beta.md: warning: complementary names the pattern itself; no edge is made (target 'beta') [self-reference]",
        "delta.md: warning: relationships.implements is not a known relation (1 file); declare it in graphkit.toml "
        "as [relations.implements] to make it edges (graphkit fields --toml prints the table) [unknown-relation]",
        "gamma.md: warning: 'gamma' lists 'alpha' under related, but 'alpha' does not list 'gamma' [one-sided-symmetric]",
    ]


def test_ambiguous_and_duplicate_ids():
    a = Pattern("a", "A", id="pat_same", path="a.md")
    b = Pattern("b", "B", id="pat_same", path="b.md")
    c = Pattern("c", "C", id="pat_c", path="c.md", links=(Link("enables", "pat_same"), Link("enables", "a")))
    edges, problems = link_patterns([a, b, c])
    assert [(e.source, e.relation, e.target) for e in edges] == [("c", "enables", "a")]
    assert [str(p) for p in problems] == [
        "c.md: error: enables names id 'pat_same', which several patterns share (a, b); use a slug [ambiguous-reference]"
    ]


def test_one_sided_inverse():
    a = Pattern("a", "A", path="a.md", links=(Link("generalizes_from", "b"),))
    b = Pattern("b", "B", path="b.md")
    _, problems = link_patterns([a, b])
    assert [str(p) for p in problems] == [
        "a.md: warning: 'a' generalizes_from 'b', but 'b' does not list 'a' under specializes_to [one-sided-inverse]"
    ]


def test_two_sided_inverse_is_fine():
    a = Pattern("a", "A", path="a.md", links=(Link("generalizes_from", "b"),))
    b = Pattern("b", "B", path="b.md", links=(Link("specializes_to", "a"),))
    assert link_patterns([a, b])[1] == []


def test_build_graph_does_not_depend_on_input_order():
    ps = [Pattern("b", "B", links=(Link("related", "a"),)), Pattern("a", "A", links=(Link("related", "b"),))]
    G1, G2 = build_graph(ps), build_graph(list(reversed(ps)))
    assert list(G1.nodes) == list(G2.nodes) == ["a", "b"]
    assert list(G1.edges(keys=True)) == list(G2.edges(keys=True))


@pytest.mark.parametrize(
    "name, slug",
    [("beta", "beta"), ("pat_01beta0000000000000000000", "beta"), ("GAMMA", "gamma"), ("first letter", "alpha")],
    ids=["slug", "id", "title", "alias"],
)
def test_get_pattern(fixture_library, name, slug):
    assert get_pattern(fixture_library.graph, name) == slug


def test_get_pattern_raises_for_unknown(fixture_library):
    with pytest.raises(graphkit.PatternNotFound, match="'zeta' names no pattern"):
        get_pattern(fixture_library.graph, "zeta")


def test_stats(fixture_library):
    stats = fixture_library.stats()
    assert {k: stats[k] for k in ("patterns", "edges", "edges_by_relation", "inferred_edges", "problems_by_kind")} == {
        "patterns": 4,
        "edges": 9,
        "edges_by_relation": {
            "generalizes_from": 1,
            "specializes_to": 1,
            "enables": 2,
            "related": 3,
            "alternatives": 2,
        },
        "inferred_edges": 1,
        "problems_by_kind": {
            "dangling-reference": 2,
            "one-sided-symmetric": 1,
            "self-reference": 1,
            "unknown-relation": 1,
        },
    }
    assert stats["components"] == 1
    assert stats["most_connected"][0] == {"slug": "beta", "title": 'Beta: "quoted" & <b>bold</b>', "degree": 7}


def test_sample_library_has_both_generations(sample_library):
    generations = {p.generation for p in sample_library.patterns}
    assert generations == {"classic", "v7"}
    assert sample_library.graph.nodes["bottom-up-adoption"]["title"] == "Bottom-Up Adoption"
    assert sample_library.stats()["patterns"] == 37


def test_get_pattern_refuses_a_shared_id_or_title():
    G = build_graph(
        [Pattern("a", "Same", id="pat_x"), Pattern("b", "Same", id="pat_x", aliases=("Other",)), Pattern("c", "C")]
    )
    with pytest.raises(graphkit.PatternNotFound, match=r"^'pat_x' names 2 patterns \(a, b\); give a slug$"):
        get_pattern(G, "pat_x")
    with pytest.raises(graphkit.PatternNotFound, match=r"^'same' names 2 patterns \(a, b\); give a slug$"):
        get_pattern(G, "same")
    assert get_pattern(G, "other") == "b"
