"""Stage 3 (SHACL): validate the exported RDF of a pattern graph against ``ontology/shapes.ttl``.

In: a pattern graph. Out: one ``Problem`` per SHACL result, on the file of the pattern it is
about. Needs pySHACL (``pip install 'graphkit[shacl]'``), imported only here.
"""

from __future__ import annotations

from typing import Any

import networkx as nx
import rdflib
from rdflib.namespace import SH

from .errors import GraphkitError
from .model import ERROR, WARNING, Problem
from .rdf import DEFAULT_BASE_IRI, GK, mint_iri, ontology_file, to_rdflib

__all__ = ["ShapesError", "validate_shapes"]


class ShapesError(GraphkitError):
    """SHACL validation cannot run (pySHACL is missing or the shapes do not load)."""


def _pyshacl() -> Any:
    try:
        import pyshacl
    except ImportError as err:
        raise ShapesError("SHACL validation needs pySHACL (pip install 'graphkit[shacl]')") from err
    return pyshacl


def validate_shapes(G: nx.MultiDiGraph, base_iri: str = DEFAULT_BASE_IRI) -> list[Problem]:
    """Validate the graph's RDF against graphkit's SHACL shapes; one problem per result.

    The data is the export with only the asserted relations (the inverses the export adds
    cannot break a shape the asserted ones keep). Problems are sorted by file and message.

    Examples
    --------
    >>> from graphkit import Pattern, build_graph
    >>> validate_shapes(build_graph([Pattern("a", "A", id="pat_01abc", path="a.md")]))
    []
    >>> [str(p) for p in validate_shapes(build_graph([Pattern("a", "A", id="PAT-1", path="a.md")]))]
    ['a.md: error: id: a pattern id is a TypeID: pat_ followed by lowercase letters and digits (PAT-1) [shacl]']
    """
    pyshacl = _pyshacl()
    try:
        shapes = rdflib.Graph().parse(data=ontology_file("shapes.ttl").read_text(encoding="utf-8"), format="turtle")
    except Exception as err:  # rdflib raises many kinds on a broken file
        raise ShapesError(f"ontology/shapes.ttl: cannot load the SHACL shapes ({err})") from err
    data = to_rdflib(G, base_iri, asserted_only=True)
    _, report, _ = pyshacl.validate(data, shacl_graph=shapes, inference="none", advanced=False, inplace=True)

    files = {rdflib.URIRef(mint_iri(base_iri, "pattern", n)): (d.get("path") or n, n) for n, d in G.nodes(data=True)}
    problems = []
    for result in report.subjects(rdflib.RDF.type, SH.ValidationResult):
        focus = report.value(result, SH.focusNode)
        owner = focus
        for link_or_score in (data.value(focus, GK.source), data.value(predicate=GK.score, object=focus)):
            if link_or_score is not None:
                owner = link_or_score
        path, slug = files.get(owner, (str(focus), None))
        shape = report.value(result, SH.sourceShape)
        name = shapes.value(shape, SH.name) or _short(report.value(result, SH.resultPath), data)
        message = str(report.value(result, SH.resultMessage) or "does not conform")
        value = report.value(result, SH.value)
        if value is not None and not isinstance(value, rdflib.BNode):
            message += f" ({value})"
        if owner != focus:
            message = f"{_short(focus, data)}: {message}"
        severity = ERROR if report.value(result, SH.resultSeverity) == SH.Violation else WARNING
        problems.append(Problem(str(path), "shacl", severity, f"{name}: {message}", slug=slug))
    return sorted(problems, key=lambda p: (p.path, p.message))


def _short(term: Any, g: rdflib.Graph) -> str:
    if term is None:
        return "?"
    try:
        return g.namespace_manager.normalizeUri(term) if isinstance(term, rdflib.URIRef) else str(term)
    except Exception:  # a term rdflib cannot shorten
        return str(term)
