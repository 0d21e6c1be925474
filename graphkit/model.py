"""The records every stage shares: patterns, their links, problems, and the relation vocabulary.

Plain frozen dataclasses; no I/O. ``load`` makes them, ``graph`` consumes them.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

__all__ = [
    "RelationType",
    "Vocabulary",
    "DEFAULT_VOCABULARY",
    "Link",
    "Pattern",
    "Problem",
    "ERROR",
    "WARNING",
]

ERROR = "error"
WARNING = "warning"


@dataclass(frozen=True)
class RelationType:
    """One relation of the vocabulary, e.g. ``enables``.

    ``inverse`` names the relation that states the same fact from the other end
    (``generalizes_from`` / ``specializes_to``); ``symmetric`` relations hold both ways.
    ``skos`` places the relation under ``broader``, ``narrower`` or ``related`` in RDF.
    """

    name: str
    label: str
    inverse: str | None = None
    symmetric: bool = False
    skos: str = "related"
    comment: str = ""

    @property
    def directed(self) -> bool:
        return not self.symmetric


_BUILTIN = (
    RelationType(
        "generalizes_from",
        "generalizes from",
        inverse="specializes_to",
        skos="narrower",
        comment="A generalizes from B: A is the more general form of B (library ADR-0005).",
    ),
    RelationType(
        "specializes_to",
        "specializes to",
        inverse="generalizes_from",
        skos="broader",
        comment="A specializes to B: A is a specialization of the more general B (ADR-0005).",
    ),
    RelationType("enables", "enables", comment="A makes B possible or easier."),
    RelationType("requires", "requires", comment="A depends on B."),
    RelationType("related", "related", symmetric=True, comment="A and B are topically related."),
    RelationType(
        "alternatives", "alternative to", symmetric=True, comment="A and B solve the same problem differently."
    ),
    RelationType("complementary", "complements", symmetric=True, comment="A and B work well together."),
    RelationType("tools", "uses tool", comment="A is put into practice with the tool or pattern B."),
)


class Vocabulary(Mapping[str, RelationType]):
    """The relation types a library uses, in a fixed order (built-ins first, then declared ones).

    Examples
    --------
    >>> v = DEFAULT_VOCABULARY
    >>> v["generalizes_from"].inverse
    'specializes_to'
    >>> v.extend([RelationType("implements", "implements")]).names[-1]
    'implements'
    """

    def __init__(self, types: Iterable[RelationType]) -> None:
        self._types: dict[str, RelationType] = {}
        for rt in types:
            self._types[rt.name] = rt

    def __getitem__(self, name: str) -> RelationType:
        return self._types[name]

    def __iter__(self) -> Iterator[str]:
        return iter(self._types)

    def __len__(self) -> int:
        return len(self._types)

    def __hash__(self) -> int:
        return hash(tuple(self._types.values()))

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Vocabulary) and tuple(self._types.values()) == tuple(other._types.values())

    def __repr__(self) -> str:
        return f"Vocabulary({list(self._types)!r})"

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(self._types)

    def extend(self, types: Iterable[RelationType]) -> Vocabulary:
        """A new vocabulary with ``types`` added (a type of the same name replaces the old one)."""
        return Vocabulary([*self._types.values(), *types])


DEFAULT_VOCABULARY = Vocabulary(_BUILTIN)


@dataclass(frozen=True)
class Link:
    """One relation a pattern file declares, as written: the target is not resolved yet.

    ``ref`` is what the file wrote (a TypeID or a slug); ``inferred`` links come from
    ``graph_garden.inferred_links`` and carry ``confidence`` and ``reason``.
    """

    relation: str
    ref: str
    weight: float | None = None
    description: str | None = None
    inferred: bool = False
    confidence: float | None = None
    reason: str | None = None


@dataclass(frozen=True)
class Pattern:
    """One pattern, normalized from either frontmatter generation.

    ``frontmatter`` keeps the whole parsed frontmatter (a read-only, JSON-safe mapping), so
    nothing the file says is lost even when graphkit does not interpret it.
    """

    slug: str
    title: str
    id: str | None = None
    aliases: tuple[str, ...] = ()
    summary: str | None = None
    domains: tuple[str, ...] = ()
    categories: tuple[str, ...] = ()
    era: tuple[str, ...] = ()
    origin: tuple[str, ...] = ()
    status: str | None = None
    scores: Mapping[str, float] = field(default_factory=dict)
    lifecycle: Mapping[str, Any] = field(default_factory=dict)
    page_url: str | None = None
    path: str = ""
    generation: str = "classic"
    links: tuple[Link, ...] = ()
    frontmatter: Mapping[str, Any] = field(default_factory=dict, repr=False)

    @property
    def domain(self) -> str | None:
        """The primary domain: the first of ``domains``."""
        return self.domains[0] if self.domains else None


@dataclass(frozen=True)
class Problem:
    """One thing wrong in the library, found while loading or linking.

    Examples
    --------
    >>> str(Problem("a.md", "no-frontmatter", "error", "the file has no YAML frontmatter"))
    'a.md: error: the file has no YAML frontmatter [no-frontmatter]'
    """

    path: str
    kind: str
    severity: str
    message: str
    line: int | None = None
    column: int | None = None
    slug: str | None = None
    relation: str | None = None
    target: str | None = None

    @property
    def where(self) -> str:
        where = self.path
        if self.line is not None:
            where += f":{self.line}"
            if self.column is not None:
                where += f":{self.column}"
        return where

    def __str__(self) -> str:
        return f"{self.where}: {self.severity}: {self.message} [{self.kind}]"

    def to_dict(self) -> dict[str, Any]:
        return {k: v for k, v in self.__dict__.items() if v is not None}
