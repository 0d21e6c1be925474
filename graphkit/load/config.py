"""Stage 1, configuration: how to read one library (``graphkit.toml`` or ``[tool.graphkit]``)."""

from __future__ import annotations

import os
import re
import sys
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from ..errors import ConfigError
from ..model import (
    DEFAULT_VOCABULARY,
    ERROR,
    OFF,
    PROBLEM_KINDS,
    UNRESOLVED,
    WARNING,
    Problem,
    RelationType,
    Vocabulary,
)

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised on Python 3.10 only
    import tomli as tomllib

__all__ = ["MiB", "Config", "DEFAULT_CONFIG", "declare_hint", "load_config", "parse_config"]

MiB = 1024 * 1024


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
    severity: tuple[tuple[str, str], ...] = ()  # (problem kind, off | warning | error), sorted
    #: settings that could not be read (each left out, the rest holds): ``bad-config`` problems
    problems: tuple[Problem, ...] = ()

    def severity_of(self, kind: str) -> str | None:
        """The severity the ``[severity]`` table sets for problems of ``kind``; None when it sets none."""
        return dict(self.severity).get(kind)


DEFAULT_CONFIG = Config()

_CONFIG_KEYS = {
    "patterns_dir",
    "exclude",
    "page_url",
    "max_file_size",
    "max_frontmatter_size",
    "relations",
    "severity",
}
_RELATION_KEYS = {
    "label",
    "inverse",
    "symmetric",
    "skos",
    "comment",
    "color",
    "dashes",
    "field",
    "target",
    "weight",
    "keep",
    "unresolved",
}
#: The keys that say where a relation is written, which a built-in relation may set too.
_READING_KEYS = {"field", "target", "weight", "keep", "unresolved"}
_SEVERITIES = (OFF, WARNING, ERROR)
_PATH = re.compile(r"[^.\s]+(?:\.[^.\s]+)*")
_WORD = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_COLOR = re.compile(r"#[0-9A-Fa-f]{6}")
#: The built-in relations and the inverses they name: graphkit defines them, a library cannot.
_BUILT_IN = frozenset(rt.name for rt in DEFAULT_VOCABULARY.with_inverses())


OUTSIDE = "outside the library folder, not read (allow it with --follow-outside)"


def declare_hint(source: str | None, name: str, field: str | None = None) -> str:
    """How to declare relation ``name`` in the configuration file the library uses.

    Examples
    --------
    >>> declare_hint("pyproject.toml", "hubs", "gravitational_hubs")
    "declare it in pyproject.toml as [tool.graphkit.relations.hubs] with field = 'gravitational_hubs'"
    >>> declare_hint(None, "manifests_as")
    'declare it in graphkit.toml as [relations.manifests_as]'
    """
    table = f"[tool.graphkit.relations.{name}]" if source == "pyproject.toml" else f"[relations.{name}]"
    hint = f"declare it in {source or 'graphkit.toml'} as {table}"
    return hint + (f" with field = {field!r}" if field and field != name else "")


def within(path: str, folder: str) -> bool:
    """Whether ``path`` is ``folder`` or below it (both already resolved with ``os.path.realpath``).

    Examples
    --------
    >>> within("/lib/a/b.md", "/lib"), within("/library.md", "/lib"), within("/lib", "/lib")
    (True, False, True)
    """
    return path == folder or path.startswith(folder.rstrip(os.sep) + os.sep)


def load_config(root: Path, *, follow_outside: bool = False) -> Config:
    """Read the graphkit configuration of the library at ``root``.

    ``root/graphkit.toml`` wins over a ``[tool.graphkit]`` table in ``root/pyproject.toml``;
    with neither, the defaults hold. Unknown keys are errors, so a typo never passes quietly.
    A configuration file that is a link to a file outside ``root`` is an error unless
    ``follow_outside``. A setting that cannot be read is a ``bad-config`` problem in
    ``Config.problems`` and is left out; the rest holds (a file that cannot be read at all
    leaves the defaults).
    """
    for name, table_path in (("graphkit.toml", ()), ("pyproject.toml", ("tool", "graphkit"))):
        path = root / name
        if not path.is_file():
            continue
        if not follow_outside and path.is_symlink() and not within(os.path.realpath(path), os.path.realpath(root)):
            return Config(source=name, problems=(_problem(name, f"a link to a file {OUTSIDE}; the defaults hold"),))
        try:
            data: Any = tomllib.loads(path.read_text(encoding="utf-8-sig"))
        except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as err:
            why = f"cannot read configuration ({err}); the defaults hold"
            return Config(source=name, problems=(_problem(name, " ".join(why.split())),))
        for key in table_path:
            data = data.get(key) if isinstance(data, dict) else None
        if data is None:
            continue
        return parse_config(data, source=name)
    return Config()


def _problem(source: str, message: str) -> Problem:
    return Problem(source, "bad-config", ERROR, message)


def parse_config(data: Mapping[str, Any], source: str = "configuration") -> Config:
    """Turn a configuration table (already parsed TOML) into a ``Config``.

    A setting that cannot be read (an unknown key, a value of the wrong kind, a relation
    table with a fault) is left out and becomes a ``bad-config`` problem in ``problems``; the
    rest of the configuration holds.

    Examples
    --------
    >>> c = parse_config({"relations": {"implements": {"inverse": "implemented_by"}}})
    >>> c.vocabulary["implements"].inverse, c.vocabulary["implemented_by"].inverse
    ('implemented_by', 'implements')
    >>> c = parse_config({"exclude": "drafts", "relations": {"cites": {}}}, "graphkit.toml")
    >>> [str(p) for p in c.problems], "cites" in c.vocabulary
    (['graphkit.toml: error: exclude must be a list of glob patterns [bad-config]'], True)
    """
    problems: list[Problem] = []

    def fail(problem: str) -> ConfigError:
        return ConfigError(source, problem)

    def note(problem: str) -> None:
        problems.append(_problem(source, problem))

    if not isinstance(data, Mapping):
        return Config(source=source, problems=(_problem(source, "the graphkit table must be a table"),))
    for key in sorted(set(data) - _CONFIG_KEYS):
        note(f"unknown key {key!r} (known: {', '.join(sorted(_CONFIG_KEYS))})")
    kwargs: dict[str, Any] = {"source": source}
    for key in ("patterns_dir", "page_url"):
        if key in data:
            if not isinstance(data[key], str):
                note(f"{key} must be a string")
            elif key == "page_url" and "{slug}" not in data[key]:
                note("page_url must contain {slug}, e.g. 'https://example.org/patterns/{slug}/'")
            else:
                kwargs[key] = data[key]
    if "exclude" in data:
        if not isinstance(data["exclude"], list) or not all(isinstance(x, str) for x in data["exclude"]):
            note("exclude must be a list of glob patterns")
        else:
            kwargs["exclude"] = tuple(data["exclude"])
    for key in ("max_file_size", "max_frontmatter_size"):
        if key in data:
            if not isinstance(data[key], int) or isinstance(data[key], bool) or data[key] <= 0:
                note(f"{key} must be a positive number of bytes")
            else:
                kwargs[key] = data[key]
    relations = data.get("relations", {})
    if not isinstance(relations, Mapping):
        note("relations must be a table of relation names")
        relations = {}
    declared = []
    for name, spec in sorted(relations.items()):
        try:
            declared.append(_relation_type(name, spec, fail))
        except ConfigError as err:  # this relation is left out; the others hold
            note(err.problem)
    kwargs["vocabulary"] = _vocabulary(declared, note)
    kwargs["severity"] = _severity(data.get("severity", {}), note)
    return Config(**kwargs, problems=tuple(problems))


def _severity(table: Any, note: Callable[[str], None]) -> tuple[tuple[str, str], ...]:
    """The ``[severity]`` table: problem kind = off | warning | error (an entry that is neither is left out)."""
    if not isinstance(table, Mapping):
        note("severity must be a table of problem kinds, e.g. [severity] dangling-reference = 'warning'")
        return ()
    kept = []
    for kind, value in table.items():
        if kind not in PROBLEM_KINDS:
            note(f"severity: unknown problem kind {kind!r} (known: {', '.join(PROBLEM_KINDS)})")
        elif value not in _SEVERITIES:
            note(f"severity.{kind} must be off, warning or error, not {value!r}")
        else:
            kept.append((kind, value))
    return tuple(sorted(kept))


def _relation_type(name: str, spec: Any, fail: Callable[[str], ConfigError]) -> RelationType:
    """One ``[relations.NAME]`` table as a relation type."""
    if not _WORD.fullmatch(name):
        raise fail(f"relation name {name!r} must be a word of letters, digits and _")
    if not isinstance(spec, Mapping):
        raise fail(f"relations.{name} must be a table")
    builtin = DEFAULT_VOCABULARY.get(name)
    if name in _BUILT_IN and (builtin is None or set(spec) - _READING_KEYS):
        raise fail(
            f"relations.{name}: {name} is a built-in relation (declare a relation of another name; "
            f"of a built-in one only {', '.join(sorted(_READING_KEYS))} can be set)"
        )
    bad = sorted(set(spec) - _RELATION_KEYS)
    if bad:
        raise fail(f"relations.{name}: unknown key {bad[0]!r} (known: {', '.join(sorted(_RELATION_KEYS))})")
    for key in ("label", "comment", "inverse"):
        if key in spec and not isinstance(spec[key], str):
            raise fail(f"relations.{name}.{key} must be a string")
    inverse = spec.get("inverse")
    if inverse is not None and not _WORD.fullmatch(inverse):
        raise fail(f"relations.{name}.inverse must name a relation: a word of letters, digits and _")
    if inverse == name:
        raise fail(
            f"relations.{name}.inverse names the relation itself (for a relation that holds both ways, "
            "write symmetric = true)"
        )
    if inverse in _BUILT_IN:
        raise fail(f"relations.{name}.inverse names the built-in relation {inverse} (name a relation of your own)")
    symmetric = spec.get("symmetric", False)
    if not isinstance(symmetric, bool):
        raise fail(f"relations.{name}.symmetric must be true or false")
    if symmetric and inverse is not None:
        raise fail(f"relations.{name}: a symmetric relation has no inverse (drop inverse or symmetric)")
    skos = spec.get("skos", "related")
    if skos not in ("broader", "narrower", "related"):
        raise fail(f"relations.{name}.skos must be broader, narrower or related")
    color = spec.get("color")
    if color is not None and not (isinstance(color, str) and _COLOR.fullmatch(color)):
        raise fail(f"relations.{name}.color must be a colour written #rrggbb, e.g. '#1a9850'")
    dashes = spec.get("dashes")
    if dashes is not None and not (
        isinstance(dashes, list) and all(isinstance(d, int) and not isinstance(d, bool) and d > 0 for d in dashes)
    ):
        raise fail(f"relations.{name}.dashes must be a list of dash and gap lengths, e.g. [8, 4] ([] for solid)")
    where = spec.get("field")
    if where is not None and not (isinstance(where, str) and _PATH.fullmatch(where)):
        raise fail(f"relations.{name}.field must be a key or a dotted path, e.g. 'gravitational_hubs'")
    target = spec.get("target", list(RelationType.target))
    if isinstance(target, str):
        target = [target]
    if not (isinstance(target, list) and target and all(isinstance(k, str) and k for k in target)):
        raise fail(f"relations.{name}.target must be a key or a list of keys, e.g. ['hub_id', 'slug', 'id']")
    weight = spec.get("weight", RelationType.weight)
    if not (isinstance(weight, str) and weight):
        raise fail(f"relations.{name}.weight must be a key, e.g. 'influence'")
    keep = spec.get("keep", [])
    if not (isinstance(keep, list) and all(isinstance(k, str) and k for k in keep)):
        raise fail(f"relations.{name}.keep must be a list of keys, e.g. ['force']")
    reserved = sorted(set(keep) & {"relation", "inferred", "weight", "description", "confidence", "reason"})
    if reserved:
        raise fail(f"relations.{name}.keep names {reserved[0]!r}, which every edge has already")
    unresolved = spec.get("unresolved", "error")
    if unresolved not in UNRESOLVED:
        raise fail(f"relations.{name}.unresolved must be error, warning or external, not {unresolved!r}")
    reading = {"field": where, "target": tuple(target), "weight": weight, "keep": tuple(keep), "unresolved": unresolved}
    if builtin is not None:
        return replace(builtin, **reading)
    return RelationType(
        name,
        spec.get("label", name.replace("_", " ")),
        inverse=inverse,
        symmetric=symmetric,
        skos=skos,
        comment=spec.get("comment", ""),
        color=color,
        dashes=None if dashes is None else tuple(dashes),
        **reading,
    )


def _vocabulary(declared: list[RelationType], note: Callable[[str], None]) -> Vocabulary:
    """The built-in vocabulary with the declared relations, each inverse declared on both sides.

    An inverse named on one side only becomes a relation of its own (the files can write it),
    and a declared relation that another names as its inverse names that one back. A relation
    whose inverse cannot be joined so is left out, with a note.
    """
    while True:
        joined = _joined(declared)
        if isinstance(joined, Vocabulary):
            return joined
        name, problem = joined
        note(problem)
        declared = [rt for rt in declared if rt.name != name]


def _joined(declared: list[RelationType]) -> Vocabulary | tuple[str, str]:
    """The vocabulary of ``declared``, or the first relation whose inverse conflicts and why."""
    vocabulary = DEFAULT_VOCABULARY.extend(declared)
    implied: dict[str, RelationType] = {}
    for rt in declared:
        if not rt.inverse or rt.name in DEFAULT_VOCABULARY:  # a built-in one's inverse is the ontology's
            continue
        other = implied.get(rt.inverse) or vocabulary.get(rt.inverse)
        if other is None:
            implied[rt.inverse] = rt.inverse_type()
        elif other.symmetric:
            return rt.name, f"relations.{rt.name}.inverse names the symmetric relation {rt.inverse!r}"
        elif other.inverse is None:
            implied[rt.inverse] = replace(other, inverse=rt.name)
        elif other.inverse != rt.name:
            return rt.name, f"relations.{rt.name}: {rt.inverse!r} already has the inverse {other.inverse!r}"
    return vocabulary.extend(implied.values())
