"""Stage 1, one file -> a ``Pattern`` record and the problems found in it.

The only code that knows frontmatter shapes: both generations of the Commons OS library
(flat relation lists with ``classification``; the v7 layout with nested ``relationships``,
``ontology``, ``lifecycle``, ``graph_garden``) become one ``Pattern``. Unknown shapes are
kept in ``Pattern.frontmatter`` and reported as warnings, never dropped silently.
"""

from __future__ import annotations

import math
import re
import sys
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

from ..model import ERROR, WARNING, Link, Pattern, Problem, RelationType, Vocabulary
from .config import DEFAULT_CONFIG, Config
from .read import Frontmatter, Reject, parse_frontmatter, yaml_type

__all__ = ["REFERENCE_KEYS", "looks_like_references", "parse_pattern"]

_WORD = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
#: Keys of a mapping entry that name another thing: a mapping holding one is a reference.
REFERENCE_KEYS = frozenset({"slug", "id", "typeid", "type_id", "target", "target_id", "hub_id", "pattern", "ref"})
#: A value that could be a slug or an id: one word of letters, digits, ``-``, ``_`` and ``.``.
_SLUG_LIKE = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,199}")
#: The top-level keys the loader reads (besides the relations of the vocabulary).
_READ_KEYS = frozenset(
    {
        "slug", "title", "id", "aliases", "summary", "description", "classification", "ontology",
        "lifecycle", "domain", "categories", "category", "era", "origin", "status", "page_url",
        "version", "created", "modified", "last_updated", "confidence_score", "relationships",
        "graph_garden",
    }
)  # fmt: skip


@dataclass
class _Notes:
    """Problems found while turning one file into a pattern."""

    path: str
    problems: list[Problem] = field(default_factory=list)

    def add(self, kind: str, severity: str, message: str, **extra: Any) -> None:
        self.problems.append(Problem(self.path, kind, severity, message, **extra))


def parse_pattern(data: bytes, path: str, config: Config = DEFAULT_CONFIG) -> tuple[Pattern | None, list[Problem]]:
    """Turn one file's bytes into a pattern record and the problems found in it.

    Never raises for bad input: a file that cannot become a pattern gives ``None``
    and at least one error.

    Examples
    --------
    >>> p, problems = parse_pattern(b"---\\nslug: a\\ntitle: A\\nenables: [b]\\n---\\n", "a.md")
    >>> p.slug, [(l.relation, l.ref) for l in p.links], problems
    ('a', [('enables', 'b')], [])
    """
    notes = _Notes(path)
    try:
        fields, duplicates, text = parse_frontmatter(data, config)
    except Reject as rej:
        notes.add(rej.kind, ERROR, rej.message, line=rej.line, column=rej.column)
        return None, notes.problems
    for key, line, column in duplicates:
        notes.add(
            "duplicate-key",
            WARNING,
            f"key {_shown(key)} appears twice in one mapping; the last value is used",
            line=line,
            column=column,
        )
    pattern = _to_pattern(fields, Frontmatter(text, config), path, config, notes)
    return pattern, notes.problems


# --------------------------------------------------------------------------- normalizing fields


def _text(value: Any, name: str, notes: _Notes) -> str | None:
    if value is None or value == "":
        return None
    if isinstance(value, str):
        return value
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return str(value)
    if isinstance(value, bool):
        return "true" if value else "false"
    notes.add("bad-field", WARNING, f"{name} is a {yaml_type(value)}, expected text; it is ignored")
    return None


def _texts(value: Any, name: str, notes: _Notes) -> tuple[str, ...]:
    if value is None:
        return ()
    items = value if isinstance(value, list) else [value]
    out: list[str] = []
    for item in items:
        if isinstance(item, dict) and len(item) == 1 and "name" in item:
            item = item["name"]
        text = _text(item, name, notes) if not isinstance(item, (list, dict)) else None
        if isinstance(item, (list, dict)):
            notes.add("bad-field", WARNING, f"{name} holds a {yaml_type(item)}, expected text; it is ignored")
        if text is not None and text not in out:
            out.append(text)
    return tuple(out)


def _number(value: Any) -> float | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):  # one beyond a float's range (over 308 digits) is no usable number either
        return float(value) if abs(value) <= sys.float_info.max else None
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, str):
        try:
            number = float(value)
        except ValueError:
            return None
        return number if math.isfinite(number) else None
    return None


def _shown(value: Any, limit: int = 60) -> str:
    """A value as a message shows it: its ``repr`` (one line, control characters escaped), cut short."""
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _mapping(value: Any, name: str, notes: _Notes) -> dict[str, Any]:
    if value is None:
        return {}
    if isinstance(value, dict):
        return value
    notes.add("bad-field", WARNING, f"{name} is a {yaml_type(value)}, expected a mapping; it is ignored")
    return {}


def _scores(ontology: dict[str, Any], classification: dict[str, Any], notes: _Notes) -> dict[str, float]:
    scores: dict[str, float] = {}
    assessment = ontology.get("commons_assessment")
    if isinstance(assessment, list):  # [{dimension: ..., score: ...}, ...]
        assessment = {
            re.sub(r"\W+", "_", str(item.get("dimension", ""))).strip("_").lower(): item.get("score")
            for item in assessment
            if isinstance(item, dict) and item.get("dimension")
        }
    for key, value in _mapping(assessment, "ontology.commons_assessment", notes).items():
        if key.endswith("_reasoning") or key.endswith("_rationale"):
            continue
        number = _number(value)
        if number is None:
            if value is not None:
                notes.add(
                    "bad-field",
                    WARNING,
                    f"commons score {_shown(key)} is not a number ({_shown(value)}); it is ignored",
                )
            continue
        scores[key] = number
    if "overall_score" in ontology and "overall_score" not in scores:
        number = _number(ontology["overall_score"])
        if number is not None:
            scores["overall_score"] = number
    if "commons_alignment" in classification:
        number = _number(classification["commons_alignment"])
        if number is None:
            notes.add("bad-field", WARNING, "classification.commons_alignment is not a number; it is ignored")
        else:
            scores["commons_alignment"] = number
    return dict(sorted(scores.items()))


# A slug is a node key, an IRI and a URL fragment: XML (GraphML) cannot hold control
# characters, terminals act on them, and no reference could name them.
_NOT_IN_SLUG = re.compile("[\x00-\x1f\x7f-\x9f\ufffe\uffff]")


def _slug(value: Any, stem: str, notes: _Notes) -> str | None:
    """The pattern's slug: the field, else the file name; ``None`` (and an error) when neither can be one."""
    slug = (_text(value, "slug", notes) or "").strip()
    bad = _NOT_IN_SLUG.search(slug) is not None
    if slug and not bad:
        return slug
    stem_ok = _NOT_IN_SLUG.search(stem) is None
    if bad:
        why = f"slug {_shown(slug)} holds control characters, which exports cannot carry"
        if stem_ok:
            notes.add("bad-slug", WARNING, f"{why}; the file name {stem!r} is used instead")
        else:
            notes.add("bad-slug", ERROR, f"{why}, nor can the file name; the file is left out (fix the slug)")
    elif stem_ok:
        notes.add("missing-slug", WARNING, f"no slug; the file name {stem!r} is used instead")
    else:
        notes.add(
            "bad-slug",
            ERROR,
            f"no slug, and the file name {stem!r} holds control characters; the file is left out (give it a slug)",
        )
    return stem if stem_ok else None


def _to_pattern(fm: dict[str, Any], whole: Frontmatter, path: str, config: Config, notes: _Notes) -> Pattern | None:
    stem = Path(path).stem
    classification = _mapping(fm.get("classification"), "classification", notes)
    ontology = _mapping(fm.get("ontology"), "ontology", notes)
    lifecycle = _mapping(fm.get("lifecycle"), "lifecycle", notes)

    slug = _slug(fm.get("slug"), stem, notes)
    if slug is None:
        return None
    title = _text(fm.get("title"), "title", notes)
    if title is None or not title.strip():
        title = stem
        notes.add("missing-title", WARNING, f"no title; the file name {stem!r} is used instead", slug=slug)
    pattern_id = _text(fm.get("id"), "id", notes)

    domains = _texts(ontology.get("domain") or classification.get("domain") or fm.get("domain"), "domain", notes)
    domains += tuple(
        d for d in _texts(ontology.get("cross_domains"), "ontology.cross_domains", notes) if d not in domains
    )
    categories = _texts(classification.get("category", fm.get("categories", fm.get("category"))), "category", notes)
    status = _text(lifecycle.get("status") or classification.get("status") or fm.get("status"), "status", notes)
    page_url = _text(fm.get("page_url"), "page_url", notes)
    if page_url is None and config.page_url:
        page_url = config.page_url.replace("{slug}", slug)
    if not lifecycle:
        lifecycle = {k: fm[k] for k in ("version", "created", "modified", "last_updated") if k in fm}
        if "confidence_score" in fm:
            lifecycle["confidence"] = fm["confidence_score"]

    links, unread = _links(fm, config.vocabulary, notes, slug)
    return Pattern(
        slug=slug,
        title=title,
        id=pattern_id,
        aliases=_texts(fm.get("aliases"), "aliases", notes),
        summary=_text(fm.get("summary", fm.get("description")), "summary", notes),
        domains=domains,
        categories=categories,
        era=_texts(classification.get("era", fm.get("era")), "era", notes),
        origin=_texts(classification.get("origin", fm.get("origin")), "origin", notes),
        status=status,
        scores=_scores(ontology, classification, notes),
        lifecycle=lifecycle,
        page_url=page_url,
        path=path,
        generation="v7" if "relationships" in fm else "classic",
        links=links,
        frontmatter=whole,
        unread=unread,
    )


_last_read: list[Any] = [(None, None)]  # the vocabulary last asked about, with its answer


def _read_fields(vocabulary: Vocabulary) -> tuple[frozenset[str], frozenset[str]]:
    """The top-level keys and the ``relationships:`` keys some relation or the loader reads."""
    # Asked once per file with the same vocabulary: hashing it each time (every relation
    # type) would cost more than the answer.
    last = _last_read[0]
    if last[0] is not vocabulary:
        last = _last_read[0] = (vocabulary, _read_fields_of(vocabulary))
    return last[1]  # type: ignore[no-any-return]


@lru_cache(maxsize=8)
def _read_fields_of(vocabulary: Vocabulary) -> tuple[frozenset[str], frozenset[str]]:
    top, nested = set(_READ_KEYS), set()
    for rt in vocabulary.values():
        if rt.field is None:
            top.add(rt.name)
            nested.add(rt.name)
        else:
            top.add(rt.field.split(".", 1)[0])
            if rt.field.startswith("relationships.") and rt.field.count(".") == 1:
                nested.add(rt.field.split(".", 1)[1])
    return frozenset(top), frozenset(nested)


def looks_like_references(value: Any) -> tuple[str, ...] | None:
    """Whether a field's value looks like references to patterns, on its parsed YAML value.

    ``None`` when it does not; ``()`` when its shape alone says so (mappings with a key such
    as ``slug``, ``id`` or ``hub_id``); else the values that may be slugs or ids, which
    count only if one of them names a pattern.

    Examples
    --------
    >>> looks_like_references([{"hub_id": "x", "influence": 0.8}]), looks_like_references(["a", "b"])
    ((), ('a', 'b'))
    >>> looks_like_references(["https://example.org/"]), looks_like_references([]), looks_like_references("a")
    (None, None, None)
    """
    if isinstance(value, dict):
        return () if REFERENCE_KEYS & value.keys() else None
    if not isinstance(value, list) or not value:
        return None
    if any(isinstance(item, dict) and REFERENCE_KEYS & item.keys() for item in value):
        return ()
    if all(item.__class__ is str and _SLUG_LIKE.fullmatch(item) for item in value):
        return tuple(value[:50])
    return None


def _field(fm: dict[str, Any], path: str) -> Any:
    """The value at a dotted ``path`` of the frontmatter; ``None`` where it is absent."""
    value: Any = fm
    for part in path.split("."):
        if not isinstance(value, dict):
            return None
        value = value.get(part)
    return value


def _links(
    fm: dict[str, Any], vocabulary: Vocabulary, notes: _Notes, slug: str
) -> tuple[tuple[Link, ...], tuple[tuple[str, tuple[str, ...]], ...]]:
    """The file's links, and the fields no relation reads whose values look like references."""
    links: list[Link] = []
    unread: list[tuple[str, tuple[str, ...]]] = []
    nested = _mapping(fm.get("relationships"), "relationships", notes)
    read_top, read_nested = _read_fields(vocabulary)
    for name in sorted(set(nested) - read_nested):
        if nested[name] not in (None, [], {}, ""):  # an empty undeclared relation loses nothing
            unread.append((f"relationships.{name}", ()))
    for key in fm.keys() - read_top:
        candidates = looks_like_references(fm[key])
        if candidates is not None:
            unread.append((key, candidates))
    for name, rt in vocabulary.items():
        if rt.field is not None:
            value = _field(fm, rt.field)
            if value is not None:
                links.extend(_targets(value, rt, rt.field, notes, slug))
            continue
        for where, block in ((name, fm), (f"relationships.{name}", nested)):
            if name in block:
                links.extend(_targets(block[name], rt, where, notes, slug))
    garden = _mapping(fm.get("graph_garden"), "graph_garden", notes)
    inferred = garden.get("inferred_links")
    if inferred is not None and not isinstance(inferred, list):
        notes.add("bad-relation", WARNING, "graph_garden.inferred_links is not a list; it is ignored", slug=slug)
        inferred = []
    for item in inferred or []:
        if not isinstance(item, dict):
            item = {"target": item}
        relation = item.get("relation", item.get("type", "related"))
        if not isinstance(relation, str) or relation not in vocabulary:
            notes.add(
                "unknown-relation",
                WARNING,
                f"an inferred link has the unknown relation {_shown(relation)}; it is read as 'related'",
                slug=slug,
                relation=relation if isinstance(relation, str) else None,
            )
            relation = "related"
        reading = RelationType(relation, relation)  # inferred links are written one way, whatever the relation's field
        for link in _targets([item], reading, "graph_garden.inferred_links", notes, slug):
            confidence = item.get("confidence", item.get("strength"))
            links.append(
                Link(
                    relation,
                    link.ref,
                    weight=link.weight,
                    description=link.description,
                    inferred=True,
                    confidence=_number(confidence),
                    reason=_text(item.get("reason"), "inferred link reason", notes),
                    alt=link.alt,
                )
            )
    return tuple(links), tuple(sorted(unread))


def _name(value: Any) -> str | None:
    """A reference as text: a string, or a number as written; None for anything else."""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        value = str(value)
    if isinstance(value, str) and value.strip():
        return value.strip()
    return None


def _targets(value: Any, rt: RelationType, where: str, notes: _Notes, slug: str) -> list[Link]:
    relation, keys = rt.name, rt.target
    if value is None:
        return []
    if isinstance(value, dict) and value and not set(keys) & set(value):
        if all(v is None or _number(v) is not None for v in value.values()):
            # {other-slug: 0.8, ...}: a mapping of targets to weights
            value = [{keys[0]: k, rt.weight: v} for k, v in value.items()]
    if isinstance(value, (str, dict)):
        value = [value]
    if not isinstance(value, list):
        notes.add(
            "bad-relation",
            WARNING,
            f"{where} is a {yaml_type(value)}, expected a list of slugs or ids; it is ignored",
            slug=slug,
            relation=relation,
        )
        return []
    links = []
    for item in value:
        weight = description = alt = None
        extra: tuple[tuple[str, Any], ...] = ()
        if isinstance(item, dict):
            names = [n for n in (_name(item.get(k)) for k in keys) if n is not None]
            ref = names[0] if names else None
            alt = next((n for n in names[1:] if n != ref), None)
            raw = item.get(rt.weight)
            weight = _number(raw)
            if raw is not None and weight is None:
                notes.add("bad-relation", WARNING, f"{where}: weight {_shown(raw)} is not a number", slug=slug)
            description = item.get("description") if isinstance(item.get("description"), str) else None
            if rt.keep:
                extra = tuple((k, item[k]) for k in rt.keep if item.get(k) is not None)
        else:
            ref = _name(item)
        if ref is None:
            notes.add(
                "bad-reference",
                WARNING,
                f"{where} has an entry that names no pattern ({_shown(item)}); "
                f"use a slug, an id, or a mapping with one of {', '.join(keys)}",
                slug=slug,
                relation=relation,
            )
            continue
        links.append(Link(relation, ref, weight=weight, description=description, alt=alt, extra=extra))
    return links
