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
from pathlib import Path
from typing import Any

from ..model import ERROR, WARNING, Link, Pattern, Problem, Vocabulary
from .config import DEFAULT_CONFIG, Config
from .read import Frontmatter, Reject, parse_frontmatter, yaml_type

__all__ = ["parse_pattern"]

_WORD = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


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
        links=_links(fm, config.vocabulary, notes, slug),
        frontmatter=whole,
    )


def _links(fm: dict[str, Any], vocabulary: Vocabulary, notes: _Notes, slug: str) -> tuple[Link, ...]:
    links: list[Link] = []
    nested = _mapping(fm.get("relationships"), "relationships", notes)
    for name in sorted(set(nested) - set(vocabulary)):
        notes.add(
            "unknown-relation",
            WARNING,
            f"relationships.{name if _WORD.fullmatch(name) else _shown(name)} is not a known relation; "
            "declare it under [tool.graphkit.relations] "
            "to make it edges",
            slug=slug,
            relation=name,
        )
    for name in vocabulary:
        for where, block in ((name, fm), (f"relationships.{name}", nested)):
            if name in block:
                links.extend(_targets(block[name], name, where, notes, slug))
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
        for link in _targets([item], relation, "graph_garden.inferred_links", notes, slug):
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
                )
            )
    return tuple(links)


def _targets(value: Any, relation: str, where: str, notes: _Notes, slug: str) -> list[Link]:
    if value is None:
        return []
    if isinstance(value, dict) and value and not {"slug", "id", "target"} & set(value):
        if all(v is None or _number(v) is not None for v in value.values()):
            # {other-slug: 0.8, ...}: a mapping of targets to weights
            value = [{"slug": k, "weight": v} for k, v in value.items()]
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
        weight = description = None
        if isinstance(item, dict):
            ref = item.get("slug") or item.get("id") or item.get("target")
            weight = _number(item.get("weight"))
            if item.get("weight") is not None and weight is None:
                notes.add(
                    "bad-relation", WARNING, f"{where}: weight {_shown(item['weight'])} is not a number", slug=slug
                )
            description = item.get("description") if isinstance(item.get("description"), str) else None
        else:
            ref = item
        if isinstance(ref, (int, float)) and not isinstance(ref, bool):
            ref = str(ref)
        if not isinstance(ref, str) or not ref.strip():
            notes.add(
                "bad-reference",
                WARNING,
                f"{where} has an entry that names no pattern ({_shown(item)}); "
                "use a slug, an id, or a mapping with slug or id",
                slug=slug,
                relation=relation,
            )
            continue
        links.append(Link(relation, ref.strip(), weight=weight, description=description))
    return links
