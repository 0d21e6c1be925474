"""Graph -> one self-contained HTML page: visual encoding, node and edge data, the pyvis template.

The page is rendered by pyvis (``Network.generate_html``) with a Jinja template of our own that
inlines every script and style, so it works from ``file://`` with no network. The whole map draws
with sigma.js + graphology (WebGL, vendored in ``vendor/``); focused pages can draw with
vis-network from pyvis's package files. Both share one page shell (``map.js``, ``map.css``).
All data from the library reaches the page as JSON inside ``<script>`` data blocks: the patterns
and relations compressed and in base64 (``data_block``), the rest as JSON escaped for that
context (``script_json``). The page's script writes it with ``textContent`` or draws it as canvas
text only: a title carrying markup shows as text.
"""

from __future__ import annotations

import base64
import hashlib
import json
import zlib
from collections import Counter
from functools import lru_cache
from importlib import resources
from typing import Any

import jinja2
import networkx as nx
from markupsafe import Markup
from pyvis.network import Network

from ..errors import ViewError
from ..model import DEFAULT_VOCABULARY, EXTERNAL, RelationType, Vocabulary
from .colors import EXTERNAL_COLOR, FACETS, NONE_COLOR, OTHER_COLOR, _facet_value, facet_colors, facet_values
from .layout import focus_positions, layout_positions, node_size, strongest_first

__all__ = [
    "COLOR_FACETS",
    "RENDERERS",
    "data_block",
    "facet_colors",
    "facet_values",
    "network_data",
    "pack_edges",
    "pack_nodes",
    "packed",
    "read_data_block",
    "unpack_edges",
    "unpack_nodes",
    "unpacked",
    "strongest_first",
    "relation_styles",
    "script_json",
    "to_html",
]

#: Facets a map can be coloured by: option name -> node attribute (lists use their first value).
COLOR_FACETS = FACETS

#: How a page draws: ``"sigma"`` (WebGL, for whole libraries) or ``"vis"`` (vis-network, focused pages).
RENDERERS = ("sigma", "vis")

#: Facets a reader can filter the map by, beside the relation toggles.
FILTER_FACETS = ("domain", "status", "era", "category")

#: Colours and dashes for relations whose type sets none, picked by a hash of the name.
EXTRA_COLORS = ("#e6550d", "#31a354", "#756bb1", "#636363", "#3182bd", "#de2d26", "#c51b8a", "#08519c")
EXTRA_DASHES: tuple[list[int] | None, ...] = (None, [8, 4], [3, 3], [12, 3, 3, 3])
INFERRED_DASHES = [2, 5]

_JSON_ESCAPES = (("<", "\\u003c"), (">", "\\u003e"), ("&", "\\u0026"), ("\u2028", "\\u2028"), ("\u2029", "\\u2029"))


def _escape_json(text: str) -> str:
    # str.replace, one character at a time: several times faster than str.translate on megabytes.
    for char, escape in _JSON_ESCAPES:
        if char in text:
            text = text.replace(char, escape)
    return text


def script_json(value: Any) -> str:
    """JSON text that is safe inside an HTML ``<script>`` element.

    ``<``, ``>``, ``&`` and the line separators U+2028/U+2029 become ``\\uXXXX`` escapes, so no
    string can close the element or open a comment; the JSON still parses to the same value.

    Examples
    --------
    >>> script_json({"title": "</script><b>&"})
    '{"title":"\\\\u003c/script\\\\u003e\\\\u003cb\\\\u003e\\\\u0026"}'
    >>> json.loads(script_json(["\\u2028</script>"])) == ["\\u2028</script>"]
    True
    """
    return _escape_json(json.dumps(value, ensure_ascii=False, sort_keys=False, allow_nan=False, separators=(",", ":")))


def script_hash(script: str) -> str:
    """The Content-Security-Policy source that allows exactly this inline script, ``'sha256-...'``.

    >>> script_hash("alert(1)")
    "'sha256-bhHHL3z2vDgxUt0W3dWQOrprscmda2Y5pLsLg4GF+pI='"
    """
    return "'sha256-" + base64.b64encode(hashlib.sha256(script.encode("utf-8")).digest()).decode("ascii") + "'"


def packed(data: bytes, level: int) -> str:
    """``data`` compressed with zlib at ``level``, in base64: how the pages carry their data.

    The page reads it back with the browser's ``DecompressionStream``. Base64 has no character
    that could end the ``<script>`` element holding it.

    Examples
    --------
    >>> text = packed("</script> é".encode(), 1)
    >>> "<" in text, unpacked(text).decode()
    (False, '</script> é')
    """
    return base64.b64encode(zlib.compress(data, level)).decode("ascii")


def unpacked(text: str) -> bytes:
    """The bytes a ``packed`` text holds."""
    return zlib.decompress(base64.b64decode(text))


def data_block(value: Any) -> str:
    """``value`` as ``packed`` JSON: a map page's patterns and relations.

    A library of 36,000 patterns and 350,000 relations makes a page of 6 MB instead of 16, and
    the browser keeps the smaller text. zlib's fastest level: the default one saves a fifth more
    and takes six times as long (1.8 s against 0.3 s on that library).

    Examples
    --------
    >>> read_data_block(data_block(["é", 1.5, None]))
    ['é', 1.5, None]
    """
    text = json.dumps(value, ensure_ascii=False, sort_keys=False, allow_nan=False, separators=(",", ":"))
    return packed(text.encode("utf-8"), 1)


def read_data_block(text: str) -> Any:
    """The value a ``data_block`` holds."""
    return json.loads(unpacked(text))


def relation_styles(vocabulary: Vocabulary, names: list[str] | tuple[str, ...] = ()) -> list[dict[str, Any]]:
    """The drawing style and labels of each relation: the vocabulary's, then any other ``names`` in order.

    Colours, dashes and labels are the vocabulary's. A relation without a colour or a dash
    pattern there (or unknown to it) gets them from a hash of its name, so the same name looks
    the same on every map.

    Examples
    --------
    >>> styles = relation_styles(DEFAULT_VOCABULARY, ["implements"])
    >>> [(s["name"], s["directed"]) for s in styles][-2:]
    [('tools', True), ('implements', True)]
    >>> styles[-1] == relation_styles(DEFAULT_VOCABULARY, ["implements"])[-1]
    True
    """
    ordered = list(vocabulary) + [n for n in names if n not in vocabulary]
    styles = []
    for name in ordered:
        rt = vocabulary.get(name) or RelationType(name, name.replace("_", " "))
        digest = hashlib.sha256(name.encode("utf-8")).digest()
        color = rt.color or EXTRA_COLORS[digest[0] % len(EXTRA_COLORS)]
        dashes = list(rt.dashes) if rt.dashes is not None else EXTRA_DASHES[digest[1] % len(EXTRA_DASHES)]
        styles.append(
            {
                "name": name,
                "label": rt.label,
                # the inverse when the map can show it: a relation of the vocabulary itself
                "inverse": rt.inverse if rt.inverse in vocabulary else None,
                "inverse_label": vocabulary.incoming_label(name) if name in vocabulary else None,
                "directed": rt.directed,
                "color": color,
                "dashes": dashes or None,  # a solid line
            }
        )
    return styles


def _legend(G: nx.Graph, facet: str) -> tuple[list[dict[str, Any]], dict[str, int]]:
    counts = facet_values(G, facet)
    colors = facet_colors(G, facet)
    ranked = sorted(counts, key=lambda v: (-counts[v], v))
    coloured = [v for v in ranked if colors[v] != OTHER_COLOR]
    legend: list[dict[str, Any]] = [{"value": v, "color": colors[v], "count": counts[v]} for v in coloured]
    index = {v: i for i, v in enumerate(coloured)}
    rest = [v for v in ranked if colors[v] == OTHER_COLOR]
    if rest:
        legend.append({"value": None, "label": f"other ({len(rest)} values)", "color": OTHER_COLOR,
                       "count": sum(counts[v] for v in rest)})  # fmt: skip
        for v in rest:
            index[v] = len(legend) - 1
    externals = sum(1 for _, kind in G.nodes(data="kind") if kind == EXTERNAL)
    missing = G.number_of_nodes() - externals - sum(counts.values())
    if missing:
        legend.append({"value": None, "label": "none", "color": NONE_COLOR, "count": missing})
        index[""] = len(legend) - 1
    if externals:  # no patterns, drawn apart whatever the facet
        legend.append({"value": None, "label": "external", "color": EXTERNAL_COLOR, "count": externals})
        index[EXTERNAL] = len(legend) - 1
    return legend, index


def _text(value: Any) -> str | None:
    return None if value is None else str(value)


def _texts(value: Any) -> list[str]:
    if isinstance(value, (list, tuple)):
        return [str(v) for v in value]
    return [] if value is None else [str(value)]


def network_data(
    G: nx.MultiDiGraph, facet: str = "domain", positions: dict[Any, tuple[float, float]] | None = None
) -> tuple[list[dict[str, Any]], list[dict[str, Any]], dict[str, Any]]:
    """The page's nodes, edges and legend data for ``G`` (deterministic, JSON-ready).

    Nodes are in slug order; an edge names its ends and relation by position (``"f"``, ``"t"``,
    ``"r"``) and carries ``"i": 1`` when machine-inferred, ``"c"`` its confidence and ``"w"`` its weight.

    Examples
    --------
    >>> from graphkit import Link, Pattern, build_graph
    >>> G = build_graph([Pattern("a", "A", domains=("ops",), links=(Link("enables", "b"),)), Pattern("b", "B")])
    >>> nodes, edges, meta = network_data(G)
    >>> [n["id"] for n in nodes], edges, meta["relations"][edges[0]["r"]]["name"]
    (['a', 'b'], [{'f': 0, 't': 1, 'r': 2}], 'enables')
    >>> [(item["value"], item["count"]) for item in meta["legend"]]
    [('ops', 1), (None, 1)]
    >>> nodes[0]["fv"]["domain"], meta["filters"]
    (['ops'], ['domain'])
    """
    vocabulary = G.graph.get("vocabulary", DEFAULT_VOCABULARY)
    relations_used = sorted({str(d.get("relation", k)) for _, _, k, d in G.edges(keys=True, data=True)})
    styles = relation_styles(vocabulary, relations_used)
    rel_index = {s["name"]: i for i, s in enumerate(styles)}
    legend, color_index = _legend(G, facet)
    attribute = COLOR_FACETS[facet]
    if positions is not None:
        pos = positions
    elif G.graph.get("focus") is not None:  # a local graph: the chosen pattern in the middle, its steps in rings
        pos = focus_positions(G, G.graph["focus"])
    else:
        pos = layout_positions(G)
    slugs = sorted(G.nodes, key=str)
    degrees = dict(G.degree())
    facet_attributes = {f: COLOR_FACETS[f] for f in COLOR_FACETS if facet_values(G, f)}
    nodes = []
    for slug in slugs:
        d = G.nodes[slug]
        degree = degrees[slug]
        # every facet's values, for the filters and for colouring by another facet in the page
        fv = {f: values for f, a in facet_attributes.items() if (values := _texts(d.get(a)))}
        nodes.append(
            {
                "id": str(slug),
                "label": str(d.get("title") or slug),
                "x": pos[slug][0],
                "y": pos[slug][1],
                "size": node_size(degree),
                "c": color_index[EXTERNAL if d.get("kind") == EXTERNAL else _facet_value(d, attribute) or ""],
                "deg": degree,
                "pid": _text(d.get("id")),
                "aliases": _texts(d.get("aliases")),
                "summary": _text(d.get("summary")),
                "domains": _texts(d.get("domains")),
                "url": _text(d.get("page_url")),
                "fv": fv,
            }
        )
        if d.get("level") is not None:
            nodes[-1]["level"] = d["level"]
        if d.get("kind") == EXTERNAL:
            nodes[-1]["ext"] = 1
    # Edges are compact (a big library has tens of thousands): the position of the edge is its
    # id, "f"/"t" index the node list, "r" the relation list; "i" marks an inferred edge.
    position = {slug: i for i, slug in enumerate(slugs)}
    edges = []
    rel_counts: Counter[tuple[str, bool]] = Counter()
    triples = sorted(G.edges(keys=True, data=True), key=lambda e: (str(e[0]), str(e[1]), str(e[2])))
    for u, v, key, d in triples:
        relation = str(d.get("relation", key))
        inferred = bool(d.get("inferred", False))
        rel_counts[(relation, inferred)] += 1
        edge: dict[str, Any] = {"f": position[u], "t": position[v], "r": rel_index[relation]}
        if inferred:
            edge["i"] = 1
        if d.get("confidence") is not None:
            edge["c"] = d["confidence"]
        if d.get("weight") is not None:
            edge["w"] = d["weight"]
        edges.append(edge)
    for s in styles:
        s["count"] = rel_counts[(s["name"], False)]
        s["inferred_count"] = rel_counts[(s["name"], True)]
    meta = {
        "facet": facet,
        "legend": legend,
        "legends": {f: _legend(G, f)[0] for f in facet_attributes},
        "filters": [f for f in FILTER_FACETS if f in facet_attributes],
        "relations": styles,
        "inferred_dashes": INFERRED_DASHES,
    }
    return nodes, edges, meta


# --- the page's data, packed -----------------------------------------------------------------
# A library of 36,000 patterns and 350,000 relations makes 37 MB of node and edge records; the
# page carries them as columns instead (one list per field, no key repeated, nothing written
# that the page can derive). ``map.js`` unpacks them as ``unpack_*`` do here.

_NODE_NUMBERS = ("x", "y", "size", "c", "deg")


def _flags(values: list[bool]) -> str:
    return "".join("1" if v else "0" for v in values)


def _sparse(values: list[Any]) -> dict[str, Any]:
    """``{"has": "0110", "v": [b, c]}``: which entries have a value (not ``None``), and the values."""
    return {"has": _flags([v is not None for v in values]), "v": [v for v in values if v is not None]}


def _unsparse(packed: dict[str, Any]) -> list[Any]:
    values = iter(packed["v"])
    return [next(values) if flag == "1" else None for flag in packed["has"]]


def _slug_words(slug: str) -> str | None:
    """``"gap-analysis"`` -> ``"Gap Analysis"``, for an ASCII slug (``None`` otherwise): the title
    most patterns have, which the page derives instead of carrying."""
    if not slug.isascii():
        return None
    return " ".join(word[:1].upper() + word[1:] for word in slug.split("-"))


def _url_template(nodes: list[dict[str, Any]]) -> tuple[str, str] | None:
    """The commonest ``(prefix, suffix)`` that makes a node's URL from its slug, if any does."""
    counts: Counter[tuple[str, str]] = Counter()
    for n in nodes:
        url, slug = n["url"], n["id"]
        if url and slug and slug in url:
            at = url.rindex(slug)
            counts[(url[:at], url[at + len(slug) :])] += 1
    return min(counts, key=lambda k: (-counts[k], k)) if counts else None


def pack_nodes(nodes: list[dict[str, Any]]) -> dict[str, Any]:
    """``network_data``'s nodes as the page carries them; ``unpack_nodes`` gives them back.

    Examples
    --------
    >>> from graphkit import Pattern, build_graph
    >>> nodes, _, _ = network_data(build_graph([Pattern("gap-analysis", "Gap Analysis", domains=("ops",)),
    ...                                          Pattern("b", "b")]))
    >>> packed = pack_nodes(nodes)
    >>> packed["id"], packed["label"], packed["fv"]["domain"]
    (['b', 'gap-analysis'], ['b', None], {'values': ['ops'], 'of': [None, 0]})
    >>> unpack_nodes(packed) == nodes
    True
    """
    packed: dict[str, Any] = {"id": [n["id"] for n in nodes]}
    # None: the label is the slug's words (see _slug_words)
    packed["label"] = [None if n["label"] == _slug_words(n["id"]) else n["label"] for n in nodes]
    for field in _NODE_NUMBERS:
        packed[field] = [n[field] for n in nodes]
    packed["pid"] = [n["pid"] for n in nodes]
    packed["summary"] = [n["summary"] for n in nodes]
    packed["aliases"] = {str(i): n["aliases"] for i, n in enumerate(nodes) if n["aliases"]}
    template = _url_template(nodes)
    packed["url_template"] = template
    # 1: made from the template; None: no URL; a string: the URL itself
    packed["url"] = [
        1 if template is not None and n["url"] == template[0] + n["id"] + template[1] else n["url"] for n in nodes
    ]
    facets: dict[str, Any] = {}
    for n in nodes:
        for facet in n["fv"]:
            facets.setdefault(facet, {})
    for facet, column in facets.items():
        values = sorted({v for n in nodes for v in n["fv"].get(facet, ())})
        index = {v: i for i, v in enumerate(values)}
        of: list[Any] = []
        for n in nodes:
            mine = [index[v] for v in n["fv"].get(facet, ())]
            of.append(None if not mine else mine[0] if len(mine) == 1 else mine)
        column.update(values=values, of=of)
    packed["fv"] = facets
    for field in ("level", "rank"):  # on hierarchy pages and focused pages with a limit
        if any(field in n for n in nodes):
            packed[field] = [n.get(field) for n in nodes]
    if any("ext" in n for n in nodes):  # the positions of the external nodes
        packed["ext"] = [i for i, n in enumerate(nodes) if "ext" in n]
    return packed


def unpack_nodes(packed: dict[str, Any]) -> list[dict[str, Any]]:
    """The node records of ``pack_nodes(nodes)``, as ``network_data`` made them (``domains`` is
    the ``domain`` facet's values)."""
    nodes = []
    template = packed["url_template"]
    external = set(packed.get("ext", ()))
    for i, slug in enumerate(packed["id"]):
        fv = {}
        for facet, column in packed["fv"].items():
            of = column["of"][i]
            if of is not None:
                fv[facet] = [column["values"][k] for k in (of if isinstance(of, list) else [of])]
        url = packed["url"][i]
        label = packed["label"][i]
        node: dict[str, Any] = {"id": slug, "label": label if label is not None else _slug_words(slug)}
        node.update({field: packed[field][i] for field in _NODE_NUMBERS})
        node.update(
            pid=packed["pid"][i],
            aliases=packed["aliases"].get(str(i), []),
            summary=packed["summary"][i],
            domains=fv.get("domain", []),
            url=template[0] + slug + template[1] if url == 1 else url,
            fv=fv,
        )
        for field in ("level", "rank"):
            if field in packed and packed[field][i] is not None:
                node[field] = packed[field][i]
        if i in external:
            node["ext"] = 1
        nodes.append(node)
    return nodes


def pack_edges(edges: list[dict[str, Any]]) -> dict[str, Any]:
    """``network_data``'s edges as the page carries them; ``unpack_edges`` gives them back.

    Edges come in source order, then target order: a source is written as the step from the
    previous edge's, and so is a target when the source is the same; the inferred mark is one
    character per edge; confidences and weights are written only where there are some.

    Examples
    --------
    >>> edges = [{"f": 0, "t": 1, "r": 2}, {"f": 0, "t": 5, "r": 0, "i": 1, "c": 0.8},
    ...          {"f": 2, "t": 0, "r": 2, "w": 3}]
    >>> packed = pack_edges(edges)
    >>> packed["f"], packed["t"], packed["i"], packed["c"], packed["w"]
    ([0, 0, 2], [1, 4, 0], '010', {'has': '010', 'v': [0.8]}, {'has': '001', 'v': [3]})
    >>> unpack_edges(pack_edges(edges)) == edges
    True
    """
    sources: list[int] = []
    targets: list[int] = []
    source = target = -1  # the previous edge's
    for e in edges:
        sources.append(e["f"] - max(source, 0))
        targets.append(e["t"] - target if e["f"] == source else e["t"])
        source, target = e["f"], e["t"]
    return {
        "f": sources,
        "t": targets,
        "r": [e["r"] for e in edges],
        "i": _flags([e.get("i") == 1 for e in edges]),
        "c": _sparse([e.get("c") for e in edges]),
        "w": _sparse([e.get("w") for e in edges]),
    }


def unpack_edges(packed: dict[str, Any]) -> list[dict[str, Any]]:
    """The edge records of ``pack_edges(edges)``."""
    edges: list[dict[str, Any]] = []
    source = target = 0
    columns = packed["f"], packed["t"], packed["r"], packed["i"], _unsparse(packed["c"]), _unsparse(packed["w"])
    for step, to, relation, inferred, confidence, weight in zip(*columns, strict=True):
        source += step
        target = target + to if edges and step == 0 else to
        edge: dict[str, Any] = {"f": source, "t": target, "r": relation}
        if inferred == "1":
            edge["i"] = 1
        if confidence is not None:
            edge["c"] = confidence
        if weight is not None:
            edge["w"] = weight
        edges.append(edge)
    return edges


#: vis-network options: positions come from Python, so physics and smooth curves stay off.
VIS_OPTIONS: dict[str, Any] = {
    "autoResize": True,
    "physics": {"enabled": False},
    "layout": {"improvedLayout": False, "randomSeed": 1},
    "nodes": {
        "shape": "dot",
        "borderWidth": 1,
        "font": {
            "size": 15,
            "face": "system-ui, sans-serif",
            "color": "#1f2328",
            "strokeWidth": 3,
            "strokeColor": "#ffffff",
        },
        "scaling": {"label": {"enabled": False, "drawThreshold": 6}},
    },  # fmt: skip
    "edges": {
        "smooth": False,
        "width": 1,
        "selectionWidth": 1.5,
        "hoverWidth": 0.5,
        "arrowStrikethrough": False,
        "arrows": {"to": {"scaleFactor": 0.45}},
    },
    "interaction": {
        "hover": True,
        "tooltipDelay": 200,
        "hideEdgesOnDrag": True,
        "hideEdgesOnZoom": True,
        "keyboard": False,
        "multiselect": False,
    },
}


#: A generalization hierarchy: general patterns on top, specializations below, one row per level.
VIS_HIERARCHY_OPTIONS: dict[str, Any] = {
    **VIS_OPTIONS,
    "layout": {
        "improvedLayout": False,
        "randomSeed": 1,
        "hierarchical": {
            "enabled": True,
            "direction": "UD",
            "sortMethod": "directed",
            "levelSeparation": 140,
            "nodeSpacing": 180,
            "shakeTowards": "roots",
        },
    },  # fmt: skip
}


@lru_cache(maxsize=1)
def _assets() -> dict[str, str]:
    here = resources.files(__package__)
    vis = resources.files("pyvis") / "lib" / "vis-9.1.2"
    vendor = here / "vendor"
    return {
        "sigma_js": (vendor / "graphology.umd.min.js").read_text(encoding="utf-8")
        + ";\n"
        + (vendor / "sigma.min.js").read_text(encoding="utf-8"),
        "template": (here / "map.html").read_text(encoding="utf-8"),
        "vis_js": (vis / "vis-network.min.js").read_text(encoding="utf-8"),
        "vis_css": (vis / "vis-network.css").read_text(encoding="utf-8"),
        "app_js": (here / "map.js").read_text(encoding="utf-8"),
        "app_css": (here / "map.css").read_text(encoding="utf-8"),
    }


def _environment(meta: dict[str, Any], page_data: dict[str, Any]) -> jinja2.Environment:
    """A Jinja environment for one page: autoescaping on, the assets, ``meta`` and the packed data as globals."""
    assets = _assets()
    env = jinja2.Environment(
        loader=jinja2.DictLoader({"map.html": assets["template"]}), autoescape=True, keep_trailing_newline=True
    )
    env.filters["script_json"] = lambda value: Markup(script_json(value))
    env.filters["data_block"] = lambda value: Markup(data_block(value))
    env.filters["script_json_text"] = lambda text: Markup(_escape_json(str(text)))
    # Package files, trusted: inlined as they are (none contains "</script" or "</style").
    env.globals.update({k: Markup(v) for k, v in assets.items() if k != "template"})
    env.globals["meta"] = meta
    env.globals["packed"] = page_data
    return env


def to_html(
    G: nx.MultiDiGraph,
    title: str = "Pattern map",
    color_by: str = "domain",
    selected: str | None = None,
    depth: int = 1,
    positions: dict[Any, tuple[float, float]] | None = None,
    renderer: str = "sigma",
    limit: int | None = None,
    ask: str | None = None,
) -> str:
    """The interactive map of ``G`` as one self-contained HTML page (no network needed).

    Parameters
    ----------
    G : nx.MultiDiGraph
        A pattern graph (from ``load_library``); it is not modified.
    title : str
        The page's heading (shown as text).
    color_by : str
        The facet that colours the nodes: one of ``COLOR_FACETS``.
    selected : str, optional
        The slug the page opens focused on (a link's ``#p=...`` overrides it).
    depth : int
        How many steps around the selected pattern are highlighted at first.
    positions : dict, optional
        ``{slug: (x, y)}``; computed by ``layout_positions`` when omitted.
    renderer : str
        ``"sigma"`` (WebGL; fluid with tens of thousands of relations) or ``"vis"``
        (vis-network; curved arrows and dashes, for focused pages of a few hundred patterns).
        A graph from ``hierarchy_graph`` is drawn by vis-network as a tree, whatever is asked.
    limit : int, optional
        With ``selected``: the page shows the ``limit`` patterns closest to it, strongest
        links first (see ``strongest_first``), and a button shows all.
    ask : str, optional
        In a site: the start of a link to its SPARQL page asking about a pattern (see
        ``graphkit.sparqlpage.ask_href``); the details panel adds the slug, percent-encoded.

    Returns
    -------
    str
        The page; the same graph gives the same text.

    Examples
    --------
    >>> from graphkit import load_library
    >>> page = to_html(load_library().graph)
    >>> page.startswith("<!DOCTYPE html>"), "https://" in page.split("<script")[0]
    (True, False)
    """
    if color_by not in COLOR_FACETS:
        raise ViewError(f"cannot colour by {color_by!r} (choose one of: {', '.join(COLOR_FACETS)})")
    if selected is not None and selected not in G:
        raise ViewError(f"cannot select {selected!r}: it is not a pattern of this graph")
    if depth < 0:
        raise ViewError(f"depth must be 0 or more, not {depth}")
    if renderer not in RENDERERS:
        raise ViewError(f"cannot draw with {renderer!r} (choose one of: {', '.join(RENDERERS)})")
    if limit is not None and limit < 1:
        raise ViewError(f"limit must be 1 or more, not {limit}")
    hierarchy = G.graph.get("hierarchy") is not None
    if hierarchy:
        renderer = "vis"
        positions = {n: (0.0, 0.0) for n in G}  # vis-network lays the tree out by level
    nodes, edges, meta = network_data(G, color_by, positions)
    if limit is not None and selected is not None and len(nodes) > limit:
        rank = {str(n): i for i, n in enumerate(strongest_first(G, selected))}
        for node in nodes:
            node["rank"] = rank[node["id"]]
    else:
        limit = None
    meta.update(
        renderer=renderer,
        limit=limit,
        hierarchy=hierarchy,
        title=title,
        initial={"p": None if selected is None else str(selected), "d": depth},
        counts={"nodes": len(nodes), "edges": len(edges)},
        ask=ask,
    )
    net = Network(height="100%", width="100%", directed=True, heading=title, cdn_resources="in_line")
    net.nodes, net.edges, net.node_ids = nodes, edges, [n["id"] for n in nodes]
    net.options = VIS_HIERARCHY_OPTIONS if hierarchy else VIS_OPTIONS
    net.templateEnv = _environment(meta, {"nodes": pack_nodes(nodes), "edges": pack_edges(edges)})
    net.path = "map.html"
    try:
        return net.generate_html(name="map.html")
    except (jinja2.TemplateError, TypeError, ValueError) as err:
        raise ViewError(f"cannot render the map: {err}") from err
