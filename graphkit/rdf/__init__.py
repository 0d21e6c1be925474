"""Stage 3 (RDF): the pattern graph -> RDF, described by the graphkit ontology.

``terms`` holds the ontology's closed namespace and the one function that mints IRIs;
``triples`` turns the graph into sorted triples and writes Turtle, N-Triples and JSON-LD.
"""

from .terms import (
    DEFAULT_BASE_IRI,
    GK,
    ONTOLOGY_IRI,
    PREFIXES,
    check_base_iri,
    mint_iri,
    ontology_file,
    ontology_triples,
    relation_iri,
)
from .triples import (
    RDF_FORMATS,
    generate_turtle,
    iter_pattern_iris,
    serialize_triples,
    to_rdf,
    to_rdflib,
    to_statements,
    to_triples,
    to_turtle,
    write_rdf,
)

__all__ = [
    "GK",
    "ONTOLOGY_IRI",
    "DEFAULT_BASE_IRI",
    "PREFIXES",
    "RDF_FORMATS",
    "check_base_iri",
    "generate_turtle",
    "iter_pattern_iris",
    "mint_iri",
    "ontology_file",
    "ontology_triples",
    "relation_iri",
    "serialize_triples",
    "to_rdf",
    "to_rdflib",
    "to_statements",
    "to_triples",
    "to_turtle",
    "write_rdf",
]
