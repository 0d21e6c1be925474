"""The SHACL checks: graphkit's own evaluation of ontology/shapes.ttl finds what pySHACL finds."""

from __future__ import annotations

import textwrap

import pytest
import rdflib
from click.testing import CliRunner

from graphkit import load_library
from graphkit.cli import cli
from graphkit.rdf import ontology_file, to_rdflib, to_statements
from graphkit.shapes import ShapesError, find_violations, parse_shapes, parse_statements, validate_shapes

SHAPES = ontology_file("shapes.ttl").read_text(encoding="utf-8")
EX = "https://example.org/"
GK = "https://w3id.org/graphkit/ontology#"
GKSH = "https://w3id.org/graphkit/shapes#"
RDF = rdflib.Namespace("http://www.w3.org/1999/02/22-rdf-syntax-ns#")
SH = rdflib.Namespace("http://www.w3.org/ns/shacl#")
XSD = rdflib.Namespace("http://www.w3.org/2001/XMLSchema#")

PREFIXES = """\
@prefix gk: <https://w3id.org/graphkit/ontology#> .
@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
@prefix dcterms: <http://purl.org/dc/terms/> .
@prefix foaf: <http://xmlns.com/foaf/0.1/> .
@prefix rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix sh: <http://www.w3.org/ns/shacl#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
@prefix ex: <https://example.org/> .
"""

# Data that breaks every kind of constraint in the shipped shapes at least once, beside a
# pattern that keeps them all. ex:special is a pattern through a subclass; ex:d2 a domain.
BROKEN = PREFIXES + textwrap.dedent("""\
    ex:Special rdfs:subClassOf gk:Pattern .
    ex:SubDomain rdfs:subClassOf gk:Domain .

    ex:good a gk:Pattern , skos:Concept ; skos:prefLabel "Good" ; gk:slug "good" ; dcterms:identifier "pat_good1" ;
        gk:domain ex:d1 , ex:d2 ; gk:generation "v7" ; gk:confidenceRating 0.0 ; foaf:page <https://example.org/page> ;
        gk:score ex:s1 ; gk:enables ex:special .
    ex:d1 a gk:Domain , skos:Concept ; skos:prefLabel "d1" ; skos:inScheme gk:DomainScheme .
    ex:d2 a ex:SubDomain , skos:Concept ; skos:prefLabel "d2" ; skos:inScheme gk:DomainScheme .
    ex:s1 a gk:Score ; gk:dimension ex:dim ; rdf:value 5.0 .
    ex:dim a gk:ScoreDimension , skos:Concept ; skos:prefLabel "dim" ; skos:inScheme gk:OriginScheme , gk:ScoreDimensionScheme .

    ex:special a ex:Special ; skos:prefLabel "" , "Two" ; dcterms:identifier "PAT-1" , "pat_x"@en ;
        gk:domain ex:d3 , "literal" ; gk:generation "v8" ; gk:confidenceRating "high" ; foaf:page "not an IRI" ;
        gk:lifecycle "a" , "b" ; gk:enables ex:nowhere , "x" ; skos:altLabel 3 .
    ex:d3 a gk:Category , skos:Concept .

    ex:s2 a gk:Score ; rdf:value 7.5 , "abc"^^xsd:decimal .
    ex:l1 a gk:Link ; gk:source ex:good ; gk:target ex:good , ex:special ; gk:relation "enables" ;
        gk:weight -0.5 ; gk:confidence 1 .
""")


def term(node):
    """An rdflib term in graphkit's plain form (None stays None)."""
    if node is None:
        return None
    if isinstance(node, rdflib.Literal):
        datatype = node.datatype or (RDF.langString if node.language else XSD.string)
        return (str(node), str(datatype), node.language or "")
    return (str(node),)


def pyshacl_findings(data: str, shapes: str) -> set[tuple]:
    """What pySHACL reports, as (focus, node shape, path, component, value, message, severity)."""
    pyshacl = pytest.importorskip("pyshacl")
    data_graph = rdflib.Graph().parse(data=data, format="turtle")
    shapes_graph = rdflib.Graph().parse(data=shapes, format="turtle")
    _, report, _ = pyshacl.validate(data_graph, shacl_graph=shapes_graph, inference="none", advanced=False)
    found = set()
    for result in report.subjects(RDF.type, SH.ValidationResult):
        source = report.value(result, SH.sourceShape)
        node = shapes_graph.value(predicate=SH.property, object=source) or source
        path = shapes_graph.value(source, SH.path)
        component = str(report.value(result, SH.sourceConstraintComponent))[len(SH) : -len("ConstraintComponent")]
        found.add(
            (
                str(report.value(result, SH.focusNode)),
                str(node),
                str(path) if path is not None else None,
                component[0].lower() + component[1:],
                term(report.value(result, SH.value)),
                str(report.value(result, SH.resultMessage)),
                str(report.value(result, SH.resultSeverity)),
            )
        )
    return found


def findings(violations) -> set[tuple]:
    return {
        (v.focus, v.shape.node, v.shape.path, v.component, v.value, v.shape.message, v.shape.severity)
        for v in violations
    }


def short(violations) -> list[tuple]:
    """(focus, shape, path, component, value) with the namespaces cut, in graphkit's order."""

    def cut(text):
        for ns in (EX, GK, GKSH, str(SH), "http://www.w3.org/2004/02/skos/core#", str(RDF), str(XSD)):
            text = text.replace(ns, "")
        return text.replace("http://purl.org/dc/terms/", "dcterms:").replace("http://xmlns.com/foaf/0.1/", "foaf:")

    return [
        (cut(v.focus), cut(v.shape.node), cut(v.shape.path or ""), v.component, cut(v.value[0]) if v.value else None)
        for v in violations
    ]


def test_the_shipped_shapes_find_what_pyshacl_finds():
    ours = find_violations(parse_statements(BROKEN))
    assert short(ours) == [
        ("d3", "FacetShape", "inScheme", "minCount", None),
        ("d3", "FacetShape", "prefLabel", "minCount", None),
        ("dim", "FacetShape", "inScheme", "maxCount", None),
        ("l1", "LinkShape", "confidence", "datatype", "1"),
        ("l1", "LinkShape", "relation", "nodeKind", "enables"),
        ("l1", "LinkShape", "target", "maxCount", None),
        ("l1", "LinkShape", "weight", "minInclusive", "-0.5"),
        ("s2", "ScoreShape", "value", "datatype", "abc"),
        ("s2", "ScoreShape", "value", "maxCount", None),
        ("s2", "ScoreShape", "value", "maxInclusive", "7.5"),
        ("s2", "ScoreShape", "value", "maxInclusive", "abc"),
        ("s2", "ScoreShape", "value", "minInclusive", "abc"),
        ("s2", "ScoreShape", "dimension", "minCount", None),
        ("special", "PatternShape", "", "class", "special"),
        ("special", "PatternShape", "dcterms:identifier", "datatype", "pat_x"),
        ("special", "PatternShape", "dcterms:identifier", "maxCount", None),
        ("special", "PatternShape", "dcterms:identifier", "pattern", "PAT-1"),
        ("special", "PatternShape", "altLabel", "datatype", "3"),
        ("special", "PatternShape", "prefLabel", "maxCount", None),
        ("special", "PatternShape", "prefLabel", "minLength", ""),
        ("special", "PatternShape", "foaf:page", "nodeKind", "not an IRI"),
        ("special", "PatternShape", "confidenceRating", "datatype", "high"),
        ("special", "PatternShape", "confidenceRating", "minInclusive", "high"),
        ("special", "PatternShape", "domain", "class", "d3"),
        ("special", "PatternShape", "domain", "class", "literal"),
        ("special", "PatternShape", "generation", "in", "v8"),
        ("special", "PatternShape", "lifecycle", "maxCount", None),
        ("special", "PatternShape", "slug", "minCount", None),
        ("special", "RelationShape", "enables", "class", "nowhere"),
        ("special", "RelationShape", "enables", "class", "x"),
        ("special", "RelationShape", "enables", "nodeKind", "x"),
    ]
    # One difference, where pySHACL departs from SHACL: an ill-typed literal cannot be compared,
    # so it breaks sh:maxInclusive as it breaks sh:minInclusive; pySHACL lets it pass the maximum.
    ill_typed = (
        EX + "s2",
        GKSH + "ScoreShape",
        str(RDF.value),
        "maxInclusive",
        ("abc", str(XSD.decimal), ""),
        "a commons score is a decimal from 0 to 5",
        str(SH.Violation),
    )
    assert findings(ours) == pyshacl_findings(BROKEN, SHAPES) | {ill_typed}


OTHER_SHAPES = PREFIXES + textwrap.dedent("""\
    ex:Shape sh:targetClass ex:A , ex:B ; sh:nodeKind sh:BlankNodeOrIRI ; sh:message "a node" ;
        sh:property [ sh:path ex:code ; sh:maxLength 3 ; sh:pattern "^ab" ; sh:flags "i" ; sh:message "code" ] ,
                    [ sh:path ex:n ; sh:minExclusive 0 ; sh:maxExclusive 10.5 ; sh:datatype xsd:integer ;
                      sh:severity sh:Warning ; sh:message "n" ] ,
                    [ sh:path ex:flag ; sh:datatype xsd:boolean ; sh:nodeKind sh:Literal ; sh:message "flag" ] ,
                    [ sh:path ex:kind ; sh:in ( ex:x 1 "one" ) ; sh:minCount 2 ; sh:message "kind" ] .
""")

OTHER_DATA = PREFIXES + textwrap.dedent("""\
    ex:a a ex:A ; ex:code "ABC" , "abcd" , "xab" , ex:abc ; ex:n 0 , 10 , 11 , "5" , 3.0 ;
        ex:flag true , "true" , ex:flag ; ex:kind ex:x , 1 , "1" .
    ex:b a ex:B ; ex:kind "one" .
""")


def test_other_constraints_agree_with_pyshacl():
    ours = find_violations(parse_statements(OTHER_DATA), parse_shapes(OTHER_SHAPES))
    assert short(ours) == [
        ("a", "Shape", "code", "maxLength", "abcd"),
        ("a", "Shape", "code", "maxLength", "abc"),  # the IRI ex:abc
        ("a", "Shape", "code", "pattern", "abc"),
        ("a", "Shape", "code", "pattern", "xab"),
        ("a", "Shape", "flag", "datatype", "flag"),
        ("a", "Shape", "flag", "datatype", "true"),
        ("a", "Shape", "flag", "nodeKind", "flag"),
        ("a", "Shape", "kind", "in", "1"),
        ("a", "Shape", "n", "datatype", "3.0"),
        ("a", "Shape", "n", "datatype", "5"),
        ("a", "Shape", "n", "maxExclusive", "11"),
        ("a", "Shape", "n", "maxExclusive", "5"),
        ("a", "Shape", "n", "minExclusive", "0"),
        ("a", "Shape", "n", "minExclusive", "5"),
        ("b", "Shape", "kind", "minCount", None),
    ]
    assert {v.shape.severity for v in ours if v.shape.path == EX + "n"} == {str(SH.Warning)}
    assert findings(ours) == pyshacl_findings(OTHER_DATA, OTHER_SHAPES)


@pytest.fixture
def broken_library(tmp_path):
    (tmp_path / "a.md").write_text(
        "---\nslug: a\ntitle: A\nid: pat_OK\nclassification: {commons_alignment: 7}\nlifecycle: {confidence: -1}\n"
        "relationships:\n  enables: [{slug: b, weight: 1.5}]\n---\n",
        encoding="utf-8",
    )
    (tmp_path / "b.md").write_text("---\nslug: b\ntitle: B\nid: pat_b\n---\n", encoding="utf-8")
    return tmp_path


def test_on_a_library_s_export_the_findings_are_pyshacl_s(broken_library):
    G = load_library(broken_library).graph
    ours = find_violations(to_statements(G, asserted_only=True))
    export = to_rdflib(G, asserted_only=True).serialize(format="turtle")
    assert findings(ours) == pyshacl_findings(export, SHAPES)
    assert [(v.shape.path.rsplit("/", 1)[-1], v.component) for v in ours] == [
        ("ontology#weight", "maxInclusive"),  # (by focus node: the link, the pattern, its score)
        ("identifier", "pattern"),
        ("ontology#confidenceRating", "minInclusive"),
        ("22-rdf-syntax-ns#value", "maxInclusive"),
    ]


def test_each_result_is_reported_on_the_file_of_its_pattern(broken_library):
    assert [str(p) for p in validate_shapes(load_library(broken_library).graph)] == [
        "a.md: error: confidence: a pattern's confidence rating is a decimal of at least 0 (-1.0) [shacl]",
        "a.md: error: id: a pattern id is a TypeID: pat_ followed by lowercase letters and digits (pat_OK) [shacl]",
        "a.md: error: score: <https://w3id.org/graphkit/library/pattern/a/score/commons_alignment>: "
        "a commons score is a decimal from 0 to 5 (7.0) [shacl]",
        "a.md: error: weight: <https://w3id.org/graphkit/library/link/a/enables/b>: "
        "a link weight is a decimal from 0 to 1 (1.5) [shacl]",
    ]


def test_check_shacl_prints_the_findings_with_the_other_problems(broken_library):
    result = CliRunner().invoke(cli, ["--no-cache", "check", str(broken_library), "--shacl"], catch_exceptions=False)
    assert result.exit_code == 1
    assert result.output.splitlines() == [
        "a.md: error: confidence: a pattern's confidence rating is a decimal of at least 0 (-1.0) [shacl]",
        "a.md: error: id: a pattern id is a TypeID: pat_ followed by lowercase letters and digits (pat_OK) [shacl]",
        "a.md: error: score: <https://w3id.org/graphkit/library/pattern/a/score/commons_alignment>: "
        "a commons score is a decimal from 0 to 5 (7.0) [shacl]",
        "a.md: error: weight: <https://w3id.org/graphkit/library/link/a/enables/b>: "
        "a link weight is a decimal from 0 to 1 (1.5) [shacl]",
        "2 files, 2 patterns: 4 errors, 0 warnings",
    ]


def test_every_shipped_shape_says_what_it_checks():
    shapes = parse_shapes(SHAPES, "ontology/shapes.ttl")
    assert len(shapes) == 45
    assert [(s.node, s.path) for s in shapes if s.constraints and not s.message] == []
    assert {s.node.split("#")[-1] for s in shapes} == {
        "FacetShape",
        "LinkShape",
        "PatternShape",
        "RelationShape",
        "ScoreShape",
    }


@pytest.mark.parametrize(
    "shapes, error",
    [
        (
            "ex:S sh:targetClass ex:C ; sh:property [ sh:path ex:p ",
            "shapes: cannot load the SHACL shapes (Parser error at line 10 column 55: Unexpected end (line 10))",
        ),
        ("ex:S sh:targetNode ex:x .", "shapes: <https://example.org/S>: graphkit does not check sh:targetNode"),
        (
            "ex:S sh:targetClass ex:C ; sh:or ( [ sh:class ex:D ] ) .",
            "shapes: <https://example.org/S>: graphkit does not check sh:or",
        ),
        (
            "ex:S sh:targetClass ex:C ; sh:property [ sh:path [ sh:inversePath ex:p ] ] .",
            "shapes: <https://example.org/S>: sh:path (graphkit checks paths of one predicate) must be an IRI",
        ),
        (
            'ex:S sh:targetClass ex:C ; sh:property [ sh:path ex:p ; sh:minCount "one" ] .',
            "shapes: <https://example.org/S> <https://example.org/p>: sh:minCount must be a whole number",
        ),
        (
            'ex:S sh:targetClass ex:C ; sh:property [ sh:path ex:p ; sh:pattern "a" ; sh:flags "x" ] .',
            "shapes: <https://example.org/S> <https://example.org/p>: sh:pattern must be text, with no flags but i and m",
        ),
        (
            'ex:S sh:targetClass ex:C ; sh:property [ sh:path ex:p ; sh:pattern "(" ] .',
            "shapes: <https://example.org/S> <https://example.org/p>: sh:pattern is not a regular expression "
            "(missing ), unterminated subpattern at position 0)",
        ),
        (
            'ex:S sh:targetClass ex:C ; sh:property [ sh:path ex:p ; sh:maxInclusive "high" ] .',
            "shapes: <https://example.org/S> <https://example.org/p>: sh:maxInclusive must be a number "
            "(graphkit compares numbers only)",
        ),
        (
            "ex:S sh:targetClass ex:C ; sh:property [ sh:path ex:p ; sh:in ex:notalist ] .",
            "shapes: <https://example.org/S> <https://example.org/p>: sh:in must be a well-formed RDF list",
        ),
        (
            "ex:S sh:targetClass ex:C ; sh:property [ sh:path ex:p ; sh:property [ sh:path ex:q ] ] .",
            "shapes: <https://example.org/S> <https://example.org/p>: graphkit does not check sh:property",
        ),
        (
            "ex:S sh:targetClass ex:C ; sh:property [ sh:minCount 1 ] .",
            "shapes: <https://example.org/S>: a property shape needs exactly one sh:path",
        ),  # fmt: skip
    ],
    ids=[
        "not-turtle",
        "target-node",
        "or",
        "inverse-path",
        "count-not-a-number",
        "unknown-flag",
        "bad-regex",
        "bound-not-a-number",
        "in-not-a-list",
        "nested-property",
        "no-path",
    ],
)
def test_shapes_graphkit_cannot_check_are_refused(shapes, error):
    with pytest.raises(ShapesError) as caught:
        parse_shapes(PREFIXES + shapes)
    assert str(caught.value).startswith(error)
    assert "\n" not in str(caught.value)


def test_data_that_does_not_parse_is_refused():
    with pytest.raises(
        ShapesError,
        match=r"^the data cannot be read \(Parser error at line 1 column 49: \. is not a valid RDF object \(line 1\)\)$",
    ):
        parse_statements("<https://example.org/a> <https://example.org/p> .")
    with pytest.raises(ShapesError, match=r"^unknown RDF format 'rdfxml' \(known: turtle, ntriples\)$"):
        parse_statements("", "rdfxml")


def test_check_shacl_shows_a_hostile_value_escaped(tmp_path):
    (tmp_path / "a.md").write_text('---\nslug: a\ntitle: A\nid: "PAT\\e[31m\\u202e"\n---\n', encoding="utf-8")
    result = CliRunner().invoke(cli, ["--no-cache", "check", str(tmp_path), "--shacl"], catch_exceptions=False)
    assert result.output.splitlines()[0] == (
        "a.md: error: id: a pattern id is a TypeID: pat_ followed by lowercase letters and digits"
        " (PAT\\x1b[31m\\u202e) [shacl]"
    )
