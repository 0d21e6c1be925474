"""The problems report for machines and people: SARIF, GitHub workflow commands, and the report page.

``to_sarif`` and ``to_github`` take the problems ``graphkit check`` finds and give the text CI
systems read; ``to_report_page`` (in ``report.page``) the single offline page a site carries.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any
from urllib.parse import quote

from ..model import ERROR, PROBLEM_KINDS, Problem

__all__ = ["KIND_DESCRIPTIONS", "SARIF_SCHEMA", "kind_description", "sarif_text", "to_github", "to_sarif"]

#: The schema a SARIF log names: the OASIS standard's, with its errata.
SARIF_SCHEMA = "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"

#: One sentence per kind of problem (defined with the kinds, in the model).
KIND_DESCRIPTIONS = PROBLEM_KINDS


def kind_description(kind: str) -> str:
    """What a kind of problem means, in one sentence (a kind graphkit does not describe gets its name).

    Examples
    --------
    >>> kind_description("dangling-reference")
    'A relation names no pattern of the library.'
    >>> kind_description("new-kind")
    'A problem of kind new-kind.'
    """
    return KIND_DESCRIPTIONS.get(kind, f"A problem of kind {kind}.")


def _uri(path: str, prefix: str) -> str:
    return quote(prefix + path, safe="/")


def to_sarif(problems: Iterable[Problem], version: str = "", path_prefix: str = "") -> dict[str, Any]:
    """The problems as a SARIF 2.1.0 log: one result per problem, one rule per kind.

    Parameters
    ----------
    problems : iterable of Problem
        What ``graphkit check`` found.
    version : str
        graphkit's version, named as the tool's.
    path_prefix : str
        Put before every file path (``"_patterns/"``): the library folder's place in the
        repository, for code scanning, which reads paths relative to the repository. Paths are
        relative to the library folder otherwise.

    Returns
    -------
    dict
        The log, ready for ``json.dumps``; the same problems give the same log.

    Examples
    --------
    >>> log = to_sarif([Problem("a b.md", "dangling-reference", "error", "names 'x'", line=3, column=1)])
    >>> result = log["runs"][0]["results"][0]
    >>> result["ruleId"], result["level"], result["message"]["text"]
    ('dangling-reference', 'error', "names 'x'")
    >>> result["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
    'a%20b.md'
    >>> log["runs"][0]["tool"]["driver"]["rules"][0]["shortDescription"]["text"]
    'A relation names no pattern of the library.'
    """
    problems = list(problems)
    kinds = sorted({p.kind for p in problems})
    index = {kind: i for i, kind in enumerate(kinds)}
    rules = [
        {
            "id": kind,
            "name": "".join(word.capitalize() for word in kind.split("-")),
            "shortDescription": {"text": kind_description(kind)},
        }
        for kind in kinds
    ]
    results = []
    for p in problems:
        text = p.message  # a suggestion is in the message ("did you mean ...?") and in the properties
        result: dict[str, Any] = {
            "ruleId": p.kind,
            "ruleIndex": index[p.kind],
            "level": "error" if p.severity == ERROR else "warning",
            "message": {"text": text},
        }
        if p.path:
            physical: dict[str, Any] = {
                "artifactLocation": {"uri": _uri(p.path, path_prefix), "uriBaseId": "%SRCROOT%"}
            }
            if p.line is not None and p.line >= 1:
                region = {"startLine": p.line}
                if p.column is not None and p.column >= 1:
                    region["startColumn"] = p.column
                physical["region"] = region
            result["locations"] = [{"physicalLocation": physical}]
        named = (("slug", p.slug), ("relation", p.relation), ("target", p.target), ("suggestion", p.suggestion))
        properties = {k: v for k, v in named if v}
        if properties:
            result["properties"] = properties
        results.append(result)
    return {
        "$schema": SARIF_SCHEMA,
        "version": "2.1.0",
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": "graphkit",
                        **({"version": version} if version else {}),
                        "rules": rules,
                    }
                },
                "originalUriBaseIds": {
                    "%SRCROOT%": {
                        "description": {
                            "text": "The folder file paths are relative to: the library folder, or the repository "
                            "when a path prefix is given."
                        }
                    }
                },
                "columnKind": "unicodeCodePoints",
                "results": results,
            }
        ],
    }


def sarif_text(problems: Iterable[Problem], version: str = "", path_prefix: str = "") -> str:
    """``to_sarif`` as JSON text, indented, ending in a line break."""
    return json.dumps(to_sarif(problems, version, path_prefix), indent=2, ensure_ascii=False) + "\n"


def _data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _property(text: str) -> str:
    return _data(text).replace(":", "%3A").replace(",", "%2C")


def to_github(problems: Iterable[Problem], path_prefix: str = "") -> list[str]:
    r"""The problems as GitHub Actions workflow commands, one line each (``::error file=...::message``).

    GitHub shows each as an annotation on the file and line. Values are escaped as GitHub's
    runner reads them back: ``%``, carriage return and line feed in the message; in the
    properties also ``:`` and ``,``.

    Examples
    --------
    >>> to_github([Problem("a.md", "dangling-reference", "error", "50% done,\nnext: b", line=2, column=5)])
    ['::error file=a.md,line=2,col=5,title=dangling-reference::50%25 done,%0Anext: b']
    >>> to_github([Problem("x,y:z.md", "duplicate-id", "warning", "shared")], path_prefix="lib/")
    ['::warning file=lib/x%2Cy%3Az.md,title=duplicate-id::shared']
    """
    lines = []
    for p in problems:
        fields = []
        if p.path:
            fields.append(f"file={_property(path_prefix + p.path)}")
            if p.line is not None:
                fields.append(f"line={p.line}")
                if p.column is not None:
                    fields.append(f"col={p.column}")
        fields.append(f"title={_property(p.kind)}")
        message = p.message
        command = "error" if p.severity == ERROR else "warning"
        lines.append(f"::{command} {','.join(fields)}::{_data(message)}")
    return lines
