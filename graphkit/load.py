"""Stage 1: Markdown files -> Pattern records and a problems report.

The only module that knows frontmatter shapes. Both generations of the Commons OS
library (flat relation lists with ``classification``; the v7 layout with nested
``relationships``, ``ontology``, ``lifecycle``, ``graph_garden``) become one ``Pattern``.
A file that cannot become a pattern becomes a ``Problem``; nothing is dropped silently.
"""

from __future__ import annotations

import base64
import datetime as _dt
import fnmatch
import math
import os
import re
import stat
import sys
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import Any

import frontmatter
import yaml

from .errors import ConfigError, LibraryError, PatternFileError
from .model import DEFAULT_VOCABULARY, ERROR, WARNING, Link, Pattern, Problem, RelationType, Vocabulary

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised on Python 3.10 only
    import tomli as tomllib

__all__ = ["Config", "LoadResult", "load_config", "load_patterns", "parse_pattern", "find_markdown_files"]

MiB = 1024 * 1024

# --------------------------------------------------------------------------- configuration


@dataclass(frozen=True)
class Config:
    """How to read one library. Set in ``graphkit.toml`` or ``[tool.graphkit]`` of ``pyproject.toml``.

    Examples
    --------
    >>> Config().vocabulary["related"].symmetric
    True
    """

    vocabulary: Vocabulary = DEFAULT_VOCABULARY
    patterns_dir: str | None = None
    exclude: tuple[str, ...] = ()
    page_url: str | None = None
    max_file_size: int = 16 * MiB
    max_frontmatter_size: int = 1 * MiB
    max_depth: int = 64
    max_values: int = 100_000
    source: str | None = None


_CONFIG_KEYS = {
    "patterns_dir",
    "exclude",
    "page_url",
    "max_file_size",
    "max_frontmatter_size",
    "relations",
}
_RELATION_KEYS = {"label", "inverse", "symmetric", "skos", "comment"}


def load_config(root: Path) -> Config:
    """Read the graphkit configuration of the library at ``root``.

    ``root/graphkit.toml`` wins over a ``[tool.graphkit]`` table in ``root/pyproject.toml``;
    with neither, the defaults hold. Unknown keys are errors, so a typo never passes quietly.
    """
    for name, table_path in (("graphkit.toml", ()), ("pyproject.toml", ("tool", "graphkit"))):
        path = root / name
        if not path.is_file():
            continue
        try:
            data: Any = tomllib.loads(path.read_text(encoding="utf-8-sig"))
        except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as err:
            raise ConfigError(name, f"cannot read configuration ({err})") from err
        for key in table_path:
            data = data.get(key) if isinstance(data, dict) else None
        if data is None:
            continue
        return parse_config(data, source=name)
    return Config()


def parse_config(data: Mapping[str, Any], source: str = "configuration") -> Config:
    """Turn a configuration table (already parsed TOML) into a ``Config``.

    Examples
    --------
    >>> c = parse_config({"relations": {"implements": {"inverse": "implemented_by"}}})
    >>> c.vocabulary["implements"].inverse, c.vocabulary["implemented_by"].inverse
    ('implemented_by', 'implements')
    """

    def fail(problem: str) -> ConfigError:
        return ConfigError(source, problem)

    if not isinstance(data, Mapping):
        raise fail("the graphkit table must be a table")
    unknown = sorted(set(data) - _CONFIG_KEYS)
    if unknown:
        raise fail(f"unknown key {unknown[0]!r} (known: {', '.join(sorted(_CONFIG_KEYS))})")
    kwargs: dict[str, Any] = {"source": source}
    for key in ("patterns_dir", "page_url"):
        if key in data:
            if not isinstance(data[key], str):
                raise fail(f"{key} must be a string")
            kwargs[key] = data[key]
    if "page_url" in kwargs and "{slug}" not in kwargs["page_url"]:
        raise fail("page_url must contain {slug}, e.g. 'https://example.org/patterns/{slug}/'")
    if "exclude" in data:
        if not isinstance(data["exclude"], list) or not all(isinstance(x, str) for x in data["exclude"]):
            raise fail("exclude must be a list of glob patterns")
        kwargs["exclude"] = tuple(data["exclude"])
    for key in ("max_file_size", "max_frontmatter_size"):
        if key in data:
            if not isinstance(data[key], int) or isinstance(data[key], bool) or data[key] <= 0:
                raise fail(f"{key} must be a positive number of bytes")
            kwargs[key] = data[key]
    relations = data.get("relations", {})
    if not isinstance(relations, Mapping):
        raise fail("relations must be a table of relation names")
    declared: list[RelationType] = []
    for name, spec in sorted(relations.items()):
        if not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", name):
            raise fail(f"relation name {name!r} must be a word of letters, digits and _")
        if not isinstance(spec, Mapping):
            raise fail(f"relations.{name} must be a table")
        bad = sorted(set(spec) - _RELATION_KEYS)
        if bad:
            raise fail(f"relations.{name}: unknown key {bad[0]!r} (known: {', '.join(sorted(_RELATION_KEYS))})")
        skos = spec.get("skos", "related")
        if skos not in ("broader", "narrower", "related"):
            raise fail(f"relations.{name}.skos must be broader, narrower or related")
        declared.append(
            RelationType(
                name,
                str(spec.get("label", name.replace("_", " "))),
                inverse=spec.get("inverse"),
                symmetric=bool(spec.get("symmetric", False)),
                skos=skos,
                comment=str(spec.get("comment", "")),
            )
        )
    vocabulary = DEFAULT_VOCABULARY.extend(declared)
    # An inverse named only on one side is declared on the other side too.
    implied = []
    for rt in declared:
        if rt.inverse and rt.inverse not in vocabulary:
            implied.append(RelationType(rt.inverse, rt.inverse.replace("_", " "), inverse=rt.name, skos=rt.skos))
        elif rt.inverse and vocabulary[rt.inverse].inverse not in (None, rt.name):
            raise fail(f"relations.{name}: {rt.inverse!r} already has the inverse {vocabulary[rt.inverse].inverse!r}")
    kwargs["vocabulary"] = vocabulary.extend(implied)
    return Config(**kwargs)


# --------------------------------------------------------------------------- YAML


class _Loader(getattr(yaml, "CSafeLoader", yaml.SafeLoader)):  # type: ignore[misc]
    """Safe YAML with the YAML 1.2 core schema's scalars, recording duplicate keys.

    ``no``/``on`` stay strings, ``010`` stays a string and dates stay ISO strings,
    so a title or a version is never silently turned into something else.
    """

    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        self.duplicate_keys: list[tuple[str, int, int]] = []

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
        seen: set[Any] = set()
        for key_node, _ in node.value:
            if isinstance(key_node, yaml.ScalarNode) and key_node.tag != "tag:yaml.org,2002:merge":
                if key_node.value in seen:
                    mark = key_node.start_mark
                    self.duplicate_keys.append((key_node.value, mark.line, mark.column))
                seen.add(key_node.value)
        return super().construct_mapping(node, deep=deep)


def _core_schema_resolvers() -> dict[str, list[tuple[str, re.Pattern[str]]]]:
    keep = {"tag:yaml.org,2002:null", "tag:yaml.org,2002:merge", "tag:yaml.org,2002:value"}
    resolvers: dict[str, list[tuple[str, re.Pattern[str]]]] = {}
    for first, pairs in yaml.SafeLoader.yaml_implicit_resolvers.items():
        kept = [(tag, rx) for tag, rx in pairs if tag in keep]
        if kept:
            resolvers[first] = kept
    core = [
        ("tag:yaml.org,2002:bool", re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), "tTfF"),
        ("tag:yaml.org,2002:int", re.compile(r"^[-+]?(?:0|[1-9][0-9]*)$"), "-+0123456789"),
        (
            "tag:yaml.org,2002:float",
            re.compile(
                r"^(?:[-+]?(?:[0-9]+\.[0-9]*|\.[0-9]+)(?:[eE][-+]?[0-9]+)?"
                r"|[-+]?[0-9]+[eE][-+]?[0-9]+"
                r"|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$"
            ),
            "-+.0123456789",
        ),
    ]
    for tag, rx, firsts in core:
        for ch in firsts:
            resolvers.setdefault(ch, []).append((tag, rx))
    return resolvers


_Loader.yaml_implicit_resolvers = _core_schema_resolvers()

_HANDLER = frontmatter.YAMLHandler()
_BOUNDARY = _HANDLER.FM_BOUNDARY
assert _BOUNDARY is not None


class _Reject(Exception):
    """Internal: the frontmatter cannot be accepted; carries the problem."""

    def __init__(self, kind: str, message: str, line: int | None = None, column: int | None = None) -> None:
        super().__init__(message)
        self.kind, self.message, self.line, self.column = kind, message, line, column


def _flow_depth_guard(fm: str, limit: int) -> None:
    # libyaml composes nested flow collections recursively in C: tens of thousands of
    # '[' crash the interpreter. Measure the depth from the event stream (not recursive)
    # before composing, but only when the text could possibly be that deep.
    if fm.count("[") + fm.count("{") <= 1000:
        return
    depth = 0
    try:
        for event in yaml.parse(fm, Loader=_Loader):
            if isinstance(event, (yaml.SequenceStartEvent, yaml.MappingStartEvent)):
                depth += 1
                if depth > limit:
                    raise _Reject("too-deep", f"frontmatter is nested more than {limit} levels deep")
            elif isinstance(event, (yaml.SequenceEndEvent, yaml.MappingEndEvent)):
                depth -= 1
    except yaml.YAMLError:
        return  # composing reports the syntax error with its position


def _check_shape(value: Any, max_depth: int, max_values: int) -> None:
    """Reject recursive documents, alias bombs and deep nesting before anything walks them."""
    sizes: dict[int, int] = {}
    active: set[int] = set()

    def size(obj: Any, depth: int) -> int:
        if not isinstance(obj, (dict, list)):
            return 1
        key = id(obj)
        if key in sizes:
            return sizes[key]
        if key in active:
            raise _Reject("recursive-yaml", "frontmatter refers to itself through a YAML alias")
        if depth > max_depth:
            raise _Reject("too-deep", f"frontmatter is nested more than {max_depth} levels deep")
        active.add(key)
        items = obj.items() if isinstance(obj, dict) else enumerate(obj)
        total = 1
        for k, v in items:
            total += size(v, depth + 1) + (size(k, depth + 1) if isinstance(obj, dict) else 0)
            if total > max_values:
                raise _Reject(
                    "too-large",
                    f"frontmatter expands to more than {max_values:,} values (a YAML alias bomb?)",
                )
        active.discard(key)
        sizes[key] = total
        return total

    size(value, 0)


def _plain(value: Any, depth: int = 64) -> Any:
    """A JSON-safe copy: string keys, no dates, bytes or sets, no NaN; at most ``depth`` levels."""
    if isinstance(value, str):
        return value
    if depth < 0:
        raise RecursionError
    if isinstance(value, dict):
        return {_key(k): _plain(v, depth - 1) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v, depth - 1) for v in value]
    if isinstance(value, bool) or value is None or isinstance(value, (int, str)):
        return value
    if isinstance(value, float):
        return value if math.isfinite(value) else str(value)
    if isinstance(value, (set, frozenset)):
        return sorted((_plain(v, depth - 1) for v in value), key=str)
    if isinstance(value, (bytes, bytearray)):
        return base64.b64encode(bytes(value)).decode("ascii")
    if isinstance(value, (_dt.date, _dt.datetime)):
        return value.isoformat()
    return str(value)


def _key(key: Any) -> str:
    if isinstance(key, str):
        return key
    if isinstance(key, bool) or key is None:
        return {True: "true", False: "false", None: "null"}[key]
    return str(_plain(key))


# --------------------------------------------------------------------------- reading one file


@dataclass
class _Notes:
    """Problems found while turning one file into a pattern."""

    path: str
    problems: list[Problem] = field(default_factory=list)

    def add(self, kind: str, severity: str, message: str, **extra: Any) -> None:
        self.problems.append(Problem(self.path, kind, severity, message, **extra))


def read_frontmatter(data: bytes, path: str, config: Config = Config()) -> dict[str, Any]:
    """Parse the YAML frontmatter of one file's bytes into a JSON-safe mapping.

    Raises ``PatternFileError`` (with ``kind``) when the file cannot give a mapping.

    Examples
    --------
    >>> read_frontmatter(b"---\\ntitle: No\\nversion: 010\\n---\\nbody", "a.md")
    {'title': 'No', 'version': '010'}
    """
    try:
        return _read_frontmatter(data, config)[0]
    except _Reject as rej:
        where = path + (f":{rej.line}" + (f":{rej.column}" if rej.column else "") if rej.line else "")
        raise PatternFileError(where, rej.message, rej.kind) from None


def _read_frontmatter(data: bytes, config: Config) -> tuple[dict[str, Any], list[tuple[str, int, int]]]:
    if not data.strip():
        raise _Reject("no-frontmatter", "the file is empty")
    if b"\x00" in data[:8192]:
        raise _Reject("not-text", "binary file, not UTF-8 Markdown text")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        raise _Reject(
            "not-utf8", f"not valid UTF-8 (byte 0x{data[err.start]:02x} at offset {err.start}); save it as UTF-8"
        ) from None
    start = _BOUNDARY.match(text)
    if not start:
        raise _Reject("no-frontmatter", "no YAML frontmatter (the file must start with a '---' line)")
    end = _BOUNDARY.search(text, start.end())
    if not end:
        raise _Reject("no-frontmatter", "frontmatter is not closed (no second '---' line)", line=1, column=1)
    fm = text[start.end() : end.start()]
    line0 = text.count("\n", 0, start.end())
    if len(fm) > config.max_frontmatter_size:
        raise _Reject(
            "too-large",
            f"frontmatter is {len(fm) / MiB:.1f} MiB, over the {config.max_frontmatter_size / MiB:g} MiB limit "
            "(raise max_frontmatter_size in the graphkit configuration)",
        )
    _flow_depth_guard(fm, config.max_depth)
    loader = _Loader(fm)
    try:
        value = loader.get_single_data()
    except yaml.MarkedYAMLError as err:
        mark = err.problem_mark or err.context_mark
        what = err.problem or "invalid YAML"
        context = re.sub(r"^while (?:parsing|scanning) (?:an? )?", "", err.context or "")
        if context and err.context_mark and not context.startswith("for "):
            what += f"; the {context} starts on line {line0 + err.context_mark.line + 1}"
        line = line0 + mark.line + 1 if mark else None
        column = mark.column + 1 if mark else None
        raise _Reject("invalid-yaml", f"frontmatter is not valid YAML ({what})", line, column) from None
    except yaml.YAMLError as err:
        raise _Reject("invalid-yaml", f"frontmatter is not valid YAML ({err})") from None
    except RecursionError:
        raise _Reject("too-deep", "frontmatter is nested too deeply to read") from None
    finally:
        loader.dispose()
    if value is None:
        raise _Reject("not-mapping", "frontmatter is empty; expected a mapping of fields such as slug and title")
    if not isinstance(value, dict):
        raise _Reject(
            "not-mapping", f"frontmatter is a {_yaml_type(value)}, not a mapping of fields such as slug and title"
        )
    if "&" in fm or "*" in fm or "<<" in fm:
        _check_shape(value, config.max_depth, config.max_values)  # anchors or aliases may be in use
    try:
        plain = _plain(value, config.max_depth)
    except RecursionError:
        raise _Reject("too-deep", f"frontmatter is nested more than {config.max_depth} levels deep") from None
    dups = [(k, line0 + ln + 1, col + 1) for k, ln, col in loader.duplicate_keys]
    return plain, dups


def _yaml_type(value: Any) -> str:
    if isinstance(value, list):
        return "list"
    if isinstance(value, str):
        return "string"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, (int, float)):
        return "number"
    if isinstance(value, dict):
        return "mapping"
    return type(value).__name__


def parse_pattern(data: bytes, path: str, config: Config = Config()) -> tuple[Pattern | None, list[Problem]]:
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
        fields, duplicates = _read_frontmatter(data, config)
    except _Reject as rej:
        notes.add(rej.kind, ERROR, rej.message, line=rej.line, column=rej.column)
        return None, notes.problems
    for key, line, column in duplicates:
        notes.add(
            "duplicate-key",
            WARNING,
            f"key {key!r} appears twice in one mapping; the last value is used",
            line=line,
            column=column,
        )
    return _to_pattern(fields, path, config, notes), notes.problems


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
    notes.add("bad-field", WARNING, f"{name} is a {_yaml_type(value)}, expected text; it is ignored")
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
            notes.add("bad-field", WARNING, f"{name} holds a {_yaml_type(item)}, expected text; it is ignored")
        if text is not None and text not in out:
            out.append(text)
    return tuple(out)


def _number(value: Any) -> float | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        return float(value) if math.isfinite(value) else None
    if isinstance(value, str):
        try:
            number = float(value)
        except ValueError:
            return None
        return number if math.isfinite(number) else None
    return None


def _mapping(value: Any, name: str, notes: _Notes) -> dict[str, Any]:
    if value is None:
        return {}
    if isinstance(value, dict):
        return value
    notes.add("bad-field", WARNING, f"{name} is a {_yaml_type(value)}, expected a mapping; it is ignored")
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
                notes.add("bad-field", WARNING, f"commons score {key!r} is not a number ({value!r}); it is ignored")
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


def _to_pattern(fm: dict[str, Any], path: str, config: Config, notes: _Notes) -> Pattern:
    stem = Path(path).stem
    classification = _mapping(fm.get("classification"), "classification", notes)
    ontology = _mapping(fm.get("ontology"), "ontology", notes)
    lifecycle = _mapping(fm.get("lifecycle"), "lifecycle", notes)

    slug = _text(fm.get("slug"), "slug", notes)
    if slug is not None:
        slug = slug.strip()
    if not slug:
        slug = stem
        notes.add("missing-slug", WARNING, f"no slug; the file name {stem!r} is used instead")
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
        scores=MappingProxyType(_scores(ontology, classification, notes)),
        lifecycle=MappingProxyType(lifecycle),
        page_url=page_url,
        path=path,
        generation="v7" if "relationships" in fm else "classic",
        links=_links(fm, config.vocabulary, notes, slug),
        frontmatter=MappingProxyType(fm),
    )


def _links(fm: dict[str, Any], vocabulary: Vocabulary, notes: _Notes, slug: str) -> tuple[Link, ...]:
    links: list[Link] = []
    nested = _mapping(fm.get("relationships"), "relationships", notes)
    for name in sorted(set(nested) - set(vocabulary)):
        notes.add(
            "unknown-relation",
            WARNING,
            f"relationships.{name} is not a known relation; declare it under [tool.graphkit.relations] "
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
        if relation not in vocabulary:
            notes.add(
                "unknown-relation",
                WARNING,
                f"an inferred link has the unknown relation {relation!r}; it is read as 'related'",
                slug=slug,
                relation=str(relation),
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
    if isinstance(value, (str, dict)):
        value = [value]
    if not isinstance(value, list):
        notes.add(
            "bad-relation",
            WARNING,
            f"{where} is a {_yaml_type(value)}, expected a list of slugs or ids; it is ignored",
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
                notes.add("bad-relation", WARNING, f"{where}: weight {item['weight']!r} is not a number", slug=slug)
            description = item.get("description") if isinstance(item.get("description"), str) else None
        else:
            ref = item
        if isinstance(ref, (int, float)) and not isinstance(ref, bool):
            ref = str(ref)
        if not isinstance(ref, str) or not ref.strip():
            shown = repr(item) if len(repr(item)) <= 60 else repr(item)[:57] + "..."
            notes.add(
                "bad-reference",
                WARNING,
                f"{where} has an entry that names no pattern ({shown}); "
                "use a slug, an id, or a mapping with slug or id",
                slug=slug,
                relation=relation,
            )
            continue
        links.append(Link(relation, ref.strip(), weight=weight, description=description))
    return links


# --------------------------------------------------------------------------- the library


@dataclass(frozen=True)
class LoadResult:
    """What loading a folder gives: the pattern records, the problems, and the configuration."""

    patterns: tuple[Pattern, ...]
    problems: tuple[Problem, ...]
    config: Config
    files: tuple[str, ...]


def find_markdown_files(root: Path, config: Config = Config()) -> list[str]:
    """Every Markdown file below ``root`` as sorted POSIX paths relative to ``root``.

    Hidden folders (``.git``) are skipped, and so are the ``exclude`` globs of the configuration.
    """
    found = []
    for folder, dirs, files in os.walk(root):
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        rel_folder = Path(folder).relative_to(root)
        for name in files:
            if not name.lower().endswith((".md", ".markdown")):
                continue
            rel = (rel_folder / name).as_posix()
            if any(fnmatch.fnmatch(rel, glob) for glob in config.exclude):
                continue
            found.append(rel)
    return sorted(found)


def patterns_root(root: Path, config: Config) -> Path:
    """The folder that holds the pattern files: ``patterns_dir``, else ``_patterns`` if present, else ``root``."""
    if config.patterns_dir:
        return root / config.patterns_dir
    if (root / "_patterns").is_dir():
        return root / "_patterns"
    return root


def read_file(root: Path, rel: str, config: Config) -> tuple[Pattern | None, list[Problem]]:
    """Read and parse one file of the library; bad input becomes problems, never an exception."""
    path = root / rel
    try:
        info = path.stat()
        if not stat.S_ISREG(info.st_mode):
            return None, [Problem(rel, "unreadable", ERROR, "not a regular file")]
        size = info.st_size
        if size > config.max_file_size:
            return None, [
                Problem(
                    rel,
                    "too-large",
                    ERROR,
                    f"file is {size / MiB:.1f} MiB, over the {config.max_file_size / MiB:g} MiB limit "
                    "(raise max_file_size in the graphkit configuration)",
                )
            ]
        data = path.read_bytes()
    except OSError as err:
        return None, [Problem(rel, "unreadable", ERROR, f"cannot read the file ({err.strerror or err})")]
    return parse_pattern(data, rel, config)


def load_patterns(root: str | os.PathLike[str], config: Config | None = None) -> LoadResult:
    """Read every pattern file below ``root`` into records and a problems report.

    Files are read in sorted order. Duplicate slugs keep the first file (by path) and report
    the others; files sharing an id are all kept and reported.

    Examples
    --------
    >>> import graphkit
    >>> result = load_patterns(graphkit.sample_library())
    >>> any(p.slug == "bottom-up-adoption" for p in result.patterns)
    True
    """
    base = Path(root)
    if not base.exists():
        raise LibraryError(f"{root}: no such folder")
    if not base.is_dir():
        raise LibraryError(f"{root}: not a folder (give the folder that holds the pattern files)")
    if config is None:
        config = load_config(base)
    folder = patterns_root(base, config)
    if not folder.is_dir():
        raise LibraryError(f"{folder}: patterns_dir is not a folder")
    files = find_markdown_files(folder, config)
    records: list[Pattern] = []
    problems: list[Problem] = []
    for rel in files:
        pattern, found = read_file(folder, rel, config)
        problems.extend(found)
        if pattern is not None:
            records.append(pattern)
    patterns, more = _deduplicate(records)
    problems.extend(more)
    return LoadResult(tuple(patterns), tuple(sort_problems(problems)), config, tuple(files))


def _deduplicate(records: Sequence[Pattern]) -> tuple[list[Pattern], list[Problem]]:
    problems = []
    by_slug: dict[str, Pattern] = {}
    kept = []
    for p in records:
        first = by_slug.get(p.slug)
        if first is not None:
            problems.append(
                Problem(
                    p.path,
                    "duplicate-slug",
                    ERROR,
                    f"slug {p.slug!r} is already used by {first.path}; this file is left out of the graph",
                    slug=p.slug,
                )
            )
            continue
        by_slug[p.slug] = p
        kept.append(p)
    by_id: dict[str, list[Pattern]] = {}
    for p in kept:
        if p.id:
            by_id.setdefault(p.id, []).append(p)
    for pid, group in by_id.items():
        if len(group) < 2:
            continue
        for p in group:
            others = ", ".join(o.path for o in group if o is not p)
            problems.append(
                Problem(
                    p.path,
                    "duplicate-id",
                    WARNING,
                    f"id {pid!r} is also used by {others}; references by this id are ambiguous",
                    slug=p.slug,
                )
            )
    return kept, problems


def sort_problems(problems: Iterable[Problem]) -> list[Problem]:
    """Problems in a stable order: by file, line, kind, then message."""
    return sorted(problems, key=lambda p: (p.path, p.line or 0, p.column or 0, p.kind, p.message))
