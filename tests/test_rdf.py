"""graph -> RDF: safe IRIs, exact literals, inverse and symmetric relations, determinism."""

from __future__ import annotations

import copy
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import networkx as nx
import pyoxigraph as ox
import pytest
import rdflib
from hypothesis import given, settings
from hypothesis import strategies as st
from rdflib.compare import isomorphic

from graphkit import ExportError, Link, Pattern, build_graph, load_library
from graphkit.rdf import (
    GK,
    ONTOLOGY_IRI,
    generate_turtle,
    mint_iri,
    relation_iri,
    to_rdf,
    to_rdflib,
    to_triples,
    to_turtle,
    write_rdf,
)

REPO = Path(__file__).resolve().parents[1]
HOSTILE = REPO / "tests" / "data" / "hostile"
CORPUS = REPO.parent / "shared" / "corpus" / "commons-os-patterns-2026-02-17" / "_patterns"
BASE = "https://example.org/lib/"
SKOS = "http://www.w3.org/2004/02/skos/core#"
RDF_TYPE = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")


def parse_turtle(text: str) -> set[ox.Triple]:
    return {q.triple for q in ox.parse(text.encode("utf-8"), format=ox.RdfFormat.TURTLE)}


def values(triples: set[ox.Triple], subject: str, predicate: str) -> list[str]:
    s, p = ox.NamedNode(subject), ox.NamedNode(predicate)
    return sorted(t.object.value for t in triples if t.subject == s and t.predicate == p)


@pytest.fixture(scope="module")
def sample():
    return load_library()


@pytest.fixture(scope="module")
def hostile():
    return load_library(HOSTILE)


# --------------------------------------------------------------------------- hostile frontmatter


def test_hostile_library_loads_as_expected(hostile):
    # guard: the fixture really holds the hostile strings this file tests
    G = hostile.graph
    assert "a slug with spaces #and hash" in G and "unicode-ü-slug" in G and ".." in G and "100%" in G
    assert '"""triple"""' in G.nodes["a slug with spaces #and hash"]["title"]
    assert "\n" in G.nodes["multi-line-title"]["title"] and "\x00" in G.nodes["multi-line-title"]["title"]
    assert len(G.nodes["long"]["title"]) > 10_000


def test_hostile_turtle_reparses_into_the_same_graph(hostile):
    text = to_turtle(hostile.graph, BASE)
    written = set(to_triples(hostile.graph, BASE))
    assert parse_turtle(text) == written
    # an independent parser agrees too, as graphs
    by_rdflib = rdflib.Graph().parse(data=text, format="turtle")
    by_oxigraph = rdflib.Graph().parse(data=to_rdf(hostile.graph, "ntriples", BASE), format="nt")
    assert isomorphic(by_rdflib, by_oxigraph)
    assert len(by_rdflib) == len(written)


def test_hostile_literals_round_trip_exactly(hostile):
    triples = parse_turtle(to_turtle(hostile.graph, BASE))
    for slug, data in hostile.graph.nodes(data=True):
        iri = mint_iri(BASE, "pattern", slug)
        assert values(triples, iri, str(GK.slug)) == [slug]
        assert values(triples, iri, SKOS + "prefLabel") == [data["title"]]
        assert values(triples, iri, SKOS + "altLabel") == sorted(data["aliases"])
        assert values(triples, iri, SKOS + "definition") == ([data["summary"]] if data["summary"] else [])
        assert values(triples, iri, str(GK.sourceFile)) == [data["path"]]
        domains = [values(triples, d, SKOS + "prefLabel")[0] for d in values(triples, iri, str(GK.domain))]
        assert sorted(domains) == sorted(data["domains"])
        categories = [values(triples, c, SKOS + "prefLabel")[0] for c in values(triples, iri, str(GK.category))]
        assert sorted(categories) == sorted(data["categories"])
    link = mint_iri(BASE, "link", "unicode-ü-slug", "requires", "long")
    assert values(triples, link, "http://purl.org/dc/terms/description") == ['needs "long"\n\t<and> \\ more']
    assert values(triples, link, str(GK.weight)) == ["0.25"]


def test_hostile_slugs_get_distinct_safe_iris(hostile):
    iris = {slug: mint_iri(BASE, "pattern", slug) for slug in hostile.graph}
    assert len(set(iris.values())) == len(iris)
    assert iris["a slug with spaces #and hash"] == BASE + "pattern/a%20slug%20with%20spaces%20%23and%20hash"
    assert iris[".."] == BASE + "pattern/%2E%2E" and iris["."] == BASE + "pattern/%2E"
    assert iris["100%"] == BASE + "pattern/100%25" and iris["100%25"] == BASE + "pattern/100%2525"
    assert iris["unicode-ü-slug"] == BASE + "pattern/unicode-%C3%BC-slug"


def test_hostile_page_url_is_percent_encoded_not_dropped(hostile):
    triples = set(to_triples(hostile.graph, BASE))
    iri = mint_iri(BASE, "pattern", "a slug with spaces #and hash")
    assert values(triples, iri, "http://xmlns.com/foaf/0.1/page") == ["https://example.org/a%20b%3E%22c%22/%7Bx%7D"]


def test_an_injection_in_a_title_stays_one_literal(hostile):
    triples = parse_turtle(to_turtle(hostile.graph, BASE))
    assert not any("evil.example" in t.subject.value or "evil.example" in t.predicate.value for t in triples)


def test_text_rdf_cannot_hold_is_a_clear_error():
    G = build_graph([Pattern("a", "bad \ud800 surrogate", path="a.md")])
    with pytest.raises(ExportError, match=r"^a\.md: 'bad \\ud800 surrogate' cannot be written as RDF"):
        to_turtle(G)


@settings(max_examples=60, deadline=None)
@given(slug=st.text(min_size=1, max_size=30).map(str.strip).filter(bool), title=st.text(max_size=200))
def test_any_slug_and_title_survive_turtle(slug, title):
    try:
        title.encode("utf-8"), slug.encode("utf-8")
    except UnicodeEncodeError:
        return
    G = build_graph([Pattern(slug, title or slug, aliases=(title,), domains=(title or "d",))])
    triples = parse_turtle(to_turtle(G, BASE))
    assert triples == set(to_triples(G, BASE))
    assert values(triples, mint_iri(BASE, "pattern", slug), str(GK.slug)) == [slug]


@given(st.lists(st.text(min_size=1, max_size=12), min_size=2, max_size=6, unique=True))
def test_minted_iris_are_distinct_and_valid(slugs):
    iris = {mint_iri(BASE, "pattern", s) for s in slugs}
    assert len(iris) == len(slugs)
    for iri in iris:
        ox.NamedNode(iri)
        assert all(c.isascii() and (c.isalnum() or c in "-._~%/:") for c in iri)


# --------------------------------------------------------------------------- what the export states


def test_every_pattern_is_a_typed_concept(sample):
    triples = set(to_triples(sample.graph, BASE))
    patterns = {t.subject for t in triples if t.predicate == RDF_TYPE and t.object == ox.NamedNode(GK.Pattern)}
    concepts = {t.subject for t in triples if t.predicate == RDF_TYPE and t.object == ox.NamedNode(SKOS + "Concept")}
    assert len(patterns) == sample.graph.number_of_nodes() == 37
    assert patterns <= concepts


def direct(triples, relations=None):
    names = relations or [
        "generalizes_from",
        "specializes_to",
        "enables",
        "enabled_by",
        "requires",
        "required_by",
        "related",
        "alternatives",
        "complementary",
        "tools",
        "tool_for",
    ]
    props = {ox.NamedNode(relation_iri(n, BASE)): n for n in names}
    return {(t.subject.value, props[t.predicate], t.object.value) for t in triples if t.predicate in props}


def test_asserted_only_states_exactly_the_curated_edges(sample):
    G = sample.graph
    curated = {
        (mint_iri(BASE, "pattern", u), d["relation"], mint_iri(BASE, "pattern", v))
        for u, v, d in G.edges(data=True)
        if not d["inferred"]
    }
    assert direct(to_triples(G, BASE, asserted_only=True)) == curated
    assert len(curated) == 290


def test_inverse_and_symmetric_relations_are_stated_both_ways(sample):
    inverse = {
        "generalizes_from": "specializes_to",
        "specializes_to": "generalizes_from",
        "enables": "enabled_by",
        "requires": "required_by",
        "tools": "tool_for",
    }
    expected = set()
    for u, v, d in sample.graph.edges(data=True):
        if d["inferred"]:
            continue
        a, b, rel = mint_iri(BASE, "pattern", u), mint_iri(BASE, "pattern", v), d["relation"]
        expected.add((a, rel, b))
        if rel in ("related", "alternatives", "complementary"):
            expected.add((b, rel, a))
        else:
            expected.add((b, inverse[rel], a))
    assert direct(to_triples(sample.graph, BASE)) == expected


def test_inferred_links_are_kept_apart_with_their_confidence(sample):
    G = sample.graph
    triples = set(to_triples(G, BASE))
    inferred = [(u, v, d) for u, v, d in G.edges(data=True) if d["inferred"]]
    assert len(inferred) == 34
    links = {t.subject for t in triples if t.object == ox.NamedNode(GK.InferredLink)}
    assert len(links) == 34
    stated = direct(triples)
    for u, v, d in inferred:
        link = mint_iri(BASE, "inferred", u, "related", v)
        assert values(triples, link, str(GK.confidence)) == [format(d["confidence"], ".1f")]
        assert values(triples, link, str(GK.reason)) == [d["reason"]]
        assert values(triples, link, str(GK.source)) == [mint_iri(BASE, "pattern", u)]
        curated = G.has_edge(u, v, "related") or G.has_edge(v, u, "related")
        assert ((mint_iri(BASE, "pattern", u), "related", mint_iri(BASE, "pattern", v)) in stated) == curated


def test_scores_are_decimals_and_facets_are_skos_concepts():
    G = build_graph(
        [
            Pattern(
                "a", "A", domains=("gov", "tech"), status="draft", scores={"vitality": 4.5, "tiny": 1e-7, "whole": 3.0}
            )
        ]
    )
    triples = set(to_triples(G, BASE))
    score = mint_iri(BASE, "pattern", "a", "score", "tiny")
    (value,) = [t.object for t in triples if t.subject == ox.NamedNode(score) and t.predicate.value.endswith("#value")]
    assert value == ox.Literal("0.0000001", datatype=ox.NamedNode("http://www.w3.org/2001/XMLSchema#decimal"))
    whole = values(
        triples, mint_iri(BASE, "pattern", "a", "score", "whole"), "http://www.w3.org/1999/02/22-rdf-syntax-ns#value"
    )
    assert whole == ["3.0"]
    gov = mint_iri(BASE, "domain", "gov")
    assert values(triples, gov, SKOS + "inScheme") == [str(GK.DomainScheme)]
    assert values(triples, mint_iri(BASE, "pattern", "a"), str(GK.primaryDomain)) == [gov]
    assert len(values(triples, mint_iri(BASE, "pattern", "a"), str(GK.domain))) == 2
    assert values(triples, mint_iri(BASE, "status", "draft"), SKOS + "inScheme") == [str(GK.StatusScheme)]


def test_lifecycle_keys_are_properties_and_the_whole_record_is_json_text():
    full = {"usage_stage": "design", "adoption_stage": "mature", "status": "draft", "version": 1.2, "confidence": 3,
            "created": "2026-02-01", "last_updated": "2026-02-03", "extra": {"b": [1, "x"]}}  # fmt: skip
    odd = {"usage_stage": ["design", "operation"], "confidence": "high", "modified": "2026-02-05",
           "last_updated": "2026-02-04"}  # fmt: skip
    G = build_graph([Pattern("a", "A", status="draft", lifecycle=full), Pattern("b", "B", lifecycle=odd)])
    triples = set(to_triples(G, BASE))

    def lifecycle_of(slug):
        subject = ox.NamedNode(mint_iri(BASE, "pattern", slug))
        return {
            (t.predicate.value.split("/")[-1], t.object.value, t.object.datatype.value.split("#")[-1])
            for t in triples
            if t.subject == subject and isinstance(t.object, ox.Literal) and not t.predicate.value.startswith(SKOS)
        } - {("ontology#slug", slug, "string"), ("ontology#generation", "classic", "string")}

    assert lifecycle_of("a") == {
        ("ontology#usageStage", "design", "string"),
        ("ontology#adoptionStage", "mature", "string"),
        ("ontology#confidenceRating", "3.0", "decimal"),
        ("created", "2026-02-01", "date"),
        ("modified", "2026-02-03", "date"),  # last_updated, as there is no modified
        ("owl#versionInfo", "1.2", "string"),
        ("ontology#lifecycle", '{"adoption_stage":"mature","confidence":3,"created":"2026-02-01","extra":{"b":[1,"x"]},'
         '"last_updated":"2026-02-03","status":"draft","usage_stage":"design","version":1.2}', "string"),
    }  # fmt: skip
    assert lifecycle_of("b") == {  # a list or a word where one value of a kind is due: only in the record
        ("modified", "2026-02-05", "date"),
        ("ontology#lifecycle", '{"confidence":"high","last_updated":"2026-02-04","modified":"2026-02-05",'
         '"usage_stage":["design","operation"]}', "string"),
    }  # fmt: skip
    rdf_json = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#JSON")  # no OWL 2 datatype
    assert not any(t.object.datatype == rdf_json for t in triples if isinstance(t.object, ox.Literal))
    assert (
        ox.Triple(ox.NamedNode(mint_iri(BASE, "pattern", "a")), ox.NamedNode(GK.status),
                  ox.NamedNode(mint_iri(BASE, "status", "draft"))) in triples
    )  # fmt: skip


def test_declared_relations_live_in_the_library_namespace_and_are_declared(tmp_path):
    (tmp_path / "graphkit.toml").write_text(
        textwrap.dedent("""
        [relations.implements]
        inverse = "implemented_by"
        [relations.conflicts_with]
        symmetric = true
        skos = "related"
        comment = "A and B cannot both hold."
    """)
    )
    (tmp_path / "a.md").write_text("---\nslug: a\ntitle: A\nimplements: [b]\nconflicts_with: [b]\n---\n")
    (tmp_path / "b.md").write_text("---\nslug: b\ntitle: B\n---\n")
    G = load_library(tmp_path).graph
    triples = set(to_triples(G, BASE))
    implements = BASE + "relation/implements"
    assert direct(triples, ["implements", "implemented_by", "conflicts_with"]) == {
        (BASE + "pattern/a", "implements", BASE + "pattern/b"),
        (BASE + "pattern/b", "implemented_by", BASE + "pattern/a"),
        (BASE + "pattern/a", "conflicts_with", BASE + "pattern/b"),
        (BASE + "pattern/b", "conflicts_with", BASE + "pattern/a"),
    }
    assert values(triples, implements, "http://www.w3.org/2002/07/owl#inverseOf") == [BASE + "relation/implemented_by"]
    assert values(triples, implements, "http://www.w3.org/2000/01/rdf-schema#subPropertyOf") == [SKOS + "related"]
    conflicts = BASE + "relation/conflicts_with"
    assert "http://www.w3.org/2002/07/owl#SymmetricProperty" in values(triples, conflicts, RDF_TYPE.value)
    assert values(triples, conflicts, "http://www.w3.org/2000/01/rdf-schema#comment") == ["A and B cannot both hold."]


def test_with_ontology_adds_the_ontology(sample):
    plain = set(to_triples(sample.graph, BASE))
    full = set(to_triples(sample.graph, BASE, with_ontology=True))
    header = ox.Triple(ox.NamedNode(ONTOLOGY_IRI), RDF_TYPE, ox.NamedNode("http://www.w3.org/2002/07/owl#Ontology"))
    assert header in full and header not in plain and plain < full


# --------------------------------------------------------------------------- determinism and the caller's graph


def test_export_is_deterministic_and_independent_of_insertion_order(sample):
    G = sample.graph
    H = nx.MultiDiGraph(**G.graph)
    H.add_nodes_from(reversed(list(G.nodes(data=True))))
    H.add_edges_from(reversed(list(G.edges(keys=True, data=True))))
    for fmt in ("turtle", "ntriples", "jsonld"):
        assert to_rdf(G, fmt) == to_rdf(G, fmt) == to_rdf(H, fmt)


def test_export_is_byte_identical_across_processes(tmp_path):
    code = "import sys, graphkit, graphkit.rdf; sys.stdout.write(graphkit.rdf.to_turtle(graphkit.load_library().graph))"
    outputs = []
    for seed in ("1", "2"):
        env = {**os.environ, "PYTHONHASHSEED": seed, "PYTHONPATH": str(REPO)}
        outputs.append(subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, check=True).stdout)
    assert outputs[0] == outputs[1] == to_turtle(load_library().graph).encode()


def test_the_callers_graph_is_untouched(sample):
    G = sample.graph
    before = (
        copy.deepcopy(dict(G.nodes(data=True))),
        copy.deepcopy(list(G.edges(keys=True, data=True))),
        dict(G.graph),
    )
    to_turtle(G)
    to_rdflib(G)
    assert before == (dict(G.nodes(data=True)), list(G.edges(keys=True, data=True)), dict(G.graph))


def test_write_rdf_and_the_rdflib_graph(tmp_path, sample):
    path = write_rdf(sample.graph, tmp_path / "lib.ttl")
    assert path.read_text(encoding="utf-8") == to_turtle(sample.graph)
    g = to_rdflib(sample.graph)
    assert len(g) == len(to_triples(sample.graph))
    assert g.namespace_manager.store.namespace("gk") == rdflib.URIRef(str(GK._NS))


@pytest.mark.parametrize(
    "base",
    ["relative/", "https://example.org/no-slash", "https://exa mple.org/", "https://example.org/<x>/"],
    ids=["relative", "no-trailing-slash", "space", "angle-brackets"],
)
def test_a_bad_base_iri_is_refused(sample, base):
    with pytest.raises(ExportError, match=r"^base IRI .* is not an absolute IRI ending in '/' or '#'"):
        to_turtle(sample.graph, base)


def test_a_base_iri_ending_in_hash_works():
    triples = set(to_triples(build_graph([Pattern("a", "A")]), "urn:example:lib#"))
    assert ox.NamedNode("urn:example:lib#pattern/a") in {t.subject for t in triples}


def test_an_unknown_format_is_refused(sample):
    with pytest.raises(ExportError, match=r"^unknown RDF format 'rdfxml'"):
        to_rdf(sample.graph, "rdfxml")


def test_links_between_patterns_record_what_was_asserted():
    G = build_graph(
        [Pattern("a", "A", links=(Link("enables", "b", weight=0.8, description="why"),)), Pattern("b", "B")]
    )
    triples = set(to_triples(G, BASE))
    link = mint_iri(BASE, "link", "a", "enables", "b")
    assert values(triples, link, RDF_TYPE.value) == sorted([str(GK.CuratedLink), str(GK.Link)])
    assert values(triples, link, str(GK.relation)) == [str(GK.enables)]
    assert values(triples, link, str(GK.weight)) == ["0.8"]
    assert values(triples, link, "http://purl.org/dc/terms/description") == ["why"]


# --------------------------------------------------------------------------- the real corpus


@pytest.mark.corpus
@pytest.mark.skipif(not CORPUS.is_dir(), reason="the shared Commons OS corpus is not beside the repository")
def test_corpus_turtle_reparses_isomorphic():
    G = load_library(CORPUS).graph
    written = to_triples(G)
    text = to_turtle(G)
    assert parse_turtle(text) == set(written)
    assert len(written) > 60_000


@pytest.mark.parametrize("subjects", [1, 2, 7, 100, 10_000], ids=lambda n: f"{n}-a-piece")
def test_turtle_in_pieces_joins_to_the_same_bytes(subjects, hostile, fixture_library, sample_library):
    for G in (hostile.graph, fixture_library.graph, sample_library.graph):
        pieces = list(generate_turtle(G, BASE, subjects=subjects))
        assert "".join(pieces) == to_turtle(G, BASE)
        assert pieces[0].startswith("@prefix ") and not any(p.startswith("@prefix ") for p in pieces[1:])
    pieces = generate_turtle(fixture_library.graph, BASE, asserted_only=True, with_ontology=True, subjects=subjects)
    assert "".join(pieces) == to_turtle(fixture_library.graph, BASE, True, True)


def test_turtle_in_pieces_of_the_corpus(corpus_library):
    assert "".join(generate_turtle(corpus_library.graph, subjects=5_000)) == to_turtle(corpus_library.graph)


def test_statements_of_one_subject_are_gathered_and_every_triple_is_written_once(hostile):
    # Two parallel links of one relation share a link IRI: their statements are one subject's.
    G = build_graph(
        [
            Pattern("a", "A", links=(Link("enables", "b"), Link("related", "c")), scores={"vitality": 0.5}),
            Pattern("b", "B", links=(Link("requires", "a"),), domains=("x",)),
            Pattern("c", "C"),
        ]
    )
    G.add_edge("a", "b", relation="enables", description="said twice")
    for graph in (G, hostile.graph):
        whole = to_triples(graph, BASE, with_ontology=True)
        assert len(set(whole)) == len(whole)
        subjects = [t.subject.value for t in whole]
        assert len({s for i, s in enumerate(subjects) if i and s != subjects[i - 1]}) == len(set(subjects)) - 1
    twice = ox.NamedNode(mint_iri(BASE, "link", "a", "enables", "b"))
    descriptions = [
        t.object.value for t in to_triples(G, BASE) if t.subject == twice and "description" in t.predicate.value
    ]
    assert descriptions == ["said twice"]


# --------------------------------------------------------------------------- the Turtle writer


NS = "https://example.org/ns/"
XSD = "http://www.w3.org/2001/XMLSchema#"
# Every character a Turtle string escapes, and text around them.
ESCAPED_TEXT = ["".join(map(chr, [*range(0x20), 0x7F, 0xFFFE, 0xFFFF])), 'say "hi" \\ there', "tab\there\r\n"]
HOSTILE_OBJECTS = [
    *(ox.Literal(text) for text in ESCAPED_TEXT),
    ox.Literal("💡 naïve ‮ reversed"),
    ox.Literal("x", language="en-GB"),
    ox.Literal('"quoted"', language="de"),
    *(ox.Literal(v, datatype=ox.NamedNode(XSD + "integer")) for v in ["42", "-7", "+0", "4.2", "x", ""]),
    *(ox.Literal(v, datatype=ox.NamedNode(XSD + "decimal")) for v in ["1.5", "-.5", "+3.0", "3", "1.", "1e3"]),
    *(ox.Literal(v, datatype=ox.NamedNode(XSD + "double")) for v in ["1e3", "1.E-2", ".5e+1", "-2.5E0", "1.5", "e3"]),
    *(ox.Literal(v, datatype=ox.NamedNode(XSD + "boolean")) for v in ["true", "false", "True", "1"]),
    ox.Literal("2026-02-01", datatype=ox.NamedNode(XSD + "date")),
    ox.Literal("odd", datatype=ox.NamedNode("https://example.org/odd-type")),
    ox.NamedNode(NS + "plain_name-1"),
    ox.NamedNode(NS),
    ox.NamedNode("https://elsewhere.example/a%20b/c."),
    ox.BlankNode("b1"),
    RDF_TYPE,
]


def pyoxigraph_turtle(triples: list[ox.Triple], prefixes: dict[str, str]) -> str:
    """What pyoxigraph's own writer makes of the triples, prefixes sorted as graphkit writes them."""
    text = ox.serialize(triples, format=ox.RdfFormat.TURTLE, prefixes=prefixes).decode("utf-8")
    lines = text.split("\n")
    head = [line for line in lines if line.startswith("@prefix ")]
    return "".join(line + "\n" for line in sorted(head)) + "\n".join(lines[len(head) :])


def test_the_turtle_writer_writes_what_pyoxigraph_writes():
    from graphkit.rdf.triples import _TurtleWriter

    s, s2 = ox.NamedNode(NS + "s"), ox.BlankNode("subject")
    p, q = ox.NamedNode(NS + "p"), ox.NamedNode("https://elsewhere.example/q")
    triples = [ox.Triple(s, RDF_TYPE, ox.NamedNode(NS + "Thing"))]
    triples += [ox.Triple(s, p, o) for o in HOSTILE_OBJECTS]
    triples += [ox.Triple(s, q, o) for o in HOSTILE_OBJECTS[:3]] + [ox.Triple(s, p, HOSTILE_OBJECTS[0])]
    triples += [ox.Triple(s2, q, s), ox.Triple(ox.NamedNode("https://elsewhere.example/x"), p, s2)]
    prefixes = {"ex": NS, "xsd": XSD, "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#"}
    writer = _TurtleWriter(prefixes)
    text = writer.head + "".join(writer.triples(triples))
    assert text == pyoxigraph_turtle(triples, prefixes)
    assert [q.triple for q in ox.parse(text.encode(), format=ox.RdfFormat.TURTLE)] == triples
    assert ' , "1."^^xsd:decimal , ' in text and " , 42 , " in text and " , rdf:type ;\n" in text


@settings(max_examples=300, deadline=None)
@given(st.text(), st.sampled_from(["", "en", "x-a1"]), st.sampled_from(["string", "integer", "decimal", "double"]))
def test_any_literal_is_written_as_pyoxigraph_writes_it(text, language, datatype):
    from graphkit.rdf.triples import _TurtleWriter

    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return  # the export refuses such text first (test_text_rdf_cannot_hold_is_a_clear_error)
    literal = (
        ox.Literal(text, language=language) if language else ox.Literal(text, datatype=ox.NamedNode(XSD + datatype))
    )
    triples = [ox.Triple(ox.NamedNode(NS + "s"), ox.NamedNode(NS + "p"), literal)]
    writer = _TurtleWriter({"ex": NS, "xsd": XSD})
    assert writer.head + "".join(writer.triples(triples)) == pyoxigraph_turtle(triples, {"ex": NS, "xsd": XSD})


def test_a_local_name_that_needs_a_backslash_is_written_in_full():
    from graphkit.rdf.triples import _TurtleWriter

    names = ["Sloan%20Jr.", "a/b", "a#b", "-lead", "trail.", "é", "a~b", "", "ok.ok", "_under"]
    triples = [ox.Triple(ox.NamedNode(NS + "s"), ox.NamedNode(NS + "p"), ox.NamedNode(NS + n)) for n in names]
    writer = _TurtleWriter({"ex": NS})
    lines = "".join(writer.triples(triples)).split(" , ")
    written = [line.removeprefix("ex:s ex:p ").removesuffix(" .\n") for line in lines]
    assert written == [
        f"<{NS}Sloan%20Jr.>", f"<{NS}a/b>", f"<{NS}a#b>", f"<{NS}-lead>", f"<{NS}trail.>", f"<{NS}é>", f"<{NS}a~b>",
        "ex:", "ex:ok.ok", "ex:_under",
    ]  # fmt: skip
    text = writer.head + "".join(writer.triples(triples))
    assert [q.triple for q in ox.parse(text.encode(), format=ox.RdfFormat.TURTLE)] == triples
    assert set(rdflib.Graph().parse(data=text, format="turtle")) == set(
        rdflib.Graph().parse(data=ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES).decode(), format="nt")
    )


def test_a_namespace_inside_another_is_never_used_and_a_bad_iri_is_refused():
    from graphkit.rdf.triples import _TurtleWriter

    writer = _TurtleWriter({"outer": NS, "inner": NS + "in/", "same": NS + "in/"})
    assert writer.name(NS + "x") == "outer:x"
    assert writer.name(NS + "in/x") == f"<{NS}in/x>"  # "outer:in/x" would need a backslash
    assert _TurtleWriter({"b": NS, "a": NS}).name(NS + "x") == "a:x"  # two names for one: the first
    with pytest.raises(ExportError, match=r"'https://example.org/a>b' cannot be written as an IRI in Turtle"):
        writer.name("https://example.org/a>b")
