"""SPARQL on pyoxigraph: every shipped query against the same question asked of NetworkX; safety."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import networkx as nx
import pyoxigraph as ox
import pytest

from graphkit import QueryError, load_library
from graphkit.query import (
    check_query,
    find_queries,
    load_store,
    parse_binding,
    query,
    resolve_query,
    to_csv,
    to_json,
    to_table,
    to_tsv,
)
from graphkit.rdf import relation_iri, to_triples, write_rdf

REPO = Path(__file__).resolve().parents[1]
CORPUS = REPO.parent / "shared" / "corpus" / "commons-os-patterns-2026-02-17" / "_patterns"
INVERSE = {
    "generalizes_from": "specializes_to",
    "specializes_to": "generalizes_from",
    "enables": "enabled_by",
    "requires": "required_by",
    "tools": "tool_for",
}
SYMMETRIC = {"related", "alternatives", "complementary"}
FACETS = {"domain": "domains", "category": "categories", "era": "era", "origin": "origin"}


# --------------------------------------------------------------------------- the same questions, asked of NetworkX


def curated(G):
    return [(u, v, d["relation"]) for u, v, d in G.edges(data=True) if not d["inferred"]]


def stated(G):
    """The relation triples the export states: curated ones, their inverses, both sides of symmetric ones."""
    out = set()
    for u, v, r in curated(G):
        out.add((u, r, v))
        if r in SYMMETRIC:
            out.add((v, r, u))
        elif r in INVERSE:
            out.add((v, INVERSE[r], u))
    return out


def title(G, n):
    return G.nodes[n]["title"]


def nx_patterns_per_domain(G):
    counts = Counter(d["domain"] for _, d in G.nodes(data=True) if d["domain"])
    return sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))


def nx_facet_counts(G):
    rows = []
    for facet in ("category", "domain", "era", "origin", "status"):
        counts = Counter()
        for _, d in G.nodes(data=True):
            values = [d["status"]] if facet == "status" and d["status"] else d.get(FACETS.get(facet, ""), [])
            counts.update(set(values))
        rows += [(facet, v, n) for v, n in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))]
    return rows


def nx_links_per_relation(G):
    counts = Counter(relation_iri(r) for _, _, r in curated(G))
    return sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))


def nx_enables_transitively(G, roots=None):
    H = nx.DiGraph([(u, v) for u, r, v in stated(G) if r == "enables"])
    rows = []
    for root in sorted(roots or H.nodes):
        if root in H:
            rows += [(root, p, title(G, p)) for p in sorted(nx.descendants(H, root))]
    return rows


def nx_generalization_tree(G, roots=None):
    H = nx.DiGraph([(u, v) for u, r, v in stated(G) if r == "generalizes_from"])
    rows = []
    for root in sorted(roots or G.nodes):
        under = ({root} | nx.descendants(H, root)) if root in H else {root}
        rows += [(root, p, c, title(G, c)) for p in under if p in H for c in H.successors(p)]
    return sorted(rows)


def nx_requires_without_alternative(G):
    s = stated(G)
    has_alternative = {u for u, r, _ in s if r == "alternatives"}
    return sorted((u, v, title(G, v)) for u, r, v in s if r == "requires" and v not in has_alternative)


def nx_hubs(G):
    degree = Counter()
    for u, v, _ in curated(G):
        degree[u] += 1
        degree[v] += 1
    top = sorted(degree, key=lambda n: (-degree[n], n))[:10]
    return [(n, title(G, n), degree[n]) for n in top]


def nx_orphans(G):
    linked = {n for u, v, _ in curated(G) for n in (u, v)}
    return [(n, title(G, n)) for n in sorted(G) if n not in linked]


def nx_neighbours(G, roots=None):
    rows = [(u, relation_iri(r), v, title(G, v)) for u, r, v in stated(G) if roots is None or u in roots]
    return sorted(rows)


def nx_one_sided_links(G):
    c = set(curated(G))
    used = {r for _, _, r in c}
    rows = []
    for u, v, r in c:
        back = r if r in SYMMETRIC else INVERSE.get(r) if INVERSE.get(r) in used else None
        if back and (v, u, back) not in c:
            rows.append((u, relation_iri(r), v))
    return sorted(rows)


def nx_uncurated_inferred_links(G):
    s = stated(G)
    rows = [
        (u, relation_iri(d["relation"]), v, d.get("confidence"), d.get("reason"))
        for u, v, d in G.edges(data=True)
        if d["inferred"] and (u, d["relation"], v) not in s
    ]
    return sorted(rows, key=lambda r: (-(r[3] or 0), r[0], r[2]))


def nx_score_summary(G):
    values = {}
    for _, d in G.nodes(data=True):
        for k, v in d["scores"].items():
            values.setdefault(k, []).append(v)
    return [(k, len(v), sum(v) / len(v), min(v), max(v)) for k, v in sorted(values.items())]


def nx_search(G, text):
    t = text.lower()
    hits = [n for n, d in G.nodes(data=True) if t in d["title"].lower() or any(t in a.lower() for a in d["aliases"])]
    return [(text, n, title(G, n)) for n in sorted(hits)]


REFERENCE = {
    "patterns-per-domain": nx_patterns_per_domain,
    "facet-counts": nx_facet_counts,
    "links-per-relation": nx_links_per_relation,
    "enables-transitively": nx_enables_transitively,
    "generalization-tree": nx_generalization_tree,
    "requires-without-alternative": nx_requires_without_alternative,
    "hubs": nx_hubs,
    "orphans": nx_orphans,
    "neighbours": nx_neighbours,
    "one-sided-links": nx_one_sided_links,
    "uncurated-inferred-links": nx_uncurated_inferred_links,
    "score-summary": nx_score_summary,
}


def rows_of(result):
    return [tuple(row.values()) for row in result.rows]


def approx_rows(rows):
    return [tuple(round(x, 9) if isinstance(x, float) else x for x in row) for row in rows]


@pytest.fixture(scope="module")
def sample():
    return load_library()


@pytest.fixture(scope="module")
def store(sample):
    return load_store(sample)


# --------------------------------------------------------------------------- shipped queries


def test_there_are_at_least_ten_shipped_queries_each_described_and_checked_here():
    queries = find_queries()
    assert len(queries) >= 10
    for name, q in queries.items():
        assert q.text.startswith("# ") and len(q.description) > 20, name
        assert name in REFERENCE or name == "search", f"shipped query {name} has no NetworkX reference in this test"


@pytest.mark.parametrize("name", sorted(REFERENCE), ids=sorted(REFERENCE))
def test_shipped_query_equals_networkx_on_the_sample(sample, store, name):
    expected = REFERENCE[name](sample.graph)
    assert expected, f"{name}: the sample gives no rows, so the test could not fail"
    assert approx_rows(rows_of(query(store, name))) == approx_rows(expected)


@pytest.mark.parametrize("root", ["alignment-monitoring", "purpose-definition", "kanban"], ids=str)
def test_parameterized_queries_with_a_bound_pattern(sample, store, root):
    G = sample.graph
    assert rows_of(query(store, "enables-transitively", {"pattern": root})) == nx_enables_transitively(G, [root])
    assert rows_of(query(store, "generalization-tree", {"pattern": root})) == nx_generalization_tree(G, [root])
    assert rows_of(query(store, "neighbours", {"pattern": root})) == nx_neighbours(G, {root})


def test_bound_generalization_tree_is_not_empty(sample, store):
    roots = [n for n in sample.graph if nx_generalization_tree(sample.graph, [n])]
    assert roots
    for root in roots:
        assert rows_of(query(store, "generalization-tree", {"pattern": root})) == nx_generalization_tree(
            sample.graph, [root]
        )


@pytest.mark.parametrize("text", ["kai", "LEAN", "ü", "no such words"], ids=str)
def test_search_query(sample, store, text):
    assert rows_of(query(store, "search", {"text": text})) == nx_search(sample.graph, text)


def test_counts_equal_networkx(sample, store):
    G = sample.graph
    (row,) = query(store, "SELECT (COUNT(?p) AS ?n) WHERE { ?p a gk:Pattern }").rows
    assert row["n"] == G.number_of_nodes() == 37
    assert dict(rows_of(query(store, "links-per-relation"))) == {
        relation_iri(r): n for r, n in sample.stats()["edges_by_relation"].items()
    }
    inferred = query(store, "SELECT (COUNT(?l) AS ?n) WHERE { ?l a gk:InferredLink }").rows[0]["n"]
    assert inferred == sample.stats()["inferred_edges"] == 34


def test_one_sided_links_agree_with_check(sample, store):
    kinds = ("one-sided-inverse", "one-sided-symmetric")
    assert len(query(store, "one-sided-links")) == sum(1 for p in sample.problems if p.kind in kinds) == 41


def test_hubs_agree_with_stats(sample, store):
    hubs = [(h["slug"], h["degree"]) for h in sample.stats(top=10)["most_connected"]]
    assert [(r["pattern"], r["links"]) for r in query(store, "hubs").rows] == hubs


# --------------------------------------------------------------------------- sources, forms, formats


@pytest.mark.parametrize("fmt,suffix", [("turtle", ".ttl"), ("ntriples", ".nt"), ("jsonld", ".jsonld")], ids=str)
def test_an_exported_file_answers_like_the_folder(tmp_path, sample, fmt, suffix):
    path = write_rdf(sample.graph, tmp_path / f"lib{suffix}", fmt)
    assert rows_of(query(path, "hubs")) == rows_of(query(sample.root, "hubs")) == nx_hubs(sample.graph)


def test_the_store_holds_only_the_library_and_the_ontology(sample, store):
    assert len(store) == len(to_triples(sample.graph, with_ontology=True))
    assert list(store.named_graphs()) == []


def test_ask_construct_and_describe(store):
    assert query(store, "ASK { ?p gk:slug 'kanban' }").boolean is True
    assert query(store, "ASK { ?p gk:slug 'no-such-pattern' }").rows == [{"ask": False}]
    built = query(store, "CONSTRUCT { ?b skos:broader ?a } WHERE { ?a gk:generalizes_from ?b }")
    assert built.form == "CONSTRUCT" and len(built.triples) == len(built) > 0
    described = query(store, "DESCRIBE ?p WHERE { ?p gk:slug 'kanban' }")
    assert described.form == "DESCRIBE"
    assert {"subject", "predicate", "object"} == set(described.rows[0])
    assert any(r["object"] == "Kanban" for r in described.rows)


def test_result_formats(store):
    result = query(store, "SELECT ?p ?t ?n WHERE { ?p gk:slug 'kanban' ; skos:prefLabel ?t } ")
    assert to_csv(result) == "p,t,n\r\nhttps://w3id.org/graphkit/library/pattern/kanban,Kanban,\r\n"
    assert to_tsv(result) == '?p\t?t\t?n\n<https://w3id.org/graphkit/library/pattern/kanban>\t"Kanban"\t\n'
    data = json.loads(to_json(result))
    assert data["head"]["vars"] == ["p", "t", "n"]
    assert data["results"]["bindings"] == [
        {"p": {"type": "uri", "value": "https://w3id.org/graphkit/library/pattern/kanban"},
         "t": {"type": "literal", "value": "Kanban"}}
    ]  # fmt: skip
    assert to_table(result).splitlines() == ["p           t       n", "----------  ------  -", "pat:kanban  Kanban"]


HOSTILE_ROWS = r"""SELECT ?i ?d ?s ?l ?u WHERE {
  VALUES (?i ?d ?s ?l ?u) { (1 2.5 "a,\"b\"\tc\u001b" "x"@en <https://example.org/a>) (UNDEF UNDEF "" UNDEF UNDEF) }
}"""


def test_the_standard_formats_are_written_by_pyoxigraph():
    result = query(ox.Store(), HOSTILE_ROWS)
    # CSV: plain values, quoted where a comma or a quote needs it, CRLF line ends, unbound values empty.
    assert to_csv(result) == 'i,d,s,l,u\r\n1,2.5,"a,""b""\tc\x1b",x,https://example.org/a\r\n,,,,\r\n'
    # TSV: RDF terms in Turtle syntax (numbers abbreviated), tabs and quotes in strings escaped.
    assert to_tsv(result) == (
        '?i\t?d\t?s\t?l\t?u\n1\t2.5\t"a,\\"b\\"\\tc\x1b"\t"x"@en\t<https://example.org/a>\n\t\t""\t\t\n'
    )
    assert json.loads(to_json(result)) == {
        "head": {"vars": ["i", "d", "s", "l", "u"]},
        "results": {"bindings": [
            {"i": {"type": "literal", "value": "1", "datatype": "http://www.w3.org/2001/XMLSchema#integer"},
             "d": {"type": "literal", "value": "2.5", "datatype": "http://www.w3.org/2001/XMLSchema#decimal"},
             "s": {"type": "literal", "value": 'a,"b"\tc\x1b'},
             "l": {"type": "literal", "value": "x", "xml:lang": "en"},
             "u": {"type": "uri", "value": "https://example.org/a"}},
            {"s": {"type": "literal", "value": ""}},
        ]},
    }  # fmt: skip
    assert "\n" not in to_json(result) and "\x1b" not in to_json(result)  # one line; control characters escaped
    asked = query(ox.Store(), "ASK { FILTER(false) }")
    assert (to_json(asked), to_csv(asked), to_tsv(asked)) == ('{"head":{},"boolean":false}', "false", "false")


def test_the_standard_formats_are_for_select_and_ask(store):
    built = query(store, "CONSTRUCT { ?p a skos:Concept } WHERE { ?p gk:slug 'kanban' }")
    with pytest.raises(
        QueryError, match=r"^CSV is a format for SELECT and ASK results; this is CONSTRUCT \(give turtle"
    ):
        to_csv(built)


def test_rows_are_plain_python_values(store):
    (row,) = query(store, "SELECT ?i ?d ?b ?s WHERE { VALUES (?i ?d ?b ?s) { (3 4.5 true 'x') } }").rows
    assert row == {"i": 3, "d": 4.5, "b": True, "s": "x"}


def test_query_from_a_file_and_by_name(tmp_path, store):
    path = tmp_path / "q.rq"
    path.write_text("SELECT (COUNT(*) AS ?n) WHERE { ?p a gk:Pattern }", encoding="utf-8")
    assert query(store, f"@{path}").rows == [{"n": 37}]
    assert resolve_query("hubs") == find_queries()["hubs"].text


# --------------------------------------------------------------------------- safety


@pytest.mark.parametrize(
    "value",
    [
        'x" } ?s ?p ?o . FILTER("1"="1',
        "x\\u0022 } UNION { ?p gk:slug ?pattern } #",
        "kanban' || true || '",
        "> <x> . <y",
    ],
    ids=["quote", "escaped-quote", "single-quote", "iri-break"],
)
def test_bound_values_are_values_never_query_text(store, value):
    assert query(store, "neighbours", {"pattern": value}).rows == []
    assert query(store, "search", {"text": value}).rows == []
    (row,) = query(store, "SELECT ?v WHERE { }", {"v": value}).rows
    assert row == {"v": value}


def test_a_bound_iri_is_checked():
    with pytest.raises(QueryError, match=r"^\?p: <http://x> } SERVICE <http://y> is not a valid IRI"):
        parse_binding("p=<http://x> } SERVICE <http://y>")
    assert parse_binding("p=<https://example.org/a>") == ("p", ox.NamedNode("https://example.org/a"))
    with pytest.raises(QueryError, match=r"^binding 'nothing' is not NAME=VALUE"):
        parse_binding("nothing")


REFUSED = {
    "service": ("SELECT * WHERE { SERVICE <http://127.0.0.1:9/> { ?s ?p ?o } }", "SERVICE is refused"),
    "service-lowercase": ("select * where { service silent <http://x/> { ?s ?p ?o } }", "SERVICE is refused"),
    "service-escaped": ("SELECT * WHERE { SERV\\u0049CE <http://x/> { ?s ?p ?o } }", "SERVICE is refused"),
    "service-after-number": ("SELECT * WHERE { ?s ?p 1SERVICE <http://x/> { ?s ?p ?o } }", "SERVICE is refused"),
    "service-after-true": ("SELECT * WHERE { ?s ?p trueSERVICE <http://x/> { ?a ?b ?c } }", "SERVICE is refused"),
    "service-after-escaped-hash": (
        "PREFIX ex: <http://x/> SELECT * WHERE { ?s ex:a\\# SERVICE <http://x/> { ?s ?p ?o } }",
        "SERVICE is refused",
    ),
    "service-variable": ("SELECT * WHERE { SERVICE ?endpoint { ?s ?p ?o } }", "SERVICE is refused"),
    "from-file": ("SELECT * FROM <file:///etc/passwd> WHERE { ?s ?p ?o }", "FROM is refused"),
    "from-named": ("SELECT * FROM NAMED <http://x/> WHERE { GRAPH ?g { ?s ?p ?o } }", "FROM is refused"),
    "load": ("LOAD <file:///etc/passwd>", "LOAD is refused"),
    "insert": ("INSERT DATA { <http://x/a> <http://x/b> <http://x/c> }", "INSERT is refused"),
    "delete": ("DELETE WHERE { ?s ?p ?o }", "DELETE is refused"),
    "drop": ("DROP ALL", "DROP is refused"),
    "clear": ("CLEAR DEFAULT", "CLEAR is refused"),
}


@pytest.mark.parametrize("name", sorted(REFUSED), ids=sorted(REFUSED))
def test_queries_that_reach_outside_are_refused(store, name):
    text, message = REFUSED[name]
    with pytest.raises(QueryError, match=f"^{message}"):
        query(store, text)


@pytest.mark.parametrize(
    "text",
    [
        'SELECT ?s WHERE { ?s ?p "SERVICE <http://x/> FROM <file:///etc/passwd>" }',
        "SELECT ?s WHERE { ?s ?p ?o } # a comment on SERVICE and FROM",
        "SELECT ?service ?from WHERE { ?service ?from ?load }",
        "PREFIX ex: <http://example.org/service#> SELECT ?s WHERE { ?s ex:from ex:load }",
        "SELECT ?s WHERE { ?s <http://example.org/service/from> ?o }",
        "SELECT ?s WHERE { ?s ?p 'from'@en-fromage }",
        "SELECT ?s WHERE { ?s ?p '''a ''quoted'' SERVICE''' }",
        "PREFIX ex: <http://x/> SELECT ?s WHERE { ?s ex:a\\#from ex:b%20c.x-service }",
    ],
    ids=["string", "comment", "variables", "prefixed-names", "iri", "language-tag", "long-string", "escaped-names"],
)
def test_keywords_inside_strings_iris_and_names_are_fine(store, text):
    assert check_query(text) == "SELECT"
    query(store, text)


def test_errors_are_one_clear_line(store, tmp_path):
    with pytest.raises(
        QueryError, match=r"^the query is not valid SPARQL at line 2, column 16, near 'WHERE \{ \?s \?p \}'$"
    ):
        query(store, "SELECT ?s\nWHERE { ?s ?p }")
    with pytest.raises(QueryError, match=r"^no shipped query is named 'hub' \(known: .*hubs"):
        query(store, "hub")
    with pytest.raises(QueryError, match=r"^the query has no variable \?nope to bind$"):
        query(store, "hubs", {"nope": "x"})
    with pytest.raises(QueryError, match=r"^\?x is bound, so the query must SELECT it \(add \?x\)$"):
        query(store, "SELECT ?p WHERE { ?p gk:slug ?x }", {"x": "kanban"})
    with pytest.raises(QueryError, match=r"^not a SPARQL query: expected SELECT, ASK, CONSTRUCT or DESCRIBE$"):
        query(store, "PREFIX ex: <http://x/>")
    bad = tmp_path / "bad.ttl"
    bad.write_text("<a> <b> .", encoding="utf-8")
    with pytest.raises(
        QueryError,
        match=r"bad\.ttl: not valid Turtle \(Parser error at line 1 between columns 1 and 4: No scheme found in an ",
    ):
        query(bad, "hubs")
    with pytest.raises(QueryError, match=r"missing\.ttl: no such file or folder"):
        query(tmp_path / "missing.ttl", "hubs")
    odd = tmp_path / "lib.json"  # graphkit's node-link JSON is not RDF
    odd.write_text("{}", encoding="utf-8")
    with pytest.raises(QueryError, match=r"lib\.json: unknown RDF file type '\.json' \(known: \.jsonld, \.nt,"):
        query(odd, "hubs")


# --------------------------------------------------------------------------- the real corpus


@pytest.fixture(scope="module")
def corpus():
    if not CORPUS.is_dir():
        pytest.skip("the shared Commons OS corpus is not beside the repository")
    lib = load_library(CORPUS)
    return lib, load_store(lib)


@pytest.mark.corpus
def test_corpus_shipped_queries_equal_networkx(corpus):
    lib, store = corpus
    for name, reference in REFERENCE.items():
        expected = reference(lib.graph)
        assert expected, name
        assert approx_rows(rows_of(query(store, name))) == approx_rows(expected), name
    assert rows_of(query(store, "search", {"text": "commons"})) == nx_search(lib.graph, "commons")


@pytest.mark.corpus
def test_corpus_counts_equal_networkx(corpus):
    lib, store = corpus
    assert query(store, "SELECT (COUNT(?p) AS ?n) WHERE { ?p a gk:Pattern }").rows == [{"n": 1587}]
    assert dict(rows_of(query(store, "links-per-relation"))) == {
        relation_iri(r): n for r, n in lib.stats()["edges_by_relation"].items()
    }
    kinds = ("one-sided-inverse", "one-sided-symmetric")
    assert len(query(store, "one-sided-links")) == sum(1 for p in lib.problems if p.kind in kinds)
