"""Benchmark graphkit against the floor and the alternatives: ``python -m benchmarks [LIBRARY]``.

Measures each stage on LIBRARY (default: the shared Commons OS corpus when present, else the
shipped sample) and on synthetic libraries 1x, 3x and 10x its size, each measurement in a
fresh process, ``--repeat`` times; reports medians and ratios against baselines measured in
the same run. Writes ``results.md`` and ``results.json`` into ``--out``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from .synth import make_library

REPO = Path(__file__).resolve().parent.parent
CORPUS = REPO.parent / "shared" / "corpus" / "commons-os-patterns-2026-02-17" / "_patterns"

# (measurement, the baseline beside it, what the row says)
ROWS = [
    ("floor", None, "floor: split + yaml.CSafeLoader, one process"),
    ("python-frontmatter", "floor", "python-frontmatter on every file"),
    ("load", "floor", "graphkit load: records, graph, problems report"),
    ("load-1core", "floor", "graphkit load on one core"),
    ("load-warm", "floor", "graphkit load, warm cache"),
    ("graph", None, "link and build the MultiDiGraph (from records)"),
    ("turtle-rdflib", None, "rdflib: graph -> rdflib.Graph -> Turtle"),
    ("turtle", "turtle-rdflib", "graphkit: graph -> Turtle (its own writer)"),
    ("serialize-rdflib", None, "rdflib's Turtle serializer alone"),
    ("serialize", "serialize-rdflib", "pyoxigraph's Turtle serializer alone"),
    ("store-rdflib", None, "rdflib: N-Triples into its store"),
    ("store", "store-rdflib", "graphkit: triples into a pyoxigraph store"),
    ("sparql-rdflib", None, "rdflib: 9 shipped queries, loaded store"),
    ("sparql", "sparql-rdflib", "graphkit: 9 shipped queries, loaded store"),
    ("layout-spring", None, "nx.spring_layout"),
    ("layout", "layout-spring", "graphkit layout (igraph, packed)"),
    ("page-pyvis", None, "pyvis defaults: from_nx + generate_html"),
    ("page", "page-pyvis", "graphkit map page, layout included"),
    ("first-draw-pyvis", None, "pyvis default page: first draw in Chromium"),
    ("first-draw", "first-draw-pyvis", "graphkit page: first draw in Chromium"),
    ("obvious", "floor", "the obvious pipeline (frontmatter, rdflib, spring, pyvis)"),
    ("build", "floor", "graphkit build, cold"),
    ("build-warm", "floor", "graphkit build, warm (nothing changed)"),
    ("build-process", "floor", "graphkit build, cold, whole process"),
    ("build-process-warm", "floor", "graphkit build, warm, whole process"),
]
ONCE = {"layout-spring", "page-pyvis", "first-draw-pyvis", "obvious", "python-frontmatter"}
GROWTH = ["floor", "build", "build-warm", "build-process", "build-process-warm", "turtle", "sparql"]


def run_one(name: str, library: Path, workdir: Path) -> dict:
    proc = subprocess.run(
        [sys.executable, "-m", "benchmarks.measure", name, str(library), str(workdir)],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=3600,
    )
    if proc.returncode != 0:
        raise SystemExit(f"measurement {name} failed:\n{proc.stderr[-2000:]}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def measure(names: list[str], library: Path, repeat: int, workdir: Path) -> dict[str, dict]:
    """Run every measurement ``repeat`` times, round-robin, so that a slow spell of a shared
    machine falls on every figure alike rather than on the ratios' one side; medians."""
    runs: dict[str, list[dict]] = {name: [] for name in names}
    for i in range(repeat):
        for name in names:
            if i == 0 or name not in ONCE:
                runs[name].append(run_one(name, library, workdir / f"{name}-{i}"))
    results = {}
    for name in names:
        times = [r["seconds"] for r in runs[name]]
        over = next((r["over"] for r in runs[name] if r["seconds"] is None), None)
        results[name] = {
            "seconds": None if over else statistics.median(times),
            "over": over,
            "peak_mb": max(r["peak_mb"] for r in runs[name]),
            "runs": [None if t is None else round(t, 4) for t in times],
        }
        shown = f"> {over:.0f}" if over else f"{results[name]['seconds']:8.3f}"
        print(f"  {name:<22} {shown} s  {results[name]['peak_mb']:7.1f} MB", file=sys.stderr)
    return results


def _time(r: dict) -> str:
    return f"> {r['over']:.0f} s" if r["over"] else f"{r['seconds']:.3f} s"


def paired_ratio(r: dict, base: dict) -> float:
    """The median of the per-round ratios, when both were measured in every round; else the ratio of medians.

    A figure and its baseline are measured in the same round, seconds apart: their ratio is
    untouched by the slow and fast spells a shared machine goes through between rounds.
    """
    runs, base_runs = r["runs"], base["runs"]
    if len(runs) == len(base_runs) > 1 and None not in runs and None not in base_runs:
        return statistics.median(a / b for a, b in zip(runs, base_runs, strict=True))
    return r["seconds"] / base["seconds"]


def _ratio(r: dict, base: dict) -> str:
    if r["over"]:
        return ""
    if base["over"]:
        return f"< {r['seconds'] / base['over']:.3f}x"
    return f"{paired_ratio(r, base):.2f}x"


def table(results: dict[str, dict]) -> list[str]:
    lines = ["| stage | median | ratio | vs | peak memory |", "|---|---:|---:|---|---:|"]
    for name, baseline, label in ROWS:
        if name not in results:
            continue
        r = results[name]
        ratio = _ratio(r, results[baseline]) if baseline in results else ""
        lines.append(f"| {label} | {_time(r)} | {ratio} | {baseline or ''} | {r['peak_mb']:.0f} MB |")
    return lines


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "library", nargs="?", type=Path, help="pattern folder (default: the shared corpus or the sample)"
    )
    parser.add_argument("--scales", default="1,3,10", help="synthetic library sizes, comma-separated (default 1,3,10)")
    parser.add_argument(
        "--repeat", type=int, default=7, help="runs per measurement; the median is reported (default 7)"
    )
    parser.add_argument("--out", type=Path, default=REPO / "benchmarks" / "results", help="where results go")
    parser.add_argument("--only", help="measure only these stages on the library, comma-separated")
    args = parser.parse_args(argv)

    library = args.library or (CORPUS if CORPUS.is_dir() else None)
    if library is None:
        import graphkit

        library = graphkit.sample_library()
    scales = [int(s) for s in args.scales.split(",") if s.strip()]
    args.out.mkdir(parents=True, exist_ok=True)
    report: dict = {
        "date": dt.date.today().isoformat(),
        "machine": f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}",
        "library": str(library),
        "repeat": args.repeat,
    }
    with tempfile.TemporaryDirectory(prefix="graphkit-bench-") as tmp:
        tmp = Path(tmp)
        print(f"{library}:", file=sys.stderr)
        names = [r[0] for r in ROWS] if not args.only else args.only.split(",")
        report["library_results"] = measure(names, library, args.repeat, tmp / "lib")
        report["growth"] = {}
        for scale in scales:
            synth = tmp / f"synth-{scale}x"
            count = make_library(library, synth, scale)
            os.sync()  # written back to disk now, not by the kernel during the first measurements
            time.sleep(2.1)  # files just written count as possibly changed for 2 s (see load_patterns)
            print(f"synthetic {scale}x ({count} files):", file=sys.stderr)
            report["growth"][scale] = {"files": count, **measure(GROWTH, synth, args.repeat, tmp / f"s{scale}")}

    lines = [
        f"Measured {report['date']} on {report['machine']}; medians of {args.repeat} runs, "
        "measured round-robin; a ratio is the median of the ratios within each round.",
        "",
    ]
    lines += [
        f"**{library.name if library.name != '_patterns' else library.parent.name}**",
        "",
        *table(report["library_results"]),
        "",
    ]
    if report["growth"]:
        base = report["growth"][scales[0]]
        lines += [
            f"**Growth**: synthetic libraries {', '.join(f'{k}x' for k in scales)} its size; ratios against {scales[0]}x",
            "",
        ]
        lines += [
            "| size | files | "
            + " | ".join(GROWTH)
            + " | build / floor | process / floor | peak memory (build) | peak memory (process) |",
            "|---|---:|" + "---:|" * len(GROWTH) + "---:|---:|---:|---:|",
        ]
        for scale, r in report["growth"].items():
            cells = [f"{r[n]['seconds']:.3f} s ({r[n]['seconds'] / base[n]['seconds']:.1f}x)" for n in GROWTH]
            memory = [r[n]["peak_mb"] for n in ("build", "build-process")]
            base_memory = [base[n]["peak_mb"] for n in ("build", "build-process")]
            lines.append(
                f"| {scale}x | {r['files']} | "
                + " | ".join(cells)
                + f" | {paired_ratio(r['build'], r['floor']):.2f} | {paired_ratio(r['build-process'], r['floor']):.2f} | "
                + " | ".join(f"{m:.0f} MB ({m / b:.1f}x)" for m, b in zip(memory, base_memory, strict=True))
                + " |"
            )
    text = "\n".join(lines) + "\n"
    (args.out / "results.md").write_text(text)
    (args.out / "results.json").write_text(json.dumps(report, indent=2) + "\n")
    print(text)


if __name__ == "__main__":
    main()
