"""Stage 1, a survey of a library's frontmatter: every key path, its shapes, and where references hide.

A one-off command for a library's maintainer (``graphkit fields``), so it may read each value;
loading never runs it. ``to_config_toml`` turns a survey into the relation tables that make
every reference it found an edge or an external node.
"""

from __future__ import annotations

import json
import os
import re
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from ..model import RelationType, Vocabulary
from .config import _PATH, Config
from .files import load_patterns
from .parse import REFERENCE_KEYS, looks_like_references

__all__ = ["survey_fields", "to_config_toml"]

#: The keys that name a reference's target, in the order the survey suggests trying them.
_TARGET_ORDER = ("slug", "id", "typeid", "type_id", "target", "target_id", "hub_id", "pattern", "ref")
#: Keys a weight usually goes by, tried first; else the entries' first numeric key.
_WEIGHT_KEYS = ("weight", "influence", "strength", "score")
_DEPTH = 3  # how deep the survey follows nested mappings


@dataclass
class _Field:
    files: int = 0
    shapes: Counter[str] = field(default_factory=Counter)
    values: int = 0  # reference values seen
    resolved: int = 0  # of which name a pattern
    structural: bool = False  # mappings with a key such as slug or hub_id
    keys: Counter[str] = field(default_factory=Counter)  # target keys used by the entries
    numbers: Counter[str] = field(default_factory=Counter)  # keys of the entries holding numbers
    only_name: int = 0  # entries of a relation the vocabulary reads that name their target by ``name`` alone
    unresolved_by_name: int = 0


def _shape(value: Any) -> str:
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, (int, float)):
        return "number"
    if isinstance(value, str):
        return "text"
    if value is None:
        return "empty"
    if isinstance(value, dict):
        return "mapping"
    if not value:
        return "empty list"
    kinds = sorted({_shape(item) for item in value})
    return "list of " + (kinds[0] if len(kinds) == 1 else "mixed values")


#: Where the loader reads machine-inferred links (each names its own relation).
_INFERRED = "graph_garden.inferred_links"


def _read_paths(vocabulary: Vocabulary) -> dict[str, RelationType]:
    """The key paths the relations of ``vocabulary`` read, each with its relation."""
    paths: dict[str, RelationType] = {_INFERRED: RelationType("inferred links", "inferred links")}
    for rt in vocabulary.values():
        if rt.field is not None:
            paths[rt.field] = rt
        else:
            paths[rt.name] = rt
            paths[f"relationships.{rt.name}"] = rt
    return paths


def survey_fields(
    root: str | os.PathLike[str], config: Config | None = None, *, follow_outside: bool = False
) -> dict[str, Any]:
    """Every frontmatter key path of the library at ``root``: how many files carry it, the shapes
    of its values, and for those that look like references, how many values name a pattern.

    Returns JSON-ready data: ``files``, ``patterns``, ``source`` (the configuration file read),
    and ``fields``, one entry per key path in sorted order (``path``, ``files``, ``shapes``,
    and ``references`` for reference fields: ``values``, ``resolved``, ``target``, ``weight``,
    ``read_by``, the relation that reads it already, or None).

    Examples
    --------
    >>> import graphkit
    >>> fields = {f["path"]: f for f in survey_fields(graphkit.sample_library())["fields"]}
    >>> fields["related"]["references"]["read_by"], fields["title"]["shapes"]
    ('related', {'text': 37})
    """
    result = load_patterns(root, config, follow_outside=follow_outside)
    vocabulary = result.config.vocabulary
    read = _read_paths(vocabulary)
    names = {p.slug for p in result.patterns} | {p.id for p in result.patterns if p.id}
    stats: dict[str, _Field] = {}

    def walk(mapping: Mapping[str, Any], prefix: str, depth: int, seen: set[str]) -> None:
        for key, value in mapping.items():
            path = prefix + key
            entry = stats.setdefault(path, _Field())
            if path not in seen:
                seen.add(path)
                entry.files += 1
            entry.shapes[_shape(value)] += 1
            _references(value, entry, read.get(path), names)
            if isinstance(value, dict) and depth < _DEPTH:
                walk(value, path + ".", depth + 1, seen)

    for p in result.patterns:
        walk(p.frontmatter, "", 1, set())
    fields = []
    for path in sorted(stats):
        entry = stats[path]
        data: dict[str, Any] = {"path": path, "files": entry.files, "shapes": dict(sorted(entry.shapes.items()))}
        rt = read.get(path)
        if entry.values and (rt is not None or entry.structural or entry.resolved):
            data["references"] = {
                "values": entry.values,
                "resolved": entry.resolved,
                "target": [k for k in (*_TARGET_ORDER, "name") if entry.keys[k]]
                + sorted(k for k in entry.keys if k not in _TARGET_ORDER and k != "name"),
                "weight": _weight_key(entry),
                "read_by": rt.name if rt is not None else None,
                "by_shape": entry.structural,
                "named_only_by_name": entry.only_name,
                "unresolved_named_by_name": entry.unresolved_by_name,
            }
        fields.append(data)
    return {
        "files": len(result.files),
        "patterns": len(result.patterns),
        "source": result.config.source,
        "fields": fields,
    }


def _references(value: Any, entry: _Field, rt: RelationType | None, names: set[str]) -> None:
    """Count the references in one value of a field (its mapping entries' target keys and weights too).

    ``rt`` is the relation that reads the field already, if any: its target keys count too.
    """
    is_read = rt is not None
    order = tuple(dict.fromkeys((*rt.target, *_TARGET_ORDER))) if rt is not None else _TARGET_ORDER
    found = looks_like_references(value)
    if found is None and not (is_read and isinstance(value, list) and value):
        return
    if found:  # slugs or ids
        entry.values += len(value)
        entry.resolved += sum(1 for v in value if v in names)
        return
    items = value if isinstance(value, list) else [value]
    for item in items:
        if isinstance(item, (str, int, float)) and not isinstance(item, bool):
            entry.values += 1
            entry.resolved += str(item) in names
            continue
        if not isinstance(item, dict):
            continue
        keys = [k for k in order if isinstance(item.get(k), (str, int, float)) and not isinstance(item.get(k), bool)]
        if keys:
            entry.structural = True
        elif is_read and isinstance(item.get("name"), str):
            keys = ["name"]
            entry.only_name += 1
        else:
            continue
        entry.keys.update(keys)
        entry.values += 1
        targets = [str(item[k]) for k in keys]
        if any(t in names for t in targets):
            entry.resolved += 1
        elif keys == ["name"] and "name" not in order:
            entry.unresolved_by_name += 1
        for k, v in item.items():
            if k not in REFERENCE_KEYS and isinstance(v, (int, float)) and not isinstance(v, bool):
                entry.numbers[k] += 1


def _weight_key(entry: _Field) -> str | None:
    for key in _WEIGHT_KEYS:
        if entry.numbers[key]:
            return key
    common = entry.numbers.most_common(1)
    return common[0][0] if common else None


_NOT_WORD = re.compile(r"\W+", re.ASCII)


def _relation_name(path: str, taken: set[str]) -> str:
    name = _NOT_WORD.sub("_", path.rsplit(".", 1)[-1]).strip("_") or "relation"
    if not re.match(r"[A-Za-z_]", name):
        name = "r_" + name
    base, n = name, 2
    while name in taken:
        name, n = f"{base}_{n}", n + 1
    taken.add(name)
    return name


def to_config_toml(survey: Mapping[str, Any], vocabulary: Vocabulary | None = None) -> str:
    """The relation tables that declare every reference field of a survey no relation reads yet
    (and the target keys a relation already read needs), as TOML for ``graphkit.toml``. A list
    of words counts where most of them name patterns (not ``origin: [toyota]`` that happens
    to name one).

    Targets that name no pattern become external nodes (``unresolved = "external"``) where a
    field no relation reads holds them, or where a relation's entries name them by ``name``
    alone (such as ``{name: Git}`` under ``tools``); a comment above each table gives the counts.

    Examples
    --------
    >>> survey = {"source": None, "fields": [{"path": "hubs", "files": 2, "shapes": {"list of mappings": 2},
    ...     "references": {"values": 3, "resolved": 1, "target": ["hub_id"], "weight": "influence", "read_by": None,
    ...                    "by_shape": True,
    ...                    "named_only_by_name": 0, "unresolved_named_by_name": 0}}]}
    >>> print(to_config_toml(survey))
    # graphkit configuration: save as graphkit.toml in the library folder
    <BLANKLINE>
    # "hubs": 3 references in 2 files, 1 of them to patterns; the other 2 become external nodes
    [relations.hubs]
    field = "hubs"
    target = ["hub_id"]
    weight = "influence"
    unresolved = "external"
    <BLANKLINE>
    """
    from ..model import DEFAULT_VOCABULARY

    vocabulary = vocabulary or DEFAULT_VOCABULARY
    source = survey.get("source")
    if source == "pyproject.toml":
        header, prefix = "# add to pyproject.toml", "tool.graphkit.relations"
    else:
        header, prefix = "# graphkit configuration: save as graphkit.toml in the library folder", "relations"
    if source == "graphkit.toml":
        header = "# add to graphkit.toml (relations it already declares are left out)"
    lines = [header, ""]
    taken = set(vocabulary) | {rt.name for rt in vocabulary.with_inverses()}
    default_target = list(RelationType.target)
    for item in survey["fields"]:
        ref = item.get("references")
        if not ref:
            continue
        values, resolved, files = ref["values"], ref["resolved"], item["files"]
        read_by = ref["read_by"]
        table: dict[str, Any] = {}
        if read_by is None:
            if not _PATH.fullmatch(item["path"]):  # a key with spaces or empty parts cannot be declared
                continue
            if (
                not ref["by_shape"] and resolved * 2 < values
            ):  # words that name a pattern now and then (origins, keywords)
                continue
            name = _relation_name(item["path"], taken)
            table["field"] = item["path"]
            target = ref["target"] or default_target
            if target != default_target:
                table["target"] = target
            if ref["weight"] and ref["weight"] != "weight":
                table["weight"] = ref["weight"]
            if resolved < values:
                table["unresolved"] = "external"
        elif ref["named_only_by_name"] and item["path"] != _INFERRED:
            name = read_by
            table["target"] = [*default_target, "name"]
            if ref["unresolved_named_by_name"]:
                table["unresolved"] = "external"
        else:
            continue
        other = values - resolved
        where = json.dumps(item["path"], ensure_ascii=False)
        plural = "s" if files != 1 else ""
        note = f"# {where}: {values} references in {files} file{plural}, {resolved} of them to patterns"
        if table.get("unresolved") == "external" and other:
            note += f"; the other {other} become external nodes"
        lines += [note, f"[{prefix}.{name}]"]
        lines += [f"{key} = {json.dumps(value, ensure_ascii=False)}" for key, value in table.items()]
        lines.append("")
    return "\n".join(lines)
