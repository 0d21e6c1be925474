"""A dense synthetic library on disk, shaped like the newer Commons OS library.

``python -m benchmarks.dense OUT --scale 1`` writes one Markdown file per pattern into OUT.
At scale 1 it has the figures of the newer library (graphkit stats of the real one):

- 3,614 patterns in 81 domains, their sizes skewed (Zipf-like: the 13 largest domains hold
  61% of the patterns);
- 17,235 curated and 18,222 machine-inferred relations (about 5 + 5 per pattern);
- 1,248 connected components: one of 2,296 patterns, 63 small ones, 1,184 isolated patterns;
- hubs with 1,328, 1,063 and 971 curated relations: the alphabetically first patterns, as
  the real library's generator linked many patterns to a few alphabetically early ones (here
  70% of those links are ``generalizes_from``, the rest ``related``);
- every frontmatter layout graphkit reads: classic files (top-level relation lists and a
  ``classification`` block) and v7 files (``relationships:`` with slug strings, ``{id, weight,
  description}`` and ``{slug, weight}`` mappings, ``{slug: weight}`` maps, TypeID targets,
  ``ontology``, ``lifecycle``, ``context_labels``), each with ``graph_garden.inferred_links``
  (``confidence`` or ``strength``, some with a ``relation``);
- a few references to patterns that do not exist (``dangling-reference`` errors, as in the
  real library) and many one-sided inverse and symmetric relations (warnings), nothing else;
- files of about 27 kB (the real library's average 25 kB), though with less frontmatter
  (about 2.4 kB against the real 5.3 kB) and more body.

Scale 10 has ten times every count: 36,140 patterns, about 354,600 relations, thirty hubs of
the same sizes (the first thirty slugs), one component of 22,960. Below 1 the counts and the
hubs shrink together. The same scale and seed give byte-identical files.
"""

from __future__ import annotations

import argparse
import itertools
import random
import sys
from dataclasses import dataclass, field
from pathlib import Path

import yaml

# The newer library's figures at scale 1.
PATTERNS = 3614
CURATED = 17235
INFERRED = 18222
LARGEST = 2296
ISOLATED = 1184
SMALL_COMPONENTS = 63
HUB_DEGREES = (1328, 1063, 971)
DANGLING = 36  # references to no pattern (errors in the problems report)
BODY_PARAGRAPHS = 36  # about 20 kB of Markdown

DOMAINS = (
    "governance", "technology", "economics", "community", "operations", "startup", "culture",
    "design", "education", "ecology", "finance", "health", "legal", "data", "security", "platform",
    "product", "research", "energy", "agriculture", "urbanism", "media", "leadership", "strategy",
    "privacy", "sustainability", "value-creation", "meta", "manufacturing", "logistics", "housing",
    "food", "water", "mobility", "care", "arts", "science", "open-source", "knowledge", "identity",
    "infrastructure", "diplomacy", "conflict", "wellbeing", "spirituality", "indigenous", "labour",
    "cooperatives", "philanthropy", "public-sector", "procurement", "marketing", "sales",
    "customer-success", "hr", "engineering", "devops", "ai", "blockchain", "climate",
    "biodiversity", "oceans", "forestry", "waste", "materials", "textiles", "tourism", "sports",
    "family", "youth", "ageing", "migration", "language", "heritage", "journalism", "publishing",
    "gaming", "music", "film", "architecture", "crafts",
)  # fmt: skip
assert len(DOMAINS) == 81 and len(set(DOMAINS)) == 81

# Curated relation mix (targets of ordinary links); hubs are mostly generalized from.
CURATED_MIX = (
    ("related", 40),
    ("complementary", 14),
    ("enables", 12),
    ("requires", 10),
    ("generalizes_from", 8),
    ("specializes_to", 6),
    ("alternatives", 6),
    ("tools", 4),
)
INVERSE = {"generalizes_from": "specializes_to", "specializes_to": "generalizes_from"}
SYMMETRIC = {"related", "complementary", "alternatives"}
INFERRED_MIX = (("related", 85), ("complementary", 10), ("alternatives", 5))

_FIRST = (
    "adaptive", "agile", "bounded", "circular", "civic", "collective", "commons", "community",
    "cooperative", "data", "deliberative", "distributed", "federated", "fractal", "holistic",
    "inclusive", "lean", "living", "modular", "mutual", "networked", "open", "participatory",
    "polycentric", "regenerative", "resilient", "shared", "social", "sovereign", "stewarded",
    "systemic", "transparent", "trusted", "value", "vital", "weighted",
)  # fmt: skip
_SECOND = (
    "alignment", "assembly", "audit", "budget", "capacity", "charter", "commons", "consent",
    "contract", "council", "credit", "curation", "dividend", "exchange", "feedback", "funding",
    "garden", "guild", "harvest", "incubation", "index", "inquiry", "ledger", "licensing",
    "mapping", "membership", "mentoring", "onboarding", "ownership", "pooling", "protocol",
    "registry", "ritual", "roadmap", "sensing", "stewardship", "storytelling", "treasury",
    "trust", "voting",
)  # fmt: skip
_THIRD = (
    "", "", "", "", "", "cadence", "canvas", "circle", "cycle", "framework", "loop", "map",
    "method", "model", "network", "practice", "protocol", "review", "sprint", "system", "toolkit",
)  # fmt: skip
_WORDS = (
    "the commons depends on shared stewardship of resources that no single actor owns and every "
    "member can improve feedback loops make a system sense its own state and adapt before small "
    "tensions grow into crises governance distributes decisions to the people closest to the work "
    "while keeping the whole accountable value flows back to contributors through transparent "
    "ledgers and fair rules resilience comes from redundancy diversity and the capacity to learn "
    "from failure a pattern names a recurring problem its context and a proven way to resolve it"
).split()


def _scaled(figure: int, scale: float) -> int:
    """A figure of the real library at this scale (at least 0).

    Examples
    --------
    >>> _scaled(3614, 1), _scaled(3614, 10), _scaled(3614, 0.05)
    (3614, 36140, 181)
    """
    return max(0, round(figure * scale))


@dataclass
class _Pattern:
    index: int
    slug: str
    title: str
    id: str
    domain: str
    v7: bool
    curated: list[tuple[str, int]] = field(default_factory=list)  # (relation, target index)
    inferred: list[tuple[str, int]] = field(default_factory=list)
    dangling: list[str] = field(default_factory=list)


def _weighted(rng: random.Random, mix: tuple[tuple[str, int], ...]) -> str:
    return rng.choices([m[0] for m in mix], weights=[m[1] for m in mix])[0]


def _slugs(rng: random.Random, n: int) -> list[str]:
    names: set[str] = set()
    while len(names) < n:
        words = [rng.choice(_FIRST), rng.choice(_SECOND), rng.choice(_THIRD)]
        if len(names) >= len(_FIRST) * len(_SECOND) * 16:  # beyond three words' room: number them
            words.append(str(rng.randrange(10**6)))
        names.add("-".join(w for w in words if w))
    return sorted(names)


def _domains(rng: random.Random, n: int) -> list[str]:
    """Each pattern's domain: Zipf-like sizes (exponent 0.95), fixed counts, shuffled."""
    weights = [1 / (k + 1) ** 0.95 for k in range(len(DOMAINS))]
    total = sum(weights)
    counts = [round(n * w / total) for w in weights]
    counts[0] += n - sum(counts)
    out = [d for d, c in zip(DOMAINS, counts, strict=True) for _ in range(c)]
    rng.shuffle(out)
    return out


class _Linker:
    """Adds unique links (source, relation, target) within a set of patterns."""

    def __init__(self, patterns: list[_Pattern], rng: random.Random) -> None:
        self.patterns = patterns
        self.rng = rng
        self.curated: set[tuple[int, str, int]] = set()
        self.inferred: set[tuple[int, str, int]] = set()

    def add(self, source: int, relation: str, target: int, inferred: bool = False) -> bool:
        seen = self.inferred if inferred else self.curated
        if source == target or (source, relation, target) in seen:
            return False
        seen.add((source, relation, target))
        p = self.patterns[source]
        (p.inferred if inferred else p.curated).append((relation, target))
        return True


def make_dense_library(out: str | Path, scale: float = 1.0, seed: int = 1) -> dict[str, int]:
    """Write the dense synthetic library into ``out``; give the counts it was built to.

    Parameters
    ----------
    out : path
        The folder to write ``*.md`` files into (made if missing).
    scale : float
        1 for the newer Commons OS library's size, 10 for ten times it.
    seed : int
        The same scale and seed give byte-identical files.

    Returns
    -------
    dict
        ``patterns``, ``curated``, ``inferred``, ``dangling``, ``largest``, ``isolated``,
        ``components`` and ``hubs`` (the hubs' curated degrees), as generated.
    """
    rng = random.Random(seed)
    n = _scaled(PATTERNS, scale)
    slugs = _slugs(rng, n)
    domains = _domains(rng, n)
    patterns = [
        _Pattern(
            i,
            slug,
            slug.replace("-", " ").title(),
            "",  # set below, once the layout is known
            domains[i],
            v7=rng.random() < 0.65,
        )
        for i, slug in enumerate(slugs)
    ]
    for p in patterns:  # the real library's two id styles: TypeID (v7) and 24 hex digits (classic)
        p.id = (
            "pat_01k" + "".join(rng.choice("0123456789abcdefghjkmnpqrstvwxyz") for _ in range(23))
            if p.v7
            else "pat_" + "".join(rng.choice("0123456789abcdef") for _ in range(24))
        )

    blocks = max(1, round(scale))
    hub_count = len(HUB_DEGREES) * blocks
    hub_degrees = [_scaled(HUB_DEGREES[k % len(HUB_DEGREES)], min(scale, 1.0)) for k in range(hub_count)]
    hubs = list(range(hub_count))  # the alphabetically first slugs
    rest = list(range(hub_count, n))
    rng.shuffle(rest)
    main_size = _scaled(LARGEST, scale)
    isolated_count = _scaled(ISOLATED, scale)
    main = hubs + rest[: main_size - hub_count]
    small_members = rest[main_size - hub_count : n - hub_count - isolated_count]
    isolated = rest[n - hub_count - isolated_count :]

    linker = _Linker(patterns, rng)
    curated_target = _scaled(CURATED, scale)

    # Small components: 2 or more patterns each, linked as a chain of curated links.
    small_count = min(_scaled(SMALL_COMPONENTS, scale), len(small_members) // 2)
    sizes = [2] * small_count
    for _ in range(len(small_members) - 2 * small_count):
        sizes[rng.randrange(small_count)] += 1
    start = 0
    for size in sizes:
        group = small_members[start : start + size]
        start += size
        for a, b in zip(group, group[1:], strict=False):
            relation = _weighted(rng, CURATED_MIX)
            linker.add(b, relation, a)
            if relation in SYMMETRIC and rng.random() < 0.5:
                linker.add(a, relation, b)

    # The main component: a random spanning tree (same-domain parents preferred) ...
    by_domain: dict[str, list[int]] = {}
    order = main[:]
    rng.shuffle(order)
    placed: list[int] = []
    for i in order:
        if placed:
            same = by_domain.get(patterns[i].domain)
            parent = rng.choice(same) if same and rng.random() < 0.6 else rng.choice(placed)
            linker.add(i, _weighted(rng, CURATED_MIX), parent)
        placed.append(i)
        by_domain.setdefault(patterns[i].domain, []).append(i)
    # ... the hubs, which many patterns generalize from (or name as related) ...
    degree = {h: 0 for h in hubs}
    for source, _, target in linker.curated:
        for end in (source, target):
            if end in degree:
                degree[end] += 1
    others = [i for i in main if i not in degree]
    for h, wanted in zip(hubs, hub_degrees, strict=True):
        for source in rng.sample(others, len(others)):
            if degree[h] >= wanted:
                break
            relation = "generalizes_from" if rng.random() < 0.7 else "related"
            if linker.add(source, relation, h):
                degree[h] += 1
    # ... and ordinary links: heavy-tailed popularity, same domain preferred, some answered.
    popularity = list(itertools.accumulate(1 / (k + 1) ** 0.6 for k in range(len(others))))
    popular = others[:]
    rng.shuffle(popular)
    while len(linker.curated) < curated_target and others:
        source = rng.choice(others)
        same = by_domain[patterns[source].domain]
        if rng.random() < 0.5 and len(same) > 1:
            target = rng.choice(same)
        else:
            target = rng.choices(popular, cum_weights=popularity)[0]
        if target in degree:
            continue
        relation = _weighted(rng, CURATED_MIX)
        if not linker.add(source, relation, target):
            continue
        answer = relation if relation in SYMMETRIC else INVERSE.get(relation)
        if answer and rng.random() < 0.35 and len(linker.curated) < curated_target:
            linker.add(target, answer, source)

    # Machine-inferred links: within the main component, mostly within a domain.
    inferred_target = _scaled(INFERRED, scale)
    while len(linker.inferred) < inferred_target and len(others) > 1:
        source = rng.choice(others)
        same = by_domain[patterns[source].domain]
        target = rng.choice(same) if rng.random() < 0.7 and len(same) > 1 else rng.choice(others)
        linker.add(source, _weighted(rng, INFERRED_MIX), target, inferred=True)

    for k in range(_scaled(DANGLING, scale)):
        p = patterns[rng.randrange(n)]
        p.dangling.append(f"retired-{p.slug}-{k}")

    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    paragraphs = _paragraphs(random.Random(seed + 1))
    for p in patterns:
        text = _file_text(p, patterns, rng, paragraphs)
        (out / f"{p.slug}.md").write_text(text, encoding="utf-8")
    return {
        "patterns": n,
        "curated": len(linker.curated),
        "inferred": len(linker.inferred),
        "dangling": _scaled(DANGLING, scale),
        "largest": len(main),
        "isolated": len(isolated),
        "components": 1 + small_count + len(isolated),
        "hubs": [degree[h] for h in hubs],
    }


def _paragraphs(rng: random.Random, count: int = 400) -> list[str]:
    """A pool of body paragraphs (about 700 characters each) every file draws from."""
    out = []
    for _ in range(count):
        sentences = []
        for _ in range(rng.randint(5, 8)):
            words = rng.choices(_WORDS, k=rng.randint(12, 22))
            sentences.append(" ".join(words).capitalize() + ".")
        out.append(" ".join(sentences))
    return out


def _weight(rng: random.Random) -> float:
    return round(rng.uniform(0.3, 1.0), 1)


def _ref(p: _Pattern, rng: random.Random) -> str:
    """A reference by slug, or by TypeID now and then, as the real library mixes them."""
    return p.id if rng.random() < 0.1 else p.slug


def _file_text(p: _Pattern, patterns: list[_Pattern], rng: random.Random, paragraphs: list[str]) -> str:
    by_relation: dict[str, list[int]] = {}
    for relation, target in p.curated:
        by_relation.setdefault(relation, []).append(target)
    fm: dict = {"id": p.id, "slug": p.slug, "title": p.title}
    if p.v7:
        fm["aliases"] = [f"{p.title} Pattern"]
        fm["summary"] = f"A pattern for {p.title.lower()} in {p.domain}: {rng.choice(paragraphs)[:160]}"
        fm["context_labels"] = {
            "corporate": f"{p.title} at Work",
            "government": f"Public {p.title}",
            "activist": f"Grassroots {p.title}",
            "tech": f"{p.title} in Software",
            "community": f"Neighbourhood {p.title}",
        }
        fm["ontology"] = {
            "domain": p.domain,
            "cross_domains": rng.sample(DOMAINS, 2),
            "specification_layer": f"L{rng.randint(1, 7)}",
            "search_hints": {
                "primary_tension": f"{p.title} vs. business as usual",
                "vector_keywords": rng.sample(_WORDS, 6),
            },
            "commons_assessment": {
                "stakeholder_architecture": rng.randint(1, 5),
                "value_creation": rng.randint(1, 5),
                "resilience": rng.randint(1, 5),
                "ownership": rng.randint(1, 5),
                "autonomy": rng.randint(1, 5),
                "composability": rng.randint(1, 5),
                "fractal_value": rng.randint(1, 5),
                "vitality": rng.randint(2, 10) / 2,
                "vitality_reasoning": rng.choice(paragraphs)[:300],
                "overall_score": round(rng.uniform(2, 5), 1),
            },
        }
        fm["lifecycle"] = {
            "usage_stage": rng.choice(["design", "operate", "scale"]),
            "adoption_stage": rng.choice(["emerging", "growth", "mature"]),
            "status": rng.choice(["draft", "draft", "published", "reviewed"]),
            "version": 1.0,
            "confidence": rng.randint(1, 5),
        }
        relationships: dict = {}
        for relation, targets in by_relation.items():
            style = rng.random()
            if style < 0.55:  # [{id: slug, weight, description}], the commonest v7 shape
                relationships[relation] = [
                    {
                        "id": _ref(patterns[t], rng),
                        "weight": _weight(rng),
                        "description": f"{p.title} {relation.replace('_', ' ')} {patterns[t].title}.",
                    }
                    for t in targets
                ]
            elif style < 0.75:  # plain slugs or TypeIDs
                relationships[relation] = [_ref(patterns[t], rng) for t in targets]
            elif style < 0.9:  # [{slug, weight}]
                relationships[relation] = [{"slug": patterns[t].slug, "weight": _weight(rng)} for t in targets]
            else:  # {slug: weight}
                relationships[relation] = {patterns[t].slug: _weight(rng) for t in targets}
        if p.dangling:
            related = relationships.setdefault("related", [])
            if isinstance(related, dict):
                related.update((name, 0.5) for name in p.dangling)
            else:
                related.extend(p.dangling)
        fm["relationships"] = relationships
    else:
        fm["aliases"] = []
        fm["classification"] = {
            "universality": rng.choice(["universal", "domain", "contextual"]),
            "domain": p.domain,
            "category": [rng.choice(["team", "process", "structure", "tool"])],
            "era": [rng.choice(["industrial", "cognitive", "digital", "ancestral"])],
            "origin": [rng.choice(["startup-ecosystem", "cooperative-movement", "open-source", "academia"])],
            "status": rng.choice(["draft", "draft", "published"]),
            "commons_alignment": rng.randint(1, 5),
            "commons_domain": rng.sample(DOMAINS, 2),
        }
        for relation in ("generalizes_from", "specializes_to", "enables", "requires", "related"):
            fm[relation] = [_ref(patterns[t], rng) for t in by_relation.get(relation, [])]
        for relation in ("alternatives", "complementary", "tools"):
            if relation in by_relation:
                fm[relation] = [_ref(patterns[t], rng) for t in by_relation[relation]]
        if p.dangling:
            fm["related"] = fm["related"] + p.dangling
        fm.update(
            confidence_score=round(rng.uniform(0.4, 0.95), 2),
            sources=[],
            version="1.0.0",
            page_url=f"https://commons-os.github.io/patterns/{p.slug}/",
        )
    links = []
    for relation, target in p.inferred:
        link: dict = {"target": patterns[target].slug}
        if relation != "related" or rng.random() < 0.2:
            link["relation"] = relation
        link["reason"] = f"Shared entities: {', '.join(rng.sample(_SECOND, 3)).title()}"
        if rng.random() < 0.5:
            link["confidence"] = round(rng.uniform(0.5, 0.99), 2)
        else:
            link["strength"] = rng.randint(1, 5)
        links.append(link)
    fm["graph_garden"] = {
        "last_pruned": "2026-02-16",
        "entities": [w.title() for w in rng.sample(_SECOND, 2)],
        "communities": [f"{p.domain}-and-{rng.choice(_SECOND)}"],
        "inferred_links": links,
    }
    fm["license"] = "CC-BY-SA-4.0"
    fm["attribution"] = "Commons OS Pattern Library (synthetic benchmark data)"
    head = yaml.dump(
        fm, Dumper=getattr(yaml, "CSafeDumper", yaml.SafeDumper), sort_keys=False, allow_unicode=True, width=1000
    )
    sections = ["Overview", "Core Principles", "Key Practices", "Implementation", "When to Use", "Anti-Patterns"]
    body = [f"# {p.title}\n"]
    picks = rng.sample(range(len(paragraphs)), BODY_PARAGRAPHS)
    per = BODY_PARAGRAPHS // len(sections)
    for k, section in enumerate(sections):
        body.append(f"### {k + 1}. {section}\n")
        body.extend(paragraphs[i] + "\n" for i in picks[k * per : (k + 1) * per])
    return f"---\n{head}---\n\n" + "\n".join(body)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.dense", description=__doc__.split("\n\n")[0])
    parser.add_argument("out", type=Path, help="the folder to write the pattern files into")
    parser.add_argument(
        "--scale", type=float, default=1.0, help="1 = the newer library's size (default), 10 = ten times"
    )
    parser.add_argument("--seed", type=int, default=1, help="the same seed gives the same files (default 1)")
    args = parser.parse_args(argv)
    if args.scale <= 0:
        parser.error("--scale must be above 0")
    if args.out.is_dir() and any(args.out.glob("*.md")):
        parser.error(f"{args.out} already holds .md files; give an empty or new folder")
    counts = make_dense_library(args.out, args.scale, args.seed)
    print(
        ", ".join(f"{k} {v}" for k, v in counts.items() if k != "hubs"), f"hubs {counts['hubs'][:6]}", file=sys.stderr
    )


if __name__ == "__main__":
    main()
