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
    "OFF",
    "PROBLEM_KINDS",
    "FIXABLE",
    "UNRESOLVED",
    "EXTERNAL",
]

ERROR = "error"
WARNING = "warning"
#: A problem kind switched off in the ``[severity]`` table: such problems are not reported.
OFF = "off"
#: The node ``kind`` of a target outside the library (a relation declared ``unresolved = "external"``).
EXTERNAL = "external"
#: What a declared relation does with a target that names no pattern: an error (the default),
#: a warning, or an external node.
UNRESOLVED = ("error", "warning", EXTERNAL)

#: Every kind of problem graphkit reports, with what it means in one sentence (the rule a SARIF
#: log describes; the README's table says the same). The ``[severity]`` table of the
#: configuration can set each one to ``off``, ``warning`` or ``error``.
PROBLEM_KINDS: dict[str, str] = {
    "ambiguous-reference": "A relation names an id that several patterns share.",
    "bad-config": "A setting of the configuration cannot be read; it is left out and the rest holds.",
    "bad-field": "A field in a shape graphkit does not read.",
    "bad-reference": "A relation's target is not a slug or an id.",
    "bad-relation": "A relation in a shape graphkit does not read.",
    "bad-slug": "The slug holds characters a slug cannot hold.",
    "bad-value": "The YAML holds a value that cannot be read.",
    "dangling-reference": "A relation names no pattern of the library.",
    "duplicate-id": "Several files share one id.",
    "duplicate-key": "A key appears twice in the frontmatter.",
    "duplicate-slug": "A second file has the same slug.",
    "invalid-yaml": "The frontmatter is not valid YAML.",
    "missing-slug": "The pattern has no slug; the file name stands in.",
    "missing-title": "The pattern has no title; the file name stands in.",
    "no-frontmatter": "The file has no YAML frontmatter block.",
    "not-mapping": "The frontmatter is not a mapping of keys to values.",
    "not-text": "The file is not text.",
    "not-utf8": "The file, or its name, is not valid UTF-8.",
    "one-sided-inverse": "A relation whose inverse the other pattern does not list back.",
    "one-sided-symmetric": "A symmetric relation the other pattern does not list back.",
    "outside-library": "A link leads outside the library folder.",
    "recursive-yaml": "The YAML refers to itself or expands without bound.",
    "reference-mismatch": "A reference's slug and id name different patterns; the one that resolves is used.",
    "self-reference": "A pattern names itself in a relation.",
    "shacl": "The RDF export breaks a SHACL shape.",
    "too-deep": "The frontmatter is nested too deep.",
    "too-large": "The file or its frontmatter is over the size limit.",
    "undeclared-field": "A field holds references that no relation of the configuration reads.",
    "unknown-relation": "A relation the vocabulary does not know.",
    "unreadable": "The file or folder cannot be read.",
}

#: The kinds of problem ``graphkit fix`` removes, by writing the missing half of the link.
FIXABLE = ("one-sided-inverse", "one-sided-symmetric")


@dataclass(frozen=True)
class RelationType:
    """One relation of the vocabulary, e.g. ``enables``: everything every stage knows about it.

    ``label`` reads the relation from its source (``A enables B``). ``inverse`` names the
    relation that states the same fact from the other end: a relation of the vocabulary itself
    (``generalizes_from`` / ``specializes_to``), or a name only the RDF export states
    (``enabled_by``), which then reads as ``inverse_label`` (by default the name, spaced).
    ``symmetric`` relations hold both ways and have no inverse. ``skos`` places the relation
    under ``broader``, ``narrower`` or ``related`` in RDF. ``color`` (``#rrggbb``) and ``dashes``
    (dash and gap lengths; ``()`` for a solid line) are how the map draws it; where they are
    ``None`` the map picks them from the name.

    Where the files write it: ``field``, a top-level key or a dotted path (by default the
    name, at the top level and under ``relationships:``); ``target``, the keys of a mapping
    entry that name the target, tried in order; ``weight``, the key of its weight; ``keep``,
    other keys copied onto the edge; ``unresolved``, what a target that names no pattern is
    (``error``, ``warning``, or ``external``: a node of its own outside the library).
    """

    name: str
    label: str
    inverse: str | None = None
    symmetric: bool = False
    skos: str = "related"
    comment: str = ""
    inverse_label: str | None = None
    color: str | None = None
    dashes: tuple[int, ...] | None = None
    field: str | None = None
    target: tuple[str, ...] = ("slug", "id", "typeid", "target")
    weight: str = "weight"
    keep: tuple[str, ...] = ()
    unresolved: str = "error"

    @property
    def directed(self) -> bool:
        return not self.symmetric

    def inverse_type(self) -> RelationType:
        """The inverse as a relation of its own: labelled ``inverse_label``, under the mirrored SKOS property.

        Examples
        --------
        >>> implements = RelationType("implements", "implements", inverse="implemented_by", skos="narrower")
        >>> inverse = implements.inverse_type()
        >>> inverse.name, inverse.label, inverse.inverse, inverse.skos
        ('implemented_by', 'implemented by', 'implements', 'broader')
        """
        if not self.inverse or self.symmetric:
            raise ValueError(f"relation {self.name!r} has no inverse")
        label = self.inverse_label or self.inverse.replace("_", " ")
        return RelationType(self.inverse, label, inverse=self.name, skos=_MIRRORED_SKOS[self.skos])


#: The SKOS property of a relation's inverse, by the relation's own.
_MIRRORED_SKOS = {"broader": "narrower", "narrower": "broader", "related": "related"}

# The built-in relations (the Commons OS library's ADR-0005). The shipped ontology
# (ontology/graphkit.ttl) declares each of them and each inverse named here; a test holds
# it to this table.
_BUILTIN = (
    RelationType(
        "generalizes_from",
        "generalizes from",
        inverse="specializes_to",
        skos="narrower",
        comment="A generalizes from B: A is a more general form of B, so B is narrower than A (library ADR-0005). "
        "Example: Steward Ownership generalizes from Perpetual Purpose Trust.",
        color="#6a3d9a",
        dashes=(),
    ),
    RelationType(
        "specializes_to",
        "specializes to",
        inverse="generalizes_from",
        skos="broader",
        comment="A specializes to B: A is a specialization of B, so B is broader than A (library ADR-0005). "
        "Example: Perpetual Purpose Trust specializes to Steward Ownership.",
        color="#b15928",
        dashes=(),
    ),
    RelationType(
        "enables",
        "enables",
        inverse="enabled_by",
        inverse_label="enabled by",
        comment="A enables B: A makes B possible or easier (library ADR-0005).",
        color="#1a9850",
        dashes=(),
    ),
    RelationType(
        "requires",
        "requires",
        inverse="required_by",
        inverse_label="required by",
        comment="A requires B: A depends on B (library ADR-0005).",
        color="#d7301f",
        dashes=(10, 5),
    ),
    RelationType(
        "related",
        "related",
        symmetric=True,
        comment="A and B are topically related (library ADR-0005). Symmetric.",
        color="#8da0b3",
        dashes=(),
    ),
    RelationType(
        "alternatives",
        "alternative to",
        symmetric=True,
        comment="A and B solve the same problem differently. Symmetric.",
        color="#f08c00",
        dashes=(4, 4),
    ),
    RelationType(
        "complementary",
        "complements",
        symmetric=True,
        comment="A and B work well together. Symmetric.",
        color="#1f78b4",
        dashes=(2, 4),
    ),
    RelationType(
        "tools",
        "uses tool",
        inverse="tool_for",
        inverse_label="tool for",
        comment="A uses tool B: A is put into practice with the tool or pattern B.",
        color="#8c510a",
        dashes=(12, 4, 2, 4),
    ),
)


class Vocabulary(Mapping[str, RelationType]):
    """The relation types a library uses, in a fixed order (built-ins first, then declared ones).

    Its keys are the relations pattern files write; ``with_inverses`` adds the inverses only
    the RDF export states.

    Examples
    --------
    >>> v = DEFAULT_VOCABULARY
    >>> v["generalizes_from"].inverse
    'specializes_to'
    >>> v.incoming_label("generalizes_from"), v.incoming_label("enables"), v.incoming_label("related")
    ('specializes to', 'enabled by', None)
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

    def incoming_label(self, name: str) -> str | None:
        """How relation ``name`` reads from its target; None when it has no inverse (or is symmetric).

        The inverse's own label when the inverse is a relation of the vocabulary, else the
        relation's ``inverse_label``.
        """
        rt = self._types[name]
        if rt.symmetric or not rt.inverse:
            return None
        if rt.inverse in self._types:
            return self._types[rt.inverse].label
        return rt.inverse_type().label

    def with_inverses(self) -> tuple[RelationType, ...]:
        """Every relation the RDF export can state: the vocabulary's, then each inverse that is
        not a relation of its own (labelled with its ``inverse_label``, under the mirrored SKOS
        property).

        Examples
        --------
        >>> [rt.name for rt in DEFAULT_VOCABULARY.with_inverses()][-3:]
        ['enabled_by', 'required_by', 'tool_for']
        >>> tool_for = DEFAULT_VOCABULARY.with_inverses()[-1]
        >>> tool_for.label, tool_for.inverse, tool_for.skos
        ('tool for', 'tools', 'related')
        """
        inverses: dict[str, RelationType] = {}
        for rt in self._types.values():
            if rt.inverse and not rt.symmetric and rt.inverse not in self._types and rt.inverse not in inverses:
                inverses[rt.inverse] = rt.inverse_type()
        return (*self._types.values(), *inverses.values())


DEFAULT_VOCABULARY = Vocabulary(_BUILTIN)


@dataclass(frozen=True)
class Link:
    """One relation a pattern file declares, as written: the target is not resolved yet.

    ``ref`` is what the file wrote (a TypeID or a slug); ``alt`` is another name the same
    entry gives (a mapping whose ``slug`` and ``id`` differ), used when ``ref`` resolves to
    no pattern. ``inferred`` links come from ``graph_garden.inferred_links`` and carry
    ``confidence`` and ``reason``. ``extra`` holds the entry's keys the relation keeps.
    """

    relation: str
    ref: str
    weight: float | None = None
    description: str | None = None
    inferred: bool = False
    confidence: float | None = None
    reason: str | None = None
    alt: str | None = None
    extra: tuple[tuple[str, Any], ...] = ()


@dataclass(frozen=True)
class Pattern:
    """One pattern, normalized from either frontmatter generation.

    ``frontmatter`` keeps the whole parsed frontmatter (a read-only, JSON-safe mapping), so
    nothing the file says is lost even when graphkit does not interpret it. ``unread`` names
    the fields no relation reads whose values look like references, each with the values
    that may name patterns (empty when the shape alone says so, such as ``{hub_id: ...}``).
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
    unread: tuple[tuple[str, tuple[str, ...]], ...] = ()

    @property
    def domain(self) -> str | None:
        """The primary domain: the first of ``domains``."""
        return self.domains[0] if self.domains else None


@dataclass(frozen=True)
class Problem:
    """One thing wrong in the library, found while loading or linking.

    ``suggestion`` is the slug a dangling reference most likely meant, where one is clear.

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
    suggestion: str | None = None

    @property
    def where(self) -> str:
        where = self.path
        if self.line is not None:
            where += f":{self.line}"
            if self.column is not None:
                where += f":{self.column}"
        return where

    def __str__(self) -> str:
        message = self.message
        if self.target and self.target not in message:  # two such lines of one file would read the same
            message += f" (target {self.target!r})"
        return f"{self.where}: {self.severity}: {message} [{self.kind}]"

    def to_dict(self) -> dict[str, Any]:
        return {k: v for k, v in self.__dict__.items() if v is not None}
