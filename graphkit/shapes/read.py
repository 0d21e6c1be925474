"""Stage 3 (SHACL), reading: SHACL shapes and RDF data in Turtle -> plain records.

A term is a tuple of strings, as ``graphkit.rdf.to_statements`` gives the export's: the
checks then compare strings, never library objects.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from collections.abc import Set as AbstractSet
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import pyoxigraph as ox

from ..errors import ShapesError
from ..rdf import PREFIXES, ontology_file

#: An RDF term as plain strings: ``(iri,)``, ``("_:" + a blank node's id,)`` or
#: ``(lexical form, datatype IRI, language)``.
Term = tuple[str, ...]
#: Subject -> the set of its ``(predicate, object)`` statements.
Statements = Mapping[str, AbstractSet[tuple[str, Term]]]

SH = "http://www.w3.org/ns/shacl#"
RDF = PREFIXES["rdf"]
XSD = PREFIXES["xsd"]
RDFS = PREFIXES["rdfs"]
RDF_TYPE = RDF + "type"


@dataclass(frozen=True)
class Shape:
    """A node shape's own constraints (``path`` None), or one of its property shapes.

    ``node`` is the node shape (of a property shape: the one it belongs to), ``targets`` its
    target classes, ``constraints`` pairs of a SHACL parameter and its value (``("minCount", 1)``).
    """

    node: str
    targets: tuple[str, ...]
    path: str | None
    name: str
    message: str
    severity: str
    constraints: tuple[tuple[str, Any], ...]


# --------------------------------------------------------------------------- shapes

# What a shape may say besides its constraints. Any other SHACL term is refused, so that the
# published shapes never promise more than graphkit checks.
_WORDS = {"name", "message", "severity", "description", "flags"}
_FLAGS = {"i": re.IGNORECASE, "m": re.MULTILINE}  # the flags pySHACL reads


def parse_shapes(text: str, where: str = "shapes") -> list[Shape]:
    """SHACL shapes in Turtle -> one ``Shape`` per node shape and per property shape.

    graphkit checks the SHACL Core that its shapes use: shapes with sh:targetClass and their
    property shapes, paths of one predicate, sh:class, sh:datatype, sh:nodeKind, sh:minCount,
    sh:maxCount, sh:minLength, sh:maxLength, sh:pattern (flags ``i`` and ``m``), sh:in, and
    sh:minInclusive, sh:maxInclusive, sh:minExclusive, sh:maxExclusive with a number. Anything
    else raises ``ShapesError`` naming ``where``.

    Examples
    --------
    >>> [node, prop] = parse_shapes('''
    ...     @prefix sh: <http://www.w3.org/ns/shacl#> . @prefix ex: <https://example.org/> .
    ...     ex:S sh:targetClass ex:C ; sh:property [ sh:path ex:p ; sh:minCount 1 ; sh:message "needs p" ] .
    ... ''')
    >>> prop.targets, prop.path, prop.constraints, prop.message
    (('https://example.org/C',), 'https://example.org/p', (('minCount', 1),), 'needs p')
    >>> parse_shapes("<https://example.org/S> <http://www.w3.org/ns/shacl#targetNode> <https://example.org/x> .")
    Traceback (most recent call last):
    ...
    graphkit.errors.ShapesError: shapes: <https://example.org/S>: graphkit does not check sh:targetNode
    """
    about: dict[str, dict[str, list[Term]]] = {}  # subject -> predicate -> objects
    for s, p, o in _parse(text, ox.RdfFormat.TURTLE, f"{where}: cannot load the SHACL shapes"):
        about.setdefault(s, {}).setdefault(p, []).append(o)
    shapes = []
    checked = set()
    for node in sorted(n for n in about if SH + "targetClass" in about[n]):
        here = f"{where}: {short(node)}"
        targets = tuple(sorted(_iri(c, f"{here}: sh:targetClass") for c in about[node][SH + "targetClass"]))
        labels = sorted(about[node].get(RDFS + "label", []))
        name = labels[0][0] if labels else short(node)
        shapes.append(_shape(about[node], about, node, targets, None, name, where))
        checked.add(node)
        for value in about[node].get(SH + "property", []):
            prop = _node(value, f"{here}: sh:property")
            paths = about.get(prop, {}).get(SH + "path", [])
            if len(paths) != 1:
                raise ShapesError(f"{here}: a property shape needs exactly one sh:path")
            path = _iri(paths[0], f"{here}: sh:path (graphkit checks paths of one predicate)")
            shapes.append(_shape(about.get(prop, {}), about, node, targets, path, short(path), where))
            checked.add(prop)
    for subject in sorted(set(about) - checked):
        for predicate in sorted(p for p in about[subject] if p.startswith(SH)):
            raise ShapesError(f"{where}: {short(subject)}: graphkit does not check sh:{predicate[len(SH) :]}")
    return sorted(shapes, key=lambda s: (s.node, s.path or ""))


def _shape(
    props: dict[str, list[Term]],
    about: dict[str, dict[str, list[Term]]],
    node: str,
    targets: tuple[str, ...],
    path: str | None,
    name: str,
    where: str,
) -> Shape:
    """One node shape's own constraints (``path`` None), or one property shape's."""
    known = _WORDS | ({"targetClass", "property"} if path is None else {"path"})
    where = f"{where}: {short(node)}" + (f" {short(path)}" if path else "")
    constraints: list[tuple[str, Any]] = []
    for predicate in sorted(p for p in props if p.startswith(SH) and p[len(SH) :] not in known):
        param = predicate[len(SH) :]
        for value in sorted(props[predicate]):
            if param in ("class", "datatype", "nodeKind"):
                constraints.append((param, _iri(value, f"{where}: sh:{param}")))
            elif param in ("minLength", "maxLength") or (param in ("minCount", "maxCount") and path is not None):
                if len(value) != 3 or value[1] != XSD + "integer" or not value[0].isdigit():
                    raise ShapesError(f"{where}: sh:{param} must be a whole number")
                constraints.append((param, int(value[0])))
            elif param in ("minInclusive", "maxInclusive", "minExclusive", "maxExclusive"):
                number = to_number(value)
                if number is None:
                    raise ShapesError(f"{where}: sh:{param} must be a number (graphkit compares numbers only)")
                constraints.append((param, number))
            elif param == "pattern":
                flags = "".join(sorted(f[0] for f in props.get(SH + "flags", [])))
                if len(value) != 3 or set(flags) - set(_FLAGS):
                    raise ShapesError(f"{where}: sh:pattern must be text, with no flags but i and m")
                try:
                    compiled = re.compile(value[0], sum(_FLAGS[f] for f in set(flags)))
                except re.error as err:
                    raise ShapesError(f"{where}: sh:pattern is not a regular expression ({err})") from err
                constraints.append((param, compiled))
            elif param == "in":
                constraints.append((param, frozenset(_members(about, value, f"{where}: sh:in"))))
            else:
                raise ShapesError(f"{where}: graphkit does not check sh:{param}")
    severity = props.get(SH + "severity")
    return Shape(
        node=node,
        targets=targets,
        path=path,
        name=_text(props.get(SH + "name")) or name,
        message=_text(props.get(SH + "message")),
        severity=_iri(severity[0], f"{where}: sh:severity") if severity else SH + "Violation",
        constraints=tuple(constraints),
    )


def _members(about: dict[str, dict[str, list[Term]]], head: Term, where: str) -> list[Term]:
    """The members of an RDF list (``head`` is its first node)."""
    members: list[Term] = []
    seen = set()
    while head != (RDF + "nil",):
        node = about.get(head[0], {})
        first, rest = node.get(RDF + "first", []), node.get(RDF + "rest", [])
        if len(head) != 1 or head in seen or len(first) != 1 or len(rest) != 1:
            raise ShapesError(f"{where} must be a well-formed RDF list")
        seen.add(head)
        members.append(first[0])
        head = rest[0]
    return members


def _node(term: Term, where: str) -> str:
    if len(term) != 1:
        raise ShapesError(f"{where} must be an IRI or a blank node")
    return term[0]


def _iri(term: Term, where: str) -> str:
    if len(term) != 1 or term[0].startswith("_:"):
        raise ShapesError(f"{where} must be an IRI")
    return term[0]


def _text(terms: list[Term] | None) -> str:
    """The first of some literals (in a fixed order), or the empty string."""
    return sorted(terms)[0][0] if terms else ""


def shipped_shapes() -> list[Shape]:
    """The shapes of ``ontology/shapes.ttl``."""
    return parse_shapes(ontology_file("shapes.ttl").read_text(encoding="utf-8"), "ontology/shapes.ttl")


# --------------------------------------------------------------------------- data


def parse_statements(text: str, fmt: str = "turtle") -> dict[str, set[tuple[str, Term]]]:
    """RDF text (``turtle`` or ``ntriples``) -> subject -> its ``(predicate, object)`` statements, as plain strings.

    The form of ``graphkit.rdf.to_statements``, for checking RDF that graphkit did not build.

    Examples
    --------
    >>> parse_statements('<https://example.org/a> <https://example.org/p> "x"@en , 1 .')["https://example.org/a"] == {
    ...     ("https://example.org/p", ("x", "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString", "en")),
    ...     ("https://example.org/p", ("1", "http://www.w3.org/2001/XMLSchema#integer", "")),
    ... }
    True
    """
    formats = {"turtle": ox.RdfFormat.TURTLE, "ntriples": ox.RdfFormat.N_TRIPLES}
    if fmt not in formats:
        raise ShapesError(f"unknown RDF format {fmt!r} (known: {', '.join(formats)})")
    statements: dict[str, set[tuple[str, Term]]] = {}
    for s, p, o in _parse(text, formats[fmt], "the data cannot be read"):
        statements.setdefault(s, set()).add((p, o))
    return statements


def _parse(text: str, fmt: ox.RdfFormat, problem: str) -> Iterable[tuple[str, str, Term]]:
    try:
        triples = list(ox.parse(text.encode("utf-8"), format=fmt))
    except SyntaxError as err:
        raise ShapesError(f"{problem} ({err})") from err
    return [(_term(t.subject)[0], t.predicate.value, _term(t.object)) for t in triples]


def _term(term: Any) -> Term:
    if isinstance(term, ox.NamedNode):
        return (term.value,)
    if isinstance(term, ox.BlankNode):
        return ("_:" + term.value,)
    if isinstance(term, ox.Literal):
        return (term.value, term.datatype.value, term.language or "")
    raise ShapesError(f"graphkit does not check RDF-star triple terms ({term})")


# --------------------------------------------------------------------------- terms

# The lexical forms of the datatypes graphkit tells apart from ill-typed literals (XML Schema 1.1).
_LEXICAL = {
    XSD + "decimal": re.compile(r"[+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)"),
    XSD + "integer": re.compile(r"[+-]?[0-9]+"),
    XSD + "double": re.compile(r"[+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)([Ee][+-]?[0-9]+)?|[+-]?INF|NaN"),
    XSD + "float": re.compile(r"[+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)([Ee][+-]?[0-9]+)?|[+-]?INF|NaN"),
    XSD + "boolean": re.compile(r"true|false|1|0"),
}
_NUMBERS = {XSD + "decimal", XSD + "integer", XSD + "double", XSD + "float"}


def to_number(value: Term) -> Decimal | float | None:
    """A literal's number, if it is a well-formed xsd:decimal, xsd:integer, xsd:double or xsd:float."""
    if len(value) != 3 or value[1] not in _NUMBERS or not well_formed(value):
        return None
    if value[1] in (XSD + "double", XSD + "float"):
        return float(value[0].replace("INF", "inf"))
    return Decimal(value[0])


def well_formed(value: Term) -> bool:
    """Whether a literal's lexical form is one of its datatype's (a datatype graphkit does not know: yes)."""
    lexical = _LEXICAL.get(value[1])
    return lexical is None or lexical.fullmatch(value[0]) is not None


def is_blank(value: Term) -> bool:
    return len(value) == 1 and value[0].startswith("_:")


_LOCAL_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_-]*")


def short(iri: str) -> str:
    """``gk:domain`` for an IRI under a known prefix with a plain local name, else ``<iri>`` (a blank node as it is)."""
    if iri.startswith("_:"):
        return iri
    for prefix, namespace in PREFIXES.items():
        if iri.startswith(namespace) and _LOCAL_NAME.fullmatch(iri[len(namespace) :]):
            return f"{prefix}:{iri[len(namespace) :]}"
    if iri.startswith(SH) and _LOCAL_NAME.fullmatch(iri[len(SH) :]):
        return f"sh:{iri[len(SH) :]}"
    return f"<{iri}>"
