"""The last stage: a loaded library -> a static site in one folder (``graphkit build``).

The map, the JSON graph, the problems report (HTML and JSON) and an index page linking them.
Each file is one entry of ``ARTIFACTS``; a new export joins the site by adding one entry.
Every page is self-contained and deterministic: the same library gives the same bytes.
The stages that load and write are imported where they are used: a build that finds
nothing changed returns without them (they take half a second to import).
"""

from __future__ import annotations

import gc
import hashlib
import html
import json
import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from .errors import ExportError, GraphkitError
from .load import file_name_text, scan_library

if TYPE_CHECKING:
    from .library import Library

__all__ = ["ARTIFACTS", "Artifact", "BuildResult", "build_site", "library_title", "write_site"]


@dataclass(frozen=True)
class Artifact:
    """One file of the site: its name, what the index calls it, and the function that writes it."""

    filename: str
    title: str
    description: str
    write: Callable[[Library, Path, dict[str, Any]], None]


def library_title(library: Library) -> str:
    """A name for the library: its folder (the parent's, for a ``_patterns`` folder).

    Examples
    --------
    >>> from graphkit import load_library
    >>> library_title(load_library())
    'sample'
    """
    root = library.root
    name = root.name
    if name.startswith("_") and root.parent.name:
        name = root.parent.name
    return file_name_text(name) or "pattern library"


def _write_text(path: Path, text: str) -> None:
    try:
        path.write_text(text, encoding="utf-8")
    except OSError as err:
        raise ExportError(f"{path}: cannot write ({err.strerror or err})") from err


def _write_map(library: Library, path: Path, context: dict[str, Any]) -> None:
    from .sparqlpage import ask_href
    from .view import write_html

    write_html(library.graph, path, title=context["title"], color_by=context["color_by"], ask=ask_href())


def _write_turtle(library: Library, path: Path, context: dict[str, Any]) -> None:
    from .export import write_format

    write_format(library.graph, path, "turtle")
    context["turtle"] = path  # the SPARQL page loads the same text


def _write_sparql(library: Library, path: Path, context: dict[str, Any]) -> None:
    from .sparqlpage import write_sparql_page

    turtle = context.get("turtle")
    pieces = _read_pieces(turtle) if turtle is not None else None
    write_sparql_page(library.graph, path, title=context["title"], site=True, turtle=pieces)


def _read_pieces(path: Path, size: int = 1 << 20) -> Iterator[str]:
    """A text file written by the site, a megabyte at a time."""
    try:
        with path.open(encoding="utf-8", newline="") as file:
            while piece := file.read(size):
                yield piece
    except OSError as err:
        raise ExportError(f"{path}: cannot read it back ({err.strerror or err})") from err


def _write_graph_json(library: Library, path: Path, context: dict[str, Any]) -> None:
    from .export import write_format

    write_format(library.graph, path, "json")


def _write_problems_json(library: Library, path: Path, context: dict[str, Any]) -> None:
    from .export import json_text

    _write_text(path, json_text(library.problems_report()))


_STYLE = """
body { font: 15px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: #1f2328; margin: 2rem auto;
       max-width: 64rem; padding: 0 1rem; }
h1 { font-size: 1.6rem; margin-bottom: .2rem; } .note { color: #57606a; }
table { border-collapse: collapse; margin: 1rem 0; } th, td { text-align: left; padding: .25rem .7rem;
       border-bottom: 1px solid #d0d7de; vertical-align: top; }
td.n { text-align: right; font-variant-numeric: tabular-nums; } a { color: #0969da; }
.error { color: #cf222e; font-weight: 600; } .warning { color: #9a6700; }
code { font-size: .9em; overflow-wrap: anywhere; }
"""


def _page(title: str, body: str) -> str:
    e = html.escape
    return (
        '<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f'<link rel="icon" href="data:,">\n<title>{e(title)}</title>\n<style>{_STYLE}</style>\n</head>\n'
        f"<body>\n{body}</body>\n</html>\n"
    )


def _map_link(slug: str) -> str:
    return "map.html#p=" + quote(slug, safe="")


def _write_problems_html(library: Library, path: Path, context: dict[str, Any]) -> None:
    from .report.page import to_report_page

    page = to_report_page(
        library.problems,
        title=context["title"],
        files=len(library.files),
        patterns=len(library.patterns),
        slugs=library.graph,
    )
    _write_text(path, page)


#: The files of the site, in the order the index lists them.
ARTIFACTS: list[Artifact] = [
    Artifact("map.html", "Map", "the interactive map of every pattern and relation (works offline)", _write_map),
    Artifact("graph.ttl", "Graph (RDF/Turtle)", "the graph as RDF, for SPARQL here or in any triple store",
             _write_turtle),
    Artifact("sparql.html", "SPARQL", "ask the library questions in SPARQL, in the browser (works offline)",
             _write_sparql),
    Artifact("graph.json", "Graph (JSON)", "the graph as NetworkX node-link JSON, every attribute kept",
             _write_graph_json),
    Artifact("problems.html", "Problems", "every problem found while loading: filter, group and sort them",
             _write_problems_html),
    Artifact("problems.json", "Problems (JSON)", "the same report as graphkit check -f json, one problem per line",
             _write_problems_json),
]  # fmt: skip


def _write_index(library: Library, path: Path, context: dict[str, Any], artifacts: list[Artifact]) -> None:
    e = html.escape
    stats = library.stats(top=10)
    links = "".join(
        f'<li><a href="{e(quote(a.filename))}">{e(a.title)}</a>: {e(a.description)}</li>\n' for a in artifacts
    )
    curated, inferred = stats["edges_by_relation"], stats["inferred_by_relation"]
    relations = "".join(
        f'<tr><td>{e(name)}</td><td class="n">{curated.get(name, 0)}</td>'
        f'<td class="n">{inferred.get(name, 0)}</td></tr>\n'
        for name in [*curated, *(k for k in inferred if k not in curated)]
    )
    hubs = "".join(
        f'<li><a href="{e(_map_link(h["slug"]))}">{e(str(h["title"] or h["slug"]))}</a> ({h["degree"]})</li>\n'
        for h in stats["most_connected"]
    )
    body = (
        f"<h1>{e(context['title'])}</h1>\n"
        f'<p class="note">{stats["patterns"]} patterns, {stats["edges"]} curated and {stats["inferred_edges"]} '
        f"machine-inferred relations, {stats['components']} components (largest {stats['largest_component']}, "
        f"{stats['isolated_patterns']} isolated patterns); {stats['errors']} errors and {stats['warnings']} warnings "
        f'in the <a href="problems.html">problems report</a>.</p>\n'
        f"<ul>\n{links}</ul>\n"
        f"<h2>Relations</h2>\n<table><tr><th>relation</th><th>curated</th><th>inferred</th></tr>\n{relations}</table>\n"
        + (f"<h2>Most connected</h2>\n<ol>\n{hubs}</ol>\n" if hubs else "")
        + '<p class="note">Made by graphkit.</p>\n'
    )
    _write_text(path, _page(context["title"], body))


def write_site(
    library: Library,
    directory: str | os.PathLike[str],
    title: str | None = None,
    color_by: str = "domain",
    artifacts: list[Artifact] | None = None,
) -> list[Path]:
    """Write the site of ``library`` into ``directory`` (made if missing); give the files written.

    Parameters
    ----------
    library : Library
        From ``load_library``.
    directory : path
        The output folder; files of the same names are replaced, others left alone.
    title : str, optional
        The site's title; the library folder's name by default.
    color_by : str
        The facet that colours the map (see ``graphkit.view.COLOR_FACETS``).
    artifacts : list of Artifact, optional
        The files to write (``ARTIFACTS`` by default), in order. ``index.html`` is written
        last, and only when every other file is; otherwise the first error is raised.

    Examples
    --------
    >>> import tempfile
    >>> from graphkit import load_library
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     [p.name for p in write_site(load_library(), tmp)]
    ['map.html', 'graph.ttl', 'sparql.html', 'graph.json', 'problems.html', 'problems.json', 'index.html']
    """
    out = Path(directory)
    if out.exists() and not out.is_dir():
        raise ExportError(f"{out}: exists and is not a folder (give a folder for the site)")
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as err:
        raise ExportError(f"{out}: cannot make the folder ({err.strerror or err})") from err
    chosen = list(ARTIFACTS if artifacts is None else artifacts)
    context = {"title": title or library_title(library), "color_by": color_by}
    failed: list[GraphkitError] = []
    for artifact in chosen:
        try:
            artifact.write(library, out / artifact.filename, context)
        except GraphkitError as err:  # the other files are still written; the index is not
            failed.append(err)
    if failed:
        raise failed[0]
    _write_index(library, out / "index.html", context, chosen)
    return [out / artifact.filename for artifact in chosen] + [out / "index.html"]


@dataclass(frozen=True)
class BuildResult:
    """What ``build_site`` did: the files of the site, the library's counts, and whether it rebuilt."""

    files: list[Path]
    summary: dict[str, Any]
    rebuilt: bool


def build_site(
    root: str | os.PathLike[str] | None,
    directory: str | os.PathLike[str],
    title: str | None = None,
    color_by: str = "domain",
    cache_dir: str | os.PathLike[str] | None = None,
    follow_outside: bool = False,
) -> BuildResult:
    """Load the library at ``root`` and write its site, unless nothing changed since the last build.

    ``follow_outside`` reads files outside ``root`` that links lead to (see ``load_library``).

    With a ``cache_dir``, parsed patterns are cached (see ``load_patterns``) and a record of
    the build is kept there: when no pattern file, no option and no output file changed since,
    the site is left as it is and nothing is loaded (``rebuilt`` is false). Without one, every
    build is a full build. The record lives in the cache, not in the site, so the site's files
    are the same bytes for the same library.

    Examples
    --------
    >>> import tempfile
    >>> with tempfile.TemporaryDirectory() as site, tempfile.TemporaryDirectory() as cache:
    ...     first = build_site(None, site, cache_dir=cache)
    ...     again = build_site(None, site, cache_dir=cache)
    >>> first.rebuilt, again.rebuilt, again.summary["patterns"]
    (True, False, 37)
    """
    if root is None:
        from .library import sample_library

        root = sample_library()
    base = Path(root)
    out = Path(directory)
    record = None
    key = ""
    scan = None
    if cache_dir is not None:
        scan = scan_library(base, follow_outside=follow_outside)
        fingerprint = scan.fingerprint()
        options = (fingerprint, title, color_by, [a.filename for a in ARTIFACTS])
        key = hashlib.sha256(repr(options).encode()).hexdigest()
        record = Path(cache_dir) / f"build-{hashlib.sha256(os.fsencode(out.resolve())).hexdigest()[:24]}.json"
        previous = _read_record(record)
        if not fingerprint.endswith("-racy") and previous.get("key") == key and _unchanged(out, previous):
            return BuildResult([out / name for name in previous["files"]], previous["summary"], rebuilt=False)
    from .library import load_library

    with _collector_paused():
        library = load_library(base, cache_dir=cache_dir, scan=scan, follow_outside=follow_outside)
        written = write_site(library, out, title=title, color_by=color_by)
    errors = len(library.errors)
    summary = {
        "patterns": len(library.patterns),
        "relations": library.graph.number_of_edges(),
        "errors": errors,
        "warnings": len(library.problems) - errors,
    }
    if record is not None:
        files = {p.name: _file_signature(p) for p in written}
        try:
            record.parent.mkdir(parents=True, exist_ok=True)
            record.write_text(json.dumps({"key": key, "files": files, "summary": summary}), encoding="utf-8")
        except OSError:
            pass  # without the record the next build is a full one: slower, never wrong
    return BuildResult(written, summary, rebuilt=True)


@contextmanager
def _collector_paused() -> Iterator[None]:
    """Pause Python's cyclic garbage collector for a build; reference counting still frees objects.

    A build makes millions of objects that hold no cycles and live until it ends (records,
    the graph, the exports' indexes). With the collector on, every full collection walks all
    of them again: about a quarter of a cold build's time at 3,600 and at 36,000 patterns.
    On the way out, what was made meanwhile is moved to the oldest generation, where it
    would have ended up (``freeze`` then ``unfreeze``: no walk); the next young collection
    would otherwise walk all of it. A collector already off, or objects the program froze
    itself, are left as they are.
    """
    if not gc.isenabled():
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        if gc.get_freeze_count() == 0:
            gc.freeze()
            gc.unfreeze()
        gc.enable()


def _file_signature(path: Path) -> list[int] | None:
    try:
        info = path.stat()
    except OSError:
        return None
    return [info.st_size, info.st_mtime_ns]


def _read_record(path: Path) -> dict[str, Any]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def _unchanged(out: Path, record: dict[str, Any]) -> bool:
    files = record.get("files")
    if not isinstance(files, dict) or not files or not isinstance(record.get("summary"), dict):
        return False
    return all(sig is not None and _file_signature(out / name) == sig for name, sig in files.items())
