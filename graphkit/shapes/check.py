"""Stage 3 (SHACL), checking: RDF statements and shapes -> one ``Violation`` per SHACL result.

Each constraint is checked on the pairs of its path's predicate only, and each distinct value
once: a library of 3,600 patterns (400,000 statements) takes about half a second.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from .read import RDF_TYPE, RDFS, SH, Shape, Statements, Term, is_blank, shipped_shapes, to_number, well_formed


@dataclass(frozen=True)
class Violation:
    """One SHACL result: ``focus`` breaks ``shape``'s ``component`` (a parameter, e.g. ``"minCount"``) at ``value``.

    ``value`` is None for sh:minCount and sh:maxCount, which are about all the values at once.
    """

    focus: str
    shape: Shape
    component: str
    value: Term | None


_NODE_KINDS = {
    SH + "IRI": {"IRI"},
    SH + "BlankNode": {"BlankNode"},
    SH + "Literal": {"Literal"},
    SH + "BlankNodeOrIRI": {"BlankNode", "IRI"},
    SH + "BlankNodeOrLiteral": {"BlankNode", "Literal"},
    SH + "IRIOrLiteral": {"IRI", "Literal"},
}


def _kind(value: Term) -> str:
    if len(value) == 3:
        return "Literal"
    return "BlankNode" if is_blank(value) else "IRI"


def _at_least(bound: Decimal | float, value: Term) -> bool:
    number = to_number(value)
    return number is not None and number >= bound


def _above(bound: Decimal | float, value: Term) -> bool:
    number = to_number(value)
    return number is not None and number > bound


def _at_most(bound: Decimal | float, value: Term) -> bool:
    number = to_number(value)
    return number is not None and number <= bound


def _below(bound: Decimal | float, value: Term) -> bool:
    number = to_number(value)
    return number is not None and number < bound


#: For each parameter about one value at a time: does ``value`` conform to the parameter's value?
#: (sh:class needs the data too: ``_check`` checks it itself.)
_CHECKS: dict[str, Callable[[Any, Term], bool]] = {
    "datatype": lambda datatype, value: len(value) == 3 and value[1] == datatype and well_formed(value),
    "nodeKind": lambda kind, value: _kind(value) in _NODE_KINDS.get(kind, ()),
    "minLength": lambda n, value: not is_blank(value) and len(value[0]) >= n,
    "maxLength": lambda n, value: not is_blank(value) and len(value[0]) <= n,
    "pattern": lambda regex, value: not is_blank(value) and regex.search(value[0]) is not None,
    "in": lambda members, value: value in members,
    "minInclusive": _at_least,
    "minExclusive": _above,
    "maxInclusive": _at_most,
    "maxExclusive": _below,
}


def find_violations(statements: Statements, shapes: Iterable[Shape] | None = None) -> list[Violation]:
    """Check RDF statements against SHACL shapes (by default graphkit's); one ``Violation`` per result.

    ``statements`` maps each subject to its ``(predicate, object)`` pairs, as
    ``graphkit.rdf.to_statements`` and ``parse_statements`` give them. An instance of a class
    is a node typed with it or with one of its subclasses (rdfs:subClassOf in the data).

    Examples
    --------
    >>> from graphkit.shapes import parse_statements
    >>> data = parse_statements('''
    ...     @prefix gk: <https://w3id.org/graphkit/ontology#> . @prefix ex: <https://example.org/> .
    ...     ex:link a gk:Link ; gk:source ex:a ; gk:target ex:b ; gk:relation gk:enables ; gk:weight 2.0 .
    ...     ex:a a gk:Pattern . ex:b a gk:Pattern .
    ... ''')
    >>> [(v.focus, v.shape.name, v.component, v.value) for v in find_violations(data) if v.focus.endswith("link")]
    [('https://example.org/link', 'weight', 'maxInclusive', ('2.0', 'http://www.w3.org/2001/XMLSchema#decimal', ''))]
    """
    shapes = shipped_shapes() if shapes is None else list(shapes)
    found: list[Violation] = []
    by_predicate = _by_predicate(statements)
    instances = _instances(by_predicate)
    focus_nodes: dict[tuple[str, ...], set[str]] = {}
    for shape in shapes:
        if shape.targets not in focus_nodes:
            focus_nodes[shape.targets] = set().union(*(instances.get(c, ()) for c in shape.targets))
        found.extend(_check(shape, focus_nodes[shape.targets], by_predicate, instances))
    return sorted(found, key=lambda v: (v.focus, v.shape.node, v.shape.path or "", v.component, v.value or ()))


def _check(
    shape: Shape,
    focus_nodes: set[str],
    by_predicate: dict[str, list[tuple[str, Term]]],
    instances: dict[str, set[str]],
) -> list[Violation]:
    """The results of one shape's constraints on its focus nodes."""
    pairs: list[tuple[str, Term]]
    if shape.path is None:  # a node shape's own constraints: the value is the focus node itself
        pairs = [(focus, (focus,)) for focus in focus_nodes]
    else:
        pairs = [(s, o) for s, o in by_predicate.get(shape.path, ()) if s in focus_nodes]
    found = []
    for param, bound in shape.constraints:
        if param == "minCount":
            counts = Counter(s for s, _ in pairs)
            found += [Violation(focus, shape, param, None) for focus in focus_nodes if counts.get(focus, 0) < bound]
        elif param == "maxCount":
            counts = Counter(s for s, _ in pairs)
            found += [Violation(focus, shape, param, None) for focus, n in counts.items() if n > bound]
        else:
            if param == "class":
                members = instances.get(bound, set())
                bad = {o for _, o in pairs if len(o) != 1 or o[0] not in members}
            else:
                conforms = _CHECKS[param]
                bad = {o for o in {o for _, o in pairs} if not conforms(bound, o)}  # each distinct value once
            found += [Violation(s, shape, param, o) for s, o in pairs if o in bad]
    return found


def _by_predicate(statements: Statements) -> dict[str, list[tuple[str, Term]]]:
    """Predicate -> its ``(subject, object)`` pairs (``to_statements`` writes rdf:type as the empty string)."""
    by_predicate: dict[str, list[tuple[str, Term]]] = {}
    for subject, own in statements.items():
        for predicate, obj in own:
            pairs = by_predicate.get(predicate or RDF_TYPE)
            if pairs is None:
                by_predicate[predicate or RDF_TYPE] = [(subject, obj)]
            else:
                pairs.append((subject, obj))
    return by_predicate


def _instances(by_predicate: dict[str, list[tuple[str, Term]]]) -> dict[str, set[str]]:
    """Class -> its SHACL instances: the nodes typed with it or with one of its subclasses."""
    parents: dict[str, list[str]] = {}
    for child, parent in by_predicate.get(RDFS + "subClassOf", ()):
        if len(parent) == 1:
            parents.setdefault(child, []).append(parent[0])
    supers: dict[str, set[str]] = {}  # class -> itself and every class above it

    def above(cls: str) -> set[str]:
        if cls not in supers:
            supers[cls] = {cls}  # (set first: a cycle of subclasses ends here)
            for parent in parents.get(cls, ()):
                supers[cls] |= above(parent)
        return supers[cls]

    instances: dict[str, set[str]] = {}
    for subject, typ in by_predicate.get(RDF_TYPE, ()):
        if len(typ) == 1:
            for cls in above(typ[0]):
                instances.setdefault(cls, set()).add(subject)
    return instances
