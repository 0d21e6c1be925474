"""The problems report page at size: ``python -m benchmarks.report_bench [--problems 10000] [--runs 5]``.

Writes a report page of ``--problems`` generated problems (14 to a file, five kinds, each
naming a pattern of the shipped sample) and measures in headless Chromium, offline, a fresh
browser context per run: navigation to a page ready to use (``body[data-ready]``, the rows in
view drawn), and a text filter typed into the page until its rows are drawn again. Also the
page's size and the time Python takes to write it. Prints a Markdown table of medians.

Not a test: the figures depend on the machine and its load.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path[:0] = [str(HERE.parent)]

import graphkit  # noqa: E402
from graphkit.model import Problem  # noqa: E402
from graphkit.report.page import to_report_page  # noqa: E402

CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run",
]  # fmt: skip
KINDS = ("dangling-reference", "one-sided-symmetric", "one-sided-inverse", "duplicate-id", "invalid-yaml")
ERRORS = ("dangling-reference", "invalid-yaml")


def generated_problems(slugs: list[str], n: int = 10_000) -> list[Problem]:
    """``n`` problems, 14 to a file, the kinds in turn, each naming one of ``slugs``; markup in every message.

    Examples
    --------
    >>> [str(p) for p in generated_problems(["a", "b"], 2)]  # doctest: +NORMALIZE_WHITESPACE
    ["folder/a-0000.md:1: error: problem 0: 'a' lists 'x-0' <img src=x onerror=window.__pwned=1> [dangling-reference]",
     "folder/a-0000.md:2: warning: problem 1: 'b' lists 'x-1' <img src=x onerror=window.__pwned=1> [one-sided-symmetric]"]
    """
    problems = []
    for i in range(n):
        slug, kind = slugs[i % len(slugs)], KINDS[i % len(KINDS)]
        problems.append(
            Problem(
                f"folder/{slugs[(i // 14) % len(slugs)]}-{i // 14:04d}.md",
                kind,
                "error" if kind in ERRORS else "warning",
                f"problem {i}: {slug!r} lists 'x-{i}' <img src=x onerror=window.__pwned=1>",
                line=i % 40 + 1,
                slug=slug,
            )
        )
    return problems


def measure(path: Path, n: int, runs: int) -> dict[str, list[float]]:
    from playwright.sync_api import sync_playwright

    times: dict[str, list[float]] = {"ready_ms": [], "filter_ms": []}
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
        for _ in range(runs):
            context = browser.new_context(viewport={"width": 1400, "height": 900})
            context.route("http*://**", lambda route: route.abort())
            page = context.new_page()
            page.goto(path.as_uri())
            page.wait_for_selector("body[data-ready='1']", timeout=60_000)
            # navigation start to ready, in the page's own clock (the script sets data-ready last)
            times["ready_ms"].append(page.evaluate("performance.now()"))
            started = time.perf_counter()
            page.fill("#gkr-text", "'x-4244'")
            page.wait_for_selector(f"#gkr-status:text-is('1 of {n} problems.')", timeout=60_000)
            times["filter_ms"].append((time.perf_counter() - started) * 1000 - 120)  # less the typing pause
            context.close()
        browser.close()
    return times


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.report_bench", description=__doc__.split("\n\n")[0])
    parser.add_argument("--problems", type=int, default=10_000, help="how many problems (default 10000)")
    parser.add_argument("--runs", type=int, default=5, help="runs; the median is reported (default 5)")
    args = parser.parse_args(argv)
    library = graphkit.load_library()
    problems = generated_problems(sorted(library.graph), args.problems)
    started = time.perf_counter()
    page = to_report_page(problems, title="report benchmark", slugs=library.graph)
    write_s = time.perf_counter() - started
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "problems.html"
        path.write_text(page, encoding="utf-8")
        times = measure(path, args.problems, args.runs)
    print("| problems | page | written in | ready in Chromium | text filter |")
    print("|---:|---:|---:|---:|---:|")
    print(
        f"| {args.problems:,} | {len(page.encode()) / 1e6:.1f} MB | {write_s * 1000:.0f} ms "
        f"| {statistics.median(times['ready_ms']):.0f} ms | {statistics.median(times['filter_ms']):.0f} ms |"
    )


if __name__ == "__main__":
    main()
