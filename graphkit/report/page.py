"""The problems report page: problems -> one offline HTML file that filters, groups and sorts them.

The problems travel as JSON in a ``<script type="application/json">`` block; ``problems.js``
shows the rows in view only, with ``textContent``. A Content-Security-Policy lets only that
script run (by its hash) and the page fetch nothing. Without JavaScript the page still says how
many problems there are and where the JSON report is.
"""

from __future__ import annotations

import html
from collections.abc import Container, Iterable
from functools import lru_cache
from importlib import resources
from typing import Any

from ..model import ERROR, Problem
from ..view.page import script_hash, script_json

__all__ = ["report_data", "to_report_page"]


@lru_cache(maxsize=1)
def _assets() -> dict[str, str]:
    here = resources.files(__package__)
    # Package files, trusted: inlined as they are (neither contains "</script" or "</style").
    return {
        "js": (here / "problems.js").read_text(encoding="utf-8"),
        "css": (here / "problems.css").read_text(encoding="utf-8"),
    }


def _policy(script: str) -> str:
    return (
        f"default-src 'none'; script-src {script_hash(script)}; style-src 'unsafe-inline'; img-src data:; "
        "connect-src 'none'; base-uri 'none'; form-action 'none'"
    )


def report_data(
    problems: Iterable[Problem], slugs: Container[str] = (), map_page: str | None = "map.html"
) -> dict[str, Any]:
    """The page's data: each problem as a row of numbers and strings, file paths and kinds listed once.

    A row is ``[path index, line, column, kind index, 0 for an error or 1 for a warning, slug,
    1 when the slug is a pattern of the map, message, the slug of the pattern a dangling
    reference probably meant (``Problem.suggestion``) or ``None``]``.

    Examples
    --------
    >>> data = report_data([Problem("a.md", "dangling-reference", "error", "names 'x'", line=2, slug="a")], {"a"})
    >>> data["paths"], data["kinds"], data["rows"]
    (['a.md'], ['dangling-reference'], [[0, 2, None, 0, 0, 'a', 1, "names 'x'", None]])
    """
    paths: dict[str, int] = {}
    kinds: dict[str, int] = {}
    rows = []
    errors = 0
    for p in problems:
        errors += p.severity == ERROR
        rows.append(
            [
                paths.setdefault(p.path, len(paths)),
                p.line,
                p.column,
                kinds.setdefault(p.kind, len(kinds)),
                0 if p.severity == ERROR else 1,
                p.slug,
                1 if p.slug is not None and p.slug in slugs else 0,
                p.message,
                p.suggestion,
            ]
        )
    return {
        "map": map_page,
        "errors": errors,
        "warnings": len(rows) - errors,
        "paths": list(paths),
        "kinds": list(kinds),
        "rows": rows,
    }


def to_report_page(
    problems: Iterable[Problem],
    title: str = "Pattern library",
    files: int | None = None,
    patterns: int | None = None,
    slugs: Container[str] = (),
    map_page: str | None = "map.html",
    json_report: str | None = "problems.json",
    index_page: str | None = "index.html",
) -> str:
    """The problems report as one self-contained HTML page.

    Parameters
    ----------
    problems : iterable of Problem
        In the order the page lists them first (``load_library`` sorts them by file and line).
    title : str
        The library's name, shown as text.
    files, patterns : int, optional
        The counts the page's first line gives.
    slugs : container of str
        The patterns the map shows: a problem's pattern links to ``map_page#p=<slug>`` when it is one.
    map_page, json_report, index_page : str or None
        The map, the JSON report and the site's index beside the page (``None``: no link).

    Examples
    --------
    >>> page = to_report_page([Problem("a.md", "duplicate-id", "warning", "</script>")], title="<lib>")
    >>> "<title>Problems: &lt;lib&gt;</title>" in page, "</script>\\"" in page, "1 problem (0 errors" in page
    (True, False, True)
    """
    e = html.escape
    assets = _assets()
    data = report_data(problems, slugs, map_page)
    total = len(data["rows"])
    counted = ", ".join(f"{n} {word}" for n, word in ((files, "files"), (patterns, "patterns")) if n is not None)
    summary = f"{total} problem{'' if total == 1 else 's'} ({data['errors']} errors, {data['warnings']} warnings)" + (
        f" in {counted}" if counted else ""
    )
    links = [
        f'<a href="{e(href)}">{label}</a>'
        for href, label in ((index_page, "index"), (map_page, "map"), (json_report, "as JSON"))
        if href
    ]
    fallback = (
        "This page needs JavaScript to list them"
        + (f'; the same report is in <a href="{e(json_report)}">{e(json_report)}</a>' if json_report else "")
        + "."
    )
    head_cells = "".join(
        f'<button type="button" data-sort="{key}" aria-sort="none">{label}</button>'
        for key, label in (
            ("path", "file"), ("line", "line"), ("severity", "severity"), ("kind", "kind"), ("slug", "pattern"),
            ("message", "problem"),
        )
    )  # fmt: skip
    return (
        '<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f'<meta http-equiv="Content-Security-Policy" content="{e(_policy(assets["js"]))}">\n'
        f'<link rel="icon" href="data:,">\n<title>Problems: {e(title)}</title>\n<style>{assets["css"]}</style>\n'
        "</head>\n<body>\n<header>\n"
        f"<h1>Problems: {e(title)}</h1>\n"
        f'<p class="note">{summary}{" · " + " · ".join(links) if links else ""}</p>\n'
        f'<p class="note" id="gkr-status" role="status">{fallback}</p>\n'
        '<div id="gkr-controls" hidden>\n'
        '<label>kind <select id="gkr-kind"><option value="">all kinds</option></select></label>\n'
        '<label>severity <select id="gkr-severity"><option value="">errors and warnings</option>'
        '<option value="error">errors</option><option value="warning">warnings</option></select></label>\n'
        '<label>group by <select id="gkr-group"><option value="">nothing</option>'
        '<option value="path">file</option><option value="kind">kind</option></select></label>\n'
        '<label>find <input id="gkr-text" type="search" placeholder="file, pattern or words"></label>\n'
        "</div>\n</header>\n"
        f'<main id="gkr-table" hidden>\n<div id="gkr-head" class="gkr-row">{head_cells}</div>\n'
        '<div id="gkr-scroll"><p id="gkr-empty" hidden>No problem matches.</p><div id="gkr-spacer"></div></div>\n'
        "</main>\n"
        f'<script type="application/json" id="gkr-data">{script_json(data)}</script>\n'
        f"<script>{assets['js']}</script>\n</body>\n</html>\n"
    )
