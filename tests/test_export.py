"""The export contract: every registered format renders, is deterministic and round-trips where it can."""

from __future__ import annotations

import json
from pathlib import Path

import networkx as nx
import pyoxigraph as ox
import pytest
import rdflib
from rdflib.compare import isomorphic

from graphkit import DEFAULT_VOCABULARY, ExportError, Pattern, build_graph, load_library
from graphkit.export import FORMATS, get_format, parse_json, to_format, to_graphml, write_format
from graphkit.rdf import to_rdf, to_triples

REPO = Path(__file__).resolve().parents[1]
HOSTILE = REPO / "tests" / "data" / "hostile"
RDFLIB_NAMES = {"turtle": "turtle", "ntriples": "nt", "jsonld": "json-ld"}
OX_FORMATS = {"turtle": ox.RdfFormat.TURTLE, "ntriples": ox.RdfFormat.N_TRIPLES, "jsonld": ox.RdfFormat.JSON_LD}


@pytest.fixture(scope="module", params=["sample", "hostile"])
def library(request):
    return load_library(None if request.param == "sample" else HOSTILE)


def same_graph(G, H):
    assert list(G.nodes(data=True)) == list(H.nodes(data=True)) or dict(G.nodes(data=True)) == dict(H.nodes(data=True))
    assert sorted(G.edges(keys=True, data=True), key=repr) == sorted(H.edges(keys=True, data=True), key=repr)
    assert G.graph["vocabulary"] == H.graph["vocabulary"]


def test_the_five_formats_are_registered():
    assert set(FORMATS) == {"turtle", "ntriples", "jsonld", "graphml", "json"}


@pytest.mark.filterwarnings("ignore:ConjunctiveGraph is deprecated:DeprecationWarning")  # rdflib JSON-LD parser
@pytest.mark.parametrize("fmt", sorted(FORMATS), ids=sorted(FORMATS))
def test_every_format_renders_deterministically_and_round_trips(library, fmt):
    G = library.graph
    text = to_format(G, fmt)
    assert text and text == to_format(G, fmt)
    spec = get_format(fmt)
    if spec.rdf:
        parsed = {q.triple for q in ox.parse(text.encode("utf-8"), format=OX_FORMATS[fmt])}
        assert parsed == set(to_triples(G))
        written = rdflib.Graph().parse(data=to_rdf(G, "ntriples"), format="nt")
        assert isomorphic(rdflib.Graph().parse(data=text, format=RDFLIB_NAMES[fmt]), written)
    else:
        same_graph(spec.parse(text), G)


@pytest.mark.parametrize("fmt", sorted(FORMATS), ids=sorted(FORMATS))
def test_every_format_writes_the_same_text_to_a_file(tmp_path, fmt):
    G = load_library().graph
    path = write_format(G, tmp_path / f"out{get_format(fmt).extension}", fmt)
    assert path.read_bytes() == to_format(G, fmt).encode("utf-8")


def test_graphml_survives_list_and_dict_attributes():
    G = build_graph([Pattern("a", "A", aliases=("x",), scores={"v": 1.5}, lifecycle={"k": [1, {"n": None}]})])
    with pytest.raises(nx.NetworkXError):  # what networkx does on its own: the reason for encoding
        "".join(nx.generate_graphml(G))
    text = to_graphml(G)
    assert get_format("graphml").parse(text).nodes["a"]["lifecycle"] == {"k": [1, {"n": None}]}


def test_the_caller_graph_is_untouched_by_graphml_and_json():
    G = load_library().graph
    before = (dict(G.nodes(data=True)), list(G.edges(keys=True, data=True)), dict(G.graph))
    to_format(G, "graphml")
    to_format(G, "json")
    assert before == (dict(G.nodes(data=True)), list(G.edges(keys=True, data=True)), dict(G.graph))


def test_json_is_node_link_data_with_the_vocabulary():
    data = json.loads(to_format(load_library().graph, "json"))
    assert len(data["nodes"]) == 37 and len(data["edges"]) == 324
    assert data["graph"]["vocabulary"][2] == {
        "name": "enables",
        "label": "enables",
        "inverse": "enabled_by",
        "symmetric": False,
        "skos": "related",
        "comment": "A enables B: A makes B possible or easier (library ADR-0005).",
        "inverse_label": "enabled by",
        "color": "#1a9850",
        "dashes": [],
    }
    assert parse_json(json.dumps(data)).graph["vocabulary"] == DEFAULT_VOCABULARY  # the dashes a tuple again


@pytest.mark.parametrize(
    "alias,name", [("ttl", "turtle"), ("NT", "ntriples"), ("json-ld", "jsonld"), ("xml", "graphml")]
)
def test_aliases(alias, name):
    assert get_format(alias).name == name


def test_bad_format_and_options_are_clear_errors():
    G = load_library().graph
    with pytest.raises(
        ExportError, match=r"^unknown export format 'csv' \(known: turtle, ntriples, jsonld, graphml, json\)$"
    ):
        to_format(G, "csv")
    with pytest.raises(
        ExportError, match=r"^--with-ontology applies to RDF formats only \(turtle, ntriples, jsonld\), not to json$"
    ):
        to_format(G, "json", with_ontology=True)
