"""Stage 3 (export): the pattern graph -> files, through one registry of formats.

RDF formats come from ``rdf``; GraphML and node-link JSON live here. Both survive list- and
dict-valued attributes (JSON-encoded for GraphML, whose writer refuses them) and read back.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import networkx as nx

from .errors import ExportError
from .graph import NODE_ATTRIBUTES
from .model import DEFAULT_VOCABULARY, RelationType, Vocabulary
from .rdf import DEFAULT_BASE_IRI, to_rdf

__all__ = [
    "Format",
    "FORMATS",
    "get_format",
    "json_text",
    "parse_graphml",
    "parse_json",
    "register_format",
    "to_format",
    "to_graphml",
    "to_json",
    "write_format",
]


@dataclass(frozen=True)
class Format:
    """An export format: its name, other names, file extension, and the function that renders it.

    ``render(G, **options)`` returns text; RDF formats take ``base_iri``, ``asserted_only``
    and ``with_ontology``; ``parse`` (when the format can be read back) returns a graph.
    """

    name: str
    render: Callable[..., str]
    extension: str
    aliases: tuple[str, ...] = ()
    rdf: bool = False
    parse: Callable[[str], nx.MultiDiGraph] | None = None
    media_type: str = "text/plain"


FORMATS: dict[str, Format] = {}
_ALIASES: dict[str, str] = {}


def register_format(fmt: Format) -> Format:
    """Add a format to the registry under its name and aliases (a later one replaces an earlier)."""
    FORMATS[fmt.name] = fmt
    for name in (fmt.name, *fmt.aliases):
        _ALIASES[name.lower()] = fmt.name
    return fmt


def get_format(name: str) -> Format:
    """The format named ``name`` or one of its aliases (case-insensitive).

    Examples
    --------
    >>> get_format("ttl").name, get_format("nt").name, get_format("JSON-LD").name
    ('turtle', 'ntriples', 'jsonld')
    """
    key = _ALIASES.get(name.lower())
    if key is None:
        raise ExportError(f"unknown export format {name!r} (known: {', '.join(FORMATS)})")
    return FORMATS[key]


def to_format(
    G: nx.MultiDiGraph,
    fmt: str,
    base_iri: str = DEFAULT_BASE_IRI,
    asserted_only: bool = False,
    with_ontology: bool = False,
) -> str:
    """Render the graph in format ``fmt``; the RDF options are refused for other formats.

    Examples
    --------
    >>> from graphkit import Pattern, build_graph
    >>> to_format(build_graph([Pattern("a", "A")]), "json").splitlines()[0]
    '{'
    """
    spec = get_format(fmt)
    if spec.rdf:
        return spec.render(G, base_iri=base_iri, asserted_only=asserted_only, with_ontology=with_ontology)
    used = [flag for flag, on in (("--with-ontology", with_ontology), ("--asserted-only", asserted_only)) if on]
    if base_iri != DEFAULT_BASE_IRI:
        used.append("--base-iri")
    if used:
        rdf = ", ".join(f.name for f in FORMATS.values() if f.rdf)
        raise ExportError(f"{used[0]} applies to RDF formats only ({rdf}), not to {spec.name}")
    return spec.render(G)


def write_format(G: nx.MultiDiGraph, path: str | os.PathLike[str], fmt: str, **options: Any) -> Path:
    """Write the graph to ``path`` in format ``fmt`` (UTF-8); return the path."""
    text = to_format(G, fmt, **options)
    path = Path(path)
    try:
        path.write_text(text, encoding="utf-8", newline="\n")
    except OSError as err:
        raise ExportError(f"{path}: cannot write ({err.strerror or err})") from err
    return path


# --------------------------------------------------------------------------- GraphML and JSON


def _vocabulary_data(G: nx.MultiDiGraph) -> list[dict[str, Any]]:
    vocabulary = G.graph.get("vocabulary", DEFAULT_VOCABULARY)
    # How a relation is read from the files goes in only where it is not the default
    # (the graph of a library that declares none is written as before).
    default = RelationType("", "")
    return [
        {k: v for k, v in vars(vocabulary[name]).items() if k not in _READING or v != getattr(default, k)}
        for name in vocabulary
    ]


_READING = ("field", "target", "weight", "keep", "unresolved")


def _vocabulary(data: Any) -> Vocabulary:
    if not data:
        return DEFAULT_VOCABULARY
    # JSON gives the dash pattern back as a list; the relation type holds a tuple.
    return Vocabulary(
        RelationType(
            **{
                **item,
                "dashes": _dashes(item.get("dashes")),
                **{k: tuple(item[k]) for k in ("target", "keep") if k in item},
            }
        )
        for item in data
    )


def _dashes(value: Any) -> tuple[int, ...] | None:
    return None if value is None else tuple(value)


_XML_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def to_graphml(G: nx.MultiDiGraph) -> str:
    """The graph as GraphML: list and dict attributes JSON-encoded, absent (``None``) ones left out.

    Attributes holding text that XML cannot carry (control characters) are JSON-encoded too.

    The names of the JSON-encoded attributes are kept in the graph attribute ``json_attributes``,
    so ``parse_graphml`` restores them.

    Examples
    --------
    >>> from graphkit import Pattern, build_graph
    >>> G = build_graph([Pattern("a", "A", aliases=("x", "y"))])
    >>> parse_graphml(to_graphml(G)).nodes["a"]["aliases"]
    ['x', 'y']
    """
    items = [*G.nodes(data=True), *((None, d) for _, _, d in G.edges(data=True))]
    # JSON-encode every attribute that has a list, a dict, or text XML cannot hold (control
    # characters): all its values, so parse_graphml knows which to decode.
    encoded = {
        key
        for _, data in items
        for key, value in data.items()
        if isinstance(value, (list, tuple, dict)) or (isinstance(value, str) and _XML_ILLEGAL.search(value))
    }

    def plain(attrs: dict[str, Any]) -> dict[str, Any]:
        return {
            key: json.dumps(value, sort_keys=True) if key in encoded else value
            for key, value in attrs.items()
            if value is not None
        }

    H = nx.MultiDiGraph()
    for n, data in G.nodes(data=True):
        if _XML_ILLEGAL.search(n):
            raise ExportError(f"{data.get('path') or n!r}: GraphML cannot hold the slug {n!r} (control characters)")
        H.add_node(n, **plain(data))
    for u, v, k, data in G.edges(keys=True, data=True):
        H.add_edge(u, v, key=k, **plain(data))
    H.graph["vocabulary"] = json.dumps(_vocabulary_data(G), ensure_ascii=False)
    H.graph["json_attributes"] = " ".join(sorted(encoded | {"vocabulary"}))
    try:
        return "\n".join(nx.generate_graphml(H, encoding="utf-8", prettyprint=True)) + "\n"
    except (nx.NetworkXError, ValueError) as err:
        raise ExportError(f"cannot write GraphML ({err})") from err


def parse_graphml(text: str) -> nx.MultiDiGraph:
    """Read GraphML written by ``to_graphml`` back into a pattern graph."""
    try:
        H = nx.parse_graphml(text, force_multigraph=True)
    except Exception as err:  # networkx raises many kinds on bad XML
        raise ExportError(f"not valid GraphML ({err})") from err
    names = set(str(H.graph.pop("json_attributes", "")).split())

    def decode(attrs: dict[str, Any]) -> dict[str, Any]:
        return {k: json.loads(v) if k in names else v for k, v in attrs.items()}

    G = nx.MultiDiGraph(vocabulary=_vocabulary(json.loads(H.graph.get("vocabulary", "[]"))))
    absent = dict.fromkeys(NODE_ATTRIBUTES)  # to_graphml leaves out None values
    for n, data in H.nodes(data=True):
        G.add_node(n, **{**absent, **decode(data)})
    for u, v, k, data in H.edges(keys=True, data=True):
        G.add_edge(u, v, key=k, **decode(data))
    return G


def json_text(data: dict[str, Any], sort_keys: bool = False) -> str:
    """A mapping as JSON text that reads well in a diff: each item of a list value on a line of its own.

    Every piece is written by ``json.dumps`` without ``indent``, so by its C encoder: ``indent``
    switches to the pure-Python encoder, ten times slower on a big graph.

    Examples
    --------
    >>> print(json_text({"b": [1, {"x": "<y>"}], "a": None}, sort_keys=True), end="")
    {
    "a": null,
    "b": [
    1,
    {"x": "<y>"}
    ]
    }
    """
    dumps = json.JSONEncoder(ensure_ascii=False, allow_nan=False, sort_keys=sort_keys).encode

    def value(v: Any) -> str:
        if isinstance(v, list) and v:
            return "[\n" + ",\n".join(map(dumps, v)) + "\n]"
        return dumps(v)

    keys = sorted(data) if sort_keys else list(data)
    return "{\n" + ",\n".join(f"{dumps(str(k))}: {value(data[k])}" for k in keys) + "\n}\n"


def to_json(G: nx.MultiDiGraph) -> str:
    """The graph as node-link JSON (``networkx.node_link_data``, node keys under ``slug``), with the vocabulary.

    Examples
    --------
    >>> from graphkit import Pattern, build_graph
    >>> G = build_graph([Pattern("a", "A", scores={"vitality": 4.5})])
    >>> parse_json(to_json(G)).nodes["a"]["scores"]
    {'vitality': 4.5}
    """
    data = nx.node_link_data(G, edges="edges", name="slug")
    data["graph"] = {**{k: v for k, v in G.graph.items() if k != "vocabulary"}, "vocabulary": _vocabulary_data(G)}
    try:
        return json_text(data, sort_keys=True)
    except (TypeError, ValueError) as err:
        raise ExportError(f"cannot write JSON ({err})") from err


def parse_json(text: str) -> nx.MultiDiGraph:
    """Read node-link JSON written by ``to_json`` back into a pattern graph."""
    try:
        data = json.loads(text)
        vocabulary = _vocabulary(data.get("graph", {}).pop("vocabulary", None))
        G = nx.node_link_graph(data, directed=True, multigraph=True, edges="edges", name="slug")
    except (ValueError, KeyError, TypeError, AttributeError) as err:
        raise ExportError(f"not graphkit JSON ({err})") from err
    G.graph["vocabulary"] = vocabulary
    return G


def _rdf(fmt: str) -> Callable[..., str]:
    def render(G: nx.MultiDiGraph, **options: Any) -> str:
        return to_rdf(G, fmt, **options)

    return render


register_format(Format("turtle", _rdf("turtle"), ".ttl", ("ttl",), rdf=True, media_type="text/turtle"))
register_format(
    Format("ntriples", _rdf("ntriples"), ".nt", ("nt", "n-triples"), rdf=True, media_type="application/n-triples")
)
register_format(Format("jsonld", _rdf("jsonld"), ".jsonld", ("json-ld",), rdf=True, media_type="application/ld+json"))
register_format(Format("graphml", to_graphml, ".graphml", ("xml",), parse=parse_graphml, media_type="application/xml"))
register_format(Format("json", to_json, ".json", ("node-link",), parse=parse_json, media_type="application/json"))
