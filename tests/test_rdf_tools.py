"""Every RDF reader reads the exports alike: rdflib, pyoxigraph and rapper (Debian raptor2-utils).

Turtle names an IRI by a prefixed name only where the name needs no backslash escape: rdflib
7.6 rejects a name that ends in an escaped dot (``origin:Sloan\\%20Jr\\.``) and Virtuoso keeps
the backslashes in the IRI, so such an IRI is written in full.
"""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pyoxigraph as ox
import pytest
import rdflib

from graphkit import load_library
from graphkit.rdf import GK, serialize_triples, to_rdf, to_triples, to_turtle

DATA = Path(__file__).parent / "data"
BASE = "https://example.org/lib/"
LIBRARIES = {"escapes": DATA / "escapes", "hostile": DATA / "hostile", "sample": None}
OX_FORMATS = {"turtle": ox.RdfFormat.TURTLE, "ntriples": ox.RdfFormat.N_TRIPLES, "jsonld": ox.RdfFormat.JSON_LD}
RDFLIB_FORMATS = {"turtle": "turtle", "ntriples": "nt", "jsonld": "json-ld"}
# pyoxigraph writes every string on one line, as "..." with \" and \\ escaped
STRING = re.compile(r'"(?:[^"\\]|\\.)*"')


@pytest.fixture(scope="module", params=sorted(LIBRARIES), ids=sorted(LIBRARIES))
def graph(request):
    return load_library(LIBRARIES[request.param]).graph


@pytest.fixture(scope="module")
def escapes():
    return load_library(DATA / "escapes").graph


def by_oxigraph(text: str, fmt: str) -> set[ox.Triple]:
    return {q.triple for q in ox.parse(text.encode("utf-8"), format=OX_FORMATS[fmt])}


def by_rdflib(text: str, fmt: str) -> set[tuple]:
    graph = rdflib.Graph().parse(data=text, format=RDFLIB_FORMATS[fmt])
    assert not any(isinstance(term, rdflib.BNode) for triple in graph for term in triple)  # sets compare exactly
    return set(graph)


def by_rapper(rapper: str, path: Path, fmt: str) -> list[str]:
    """The N-Triples lines rapper reads from ``path``: one per triple."""
    syntax = {"turtle": "turtle", "ntriples": "ntriples"}[fmt]
    done = subprocess.run(
        [rapper, "-q", "-i", syntax, "-o", "ntriples", path.as_uri()], capture_output=True, check=False, timeout=120
    )
    assert done.returncode == 0, done.stderr.decode("utf-8", "replace")[:2000]
    return done.stdout.decode("utf-8").splitlines()


def as_rapper_reads(triples: set[ox.Triple]) -> set[ox.Triple]:
    """The triples as rapper reads them: it keeps strings as C strings, so it cuts a literal at U+0000.

    (U+0000 is legal in an RDF literal; pyoxigraph and rdflib keep it. Nothing else differs.)
    """

    def cut(term):
        if not isinstance(term, ox.Literal) or "\0" not in term.value:
            return term
        value = term.value.split("\0")[0]
        return ox.Literal(value, language=term.language) if term.language else ox.Literal(value, datatype=term.datatype)

    return {ox.Triple(t.subject, t.predicate, cut(t.object)) for t in triples}


def prefixed_names_with_a_backslash(turtle: str) -> list[str]:
    """Every word of the Turtle outside its strings that holds a backslash: an escaped local name."""
    return [word for word in STRING.sub('""', turtle).split() if "\\" in word]


# --------------------------------------------------------------------------- what Turtle writes


def test_a_name_that_would_need_an_escape_is_written_as_a_full_iri(escapes):
    text = to_turtle(escapes, BASE)
    lines = text.splitlines()
    sloan = "<https://example.org/lib/pattern/Jr.>"
    assert f"{sloan} a skos:Concept , gk:Pattern ;" in lines
    assert "<https://example.org/lib/origin/Alfred%20P.%20Sloan%20Jr.> a skos:Concept , gk:Origin ;" in lines
    assert "\tgk:domain <https://example.org/lib/domain/governance%2Fdecentralization> ;" in lines
    era = "<https://example.org/lib/era/-dash-first> , <https://example.org/lib/era/.dot-first> , "
    assert f"\tgk:era {era}<https://example.org/lib/era/dot-last.> ;" in lines
    assert "<https://example.org/lib/link/plain/enables/Jr.> a gk:CuratedLink , gk:Link ;" in lines
    score = "<https://example.org/lib/pattern/Jr./score/"
    assert f"\tgk:score {score}a%2Fb> , {score}autonomy.> ;" in lines
    assert "<https://example.org/lib/category/a~b> a skos:Concept , gk:Category ;" in lines
    # and an IRI whose name needs no escape keeps its prefixed name
    assert "pat:plain a skos:Concept , gk:Pattern ;" in lines
    assert "\tgk:domain domain:governance ;" in lines and "\tgk:status status:draft ." in lines
    assert "\tgk:category category:practice ;" in lines and "\tgk:target pat:plain ." in lines


def test_no_prefixed_name_holds_a_backslash(graph):
    text = to_turtle(graph, BASE)
    assert prefixed_names_with_a_backslash(text) == []
    assert prefixed_names_with_a_backslash('pat:a\\%20b gk:slug "a\\\\b" .') == ["pat:a\\%20b"]  # the check sees one


# local name in pat: -> how Turtle writes the IRI
NAMES = {
    "plain": ("kanban", "pat:kanban"),
    "inner-dot": ("a.b-c_d", "pat:a.b-c_d"),
    "digit-first": ("360-degree", "pat:360-degree"),
    "last-dot": ("Jr.", "<https://example.org/lib/pattern/Jr.>"),
    "percent": ("a%20b", "<https://example.org/lib/pattern/a%20b>"),
    "slash": ("a/score/b", "<https://example.org/lib/pattern/a/score/b>"),
    "tilde": ("a~b", "<https://example.org/lib/pattern/a~b>"),
    "dash-first": ("-a", "<https://example.org/lib/pattern/-a>"),
    "dot-first": (".a", "<https://example.org/lib/pattern/.a>"),
    "colon": ("a:b", "<https://example.org/lib/pattern/a:b>"),  # legal unescaped, but not every reader takes it
    "non-ascii": ("é", "<https://example.org/lib/pattern/é>"),  # (graphkit's own IRIs are ASCII)
}


@pytest.mark.parametrize(("local", "written"), list(NAMES.values()), ids=list(NAMES))
def test_serialize_triples_writes_a_prefixed_name_only_where_no_escape_is_needed(local, written):
    iri = ox.NamedNode(BASE + "pattern/" + local)
    triples = [ox.Triple(iri, ox.NamedNode(GK.related), iri), ox.Triple(iri, ox.NamedNode(GK.slug), ox.Literal(local))]
    text = serialize_triples(triples, "turtle", BASE)
    assert text.splitlines()[-2:] == [f"{written} gk:related {written} ;", f'\tgk:slug "{local}" .']
    assert by_oxigraph(text, "turtle") == set(triples)


def test_the_export_and_serialize_triples_write_the_same_turtle(graph):
    assert serialize_triples(to_triples(graph, BASE), "turtle", BASE) == to_turtle(graph, BASE)


def test_a_literal_that_holds_an_iri_in_angle_brackets_stays_as_it_is(escapes):
    triples = by_oxigraph(to_turtle(escapes, BASE), "turtle")
    (summary,) = {t.object.value for t in triples if t.predicate.value.endswith("#definition")}
    assert summary == "looks like a stand-in: <urn:00000000000000000000000000000000:" + BASE + "pattern/Jr.>"


def test_turtle_stays_byte_identical_run_to_run(escapes):
    assert to_turtle(escapes, BASE) == to_turtle(escapes, BASE)


# --------------------------------------------------------------------------- every reader, the same triples


@pytest.mark.filterwarnings("ignore:ConjunctiveGraph is deprecated:DeprecationWarning")  # rdflib JSON-LD parser
@pytest.mark.parametrize("fmt", sorted(OX_FORMATS))
def test_rdflib_and_pyoxigraph_read_the_same_triples(graph, fmt):
    text = to_rdf(graph, fmt, BASE)
    written = set(to_triples(graph, BASE))
    assert by_oxigraph(text, fmt) == written
    # rdflib normalizes some literals (dates, decimals): compare it with its own reading of N-Triples
    assert by_rdflib(text, fmt) == by_rdflib(to_rdf(graph, "ntriples", BASE), "ntriples")
    assert len(by_rdflib(text, fmt)) == len(written)


@pytest.mark.parametrize("fmt", ["turtle", "ntriples"])
def test_rapper_reads_the_same_triples(graph, fmt, rapper, tmp_path):
    path = tmp_path / f"lib.{fmt}"
    path.write_text(to_rdf(graph, fmt, BASE), encoding="utf-8")
    lines = by_rapper(rapper, path, fmt)
    written = set(to_triples(graph, BASE))
    assert len(lines) == len(written)
    assert by_oxigraph("\n".join(lines), "ntriples") == as_rapper_reads(written)


# --------------------------------------------------------------------------- the real corpus


@pytest.fixture(scope="module")
def corpus_exports(corpus_library, tmp_path_factory):
    G = corpus_library.graph
    folder = tmp_path_factory.mktemp("corpus-rdf")
    texts = {fmt: to_rdf(G, fmt) for fmt in OX_FORMATS}
    for fmt, text in texts.items():
        (folder / f"lib.{fmt}").write_text(text, encoding="utf-8")
    return set(to_triples(G)), texts, folder


@pytest.mark.corpus
@pytest.mark.slow
@pytest.mark.filterwarnings("ignore:ConjunctiveGraph is deprecated:DeprecationWarning")
def test_corpus_reads_alike_in_rdflib_and_pyoxigraph(corpus_exports):
    written, texts, _ = corpus_exports
    assert len(written) > 60_000
    assert prefixed_names_with_a_backslash(texts["turtle"]) == []
    assert "<https://w3id.org/graphkit/library/origin/Alfred%20P.%20Sloan%20Jr.> a skos:Concept" in texts["turtle"]
    by_nt = by_rdflib(texts["ntriples"], "ntriples")
    assert len(by_nt) == len(written)
    for fmt, text in texts.items():
        assert by_oxigraph(text, fmt) == written, fmt
        if fmt != "ntriples":
            assert by_rdflib(text, fmt) == by_nt, fmt


@pytest.mark.corpus
@pytest.mark.parametrize("fmt", ["turtle", "ntriples"])
def test_corpus_reads_alike_in_rapper(corpus_exports, fmt, rapper):
    written, _, folder = corpus_exports
    lines = by_rapper(rapper, folder / f"lib.{fmt}", fmt)
    assert len(lines) == len(written)
    assert by_oxigraph("\n".join(lines), "ntriples") == written == as_rapper_reads(written)
