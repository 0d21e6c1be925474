"""The pattern graph -> RDF triples, Turtle, N-Triples and JSON-LD.

Triples are sorted, so the same graph always gives the same bytes. Turtle is written here
(``_TurtleWriter``), N-Triples and JSON-LD by pyoxigraph.
"""

from __future__ import annotations

import datetime
import json
import math
import os
import re
from collections.abc import Iterable, Iterator, Mapping
from decimal import Decimal
from heapq import merge
from itertools import groupby, islice
from pathlib import Path
from typing import Any, NamedTuple
from urllib.parse import quote

import networkx as nx
import pyoxigraph as ox
import rdflib

from ..errors import ExportError
from ..model import DEFAULT_VOCABULARY, EXTERNAL, RelationType, Vocabulary
from .terms import (
    _KINDS,
    _ONTOLOGY_RELATIONS,
    DCTERMS,
    DEFAULT_BASE_IRI,
    FOAF,
    GK,
    OWL,
    PREFIXES,
    RDF,
    RDFS,
    SKOS,
    XSD,
    check_base_iri,
    mint_iri,
    ontology_triples,
    relation_iri,
)

__all__ = [
    "RDF_FORMATS",
    "generate_turtle",
    "iter_pattern_iris",
    "serialize_triples",
    "to_rdf",
    "to_rdflib",
    "to_statements",
    "to_triples",
    "to_turtle",
    "write_rdf",
]

_FACETS = (  # node attribute, property, class, scheme, IRI kind
    ("domains", "domain", "Domain", "DomainScheme", "domain"),
    ("categories", "category", "Category", "CategoryScheme", "category"),
    ("era", "era", "Era", "EraScheme", "era"),
    ("origin", "origin", "Origin", "OriginScheme", "origin"),
)
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_DATETIME = re.compile(r"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})?")
RDF_FORMATS = {"turtle": ox.RdfFormat.TURTLE, "ntriples": ox.RdfFormat.N_TRIPLES, "jsonld": ox.RdfFormat.JSON_LD}

# --------------------------------------------------------------------------- graph -> triples


# Inside an export a triple is plain strings: (subject, predicate, object), where the object
# is (iri,) or (lexical form, datatype, language). The subjects are sorted once; each
# subject's few statements are gathered as a set of (predicate, object), sorted, and written
# as Turtle or made into pyoxigraph triples before the next subject's are gathered, so an
# export never holds all its statements at once. Plain tuples hash and sort fast; sorting
# each subject's few statements costs far less than sorting every triple at once.
_Obj = tuple[str, ...]
_Key = tuple[str, str, _Obj]
_Statements = Iterable[tuple[str, set[tuple[str, _Obj]]]]  # (subject, its statements), subjects in order

_RDF_TYPE = RDF + "type"
_TYPE = ""  # rdf:type inside a key: the empty string sorts first, so each subject starts with its types
_XSD_STRING = XSD + "string"
_XSD_DECIMAL = XSD + "decimal"
_XSD_DATE = XSD + "date"
_XSD_DATETIME = XSD + "dateTime"
_T = {name: str(GK[name]) for name in GK.__annotations__}
_N = {
    "Concept": SKOS + "Concept",
    "ConceptScheme": SKOS + "ConceptScheme",
    "inScheme": SKOS + "inScheme",
    "prefLabel": SKOS + "prefLabel",
    "altLabel": SKOS + "altLabel",
    "definition": SKOS + "definition",
    "broader": SKOS + "broader",
    "narrower": SKOS + "narrower",
    "related": SKOS + "related",
    "identifier": DCTERMS + "identifier",
    "title": DCTERMS + "title",
    "created": DCTERMS + "created",
    "modified": DCTERMS + "modified",
    "description": DCTERMS + "description",
    "page": FOAF + "page",
    "value": RDF + "value",
    "label": RDFS + "label",
    "comment": RDFS + "comment",
    "subPropertyOf": RDFS + "subPropertyOf",
    "domain": RDFS + "domain",
    "range": RDFS + "range",
    "ObjectProperty": OWL + "ObjectProperty",
    "SymmetricProperty": OWL + "SymmetricProperty",
    "inverseOf": OWL + "inverseOf",
    "versionInfo": OWL + "versionInfo",
}
_PAGE_SAFE = "!#$%&'()*+,/:;=?@[]~-._"


class _Relation(NamedTuple):
    iri: str
    inverse: str | None
    symmetric: bool


def _relations(vocabulary: Vocabulary, base: str) -> dict[str, _Relation]:
    """Each relation the export can state, by name: the graph's vocabulary with its inverses, and
    the built-in relations as the ontology defines them (a library cannot redefine those)."""
    table = {}
    for rt in (*vocabulary.with_inverses(), *DEFAULT_VOCABULARY.with_inverses()):
        inverse = relation_iri(rt.inverse, base) if rt.inverse and not rt.symmetric else None
        table[rt.name] = _Relation(relation_iri(rt.name, base), inverse, rt.symmetric)
    return table


def _text(value: Any, where: str) -> _Obj:
    text = str(value)
    try:
        if not text.isascii():  # (ASCII text, nearly all of it, is always valid)
            text.encode("utf-8")
    except UnicodeEncodeError as err:
        raise ExportError(f"{where}: {text!r} cannot be written as RDF ({err.reason}); fix the frontmatter") from err
    return (text, _XSD_STRING, "")


def _decimal(value: float) -> _Obj:
    text = format(Decimal(repr(float(value))), "f")
    if "." not in text:
        text += ".0"
    return (text, _XSD_DECIMAL, "")


def _date(value: Any, where: str) -> _Obj:
    """An ISO date as xsd:date, an ISO date and time as xsd:dateTime, anything else as text."""
    text = str(value)
    try:
        if _DATE.fullmatch(text):
            datetime.date.fromisoformat(text)
            return (text, _XSD_DATE, "")
        if _DATETIME.fullmatch(text):
            datetime.datetime.fromisoformat(text.replace("Z", "+00:00"))
            return (text.replace(" ", "T"), _XSD_DATETIME, "")
    except ValueError:
        pass
    return _text(text, where)


def _page(url: Any) -> str | None:
    """A page URL as an IRI: http(s) only, characters an IRI cannot hold percent-encoded."""
    if not isinstance(url, str) or not re.match(r"https?://[^/?#\s]", url, re.IGNORECASE):
        return None
    iri = quote(url, safe=_PAGE_SAFE, errors="surrogatepass")
    try:
        ox.NamedNode(iri)
    except ValueError:
        return None
    return iri


def to_triples(
    G: nx.MultiDiGraph,
    base_iri: str = DEFAULT_BASE_IRI,
    asserted_only: bool = False,
    with_ontology: bool = False,
) -> list[ox.Triple]:
    """The RDF triples of the pattern graph, sorted and without duplicates.

    Parameters
    ----------
    G : nx.MultiDiGraph
        A graph from ``build_graph`` or ``load_library``; it is not modified.
    base_iri : str
        Where the library's own IRIs live (patterns, facet values, links), ending in ``/`` or ``#``.
    asserted_only : bool
        Only the relations the files state. By default the export also states the inverse of
        every inverse relation and the other direction of every symmetric one, so SPARQL
        needs no reasoner. Curated links (``gk:CuratedLink``) always record what was asserted.
    with_ontology : bool
        Include the triples of the graphkit ontology.

    Returns
    -------
    list of pyoxigraph.Triple

    Examples
    --------
    >>> from graphkit import Pattern, Link, build_graph
    >>> G = build_graph([Pattern("a", "A", links=(Link("enables", "b"),)), Pattern("b", "B")])
    >>> triples = to_triples(G, "https://example.org/")
    >>> ox.Triple(ox.NamedNode("https://example.org/pattern/b"), ox.NamedNode(GK.enabled_by),
    ...           ox.NamedNode("https://example.org/pattern/a")) in triples
    True
    >>> len(to_triples(G, "https://example.org/", asserted_only=True)) < len(triples)
    True
    """
    subjects = _Subjects(G, check_base_iri(base_iri), asserted_only)
    return list(_to_oxigraph(subjects.statements(with_ontology)))


def to_statements(
    G: nx.MultiDiGraph, base_iri: str = DEFAULT_BASE_IRI, asserted_only: bool = False
) -> dict[str, set[tuple[str, tuple[str, ...]]]]:
    """The statements of ``to_triples`` as plain strings, gathered by subject and not sorted.

    For code that reads every statement once (the SHACL checks): it skips making and sorting
    hundreds of thousands of pyoxigraph terms. A subject is an IRI, or ``_:`` and a blank
    node's id; each statement is ``(predicate, object)``, the object ``(iri,)`` or
    ``(lexical form, datatype IRI, language)``. The predicate rdf:type is the empty string.

    Examples
    --------
    >>> from graphkit import Pattern, build_graph
    >>> statements = to_statements(build_graph([Pattern("a", "A")]), "https://example.org/")
    >>> sorted(statements["https://example.org/pattern/a"])[-1]
    ('https://w3id.org/graphkit/ontology#slug', ('a', 'http://www.w3.org/2001/XMLSchema#string', ''))
    """
    return dict(_Subjects(G, check_base_iri(base_iri), asserted_only).statements())


_LIBRARY, _CONCEPT, _SCORE, _PATTERN, _LINK, _RELATION, _ONTOLOGY, _EXTERNAL = range(8)  # the kinds of subject


class _Subjects:
    """Every subject of one graph's export, sorted by IRI, with what its statements need.

    Making it mints every IRI once; ``statements`` then gives each subject's statements in turn.
    An item names what it needs with plain values (a slug, an edge's index), never a dict of
    the graph: Python's collector stops tracking a tuple of plain values, so the index of a
    large export does not set off full collections over the whole loaded library (on a
    36,000-pattern library they took 6.6 s of a 21 s export with dicts in the items, and 2 to
    3 s of 17 s without).
    """

    def __init__(self, G: nx.MultiDiGraph, base: str, asserted_only: bool) -> None:
        self.G, self.base, self.asserted_only = G, base, asserted_only
        self.vocabulary = G.graph.get("vocabulary", DEFAULT_VOCABULARY)
        self.relations = _relations(self.vocabulary, base)
        self.library = mint_iri(base, "library")
        items: list[tuple[str, int, Any]] = [(self.library, _LIBRARY, None)]
        # Facet values first, from every pattern: a value's statements name the first
        # pattern that has it when its label cannot be written.
        concepts: dict[tuple[str, str], _Obj] = {}
        for slug, data in G.nodes(data=True):
            for attr, several, kind, cls, scheme in _CONCEPT_SOURCES:
                values = data.get(attr)
                if not values:
                    continue
                for value in values if several else (values,):
                    if (kind, value) not in concepts:
                        iri = mint_iri(base, kind, value)
                        concepts[(kind, value)] = (iri,)
                        items.append((iri, _CONCEPT, (value, cls, scheme, str(data.get("path") or slug))))
        patterns: dict[str, str] = {}
        self.data: dict[str, dict[str, Any]] = {}  # slug -> node attributes, without NetworkX's views
        externals: set[str] = set()
        for slug, data in G.nodes(data=True):
            self.data[slug] = data
            if data.get("kind") == EXTERNAL:  # a target outside the library: no pattern
                externals.add(slug)
                patterns[slug] = mint_iri(base, "external", slug)
                items.append((patterns[slug], _EXTERNAL, slug))
                continue
            patterns[slug] = mint_iri(base, "pattern", slug)
            items.append((patterns[slug], _PATTERN, slug))
            for dimension in data.get("scores") or {}:
                items.append((mint_iri(base, "pattern", slug, "score", dimension), _SCORE, (slug, dimension)))
        # Each pattern's curated links, out and in, for the relations its own statements state.
        self.links_out: dict[str, list[tuple[_Relation, str]]] = {}
        self.links_in: dict[str, list[tuple[_Relation, str]]] = {}
        self.edges: list[dict[str, Any]] = []  # the attributes of each edge
        for u, v, data in G.edges(data=True):
            link = mint_iri(base, "inferred" if data.get("inferred") else "link", u, data["relation"], v)
            items.append((link, _LINK, (u, v, len(self.edges))))
            self.edges.append(data)
            if not data.get("inferred") and v not in externals:  # a link to an external node is only its gk:Link
                rel = self.relation(data["relation"])
                self.links_out.setdefault(u, []).append((rel, v))
                self.links_in.setdefault(v, []).append((rel, u))
        for rt in self.vocabulary.with_inverses():
            if rt.name not in _ONTOLOGY_RELATIONS:  # the ontology declares the built-in ones
                items.append((self.relations[rt.name].iri, _RELATION, rt))
        items.sort(key=_first)
        self.items, self.concepts, self.patterns = items, concepts, patterns

    def relation(self, name: str) -> _Relation:
        """A relation of the graph; one the vocabulary does not know gets a property of the library's own."""
        rel = self.relations.get(name)
        if rel is None:
            rel = self.relations[name] = _Relation(relation_iri(name, self.base), None, False)
        return rel

    def statements(self, with_ontology: bool = False) -> Iterator[tuple[str, set[tuple[str, _Obj]]]]:
        """Each subject and the set of its statements; subjects in order.

        Two items can share a subject (parallel links of one relation share a link IRI, and
        the ontology can speak of a relation the library declares): they are sorted next to
        each other, and their statements are gathered together.
        """
        items: Iterable[tuple[str, int, Any]] = self.items
        if with_ontology:
            ontology: dict[str, set[tuple[str, _Obj]]] = {}
            for t in ontology_triples():
                s, p, o = _key(t)
                ontology.setdefault(s, set()).add((p, o))
            items = merge(items, [(s, _ONTOLOGY, ontology[s]) for s in sorted(ontology)], key=_first)
        make = (
            self._library,
            self._concept,
            self._score,
            self._pattern,
            self._link,
            self._relation,
            set.update,
            self._external,
        )
        for iri, same in groupby(items, key=_first):
            own: set[tuple[str, _Obj]] = set()
            for _, kind, what in same:
                make[kind](own, what)
            yield iri, own

    def _library(self, own: set[tuple[str, _Obj]], _: None) -> None:
        own.update(((_TYPE, (_T["PatternLibrary"],)), (_TYPE, (_N["ConceptScheme"],))))
        if self.G.graph.get("name"):
            own.add((_N["title"], _text(self.G.graph["name"], "library name")))

    def _concept(self, own: set[tuple[str, _Obj]], what: tuple[str, str, str, str]) -> None:
        value, cls, scheme, where = what
        own.update(
            (
                (_TYPE, (_T[cls],)),
                (_TYPE, (_N["Concept"],)),
                (_N["inScheme"], (_T[scheme],)),
                (_N["prefLabel"], _text(value, where)),
            )
        )

    def _score(self, own: set[tuple[str, _Obj]], what: tuple[str, str]) -> None:
        slug, dimension = what
        own.update(
            (
                (_TYPE, (_T["Score"],)),
                (_T["dimension"], self.concepts[("dimension", dimension)]),
                (_N["value"], _decimal(self.data[slug]["scores"][dimension])),
            )
        )

    def _pattern(self, own: set[tuple[str, _Obj]], slug: str) -> None:
        T, N, concepts, patterns = _T, _N, self.concepts, self.patterns
        data = self.data[slug]
        where = str(data.get("path") or slug)
        add = own.add
        add((_TYPE, (T["Pattern"],)))
        add((_TYPE, (N["Concept"],)))
        add((N["inScheme"], (self.library,)))
        add((T["slug"], _text(slug, where)))
        add((N["prefLabel"], _text(data.get("title") or slug, where)))
        for alias in data.get("aliases") or ():
            add((N["altLabel"], _text(alias, where)))
        if data.get("id"):
            add((N["identifier"], _text(data["id"], where)))
        if data.get("summary"):
            add((N["definition"], _text(data["summary"], where)))
        for attr, prop, _, _, kind in _FACETS:
            for value in data.get(attr) or ():
                add((T[prop], concepts[(kind, value)]))
        if data.get("domain"):
            add((T["primaryDomain"], concepts[("domain", data["domain"])]))
        if data.get("status"):
            add((T["status"], concepts[("status", data["status"])]))
        for dimension in data.get("scores") or {}:
            add((T["score"], (mint_iri(self.base, "pattern", slug, "score", dimension),)))
        if data.get("lifecycle"):
            own.update(_lifecycle(data["lifecycle"], where))
        page = _page(data.get("page_url"))
        if page is not None:
            add((N["page"], (page,)))
        if data.get("path"):
            add((T["sourceFile"], _text(data["path"], where)))
        if data.get("generation"):
            add((T["generation"], _text(data["generation"], where)))
        # The curated relations: those the file states, and (unless asserted only) the
        # inverse or other direction of those other files state about this one.
        for rel, target in self.links_out.get(slug, ()):
            add((rel.iri, (patterns[target],)))
        if self.asserted_only:
            return
        for rel, source in self.links_in.get(slug, ()):
            if rel.symmetric:
                add((rel.iri, (patterns[source],)))
            if rel.inverse is not None:
                add((rel.inverse, (patterns[source],)))

    def _external(self, own: set[tuple[str, _Obj]], ref: str) -> None:
        own.update(((_TYPE, (_T["ExternalNode"],)), (_N["label"], _text(ref, ref))))

    def _link(self, own: set[tuple[str, _Obj]], what: tuple[str, str, int]) -> None:
        u, v, edge = what
        data = self.edges[edge]
        T = _T
        rel = self.relation(data["relation"])
        where = str(self.data[u].get("path") or u)
        if data.get("inferred"):
            own.add((_TYPE, (T["InferredLink"],)))
            if data.get("confidence") is not None:
                own.add((T["confidence"], _decimal(data["confidence"])))
            if data.get("reason"):
                own.add((T["reason"], _text(data["reason"], where)))
        else:
            own.add((_TYPE, (T["CuratedLink"],)))
            if data.get("weight") is not None:
                own.add((T["weight"], _decimal(data["weight"])))
            if data.get("description"):
                own.add((_N["description"], _text(data["description"], where)))
        own.update(
            (
                (_TYPE, (T["Link"],)),
                (T["source"], (self.patterns[u],)),
                (T["relation"], (rel.iri,)),
                (T["target"], (self.patterns[v],)),
            )
        )

    def _relation(self, own: set[tuple[str, _Obj]], rt: RelationType) -> None:
        own.update((p, o) for _, p, o in _declare_relation(rt, self.relations[rt.name]))


def _first(item: tuple[str, int, Any]) -> str:
    return item[0]


#: Where a pattern's facet values are (node attribute, whether it holds several), and what
#: they become (IRI kind, class, scheme), in the order the export meets them.
_CONCEPT_SOURCES = (
    *((attr, True, kind, cls, scheme) for attr, _, cls, scheme, kind in _FACETS),
    ("domain", False, "domain", "Domain", "DomainScheme"),
    ("status", False, "status", "Status", "StatusScheme"),
    ("scores", True, "dimension", "ScoreDimension", "ScoreDimensionScheme"),  # its keys
)


def _lifecycle(lifecycle: Mapping[str, Any], where: str) -> list[tuple[str, _Obj]]:
    """A pattern's lifecycle record: each known key as a property, and the whole record as JSON text.

    The text is a plain string: ``rdf:JSON`` is no OWL 2 datatype, so OWL 2 DL reasoners
    (HermiT) refuse it. A known key whose value is not a single value of its kind (a list, a
    word for a number) is only in the text.

    >>> [p.split("#")[-1] for p, o in _lifecycle({"confidence": 3, "usage_stage": [1], "x": 10**400}, "a.md")]
    ['confidenceRating', 'lifecycle']
    >>> [p.split("#")[-1] for p, o in _lifecycle({"confidence": 10**400}, "a.md")]
    ['lifecycle']
    """
    statements = []
    for key, prop in (("usage_stage", "usageStage"), ("adoption_stage", "adoptionStage")):
        value = lifecycle.get(key)
        if isinstance(value, (str, int, float)) and not isinstance(value, bool) and str(value):
            statements.append((_T[prop], _text(value, where)))
    confidence = _finite(lifecycle.get("confidence"))
    if confidence is not None:
        statements.append((_T["confidenceRating"], _decimal(confidence)))
    modified = "modified" if lifecycle.get("modified") not in (None, "") else "last_updated"
    for prop, key in (("created", "created"), ("modified", modified)):
        if lifecycle.get(key) not in (None, ""):
            statements.append((_N[prop], _date(lifecycle[key], where)))
    if lifecycle.get("version") not in (None, ""):
        statements.append((_N["versionInfo"], _text(lifecycle["version"], where)))
    text = json.dumps(lifecycle, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str)
    statements.append((_T["lifecycle"], _text(text, where)))
    return statements


def _finite(value: Any) -> float | None:
    """A number as a finite float; None for anything else (a word, a boolean, infinity, an int too large)."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    try:
        number = float(value)
    except OverflowError:
        return None
    return number if math.isfinite(number) else None


def _declare_relation(rt: RelationType, rel: _Relation) -> list[_Key]:
    """A relation the library declares in its configuration (or the inverse it names), declared in the export itself."""
    p = rel.iri
    triples = [
        (p, _TYPE, (_N["ObjectProperty"],)),
        (p, _N["label"], _text(rt.label or rt.name, rt.name)),
        (p, _N["subPropertyOf"], (_N[rt.skos],)),
        (p, _N["domain"], (_T["Pattern"],)),
        (p, _N["range"], (_T["Pattern"],)),
    ]
    if rt.comment:
        triples.append((p, _N["comment"], _text(rt.comment, rt.name)))
    if rel.symmetric:
        triples.append((p, _TYPE, (_N["SymmetricProperty"],)))
    if rel.inverse is not None:
        triples.append((p, _N["inverseOf"], (rel.inverse,)))
    return triples


def _key(t: ox.Triple) -> _Key:
    """The plain-string form of a pyoxigraph triple (blank nodes as ``_:id``)."""

    def name(term: Any) -> str:
        return term.value if isinstance(term, ox.NamedNode) else f"_:{term.value}"

    o = t.object
    if isinstance(o, ox.Literal):
        obj: _Obj = (o.value, o.datatype.value, o.language or "")
    else:
        obj = (name(o),)
    predicate = t.predicate.value
    return (name(t.subject), _TYPE if predicate == _RDF_TYPE else predicate, obj)


def _to_oxigraph(statements: _Statements) -> Iterator[ox.Triple]:
    """The statements (as ``_Subjects.statements`` gives them) as pyoxigraph triples, in the same order.

    A generator: pyoxigraph writes N-Triples and JSON-LD a triple at a time as it comes, so a
    large export never holds all its triples at once (and runs faster for it).
    """
    # The hot loop of every export (one pass over ~40 triples per pattern): each IRI becomes
    # a term once, every lookup is a local name, and string literals (most of them) take the
    # shortest branch.
    blank, literal, triple, named = ox.BlankNode, ox.Literal, ox.Triple, ox.NamedNode
    terms: dict[str, Any] = {"": named(_RDF_TYPE)}  # "" is rdf:type inside a statement
    get = terms.get

    def make(value: str) -> Any:
        return blank(value[2:]) if value[:2] == "_:" else named(value)

    def term(value: str) -> Any:
        made = terms[value] = make(value)
        return made

    for s, own in statements:
        subject = get(s) or make(s)  # each subject comes once: kept as a term only if it is an object too
        for p, o in sorted(own):
            if len(o) == 1:
                obj: Any = get(o[0]) or term(o[0])
            elif o[1] == _XSD_STRING:
                obj = literal(o[0])
            elif o[2]:
                obj = literal(o[0], language=o[2])
            else:
                obj = literal(o[0], datatype=get(o[1]) or term(o[1]))
            yield triple(subject, get(p) or term(p), obj)


# --------------------------------------------------------------------------- serialization


def _prefixes(base: str) -> dict[str, str]:
    data = {
        kind: base + path for kind, path in _KINDS.items() if path and kind not in ("pattern", "relation", "external")
    }
    data["pat"] = base + _KINDS["pattern"]
    return {**PREFIXES, **data}


# A local name that needs no backslash in Turtle: an ASCII subset of PN_LOCAL, which is all
# that graphkit's percent-encoded IRIs need (a name that ends in a dot needs one).
_PLAIN_LOCAL = re.compile(r"(?:[A-Za-z0-9_](?:[A-Za-z0-9_.-]*[A-Za-z0-9_-])?)?\Z").match
# What an IRI in Turtle (IRIREF) cannot hold. Every IRI graphkit mints is percent-encoded; the
# check stops a caller's own triple from ending the IRI early.
_NOT_IN_IRI = re.compile(r'[\x00-\x20<>"{}|^`\\]').search
# What a quoted string in Turtle writes with a backslash (as pyoxigraph's writer does).
_STRING_ESCAPES = {
    **{c: f"\\u{c:04X}" for c in (*range(0x20), 0x7F, 0xFFFE, 0xFFFF)},
    0x08: "\\b", 0x09: "\\t", 0x0A: "\\n", 0x0C: "\\f", 0x0D: "\\r", 0x22: '\\"', 0x5C: "\\\\",
}  # fmt: skip
_NEEDS_ESCAPE = re.compile("[" + "".join(re.escape(chr(c)) for c in _STRING_ESCAPES) + "]").search
# Typed literals Turtle writes bare when the text has the grammar's form: ``42``, ``1.5``, ``true``.
_BARE = {
    XSD + "integer": re.compile(r"[+-]?[0-9]+\Z").match,
    XSD + "decimal": re.compile(r"[+-]?[0-9]*\.[0-9]+\Z").match,
    XSD + "double": re.compile(r"[+-]?(?:[0-9]+\.[0-9]*|\.[0-9]+|[0-9]+)[eE][+-]?[0-9]+\Z").match,
    XSD + "boolean": re.compile(r"(?:true|false)\Z").match,
}


class _TurtleWriter:
    """The one place that writes Turtle, a subject at a time; the text is what pyoxigraph writes.

    It writes the same bytes as ``pyoxigraph.serialize`` would (a test holds it to that on
    hostile text), with one difference: an IRI is written as a prefixed name only where the
    local name needs no backslash, else in full. (pyoxigraph escapes such a name,
    ``origin:Sloan\\%20Jr\\.``: legal Turtle, but rdflib 7.6 rejects a name that ends in an
    escaped dot, and Virtuoso keeps the backslashes in the IRI.) Writing the text here rather
    than making a pyoxigraph term for every IRI and literal takes a third off a Turtle export
    (1.3 s to 0.9 s for the 420,000 triples of a 3,600-pattern library, gathering included).
    """

    def __init__(self, prefixes: Mapping[str, str]) -> None:
        self.head = "".join(sorted(f"@prefix {name}: <{ns}> .\n" for name, ns in prefixes.items()))
        # Every namespace ends in "/" or "#", and a plain local name holds neither: so an IRI's
        # prefixed name can only be under the namespace that ends where its last one does. A
        # namespace inside another declared one is never used (the outer one's local name
        # would need an escape). Of two prefixes for one namespace, the first by name.
        self._prefix: dict[str, str] = {}
        for name, ns in sorted(prefixes.items()):
            if not any(other != ns and ns.startswith(other) for other in prefixes.values()):
                self._prefix.setdefault(ns, name)
        self._names: dict[str, str] = {}

    def name(self, iri: str) -> str:
        """An IRI (or ``_:`` and a blank node's id) as Turtle."""
        text = self._names.get(iri)
        if text is None:
            text = self._names[iri] = self._name(iri)
        return text

    def _name(self, iri: str) -> str:
        if iri.startswith("_:"):
            return iri
        if _NOT_IN_IRI(iri):
            raise ExportError(f"{iri!r} cannot be written as an IRI in Turtle")
        cut = max(iri.rfind("/"), iri.rfind("#")) + 1
        prefix = self._prefix.get(iri[:cut])
        if prefix is not None and _PLAIN_LOCAL(iri, cut):
            return f"{prefix}:{iri[cut:]}"
        return f"<{iri}>"

    def term(self, o: _Obj) -> str:
        """An object: ``(iri,)`` or ``(lexical form, datatype IRI, language)``."""
        if len(o) == 1:
            return self.name(o[0])
        value, datatype, language = o
        quoted = '"' + (value.translate(_STRING_ESCAPES) if _NEEDS_ESCAPE(value) else value) + '"'
        if datatype == _XSD_STRING:
            return quoted
        if language:
            return f"{quoted}@{language}"
        bare = _BARE.get(datatype)
        if bare is not None and bare(value):
            return value
        return f"{quoted}^^{self.name(datatype)}"

    def subject(self, s: str, statements: Iterable[tuple[str, _Obj]]) -> str:
        """One subject's statements, in the order given, as Turtle: ``s p o , o ;\\n\\tp o .\\n``."""
        # The hot loop of a Turtle export (420,000 statements at 3,600 patterns): an IRI's
        # text is looked up, a string literal that needs no escape takes the shortest way.
        get, name, term = self._names.get, self.name, self.term
        parts = [get(s) or name(s)]
        add = parts.append
        last = None
        for p, o in statements:
            if len(o) == 1:
                text = get(o[0]) or name(o[0])
            elif o[1] == _XSD_STRING and not _NEEDS_ESCAPE(o[0]):
                text = '"' + o[0] + '"'
            else:
                text = term(o)
            if p == last:
                add(" , " + text)
            else:
                verb = "a" if p == _TYPE else get(p) or name(p)  # rdf:type is "" in a statement
                add((" " if last is None else " ;\n\t") + verb + " " + text)
                last = p
        add(" .\n")
        return "".join(parts)

    def statements(self, statements: _Statements) -> Iterator[str]:
        """The text of each subject of an export (as ``_Subjects.statements`` gives them), in turn."""
        for s, own in statements:
            yield self.subject(s, sorted(own))

    def triples(self, triples: Iterable[ox.Triple]) -> Iterator[str]:
        """The text of triples in the order given, a run of one subject's at a time."""
        keys = map(_key, triples)
        for s, run in groupby(keys, key=lambda k: k[0]):
            yield self.subject(s, ((p, o) for _, p, o in run))


def to_rdf(
    G: nx.MultiDiGraph,
    fmt: str = "turtle",
    base_iri: str = DEFAULT_BASE_IRI,
    asserted_only: bool = False,
    with_ontology: bool = False,
) -> str:
    """The pattern graph as RDF text: ``turtle``, ``ntriples`` or ``jsonld``. Deterministic.

    See ``to_triples`` for the parameters.

    Examples
    --------
    >>> from graphkit import Pattern, build_graph
    >>> print(to_rdf(build_graph([Pattern("a", "A")]), "ntriples", "https://example.org/").splitlines()[-1])
    <https://example.org/pattern/a> <https://w3id.org/graphkit/ontology#slug> "a" .
    """
    if fmt not in RDF_FORMATS:
        raise ExportError(f"unknown RDF format {fmt!r} (known: {', '.join(RDF_FORMATS)})")
    if fmt == "turtle":
        return "".join(generate_turtle(G, base_iri, asserted_only, with_ontology))
    statements = _Subjects(G, check_base_iri(base_iri), asserted_only).statements(with_ontology)
    return _serialize(_to_oxigraph(statements), fmt, _prefixes(base_iri))


def serialize_triples(triples: Iterable[ox.Triple], fmt: str = "turtle", base_iri: str = DEFAULT_BASE_IRI) -> str:
    """Write triples, in the order given, as ``turtle``, ``ntriples`` or ``jsonld`` with graphkit's prefixes.

    Turtle shortens an IRI to a prefixed name only where the name needs no backslash escape.

    Examples
    --------
    >>> t = ox.Triple(ox.NamedNode(DEFAULT_BASE_IRI + "pattern/a"), ox.NamedNode(GK.origin),
    ...               ox.NamedNode(DEFAULT_BASE_IRI + "origin/Sloan%20Jr."))
    >>> print(serialize_triples([t]).splitlines()[-1])
    pat:a gk:origin <https://w3id.org/graphkit/library/origin/Sloan%20Jr.> .
    """
    if fmt not in RDF_FORMATS:
        raise ExportError(f"unknown RDF format {fmt!r} (known: {', '.join(RDF_FORMATS)})")
    prefixes = _prefixes(base_iri)
    if fmt == "turtle":
        writer = _TurtleWriter(prefixes)
        body = "".join(writer.triples(triples))
        return writer.head + body if body else ""
    return _serialize(triples, fmt, prefixes)


def _serialize(triples: Iterable[ox.Triple], fmt: str, prefixes: dict[str, str]) -> str:
    return (ox.serialize(triples, format=RDF_FORMATS[fmt], prefixes=prefixes) or b"").decode("utf-8")


def to_turtle(
    G: nx.MultiDiGraph, base_iri: str = DEFAULT_BASE_IRI, asserted_only: bool = False, with_ontology: bool = False
) -> str:
    """The pattern graph as Turtle (see ``to_triples``).

    Examples
    --------
    >>> from graphkit import Pattern, build_graph
    >>> text = to_turtle(build_graph([Pattern("a", 'A "quoted" title')]))
    >>> "pat:a a skos:Concept , gk:Pattern ;" in text, 'skos:prefLabel "A \\\\"quoted\\\\" title" ;' in text
    (True, True)
    """
    return to_rdf(G, "turtle", base_iri, asserted_only, with_ontology)


def generate_turtle(
    G: nx.MultiDiGraph,
    base_iri: str = DEFAULT_BASE_IRI,
    asserted_only: bool = False,
    with_ontology: bool = False,
    subjects: int = 100,
) -> Iterator[str]:
    """``to_turtle``'s text a piece at a time, ``subjects`` subjects a piece: joined, the same bytes.

    For a writer that need not hold the whole text at once. The first piece is the prefixes.

    Examples
    --------
    >>> from graphkit import Pattern, build_graph
    >>> G = build_graph([Pattern(f"p{i}", f"P {i}") for i in range(5)])
    >>> pieces = list(generate_turtle(G, subjects=2))
    >>> len(pieces), "".join(pieces) == to_turtle(G)
    (4, True)
    """
    base = check_base_iri(base_iri)
    writer = _TurtleWriter(_prefixes(base))
    blocks = writer.statements(_Subjects(G, base, asserted_only).statements(with_ontology))
    yield writer.head
    while piece := "".join(islice(blocks, max(1, subjects))):
        yield piece


def write_rdf(
    G: nx.MultiDiGraph,
    path: str | os.PathLike[str],
    fmt: str = "turtle",
    base_iri: str = DEFAULT_BASE_IRI,
    asserted_only: bool = False,
    with_ontology: bool = False,
) -> Path:
    """Write the pattern graph as RDF to ``path`` (UTF-8); return the path."""
    text = to_rdf(G, fmt, base_iri, asserted_only, with_ontology)
    path = Path(path)
    try:
        path.write_text(text, encoding="utf-8", newline="\n")
    except OSError as err:
        raise ExportError(f"{path}: cannot write ({err.strerror or err})") from err
    return path


def to_rdflib(
    G: nx.MultiDiGraph, base_iri: str = DEFAULT_BASE_IRI, asserted_only: bool = False, with_ontology: bool = False
) -> rdflib.Graph:
    """The pattern graph as an ``rdflib.Graph``, with graphkit's prefixes bound (for notebooks).

    For SPARQL, ``graphkit.query`` runs on pyoxigraph and is much faster than ``Graph.query``.

    Examples
    --------
    >>> from graphkit import Pattern, build_graph
    >>> g = to_rdflib(build_graph([Pattern("a", "A")]))
    >>> g.value(predicate=GK.slug, object=rdflib.Literal("a"))
    rdflib.term.URIRef('https://w3id.org/graphkit/library/pattern/a')
    """
    text = to_rdf(G, "ntriples", base_iri, asserted_only, with_ontology)
    g = rdflib.Graph()
    for prefix, namespace in _prefixes(base_iri).items():
        g.bind(prefix, namespace, override=True, replace=True)
    g.parse(data=text, format="nt")
    return g


def iter_pattern_iris(G: nx.MultiDiGraph, base_iri: str = DEFAULT_BASE_IRI) -> Iterable[tuple[str, str]]:
    """(slug, IRI) of every pattern, in the graph's order.

    Examples
    --------
    >>> from graphkit import Pattern, build_graph
    >>> list(iter_pattern_iris(build_graph([Pattern("a b", "A")]), "https://example.org/"))
    [('a b', 'https://example.org/pattern/a%20b')]
    """
    for slug, kind in G.nodes(data="kind"):
        if kind != EXTERNAL:
            yield slug, mint_iri(base_iri, "pattern", slug)
