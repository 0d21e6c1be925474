"""Render ontology/graphkit.ttl to docs/ontology.html with pyLODE (pip install pylode==3.3.4).

    python docs/make_ontology_html.py

pyLODE takes every ``skos:ConceptScheme`` in the file for the document it renders: 3.3.4 titles
the page after the last one and shows its IRI as the ontology's. The ontology declares the
concept schemes of its facets (``gk:DomainScheme`` ... ``gk:ScoreDimensionScheme``), so pyLODE
is given the ontology without those declarations. pyLODE also orders some sections by Python's
string hashing, so the page is rendered with a fixed PYTHONHASHSEED to stay byte-identical.
"""

import os
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
ONTOLOGY = REPO / "ontology" / "graphkit.ttl"


def _page() -> str:
    import pylode
    import rdflib
    from rdflib.namespace import RDF, SKOS

    g = rdflib.Graph().parse(ONTOLOGY, format="turtle")
    for scheme in list(g.subjects(RDF.type, SKOS.ConceptScheme)):
        g.remove((scheme, RDF.type, SKOS.ConceptScheme))
    return pylode.OntPub(g).make_html()


def render() -> str:
    """The HTML page, rendered in a child process with a fixed PYTHONHASHSEED."""
    env = {**os.environ, "PYTHONHASHSEED": "0"}
    out = subprocess.run([sys.executable, __file__, "--print"], env=env, capture_output=True, check=True)
    return out.stdout.decode("utf-8")


if __name__ == "__main__":
    if sys.argv[1:] == ["--print"]:
        sys.stdout.write(_page())
    else:
        (REPO / "docs" / "ontology.html").write_text(render(), encoding="utf-8")
