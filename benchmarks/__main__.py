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
from pathlib import Path

from .synth import make_library

REPO = Path(__file__).resolve().parent.parent
CORPUS = REPO.parent / "shared" / "corpus" / "commons-os-patterns-2026-02-17" / "_patterns"

# (measurement, baseline it is compared with, what the row says)
ROWS = [
    ("floor", None, "floor: split + yaml.CSafeLoader, one process"),
    ("python-frontmatter", "floor", "python-frontmatter, every file"),
    ("load", "floor", "graphkit load: records + graph + problems"),
    ("load-1core", "floor", "graphkit load on one core"),
    ("load-warm", "floor", "graphkit load, warm cache"),
    ("graph", None, "graph: link + build the MultiDiGraph"),
]
GROWTH = ["floor", "load", "load-warm"]


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
    results = {}
    for name in names:
        runs = [run_one(name, library, workdir / f"{name}-{i}") for i in range(repeat)]
        results[name] = {
            "seconds": statistics.median(r["seconds"] for r in runs),
            "peak_mb": max(r["peak_mb"] for r in runs),
            "runs": [round(r["seconds"], 4) for r in runs],
        }
        print(f"  {name:<22} {results[name]['seconds']:8.3f} s  {results[name]['peak_mb']:7.1f} MB", file=sys.stderr)
    return results


def table(results: dict[str, dict]) -> list[str]:
    lines = ["| stage | median | ratio | vs | peak memory |", "|---|---:|---:|---|---:|"]
    for name, baseline, label in ROWS:
        if name not in results:
            continue
        r = results[name]
        ratio = f"{r['seconds'] / results[baseline]['seconds']:.2f}x" if baseline in results else ""
        lines.append(f"| {label} | {r['seconds']:.3f} s | {ratio} | {baseline or ''} | {r['peak_mb']:.0f} MB |")
    return lines


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "library", nargs="?", type=Path, help="pattern folder (default: the shared corpus or the sample)"
    )
    parser.add_argument("--scales", default="1,3,10", help="synthetic library sizes, comma-separated (default 1,3,10)")
    parser.add_argument("--repeat", type=int, default=3, help="runs per measurement; the median is reported")
    parser.add_argument("--out", type=Path, default=REPO / "benchmarks" / "results", help="where results go")
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
        report["library_results"] = measure([r[0] for r in ROWS], library, args.repeat, tmp / "lib")
        report["growth"] = {}
        for scale in scales:
            synth = tmp / f"synth-{scale}x"
            count = make_library(library, synth, scale)
            print(f"synthetic {scale}x ({count} files):", file=sys.stderr)
            report["growth"][scale] = {"files": count, **measure(GROWTH, synth, args.repeat, tmp / f"s{scale}")}

    lines = [f"Measured {report['date']} on {report['machine']}; medians of {args.repeat} runs.", ""]
    lines += [
        f"**{library.name if library.name != '_patterns' else library.parent.name}**",
        "",
        *table(report["library_results"]),
        "",
    ]
    if report["growth"]:
        base = report["growth"][scales[0]]
        lines += ["**Growth** (synthetic libraries made from it; ratios against the smallest)", ""]
        lines += [
            "| size | files | " + " | ".join(GROWTH) + " | peak memory (load) |",
            "|---|---:|" + "---:|" * len(GROWTH) + "---:|",
        ]
        for scale, r in report["growth"].items():
            cells = [f"{r[n]['seconds']:.3f} s ({r[n]['seconds'] / base[n]['seconds']:.1f}x)" for n in GROWTH]
            lines.append(f"| {scale}x | {r['files']} | " + " | ".join(cells) + f" | {r['load']['peak_mb']:.0f} MB |")
    text = "\n".join(lines) + "\n"
    (args.out / "results.md").write_text(text)
    (args.out / "results.json").write_text(json.dumps(report, indent=2) + "\n")
    print(text)


if __name__ == "__main__":
    main()
