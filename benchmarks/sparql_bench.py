"""The SPARQL page as a reader meets it: ``python -m benchmarks.sparql_bench LIBRARY [--runs 3] [--timeout 120]``.

For the library's ``sparql.html`` (as ``graphkit build`` writes it):

- writing it, as a whole process (the library loaded, the page written): wall time and peak
  resident memory; the page's size;
- in headless Chromium (offline, a fresh browser context per run): navigation to the store
  being ready (``window.gkSparql.ready``), and where that time went in the worker (starting
  Oxigraph's WebAssembly, inflating the Turtle, loading it into the store);
- each shipped query, asked through the page's address as a link asks it, from the run's start
  until its rows are drawn (``window.gkSparql.last.elapsed``), its parameters bound to values
  that give it much to do (see ``bindings_of``);
- the tab's memory footprint (private, the renderer process, which holds the worker too).

Medians over ``--runs``; a Markdown table on stdout and ``sparql-<library>.md`` / ``.json`` in
``--out``. The goals (store ready in 3 s, each query in 1 s, a page of 8 MB at the real
library's density) are shown beside the figures. Not a test: the figures depend on the machine
and its load.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import shlex
import sys
import tempfile
from pathlib import Path
from urllib.parse import quote

from benchmarks.map_bench import CHROMIUM, CHROMIUM_ARGS, build_page, cell, renderer_memory, summarize

REPO = Path(__file__).resolve().parent.parent
COMMAND = f"{shlex.quote(sys.executable)} -m benchmarks.sparql_bench --write-page {{library}} {{output}}"
GOALS = {"page_mb": "8 MB", "ready": "3 s", "query": "1 s"}


def write_page(library: Path, output: Path) -> None:
    """The library's SPARQL page, as the site has it."""
    import graphkit
    from graphkit.sparqlpage import write_sparql_page

    write_sparql_page(graphkit.load_library(library).graph, output, title=library.name, site=True)


def bindings_of(library: Path) -> dict[str, dict[str, str]]:
    """Values for each shipped query's parameters that give it much to do.

    ``pattern``: the pattern with the most ``enables`` links for ``enables-transitively``, the
    one with the most ``generalizes_from`` links for ``generalization-tree``, the biggest hub
    (most curated links) for the others; ``text``: the commonest word of the titles.

    Examples
    --------
    >>> from graphkit import sample_library
    >>> bindings_of(Path(sample_library()))["neighbours"]
    {'pattern': 'commons-blueprint'}
    """
    from collections import Counter

    import graphkit
    from graphkit.query import find_queries

    G = graphkit.load_library(library).graph
    degree: Counter[str] = Counter()
    by_relation: dict[str, Counter[str]] = {"enables": Counter(), "generalizes_from": Counter()}
    for u, v, data in G.edges(data=True):
        if not data["inferred"]:
            degree[u] += 1
            degree[v] += 1
            if data["relation"] in by_relation:
                by_relation[data["relation"]][u] += 1

    def most(counts: Counter[str]) -> str:
        return min(counts, key=lambda n: (-counts[n], n))

    words = Counter(w for n in G for w in str(G.nodes[n]["title"]).lower().split() if len(w) > 3)
    hub = most(degree)
    pattern = {
        "enables-transitively": most(by_relation["enables"] or degree),
        "generalization-tree": most(by_relation["generalizes_from"] or degree),
    }
    values = {"text": most(words)}
    return {
        name: {p: pattern.get(name, hub) if p == "pattern" else values[p] for p in q.parameters}
        for name, q in find_queries().items()
    }


def address(text: str, bindings: dict[str, str]) -> str:
    return "#q=" + quote(text, safe="") + "".join(f"&${k}={quote(v, safe='')}" for k, v in sorted(bindings.items()))


def measure_in_browser(browser, path: Path, bindings: dict[str, dict[str, str]], timeout: float) -> dict:
    """One run in a fresh context: the store's readiness, each shipped query, the tab's memory."""
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    from graphkit.query import find_queries

    context = browser.new_context(viewport={"width": 1400, "height": 900})
    context.route("http*://**/*", lambda route: route.abort())  # offline, as on a machine without internet
    page = context.new_page()
    out: dict = {}
    private: list[float] = []

    def note(key: str, value) -> None:
        memory = renderer_memory()
        if memory is not None:
            private.append(memory[0])
        print(f"    {key}: {json.dumps(value)}", file=sys.stderr, flush=True)

    try:
        page.goto(path.as_uri(), wait_until="commit")
        try:
            page.wait_for_function(
                "() => window.gkSparql && (window.gkSparql.ready !== null || window.gkSparql.failed !== null)",
                timeout=timeout * 1000,
                polling=100,
            )
        except PlaywrightTimeout:
            out["ready"] = {"over": timeout}
            return out
        failed = page.evaluate("window.gkSparql.failed")
        if failed is not None:
            out["failed"] = page.text_content("#gks-store")
            return out
        out["ready"] = page.evaluate("window.gkSparql.ready") / 1000
        load = page.evaluate("window.gkSparql.load")
        out.update({f"ready_{k}": v / 1000 for k, v in load.items()})
        out["triples"] = int(page.text_content("#gks-store").split()[0].replace(",", ""))
        note("ready", out["ready"])
        page.wait_for_function("() => window.gkSparql.finished > 0", timeout=timeout * 1000)  # the start query
        for name, q in find_queries().items():
            before = page.evaluate("window.gkSparql.finished")
            page.evaluate("(hash) => { location.hash = hash; }", address(q.text, bindings[name]))
            try:
                page.wait_for_function("(n) => window.gkSparql.finished > n", arg=before, timeout=timeout * 1000)
            except PlaywrightTimeout:
                out[f"query:{name}"] = {"over": timeout}
                page.click("#gks-stop")
                page.wait_for_function("() => !document.getElementById('gks-run').disabled", timeout=timeout * 1000)
                continue
            last = page.evaluate("window.gkSparql.last")
            if not last["ok"]:
                raise SystemExit(f"{name} failed in the page: {last['message']}")
            out[f"query:{name}"] = last["elapsed"] / 1000
            out[f"rows:{name}"] = last["rows"]
            note(name, [out[f"query:{name}"], last["rows"]])
        memory = renderer_memory()
        if memory is not None:
            out["renderer_private_mb"] = max([*private, memory[0]])
        return out
    finally:
        context.close()


def rows_of(report: dict) -> list[tuple[str, str, str, str]]:
    """(key, label, unit, goal) of the table's rows; the queries' labels name their bound values."""
    bindings = report.get("bindings", {})
    rows = [
        ("view_seconds", "writing the page (library loaded, page written), whole process", "s", ""),
        ("view_peak_mb", "its peak memory", "MB", ""),
        ("page_mb", "page size", "MB", GOALS["page_mb"]),
        ("triples", "triples in the store", "n", ""),
        ("ready", "store ready, from navigation", "s", GOALS["ready"]),
        ("ready_engine", "of which: Oxigraph's WebAssembly started (in the worker)", "s", ""),
        ("ready_inflate", "of which: the Turtle inflated", "s", ""),
        ("ready_load", "of which: the Turtle loaded into the store", "s", ""),
    ]
    for name in report["queries"]:
        bound = ", ".join(f"{k}={v}" for k, v in bindings.get(name, {}).items())
        rows.append((f"query:{name}", f"query `{name}`" + (f" ({bound})" if bound else ""), "s", GOALS["query"]))
    rows.append(("renderer_private_mb", "tab: memory footprint (private; the worker included)", "MB", ""))
    return rows


def table(report: dict) -> list[str]:
    """The Markdown table: one row per figure, the median and the goal.

    Examples
    --------
    >>> report = {"queries": ["hubs"], "results": {"ready": {"median": 2.5, "runs": [2.5]},
    ...           "query:hubs": {"median": 0.25, "runs": [0.25]}, "rows:hubs": {"median": 10, "runs": [10]}}}
    >>> print("\\n".join(table(report)[6:7] + table(report)[-2:-1]))
    | store ready, from navigation | 2.50 s | 3 s |
    | query `hubs` | 250 ms (10 rows) | 1 s |
    """
    results = report["results"]
    lines = ["| | median | goal |", "|---|---:|---:|"]
    for key, label, unit, goal in rows_of(report):
        summary = results.get(key, {})
        if unit == "n":
            text = f"{summary['median']:,.0f}" if "median" in summary else "n/a"
        elif unit == "s" and key.startswith("query:") and "median" in summary:
            text = cell({"median": summary["median"] * 1000, "runs": []}, "ms")
            rows = results.get("rows:" + key[6:], {}).get("median")
            text += f" ({rows:,.0f} {'row' if rows == 1 else 'rows'})" if rows is not None else ""
        else:
            text = cell(summary, unit)
        lines.append(f"| {label} | {text} | {goal} |")
    return lines


def main(argv: list[str] | None = None) -> None:
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["--write-page"]:
        write_page(Path(argv[1]), Path(argv[2]))
        return
    parser = argparse.ArgumentParser(prog="python -m benchmarks.sparql_bench", description=__doc__.split("\n\n")[0])
    parser.add_argument("library", type=Path, help="the pattern folder")
    parser.add_argument("--runs", type=int, default=3, help="runs; medians are reported (default 3)")
    parser.add_argument("--timeout", type=float, default=120.0, help="seconds a step may take (default 120)")
    parser.add_argument("--out", type=Path, default=REPO / "benchmarks" / "results", help="where results go")
    args = parser.parse_args(argv)

    from playwright.sync_api import sync_playwright

    from graphkit.query import find_queries

    bindings = bindings_of(args.library)
    print(f"binding: {json.dumps(bindings)}", file=sys.stderr)
    runs: list[dict] = []
    with tempfile.TemporaryDirectory(prefix="graphkit-sparql-") as tmp, sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            for i in range(args.runs):
                output = Path(tmp) / f"sparql-run{i}.html"
                run = build_page(COMMAND, args.library, output, args.timeout * 5)
                print(f"  run {i + 1}: {json.dumps(run)}", file=sys.stderr, flush=True)
                if "page_mb" in run:
                    run.update(measure_in_browser(browser, output, bindings, args.timeout))
                    output.unlink()
                runs.append(run)
        finally:
            browser.close()

    keys = sorted({k for r in runs for k in r if k != "failed"})
    report = {
        "date": dt.date.today().isoformat(),
        "machine": f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}",
        "library": str(args.library),
        "runs": args.runs,
        "timeout": args.timeout,
        "bindings": bindings,
        "queries": list(find_queries()),
        "results": {key: summarize(runs, key) for key in keys},
        "failed": [r["failed"] for r in runs if "failed" in r],
        "all_runs": runs,
    }
    lines = [
        f"{args.library} · measured {report['date']} on {report['machine']}, headless Chromium; "
        f"medians of {args.runs} runs",
        "",
        *table(report),
        *(["", f"The page said: {report['failed'][0]}"] if report["failed"] else []),
    ]
    text = "\n".join(lines) + "\n"
    args.out.mkdir(parents=True, exist_ok=True)
    stem = f"sparql-{args.library.resolve().name}"
    (args.out / f"{stem}.md").write_text(text, encoding="utf-8")
    (args.out / f"{stem}.json").write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    print(text)


if __name__ == "__main__":
    main()
