"""Synthetic pattern libraries made from a real one, for growth benchmarks.

``make_library(source, dest, scale)`` writes ``scale`` copies of every pattern of ``source``.
Each copy keeps its file's real frontmatter shape (generation, reference shapes, inferred
links, dangling references) and body; only slugs and ids get a copy suffix. A reference in
copy ``i`` points into a copy chosen from a stable hash of (source, target, i), so the copies
are woven into one library with the real out-degree distribution, and in-degrees (hubs
included) kept in expectation.
"""

from __future__ import annotations

import hashlib
import os
import re
from pathlib import Path
from typing import Any

import yaml

from graphkit import DEFAULT_VOCABULARY

_FM = re.compile(r"\A(---[ \t]*\r?\n)(.*?\r?\n)(---[ \t]*\r?\n?)", re.S)
RELATIONS = tuple(DEFAULT_VOCABULARY)


def _copy_of(name: str, copy: int) -> str:
    return name if copy == 0 else f"{name}-x{copy}"


def _pick(source: str, target: str, copy: int, scale: int) -> int:
    if scale == 1:
        return 0
    digest = hashlib.blake2b(f"{source}\0{target}\0{copy}".encode(), digest_size=4).digest()
    # Half the references stay within the copy, half go to another: copies are woven together.
    n = int.from_bytes(digest, "big")
    return copy if n % 2 == 0 else (n >> 1) % scale


def _rewrite_ref(ref: Any, src: str, copy: int, scale: int, known: set[str]) -> Any:
    if isinstance(ref, str):
        return _copy_of(ref, _pick(src, ref, copy, scale)) if ref in known else ref
    if isinstance(ref, dict):
        out = dict(ref)
        for key in ("slug", "id", "target"):
            if isinstance(out.get(key), str):
                out[key] = _rewrite_ref(out[key], src, copy, scale, known)
        return out
    return ref


def _rewrite(fm: dict[str, Any], copy: int, scale: int, known: set[str]) -> dict[str, Any]:
    fm = dict(fm)
    src = str(fm.get("slug", ""))
    for key in ("slug", "id"):
        if isinstance(fm.get(key), str):
            fm[key] = _copy_of(fm[key], copy)
    if copy and isinstance(fm.get("title"), str):
        fm["title"] = f"{fm['title']} ({copy + 1})"

    def refs(value: Any) -> Any:
        if isinstance(value, list):
            return [_rewrite_ref(v, src, copy, scale, known) for v in value]
        return _rewrite_ref(value, src, copy, scale, known)

    for name in RELATIONS:
        if name in fm:
            fm[name] = refs(fm[name])
    if isinstance(fm.get("relationships"), dict):
        fm["relationships"] = {k: refs(v) for k, v in fm["relationships"].items()}
    garden = fm.get("graph_garden")
    if isinstance(garden, dict) and isinstance(garden.get("inferred_links"), list):
        fm["graph_garden"] = {**garden, "inferred_links": refs(garden["inferred_links"])}
    return fm


def make_library(source: str | os.PathLike[str], dest: str | os.PathLike[str], scale: int) -> int:
    """Write a library ``scale`` times the size of ``source`` into ``dest``; return the file count."""
    source, dest = Path(source), Path(dest)
    dest.mkdir(parents=True, exist_ok=True)
    parsed: list[tuple[str, str, dict[str, Any] | None, str]] = []
    known: set[str] = set()
    for path in sorted(source.rglob("*.md")):
        text = path.read_text(encoding="utf-8-sig", errors="replace")
        m = _FM.match(text)
        fm = None
        if m:
            try:
                fm = yaml.load(m.group(2), Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
            except yaml.YAMLError:
                fm = None
        if isinstance(fm, dict):
            for key in ("slug", "id"):
                if isinstance(fm.get(key), str):
                    known.add(fm[key])
            parsed.append((path.name, text, fm, text[m.end() :]))
        else:
            parsed.append((path.name, text, None, ""))
    count = 0
    for copy in range(scale):
        for name, text, fm, body in parsed:
            out = dest / (name if copy == 0 else f"{Path(name).stem}-x{copy}.md")
            if fm is None:
                out.write_text(text, encoding="utf-8")  # a broken file stays broken in every copy
            else:
                head = yaml.dump(
                    _rewrite(fm, copy, scale, known),
                    Dumper=getattr(yaml, "CSafeDumper", yaml.SafeDumper),
                    sort_keys=False,
                    allow_unicode=True,
                    width=1000,
                )
                out.write_text(f"---\n{head}---\n{body}", encoding="utf-8")
            count += 1
    return count
