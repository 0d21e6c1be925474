"""SPARQL over a library: a pyoxigraph store holding only the library and the ontology.

In: an exported RDF file, a library folder, a ``Library`` or a pattern graph, and a query
(text, ``@file.rq`` or the name of a shipped query). Out: rows, a boolean or triples.
User values are bound as RDF terms, never pasted into the query text; queries that could
reach outside the store (``SERVICE``, ``FROM``, ``LOAD``, updates) are refused.

``store`` builds the store (in memory, or kept on disk for a library folder: ``open_store``),
``results`` writes a result as text, ``guard`` reads a query as the engine does.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Union

import pyoxigraph as ox

from ..errors import QueryError
from ..namespaces import DEFAULT_BASE_IRI, PREFIXES, ontology_file
from .guard import read_query
from .results import QueryResult, collect, to_csv, to_graph_text, to_json, to_table, to_tsv
from .store import RDF_FILE_FORMATS, KeptStore, Source, load_store, open_store

__all__ = [
    "RDF_FILE_FORMATS",
    "KeptStore",
    "QueryResult",
    "ShippedQuery",
    "binding_script",
    "check_query",
    "find_queries",
    "get_query",
    "load_store",
    "open_store",
    "query",
    "resolve_query",
    "to_csv",
    "to_graph_text",
    "to_json",
    "to_table",
    "to_tsv",
]

Value = Union[str, int, float, Decimal, bool, ox.NamedNode, ox.Literal]  # noqa: UP007

_XSD = "http://www.w3.org/2001/XMLSchema#"


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


# --------------------------------------------------------------------------- running a query


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


def binding_script() -> str:
    """The script a page puts before its own to read a query's text and bind values (``bind.js``).

    It binds as ``parse_binding`` reads a value (``<...>`` an IRI, anything else a string),
    by a VALUES block that opens the query's WHERE group. The SPARQL page and graphkit
    serve's query panel share it. It defines one global, ``graphkitSparql``.

    Examples
    --------
    >>> binding_script().count("var graphkitSparql =")
    1
    """
    from importlib import resources

    return (resources.files(__package__) / "bind.js").read_text(encoding="utf-8")


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
        ``load_store`` (reuse it to run several queries without reloading) or ``open_store``
        (kept on disk for the next run).
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
    >>> from graphkit import load_library
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
    return collect(reading.form, result)


def _syntax_error(text: str, message: str) -> str:
    """One line: where the query is wrong and the text there (pyoxigraph lists every expected token)."""
    where = re.match(r"error at (\d+):(\d+)", message)
    if not where:
        return f"the query is not valid SPARQL ({message.splitlines()[0][:200]})"
    line, column = int(where.group(1)), int(where.group(2))
    lines = text.splitlines()
    snippet = lines[line - 1][max(column - 30, 0) : column + 30].strip() if 0 < line <= len(lines) else ""
    return f"the query is not valid SPARQL at line {line}, column {column}, near {snippet!r}"
