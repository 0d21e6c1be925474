"""A query's result as text: an aligned table for people; SPARQL 1.1 CSV, TSV and JSON, and sorted
Turtle or N-Triples, for programs.

The standard formats are written by pyoxigraph's own result writers (``QuerySolutions.serialize``),
from the standard JSON the result was kept in; only the table for people is written here.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import pyoxigraph as ox

from ..errors import QueryError
from ..namespaces import DEFAULT_BASE_IRI, PREFIXES

__all__ = ["QueryResult", "to_csv", "to_graph_text", "to_json", "to_table", "to_tsv"]

_XSD = "http://www.w3.org/2001/XMLSchema#"
_INTEGERS = {
    _XSD + name
    for name in (
        "integer", "int", "long", "short", "byte", "nonNegativeInteger", "positiveInteger",
        "nonPositiveInteger", "negativeInteger", "unsignedInt", "unsignedLong", "unsignedShort", "unsignedByte",
    )
}  # fmt: skip
_FLOATS = {_XSD + "decimal", _XSD + "double", _XSD + "float"}


@dataclass
class QueryResult:
    """What a query gave: rows (``SELECT``), a boolean (``ASK``) or triples (``CONSTRUCT``, ``DESCRIBE``).

    ``results`` holds a ``SELECT`` or ``ASK`` result in the SPARQL 1.1 Query Results JSON format,
    as pyoxigraph wrote it: what ``to_json``, ``to_csv`` and ``to_tsv`` give it back in.
    """

    form: str
    variables: tuple[str, ...] = ()
    terms: list[tuple[Any, ...]] = field(default_factory=list)
    boolean: bool | None = None
    triples: list[ox.Triple] = field(default_factory=list)
    results: bytes = b""

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


def collect(form: str, result: Any) -> QueryResult:
    """Read pyoxigraph's result of a query of form ``form`` into a ``QueryResult``."""
    if isinstance(result, (ox.QuerySolutions, ox.QueryBoolean)):
        # pyoxigraph's results can be read once: written in the standard JSON format here, for the
        # writers of the standard formats, and read back from it for the rows.
        data = _serialize(result, ox.QueryResultsFormat.JSON)
        result = ox.parse_query_results(data, format=ox.QueryResultsFormat.JSON)
        if isinstance(result, ox.QueryBoolean):
            answer = bool(result)
            return QueryResult("ASK", ("ask",), [(ox.Literal("true" if answer else "false"),)], answer, results=data)
        variables = tuple(v.value for v in result.variables)
        terms = [tuple(solution[v] for v in variables) for solution in result]
        return QueryResult("SELECT", variables, terms, results=data)
    triples = list(result)
    terms = [(t.subject, t.predicate, t.object) for t in triples]
    form = form if form in ("CONSTRUCT", "DESCRIBE") else "CONSTRUCT"
    return QueryResult(form, ("subject", "predicate", "object"), terms, triples=triples)


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


# --------------------------------------------------------------------------- for programs


_FORMATS = {"CSV": ox.QueryResultsFormat.CSV, "TSV": ox.QueryResultsFormat.TSV, "JSON": ox.QueryResultsFormat.JSON}


def _standard(result: QueryResult, name: str) -> str:
    if result.form not in ("SELECT", "ASK"):
        form = result.form
        raise QueryError(f"{name} is a format for SELECT and ASK results; this is {form} (give turtle or ntriples)")
    data = result.results
    if name != "JSON":
        data = _serialize(ox.parse_query_results(data, format=ox.QueryResultsFormat.JSON), _FORMATS[name])
    return data.decode("utf-8")


def _serialize(result: ox.QuerySolutions | ox.QueryBoolean, fmt: ox.QueryResultsFormat) -> bytes:
    data = result.serialize(format=fmt)
    assert data is not None  # given no file to write to, pyoxigraph returns the bytes
    return data


def to_csv(result: QueryResult) -> str:
    """The result in the SPARQL 1.1 CSV format: plain values, IRIs without brackets, CRLF line ends.

    Examples
    --------
    >>> from graphkit.query import query
    >>> to_csv(query(ox.Store(), 'SELECT ?a ?b WHERE { VALUES (?a ?b) { (1 "x,y") } }'))
    'a,b\\r\\n1,"x,y"\\r\\n'
    """
    return _standard(result, "CSV")


def to_tsv(result: QueryResult) -> str:
    """The result in the SPARQL 1.1 TSV format: every value an RDF term in Turtle syntax, so nothing is ambiguous.

    Examples
    --------
    >>> from graphkit.query import query
    >>> to_tsv(query(ox.Store(), 'SELECT ?a ?n WHERE { VALUES (?a ?n) { ("x\\ty" 2) } }'))
    '?a\\t?n\\n"x\\\\ty"\\t2\\n'
    """
    return _standard(result, "TSV")


def to_json(result: QueryResult) -> str:
    """The result in the SPARQL 1.1 Query Results JSON format, on one line.

    Examples
    --------
    >>> from graphkit.query import query
    >>> to_json(query(ox.Store(), "ASK { VALUES ?x { 1 } }"))
    '{"head":{},"boolean":true}'
    """
    return _standard(result, "JSON")


def to_graph_text(result: QueryResult, fmt: str = "turtle", base_iri: str = DEFAULT_BASE_IRI) -> str:
    """The triples of a ``CONSTRUCT`` or ``DESCRIBE`` result as ``turtle`` or ``ntriples``, sorted.

    Examples
    --------
    >>> from graphkit.query import query
    >>> r = query(ox.Store(), "CONSTRUCT { pat:kanban a skos:Concept } WHERE {}")
    >>> print(to_graph_text(r, "turtle").splitlines()[-1])
    pat:kanban a skos:Concept .
    """
    from ..rdf import serialize_triples

    if fmt not in ("turtle", "ntriples"):
        raise QueryError(f"unknown graph format {fmt!r} (known: turtle, ntriples)")
    # Sorted and with the library's prefixes: the same query gives the same bytes.
    triples = sorted(set(result.triples), key=lambda t: (str(t.subject), str(t.predicate), str(t.object)))
    return serialize_triples(triples, fmt, base_iri)


# --------------------------------------------------------------------------- for people


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
    >>> from graphkit.query import query
    >>> print(to_table(query(ox.Store(), "SELECT ?n WHERE { VALUES ?n { 1 22 } }")))
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
