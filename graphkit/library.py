"""Load a whole library in one call: files -> records -> graph, with every problem found on the way.

The parser and the graph stage (PyYAML, NetworkX) are imported when a library is loaded, not
to find the sample library (which a query on a kept store, or a build with nothing to do, needs).
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .model import ERROR, EXTERNAL, OFF, WARNING, Pattern, Problem, Vocabulary

if TYPE_CHECKING:
    import networkx as nx

    from .load import Config, Scan

__all__ = ["Library", "apply_severity", "load_library", "sample_library"]


def sample_library() -> Path:
    """The folder of the small sample library shipped inside the package (real Commons OS patterns).

    Examples
    --------
    >>> (sample_library() / "bottom-up-adoption.md").is_file()
    True
    """
    return Path(__file__).resolve().parent / "sample"


@dataclass(frozen=True)
class Library:
    """A loaded pattern library: its records, its graph and its problems report."""

    root: Path
    patterns: tuple[Pattern, ...]
    graph: nx.MultiDiGraph
    problems: tuple[Problem, ...]
    config: Config
    files: tuple[str, ...]
    from_cache: int = 0

    @property
    def vocabulary(self) -> Vocabulary:
        return self.config.vocabulary

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == ERROR]

    @property
    def warnings(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == WARNING]

    @property
    def external_nodes(self) -> int:
        """How many nodes of the graph are external (targets outside the library), not patterns."""
        return sum(1 for _, kind in self.graph.nodes(data="kind") if kind == EXTERNAL)

    def problems_report(self, more: Iterable[Problem] = ()) -> dict[str, Any]:
        """The problems report as JSON-ready data (what ``graphkit check -f json`` prints).

        ``more`` adds problems found after loading (e.g. by the SHACL shapes); the
        configuration's ``[severity]`` table applies to them too. The report shows that
        table (``severity``) and the external nodes when there are any.

        Examples
        --------
        >>> sorted(load_library().problems_report())
        ['errors', 'files', 'patterns', 'problems', 'warnings']
        """
        problems = [*self.problems, *apply_severity(more, self.config.severity)]
        errors = sum(1 for p in problems if p.severity == ERROR)
        report: dict[str, Any] = {
            "files": len(self.files),
            "patterns": len(self.patterns),
            "errors": errors,
            "warnings": len(problems) - errors,
            "problems": [p.to_dict() for p in problems],
        }
        if self.config.severity:
            report["severity"] = dict(self.config.severity)
        if self.external_nodes:
            report["external_nodes"] = self.external_nodes
        return report

    def stats(self, top: int = 10) -> dict:
        """Counts of patterns, edges per relation, problems per kind, components and hubs."""
        from .graph import graph_stats

        return graph_stats(self.graph, self.problems, top=top)


def apply_severity(problems: Iterable[Problem], severity: Iterable[tuple[str, str]]) -> list[Problem]:
    """The problems with the severity the configuration sets for their kind; those set ``off`` left out.

    Examples
    --------
    >>> p = Problem("a.md", "dangling-reference", "error", "enables names 'x', which is no pattern's slug or id")
    >>> [q.severity for q in apply_severity([p], [("dangling-reference", "warning")])]
    ['warning']
    >>> apply_severity([p], [("dangling-reference", "off")])
    []
    """
    table = dict(severity)
    if not table:
        return list(problems)
    out = []
    for p in problems:
        setting = table.get(p.kind)
        if setting == OFF:
            continue
        out.append(p if setting is None or setting == p.severity else replace(p, severity=setting))
    return out


def load_library(
    root: str | os.PathLike[str] | None = None,
    config: Config | None = None,
    *,
    workers: int | None = None,
    cache_dir: str | os.PathLike[str] | None = None,
    scan: Scan | None = None,
    follow_outside: bool = False,
) -> Library:
    """Load the pattern library at ``root`` (the shipped sample when ``None``).

    Returns the graph and the problems report; bad files become problems, never exceptions.
    ``workers``, ``cache_dir`` and ``scan`` are passed to ``load_patterns``: parallel parsing,
    a cache of parsed records so that an unchanged library loads without parsing, and a
    scan of the folder taken just before. Files outside ``root`` are read only with
    ``follow_outside``: otherwise a link that leads outside is reported, not read.

    Examples
    --------
    >>> lib = load_library()
    >>> lib.graph.nodes["bottom-up-adoption"]["title"]
    'Bottom-Up Adoption'
    """
    from .graph import build_graph, link_patterns
    from .load import load_patterns, sort_problems

    base = sample_library() if root is None else Path(root)
    result = load_patterns(base, config, workers=workers, cache_dir=cache_dir, scan=scan, follow_outside=follow_outside)
    edges, problems = link_patterns(result.patterns, result.config.vocabulary)
    G = build_graph(result.patterns, result.config.vocabulary, edges)
    return Library(
        root=base,
        patterns=result.patterns,
        graph=G,
        problems=tuple(sort_problems(apply_severity([*result.problems, *problems], result.config.severity))),
        config=result.config,
        files=result.files,
        from_cache=result.from_cache,
    )
