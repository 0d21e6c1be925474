"""Stage 3 (SHACL): check the RDF export of a pattern graph against ``ontology/shapes.ttl``.

In: a pattern graph. Out: one ``Problem`` per SHACL result, on the file of the pattern it is
about. The shapes file is the published contract. graphkit reads it (``read``) and checks the
SHACL Core it uses itself (``check``), over the export's statements as plain strings: pySHACL
needs the export in rdflib and took 37 s on a library of 3,600 patterns, this about a second.
A constraint graphkit does not know is refused, never skipped; a test holds the findings
equal to pySHACL's.
"""

from __future__ import annotations

import networkx as nx

from ..errors import ShapesError
from ..model import ERROR, WARNING, Problem
from ..rdf import DEFAULT_BASE_IRI, GK, mint_iri, to_statements
from .check import Violation, find_violations
from .read import SH, Shape, Statements, Term, is_blank, parse_shapes, parse_statements, shipped_shapes, short

__all__ = [
    "Shape",
    "ShapesError",
    "Statements",
    "Term",
    "Violation",
    "find_violations",
    "parse_shapes",
    "parse_statements",
    "validate_shapes",
]


def validate_shapes(G: nx.MultiDiGraph, base_iri: str = DEFAULT_BASE_IRI) -> list[Problem]:
    """Validate the graph's RDF against graphkit's SHACL shapes; one problem per result.

    The data is the export with only the asserted relations (the inverses the export adds
    cannot break a shape the asserted ones keep). A result about a link or a score is put on
    the file of its pattern. Problems are sorted by file and message.

    Examples
    --------
    >>> from graphkit import Pattern, build_graph
    >>> validate_shapes(build_graph([Pattern("a", "A", id="pat_01abc", path="a.md")]))
    []
    >>> [str(p) for p in validate_shapes(build_graph([Pattern("a", "A", id="PAT-1", path="a.md")]))]
    ['a.md: error: id: a pattern id is a TypeID: pat_ followed by lowercase letters and digits (PAT-1) [shacl]']
    """
    shapes = shipped_shapes()  # first: a broken shapes file is reported before any work
    statements = to_statements(G, base_iri, asserted_only=True)
    violations = find_violations(statements, shapes)
    if not violations:
        return []
    files = {mint_iri(base_iri, "pattern", n): (str(d.get("path") or n), n) for n, d in G.nodes(data=True)}
    owners = _owners(statements)
    problems = []
    for v in violations:
        owner = owners.get(v.focus, v.focus)
        path, slug = files.get(owner, (v.focus, None))
        message = v.shape.message or f"does not conform to sh:{v.component}"
        if v.value is not None and not is_blank(v.value):
            message += f" ({v.value[0]})"
        if owner != v.focus:
            message = f"{short(v.focus)}: {message}"
        severity = ERROR if v.shape.severity == SH + "Violation" else WARNING
        problems.append(Problem(path, "shacl", severity, f"{v.shape.name}: {message}", slug=slug))
    return sorted(problems, key=lambda p: (p.path, p.message))


def _owners(statements: Statements) -> dict[str, str]:
    """The pattern each link (its gk:source) and each score (the pattern with it as gk:score) is about."""
    source, score = str(GK.source), str(GK.score)
    owners: dict[str, str] = {}
    for subject, own in statements.items():
        for predicate, obj in own:
            if predicate == source and len(obj) == 1:
                owners[subject] = min(owners.get(subject, obj[0]), obj[0])
            elif predicate == score and len(obj) == 1:
                owners[obj[0]] = subject
    return owners
