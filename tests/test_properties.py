"""Property-based: whatever YAML a stranger writes into any field, loading gives records and problems only."""

from __future__ import annotations

import json

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from graphkit import build_graph, link_patterns
from graphkit.load import parse_pattern

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
