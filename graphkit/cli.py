"""The ``graphkit`` command: a thin click shell over the library. The only module that imports click."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import click

from . import __version__
from .errors import GraphkitError
from .explore import find_paths, format_path
from .library import Library, load_library
from .load import default_cache_dir
from .model import ERROR
from .site import library_title, write_site
from .view import COLOR_FACETS, facet_graph, focus_graph, to_html

ROOT_HELP = "The library folder (default: the sample library shipped with graphkit)."


class GraphkitGroup(click.Group):
    """Turns every ``GraphkitError`` into click's ``Error: ...`` line and exit code 1."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except GraphkitError as err:
            raise click.ClickException(str(err)) from err


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
    ctx.obj = None if no_cache else (cache_dir or str(default_cache_dir()))


def root_argument(f: Any) -> Any:
    return click.argument(
        "root", required=False, type=click.Path(exists=True, file_okay=False, path_type=str)
    )(f)


def format_option(f: Any) -> Any:
    return click.option(
        "-f", "--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True,
        help="Output format.",
    )(f)


def _load(root: str | None) -> Library:
    return load_library(root, cache_dir=click.get_current_context().find_root().obj)


def _dump_json(data: Any) -> None:
    click.echo(json.dumps(data, indent=2, ensure_ascii=False))


@cli.command()
@root_argument
@format_option
@click.option("--top", default=10, show_default=True, help="How many of the most connected patterns to list.")
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
        click.echo(f"  {relation:<18}{n}")
    click.echo(f"edges (inferred)    {data['inferred_edges']}")
    for relation, n in data["inferred_by_relation"].items():
        click.echo(f"  {relation:<18}{n}")
    click.echo(
        f"components          {data['components']} "
        f"(largest {data['largest_component']}, {data['isolated_patterns']} isolated patterns)"
    )
    click.echo(f"problems            {data['problems']} ({data['errors']} errors, {data['warnings']} warnings)")
    for kind, n in data["problems_by_kind"].items():
        click.echo(f"  {kind:<18}{n}")
    if data["most_connected"]:
        click.echo("most connected")
        for hub in data["most_connected"]:
            click.echo(f"  {hub['degree']:>4}  {hub['slug']}  ({hub['title']})")


@cli.command()
@root_argument
@format_option
@click.option("--strict", is_flag=True, help="Fail on warnings too, not only on errors.")
def check(root: str | None, fmt: str, strict: bool) -> None:
    """Report every problem in the library; exit 1 on errors (and on warnings with --strict).

    Example, in a library's CI job: graphkit check _patterns --strict
    """
    library = _load(root)
    problems = library.problems
    errors = sum(1 for p in problems if p.severity == ERROR)
    warnings = len(problems) - errors
    if fmt == "json":
        _dump_json(
            {
                "files": len(library.files),
                "patterns": len(library.patterns),
                "errors": errors,
                "warnings": warnings,
                "problems": [p.to_dict() for p in problems],
            }
        )
    else:
        for p in problems:
            click.echo(str(p))
        click.echo(
            f"{len(library.files)} files, {len(library.patterns)} patterns: "
            f"{errors} errors, {warnings} warnings"
        )
    if errors or (strict and warnings):
        sys.exit(1)


@cli.command(name="path")
@click.argument("args", nargs=-1, required=True, metavar="[ROOT] A B")
@click.option("-r", "--relation", "relations", multiple=True, help="Follow only this relation (repeatable).")
@click.option("--directed", is_flag=True, help="Follow edges only in their stated direction.")
@click.option("--inferred", is_flag=True, help="Follow machine-inferred links too.")
@click.option("--limit", default=10, show_default=True, help="At most this many paths.")
@format_option
def path_command(
    args: tuple[str, ...], relations: tuple[str, ...], directed: bool, inferred: bool, limit: int, fmt: str
) -> None:
    """Print the shortest typed paths between patterns A and B (slug, id, title or alias).

    Example: graphkit path _patterns alignment-monitoring gemba-walks --relation related
    """
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
    paths = find_paths(library.graph, a, b, relations or None, directed=directed, inferred=inferred, limit=limit)
    if fmt == "json":
        _dump_json(
            [
                [{"source": s.source, "target": s.target, "relations": list(s.relations), "forward": s.forward}
                 for s in p]
                for p in paths
            ]
        )
    elif paths:
        for p in paths:
            click.echo(format_path(p))
    else:
        raise GraphkitError(f"no path between {a!r} and {b!r} with these relations")
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
@click.option("-d", "--depth", type=click.IntRange(0, 10), default=1, show_default=True,
              help="Steps out from --focus; also the highlight depth the page opens with.")
@click.option("-r", "--relation", "relations", multiple=True, metavar="RELATION",
              help="With --focus: follow only these relations (repeatable).")
@click.option("--domain", metavar="DOMAIN", help="Draw only the patterns of this domain.")
@click.option("--color-by", type=click.Choice(list(COLOR_FACETS)), default="domain", show_default=True,
              help="The facet that colours the patterns.")
@click.option("--title", help="The page title (default: the library folder's name).")
def view(
    root: str | None,
    output: str,
    focus: str | None,
    depth: int,
    relations: tuple[str, ...],
    domain: str | None,
    color_by: str,
    title: str | None,
) -> None:
    """Write the interactive map of the library: one self-contained HTML file that works offline.

    Example: graphkit view _patterns --focus commons-blueprint --depth 2 -o blueprint.html
    """
    if relations and not focus:
        raise click.UsageError("--relation needs --focus")
    library = _load(root)
    G = library.graph
    name = title or library_title(library)
    if domain is not None:
        G = facet_graph(G, domain, "domain")
        name += f": {domain}"
    selected = None
    if focus is not None:
        G = focus_graph(G, focus, depth, relations or None)
        selected = G.graph["focus"]
        name += f": {G.nodes[selected].get('title') or selected}"
    _write_page(to_html(G, title=name, color_by=color_by, selected=selected, depth=depth), output)
    if output != "-":
        click.echo(f"{output}: {G.number_of_nodes()} patterns, {G.number_of_edges()} relations", err=True)


@cli.command()
@root_argument
@click.option("-o", "--output", default="site", show_default=True, help="The folder to write the site into.")
@click.option("--color-by", type=click.Choice(list(COLOR_FACETS)), default="domain", show_default=True,
              help="The facet that colours the map.")
@click.option("--title", help="The site title (default: the library folder's name).")
def build(root: str | None, output: str, color_by: str, title: str | None) -> None:
    """Build the site: the map, the JSON graph and the problems report, with an index page.

    Example: graphkit build _patterns -o site   (then open site/index.html)
    """
    library = _load(root)
    written = write_site(library, output, title=title, color_by=color_by)
    for path in written:
        click.echo(str(path))
    errors = len(library.errors)
    click.echo(
        f"{len(library.patterns)} patterns, {library.graph.number_of_edges()} relations, "
        f"{errors} errors, {len(library.problems) - errors} warnings; open {Path(output) / 'index.html'}",
        err=True,
    )
