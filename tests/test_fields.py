"""A library in a third layout (tests/data/hubs): relations declared anywhere, external nodes,
the survey of fields, and severity per problem kind."""

from __future__ import annotations

import json
import shutil
import textwrap
from pathlib import Path

import pyoxigraph as ox
import pytest
import rdflib
from click.testing import CliRunner

import graphkit
from graphkit.cli import cli
from graphkit.explore import pattern_rows
from graphkit.load import parse_config, parse_pattern
from graphkit.load.survey import survey_fields, to_config_toml
from graphkit.rdf import to_turtle
from graphkit.rdf.terms import GK
from graphkit.shapes import validate_shapes
from graphkit.view import to_html
from graphkit.view.page import network_data, pack_nodes, unpack_nodes

from .test_view import parse_page

HUBS = Path(__file__).parent / "data" / "hubs"
BASE = "https://w3id.org/graphkit/library/"

#: What `graphkit fields tests/data/hubs --toml` prints.
SUGGESTED = """\
# graphkit configuration: save as graphkit.toml in the library folder

# "gravitational_hubs": 9 references in 7 files, 5 of them to patterns; the other 4 become external nodes
[relations.gravitational_hubs]
field = "gravitational_hubs"
target = ["hub_id"]
weight = "influence"
unresolved = "external"

# "relationships.emerges_from": 2 references in 2 files, 2 of them to patterns
[relations.emerges_from]
field = "relationships.emerges_from"
target = ["slug", "typeid"]

# "tools": 5 references in 4 files, 2 of them to patterns; the other 3 become external nodes
[relations.tools]
target = ["slug", "id", "typeid", "target", "name"]
unresolved = "external"
"""

MISMATCH = (
    "release-train.md: warning: requires names 'nowhere' and 'pat_01kkhajgmp6anv0rnczz48xja2' in one entry, "
    "which are not the same pattern; 'pat_01kkhajgmp6anv0rnczz48xja2' is used [reference-mismatch]"
)


def run(*args: str):
    return CliRunner().invoke(cli, ["--no-cache", *args], catch_exceptions=False)


@pytest.fixture
def hubs(tmp_path):
    """A copy of the fixture library, to add a configuration to."""
    root = tmp_path / "hubs"
    shutil.copytree(HUBS, root)
    return root


@pytest.fixture
def configured(hubs):
    """The library with the configuration `graphkit fields --toml` suggests, saved as graphkit.toml."""
    result = run("fields", str(hubs), "--toml")
    assert result.exit_code == 0
    (hubs / "graphkit.toml").write_text(result.output, encoding="utf-8")
    return hubs


# ----------------------------------------------------------------- without configuration


def test_without_configuration_each_undeclared_reference_field_is_one_warning():
    lib = graphkit.load_library(HUBS)
    tool = "use a slug, an id, or a mapping with one of slug, id, typeid, target [bad-reference]"
    assert [str(p) for p in lib.problems] == [
        f"commons-governance.md: warning: tools has an entry that names no pattern ({{'name': 'Git', 'role': 'version control'}}); {tool}",
        "commons-governance.md: warning: gravitational_hubs holds references in 6 files, which no relation reads; "
        "declare it in graphkit.toml as [relations.gravitational_hubs] (graphkit fields --toml prints the table) "
        "[undeclared-field]",
        "feedback-loops.md: warning: relationships.emerges_from is not a known relation (2 files); declare it in "
        "graphkit.toml as [relations.emerges_from] to make it edges (graphkit fields --toml prints the table) "
        "[unknown-relation]",
        f"github-cli.md: warning: tools has an entry that names no pattern ({{'name': 'Git', 'role': 'version control'}}); {tool}",
        f"release-train.md: warning: tools has an entry that names no pattern ({{'name': 'Jenkins'}}); {tool}",
        MISMATCH,
    ]  # fmt: skip
    # manifests_as is an empty list in every file: nothing is lost, nothing is said
    assert not any("manifests_as" in p.message for p in lib.problems)
    assert sorted(lib.graph.edges(keys=True)) == [
        ("commons-governance", "github-cli", "tools"),
        ("commons-governance", "the-system-is-the-self", "requires"),  # typeid and slug agree
        ("release-train", "feedback-loops", "requires"),  # the id that resolves, not the slug that does not
        ("release-train", "github-cli", "tools"),
        ("stewardship", "commons-governance", "requires"),
    ]
    assert run("check", str(HUBS)).exit_code == 0


def test_a_number_where_text_is_expected_keeps_the_text_written():
    lib = graphkit.load_library(HUBS)
    assert lib.graph.nodes["release-train"]["title"] == "1.10"
    assert lib.graph.nodes["release-train"]["lifecycle"] == {"version": "1.10"}
    p, problems = parse_pattern(b"---\nslug: 2026\ntitle: 1e3\nid: 12\nversion: 010\nn: 1.10\n---\n", "x.md")
    assert (p.slug, p.title, p.id, dict(p.lifecycle), problems) == ("2026", "1e3", "12", {"version": "010"}, [])
    assert p.frontmatter["n"] == 1.1  # a number elsewhere stays a number


def test_an_undeclared_list_of_words_warns_only_when_one_names_a_pattern(tmp_path):
    (tmp_path / "a.md").write_text("---\nslug: a\ntitle: A\ntags: [b, governance]\ncontributors: [alice]\n---\n")
    (tmp_path / "b.md").write_text("---\nslug: b\ntitle: B\ntags: [governance]\n---\n")
    lib = graphkit.load_library(tmp_path)
    assert [(p.path, p.kind, p.message.split(";")[0]) for p in lib.problems] == [
        ("a.md", "undeclared-field", "tags holds references in 1 file, which no relation reads")
    ]


def test_the_hint_names_the_configuration_file_the_library_uses(hubs):
    (hubs / "pyproject.toml").write_text('[tool.graphkit]\npage_url = "https://example.org/{slug}/"\n')
    messages = [p.message for p in graphkit.load_library(hubs).problems if p.kind == "unknown-relation"]
    assert messages == [
        "relationships.emerges_from is not a known relation (2 files); declare it in pyproject.toml as "
        "[tool.graphkit.relations.emerges_from] to make it edges (graphkit fields --toml prints the table)"
    ]


# ----------------------------------------------------------------- the survey


def test_fields_surveys_every_key_path():
    result = run("fields", str(HUBS), "-f", "json")
    assert result.exit_code == 0
    survey = json.loads(result.output)
    assert (survey["files"], survey["patterns"], survey["source"]) == (8, 8, None)
    fields = {f["path"]: f for f in survey["fields"]}
    assert sorted(fields) == [
        "gravitational_hubs", "id", "relationships", "relationships.emerges_from", "relationships.manifests_as",
        "relationships.requires", "slug", "title", "tools", "version",
    ]  # fmt: skip
    assert fields["gravitational_hubs"] == {
        "path": "gravitational_hubs",
        "files": 7,
        "shapes": {"empty list": 1, "list of mapping": 6},
        "references": {
            "values": 9,
            "resolved": 5,
            "target": ["hub_id"],
            "weight": "influence",
            "read_by": None,
            "by_shape": True,
            "named_only_by_name": 0,
            "unresolved_named_by_name": 0,
        },
    }
    assert fields["relationships.manifests_as"] == {
        "path": "relationships.manifests_as",
        "files": 8,
        "shapes": {"empty list": 8},
    }
    assert fields["tools"]["references"]["read_by"] == "tools"
    assert fields["title"]["shapes"] == {"text": 8}  # 1.10 is text
    text = run("fields", str(HUBS)).output.splitlines()
    assert text[0] == "8 files, 8 patterns"
    assert (
        "     7        5 of 9        gravitational_hubs: empty list 1, list of mapping 6 (read by no relation)" in text
    )


def test_fields_toml_suggests_the_relation_tables():
    result = run("fields", str(HUBS), "--toml")
    assert result.exit_code == 0
    assert result.output == SUGGESTED
    assert to_config_toml(survey_fields(HUBS)) == SUGGESTED


def test_fields_toml_on_a_library_with_nothing_to_declare():
    assert run("fields", "--toml").output == "# graphkit configuration: save as graphkit.toml in the library folder\n"


# ----------------------------------------------------------------- with the suggested configuration


def test_with_the_suggested_configuration_every_reference_is_an_edge(configured):
    lib = graphkit.load_library(configured)
    assert [str(p) for p in lib.problems] == [MISMATCH]
    edges = sorted((u, v, k, d.get("weight")) for u, v, k, d in lib.graph.edges(keys=True, data=True))
    assert edges == [
        ("commons-governance", "Git", "tools", None),
        ("commons-governance", "github-cli", "tools", None),
        ("commons-governance", "planetary-boundaries", "gravitational_hubs", 0.4),
        ("commons-governance", "the-system-is-the-self", "gravitational_hubs", 0.85),
        ("commons-governance", "the-system-is-the-self", "requires", None),
        ("feedback-loops", "commons-governance", "emerges_from", None),
        ("feedback-loops", "commons-governance", "gravitational_hubs", 0.3),  # hub_id was a TypeID
        ("feedback-loops", "the-system-is-the-self", "gravitational_hubs", 0.7),
        ("github-cli", "Git", "tools", None),
        ("release-train", "Jenkins", "tools", None),
        ("release-train", "cadence-hub", "gravitational_hubs", 0.5),
        ("release-train", "feedback-loops", "requires", None),
        ("release-train", "github-cli", "tools", None),
        ("shared-memory", "feedback-loops", "emerges_from", None),
        ("shared-memory", "feedback-loops", "gravitational_hubs", 0.9),
        ("stewardship", "commons-governance", "gravitational_hubs", 0.55),
        ("stewardship", "commons-governance", "requires", None),
        ("stewardship", "planetary-boundaries", "gravitational_hubs", 0.75),
        ("the-system-is-the-self", "planetary-boundaries", "gravitational_hubs", 0.6),
    ]
    externals = sorted(n for n, kind in lib.graph.nodes(data="kind") if kind == "external")
    assert externals == ["Git", "Jenkins", "cadence-hub", "planetary-boundaries"]
    assert lib.graph.nodes["Git"]["title"] == "Git" and lib.graph.nodes["Git"]["path"] is None
    assert len(lib.patterns) == 8
    assert [row["slug"] for row in pattern_rows(lib.graph)] == sorted(p.slug for p in lib.patterns)
    # nothing is left unseen: the survey has nothing more to declare
    assert run("fields", str(configured), "--toml").output == (
        "# add to graphkit.toml (relations it already declares are left out)\n"
    )


def test_check_passes_where_only_external_references_remain(configured):
    result = run("check", str(configured))
    assert result.exit_code == 0
    assert result.output.splitlines() == [MISMATCH, "8 files, 8 patterns (4 external nodes): 0 errors, 1 warnings"]
    report = json.loads(run("check", str(configured), "-f", "json").output)
    assert (report["patterns"], report["external_nodes"], report["errors"]) == (8, 4, 0)


def test_stats_count_external_nodes_apart(configured):
    stats = json.loads(run("stats", str(configured), "-f", "json").output)
    assert (stats["patterns"], stats["external_nodes"], stats["external_edges"], stats["edges"]) == (8, 4, 7, 19)
    assert stats["edges_by_relation"] == {"requires": 3, "tools": 5, "emerges_from": 2, "gravitational_hubs": 9}
    assert (stats["components"], stats["largest_component"], stats["isolated_patterns"]) == (2, 7, 1)
    assert all(hub["slug"] not in ("Git", "planetary-boundaries") for hub in stats["most_connected"])
    assert "external nodes      4 (7 edges lead to them)" in run("stats", str(configured)).output.splitlines()


def test_external_nodes_have_their_own_class_in_rdf(configured):
    G = graphkit.load_library(configured).graph
    text = to_turtle(G)
    g = rdflib.Graph().parse(data=text, format="turtle")
    assert len({q.triple for q in ox.parse(text.encode(), format=ox.RdfFormat.TURTLE)}) == len(
        g
    )  # a strict parser agrees
    hub = rdflib.URIRef(BASE + "external/planetary-boundaries")
    git = rdflib.URIRef(BASE + "external/Git")
    assert set(g.subjects(rdflib.RDF.type, GK.ExternalNode)) == {
        hub,
        git,
        rdflib.URIRef(BASE + "external/Jenkins"),
        rdflib.URIRef(BASE + "external/cadence-hub"),
    }
    assert (hub, rdflib.RDF.type, GK.Pattern) not in g
    assert g.value(hub, rdflib.RDFS.label) == rdflib.Literal("planetary-boundaries")
    # a link to an external node is its gk:Link, with its weight; no direct triple names it
    assert {p for _, p in g.subject_predicates(hub)} == {GK.target}
    links = list(g.subjects(GK.target, hub))
    assert len(links) == 3
    weights = sorted(float(g.value(link, GK.weight)) for link in links)
    assert weights == [0.4, 0.6, 0.75]
    pattern = rdflib.URIRef(BASE + "pattern/commons-governance")
    assert (pattern, GK.tools, rdflib.URIRef(BASE + "pattern/github-cli")) in g
    assert not [o for o in g.objects(pattern, GK.tools) if str(o).startswith(BASE + "external/")]
    assert validate_shapes(G) == []


def test_external_nodes_have_their_own_style_on_the_map(configured):
    G = graphkit.load_library(configured).graph
    nodes, edges, meta = network_data(G)
    external = [n["id"] for n in nodes if n.get("ext")]
    assert external == ["Git", "Jenkins", "cadence-hub", "planetary-boundaries"]
    legend = {item.get("label") or item["value"]: item for item in meta["legend"]}
    assert legend["external"]["count"] == 4
    assert legend["none"]["count"] == 8  # the patterns, which have no domain
    index = meta["legend"].index(legend["external"])
    assert {n["c"] for n in nodes if n.get("ext")} == {index}
    assert unpack_nodes(pack_nodes(nodes)) == nodes
    assert pack_nodes(nodes)["ext"] == [0, 1, 2, 6]  # nodes in str order: capitals first
    data, _ = parse_page(to_html(G))  # what the page carries
    assert [n["id"] for n in data["gk-nodes"] if n.get("ext")] == external


# ----------------------------------------------------------------- declaring relations by hand


def write_config(root: Path, text: str) -> None:
    (root / "graphkit.toml").write_text(textwrap.dedent(text), encoding="utf-8")


HUBS_TABLE = """\
[relations.gravitational_hubs]
field = "gravitational_hubs"
target = ["hub_id", "slug", "id"]
weight = "influence"
skos = "related"
"""


@pytest.mark.parametrize(
    "unresolved, code, kinds",
    [
        ("", 1, {"dangling-reference": ("error", 4)}),
        ('unresolved = "error"', 1, {"dangling-reference": ("error", 4)}),
        ('unresolved = "warning"', 0, {"dangling-reference": ("warning", 4)}),
        ('unresolved = "external"', 0, {}),
    ],
    ids=["default", "error", "warning", "external"],
)
def test_unresolved_says_what_a_target_outside_the_library_is(hubs, unresolved, code, kinds):
    write_config(hubs, HUBS_TABLE + unresolved + "\n")
    lib = graphkit.load_library(hubs)
    found: dict[str, tuple[str, int]] = {}
    for p in lib.problems:
        if p.relation == "gravitational_hubs":
            severity, n = found.get(p.kind, (p.severity, 0))
            found[p.kind] = (severity, n + 1)
    assert found == kinds
    assert run("check", str(hubs)).exit_code == code
    assert sum(1 for _, _, k in lib.graph.edges(keys=True) if k == "gravitational_hubs") == (9 if not kinds else 5)


def test_keep_copies_keys_onto_the_edge(hubs):
    write_config(hubs, HUBS_TABLE + 'unresolved = "external"\nkeep = ["force", "principle"]\n')
    G = graphkit.load_library(hubs).graph
    data = G.edges["commons-governance", "the-system-is-the-self", "gravitational_hubs"]
    assert data == {
        "relation": "gravitational_hubs",
        "inferred": False,
        "weight": 0.85,
        "force": "attraction",
        "principle": "The system is the self",
    }
    assert G.edges["feedback-loops", "the-system-is-the-self", "gravitational_hubs"] == {
        "relation": "gravitational_hubs",
        "inferred": False,
        "weight": 0.7,
    }


def test_a_mapping_whose_slug_and_id_disagree_uses_the_one_that_resolves():
    a = b"---\nslug: a\ntitle: A\nrequires:\n  - {slug: nowhere, id: pat_b}\n  - {slug: b, id: pat_c}\n---\n"
    p, problems = parse_pattern(a, "a.md")
    b, _ = parse_pattern(b"---\nslug: b\nid: pat_b\ntitle: B\n---\n", "b.md")
    c, _ = parse_pattern(b"---\nslug: c\nid: pat_c\ntitle: C\n---\n", "c.md")
    edges, problems = graphkit.link_patterns([p, b, c])
    assert sorted((e.source, e.relation, e.target) for e in edges) == [("a", "requires", "b")]
    assert [str(q) for q in problems] == [
        "a.md: warning: requires names 'nowhere' and 'pat_b' in one entry, which are not the same pattern; "
        "'pat_b' is used [reference-mismatch]",
        "a.md: warning: requires names 'b' and 'pat_c' in one entry, which are not the same pattern; "
        "'b' is used [reference-mismatch]",
    ]


def test_a_repeated_message_names_its_target():
    p = graphkit.Problem("a.md", "self-reference", "warning", "related names the pattern itself", target="pat_a")
    assert str(p) == "a.md: warning: related names the pattern itself (target 'pat_a') [self-reference]"


# ----------------------------------------------------------------- severity per problem kind


def test_the_severity_table_sets_the_exit_code(hubs):
    write_config(hubs, '[severity]\nundeclared-field = "error"\nreference-mismatch = "off"\n')
    result = run("check", str(hubs))
    assert result.exit_code == 1
    lines = result.output.splitlines()
    assert not any("reference-mismatch" in line for line in lines[:-1])
    assert lines[1].startswith("commons-governance.md: error: gravitational_hubs holds references in 6 files")
    assert lines[-1] == (
        "8 files, 8 patterns: 1 errors, 4 warnings (severity: reference-mismatch off, undeclared-field error)"
    )
    report = json.loads(run("check", str(hubs), "-f", "json").output)
    assert report["severity"] == {"reference-mismatch": "off", "undeclared-field": "error"}
    assert (report["errors"], report["warnings"]) == (1, 4)
    write_config(hubs, '[severity]\nundeclared-field = "off"\nbad-reference = "off"\nunknown-relation = "off"\n')
    result = run("check", str(hubs), "--strict")
    assert result.exit_code == 1  # the mismatch is still a warning
    write_config(hubs, '[severity]\nundeclared-field = "off"\nbad-reference = "off"\nunknown-relation = "off"\n'
                       'reference-mismatch = "off"\n')  # fmt: skip
    assert run("check", str(hubs), "--strict").exit_code == 0


def test_the_severity_table_shows_in_problems_json(hubs, tmp_path):
    write_config(hubs, '[severity]\ndangling-reference = "warning"\n')
    site = tmp_path / "site"
    assert run("build", str(hubs), "-o", str(site)).exit_code == 0
    assert json.loads((site / "problems.json").read_text())["severity"] == {"dangling-reference": "warning"}


@pytest.mark.parametrize(
    "table, message",
    [
        ('[severity]\ndangling = "off"', "graphkit.toml: severity: unknown problem kind 'dangling' (known: ambiguous-reference, "),
        ('[severity]\ndangling-reference = "fatal"', "graphkit.toml: severity.dangling-reference must be off, warning or error, not 'fatal'"),
        ("severity = 3", "graphkit.toml: severity must be a table of problem kinds"),
        ('[relations.hubs]\nunresolved = "ignore"', "graphkit.toml: relations.hubs.unresolved must be error, warning or external, not 'ignore'"),
        ("[relations.hubs]\ntarget = []", "graphkit.toml: relations.hubs.target must be a key or a list of keys"),
        ("[relations.hubs]\nfield = 'a..b'", "graphkit.toml: relations.hubs.field must be a key or a dotted path"),
        ("[relations.hubs]\nweight = 1", "graphkit.toml: relations.hubs.weight must be a key"),
        ("[relations.hubs]\nkeep = ['weight']", "graphkit.toml: relations.hubs.keep names 'weight', which every edge has already"),
        ("[relations.tools]\nlabel = 'uses'", "graphkit.toml: relations.tools: tools is a built-in relation"),
    ],
    ids=["unknown-kind", "unknown-value", "not-a-table", "unresolved", "target", "field", "weight", "keep", "built-in"],
)  # fmt: skip
def test_a_bad_setting_is_one_clear_problem_and_check_still_runs(hubs, table, message):
    write_config(hubs, table + "\n")
    result = run("check", str(hubs))
    assert result.exit_code == 1
    bad = [line for line in result.stdout.splitlines() if line.endswith("[bad-config]")]
    assert len(bad) == 1 and bad[0].startswith(message.replace("graphkit.toml: ", "graphkit.toml: error: ", 1))
    assert result.stdout.splitlines()[-1].startswith("8 files, 8 patterns")
    survey = run("fields", str(hubs))
    assert survey.exit_code == 0 and survey.stderr == bad[0] + "\n"


def test_a_built_in_relation_takes_the_reading_keys_only():
    config = parse_config({"relations": {"tools": {"target": ["slug", "name"], "unresolved": "external"}}})
    tools = config.vocabulary["tools"]
    assert (tools.label, tools.inverse, tools.target, tools.unresolved) == (
        "uses tool",
        "tool_for",
        ("slug", "name"),
        "external",
    )
    assert list(config.vocabulary) == list(graphkit.DEFAULT_VOCABULARY)  # no tool_for of the library's own
