"""The ``graphkit`` command: a thin click shell over the library. The only module that imports click.

Each command imports the stages it uses when it runs: ``graphkit --help`` and a query on a
kept store start without NetworkX, rdflib, igraph, SciPy or the server.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import signal
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from . import __version__
from .errors import GraphkitError, StoreOutcomeUnknown
from .model import FIXABLE
from .namespaces import DEFAULT_BASE_IRI
from .store.defaults import DEFAULT_CONNECT_TIMEOUT, DEFAULT_TIMEOUT, PASSWORD_ENV, PROTOCOLS
from .view.colors import FACETS

if TYPE_CHECKING:
    from .library import Library

ROOT_HELP = "The library folder (default: the sample library shipped with graphkit)."


# Text from a library (titles, slugs, file names, and messages that quote them) is a
# stranger's: printed as it is, control characters move the cursor, recolour or retitle the
# terminal, and bidirectional overrides reorder what is shown. Everything the CLI prints from
# a library goes through _say (or _safe): such characters are shown as escapes, e.g. \x1b.
_UNSAFE = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069\ud800-\udfff]")

_NAMED = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}


def _escape(match: re.Match[str]) -> str:
    char = match.group()
    code = ord(char)
    return _NAMED.get(char) or (f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}")


def _safe(text: str) -> str:
    r"""``text`` as one line a terminal shows as it is: control characters written as escapes.

    Examples
    --------
    >>> _safe("\x1b[31mred\nline")
    '\\x1b[31mred\\nline'
    """
    return _UNSAFE.sub(_escape, text)


def _say(text: str, err: bool = False) -> None:
    """Print one line of library text to the terminal (see ``_safe``)."""
    click.echo(_safe(text), err=err)


class GraphkitGroup(click.Group):
    """Turns every ``GraphkitError`` into click's ``Error: ...`` line and exit code 1."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except GraphkitError as err:
            raise click.ClickException(_safe(str(err))) from err


@click.group(cls=GraphkitGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="graphkit")
@click.option(
    "--cache-dir",
    type=click.Path(file_okay=False, path_type=str),
    help="Keep parsed patterns here (default: $GRAPHKIT_CACHE_DIR or ~/.cache/graphkit). Safe to delete.",
)
@click.option("--no-cache", is_flag=True, help="Parse every file again; read and write no cache.")
@click.pass_context
def cli(ctx: click.Context, cache_dir: str | None, no_cache: bool) -> None:
    """Explore a pattern library as a knowledge graph.

    Every command takes the library folder as ROOT; without it, graphkit uses its
    shipped sample library, so `graphkit stats` works at once.
    """
    ctx.obj = {"cache_dir": cache_dir, "no_cache": no_cache}


def root_argument(f: Any) -> Any:
    return click.argument("root", required=False, type=click.Path(exists=True, file_okay=False, path_type=str))(f)


def format_option(f: Any) -> Any:
    return click.option(
        "-f",
        "--format",
        "fmt",
        type=click.Choice(["text", "json"]),
        default="text",
        show_default=True,
        help="Output format.",
    )(f)


def _cache_dir() -> str | None:
    """The cache folder chosen on the group (--cache-dir, --no-cache, or the default)."""
    from .load import default_cache_dir

    chosen = click.get_current_context().find_root().obj or {}
    if chosen.get("no_cache"):
        return None
    return chosen.get("cache_dir") or str(default_cache_dir())


def follow_outside_option(f: Any) -> Any:
    def remember(ctx: click.Context, param: click.Parameter, value: bool) -> None:
        ctx.meta["graphkit.follow_outside"] = value

    return click.option(
        "--follow-outside",
        is_flag=True,
        expose_value=False,
        callback=remember,
        help="Also read files outside the library folder that links in it lead to (default: report them).",
    )(f)


def _follow_outside() -> bool:
    return bool(click.get_current_context().meta.get("graphkit.follow_outside"))


def _load(root: str | None) -> Library:
    from .library import load_library

    return load_library(root, cache_dir=_cache_dir(), follow_outside=_follow_outside())


def _dump_json(data: Any) -> None:
    # JSON escapes control characters in strings itself (its own line breaks stay); the rest of
    # _UNSAFE becomes \uXXXX: the same data, safe to show.
    text = json.dumps(data, indent=2, ensure_ascii=False)
    click.echo(_UNSAFE.sub(lambda m: "\n" if m.group() == "\n" else f"\\u{ord(m.group()):04x}", text))


@cli.command()
@root_argument
@format_option
@click.option("--top", default=10, show_default=True, help="How many of the most connected patterns to list.")
@follow_outside_option
def stats(root: str | None, fmt: str, top: int) -> None:
    """Count patterns, relations, components and problems.

    Example: graphkit stats path/to/_patterns --format json
    """
    library = _load(root)
    data = library.stats(top=top)
    if fmt == "json":
        _dump_json(data)
        return
    click.echo(f"patterns            {data['patterns']}")
    click.echo(f"edges (curated)     {data['edges']}")
    for relation, n in data["edges_by_relation"].items():
        click.echo(f"  {relation:<22}{n}")
    click.echo(f"edges (inferred)    {data['inferred_edges']}")
    for relation, n in data["inferred_by_relation"].items():
        click.echo(f"  {relation:<22}{n}")
    click.echo(
        f"components          {data['components']} "
        f"(largest {data['largest_component']}, {data['isolated_patterns']} isolated patterns)"
    )
    if data["external_nodes"]:
        click.echo(f"external nodes      {data['external_nodes']} ({data['external_edges']} edges lead to them)")
    click.echo(f"problems            {data['problems']} ({data['errors']} errors, {data['warnings']} warnings)")
    for kind, n in data["problems_by_kind"].items():
        click.echo(f"  {kind:<22}{n}")
    if data["most_connected"]:
        click.echo("most connected")
        for hub in data["most_connected"]:
            _say(f"  {hub['degree']:>4}  {hub['slug']}  ({hub['title']})")


@cli.command()
@root_argument
@click.option(
    "-f",
    "--format",
    "fmt",
    type=click.Choice(["text", "json", "sarif", "github"]),
    default="text",
    show_default=True,
    help="Output format: sarif for code scanning (SARIF 2.1.0), github for workflow annotations.",
)
@click.option("--strict", is_flag=True, help="Fail on warnings too, not only on errors.")
@click.option("--shacl", is_flag=True, help="Also check the RDF export against the SHACL shapes (ontology/shapes.ttl).")
@click.option(
    "--path-prefix",
    default="",
    metavar="PREFIX",
    help="With -f sarif or github: put PREFIX before file paths (e.g. _patterns/), to make them the repository's.",
)
@follow_outside_option
def check(root: str | None, fmt: str, strict: bool, shacl: bool, path_prefix: str) -> None:
    """Report every problem in the library; exit 1 on errors (and on warnings with --strict).

    Example, in a library's CI job: graphkit check _patterns --strict -f github --path-prefix _patterns/
    """
    library = _load(root)
    more = []
    if shacl:
        from .library import apply_severity
        from .shapes import validate_shapes

        more = apply_severity(validate_shapes(library.graph), library.config.severity)
    report = library.problems_report(more)
    errors, warnings = report["errors"], report["warnings"]
    if fmt == "json":
        _dump_json(report)
    elif fmt == "sarif":
        from .report import sarif_text

        _echo_data(sarif_text([*library.problems, *more], __version__, path_prefix))
    elif fmt == "github":
        from .report import to_github

        lines = to_github([*library.problems, *more], path_prefix)
        if lines:
            _echo_data("\n".join(lines))
    else:
        for p in [*library.problems, *more]:
            _say(str(p))
    if fmt != "json":  # sarif and github output is for machines: the summary goes to stderr
        summary = f"{report['files']} files, {report['patterns']} patterns"
        if report.get("external_nodes"):
            summary += f" ({report['external_nodes']} external nodes)"
        summary += f": {errors} errors, {warnings} warnings"
        if report.get("severity"):
            summary += " (severity: " + ", ".join(f"{k} {v}" for k, v in report["severity"].items()) + ")"
        click.echo(summary, err=fmt != "text")
    if errors or (strict and warnings):
        sys.exit(1)


@cli.command()
@root_argument
@format_option
@click.option("--toml", "as_toml", is_flag=True, help="Print the configuration that declares the reference fields.")
@follow_outside_option
def fields(root: str | None, fmt: str, as_toml: bool) -> None:
    """Survey the frontmatter: every key path, how many files carry it, its shapes and references.

    Example, for a new library: graphkit fields path/to/library --toml > path/to/library/graphkit.toml
    """
    from .library import sample_library
    from .load import load_config
    from .load.survey import survey_fields, to_config_toml

    base = Path(root) if root is not None else sample_library()
    config = load_config(base, follow_outside=_follow_outside())
    for problem in config.problems:  # the settings left out: the survey reads the library without them
        _say(str(problem), err=True)
    survey = survey_fields(base, config, follow_outside=_follow_outside())
    if as_toml:
        for line in to_config_toml(survey, config.vocabulary).rstrip("\n").split("\n"):
            _say(line)
        return
    if fmt == "json":
        _dump_json(survey)
        return
    click.echo(f"{survey['files']} files, {survey['patterns']} patterns")
    click.echo(f"{'files':>6}  {'references':>17}  path: shapes")
    for item in survey["fields"]:
        ref = item.get("references")
        refs = f"{ref['resolved']:>7} of {ref['values']:<7}" if ref else ""
        shapes = ", ".join(f"{shape} {n}" for shape, n in item["shapes"].items())
        read = f" (read by {ref['read_by']})" if ref and ref["read_by"] else (" (read by no relation)" if ref else "")
        _say(f"{item['files']:>6}  {refs:>17}  {item['path']}: {shapes}{read}")


def _entries_added(n: int) -> str:
    return f"{n} entr{'y' if n == 1 else 'ies'} added"


def _references_replaced(n: int) -> str:
    return f"{n} reference{'' if n == 1 else 's'} replaced"


@cli.command()
@root_argument
@click.option("--diff", "show_diff", is_flag=True, help="Print the changes as a unified diff; write nothing.")
@click.option(
    "--select",
    "kinds",
    multiple=True,
    type=click.Choice(FIXABLE),
    metavar="KIND",
    help=f"Fix only problems of this kind (repeatable; default: all of {', '.join(FIXABLE)}).",
)
@click.option(
    "--accept-suggestions",
    is_flag=True,
    help="Also replace each dangling reference by its suggestion, where check shows one.",
)
def fix(root: str | None, show_diff: bool, kinds: tuple[str, ...], accept_suggestions: bool) -> None:
    """Add the missing half of one-sided inverse and symmetric links to the other pattern's file.

    Only lines are added (a one-line flow list such as `[]` gains the entries inside its
    brackets); comments, order, quoting and the Markdown body are kept. A file that cannot be
    edited safely is named and left alone. Exit 0 when everything selected was fixed (or,
    with --diff, would be), 1 when a file was left alone.

    Example: graphkit fix _patterns --diff
    """
    from .fix import plan_fixes, to_diff, write_fixes

    plan = plan_fixes(_load(root), kinds or FIXABLE, accept_suggestions=accept_suggestions)
    for p in plan.refused:
        _say(str(p), err=True)
    what = _entries_added(plan.added)
    if accept_suggestions:
        what += f", {plan.replaced} reference{'' if plan.replaced == 1 else 's'} replaced"
    if show_diff:
        diff = to_diff(plan)
        if diff:
            _echo_data(diff)
        summary = f"would fix {len(plan.fixes)} files: {what}; nothing written" if plan.fixes else "nothing to fix"
    else:
        write_fixes(plan)
        for f in plan.fixes:
            parts = [_entries_added(f.added)] + ([_references_replaced(f.replaced)] if f.replaced else [])
            _say(f"fixed {f.path}: {', '.join(parts)}")
        summary = f"fixed {len(plan.fixes)} files: {what}" if plan.fixes else "nothing to fix"
    if plan.refused:
        summary += f"; {len(plan.refused)} files left alone"
    click.echo(summary, err=show_diff)
    if plan.refused:
        sys.exit(1)


class _SideNotFound(click.ClickException):
    """A side of graphkit diff is neither a folder nor a git revision: a usage error (exit code 2)."""

    exit_code = 2


@cli.command(name="diff")
@click.argument("old")
@click.argument("new")
@click.option(
    "--root",
    type=click.Path(file_okay=False, path_type=str),
    help="With revisions: the library folder in the git repository (default: the current folder).",
)
@click.option(
    "-f",
    "--format",
    "fmt",
    type=click.Choice(["text", "json", "markdown"]),
    default="text",
    show_default=True,
    help="Output format; markdown is for a pull-request comment.",
)
@follow_outside_option
def diff_command(old: str, new: str, root: str | None, fmt: str) -> None:
    """Show what a change did to the library; exit 1 when it introduces errors.

    OLD and NEW are two library folders, or two git revisions of the library in the current
    folder (or --root), e.g. in a pull request's CI job: graphkit diff origin/main HEAD --root _patterns

    Patterns added, removed and renamed (same id, new slug), titles and domains changed,
    relations added and removed per relation, problems introduced and fixed.
    """
    from .diff import diff_libraries, json_text, library_side, to_markdown, to_text
    from .errors import RevisionNotFound
    from .library import load_library

    libraries = []
    try:
        with contextlib.ExitStack() as stack:
            for spec in (old, new):
                folder, temporary = stack.enter_context(library_side(spec, root))
                cache_dir = None if temporary else _cache_dir()
                libraries.append(load_library(folder, cache_dir=cache_dir, follow_outside=_follow_outside()))
    except RevisionNotFound as err:
        raise _SideNotFound(_safe(str(err))) from err
    result = diff_libraries(libraries[0], libraries[1], old, new)
    if fmt == "json":
        _echo_data(json_text(result))
    elif fmt == "markdown":
        _echo_data(to_markdown(result))
    else:
        for line in to_text(result):
            _say(line)
    if result.errors_introduced:
        sys.exit(1)


@cli.command(name="path")
@click.argument("args", nargs=-1, required=True, metavar="[ROOT] A B")
@click.option("-r", "--relation", "relations", multiple=True, help="Follow only this relation (repeatable).")
@click.option("--directed", is_flag=True, help="Follow edges only in their stated direction.")
@click.option("--inferred", is_flag=True, help="Follow machine-inferred links too.")
@click.option("--limit", default=10, show_default=True, help="At most this many paths.")
@format_option
@follow_outside_option
def path_command(
    args: tuple[str, ...], relations: tuple[str, ...], directed: bool, inferred: bool, limit: int, fmt: str
) -> None:
    """Print the shortest typed paths between patterns A and B (slug, id, title or alias).

    Example: graphkit path _patterns alignment-monitoring gemba-walks --relation related
    """
    from .explore import find_paths, format_path
    from .graph import get_pattern

    if len(args) not in (2, 3):
        raise click.UsageError("give two patterns, optionally after the library folder: [ROOT] A B")
    root, a, b = (None, *args) if len(args) == 2 else args
    if root is not None and not Path(root).is_dir():
        raise click.BadParameter(f"{root!r} is not a folder", param_hint="ROOT")
    library = _load(root)
    unknown = sorted(set(relations) - set(library.vocabulary))
    if unknown:
        raise click.BadParameter(
            f"unknown relation {unknown[0]!r} (known: {', '.join(library.vocabulary)})", param_hint="--relation"
        )
    if get_pattern(library.graph, a) == get_pattern(library.graph, b):
        raise GraphkitError(f"{a!r} and {b!r} name the same pattern")
    paths = find_paths(library.graph, a, b, relations or None, directed=directed, inferred=inferred, limit=limit)
    if fmt == "json":
        _dump_json(
            [
                [
                    {"source": s.source, "target": s.target, "relations": list(s.relations), "forward": s.forward}
                    for s in p
                ]
                for p in paths
            ]
        )
    elif paths:
        for p in paths:
            _say(format_path(p))
    else:
        raise GraphkitError(f"no path between {a!r} and {b!r} with these relations")


# --------------------------------------------------------------------------- RDF: export and query


@cli.command("export")
@root_argument
@click.option(
    "-f", "--format", "fmt", default="turtle", show_default=True, metavar="FORMAT",
    help="turtle, ntriples, jsonld, graphml or json (aliases: ttl, nt, json-ld).",
)  # fmt: skip
@click.option("-o", "--output", default="-", show_default=True, help="Output file; - for stdout.")
@click.option("--with-ontology", is_flag=True, help="Include the graphkit ontology (RDF formats).")
@click.option("--base-iri", default=DEFAULT_BASE_IRI, show_default=True, help="Namespace of the library's IRIs.")
@click.option("--asserted-only", is_flag=True, help="Only the relations the files state; no inverses (RDF formats).")
@follow_outside_option
def export_command(
    root: str | None, fmt: str, output: str, with_ontology: bool, base_iri: str, asserted_only: bool
) -> None:
    """Export the library graph as RDF, GraphML or JSON.

    Example: graphkit export _patterns -f turtle -o patterns.ttl
    """
    from .export import to_format, write_format

    G = _load(root).graph
    options: dict[str, Any] = {"base_iri": base_iri, "asserted_only": asserted_only, "with_ontology": with_ontology}
    if output == "-":
        click.echo(to_format(G, fmt, **options), nl=False)
    else:
        write_format(G, output, fmt, **options)


@cli.command("query")
@click.argument("args", nargs=-1, metavar="[SOURCE] QUERY")
@click.option(
    "-f", "--format", "fmt", type=click.Choice(["table", "csv", "tsv", "json", "turtle", "ntriples"]),
    default="table", show_default=True, help="Result format (turtle and ntriples for CONSTRUCT and DESCRIBE).",
)  # fmt: skip
@click.option(
    "-b", "--bind", "bindings", multiple=True, metavar="NAME=VALUE", help="Bind ?NAME to a string (<...> for an IRI)."
)  # fmt: skip
@click.option("--base-iri", default=DEFAULT_BASE_IRI, show_default=True, help="Namespace of the library's IRIs.")
@click.option("--list", "list_queries", is_flag=True, help="List the shipped example queries and exit.")
@follow_outside_option
def query_command(
    args: tuple[str, ...], fmt: str, bindings: tuple[str, ...], base_iri: str, list_queries: bool
) -> None:
    """Run SPARQL on an exported RDF file or a library folder.

    QUERY is SPARQL text, @file.rq, or the name of a shipped query (see --list). Without
    SOURCE, the query runs on the shipped sample library.

    Example: graphkit query _patterns enables-transitively --bind pattern=purpose-definition
    """
    from .query import find_queries, parse_binding, to_csv, to_graph_text, to_json, to_table, to_tsv
    from .query import query as run_query

    if list_queries:
        for q in find_queries().values():
            click.echo(f"{q.name:<30}{q.description}")
        return
    if len(args) not in (1, 2):
        raise click.UsageError("give QUERY, optionally after SOURCE (an RDF file or a library folder), or --list")
    source: Any = args[0] if len(args) == 2 else None
    query_text = args[-1]
    if isinstance(source, str) and not Path(source).exists():
        raise click.BadParameter(f"{source!r} does not exist", param_hint="SOURCE")
    values = dict(parse_binding(b) for b in bindings)
    if source is None or Path(source).is_dir():
        source = _library_store(source, base_iri)
    result = run_query(source, query_text, values, base_iri=base_iri)
    if fmt in ("turtle", "ntriples"):
        if result.form not in ("CONSTRUCT", "DESCRIBE"):
            raise click.UsageError(f"--format {fmt} is for CONSTRUCT and DESCRIBE queries; this is {result.form}")
        click.echo(to_graph_text(result, fmt, base_iri), nl=False)
    elif fmt == "table":
        for line in to_table(result, base_iri).split("\n"):  # cells hold no line breaks
            _say(line)
    else:
        if result.form not in ("SELECT", "ASK"):
            raise click.UsageError(f"--format {fmt} is for SELECT and ASK queries; this is {result.form}")
        _echo_data({"csv": to_csv, "tsv": to_tsv, "json": to_json}[fmt](result))


def _library_store(root: str | None, base_iri: str) -> Any:
    """The query store of a library folder, kept in the cache from one run to the next (not with --no-cache)."""
    from .query import open_store

    cache_dir = _cache_dir()
    if cache_dir is None:
        return _load(root)  # a folder is read here, under the rules of --follow-outside
    kept = open_store(root, cache_dir, base_iri=base_iri, follow_outside=_follow_outside())
    if kept.note:
        _say(kept.note, err=True)
    return kept  # used while it is referenced: no later build removes it meanwhile


def _echo_data(text: str) -> None:
    """Print output for programs (CSV, TSV, JSON): as it is into a file or a pipe, on its own line."""
    if not text.endswith("\n"):
        text += "\n"
    if sys.stdout.isatty():
        text = _show(text)
    click.echo(text.encode("utf-8"), nl=False)  # bytes: click would strip escape sequences from text


def _show(text: str) -> str:
    r"""Output for programs as a terminal may show it: line breaks and tabs kept, other control characters escaped.

    Examples
    --------
    >>> _show("a\tb\r\n\x1b[31mred\u202e\n")
    'a\tb\n\\x1b[31mred\\u202e\n'
    """
    lines = text.replace("\r\n", "\n").split("\n")
    return "\n".join("\t".join(_safe(cell) for cell in line.split("\t")) for line in lines)


# --- the map and the site (graphkit.view, graphkit.site) ------------------------------------


def _write_page(page: str, output: str) -> None:
    if output == "-":
        click.echo(page, nl=False)
        return
    try:
        with open(output, "w", encoding="utf-8") as f:
            f.write(page)
    except OSError as err:
        raise click.ClickException(f"{output}: cannot write the map ({err.strerror or err})") from err


@cli.command()
@root_argument
@click.option("-o", "--output", default="graph.html", show_default=True, help="The HTML file to write; - for stdout.")
@click.option("--focus", metavar="PATTERN", help="Draw only this pattern's neighbourhood (slug, id, title or alias).")
@click.option(
    "-d",
    "--depth",
    type=click.IntRange(0, 10),
    default=1,
    show_default=True,
    help="Steps out from --focus; also the highlight depth the page opens with.",
)
@click.option(
    "-r",
    "--relation",
    "relations",
    multiple=True,
    metavar="RELATION",
    help="With --focus: follow only these relations (repeatable).",
)
@click.option(
    "--limit",
    type=click.IntRange(1),
    default=60,
    show_default=True,
    help="With --focus: show the closest patterns, strongest links first, up to this many (the page can show all).",
)
@click.option(
    "--hierarchy",
    is_flag=True,
    help="With --focus: draw the pattern's generalization hierarchy as a tree instead of its neighbourhood.",
)
@click.option("--domain", metavar="DOMAIN", help="Draw only the patterns of this domain.")
@click.option(
    "--color-by",
    type=click.Choice(list(FACETS)),
    default="domain",
    show_default=True,
    help="The facet that colours the patterns.",
)
@click.option("--title", help="The page title (default: the library folder's name).")
@follow_outside_option
def view(
    root: str | None,
    output: str,
    focus: str | None,
    depth: int,
    relations: tuple[str, ...],
    limit: int,
    hierarchy: bool,
    domain: str | None,
    color_by: str,
    title: str | None,
) -> None:
    """Write the interactive map of the library: one self-contained HTML file that works offline.

    Example: graphkit view _patterns --focus commons-blueprint --depth 2 -o blueprint.html
    """
    from .site import library_title
    from .view import facet_graph, focus_graph, hierarchy_graph, to_html

    if relations and not focus:
        raise click.UsageError("--relation needs --focus")
    if hierarchy and not focus:
        raise click.UsageError("--hierarchy needs --focus")
    library = _load(root)
    G = library.graph
    name = title or library_title(library)
    if domain is not None:
        G = facet_graph(G, domain, "domain")
        name += f": {domain}"
    selected = None
    if focus is not None:
        G = hierarchy_graph(G, focus) if hierarchy else focus_graph(G, focus, depth, relations or None)
        selected = G.graph["focus"]
        name += f": {G.nodes[selected].get('title') or selected}"
    # A focused page is small: vis-network draws it with curved arrows and dashed relations.
    renderer = "vis" if focus is not None else "sigma"
    page = to_html(G, title=name, color_by=color_by, selected=selected, depth=depth, renderer=renderer,
                   limit=limit if focus is not None else None)  # fmt: skip
    _write_page(page, output)
    if output != "-":
        click.echo(f"{output}: {G.number_of_nodes()} patterns, {G.number_of_edges()} relations", err=True)


@cli.command()
@root_argument
@click.option("-o", "--output", default="site", show_default=True, help="The folder to write the site into.")
@click.option(
    "--color-by",
    type=click.Choice(list(FACETS)),
    default="domain",
    show_default=True,
    help="The facet that colours the map.",
)
@click.option("--title", help="The site title (default: the library folder's name).")
@follow_outside_option
def build(root: str | None, output: str, color_by: str, title: str | None) -> None:
    """Build the site: the map, the SPARQL page, the graph (Turtle, JSON) and the problems report, with an index page.

    Example: graphkit build _patterns -o site   (then open site/index.html)
    """
    from .site import build_site

    result = build_site(
        root,
        output,
        title=title,
        color_by=color_by,
        cache_dir=_cache_dir(),
        follow_outside=_follow_outside(),
    )
    for path in result.files:
        click.echo(str(path))
    s = result.summary
    click.echo(
        f"{s['patterns']} patterns, {s['relations']} relations, {s['errors']} errors, {s['warnings']} warnings"
        f"{'' if result.rebuilt else ' (unchanged since the last build: nothing to do)'}; "
        f"open {Path(output) / 'index.html'}",
        err=True,
    )


# --- SPARQL stores (graphkit.store, graphkit.serve) ------------------------------------------


class _OutcomeUnknown(click.ClickException):
    """A push request was sent but got no answer: the store may still apply it (exit code 3, in the README)."""

    exit_code = 3


@cli.command()
@root_argument
@click.option(
    "-e",
    "--endpoint",
    required=True,
    metavar="URL",
    help="The store's Graph Store endpoint (gsp) or SPARQL Update endpoint (update); see the examples above.",
)
@click.option(
    "-g", "--graph", metavar="IRI", help="The named graph to replace (default: the library's IRI, --base-iri)."
)
@click.option(
    "-p",
    "--protocol",
    type=click.Choice(PROTOCOLS),
    default="gsp",
    show_default=True,
    help="gsp: one HTTP PUT of the whole graph; update: SPARQL Update batches, then one MOVE.",
)
@click.option("-u", "--user", metavar="NAME", help="Authenticate as NAME; the password is read from --password-env.")
@click.option(
    "--password-env",
    default=PASSWORD_ENV,
    show_default=True,
    metavar="VAR",
    help="The environment variable holding the password of --user.",
)
@click.option("--base-iri", default=DEFAULT_BASE_IRI, show_default=True, help="Where the library's IRIs live.")
@click.option(
    "--ontology/--no-ontology",
    default=True,
    show_default=True,
    help="Put the graphkit ontology into the graph too (the example queries use it).",
)
@click.option(
    "-f",
    "--format",
    "fmt",
    type=click.Choice(["ntriples", "turtle"]),
    default="ntriples",
    show_default=True,
    help="The body of a gsp push.",
)
@click.option(
    "--batch-size",
    type=click.IntRange(min=1),
    default=10_000,
    show_default=True,
    help="Triples per SPARQL Update request (lower it for Virtuoso, e.g. 1000).",
)
@click.option(
    "--timeout",
    type=click.FloatRange(min=0, min_open=True),
    default=DEFAULT_TIMEOUT,
    show_default=True,
    help="Seconds to wait for the store's answer to each request.",
)
@click.option(
    "--connect-timeout",
    type=click.FloatRange(min=0, min_open=True),
    default=DEFAULT_CONNECT_TIMEOUT,
    show_default=True,
    help="Seconds to wait for a connection to the store.",
)
@follow_outside_option
def push(
    root: str | None,
    endpoint: str,
    graph: str | None,
    protocol: str,
    user: str | None,
    password_env: str,
    base_iri: str,
    ontology: bool,
    fmt: str,
    batch_size: int,
    timeout: float,
    connect_timeout: float,
) -> None:
    """Replace one named graph of a SPARQL 1.1 store with the library; running it twice changes nothing.

    Example: graphkit push _patterns --endpoint http://127.0.0.1:7878/store --graph https://example.org/patterns

    \b
    The endpoint for each protocol:
      store        gsp (Graph Store Protocol)                update (SPARQL Update)
      Oxigraph     http://HOST:7878/store                    http://HOST:7878/update
      Fuseki       http://HOST:3030/DATASET/data             http://HOST:3030/DATASET/update
      GraphDB      http://HOST:7200/repositories/ID/rdf-graphs/service
                                                             http://HOST:7200/repositories/ID/statements
      Virtuoso     http://HOST:8890/sparql-graph-crud-auth   http://HOST:8890/sparql-auth
    A URL with no path (http://HOST:7878) means Oxigraph's /store or /update.

    A failed push leaves the graph as it was (exit code 1). Exit code 3: a request was sent but
    no answer came within --timeout, so the store may still apply it. With --user, the password
    comes from the environment variable GRAPHKIT_STORE_PASSWORD (or --password-env), never from
    the command line; it goes only in answer to the store's challenge (Basic or Digest).
    """
    from .store import check_graph_iri, endpoint_url, push_graph

    password = None
    if user is not None:
        password = os.environ.get(password_env)
        if password is None:
            raise click.ClickException(f"--user {user} needs the password in the environment variable {password_env}")
    endpoint_url(endpoint, protocol)  # bad input fails before the library loads
    check_graph_iri(graph or base_iri)
    library = _load(root)
    unit = "bytes" if protocol == "gsp" else "triples"
    with contextlib.ExitStack() as stack:
        progress = None
        if sys.stderr.isatty():  # a bar only for a person watching; logs get the summary line
            bar = stack.enter_context(click.progressbar(length=1, label=f"pushing ({unit})", file=sys.stderr))

            def progress(done: int, total: int) -> None:
                bar.length = max(total, 1)
                bar.update(done - bar.pos)

        try:
            result = push_graph(
                library.graph,
                endpoint,
                graph,
                base_iri=base_iri,
                with_ontology=ontology,
                protocol=protocol,
                fmt=fmt,
                user=user,
                password=password,
                batch_size=batch_size,
                timeout=timeout,
                connect_timeout=connect_timeout,
                progress=progress,
            )
        except StoreOutcomeUnknown as err:
            raise _OutcomeUnknown(str(err)) from err
    click.echo(
        f"{result.graph}: {result.triples} triples pushed to {result.endpoint} "
        f"({result.protocol}, {result.requests} request{'s' if result.requests != 1 else ''})"
    )


@cli.command()
@root_argument
@click.option(
    "--port",
    type=click.IntRange(0, 65535),
    default=8000,
    show_default=True,
    help="The port of the map and the endpoint; 0 picks a free one.",
)
@click.option(
    "--host",
    default="127.0.0.1",
    show_default=True,
    help="The address to listen on. Anything but loopback shares the library with your network.",
)
@click.option("--base-iri", default=DEFAULT_BASE_IRI, show_default=True, help="Where the library's IRIs live.")
@click.option(
    "--color-by",
    type=click.Choice(list(FACETS)),
    default="domain",
    show_default=True,
    help="The facet that colours the map.",
)
@click.option("--title", help="The page title (default: the library folder's name).")
@click.option(
    "--timeout", type=click.FloatRange(min=1), default=60.0, show_default=True, help="Seconds a query may run."
)
@follow_outside_option
def serve(
    root: str | None, port: int, host: str, base_iri: str, color_by: str, title: str | None, timeout: float
) -> None:
    """Serve the library on a local SPARQL endpoint, with the map and a query panel beside it.

    Example: graphkit serve _patterns --port 8000   (then open http://127.0.0.1:8000/)

    The endpoint (SPARQL 1.1 Protocol, read-only) is an Oxigraph server loaded with the library
    and the graphkit ontology; it needs the oxigraph package: pip install 'graphkit[serve]'.
    The store and the page are kept in the cache: an unchanged library is served at once.
    Ctrl-C stops both servers.
    """
    from .serve import Server, library_server

    options: dict[str, Any] = {"host": host, "port": port, "base_iri": base_iri, "timeout": timeout}
    cache_dir = _cache_dir()
    if cache_dir is not None:  # the store and the page kept from the last run, unless the library changed
        server = library_server(
            root, cache_dir, title=title, follow_outside=_follow_outside(), color_by=color_by, **options
        )
        if server.store is not None and server.store.note:
            _say(server.store.note, err=True)
    else:
        from .site import library_title

        library = _load(root)
        server = Server(library.graph, title=title or library_title(library), color_by=color_by, **options)

    def stop(signum: int, frame: Any) -> None:
        raise KeyboardInterrupt

    previous = signal.signal(signal.SIGTERM, stop)
    try:
        server.start()
        click.echo(f"map     {server.url}")
        click.echo(f"SPARQL  {server.sparql_url}")
        click.echo("Ctrl-C stops the servers.", err=True)
        server.serve_forever()
    except KeyboardInterrupt:
        click.echo("stopped.", err=True)
    finally:
        server.close()
        signal.signal(signal.SIGTERM, previous)
