"""The graphkit ontology's terms and the library's IRIs: the closed ``GK`` namespace, the one
function that mints IRIs (``mint_iri``), and the ontology files shipped in the wheel.
"""

from __future__ import annotations

import re
from functools import lru_cache
from urllib.parse import quote

import pyoxigraph as ox
import rdflib
import rdflib.namespace
from rdflib.namespace import Namespace

from ..errors import ExportError
from ..model import DEFAULT_VOCABULARY
from ..namespaces import (  # noqa: F401 - the namespaces are read from here too (graphkit.rdf.triples)
    DCTERMS,
    DEFAULT_BASE_IRI,
    FOAF,
    ONTOLOGY_IRI,
    OWL,
    PREFIXES,
    RDF,
    RDFS,
    SKOS,
    XSD,
    ontology_file,
)

__all__ = [
    "GK",
    "ONTOLOGY_IRI",
    "DEFAULT_BASE_IRI",
    "PREFIXES",
    "check_base_iri",
    "mint_iri",
    "ontology_file",
    "ontology_triples",
    "relation_iri",
]


# The base class is reached through its module, not imported by name: tools that probe every
# name of a module (pytest's fixture scan asks each for `_mock_name`) would make it warn.
class GK(rdflib.namespace.DefinedNamespace):
    """The graphkit ontology's terms; a misspelled term raises instead of minting a new IRI."""

    _NS = Namespace(ONTOLOGY_IRI + "#")
    _fail = True

    PatternLibrary: rdflib.URIRef
    Pattern: rdflib.URIRef
    ExternalNode: rdflib.URIRef
    Facet: rdflib.URIRef
    Domain: rdflib.URIRef
    Category: rdflib.URIRef
    Era: rdflib.URIRef
    Origin: rdflib.URIRef
    Status: rdflib.URIRef
    ScoreDimension: rdflib.URIRef
    Score: rdflib.URIRef
    Link: rdflib.URIRef
    CuratedLink: rdflib.URIRef
    InferredLink: rdflib.URIRef
    DomainScheme: rdflib.URIRef
    CategoryScheme: rdflib.URIRef
    EraScheme: rdflib.URIRef
    OriginScheme: rdflib.URIRef
    StatusScheme: rdflib.URIRef
    ScoreDimensionScheme: rdflib.URIRef
    generalizes_from: rdflib.URIRef
    specializes_to: rdflib.URIRef
    enables: rdflib.URIRef
    enabled_by: rdflib.URIRef
    requires: rdflib.URIRef
    required_by: rdflib.URIRef
    related: rdflib.URIRef
    alternatives: rdflib.URIRef
    complementary: rdflib.URIRef
    tools: rdflib.URIRef
    tool_for: rdflib.URIRef
    domain: rdflib.URIRef
    primaryDomain: rdflib.URIRef
    category: rdflib.URIRef
    era: rdflib.URIRef
    origin: rdflib.URIRef
    status: rdflib.URIRef
    score: rdflib.URIRef
    dimension: rdflib.URIRef
    source: rdflib.URIRef
    target: rdflib.URIRef
    relation: rdflib.URIRef
    weight: rdflib.URIRef
    confidence: rdflib.URIRef
    reason: rdflib.URIRef
    slug: rdflib.URIRef
    sourceFile: rdflib.URIRef
    generation: rdflib.URIRef
    usageStage: rdflib.URIRef
    adoptionStage: rdflib.URIRef
    confidenceRating: rdflib.URIRef
    lifecycle: rdflib.URIRef


#: The relations the ontology defines: the built-in vocabulary and the inverses it names.
_ONTOLOGY_RELATIONS = frozenset(rt.name for rt in DEFAULT_VOCABULARY.with_inverses())

#: What ``mint_iri`` mints, and the path segment each kind lives under.
_KINDS = {
    "library": "",
    "pattern": "pattern/",
    "domain": "domain/",
    "category": "category/",
    "era": "era/",
    "origin": "origin/",
    "status": "status/",
    "dimension": "score-dimension/",
    "relation": "relation/",
    "link": "link/",
    "inferred": "inferred-link/",
    "external": "external/",
}


_UNRESERVED = re.compile(r"[A-Za-z0-9_.~-]+")


@lru_cache(maxsize=1 << 16)  # a slug is minted into its pattern's IRI and every link's
def _segment(text: str) -> str:
    """Percent-encode everything outside the unreserved characters, and the dot segments."""
    if text in (".", ".."):
        return text.replace(".", "%2E")
    if _UNRESERVED.fullmatch(text):  # nearly every slug: nothing to encode
        return text
    return quote(text, safe="-_.~", errors="surrogatepass")


def mint_iri(base: str, kind: str, *parts: str) -> str:
    """The IRI of a thing of the library: the only place graphkit makes IRIs from data.

    Every part is percent-encoded outside the unreserved characters ``A-Z a-z 0-9 - . _ ~``
    (``%`` itself included), so two different slugs never share an IRI and no slug, however
    hostile, can break out of its IRI.

    Parameters
    ----------
    base : str
        The base IRI of the library's data, ending in ``/`` or ``#``.
    kind : str
        ``pattern``, ``domain``, ``category``, ``era``, ``origin``, ``status``, ``dimension``,
        ``relation``, ``link``, ``inferred`` or ``library``.
    *parts : str
        The slug (or facet value, or relation name); a score takes the slug and the
        dimension, a link the source slug, the relation and the target slug.

    Examples
    --------
    >>> mint_iri("https://example.org/", "pattern", "a b#c>")
    'https://example.org/pattern/a%20b%23c%3E'
    >>> mint_iri("https://example.org/", "link", "a", "enables", "b")
    'https://example.org/link/a/enables/b'
    >>> mint_iri("https://example.org/", "pattern", "a", "score", "vitality")
    'https://example.org/pattern/a/score/vitality'
    """
    path = _KINDS.get(kind)
    if path is None:
        raise ValueError(f"unknown kind of IRI {kind!r}")
    if len(parts) == 1:  # most IRIs: a pattern or a facet value
        return base + path + _segment(parts[0])
    return base + path + "/".join([_segment(p) for p in parts])


def relation_iri(name: str, base: str = DEFAULT_BASE_IRI) -> str:
    """The property of a relation: the ontology's term for the built-ins, the library's own otherwise.

    Examples
    --------
    >>> relation_iri("enables")
    'https://w3id.org/graphkit/ontology#enables'
    >>> relation_iri("implements", "https://example.org/")
    'https://example.org/relation/implements'
    """
    if name in _ONTOLOGY_RELATIONS:
        return str(GK[name])
    return mint_iri(base, "relation", name)


def check_base_iri(base: str) -> str:
    """Return ``base`` if it can be the base IRI of an export, else raise ``ExportError``.

    Examples
    --------
    >>> check_base_iri("https://example.org/patterns/")
    'https://example.org/patterns/'
    """
    ok = isinstance(base, str) and re.match(r"[A-Za-z][A-Za-z0-9+.-]*:", base) and base.endswith(("/", "#"))
    if ok:
        try:
            ox.NamedNode(base)
        except ValueError:
            ok = False
    if not ok:
        raise ExportError(
            f"base IRI {base!r} is not an absolute IRI ending in '/' or '#' (e.g. https://example.org/patterns/)"
        )
    return base


# --------------------------------------------------------------------------- the ontology, as package data


def ontology_triples(name: str = "graphkit.ttl") -> list[ox.Triple]:
    """The triples of a shipped ontology file.

    Examples
    --------
    >>> any(t.object == ox.NamedNode("http://www.w3.org/2002/07/owl#Ontology") for t in ontology_triples())
    True
    """
    data = ontology_file(name).read_bytes()
    return [q.triple for q in ox.parse(data, format=ox.RdfFormat.TURTLE, base_iri=ONTOLOGY_IRI)]
