"""The names graphkit's RDF lives under: the ontology's IRI, the default base of a library's IRIs,
the usual prefixes, and the ontology files shipped in the wheel.

Plain strings, apart from ``graphkit.rdf`` (which holds the terms and needs rdflib), so that the
command line and a query on a kept store can use them without importing an RDF library.
"""

from __future__ import annotations

from pathlib import Path

from .errors import ExportError

__all__ = ["DEFAULT_BASE_IRI", "ONTOLOGY_IRI", "PREFIXES", "ontology_file"]

ONTOLOGY_IRI = "https://w3id.org/graphkit/ontology"
DEFAULT_BASE_IRI = "https://w3id.org/graphkit/library/"

RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
RDFS = "http://www.w3.org/2000/01/rdf-schema#"
OWL = "http://www.w3.org/2002/07/owl#"
XSD = "http://www.w3.org/2001/XMLSchema#"
SKOS = "http://www.w3.org/2004/02/skos/core#"
DCTERMS = "http://purl.org/dc/terms/"
FOAF = "http://xmlns.com/foaf/0.1/"

#: Prefixes written into Turtle and known to queries (the data prefixes follow the base IRI).
PREFIXES = {
    "gk": ONTOLOGY_IRI + "#",
    "rdf": RDF,
    "rdfs": RDFS,
    "owl": OWL,
    "xsd": XSD,
    "skos": SKOS,
    "dcterms": DCTERMS,
    "foaf": FOAF,
}


def ontology_file(name: str = "graphkit.ttl") -> Path:
    """A file or folder of the shipped ontology (``graphkit.ttl``, ``shapes.ttl``, ``queries``).

    Read from the installed package; in a source checkout, from the repository's ``ontology/``.
    A plain path beside this module, as ``sample_library`` gives: graphkit is installed as
    files, and ``importlib.resources`` would add 10 ms to every ``graphkit query``.

    Examples
    --------
    >>> ontology_file().name
    'graphkit.ttl'
    """
    package = Path(__file__).resolve().parent
    folder = package / "ontology"
    if not folder.is_dir():
        folder = package.parent / "ontology"
    path = folder.joinpath(*name.split("/"))
    if not (path.is_file() or path.is_dir()):
        raise ExportError(f"ontology file {name!r} is missing from the graphkit installation (reinstall graphkit)")
    return path
