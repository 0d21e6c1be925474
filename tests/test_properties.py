"""Property-based: whatever YAML a stranger writes into any field, loading gives records and problems only."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from graphkit import build_graph, link_patterns
from graphkit.load import parse_pattern
from graphkit.view.page import pack_edges, unpack_edges

RELATIONS = [
    "generalizes_from",
    "specializes_to",
    "enables",
    "requires",
    "related",
    "alternatives",
    "complementary",
    "tools",
]

scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=20),
    st.sampled_from(["pat_01x", "a", "b", "", " ", "no", "010", "2026-02-01", "<script>", "a b#c"]),
)
values = st.recursive(
    scalars,
    lambda children: st.one_of(
        st.lists(children, max_size=4),
        st.dictionaries(
            st.sampled_from(["slug", "id", "weight", "description", "target", "x", "dimension", "score"]),
            children,
            max_size=4,
        ),
    ),
    max_leaves=12,
)

TOP_FIELDS = [
    "id",
    "slug",
    "title",
    "aliases",
    "summary",
    "description",
    "domain",
    "category",
    "categories",
    "era",
    "origin",
    "status",
    "page_url",
    "version",
    "created",
    "modified",
    "last_updated",
    "confidence_score",
    "commons_alignment",
    *RELATIONS,
]
BLOCK_FIELDS = {
    "classification": ["domain", "category", "era", "origin", "status", "commons_alignment"],
    "ontology": ["domain", "cross_domains", "commons_assessment", "overall_score"],
    "lifecycle": ["status", "version", "confidence"],
    "relationships": [*RELATIONS, "implements"],
    "graph_garden": ["inferred_links", "entities"],
}


@st.composite
def frontmatters(draw):
    fm = {name: draw(values) for name in draw(st.lists(st.sampled_from(TOP_FIELDS), unique=True, max_size=10))}
    for block, names in BLOCK_FIELDS.items():
        shape = draw(st.sampled_from(["absent", "mapping", "other"]))
        if shape == "mapping":
            fm[block] = {n: draw(values) for n in draw(st.lists(st.sampled_from(names), unique=True, max_size=4))}
        elif shape == "other":
            fm[block] = draw(values)
    if "graph_garden" in fm and isinstance(fm["graph_garden"], dict) and draw(st.booleans()):
        fm["graph_garden"]["inferred_links"] = draw(
            st.lists(
                st.fixed_dictionaries({"target": values}, optional={"strength": values, "reason": values}), max_size=3
            )
        )
    return fm


def check(data: bytes, path: str = "p.md"):
    pattern, problems = parse_pattern(data, path)
    for p in problems:
        assert p.path == path and p.severity in ("error", "warning") and p.message and "\n" not in p.kind
    if pattern is None:
        assert any(p.severity == "error" for p in problems)
        return
    assert isinstance(pattern.slug, str) and pattern.slug
    assert isinstance(pattern.title, str) and pattern.title
    assert all(isinstance(x, str) for x in (*pattern.aliases, *pattern.domains, *pattern.categories, *pattern.era))
    assert all(isinstance(v, float) for v in pattern.scores.values())
    json.dumps(dict(pattern.frontmatter), allow_nan=False)  # JSON-safe, nothing exotic left
    other = parse_pattern(b"---\nslug: b\ntitle: B\n---\n", "b.md")[0]
    G = build_graph([pattern, other], edges=link_patterns([pattern, other])[0])
    assert set(G) == {pattern.slug, "b"} or pattern.slug == "b"


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(frontmatters())
def test_any_yaml_values_in_known_fields(fm):
    text = "---\n" + yaml.safe_dump(fm, allow_unicode=True, sort_keys=False) + "---\nbody\n"
    check(text.encode("utf-8"))


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=300))
def test_any_bytes(data):
    check(data)
    check(b"---\n" + data + b"\n---\n")


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("[]{}:-,'\"&*!|>%@`#? \n\tab01")), max_size=120))
def test_any_yaml_punctuation(text):
    check(("---\n" + text + "\n---\n").encode("utf-8"))


# --------------------------------------------------------------------------- YAML text a stranger writes
# The frontmatter as text, not as values PyYAML dumped: explicit tags (good and bad values),
# integers of more digits than Python converts, anchors and aliases, control characters,
# and odd shapes (lists for text, mappings for lists, nulls, numbers) in every field the
# loader reads, in both layouts. Whatever comes, loading ends in records and problems.

import os  # noqa: E402
import tempfile  # noqa: E402

import graphkit  # noqa: E402
from graphkit.export import to_format  # noqa: E402

HUGE = ["9" * 5000, "-" + "9" * 4301, "9" * 400, "0." + "9" * 5000, "1e999"]
TAGS = ["!!int", "!!float", "!!bool", "!!timestamp", "!!str", "!!null", "!!binary", "!!set", "!!omap", "!!pairs",
        "!!seq", "!!map", "!!merge", "!foo", "!!python/name:os.system"]  # fmt: skip
TAGGED = ["abc", "''", "maybe", "yes", "0x1F", "0b", "1:30", "2026-02-01", "2026-13-01", "2026-01-01 10:00:00 +99",
          "notadate", "aGVsbG8=", "9" * 5000, "0x" + "f" * 4000, ":".join(["1"] * 200), "[1]", "{a: 1}"]  # fmt: skip
PLAIN = ["a", "b", "pat_01x", "1", "-0", "1.5", "~", "null", "true", "no", "010", "2026-02-01",
         ".inf", ".nan", "''", '"\\e[31mred"', '"a\\x01b"', '"\\u202e"', '"a\\nb"', "*anchor"]  # fmt: skip
RELATIONS_AND_JUNK = [*RELATIONS, "implements", "x", "'a b'"]
LINK_KEYS = ["target", "slug", "id", "relation", "type", "confidence", "strength", "reason", "weight", "description"]
BLOCKS = {
    "classification": ["domain", "category", "era", "origin", "status", "commons_alignment"],
    "ontology": ["domain", "cross_domains", "commons_assessment", "overall_score"],
    "lifecycle": ["status", "version", "confidence", "created"],
    "relationships": RELATIONS_AND_JUNK,
    "graph_garden": ["inferred_links", "entities"],
}


@st.composite
def yaml_nodes(draw, depth=2, risky=True):
    """One YAML node as flow text; ``risky`` ones may hold explicit tags and huge numbers (which
    often make the whole file a problem), the others only odd shapes (which leave a pattern)."""
    kinds = ["plain", "plain", "list", "map"] if depth else ["plain"]
    kind = draw(st.sampled_from(kinds + ["huge", "tagged"] if risky else kinds))
    if kind == "plain":
        return draw(st.sampled_from(PLAIN))
    if kind == "huge":
        return draw(st.sampled_from(HUGE))
    if kind == "tagged":
        return f"{draw(st.sampled_from(TAGS))} {draw(st.sampled_from(TAGGED))}"
    if kind == "list":
        return "[" + ", ".join(draw(st.lists(yaml_nodes(depth - 1, risky), max_size=3))) + "]"
    keys = draw(st.lists(st.sampled_from([*LINK_KEYS, "dimension", "score", "name", "1"]), unique=True, max_size=3))
    return "{" + ", ".join(f"{k}: {draw(yaml_nodes(depth - 1, risky))}" for k in keys) + "}"


@st.composite
def inferred_links(draw, risky):
    items = []
    for _ in range(draw(st.integers(0, 3))):
        keys = draw(st.lists(st.sampled_from(LINK_KEYS), unique=True, max_size=4))
        items.append("{" + ", ".join(f"{k}: {draw(yaml_nodes(1, risky))}" for k in keys) + "}")
    return "[" + ", ".join(items) + "]"


@st.composite
def frontmatter_texts(draw):
    risky = draw(st.booleans())
    node = yaml_nodes(risky=risky)
    lines = [f"anchored: &anchor {draw(yaml_nodes(1, risky))}"]
    for name in draw(st.lists(st.sampled_from(TOP_FIELDS), unique=True, max_size=8)):
        lines.append(f"{name}: {draw(node)}")
    for block, names in BLOCKS.items():
        shape = draw(st.sampled_from(["absent", "mapping", "mapping", "other"]))
        if shape == "other":
            lines.append(f"{block}: {draw(node)}")
        elif shape == "mapping":
            fields = {n: draw(node) for n in draw(st.lists(st.sampled_from(names), unique=True, max_size=4))}
            if block == "graph_garden" and draw(st.booleans()):
                fields["inferred_links"] = draw(inferred_links(risky))
            lines.append(f"{block}:")
            lines.extend(f"  {n}: {v}" for n, v in fields.items())
    return "\n".join(lines) + "\n"


SIBLING = b"---\nslug: valid-sibling\ntitle: Valid sibling\nrelated: [a]\n---\n"


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(frontmatter_texts(), st.sampled_from(["a.md", "sub/a.md", "x\x1b.md"]))
def test_any_frontmatter_text_ends_in_records_and_problems(fm, name):
    with tempfile.TemporaryDirectory() as root:
        os.makedirs(os.path.join(root, "sub"))
        with open(os.path.join(root, name), "w", encoding="utf-8") as f:
            f.write("---\n" + fm + "---\nbody\n")
        with open(os.path.join(root, "valid.md"), "wb") as f:
            f.write(SIBLING)
        lib = graphkit.load_library(root)
    assert lib.files == tuple(sorted([name, "valid.md"]))
    assert "valid-sibling" in lib.graph and lib.graph.nodes["valid-sibling"]["path"] == "valid.md"
    in_graph = {data["path"] for _, data in lib.graph.nodes(data=True)}
    failed = {p.path for p in lib.problems if p.severity == "error" and p.kind != "dangling-reference"}
    assert in_graph | failed == set(lib.files)
    for problem in lib.problems:
        assert problem.severity in ("error", "warning") and problem.message
        assert "\n" not in problem.message and "\r" not in problem.message, problem
    for fmt in ("json", "graphml"):  # downstream trusts the record: every export renders it
        to_format(lib.graph, fmt)


# --------------------------------------------------------------------------- YAML: fast path == SafeConstructor
# The loader builds plain frontmatter straight from libyaml's nodes (graphkit.load.read._fast)
# and hands anything unusual to PyYAML's SafeConstructor. Both must give the same value and
# the same duplicate keys, scalar by scalar.

from graphkit.load import read as _read  # noqa: E402

TOKENS = [
    "a", "b", "slug", "x y", "1", "-0", "+1", "007", "0x1F", "0o7", "1_000", "12:30", "1.", ".5", "-.5",
    "1e3", "1.5E-2", "+.inf", "-.Inf", ".NaN", ".nan", "true", "False", "TRUE", "yes", "no", "on", "~",
    "null", "Null", "2026-02-01", "2026-02-01T10:00:00Z", "'1'", '"true"', "''", '"\\t"', "=",
]  # fmt: skip


def _both(fm: str, max_depth: int = 64):
    """(fast, slow): each a (value, duplicate keys) pair, or the name of the exception it raised.

    The duplicate keys are compared in the file's order, as ``parse_frontmatter`` reports
    them: SafeConstructor meets nested mappings in an order of its own.
    """
    fast_loader, slow_loader = _read._Loader(fm), _read._Loader(fm)
    try:
        node = fast_loader.get_single_node()
        fast = (repr(_read._fast(node, max_depth, fast_loader.duplicate_keys)), sorted(fast_loader.duplicate_keys))
    except _read._Unusual:
        fast = None
    except (yaml.YAMLError, RecursionError) as err:
        fast = type(err).__name__
    try:
        value = slow_loader.get_single_data()
        slow = (repr(_read._plain(value, max_depth)), sorted(slow_loader.duplicate_keys))
    except (yaml.YAMLError, RecursionError) as err:
        slow = type(err).__name__
    return fast, slow


@settings(max_examples=500, deadline=None)
@given(st.one_of(st.sampled_from(TOKENS), st.text(max_size=12)), st.booleans(), st.booleans())
def test_loader_resolves_tags_as_pyyaml_does(value, plain, quoted):
    loader = _read._Loader("")
    for kind in (yaml.ScalarNode, yaml.SequenceNode, yaml.MappingNode):
        implicit = (plain, quoted) if kind is yaml.ScalarNode else None
        assert loader.resolve(kind, value, implicit) == yaml.resolver.BaseResolver.resolve(
            loader, kind, value, implicit
        )


def test_loader_resolves_the_core_schema():
    loader = _read._Loader("")
    tags = {t: loader.resolve(yaml.ScalarNode, t, (True, False)).rsplit(":", 1)[1] for t in ("", "~", "1", "1.5", "no")}
    assert tags == {"": "null", "~": "null", "1": "int", "1.5": "float", "no": "str"}
    assert loader.resolve(yaml.ScalarNode, "1", (False, True)) == "tag:yaml.org,2002:str"  # quoted


@st.composite
def yaml_documents(draw):
    token = st.sampled_from(TOKENS)

    def block(depth: int) -> str:
        lines = []
        for _ in range(draw(st.integers(1, 4))):
            key = draw(token)
            kind = draw(st.sampled_from(["scalar", "flow", "list", "map"] if depth < 3 else ["scalar", "flow"]))
            pad = "  " * depth
            if kind == "scalar":
                lines.append(f"{pad}{key}: {draw(token)}")
            elif kind == "flow":
                lines.append(f"{pad}{key}: [{', '.join(draw(st.lists(token, max_size=4)))}]")
            elif kind == "list":
                lines.append(f"{pad}{key}:")
                lines.extend(f"{pad}- {draw(token)}" for _ in range(draw(st.integers(1, 3))))
            else:
                lines.append(f"{pad}{key}:")
                lines.append(block(depth + 1))
        return "\n".join(lines)

    return block(0) + "\n"


@settings(max_examples=400, deadline=None)
@given(yaml_documents())
@example("a:\n  a:\n    a: a\n    a: a\n    a: a\n    a: a\n  a: a\n  a: a\na:\n  a: a\n  a: a\n")
def test_fast_yaml_path_equals_safe_constructor(fm):
    fast, slow = _both(fm)
    assert fast is None or fast == slow


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(frontmatters())
def test_fast_yaml_path_equals_safe_constructor_on_dumped_values(fm):
    fast, slow = _both(yaml.safe_dump(fm, allow_unicode=True, sort_keys=False))
    assert fast is None or fast == slow


def test_fast_yaml_path_cases():
    # Exact outcomes: what the fast path builds, and what it leaves to SafeConstructor.
    cases = {
        "a: 1\nb: -0\nc: 1.\nd: .inf\ne: -.Inf\nf: .NaN\ng: TRUE\nh: no\ni: ~\nj: 010\nk: 2026-02-01\n": (
            "{'a': 1, 'b': 0, 'c': 1.0, 'd': 'inf', 'e': '-inf', 'f': 'nan', 'g': True, 'h': 'no', "
            "'i': None, 'j': '010', 'k': '2026-02-01'}"
        ),
        "1: a\nfalse: b\n~: c\n1.5: d\n.inf: e\n": "{'1': 'a', 'false': 'b', 'null': 'c', '1.5': 'd', 'inf': 'e'}",
        "1: a\ntrue: b\n": "{'1': 'b'}",  # 1 and true are one key to SafeConstructor too
        "a: [1, [2, {b: c}]]\n": "{'a': [1, [2, {'b': 'c'}]]}",
        "a: 1\na: 2\n": "{'a': 2}",
    }
    for fm, expected in cases.items():
        fast, slow = _both(fm)
        assert fast is not None and fast[0] == expected and fast == slow, fm
    assert _both("a: 1\na: 2\n")[0][1] == [("a", 1, 0)]
    for fm in ("<<: {a: 1}\n", "? [a]\n: b\n", "a: =\n"):
        loader = _read._Loader(fm)
        with pytest.raises(_read._Unusual):
            _read._fast(loader.get_single_node(), 64, [])
    for fm in ("a: !!bool yes\n", "a: &x [1]\nb: *x\n", "<<: {a: 1}\nb: 2\n", "a: 1\n"):
        loader = _read._Loader(fm)
        built = _read._construct(loader, loader.get_single_node(), fm, 64)
        assert isinstance(built, _read._Plain) == (fm == "a: 1\n"), fm
    assert _read.read_frontmatter(b"---\na: !!bool yes\nb: &x [1]\nc: *x\n---\n", "a.md") == {
        "a": True,
        "b": [1],
        "c": [1],
    }
    deep = "a: " + "[" * 70 + "]" * 70 + "\n"
    assert _both(deep) == (None, "RecursionError")


def test_fast_yaml_path_on_the_sample_and_fixtures():
    import graphkit

    roots = [graphkit.sample_library(), Path(__file__).parent / "data"]
    seen = 0
    for path in sorted(p for root in roots for p in root.rglob("*.md")):
        try:
            fields_fm = path.read_text(encoding="utf-8-sig").split("---\n", 2)[1]
        except (UnicodeDecodeError, IndexError):
            continue
        fast, slow = _both(fields_fm)
        assert fast is None or fast == slow, path
        seen += fast is not None
    assert seen >= 37


_EDGE = st.fixed_dictionaries(
    {"f": st.integers(0, 50), "t": st.integers(0, 50), "r": st.integers(0, 9)},
    optional={"i": st.just(1), "c": st.floats(0, 1), "w": st.integers(-3, 5) | st.floats(0, 10)},
)


@given(st.lists(_EDGE, max_size=40))
def test_packed_edges_unpack_to_the_same_records_in_any_order(edges):
    assert unpack_edges(json.loads(json.dumps(pack_edges(edges)))) == edges
