"""SPARQL over a library: a pyoxigraph store holding only the library and the ontology.

In: an exported RDF file, a library folder, a ``Library`` or a pattern graph, and a query
(text, ``@file.rq`` or the name of a shipped query). Out: rows, a boolean or triples.
User values are bound as RDF terms, never pasted into the query text; queries that could
reach outside the store (``SERVICE``, ``FROM``, ``LOAD``, updates) are refused.
"""

from __future__ import annotations

import csv
import io
import json
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any, Union

import networkx as nx
import pyoxigraph as ox

from ..errors import QueryError
from ..library import Library, load_library
from ..rdf import DEFAULT_BASE_IRI, PREFIXES, ontology_file, ontology_triples, serialize_triples, to_triples
from .guard import read_query

__all__ = [
    "QueryResult",
    "ShippedQuery",
    "check_query",
    "find_queries",
    "get_query",
    "load_store",
    "query",
    "resolve_query",
    "to_csv",
    "to_graph_text",
    "to_json",
    "to_table",
    "to_tsv",
]

Source = Union[str, "os.PathLike[str]", Library, nx.MultiDiGraph, ox.Store]
Value = Union[str, int, float, Decimal, bool, ox.NamedNode, ox.Literal]  # noqa: UP007

#: File extensions of the RDF files a query can run on.
RDF_FILE_FORMATS = {
    ".ttl": ox.RdfFormat.TURTLE,
    ".turtle": ox.RdfFormat.TURTLE,
    ".nt": ox.RdfFormat.N_TRIPLES,
    ".ntriples": ox.RdfFormat.N_TRIPLES,
    ".jsonld": ox.RdfFormat.JSON_LD,
    ".rdf": ox.RdfFormat.RDF_XML,
    ".owl": ox.RdfFormat.RDF_XML,
    ".xml": ox.RdfFormat.RDF_XML,
}

_XSD = "http://www.w3.org/2001/XMLSchema#"
_INTEGERS = {
    _XSD + name
    for name in (
        "integer", "int", "long", "short", "byte", "nonNegativeInteger", "positiveInteger",
        "nonPositiveInteger", "negativeInteger", "unsignedInt", "unsignedLong", "unsignedShort", "unsignedByte",
    )
}  # fmt: skip
_FLOATS = {_XSD + "decimal", _XSD + "double", _XSD + "float"}


# --------------------------------------------------------------------------- shipped queries


@dataclass(frozen=True)
class ShippedQuery:
    """An example query shipped in ``ontology/queries/``: its name, what it answers, its text."""

    name: str
    description: str
    text: str

    @property
    def parameters(self) -> tuple[str, ...]:
        """The variables to bind, named in the description as ``--bind NAME=...``."""
        return tuple(re.findall(r"--bind (\w+)=", self.description))


def find_queries() -> dict[str, ShippedQuery]:
    """The shipped example queries, by name, in name order.

    Examples
    --------
    >>> queries = find_queries()
    >>> queries["hubs"].description
    'The ten most connected patterns: curated links in which they are source or target.'
    >>> queries["enables-transitively"].parameters
    ('pattern',)
    """
    files = [f for f in ontology_file("queries").iterdir() if f.name.endswith(".rq")]
    out = {}
    for path in sorted(files, key=lambda f: f.name):
        text = path.read_text(encoding="utf-8")
        first = text.splitlines()[0] if text else ""
        out[path.name[:-3]] = ShippedQuery(path.name[:-3], first.lstrip("#").strip(), text)
    return out


def get_query(name: str) -> ShippedQuery:
    """The shipped query named ``name``; ``QueryError`` if there is none.

    Examples
    --------
    >>> get_query("orphans").name
    'orphans'
    """
    queries = find_queries()
    if name not in queries:
        raise QueryError(f"no shipped query is named {name!r} (known: {', '.join(queries)})")
    return queries[name]


def resolve_query(spec: str) -> str:
    """The text of a query given as SPARQL text, ``@path/to/file.rq``, or a shipped query's name.

    A name is one word of letters, digits, ``-`` and ``_``; anything else is SPARQL text.

    Examples
    --------
    >>> resolve_query("SELECT * WHERE { ?s ?p ?o }")
    'SELECT * WHERE { ?s ?p ?o }'
    >>> resolve_query("orphans").splitlines()[0]
    '# Orphans: patterns no curated link leads to or from (machine-inferred links do not count).'
    """
    if spec.startswith("@"):
        path = Path(spec[1:])
        try:
            return path.read_text(encoding="utf-8-sig")
        except (OSError, UnicodeDecodeError) as err:
            raise QueryError(f"{path}: cannot read the query ({getattr(err, 'strerror', None) or err})") from err
    if re.fullmatch(r"[A-Za-z0-9][\w-]*", spec):
        return get_query(spec).text
    return spec


# --------------------------------------------------------------------------- refusing what reaches outside


def check_query(text: str) -> str:
    """Return the query's form (``SELECT``, ``ASK``, ``CONSTRUCT``, ``DESCRIBE``), or refuse it.

    Refused, with a ``QueryRefused`` error: updates, ``LOAD``, ``SERVICE`` (a request to another
    endpoint) and ``FROM``/``FROM NAMED`` (a dataset other than the library's). The query is
    read as the engine reads it, token by token (see ``graphkit.query.guard.read_query``): a
    keyword hidden in ``\\u`` escapes is seen, a word inside a string is not.

    Examples
    --------
    >>> check_query('SELECT ?s WHERE { ?s ?p "SERVICE from a string" }')
    'SELECT'
    >>> check_query("SELECT * WHERE { SERVICE <http://example.org/sparql> { ?s ?p ?o } }")
    Traceback (most recent call last):
    ...
    graphkit.errors.QueryRefused: SERVICE is refused: a query runs on the library only, never on another endpoint
    """
    return read_query(text).form


# --------------------------------------------------------------------------- the store


def load_store(source: Source, base_iri: str = DEFAULT_BASE_IRI) -> ox.Store:
    """An in-memory pyoxigraph store holding the library's triples and the graphkit ontology.

    ``source`` is an RDF file (by extension: ``.ttl``, ``.nt``, ``.jsonld``, ``.rdf``), a
    library folder, a ``Library``, a pattern graph, or a store (returned as it is).

    Examples
    --------
    >>> store = load_store(load_library())
    >>> len(store) > 1000
    True
    """
    if isinstance(source, ox.Store):
        return source
    store = ox.Store()
    if isinstance(source, (Library, nx.MultiDiGraph)):
        G = source.graph if isinstance(source, Library) else source
        triples = to_triples(G, base_iri, with_ontology=True)
    else:
        path = Path(source)
        if path.is_dir():
            triples = to_triples(load_library(path).graph, base_iri, with_ontology=True)
        elif path.is_file():
            triples = [*_read_rdf(path), *ontology_triples()]
        else:
            raise QueryError(f"{path}: no such file or folder (give an exported RDF file or a library folder)")
    store.bulk_extend(ox.Quad(t.subject, t.predicate, t.object) for t in triples)
    return store


def _read_rdf(path: Path) -> list[ox.Triple]:
    fmt = RDF_FILE_FORMATS.get(path.suffix.lower())
    if fmt is None:
        known = ", ".join(sorted(RDF_FILE_FORMATS))
        raise QueryError(f"{path}: unknown RDF file type {path.suffix or '(none)'!r} (known: {known})")
    try:
        return [q.triple for q in ox.parse(path=str(path), format=fmt, without_named_graphs=True)]
    except SyntaxError as err:
        raise QueryError(f"{path}: not valid {fmt.name} ({err.msg if hasattr(err, 'msg') else err})") from err
    except (OSError, ValueError) as err:
        raise QueryError(f"{path}: cannot read ({err})") from err


# --------------------------------------------------------------------------- running a query


@dataclass
class QueryResult:
    """What a query gave: rows (``SELECT``), a boolean (``ASK``) or triples (``CONSTRUCT``, ``DESCRIBE``)."""

    form: str
    variables: tuple[str, ...] = ()
    terms: list[tuple[Any, ...]] = field(default_factory=list)
    boolean: bool | None = None
    triples: list[ox.Triple] = field(default_factory=list)

    @property
    def rows(self) -> list[dict[str, Any]]:
        """The rows as dicts of plain Python values: IRIs and strings as ``str``, numbers as numbers.

        Unbound variables are ``None``; graph results give ``subject``, ``predicate``, ``object``.
        """
        if self.form == "ASK":
            return [{"ask": self.boolean}]
        return [{v: _python(t) for v, t in zip(self.variables, row, strict=True)} for row in self.terms]

    def __len__(self) -> int:
        return len(self.terms)


def _python(term: Any) -> Any:
    if term is None:
        return None
    if isinstance(term, ox.Literal):
        datatype = term.datatype.value
        try:
            if datatype in _INTEGERS:
                return int(term.value)
            if datatype in _FLOATS:
                return float(term.value)
            if datatype == _XSD + "boolean":
                return term.value in ("true", "1")
        except ValueError:
            return term.value
        return term.value
    if isinstance(term, ox.BlankNode):
        return f"_:{term.value}"
    return term.value


def _term(name: str, value: Value) -> ox.NamedNode | ox.Literal:
    if isinstance(value, (ox.NamedNode, ox.Literal)):
        return value
    if isinstance(value, bool):
        return ox.Literal("true" if value else "false", datatype=ox.NamedNode(_XSD + "boolean"))
    if isinstance(value, int):
        return ox.Literal(str(value), datatype=ox.NamedNode(_XSD + "integer"))
    if isinstance(value, float):
        return ox.Literal(repr(value), datatype=ox.NamedNode(_XSD + "double"))
    if isinstance(value, Decimal):
        return ox.Literal(format(value, "f"), datatype=ox.NamedNode(_XSD + "decimal"))
    if isinstance(value, str):
        try:
            return ox.Literal(value)
        except (ValueError, UnicodeEncodeError) as err:
            raise QueryError(f"?{name}: the value cannot be an RDF literal ({err})") from err
    raise QueryError(f"?{name}: cannot bind a {type(value).__name__}; give a string, number, bool or RDF term")


def parse_binding(text: str) -> tuple[str, ox.NamedNode | ox.Literal]:
    """Parse ``NAME=VALUE`` from the command line: ``<...>`` is an IRI, anything else a string.

    Examples
    --------
    >>> parse_binding("pattern=commons-blueprint")
    ('pattern', <Literal value=commons-blueprint datatype=<NamedNode value=http://www.w3.org/2001/XMLSchema#string>>)
    >>> parse_binding("p=<https://example.org/a>")[1]
    <NamedNode value=https://example.org/a>
    """
    name, sep, value = text.partition("=")
    name = name.strip().lstrip("?$")
    if not sep or not re.fullmatch(r"[A-Za-z_]\w*", name):
        raise QueryError(f"binding {text!r} is not NAME=VALUE (e.g. pattern=commons-blueprint)")
    if value.startswith("<") and value.endswith(">"):
        try:
            return name, ox.NamedNode(value[1:-1])
        except ValueError as err:
            raise QueryError(f"?{name}: {value} is not a valid IRI ({err})") from err
    return name, _term(name, value)


def query(
    source: Source,
    text: str,
    bindings: Mapping[str, Value] | None = None,
    base_iri: str = DEFAULT_BASE_IRI,
) -> QueryResult:
    """Run a SPARQL query on a library and give its result.

    Parameters
    ----------
    source : path, Library, nx.MultiDiGraph or pyoxigraph.Store
        An exported RDF file, a library folder, a loaded library or graph, or a store from
        ``load_store`` (reuse it to run several queries without reloading).
    text : str
        SPARQL text, ``@file.rq``, or the name of a shipped query (see ``find_queries``).
        The usual prefixes (``gk:``, ``skos:``, ``dcterms:``, ``rdf:``, ...) are predeclared.
    bindings : mapping of str to value, optional
        Values for the query's variables (without ``?``), bound as RDF terms: a ``str``
        becomes a string literal, numbers and bools typed literals; pass a
        ``pyoxigraph.NamedNode`` for an IRI. A bound variable must be projected by ``SELECT``.

    Returns
    -------
    QueryResult
        ``.rows`` is a list of dicts; ``.boolean`` for ``ASK``; ``.triples`` for graph results.

    Examples
    --------
    >>> lib = load_library()
    >>> query(lib, "SELECT (COUNT(?p) AS ?n) WHERE { ?p a gk:Pattern }").rows
    [{'n': 37}]
    >>> rows = query(lib, "enables-transitively", {"pattern": "alignment-monitoring"}).rows
    >>> rows[0]["enabled"], rows[0]["title"]
    ('anomaly-response', 'Anomaly Response')
    """
    text = resolve_query(text)
    reading = read_query(text)
    store = load_store(source, base_iri)
    substitutions: dict[ox.Variable, ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple] = {
        ox.Variable(name): _term(name, value) for name, value in (bindings or {}).items()
    }
    for variable in substitutions:
        if variable.value not in reading.variables:
            raise QueryError(f"the query has no variable ?{variable.value} to bind")
    prefixes = {**PREFIXES, "pat": base_iri + "pattern/"}
    try:
        result = store.query(text, prefixes=prefixes, substitutions=substitutions or None)
    except SyntaxError as err:
        raise QueryError(_syntax_error(text, str(err))) from err
    except (RuntimeError, OSError, ValueError) as err:
        message = str(err)
        hint = re.search(r"does not contains? variable \?(\w+) in its SELECT projection", message)
        if hint:
            raise QueryError(f"?{hint.group(1)} is bound, so the query must SELECT it (add ?{hint.group(1)})") from err
        raise QueryError(f"the query failed ({message})") from err
    return _collect(reading.form, result)


def _syntax_error(text: str, message: str) -> str:
    """One line: where the query is wrong and the text there (pyoxigraph lists every expected token)."""
    where = re.match(r"error at (\d+):(\d+)", message)
    if not where:
        return f"the query is not valid SPARQL ({message.splitlines()[0][:200]})"
    line, column = int(where.group(1)), int(where.group(2))
    lines = text.splitlines()
    snippet = lines[line - 1][max(column - 30, 0) : column + 30].strip() if 0 < line <= len(lines) else ""
    return f"the query is not valid SPARQL at line {line}, column {column}, near {snippet!r}"


def _collect(form: str, result: Any) -> QueryResult:
    if isinstance(result, ox.QueryBoolean):
        return QueryResult("ASK", ("ask",), [(ox.Literal("true" if bool(result) else "false"),)], boolean=bool(result))
    if isinstance(result, ox.QuerySolutions):
        variables = tuple(v.value for v in result.variables)
        terms = [tuple(solution[v] for v in variables) for solution in result]
        return QueryResult("SELECT", variables, terms)
    triples = list(result)
    terms = [(t.subject, t.predicate, t.object) for t in triples]
    form = form if form in ("CONSTRUCT", "DESCRIBE") else "CONSTRUCT"
    return QueryResult(form, ("subject", "predicate", "object"), terms, triples=triples)


# --------------------------------------------------------------------------- formatting results


def to_graph_text(result: QueryResult, fmt: str = "turtle", base_iri: str = DEFAULT_BASE_IRI) -> str:
    """The triples of a ``CONSTRUCT`` or ``DESCRIBE`` result as ``turtle`` or ``ntriples``, sorted.

    Examples
    --------
    >>> r = query(load_library(), "CONSTRUCT { ?p a skos:Concept } WHERE { ?p gk:slug 'kanban' }")
    >>> print(to_graph_text(r, "turtle").splitlines()[-1])
    pat:kanban a skos:Concept .
    """
    if fmt not in ("turtle", "ntriples"):
        raise QueryError(f"unknown graph format {fmt!r} (known: turtle, ntriples)")
    triples = sorted(set(result.triples), key=lambda t: (str(t.subject), str(t.predicate), str(t.object)))
    return serialize_triples(triples, fmt, base_iri)


def _nt(term: Any) -> str:
    return "" if term is None else str(term)


def _plain(term: Any) -> str:
    if term is None:
        return ""
    if isinstance(term, ox.BlankNode):
        return f"_:{term.value}"
    return term.value


def _short(term: Any, prefixes: Mapping[str, str]) -> str:
    if isinstance(term, ox.NamedNode):
        for prefix, namespace in prefixes.items():
            local = term.value[len(namespace) :]
            if term.value.startswith(namespace) and re.fullmatch(r"[\w.%-]*", local):
                return f"{prefix}:{local}"
        return f"<{term.value}>"
    return _plain(term)


def to_table(result: QueryResult, base_iri: str = DEFAULT_BASE_IRI, width: int = 60) -> str:
    """The result as an aligned text table, IRIs shortened with the usual prefixes.

    Examples
    --------
    >>> print(to_table(query(load_library(), "SELECT ?n WHERE { VALUES ?n { 1 22 } }")))
    n
    --
    1
    22
    """
    if result.form == "ASK":
        return "yes" if result.boolean else "no"
    prefixes = {**PREFIXES, "pat": base_iri + "pattern/"}
    prefixes = dict(sorted(prefixes.items(), key=lambda kv: -len(kv[1])))
    cells = [[_clip(_short(t, prefixes), width) for t in row] for row in result.terms]
    header = list(result.variables)
    widths = [max([len(h)] + [len(r[i]) for r in cells]) for i, h in enumerate(header)]
    lines = ["  ".join(h.ljust(w) for h, w in zip(header, widths, strict=True)).rstrip()]
    lines.append("  ".join("-" * w for w in widths))
    lines += ["  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)).rstrip() for r in cells]
    return "\n".join(lines)


def _clip(text: str, width: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= width else text[: width - 1] + "…"


def to_csv(result: QueryResult) -> str:
    """The result as SPARQL 1.1 CSV: plain values, IRIs without brackets.

    Examples
    --------
    >>> to_csv(query(load_library(), 'SELECT ?a ?b WHERE { VALUES (?a ?b) { (1 "x,y") } }'))
    'a,b\\r\\n1,"x,y"\\r\\n'
    """
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(result.variables)
    for row in result.terms:
        writer.writerow([_plain(t) for t in row])
    return buffer.getvalue()


def to_tsv(result: QueryResult) -> str:
    """The result as SPARQL 1.1 TSV: every value in N-Triples syntax, so nothing is ambiguous.

    Examples
    --------
    >>> to_tsv(query(load_library(), 'SELECT ?a WHERE { VALUES ?a { "x\\ty" } }'))
    '?a\\n"x\\\\ty"\\n'
    """
    lines = ["\t".join(f"?{v}" for v in result.variables)]
    lines += ["\t".join(_nt(t) for t in row) for row in result.terms]
    return "\n".join(lines) + "\n"


def to_json(result: QueryResult) -> str:
    """The result in the SPARQL 1.1 Query Results JSON format.

    Examples
    --------
    >>> print(to_json(query(load_library(), "ASK { ?p a gk:Pattern }")))
    {"head": {}, "boolean": true}
    """
    if result.form == "ASK":
        return json.dumps({"head": {}, "boolean": result.boolean})
    bindings = []
    for row in result.terms:
        binding = {}
        for name, term in zip(result.variables, row, strict=True):
            if term is None:
                continue
            if isinstance(term, ox.NamedNode):
                binding[name] = {"type": "uri", "value": term.value}
            elif isinstance(term, ox.BlankNode):
                binding[name] = {"type": "bnode", "value": term.value}
            else:
                entry = {"type": "literal", "value": term.value}
                if term.language:
                    entry["xml:lang"] = term.language
                elif term.datatype.value != _XSD + "string":
                    entry["datatype"] = term.datatype.value
                binding[name] = entry
        bindings.append(binding)
    data = {"head": {"vars": list(result.variables)}, "results": {"bindings": bindings}}
    return json.dumps(data, ensure_ascii=False, indent=1)
