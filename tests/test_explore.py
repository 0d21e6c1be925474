"""Neighbourhoods, typed paths, the pattern table, betweenness, and the `graphkit path` command."""

from __future__ import annotations

import json

import networkx as nx
import pytest
from click.testing import CliRunner

import graphkit
from graphkit.cli import cli
from graphkit.explore import (
    Step,
    betweenness_centrality,
    find_paths,
    format_path,
    neighbourhood,
    pattern_rows,
    relation_view,
)


def test_path_walks_against_direction_and_names_each_relation(fixture_library):
    paths = find_paths(fixture_library.graph, "gamma", "delta")
    assert paths == [
        [Step("gamma", "beta", ("enables",), forward=False), Step("beta", "delta", ("alternatives",), forward=True)]
    ]
    assert format_path(paths[0]) == "gamma <-enables-- beta --alternatives-> delta"


def test_step_with_several_relations(fixture_library):
    (path,) = find_paths(fixture_library.graph, "alpha", "beta")
    assert format_path(path) == "alpha --generalizes_from|related-> beta"


def test_directed_paths_and_relation_filter(fixture_library):
    G = fixture_library.graph
    assert [format_path(p) for p in find_paths(G, "gamma", "delta", directed=True)] == [
        "gamma --related-> alpha --generalizes_from|related-> beta --alternatives-> delta"
    ]
    assert find_paths(G, "gamma", "delta", relations=["related"]) == []
    assert [format_path(p) for p in find_paths(G, "alpha", "beta", relations=["related"])] == ["alpha --related-> beta"]


def test_paths_find_patterns_by_title(fixture_library):
    assert format_path(find_paths(fixture_library.graph, "Gamma", "First Letter")[0]) == "gamma --related-> alpha"


def test_neighbourhood_is_a_copy_with_its_focus(fixture_library):
    G = fixture_library.graph
    H = neighbourhood(G, "delta", depth=1)
    assert sorted(H) == ["beta", "delta"]
    assert sorted(H.edges(keys=True)) == [("beta", "delta", "alternatives"), ("delta", "beta", "alternatives")]
    assert H.graph["focus"] == "delta"
    H.remove_node("beta")
    assert "beta" in G
    assert sorted(neighbourhood(G, "delta", depth=2)) == ["alpha", "beta", "delta", "gamma"]
    assert sorted(neighbourhood(G, "delta", depth=2, relations=["alternatives"])) == ["beta", "delta"]


def test_neighbourhood_of_unknown_pattern(fixture_library):
    with pytest.raises(graphkit.PatternNotFound):
        neighbourhood(fixture_library.graph, "omega")


def test_pattern_rows(fixture_library):
    rows = {r["slug"]: r for r in pattern_rows(fixture_library.graph)}
    assert (rows["beta"]["in_degree"], rows["beta"]["out_degree"]) == (3, 4)
    assert rows["alpha"]["domain"] == "governance"


def run(*args):
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


def test_path_command_text_and_json(fixture_root):
    result = run("path", str(fixture_root), "gamma", "delta")
    assert (result.exit_code, result.output) == (0, "gamma <-enables-- beta --alternatives-> delta\n")
    data = json.loads(run("path", str(fixture_root), "gamma", "delta", "-f", "json").output)
    assert data == [
        [
            {"source": "gamma", "target": "beta", "relations": ["enables"], "forward": False},
            {"source": "beta", "target": "delta", "relations": ["alternatives"], "forward": True},
        ]
    ]


def test_path_command_on_the_sample():
    result = run("path", "alignment-monitoring", "commons-blueprint")
    assert (result.exit_code, result.output) == (0, "alignment-monitoring --generalizes_from-> commons-blueprint\n")


def test_path_command_errors(fixture_root):
    none = CliRunner().invoke(cli, ["path", str(fixture_root), "gamma", "delta", "-r", "related"])
    assert (none.exit_code, none.output) == (1, "Error: no path between 'gamma' and 'delta' with these relations\n")
    unknown = CliRunner().invoke(cli, ["path", str(fixture_root), "gamma", "omega"])
    assert unknown.exit_code == 1
    assert unknown.output == "Error: 'omega' names no pattern (give a slug, id, title or alias)\n"
    bad_relation = CliRunner().invoke(cli, ["path", str(fixture_root), "gamma", "delta", "-r", "enabless"])
    assert bad_relation.exit_code == 2
    assert "unknown relation 'enabless'" in bad_relation.output
    too_many = CliRunner().invoke(cli, ["path", "a", "b", "c", "d"])
    assert too_many.exit_code == 2


def test_path_between_a_pattern_and_itself_is_an_error(fixture_root):
    result = CliRunner().invoke(cli, ["path", str(fixture_root), "gamma", "Gamma"])
    assert (result.exit_code, result.output) == (1, "Error: 'gamma' and 'Gamma' name the same pattern\n")


def test_query_without_source_runs_on_the_sample():
    result = run("query", "SELECT (COUNT(?p) AS ?n) WHERE { ?p a gk:Pattern }", "-f", "csv")
    assert (result.exit_code, result.output.splitlines()) == (0, ["n", "37"])


@pytest.mark.parametrize(
    "H",
    [
        nx.Graph(relation_view(graphkit.load_library().graph)),
        nx.gnp_random_graph(80, 0.05, seed=3, directed=True),
        nx.MultiGraph([("a", "b"), ("a", "b"), ("b", "c"), ("c", "c"), ("c", "d"), ("e", "f")]),
        nx.Graph([("a", "b")]),
    ],
    ids=["sample-curated", "random-directed", "parallel-edges-and-loops", "two-nodes"],
)
def test_betweenness_is_networkx_s_exact_betweenness(H):
    ours = betweenness_centrality(H)
    theirs = nx.betweenness_centrality(H)
    assert list(ours) == list(H)
    assert ours == pytest.approx(theirs, abs=1e-12)
