"""The relation vocabulary is defined once, in the model: a relation added in one place (a
library's configuration, or a vocabulary made in code) shows in the RDF export, on the map and
in the checks. ``test_ontology`` holds the shipped ontology to the built-in vocabulary.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
import rdflib
from click.testing import CliRunner
from rdflib.namespace import OWL, RDF, RDFS, SKOS

from graphkit import DEFAULT_VOCABULARY, Link, Pattern, RelationType, build_graph, link_patterns, load_library
from graphkit.cli import cli
from graphkit.rdf import DEFAULT_BASE_IRI, GK, mint_iri, to_turtle
from graphkit.view import to_html


def pattern(slug: str) -> rdflib.URIRef:
    return rdflib.URIRef(mint_iri(DEFAULT_BASE_IRI, "pattern", slug))


def own_relation(name: str) -> rdflib.URIRef:
    return rdflib.URIRef(mint_iri(DEFAULT_BASE_IRI, "relation", name))


def map_relations(page: str) -> dict[str, dict]:
    """The relations as the map page carries them (for its legend, its lines and its panel), by name."""
    meta = re.search(r'<script type="application/json" id="gk-meta">(.*?)</script>', page, re.S)
    return {r["name"]: r for r in json.loads(meta.group(1))["relations"]}


def drawn(relation: dict) -> dict:
    keys = ("label", "inverse", "inverse_label", "directed", "color", "dashes", "count")
    return {k: relation[k] for k in keys}


def test_the_built_in_relations_read_the_same_in_the_export_and_on_the_map():
    a, b = pattern("a"), pattern("b")
    G = build_graph([Pattern("a", "A", links=(Link("enables", "b"), Link("tools", "b"))), Pattern("b", "B")])
    g = rdflib.Graph().parse(data=to_turtle(G), format="turtle")
    assert {p for p in g.predicates(b, a)} == {GK.enabled_by, GK.tool_for}
    relations = map_relations(to_html(G))
    for rt in DEFAULT_VOCABULARY.values():
        assert relations[rt.name]["label"] == rt.label
        assert relations[rt.name]["color"] == rt.color and relations[rt.name]["dashes"] == (list(rt.dashes) or None)
    assert relations["enables"]["inverse_label"] == "enabled by" and relations["enables"]["inverse"] is None
    assert relations["generalizes_from"]["inverse_label"] == "specializes to"
    assert relations["generalizes_from"]["inverse"] == "specializes_to"
    assert not link_patterns([Pattern("a", "A", links=(Link("enables", "b"),)), Pattern("b", "B")])[1]


def write_library_declaring_implements(root: Path) -> Path:
    """A library whose configuration adds one relation and names its inverse; a implements b."""
    (root / "graphkit.toml").write_text(
        '[relations.implements]\ninverse = "implemented_by"\nskos = "narrower"\ncolor = "#123abc"\ndashes = [8, 4]\n',
        encoding="utf-8",
    )
    (root / "a.md").write_text("---\nslug: a\ntitle: A\nimplements: [b]\n---\n", encoding="utf-8")
    (root / "b.md").write_text("---\nslug: b\ntitle: B\n---\n", encoding="utf-8")
    return root


def test_a_relation_declared_in_the_configuration_shows_in_rdf_the_map_and_the_checks(tmp_path):
    G = load_library(write_library_declaring_implements(tmp_path)).graph

    # RDF: both properties declared as inverses, under mirrored SKOS properties; both directions stated
    g = rdflib.Graph().parse(data=to_turtle(G), format="turtle")
    implements, implemented_by = own_relation("implements"), own_relation("implemented_by")
    assert (pattern("a"), implements, pattern("b")) in g and (pattern("b"), implemented_by, pattern("a")) in g
    assert set(g.objects(implements, OWL.inverseOf)) == {implemented_by}
    assert set(g.objects(implemented_by, OWL.inverseOf)) == {implements}
    assert set(g.objects(implements, RDFS.subPropertyOf)) == {SKOS.narrower}
    assert set(g.objects(implemented_by, RDFS.subPropertyOf)) == {SKOS.broader}
    assert set(g.objects(implemented_by, RDFS.label)) == {rdflib.Literal("implemented by")}
    assert (implemented_by, RDF.type, OWL.SymmetricProperty) not in g

    # the map: its colour and dashes, its label both ways, in the legend (it has a link)
    relations = map_relations(to_html(G))
    assert drawn(relations["implements"]) == {
        "label": "implements",
        "inverse": "implemented_by",
        "inverse_label": "implemented by",
        "directed": True,
        "color": "#123abc",
        "dashes": [8, 4],
        "count": 1,
    }

    # the checks: b's file can write implemented_by, and does not
    result = CliRunner().invoke(cli, ["--no-cache", "check", str(tmp_path)], catch_exceptions=False)
    assert result.output.splitlines()[0] == (
        "a.md: warning: 'a' implements 'b', but 'b' does not list 'a' under implemented_by [one-sided-inverse]"
    )


INSPIRES = RelationType(
    "inspires", "inspires", inverse="inspired_by", inverse_label="inspired by", color="#123abc", dashes=()
)
INSPIRED_BY = RelationType("inspired_by", "inspired by", inverse="inspires", color="#abc123", dashes=(3, 3))


@pytest.mark.parametrize("written", [False, True], ids=["inverse-stated-by-the-export", "inverse-written-too"])
def test_a_relation_added_to_a_vocabulary_in_code_shows_in_rdf_the_map_and_the_checks(written):
    vocabulary = DEFAULT_VOCABULARY.extend([INSPIRES, INSPIRED_BY] if written else [INSPIRES])
    patterns = [Pattern("a", "A", links=(Link("inspires", "b"),)), Pattern("b", "B")]
    G = build_graph(patterns, vocabulary)

    g = rdflib.Graph().parse(data=to_turtle(G), format="turtle")
    inspires, inspired_by = own_relation("inspires"), own_relation("inspired_by")
    assert (pattern("a"), inspires, pattern("b")) in g and (pattern("b"), inspired_by, pattern("a")) in g
    assert set(g.objects(inspires, OWL.inverseOf)) == {inspired_by}
    assert set(g.objects(inspired_by, OWL.inverseOf)) == {inspires}
    assert set(g.objects(inspired_by, RDFS.label)) == {rdflib.Literal("inspired by")}

    # the map: inspired_by is a relation of the map only when the files can write it
    relations = map_relations(to_html(G))
    assert drawn(relations["inspires"]) == {
        "label": "inspires",
        "inverse": "inspired_by" if written else None,
        "inverse_label": "inspired by",
        "directed": True,
        "color": "#123abc",
        "dashes": None,  # a solid line
        "count": 1,
    }
    assert ("inspired_by" in relations) is written

    # the checks: an inverse the files write can be missing; one only the export states cannot
    _, problems = link_patterns(patterns, vocabulary)
    assert [(p.kind, p.slug, p.relation, p.target) for p in problems] == (
        [("one-sided-inverse", "a", "inspires", "b")] if written else []
    )


@pytest.mark.browser
@pytest.mark.parametrize("renderer", ["sigma", "vis"])
def test_the_map_shows_a_declared_relation_in_its_legend_and_panel(browser, tmp_path, renderer):
    G = load_library(write_library_declaring_implements(tmp_path)).graph
    page_file = tmp_path / "map.html"
    page_file.write_text(to_html(G, renderer=renderer), encoding="utf-8")
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    try:
        page = context.new_page()
        page.goto(page_file.as_uri() + "#p=b&d=1")
        page.wait_for_selector("body[data-drawn='1']", timeout=30_000)
        legend = page.locator("#gk-relations label", has_text="implements")
        assert legend.locator(".gk-name").text_content() == "implements"
        assert legend.locator("line").get_attribute("stroke") == "#123abc"
        assert page.text_content("#gk-d-title") == "B"
        assert page.locator("#gk-d-relations h3").all_text_contents() == ["implemented by (1)"]
    finally:
        context.close()
