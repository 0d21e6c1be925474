"""Stage 1, one file's bytes -> its YAML frontmatter as a JSON-safe mapping.

Split with python-frontmatter's YAML handler, parsed with libyaml under the YAML 1.2 core
schema, and guarded against what strangers can put in a file: binary data, other encodings,
alias bombs, self-referring and very deeply nested documents, huge frontmatter.
"""

from __future__ import annotations

import base64
import datetime as _dt
import math
import re
import sys
from collections.abc import Iterator, Mapping
from typing import Any

import frontmatter
import yaml

from ..errors import PatternFileError
from .config import DEFAULT_CONFIG, Config, MiB

__all__ = ["Frontmatter", "Reject", "read_frontmatter", "parse_frontmatter", "yaml_type"]

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
        if not isinstance(node, yaml.MappingNode):  # !!map or !!set on a scalar or a sequence
            return super().construct_mapping(node, deep=deep)  # raises ConstructorError
        seen: set[Any] = set()
        for key_node, _ in node.value:
            if isinstance(key_node, yaml.ScalarNode) and key_node.tag != "tag:yaml.org,2002:merge":
                if key_node.value in seen:
                    mark = key_node.start_mark
                    self.duplicate_keys.append((key_node.value, mark.line, mark.column))
                seen.add(key_node.value)
        return super().construct_mapping(node, deep=deep)

    def construct_object(self, node: yaml.Node, deep: bool = False) -> Any:
        """SafeConstructor's, except that a value it cannot build raises ``_BadValue`` at its node.

        PyYAML's constructors raise plain ValueError, KeyError, AttributeError, TypeError,
        OverflowError or IndexError for scalars such as ``!!int abc``, ``!!bool maybe``,
        ``!!timestamp x`` or an integer of more digits than Python converts.
        """
        try:
            value = super().construct_object(node, deep=deep)
        except (ValueError, KeyError, AttributeError, TypeError, OverflowError, IndexError):
            raise _bad_value(node) from None
        if value.__class__ is int and value.bit_length() > 1000:
            try:  # a hexadecimal or sexagesimal !!int can be too long to ever be written as text
                str(value)
            except ValueError:
                raise _bad_value(node, too_long=True) from None
        return value

    def resolve(self, kind: type, value: str, implicit: tuple[bool, bool]) -> str:
        """PyYAML's ``BaseResolver.resolve`` for this loader (no path resolvers), in fewer steps.

        libyaml's composer calls it for every node: a tenth of the time of a whole load.
        """
        if kind is yaml.ScalarNode:
            if implicit[0]:
                for tag, regexp in _BY_FIRST.get(value[:1], _ANY_FIRST):
                    if regexp.match(value):
                        return tag
            return self.DEFAULT_SCALAR_TAG
        return self.DEFAULT_SEQUENCE_TAG if kind is yaml.SequenceNode else self.DEFAULT_MAPPING_TAG


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
# The tag of a plain scalar, by its first character: the resolvers PyYAML's resolve() tries.
_BY_FIRST = {
    first: tuple(pairs + _Loader.yaml_implicit_resolvers.get(None, []))
    for first, pairs in _Loader.yaml_implicit_resolvers.items()
    if first is not None
}
_ANY_FIRST = tuple(_Loader.yaml_implicit_resolvers.get(None, []))
assert not _Loader.yaml_path_resolvers  # _Loader.resolve does not look for them

_HANDLER = frontmatter.YAMLHandler()
_BOUNDARY = _HANDLER.FM_BOUNDARY
assert _BOUNDARY is not None


class Reject(Exception):
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
                    raise Reject("too-deep", f"frontmatter is nested more than {limit} levels deep")
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
            raise Reject("recursive-yaml", "frontmatter refers to itself through a YAML alias")
        if depth > max_depth:
            raise Reject("too-deep", f"frontmatter is nested more than {max_depth} levels deep")
        active.add(key)
        items = obj.items() if isinstance(obj, dict) else enumerate(obj)
        total = 1
        for k, v in items:
            total += size(v, depth + 1) + (size(k, depth + 1) if isinstance(obj, dict) else 0)
            if total > max_values:
                raise Reject(
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


# --------------------------------------------------------------------------- the fast path
# PyYAML's SafeConstructor is general (any tag, aliases, merge keys, recursive documents)
# and so spends more time than libyaml's parsing itself. Nearly every frontmatter is a
# plain tree of implicitly tagged scalars: for those, build the JSON-safe value straight
# from the composed nodes, exactly as SafeConstructor and _plain would, in one pass.
# Anything else (an explicit tag, an alias, a merge key, a complex key, deep nesting)
# goes to SafeConstructor on the same nodes. tests/test_properties.py holds the two paths equal.

_TAG = "tag:yaml.org,2002:"
_STR, _INT, _FLOAT, _BOOL, _NULL = (_TAG + name for name in ("str", "int", "float", "bool", "null"))
_SEQ, _MAP = _TAG + "seq", _TAG + "map"


class _Plain:
    """A value built by the fast path (already what ``_plain`` would make of it)."""

    __slots__ = ("value",)

    def __init__(self, value: Any) -> None:
        self.value = value


class _Unusual(Exception):
    """Internal: the document needs PyYAML's full constructor."""


class _BadValue(Exception):
    """Internal: a scalar cannot become the value its tag names; carries the node and why."""

    def __init__(self, node: yaml.Node, message: str) -> None:
        super().__init__(message)
        self.node, self.message = node, message


def _bad_value(node: yaml.Node, too_long: bool = False) -> _BadValue:
    """The problem with a value that cannot be built: too long an integer, or text its tag refuses."""
    # Python (3.11, and 3.10 from 3.10.7) refuses to convert an integer of more than 4,300
    # digits to or from text.
    limit = sys.get_int_max_str_digits() if hasattr(sys, "get_int_max_str_digits") else 0
    scalar = isinstance(node, yaml.ScalarNode)
    if too_long or (scalar and node.tag == _INT and limit and sum(ch.isdigit() for ch in node.value) > limit):
        return _BadValue(node, f"an integer of more than {limit:,} digits cannot be read (quote it to keep it as text)")
    tag = node.tag.replace(_TAG, "!!")
    if not scalar:
        return _BadValue(node, f"the {tag} value cannot be read")
    shown = node.value if len(node.value) <= 40 else node.value[:37] + "..."
    return _BadValue(node, f"the value {shown!r} is not a valid {tag} (fix it, or remove the tag to keep it as text)")


def _construct(loader: _Loader, node: yaml.Node | None, fm: str, max_depth: int) -> Any:
    """The document's value: the fast path when it applies (a ``_Plain``), else SafeConstructor's."""
    if node is None:
        return None
    if "!" not in fm and "*" not in fm and "<<" not in fm:  # no explicit tag, alias or merge key
        try:
            return _Plain(_fast(node, max_depth, loader.duplicate_keys))
        except _Unusual:
            loader.duplicate_keys.clear()
    return loader.construct_document(node)


def _fast(node: yaml.Node, depth: int, duplicates: list[tuple[str, int, int]]) -> Any:
    cls = node.__class__
    if cls is yaml.ScalarNode:
        if node.tag == _STR:
            return node.value
        if depth < 0:
            raise _Unusual
        value = _scalar(node)
        return str(value) if value.__class__ is float and not math.isfinite(value) else value  # as _plain does
    if depth < 0:
        raise _Unusual
    if cls is yaml.SequenceNode and node.tag == _SEQ:
        return [_fast(item, depth - 1, duplicates) for item in node.value]
    if cls is not yaml.MappingNode or node.tag != _MAP:
        raise _Unusual
    seen: set[str] = set()
    for key_node, _ in node.value:  # this mapping's duplicates first, as _Loader.construct_mapping finds them
        if key_node.__class__ is not yaml.ScalarNode:
            raise _Unusual
        if key_node.value in seen:
            mark = key_node.start_mark
            duplicates.append((key_node.value, mark.line, mark.column))
        seen.add(key_node.value)
    raw: dict[Any, Any] = {}
    keys_are_text = True
    for key_node, value_node in node.value:
        if key_node.tag == _STR:
            key: Any = key_node.value
        else:  # keys as SafeConstructor makes them (1 and true are one key), made text afterwards
            key = _scalar(key_node)
            keys_are_text = False
        raw[key] = _fast(value_node, depth - 1, duplicates)
    return raw if keys_are_text else {_key(k): v for k, v in raw.items()}


def _scalar(node: yaml.ScalarNode) -> Any:
    """A scalar's value as SafeConstructor builds it, for the core schema's implicit tags."""
    tag, text = node.tag, node.value
    if tag == _STR:
        return text
    if tag == _INT:
        try:
            return int(text)
        except ValueError:  # the core schema's int is digits: there are more than Python converts
            raise _bad_value(node, too_long=True) from None
    if tag == _NULL:
        return None
    if tag == _BOOL:
        return text.lower() == "true"
    if tag == _FLOAT:
        lowered = text.lower()
        return float(lowered.replace(".inf", "inf")) if lowered != ".nan" else math.nan
    raise _Unusual


def _key(key: Any) -> str:
    if isinstance(key, str):
        return key
    if isinstance(key, bool) or key is None:
        return {True: "true", False: "false", None: "null"}[key]
    return str(_plain(key))


# --------------------------------------------------------------------------- reading one file


def read_frontmatter(data: bytes, path: str, config: Config = DEFAULT_CONFIG) -> dict[str, Any]:
    """Parse the YAML frontmatter of one file's bytes into a JSON-safe mapping.

    Raises ``PatternFileError`` (with ``kind``) when the file cannot give a mapping.

    Examples
    --------
    >>> read_frontmatter(b"---\\ntitle: No\\nversion: 010\\n---\\nbody", "a.md")
    {'title': 'No', 'version': '010'}
    """
    try:
        return parse_frontmatter(data, config)[0]
    except Reject as rej:
        where = path + (f":{rej.line}" + (f":{rej.column}" if rej.column else "") if rej.line else "")
        raise PatternFileError(where, rej.message, rej.kind) from None


def parse_frontmatter(data: bytes, config: Config) -> tuple[dict[str, Any], list[tuple[str, int, int]], str]:
    """Internal: the frontmatter's values, its duplicate keys (key, line, column), and its YAML text.

    Raises ``Reject`` for a file that cannot give a mapping.
    """
    if not data.strip():
        raise Reject("no-frontmatter", "the file is empty")
    if b"\x00" in data[:8192]:
        raise Reject("not-text", "binary file, not UTF-8 Markdown text")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        raise Reject(
            "not-utf8", f"not valid UTF-8 (byte 0x{data[err.start]:02x} at offset {err.start}); save it as UTF-8"
        ) from None
    start = _BOUNDARY.match(text)
    if not start:
        raise Reject("no-frontmatter", "no YAML frontmatter (the file must start with a '---' line)")
    end = _BOUNDARY.search(text, start.end())
    if not end:
        raise Reject("no-frontmatter", "frontmatter is not closed (no second '---' line)", line=1, column=1)
    fm = text[start.end() : end.start()]
    line0 = text.count("\n", 0, start.end())
    if len(fm) > config.max_frontmatter_size:
        raise Reject(
            "too-large",
            f"frontmatter is {len(fm) / MiB:.1f} MiB, over the {config.max_frontmatter_size / MiB:g} MiB limit "
            "(raise max_frontmatter_size in the graphkit configuration)",
        )
    plain, dups = _parse_yaml(fm, line0, config)
    return plain, dups, fm


#: Fields that are text even when they look like numbers: ``title: 1.10`` is "1.10", not 1.1.
_TEXT_FIELDS = frozenset({"slug", "title", "id", "version", "status", "summary"})


def _keep_text(node: yaml.Node | None) -> None:
    """Make the plain number-like scalars of the text fields (and ``lifecycle.version``) strings, so
    they keep the text the file wrote. Only the top-level mapping's keys are looked at; a value
    shared through an alias is replaced here, not changed where its anchor is."""
    if node is None or node.__class__ is not yaml.MappingNode:
        return
    for i, (key_node, value_node) in enumerate(node.value):
        name = key_node.value if key_node.__class__ is yaml.ScalarNode else None
        if name in _TEXT_FIELDS:
            node.value[i] = (key_node, _as_text(value_node))
        elif name == "lifecycle" and value_node.__class__ is yaml.MappingNode:
            for j, (k, v) in enumerate(value_node.value):
                if k.__class__ is yaml.ScalarNode and k.value == "version":
                    value_node.value[j] = (k, _as_text(v))


def _as_text(node: yaml.Node) -> yaml.Node:
    """A plain scalar that reads as a number, as a string node of the same text; any other node as it is."""
    if node.__class__ is yaml.ScalarNode and not node.style and node.tag in (_INT, _FLOAT):
        if _NUMBER.match(node.value):
            return yaml.ScalarNode(_STR, node.value, node.start_mark, node.end_mark, node.style)
    return node


_NUMBER = re.compile(r"[-+]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][-+]?[0-9]+)?\Z")


def _parse_yaml(fm: str, line0: int, config: Config) -> tuple[dict[str, Any], list[tuple[str, int, int]]]:
    """The frontmatter's YAML text (which starts on line ``line0 + 1`` of its file) -> values, duplicates."""
    _flow_depth_guard(fm, config.max_depth)
    loader = _Loader(fm)
    try:
        node = loader.get_single_node()
        _keep_text(node)
        value = _construct(loader, node, fm, config.max_depth)
    except yaml.MarkedYAMLError as err:
        mark = err.problem_mark or err.context_mark
        what = err.problem or "invalid YAML"
        context = re.sub(r"^while (?:parsing|scanning|constructing) (?:an? )?", "", err.context or "")
        if context and err.context_mark and not context.startswith("for "):
            what += f"; the {context} starts on line {line0 + err.context_mark.line + 1}"
        line = line0 + mark.line + 1 if mark else None
        column = mark.column + 1 if mark else None
        raise Reject("invalid-yaml", f"frontmatter is not valid YAML ({what})", line, column) from None
    except yaml.YAMLError as err:
        raise Reject("invalid-yaml", f"frontmatter is not valid YAML ({err})") from None
    except RecursionError:
        raise Reject("too-deep", "frontmatter is nested too deeply to read") from None
    except _BadValue as err:
        mark = err.node.start_mark
        raise Reject("bad-value", err.message, line0 + mark.line + 1, mark.column + 1) from None
    finally:
        loader.dispose()
    built = isinstance(value, _Plain)  # by the fast path: already JSON-safe
    if built:
        value = value.value
    if value is None:
        raise Reject("not-mapping", "frontmatter is empty; expected a mapping of fields such as slug and title")
    if not isinstance(value, dict):
        raise Reject(
            "not-mapping", f"frontmatter is a {yaml_type(value)}, not a mapping of fields such as slug and title"
        )
    if "&" in fm or "*" in fm or "<<" in fm:
        _check_shape(value, config.max_depth, config.max_values)  # anchors or aliases may be in use
    try:
        plain = value if built else _plain(value, config.max_depth)
    except RecursionError:
        raise Reject("too-deep", f"frontmatter is nested more than {config.max_depth} levels deep") from None
    # In the file's order: SafeConstructor meets nested mappings in an order of its own.
    dups = [(k, line0 + ln + 1, col + 1) for k, ln, col in sorted(loader.duplicate_keys, key=lambda d: d[1:])]
    return plain, dups


class Frontmatter(Mapping[str, Any]):
    """A file's whole frontmatter: a read-only, JSON-safe mapping over its YAML text, parsed when first read.

    A record keeps the text, not the values. Nothing in a build reads them, so a build
    neither holds them in memory nor copies them between processes (pickling one string
    is a copy; pickling the values is a walk over every one). The values are those the
    file was read with: the same text, parsed the same way.

    Examples
    --------
    >>> fm = Frontmatter("title: A\\nversion: 010\\n")
    >>> fm["version"], dict(fm)
    ('010', {'title': 'A', 'version': '010'})
    """

    __slots__ = ("text", "_config", "_values")

    def __init__(self, text: str, config: Config = DEFAULT_CONFIG) -> None:
        self.text = text  # the YAML between the two '---' lines
        self._config = config
        self._values: dict[str, Any] | None = None

    def _parsed(self) -> dict[str, Any]:
        values = self._values
        if values is None:
            try:
                values = self._values = _parse_yaml(self.text, 0, self._config)[0]
            except Reject as rej:  # only for a Frontmatter made by hand from bad text
                raise ValueError(f"frontmatter cannot be read: {rej.message}") from None
        return values

    def __getitem__(self, key: str) -> Any:
        return self._parsed()[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._parsed())

    def __len__(self) -> int:
        return len(self._parsed())

    def __contains__(self, key: object) -> bool:
        return key in self._parsed()

    def __eq__(self, other: object) -> bool:
        if isinstance(other, Frontmatter):
            return self._parsed() == other._parsed()
        return super().__eq__(other)

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return repr(self._parsed())

    def __reduce__(self) -> tuple[Any, ...]:
        return (Frontmatter, (self.text, self._config))


def yaml_type(value: Any) -> str:
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
