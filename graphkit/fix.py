"""Fixing: a loaded library's problems -> edits to its files, planned, shown as a diff, or written.

One-sided inverse and symmetric links get their missing entry in the other pattern's file;
with ``accept_suggestions``, a dangling reference with a clear suggestion is replaced by it.
The files themselves are edited by ``load.edit``, which keeps everything else byte for byte.
"""

from __future__ import annotations

import difflib
import os
import stat
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from .errors import FixError
from .load.config import within
from .model import FIXABLE, WARNING, Problem

if TYPE_CHECKING:
    from .library import Library
    from .load.edit import Entry

__all__ = ["FIXABLE", "FileFix", "FixPlan", "plan_fixes", "to_diff", "write_fixes"]

_DANGLING = "dangling-reference"


@dataclass(frozen=True)
class FileFix:
    """One file's edit: its path (relative to the patterns folder), bytes before and after, and what changed."""

    path: str
    before: bytes
    after: bytes
    added: int = 0
    replaced: int = 0


@dataclass(frozen=True)
class FixPlan:
    """The edits that fix a library's fixable problems, and the files left alone (``not-fixed`` problems)."""

    folder: Path
    fixes: tuple[FileFix, ...]
    refused: tuple[Problem, ...]
    root: Path | None = None  # the library folder, when the patterns are in a folder of it

    @property
    def added(self) -> int:
        return sum(f.added for f in self.fixes)

    @property
    def replaced(self) -> int:
        return sum(f.replaced for f in self.fixes)


def plan_fixes(library: Library, select: Iterable[str] = FIXABLE, accept_suggestions: bool = False) -> FixPlan:
    """Plan the edits that fix the library's problems of the ``select`` kinds; nothing is written.

    For each one-sided link, the other pattern's file gets the missing entry (the inverse, or
    the same symmetric relation) naming the pattern that listed it, with the weight that
    pattern gave. With ``accept_suggestions``, each dangling reference that has a suggestion
    (see ``graph.suggest_targets``) is replaced by it in its own file, and the link it makes
    gets its reciprocal too when one-sided links are selected. A file that cannot be edited
    safely is left alone and named in ``refused``.

    Examples
    --------
    >>> import shutil, tempfile
    >>> from graphkit import load_library, sample_library
    >>> root = shutil.copytree(sample_library(), tempfile.mkdtemp() + "/library")
    >>> plan = plan_fixes(load_library(root))
    >>> plan.added > 0, plan.refused
    (True, ())
    >>> write_fixes(plan) == [plan.folder / f.path for f in plan.fixes]
    True
    >>> plan_fixes(load_library(root)).fixes
    ()
    >>> shutil.rmtree(Path(root).parent)
    """
    from .load import patterns_root
    from .load.edit import EditRefused, Entry, add_entries, replace_reference

    kinds = set(select)
    vocabulary = library.vocabulary
    G = library.graph
    by_slug = {p.slug: p for p in library.patterns}
    ids: dict[str, int] = {}
    for p in library.patterns:
        if p.id:
            ids[p.id] = ids.get(p.id, 0) + 1

    additions: dict[str, list[Entry]] = {}
    replacements: dict[str, list[tuple[str, str, str]]] = {}

    def reciprocal(source: str, relation: str, target: str, weight: float | None) -> None:
        rt = vocabulary.get(relation)
        if rt is None or target not in by_slug or source not in by_slug:
            return
        missing = relation if rt.symmetric else rt.inverse
        kind = "one-sided-symmetric" if rt.symmetric else "one-sided-inverse"
        if missing is None or missing not in vocabulary or kind not in kinds:
            return
        if G.has_edge(target, source, key=missing):
            return
        src = by_slug[source]
        entry = Entry(missing, source, src.id if src.id and ids.get(src.id) == 1 else None, weight)
        additions.setdefault(by_slug[target].path, []).append(entry)

    for problem in library.problems:
        if problem.kind in FIXABLE and problem.kind in kinds and problem.slug and problem.target and problem.relation:
            data = G.get_edge_data(problem.slug, problem.target, key=problem.relation) or {}
            reciprocal(problem.slug, problem.relation, problem.target, data.get("weight"))
        elif (
            accept_suggestions
            and problem.kind == _DANGLING
            and problem.suggestion
            and problem.slug in by_slug
            and problem.relation
            and problem.target
        ):
            pattern = by_slug[problem.slug]
            curated = [
                link
                for link in pattern.links
                if not link.inferred and link.relation == problem.relation and link.ref == problem.target
            ]
            if not curated:  # a machine-inferred link: graph_garden is the tool's to rewrite
                continue
            replacements.setdefault(pattern.path, []).append((problem.relation, problem.target, problem.suggestion))
            reciprocal(problem.slug, problem.relation, problem.suggestion, curated[0].weight)

    folder = patterns_root(library.root, library.config)
    fixes: list[FileFix] = []
    refused: list[Problem] = []
    for path in sorted({*additions, *replacements}):
        try:
            before = (folder / path).read_bytes()
        except OSError as err:
            refused.append(Problem(path, "not-fixed", WARNING, f"left alone: cannot read it ({err.strerror or err})"))
            continue
        try:
            after = before
            for relation, old, new in replacements.get(path, []):
                after = replace_reference(after, relation, old, new)
            after, added = add_entries(after, additions.get(path, []), vocabulary.names)
        except EditRefused as err:
            refused.append(Problem(path, "not-fixed", WARNING, f"left alone: {err}"))
            continue
        if after != before:
            fixes.append(FileFix(path, before, after, added, len(replacements.get(path, []))))
    return FixPlan(folder, tuple(fixes), tuple(refused), Path(library.root))


def to_diff(plan: FixPlan) -> str:
    """The plan as a unified diff; paths relative to the library folder, as ``git apply`` takes them there.

    Examples
    --------
    >>> fix = FileFix("a.md", b"---\\nrelated:\\n- b\\n---\\n", b"---\\nrelated:\\n- b\\n- c\\n---\\n")
    >>> plan = FixPlan(Path("."), (fix,), ())
    >>> print(to_diff(plan), end="")
    --- a/a.md
    +++ b/a.md
    @@ -1,4 +1,5 @@
     ---
     related:
     - b
    +- c
     ---
    """
    out: list[str] = []
    prefix = ""
    if plan.root is not None and plan.folder != plan.root:
        prefix = plan.folder.relative_to(plan.root).as_posix() + "/"
    for fix in plan.fixes:
        old = fix.before.decode("utf-8").splitlines(keepends=True)
        new = fix.after.decode("utf-8").splitlines(keepends=True)
        for line in difflib.unified_diff(old, new, f"a/{prefix}{fix.path}", f"b/{prefix}{fix.path}"):
            out.append(line if line.endswith("\n") else line + "\n")
    return "".join(out)


def write_fixes(plan: FixPlan) -> list[Path]:
    """Write the planned edits; the paths written.

    Each file is replaced atomically (a temporary file beside it, then a rename) and keeps
    its permission bits; a pattern file that is a link is written where it leads (the link
    stays a link), if that is inside the library folder. A file that changed since the plan
    was made is not written: that raises ``FixError`` after the others are written.
    """
    written: list[Path] = []
    changed: list[str] = []
    library = os.path.realpath(plan.folder)
    for fix in plan.fixes:
        path = Path(os.path.realpath(plan.folder / fix.path))
        if not within(str(path), library):
            raise FixError(f"{fix.path}: a link to a file outside the library folder; not written")
        try:
            if path.read_bytes() != fix.before:
                changed.append(fix.path)
                continue
            mode = stat.S_IMODE(path.stat().st_mode)
            fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
            try:
                with os.fdopen(fd, "wb") as f:
                    f.write(fix.after)
                    f.flush()
                    os.fsync(f.fileno())
                os.chmod(tmp, mode)
                os.replace(tmp, path)
            except BaseException:
                with_suffix = Path(tmp)
                if with_suffix.exists():
                    with_suffix.unlink()
                raise
        except OSError as err:
            raise FixError(f"{fix.path}: cannot write the fix ({err.strerror or err})") from err
        written.append(path)
    if changed:
        raise FixError(f"{', '.join(changed)}: changed while being fixed; left alone (run graphkit fix again)")
    return written
