"""Stage 1, in reverse: add or replace relation entries in one file's frontmatter, as line edits.

The YAML is parsed only to find where things are; the file's own text is then edited line by
line, so comments, key order, quoting, blank lines, line endings, a BOM and the Markdown body
stay byte for byte. Every edit is read back and must give exactly the intended values, or the
file is refused (``EditRefused``) and left alone.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from typing import Any, TypeGuard

import yaml

from ..model import DEFAULT_VOCABULARY
from .config import DEFAULT_CONFIG
from .read import Reject, _parse_yaml

__all__ = ["Entry", "EditRefused", "add_entries", "replace_reference"]

_BOM = b"\xef\xbb\xbf"
_RELATIONSHIPS = "relationships"
_DASH = re.compile(r"( *)-( +)")
_PLAIN = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.\-/]*")
_REF_KEYS = ("slug", "id", "target")  # the keys a mapping entry names its target with (as parse reads them)
_TYPEID = re.compile(r"[a-z]+_[0-9a-z]{20,}")


class EditRefused(Exception):
    """The frontmatter cannot be edited safely; the message says why (one line)."""


@dataclass(frozen=True)
class Entry:
    """A relation entry to add: ``relation`` names ``slug`` (or ``id``, where the list uses ids).

    ``weight`` makes it a mapping entry (``- slug: x`` / ``weight: 0.8``).
    """

    relation: str
    slug: str
    id: str | None = None
    weight: float | None = None


@dataclass
class _Doc:
    """One file split for editing: BOM, frontmatter lines (with their endings), the rest as bytes."""

    bom: bool
    newline: str
    head: list[str]  # the opening '---' line
    lines: list[str]  # the frontmatter, one string per line, endings kept
    tail: str  # the closing '---' line and everything after it
    root: yaml.MappingNode
    values: dict[str, Any]

    def to_bytes(self) -> bytes:
        text = "".join([*self.head, *self.lines]) + self.tail
        return (_BOM if self.bom else b"") + text.encode("utf-8")


def _split(data: bytes) -> _Doc:
    bom = data.startswith(_BOM)
    try:
        text = data[3 if bom else 0 :].decode("utf-8")
    except UnicodeDecodeError:
        raise EditRefused("not valid UTF-8") from None
    lines = text.splitlines(keepends=True)
    if not lines or lines[0].rstrip("\r\n") != "---":
        raise EditRefused("no frontmatter (the file must start with a '---' line)")
    close = next((i for i in range(1, len(lines)) if lines[i].rstrip("\r\n") == "---"), None)
    if close is None:
        raise EditRefused("frontmatter is not closed by a '---' line")
    newline = "\r\n" if lines[0].endswith("\r\n") else "\n"
    body = lines[1:close]
    if any(line.endswith("\r\n") != (newline == "\r\n") or "\r" in line.rstrip("\r\n") for line in body):
        raise EditRefused("frontmatter mixes line endings")
    fm = "".join(body)
    if "\t" in fm:
        raise EditRefused("frontmatter holds tabs")
    try:
        for event in yaml.parse(fm, Loader=_loader()):
            if isinstance(event, yaml.AliasEvent) or getattr(event, "anchor", None):
                raise EditRefused("frontmatter uses YAML anchors or aliases")
        root = yaml.compose(fm, Loader=_loader())
        if not isinstance(root, yaml.MappingNode) or root.flow_style:
            raise EditRefused("frontmatter is not a block mapping")
        values = _parse_yaml(fm, 0, DEFAULT_CONFIG)[0]
    except (yaml.YAMLError, Reject, RecursionError):
        raise EditRefused("frontmatter is not valid YAML") from None
    return _Doc(bom, newline, lines[:1], body, "".join(lines[close:]), root, values)


def _loader() -> type:
    return getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def _get(mapping: yaml.MappingNode, key: str) -> yaml.Node | None:
    for k, v in mapping.value:
        if isinstance(k, yaml.ScalarNode) and k.value == key:
            return v
    return None


def _scalar(text: str) -> str:
    """``text`` as a YAML scalar that reads back as this string: plain where it can be, else single-quoted.

    Examples
    --------
    >>> _scalar("gap-analysis"), _scalar("2024"), _scalar("a: b")
    ('gap-analysis', "'2024'", "'a: b'")
    """
    if _PLAIN.fullmatch(text):
        try:
            if _parse_yaml(f"x: {text}\n", 0, DEFAULT_CONFIG)[0].get("x") == text:
                return text
        except Reject:
            pass
    return "'" + text.replace("'", "''") + "'"


def _number(weight: float) -> str:
    return repr(float(weight))


def _end_line(node: yaml.Node) -> int:
    """The index of the line after the one ``node``'s own text ends on (a block collection's last item)."""
    if isinstance(node, yaml.SequenceNode) and not node.flow_style and node.value:
        return _end_line(node.value[-1])
    if isinstance(node, yaml.MappingNode) and not node.flow_style and node.value:
        return _end_line(node.value[-1][1])
    mark = node.end_mark
    return mark.line if mark.column == 0 else mark.line + 1


def _ref_key(root: yaml.MappingNode) -> str:
    """The key this file's mapping entries name their target with (``slug`` if it has none)."""
    for block in (root, _get(root, _RELATIONSHIPS)):
        if not isinstance(block, yaml.MappingNode):
            continue
        for _, value in block.value:
            if isinstance(value, yaml.SequenceNode):
                for item in value.value:
                    if isinstance(item, yaml.MappingNode):
                        for k, _v in item.value:
                            if isinstance(k, yaml.ScalarNode) and k.value in _REF_KEYS:
                                return str(k.value)
    return "slug"


def _dash_style(mapping: yaml.MappingNode, lines: list[str]) -> tuple[int, str]:
    """How this mapping's block lists are written: the dash's place right of the key, and the gap after it.

    ``(0, " ")`` (the Commons OS library's ``- item`` under its key) when it has none.
    """
    for k, v in mapping.value:
        if isinstance(v, yaml.SequenceNode) and not v.flow_style and v.value:
            match = _DASH.match(lines[v.value[0].start_mark.line])
            if match and len(match.group(1)) >= k.start_mark.column:
                return len(match.group(1)) - k.start_mark.column, match.group(2)
    return 0, " "


def _reference(entry: Entry, existing: Sequence[Any]) -> str:
    """What to write for the entry: its id where the list names its targets by id, else its slug."""
    refs = [item for item in existing if isinstance(item, str)]
    if entry.id and refs and all(_TYPEID.fullmatch(r) for r in refs):
        return entry.id
    return entry.slug


def _value(entry: Entry, ref: str, key: str | None) -> Any:
    """The entry as the file will read: a plain reference, or a mapping when ``key`` is given."""
    if key is None:
        return ref
    return {key: ref} if entry.weight is None else {key: ref, "weight": entry.weight}


def _block_items(entries: list[tuple[Entry, str]], key: str | None, indent: str, gap: str, newline: str) -> list[str]:
    out = []
    for entry, ref in entries:
        if key is None:
            out.append(f"{indent}-{gap}{_scalar(ref)}{newline}")
            continue
        out.append(f"{indent}-{gap}{key}: {_scalar(ref)}{newline}")
        if entry.weight is not None:
            out.append(f"{indent}{' ' * (1 + len(gap))}weight: {_number(entry.weight)}{newline}")
    return out


def _flow_item(entry: Entry, ref: str, key: str | None) -> str:
    if key is None:
        return _scalar(ref)
    if entry.weight is None:
        return f"{{{key}: {_scalar(ref)}}}"
    return f"{{{key}: {_scalar(ref)}, weight: {_number(entry.weight)}}}"


def _entry_key(entries: list[tuple[Entry, str]], current: list[Any], key: str) -> str | None:
    """The mapping key to write the entries with, or None for plain references.

    Mappings where a weight is to be kept, or where every entry of the list already is one.
    """
    if any(e.weight is not None for e, _ in entries) or (current and all(isinstance(i, dict) for i in current)):
        return key
    return None


def add_entries(
    data: bytes, entries: Sequence[Entry], relations: Collection[str] = DEFAULT_VOCABULARY.names
) -> tuple[bytes, int]:
    """Add relation entries to a file's frontmatter, in the file's own layout; the new bytes and how many were added.

    Each relation goes where the file keeps it: its top-level list, else its list under
    ``relationships:``; a relation the file does not list yet gets a new key after the last
    of the file's ``relations`` keys (under ``relationships:`` in a v7 file). Entries already listed are skipped.
    Block lists only gain lines; a one-line flow list (``[]``, ``[a, b]``) gains the entries
    inside its brackets (one line changed); a mapping of targets to weights gains
    ``target: weight`` pairs the same way.

    Raises ``EditRefused`` when the file cannot be edited safely.

    Examples
    --------
    >>> text = b"---\\nslug: a\\n# curated\\nrelated:\\n- b\\ntitle: A\\n---\\nBody\\n"
    >>> new, added = add_entries(text, [Entry("related", "c"), Entry("enables", "d", weight=0.5)])
    >>> print(new.decode(), end="")
    ---
    slug: a
    # curated
    related:
    - b
    - c
    enables:
    - slug: d
      weight: 0.5
    title: A
    ---
    Body
    >>> added
    2
    """
    doc = _split(data)
    key = _ref_key(doc.root)
    nested = _get(doc.root, _RELATIONSHIPS)
    if nested is not None and not (isinstance(nested, yaml.MappingNode) and not nested.flow_style):
        nested = None
    expected = copy.deepcopy(doc.values)
    inserts: list[tuple[int, list[str]]] = []  # (line index, lines), applied bottom-up
    replaced: dict[int, str] = {}
    done: list[tuple[Entry, str]] = []
    by_relation: dict[str, list[Entry]] = {}
    for entry in entries:
        by_relation.setdefault(entry.relation, []).append(entry)
    # Relations the file lists first: their new entries go before any new key planned at the same line.
    order = sorted(by_relation, key=lambda r: _place(doc.root, nested, r) is None)
    for relation in order:
        wanted = by_relation[relation]
        place = _place(doc.root, nested, relation)
        if place is None:  # a new key
            mapping = nested if nested is not None else doc.root
            container = expected[_RELATIONSHIPS] if nested is not None else expected
            todo = _new_entries(wanted, [])
            if not todo:
                continue
            done += todo
            if not mapping.value:
                raise EditRefused("relationships: is empty")
            keycol = mapping.value[0][0].start_mark.column
            ends = [_end_line(v) for k, v in mapping.value if isinstance(k, yaml.ScalarNode) and k.value in relations]
            after = max(ends) if ends else _end_line(mapping.value[-1][1])
            offset, gap = _dash_style(mapping, doc.lines)
            written = _entry_key(todo, [], key)
            new = [f"{' ' * keycol}{_scalar(relation)}:{doc.newline}"]
            new += _block_items(todo, written, " " * (keycol + offset), gap, doc.newline)
            inserts.append((after, new))
            container[relation] = [_value(e, ref, written) for e, ref in todo]
            continue
        mapping, keynode, node = place
        container = expected[_RELATIONSHIPS] if mapping is nested else expected
        current = container.get(relation)
        if isinstance(node, yaml.MappingNode) and _is_weights(current):  # {other-slug: 0.8, ...}
            todo = _new_entries(wanted, list(current))
            done += todo
            if todo:
                insert = _weights_edit(node, todo, doc, relation, replaced)
                if insert is not None:
                    inserts.append(insert)
                container[relation] = {**current, **{ref: e.weight for e, ref in todo}}
            continue
        listed = current if isinstance(current, list) else []
        todo = _new_entries(wanted, listed)
        if not todo:
            continue
        done += todo
        written = _entry_key(todo, listed, key)
        if isinstance(node, yaml.SequenceNode) and node.flow_style:
            if node.start_mark.line != node.end_mark.line or node.end_mark.line in replaced:
                raise EditRefused(f"{relation} is a flow list over several lines")
            i = node.end_mark.line
            line = doc.lines[i]
            close = node.end_mark.column - 1
            if line[close] != "]":
                raise EditRefused(f"{relation}: the flow list's end is not where it should be")
            items = ", ".join(_flow_item(e, ref, written) for e, ref in todo)
            replaced[i] = line[:close] + (", " if node.value else "") + items + line[close:]
        elif isinstance(node, yaml.SequenceNode):
            first = _DASH.match(doc.lines[node.value[0].start_mark.line])
            last = _DASH.match(doc.lines[node.value[-1].start_mark.line])
            if not first or not last or first.groups() != last.groups():
                raise EditRefused(f"{relation}: the list's indentation is not regular")
            indent, gap = first.groups()
            inserts.append((_end_line(node), _block_items(todo, written, indent, gap, doc.newline)))
        elif isinstance(node, yaml.ScalarNode) and node.value == "" and not node.style:  # `related:` alone
            offset, gap = _dash_style(mapping, doc.lines)
            indent = " " * (keynode.start_mark.column + offset)
            inserts.append((keynode.end_mark.line + 1, _block_items(todo, written, indent, gap, doc.newline)))
        else:
            raise EditRefused(f"{relation} is not a list")
        container[relation] = [*listed, *[_value(e, r, written) for e, r in todo]]
    added = len(done)
    if not added:
        return data, 0
    lines = [replaced.get(i, line) for i, line in enumerate(doc.lines)]
    # Bottom-up, so that earlier indices stay right; at one index, what was planned first comes first.
    planned = sorted(((at, n, new) for n, (at, new) in enumerate(inserts)), key=lambda x: (x[0], x[1]), reverse=True)
    for at, _, new in planned:
        lines[at:at] = new
    doc.lines = lines
    out = doc.to_bytes()
    _verify(out, expected)
    return out, added


def _is_weights(value: Any) -> TypeGuard[dict[str, Any]]:
    """Whether a relation's value is a mapping of targets to weights, as ``parse`` reads one."""
    return (
        isinstance(value, dict)
        and bool(value)
        and not set(_REF_KEYS) & set(value)
        and all(v is None or (isinstance(v, (int, float)) and not isinstance(v, bool)) for v in value.values())
    )


def _weights_edit(
    node: yaml.MappingNode, todo: list[tuple[Entry, str]], doc: _Doc, relation: str, replaced: dict[int, str]
) -> tuple[int, list[str]] | None:
    """Add ``target: weight`` pairs to a weights mapping: lines after its last (block), or inside its braces (flow)."""
    if node.flow_style:
        i = node.end_mark.line
        line = doc.lines[i]
        close = node.end_mark.column - 1
        if node.start_mark.line != i or i in replaced or line[close] != "}":
            raise EditRefused(f"{relation} is a flow mapping over several lines")
        pairs = ", ".join(f"{_scalar(ref)}: {_number(e.weight) if e.weight is not None else 'null'}" for e, ref in todo)
        replaced[i] = line[:close] + ", " + pairs + line[close:]
        return None
    columns = {k.start_mark.column for k, _ in node.value}
    if len(columns) != 1:
        raise EditRefused(f"{relation}: the mapping's indentation is not regular")
    indent = " " * columns.pop()
    lines = [
        f"{indent}{_scalar(ref)}:{' ' + _number(e.weight) if e.weight is not None else ''}{doc.newline}"
        for e, ref in todo
    ]
    return _end_line(node), lines


def _new_entries(wanted: list[Entry], current: list[Any]) -> list[tuple[Entry, str]]:
    listed = set()
    for item in current:
        if isinstance(item, dict):
            item = next((item[k] for k in _REF_KEYS if item.get(k)), None)
        if isinstance(item, str):
            listed.add(item.strip())
    out = []
    for entry in wanted:
        ref = _reference(entry, current)
        if entry.slug in listed or (entry.id and entry.id in listed) or ref in listed:
            continue
        listed.add(ref)
        out.append((entry, ref))
    return out


def _place(
    root: yaml.MappingNode, nested: yaml.MappingNode | None, relation: str
) -> tuple[yaml.MappingNode, yaml.Node, yaml.Node] | None:
    """Where ``relation`` is listed: (its mapping, key node, value node), preferring a non-empty list."""
    found = []
    for mapping in (root, nested):
        if mapping is None:
            continue
        for k, v in mapping.value:
            if isinstance(k, yaml.ScalarNode) and k.value == relation:
                found.append((mapping, k, v))
    for place in found:
        if isinstance(place[2], yaml.SequenceNode) and place[2].value and not place[2].flow_style:
            return place
    return found[0] if found else None


def _verify(out: bytes, expected: dict[str, Any]) -> None:
    try:
        values = _split(out).values
    except EditRefused:
        values = None
    if values != expected:
        raise EditRefused("the edit would not read back as intended")


def replace_reference(data: bytes, relation: str, old: str, new: str) -> bytes:
    """Replace the reference ``old`` by ``new`` in the file's ``relation`` lists, and nothing else.

    Raises ``EditRefused`` when the reference is not found as a one-line scalar, or the edit
    would not read back as intended.

    Examples
    --------
    >>> text = b"---\\nrelated:\\n- gap-analyis  # sic\\n---\\n"
    >>> print(replace_reference(text, "related", "gap-analyis", "gap-analysis").decode(), end="")
    ---
    related:
    - gap-analysis  # sic
    ---
    """
    doc = _split(data)
    expected = copy.deepcopy(doc.values)
    nested = _get(doc.root, _RELATIONSHIPS)
    edits: list[tuple[int, int, int]] = []
    for mapping, container in ((doc.root, expected), (nested, expected.get(_RELATIONSHIPS))):
        if not isinstance(mapping, yaml.MappingNode) or not isinstance(container, dict):
            continue
        node = _get(mapping, relation)
        items = node.value if isinstance(node, yaml.SequenceNode) else []
        values = container.get(relation)
        for n, item in enumerate(items):
            target = item
            if isinstance(item, yaml.MappingNode):
                target = next((v for k, v in item.value if k.value in _REF_KEYS), None)
            if isinstance(target, yaml.ScalarNode) and target.value.strip() == old:
                if target.start_mark.line != target.end_mark.line:
                    raise EditRefused(f"{relation}: {old!r} is written over several lines")
                edits.append((target.start_mark.line, target.start_mark.column, target.end_mark.column))
                if isinstance(values, list) and isinstance(values[n], dict):
                    for k in _REF_KEYS:
                        if values[n].get(k) == target.value:
                            values[n][k] = new
                            break
                elif isinstance(values, list):
                    values[n] = new
    if not edits:
        raise EditRefused(f"{relation} does not list {old!r}")
    for line, start, end in sorted(edits, reverse=True):
        text = doc.lines[line]
        doc.lines[line] = text[:start] + _scalar(new) + text[end:]
    out = doc.to_bytes()
    _verify(out, expected)
    return out
