"""The shipped ontology and shapes: they parse, they declare every term the export uses, they render."""

from __future__ import annotations

import re
import sys
from pathlib import Path

import pyoxigraph as ox
import pytest
import rdflib
from rdflib.compare import isomorphic
from rdflib.namespace import DCTERMS, OWL, RDF, RDFS, SKOS

from graphkit import load_library
from graphkit.model import DEFAULT_VOCABULARY
from graphkit.rdf import (
    DEFAULT_BASE_IRI,
    GK,
    ONTOLOGY_IRI,
    mint_iri,
    ontology_file,
    to_rdf,
    to_triples,
)
from graphkit.shapes import validate_shapes

REPO = Path(__file__).resolve().parents[1]
HOSTILE = REPO / "tests" / "data" / "hostile"
CORPUS = REPO.parent / "shared" / "corpus" / "commons-os-patterns-2026-02-17" / "_patterns"
VANN = rdflib.Namespace("http://purl.org/vocab/vann/")
BUILT_IN = (
    "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
    "http://www.w3.org/2000/01/rdf-schema#",
    "http://www.w3.org/2002/07/owl#",
    "http://www.w3.org/2001/XMLSchema#",
)


@pytest.fixture(scope="module")
def onto():
    return rdflib.Graph().parse(REPO / "ontology" / "graphkit.ttl", format="turtle")


def own_terms(g):
    return {s for s in g.subjects() if isinstance(s, rdflib.URIRef) and s.startswith(str(GK._NS))}


def test_the_ontology_parses_in_rdflib_and_pyoxigraph_alike(onto):
    strict = rdflib.Graph().parse(data=ox.serialize(ox.parse(path=str(REPO / "ontology/graphkit.ttl")),
                                                    format=ox.RdfFormat.N_TRIPLES).decode(), format="nt")  # fmt: skip
    assert isomorphic(onto, strict) and len(onto) > 300


def test_the_packaged_ontology_is_the_repository_file():
    assert ontology_file().read_bytes() == (REPO / "ontology" / "graphkit.ttl").read_bytes()
    assert 'force-include]\n"ontology" = "graphkit/ontology"' in (REPO / "pyproject.toml").read_text()


def test_the_header(onto):
    o = rdflib.URIRef(ONTOLOGY_IRI)
    assert (o, RDF.type, OWL.Ontology) in onto
    assert onto.value(o, OWL.versionIRI) == rdflib.URIRef(ONTOLOGY_IRI + "/0.1.0")
    assert str(onto.value(o, DCTERMS.title)) == "graphkit ontology"
    assert onto.value(o, DCTERMS.license) == rdflib.URIRef("https://spdx.org/licenses/MIT")
    assert str(onto.value(o, VANN.preferredNamespacePrefix)) == "gk"
    assert str(onto.value(o, VANN.preferredNamespaceUri)) == str(GK._NS)


def test_every_own_term_has_label_comment_and_is_defined_by(onto):
    for term in own_terms(onto):
        assert onto.value(term, RDFS.label), term
        assert onto.value(term, RDFS.comment), term
        assert onto.value(term, RDFS.isDefinedBy) == rdflib.URIRef(ONTOLOGY_IRI), term


def test_the_closed_namespace_is_the_ontology(onto):
    assert {str(t) for t in own_terms(onto)} == {str(GK[name]) for name in GK.__annotations__}
    with pytest.raises(AttributeError):
        GK.generalises_from  # noqa: B018 - a typo raises instead of minting an IRI


def relation_declaration(g, prop):
    """What a graph says about one relation property, in terms a vocabulary entry can be compared with."""
    return {
        "types": set(g.objects(prop, RDF.type)),
        "inverse": set(g.objects(prop, OWL.inverseOf)),
        "super": set(g.objects(prop, RDFS.subPropertyOf)),
        "label": set(g.objects(prop, RDFS.label)),
        "domain": set(g.objects(prop, RDFS.domain)),
        "range": set(g.objects(prop, RDFS.range)),
    }


def test_the_ontology_declares_exactly_the_model_vocabulary(onto):
    # every built-in relation and each inverse it names, as the model defines them
    expected = {
        GK[rt.name]: {
            "types": {OWL.ObjectProperty} | ({OWL.SymmetricProperty} if rt.symmetric else set()),
            "inverse": {GK[rt.inverse]} if rt.inverse else set(),
            "super": {SKOS[rt.skos]},
            "label": {rdflib.Literal(rt.label, lang="en")},
            "domain": {GK.Pattern},
            "range": {GK.Pattern},
        }
        for rt in DEFAULT_VOCABULARY.with_inverses()
    }
    relations = set(onto.subjects(RDFS.domain, GK.Pattern)) & set(onto.subjects(RDFS.range, GK.Pattern))
    assert {p: relation_declaration(onto, p) for p in relations} == expected
    # the relations the files write carry the model's comment; the inverses only the export states, their own
    for rt in DEFAULT_VOCABULARY.values():
        assert set(onto.objects(GK[rt.name], RDFS.comment)) == {rdflib.Literal(rt.comment, lang="en")}, rt.name
    assert [rt.name for rt in DEFAULT_VOCABULARY.with_inverses()[len(DEFAULT_VOCABULARY) :]] == [
        "enabled_by",
        "required_by",
        "tool_for",
    ]


def test_the_shapes_check_the_targets_of_exactly_the_model_relations():
    shapes = rdflib.Graph().parse(REPO / "ontology" / "shapes.ttl", format="turtle")
    sh = rdflib.Namespace("http://www.w3.org/ns/shacl#")
    shape = rdflib.URIRef("https://w3id.org/graphkit/shapes#RelationShape")
    paths = {shapes.value(p, sh.path) for p in shapes.objects(shape, sh.property)}
    assert paths == {GK[rt.name] for rt in DEFAULT_VOCABULARY.with_inverses()}


def test_the_hierarchy_follows_adr_0005(onto):
    assert (GK.generalizes_from, RDFS.subPropertyOf, SKOS.narrower) in onto
    assert (GK.specializes_to, RDFS.subPropertyOf, SKOS.broader) in onto
    for rel in ("enables", "enabled_by", "requires", "required_by", "related", "alternatives", "complementary",
                "tools", "tool_for"):  # fmt: skip
        assert (GK[rel], RDFS.subPropertyOf, SKOS.related) in onto
    assert "A is a more general form of B" in str(onto.value(GK.generalizes_from, RDFS.comment))
    assert "A is a specialization of B" in str(onto.value(GK.specializes_to, RDFS.comment))
    assert (GK.Pattern, RDFS.subClassOf, SKOS.Concept) in onto


@pytest.mark.parametrize("root", [None, HOSTILE], ids=["sample", "hostile"])
def test_every_property_and_class_the_export_uses_is_declared(onto, root):
    declared = {s for s, o in onto.subject_objects(RDF.type)}
    used = set()
    for t in to_triples(load_library(root).graph):
        used.add(rdflib.URIRef(t.predicate.value))
        if t.predicate.value == str(RDF.type):
            used.add(rdflib.URIRef(t.object.value))
    missing = {u for u in used if u not in declared and not str(u).startswith(BUILT_IN)}
    assert not missing
    assert GK.CuratedLink in used and GK.score in used and SKOS.prefLabel in used


def test_the_shapes_parse_and_target_ontology_classes(onto):
    shapes = rdflib.Graph().parse(REPO / "ontology" / "shapes.ttl", format="turtle")
    list(ox.parse(path=str(REPO / "ontology" / "shapes.ttl")))
    sh = rdflib.Namespace("http://www.w3.org/ns/shacl#")
    targets = set(shapes.objects(None, sh.targetClass))
    assert targets and targets <= own_terms(onto)
    for path in shapes.objects(None, sh.path):
        if isinstance(path, rdflib.URIRef) and path.startswith(str(GK._NS)):
            assert path in own_terms(onto), path


@pytest.mark.parametrize("root", [None, HOSTILE], ids=["sample", "hostile"])
def test_shacl_passes_on_the_sample_and_the_hostile_library(root):
    assert validate_shapes(load_library(root).graph) == []


def test_shacl_reports_each_broken_shape_on_its_file(tmp_path):
    (tmp_path / "a.md").write_text(
        "---\nslug: a\ntitle: A\nid: pat_OK\nclassification: {commons_alignment: 7}\n"
        "relationships:\n  enables: [{slug: b, weight: 1.5}]\n---\n",
        encoding="utf-8",
    )
    (tmp_path / "b.md").write_text("---\nslug: b\ntitle: B\n---\n", encoding="utf-8")
    problems = validate_shapes(load_library(tmp_path).graph)
    assert [(p.path, p.kind, p.severity, p.message.split(":")[0]) for p in problems] == [
        ("a.md", "shacl", "error", "id"),
        ("a.md", "shacl", "error", "score"),
        ("a.md", "shacl", "error", "weight"),
    ]


def test_the_rendered_html_documentation_is_current():
    pytest.importorskip("pylode")
    sys.path.insert(0, str(REPO / "docs"))
    try:
        from make_ontology_html import render
    finally:
        sys.path.remove(str(REPO / "docs"))
    html = render()
    # the page is titled after the ontology, not after one of the facets' concept schemes
    assert re.findall(r"<title>(.*?)</title>", html) == ["graphkit ontology"]
    metadata = html[html.index('<div class="section" id="metadata">') :]
    assert re.search(r"<h1>(.*?)</h1>", metadata).group(1) == "graphkit ontology"
    assert re.search(r"<code>(.*?)</code>", metadata).group(1) == ONTOLOGY_IRI
    assert "generalizes from" in html and "A is a more general form of B" in html
    assert (REPO / "docs" / "ontology.html").read_text(encoding="utf-8") == html, (
        "run python docs/make_ontology_html.py"
    )


def with_extra(text: str, *triples: ox.Triple) -> str:
    return text + (ox.serialize(list(triples), format=ox.RdfFormat.N_TRIPLES) or b"").decode("utf-8")


@pytest.mark.parametrize("case", ["the export", "an rdf:JSON literal", "a contradiction"])
def test_an_owl2_dl_reasoner_accepts_the_ontology_and_the_export(case, java, tmp_path):
    import owlready2

    owlready2.JAVA_EXE = java
    G = load_library().graph
    text = to_rdf(G, "ntriples", with_ontology=True)
    link = ox.NamedNode(mint_iri(DEFAULT_BASE_IRI, "link", "5s-methodology", "related", "kanban"))
    assert f"{link} <{RDF.type}> <{GK.CuratedLink}> ." in text.splitlines()
    # The two cases that must fail show that HermiT really reads and reasons over the data.
    if case == "an rdf:JSON literal":  # how gk:lifecycle used to be written
        text = with_extra(
            text, ox.Triple(link, ox.NamedNode(GK.reason), ox.Literal("{}", datatype=ox.NamedNode(RDF.JSON)))
        )
    elif case == "a contradiction":  # curated and inferred links are disjoint
        text = with_extra(text, ox.Triple(link, ox.NamedNode(RDF.type), ox.NamedNode(GK.InferredLink)))
    path = tmp_path / "lib.nt"
    path.write_text(text, encoding="utf-8")
    world = owlready2.World()
    world.get_ontology(path.as_uri()).load(format="ntriples")
    if case == "the export":
        owlready2.sync_reasoner_hermit(world, infer_property_values=False, debug=0)
    elif case == "an rdf:JSON literal":
        with pytest.raises(owlready2.OwlReadyJavaError, match="not part of the OWL 2 datatype map"):
            owlready2.sync_reasoner_hermit(world, infer_property_values=False, debug=0)
    else:
        with pytest.raises(owlready2.OwlReadyInconsistentOntologyError):
            owlready2.sync_reasoner_hermit(world, infer_property_values=False, debug=0)


@pytest.mark.corpus
@pytest.mark.slow
@pytest.mark.skipif(not CORPUS.is_dir(), reason="the shared Commons OS corpus is not beside the repository")
def test_shacl_passes_on_the_corpus():
    lib = load_library(CORPUS)
    assert validate_shapes(lib.graph) == []


def test_external_nodes_are_a_class_of_their_own(onto):
    # the targets outside the library that a relation declared unresolved = "external" names
    assert (GK.ExternalNode, RDF.type, OWL.Class) in onto
    assert (GK.ExternalNode, OWL.disjointWith, GK.Pattern) in onto
    assert (GK.ExternalNode, RDFS.subClassOf, GK.Pattern) not in onto
    assert "unresolved" in str(onto.value(GK.ExternalNode, RDFS.comment))
    # a link's target is a pattern or an external node, so gk:target names no range
    assert onto.value(GK.target, RDFS.range) is None


def test_every_class_an_export_with_external_nodes_uses_is_declared(onto, tmp_path):
    for name in ("a", "b"):
        (tmp_path / f"{name}.md").write_text(
            f"---\nslug: {name}\ntitle: {name.upper()}\nhubs: [{{hub_id: x}}, b]\n---\n"
        )
    (tmp_path / "graphkit.toml").write_text('[relations.hubs]\ntarget = ["hub_id", "slug"]\nunresolved = "external"\n')
    G = load_library(tmp_path).graph
    declared = {s for s, o in onto.subject_objects(RDF.type)}
    used = {rdflib.URIRef(t.object.value) for t in to_triples(G) if t.predicate.value == str(RDF.type)}
    assert GK.ExternalNode in used
    assert {u for u in used if str(u).startswith(str(GK._NS))} <= declared
    assert validate_shapes(G) == []
