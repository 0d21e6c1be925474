"""What a change did to a library: two loaded libraries -> patterns, relations and problems added and removed.

``diff_libraries`` compares two ``Library`` records; ``load_side`` loads a folder or a git
revision of one (checked out with ``git archive`` into a temporary folder); ``to_text``,
``to_json`` and ``to_markdown`` render the result (Markdown for a pull-request comment).
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import tarfile
import tempfile
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING, Any

from .errors import LibraryError, RevisionNotFound
from .model import ERROR, Problem

if TYPE_CHECKING:
    from .library import Library

__all__ = ["LibraryDiff", "diff_libraries", "json_text", "library_side", "to_json", "to_markdown", "to_text"]


@dataclass(frozen=True)
class LibraryDiff:
    """What changed from ``old`` to ``new`` (the names the sides were given).

    ``renamed`` pairs ``(old slug, new slug, id)``; ``titles`` and ``domains`` hold
    ``(slug, old value, new value)`` under the new slug; ``relations_added`` and
    ``relations_removed`` map each relation (``related``, ``related:inferred``) to its
    ``(source, target)`` pairs, with renamed patterns under their new slug.
    """

    old: str
    new: str
    patterns_old: int
    patterns_new: int
    added: tuple[tuple[str, str], ...] = ()
    removed: tuple[tuple[str, str], ...] = ()
    renamed: tuple[tuple[str, str, str], ...] = ()
    titles: tuple[tuple[str, str, str], ...] = ()
    domains: tuple[tuple[str, tuple[str, ...], tuple[str, ...]], ...] = ()
    relations_added: dict[str, list[tuple[str, str]]] = field(default_factory=dict)
    relations_removed: dict[str, list[tuple[str, str]]] = field(default_factory=dict)
    introduced: tuple[Problem, ...] = ()
    fixed: tuple[Problem, ...] = ()

    @property
    def errors_introduced(self) -> int:
        return sum(1 for p in self.introduced if p.severity == ERROR)

    @property
    def changed(self) -> bool:
        return any(
            (self.added, self.removed, self.renamed, self.titles, self.domains, self.relations_added,
             self.relations_removed, self.introduced, self.fixed)
        )  # fmt: skip


def _problem_key(p: Problem) -> tuple[str, str, str, str, str]:
    # Lines move with every edit above them: a problem is the same one by what it says and where.
    return (p.kind, p.path, p.slug or "", p.target or "", p.message)


def _problems_only_in(a: tuple[Problem, ...], b: tuple[Problem, ...]) -> tuple[Problem, ...]:
    left = Counter(_problem_key(p) for p in b)
    only = []
    for p in a:
        key = _problem_key(p)
        if left[key]:
            left[key] -= 1
        else:
            only.append(p)
    return tuple(only)


def _renames(old: Library, new: Library) -> dict[str, tuple[str, str]]:
    """Old slug -> (new slug, id): a pattern whose id stayed and whose slug changed."""

    def by_id(library: Library) -> dict[str, str]:
        ids = Counter(p.id for p in library.patterns if p.id)
        return {p.id: p.slug for p in library.patterns if p.id and ids[p.id] == 1}

    old_ids, new_ids = by_id(old), by_id(new)
    old_slugs, new_slugs = set(old.graph), set(new.graph)
    renames = {}
    for pid, slug in old_ids.items():
        moved = new_ids.get(pid)
        if moved is not None and moved != slug and slug not in new_slugs and moved not in old_slugs:
            renames[slug] = (moved, pid)
    return renames


def diff_libraries(old: Library, new: Library, old_name: str = "old", new_name: str = "new") -> LibraryDiff:
    """Compare two loaded libraries: patterns, titles, domains, relations and problems.

    A pattern is the same one on both sides by slug, or by id when its slug changed (a
    rename: its relations follow it, so a rename alone adds and removes none). Problems are
    matched by kind, file, pattern, target and message, not by line.

    Examples
    --------
    >>> from graphkit import load_library
    >>> lib = load_library()
    >>> d = diff_libraries(lib, lib)
    >>> d.changed, d.patterns_old, d.errors_introduced
    (False, 37, 0)
    """
    renames = _renames(old, new)
    rename = {a: b for a, (b, _) in renames.items()}
    G, H = old.graph, new.graph
    mapped_old = {rename.get(s, s) for s in G}
    added = tuple((s, H.nodes[s].get("title") or s) for s in sorted(H) if s not in mapped_old)
    removed = tuple((s, G.nodes[s].get("title") or s) for s in sorted(G) if s not in rename and s not in H)
    titles, domains = [], []
    for s in sorted(G):
        t = rename.get(s, s)
        if t not in H:
            continue
        a, b = G.nodes[s], H.nodes[t]
        if (a.get("title") or "") != (b.get("title") or ""):
            titles.append((t, a.get("title") or "", b.get("title") or ""))
        if tuple(a.get("domains") or ()) != tuple(b.get("domains") or ()):
            domains.append((t, tuple(a.get("domains") or ()), tuple(b.get("domains") or ())))
    before = {(rename.get(u, u), rename.get(v, v), k) for u, v, k in G.edges(keys=True)}
    after = set(H.edges(keys=True))

    def by_relation(edges: set[tuple[str, str, str]]) -> dict[str, list[tuple[str, str]]]:
        grouped: dict[str, list[tuple[str, str]]] = {}
        for u, v, k in sorted(edges, key=lambda e: (e[2], e[0], e[1])):
            grouped.setdefault(k, []).append((u, v))
        return grouped

    return LibraryDiff(
        old=old_name,
        new=new_name,
        patterns_old=len(G),
        patterns_new=len(H),
        added=added,
        removed=removed,
        renamed=tuple(sorted((a, b, pid) for a, (b, pid) in renames.items())),
        titles=tuple(titles),
        domains=tuple(domains),
        relations_added=by_relation(after - before),
        relations_removed=by_relation(before - after),
        introduced=_problems_only_in(new.problems, old.problems),
        fixed=_problems_only_in(old.problems, new.problems),
    )


# --- the two sides: folders or git revisions --------------------------------------------------


def _git(args: list[str], cwd: Path) -> subprocess.CompletedProcess[bytes]:
    try:
        return subprocess.run(["git", *args], cwd=cwd, capture_output=True, check=False)
    except OSError as err:
        raise RevisionNotFound(f"cannot run git ({err.strerror or err}); give two folders instead") from err


def _repository(root: Path, spec: str) -> tuple[Path, str]:
    """The top of the git work tree holding ``root``, and ``root``'s place in it (``""`` or ``"lib/"``)."""
    here = root.resolve()
    existing = here
    while not existing.is_dir():
        existing = existing.parent
    done = _git(["rev-parse", "--show-toplevel"], existing)
    if done.returncode != 0:
        raise RevisionNotFound(f"{spec}: no such folder, and {root} is not in a git repository")
    top = Path(os.fsdecode(done.stdout.strip())).resolve()
    try:
        inside = here.relative_to(top).as_posix()
    except ValueError as err:
        raise RevisionNotFound(f"{root} is not inside the git repository at {top}") from err  # pragma: no cover
    return top, "" if inside == "." else inside + "/"


def _plain_members(archive: tarfile.TarFile) -> Iterator[tarfile.TarInfo]:
    """The files and folders of an archive, inside it; links and devices are left out."""
    for member in archive:
        parts = PurePosixPath(member.name).parts
        if (member.isreg() or member.isdir()) and not member.name.startswith("/") and ".." not in parts:
            yield member


def _checkout(top: Path, revision: str, inside: str, dest: Path) -> None:
    """Write the folder ``inside`` of ``revision`` into ``dest``, with ``git archive``."""
    if revision.startswith("-"):
        raise RevisionNotFound(f"{revision}: not a git revision")
    done = _git(["rev-parse", "--verify", "--quiet", "--end-of-options", f"{revision}^{{commit}}"], top)
    if done.returncode != 0:
        raise RevisionNotFound(f"{revision}: no such folder, nor a revision of the git repository at {top}")
    commit = done.stdout.decode("ascii").strip()
    tree = f"{commit}:{inside}" if inside else f"{commit}^{{tree}}"
    if _git(["cat-file", "-t", tree], top).stdout.strip() != b"tree":
        raise RevisionNotFound(f"{revision}: has no folder {inside.rstrip('/')}")
    # the "data" filter where Python has it (3.10.12, 3.11.4 and later): no modes or owners from the archive
    safety: dict[str, Any] = {"filter": "data"} if hasattr(tarfile, "data_filter") else {}
    with subprocess.Popen(["git", "archive", "--format=tar", tree], cwd=top, stdout=subprocess.PIPE,
                          stderr=subprocess.DEVNULL) as proc:  # fmt: skip
        assert proc.stdout is not None
        try:
            with tarfile.open(fileobj=proc.stdout, mode="r|") as archive:
                archive.extractall(dest, members=_plain_members(archive), **safety)
        except (tarfile.TarError, OSError) as err:
            proc.kill()
            raise LibraryError(f"{revision}: cannot check out {inside or 'the library'} ({err})") from err
    if proc.returncode != 0:
        raise LibraryError(f"{revision}: git archive failed (exit code {proc.returncode})")


@contextmanager
def library_side(spec: str, root: str | os.PathLike[str] | None = None) -> Iterator[tuple[Path, bool]]:
    """The folder to load for one side of a diff: ``spec`` itself when it is a folder, else
    the git revision ``spec`` of the library folder ``root`` (the current folder by default),
    checked out into a temporary folder for as long as the context lasts. The checkout holds
    the revision's files and folders; symbolic links in it are left out.

    Yields the folder and whether it is a temporary checkout (a cache of it would be useless).
    Raises ``RevisionNotFound`` for a side that is neither.
    """
    if root is None and Path(spec).is_dir():
        yield Path(spec), False
        return
    base = Path(root if root is not None else ".")
    top, inside = _repository(base, spec)
    with tempfile.TemporaryDirectory(prefix="graphkit-diff-") as tmp:
        dest = Path(tmp) / (base.resolve().name or "library")
        dest.mkdir()
        _checkout(top, spec, inside, dest)
        yield dest, True


# --- rendering --------------------------------------------------------------------------------


def to_json(d: LibraryDiff) -> dict[str, Any]:
    """The diff as JSON-ready data.

    Examples
    --------
    >>> sorted(to_json(LibraryDiff("a", "b", 1, 1)))  # doctest: +NORMALIZE_WHITESPACE
    ['added', 'domains', 'errors_introduced', 'new', 'old', 'patterns', 'problems', 'relations', 'removed',
     'renamed', 'titles']
    """
    return {
        "old": d.old,
        "new": d.new,
        "patterns": {"old": d.patterns_old, "new": d.patterns_new},
        "added": [{"slug": s, "title": t} for s, t in d.added],
        "removed": [{"slug": s, "title": t} for s, t in d.removed],
        "renamed": [{"old": a, "new": b, "id": pid} for a, b, pid in d.renamed],
        "titles": [{"slug": s, "old": a, "new": b} for s, a, b in d.titles],
        "domains": [{"slug": s, "old": list(a), "new": list(b)} for s, a, b in d.domains],
        "relations": {
            "added": {k: [list(e) for e in v] for k, v in d.relations_added.items()},
            "removed": {k: [list(e) for e in v] for k, v in d.relations_removed.items()},
        },
        "problems": {
            "introduced": [p.to_dict() for p in d.introduced],
            "fixed": [p.to_dict() for p in d.fixed],
        },
        "errors_introduced": d.errors_introduced,
    }


def _count(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


def _summary(d: LibraryDiff) -> str:
    added = sum(len(v) for v in d.relations_added.values())
    removed = sum(len(v) for v in d.relations_removed.values())
    return (
        f"patterns {d.patterns_old} -> {d.patterns_new}: {len(d.added)} added, {len(d.removed)} removed, "
        f"{len(d.renamed)} renamed, {len(d.titles)} retitled, {len(d.domains)} with new domains; "
        f"relations: {added} added, {removed} removed; problems: {len(d.introduced)} introduced "
        f"({_count(d.errors_introduced, 'error')}), {len(d.fixed)} fixed"
    )


def _domains(values: tuple[str, ...]) -> str:
    return ", ".join(values) if values else "(none)"


def to_text(d: LibraryDiff) -> list[str]:
    """The diff as lines for a terminal (the caller escapes control characters).

    Examples
    --------
    >>> to_text(LibraryDiff("main", "HEAD", 2, 3, added=(("c", "C"),)))  # doctest: +NORMALIZE_WHITESPACE
    ['main -> HEAD', 'patterns added (1)', '  + c  (C)', 'patterns 2 -> 3: 1 added, 0 removed, 0 renamed,
     0 retitled, 0 with new domains; relations: 0 added, 0 removed; problems: 0 introduced (0 errors), 0 fixed']
    """
    lines = [f"{d.old} -> {d.new}"]

    def section(title: str, items: list[str]) -> None:
        if items:
            lines.append(f"{title} ({len(items)})")
            lines.extend(f"  {item}" for item in items)

    section("patterns added", [f"+ {s}  ({t})" for s, t in d.added])
    section("patterns removed", [f"- {s}  ({t})" for s, t in d.removed])
    section("patterns renamed", [f"{a} -> {b}  ({pid})" for a, b, pid in d.renamed])
    section("titles changed", [f"{s}: {a!r} -> {b!r}" for s, a, b in d.titles])
    section("domains changed", [f"{s}: {_domains(a)} -> {_domains(b)}" for s, a, b in d.domains])
    section("relations added", [f"+ {u} -{k}-> {v}" for k, edges in d.relations_added.items() for u, v in edges])
    section("relations removed", [f"- {u} -{k}-> {v}" for k, edges in d.relations_removed.items() for u, v in edges])
    section("problems introduced", [f"+ {p}" for p in d.introduced])
    section("problems fixed", [f"- {p}" for p in d.fixed])
    lines.append(_summary(d))
    return lines


_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]+")


def _code(text: str) -> str:
    """``text`` as a Markdown code span: nothing in it is markup, a link, a mention or HTML.

    Examples
    --------
    >>> _code("a`b"), _code("`x"), _code("@team <b>")
    ('``a`b``', '`` `x ``', '`@team <b>`')
    """
    text = _CONTROL.sub(" ", text)
    if not text.strip():
        return "(empty)"
    longest = max((len(run) for run in re.findall(r"`+", text)), default=0)
    fence = "`" * (longest + 1)
    pad = " " if text.startswith("`") or text.endswith("`") else ""
    return f"{fence}{pad}{text}{pad}{fence}"


def to_markdown(d: LibraryDiff, limit: int = 100) -> str:
    """The diff as Markdown for a pull-request comment: a summary line, then each change folded.

    Every text from the libraries (slugs, titles, messages, even the revision names) is shown
    as code, so a pattern file cannot put a link, a mention, an image or HTML into the comment.
    Each list shows at most ``limit`` items and says how many more there are.

    Examples
    --------
    >>> print(to_markdown(LibraryDiff("main", "HEAD", 1, 1)))
    ### graphkit diff `main` → `HEAD`
    <BLANKLINE>
    No change to patterns, relations or problems (1 pattern).
    <BLANKLINE>
    """
    out = [f"### graphkit diff {_code(d.old)} → {_code(d.new)}", ""]
    if not d.changed:
        out.append(f"No change to patterns, relations or problems ({_count(d.patterns_new, 'pattern')}).")
        out.append("")
        return "\n".join(out)
    if d.errors_introduced:
        out.append(f"**This change introduces {_count(d.errors_introduced, 'error')}.**")
        out.append("")
    out.append(_summary(d).replace(" -> ", " → "))  # numbers only: no text from the libraries
    out.append("")

    def section(title: str, items: list[str]) -> None:
        if not items:
            return
        out.append(f"<details><summary>{title} ({len(items)})</summary>")
        out.append("")
        out.extend(f"- {item}" for item in items[:limit])
        if len(items) > limit:
            out.append(f"- … and {len(items) - limit} more (graphkit diff -f json lists them all)")
        out.append("")
        out.append("</details>")
        out.append("")

    section("Patterns added", [f"{_code(s)} {_code(t)}" for s, t in d.added])
    section("Patterns removed", [f"{_code(s)} {_code(t)}" for s, t in d.removed])
    section("Patterns renamed", [f"{_code(a)} → {_code(b)} ({_code(pid)})" for a, b, pid in d.renamed])
    section("Titles changed", [f"{_code(s)}: {_code(a)} → {_code(b)}" for s, a, b in d.titles])
    section("Domains changed", [f"{_code(s)}: {_code(_domains(a))} → {_code(_domains(b))}" for s, a, b in d.domains])
    section(
        "Relations added",
        [f"{_code(u)} {_code(k)} {_code(v)}" for k, edges in d.relations_added.items() for u, v in edges],
    )
    section(
        "Relations removed",
        [f"{_code(u)} {_code(k)} {_code(v)}" for k, edges in d.relations_removed.items() for u, v in edges],
    )

    def problem(p: Problem) -> str:
        return f"{p.severity} {_code(p.where)} {_code(p.message)} ({_code(p.kind)})"

    section("Problems introduced", [problem(p) for p in d.introduced])
    section("Problems fixed", [problem(p) for p in d.fixed])
    return "\n".join(out)


def json_text(d: LibraryDiff) -> str:
    """``to_json`` as indented JSON text."""
    return json.dumps(to_json(d), indent=2, ensure_ascii=False)
