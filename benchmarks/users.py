"""What users wait for, in one table: ``python -m benchmarks.users LIBRARY [--rounds 3] [--only build]``.

Every figure is a whole fresh process as a user runs it, interpreter start and imports
included, on LIBRARY (a library with the real density, e.g. ``python -m benchmarks.dense``):

- the floor: a process that splits each file's frontmatter by hand and parses it with
  ``yaml.CSafeLoader``, nothing else (the least any tool reading the library must do);
- ``graphkit build`` cold (a new cache folder) and with nothing changed since the last build;
- ``graphkit --help``;
- ``graphkit query LIBRARY hubs`` on an unchanged library (its store kept in the cache);
- ``graphkit serve LIBRARY`` until its map page and its SPARQL endpoint both answer (unchanged);
- ``graphkit check --shacl LIBRARY`` (parsed records cached);
- the notebook tour, ``notebooks/explore.ipynb`` through nbclient on LIBRARY.

The measurements run round-robin, one of each per round, so that a slow spell of the machine
falls on all of them; a build's ratio to the floor is the median of the per-round ratios. The
table puts each figure beside its goal and the figure before this work (``BEFORE``, chosen by
``--before 1x|10x|none``). With
``--only build`` only the floor and the builds run (the figures named for 10x). Prints a
Markdown table; ``--out DIR`` also writes ``users-<library>.md`` and ``.json``. Not a test: the
figures depend on the machine and its load.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import re
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from .check_bench import NOTEBOOK
from .cli_bench import QUERY, _graphkit_endpoint, _program, run_command, run_server

REPO = Path(__file__).resolve().parent.parent

#: What users waited for before this work, by the library's scale (``--before``). 1x: as a user
#: ran each command on the newer Commons OS library (3,616 files, 35k relations) on this
#: machine, from the issue that set the goals. 10x: the dense 10x library, when the site's
#: exports still shared both cores (the same benchmark, 2026-11-26, on a quiet machine).
BEFORE = {
    "1x": {
        "floor": "1.87 s",
        "build": "3.30 s (1.74x), 289 MB",
        "build-unchanged": "0.77 s (0.40x)",
        "help": "0.75 s",
        "query": "4.6 s, 600 MB",
        "serve": "about 12 s",
        "shacl": "39 s",
        "notebook": "100 s",
    },
    "10x": {"floor": "14.8 s", "build": "30.5 s (2.05x), 2.6 GB", "build-unchanged": "1.05 s (0.07x)"},
}

#: (key, what is measured, goal): the goal in seconds, or as a ratio to the floor ("x").
ROWS = [
    ("floor", "floor: split + `yaml.CSafeLoader`, one process", None),
    ("build", "`graphkit build`, cold", "1.5x"),
    ("build-unchanged", "`graphkit build`, nothing changed", "0.2x"),
    ("help", "`graphkit --help`", 0.15),
    ("query", f"`graphkit query LIB {QUERY}`, unchanged library", 0.3),
    ("serve", "`graphkit serve LIB` until map and /sparql answer, unchanged", 2.0),
    ("shacl", "`graphkit check --shacl LIB`", 5.0),
    ("notebook", "notebook tour (`notebooks/explore.ipynb`)", 20.0),
]
BUILD_ROWS = ("floor", "build", "build-unchanged")

_BOUNDARY = re.compile(r"^-{3,}\s*$", re.M)


def floor(library: Path) -> None:
    """The floor's own process: read every Markdown file and parse its frontmatter, nothing more."""
    import yaml

    for path in sorted(library.rglob("*.md")):
        parts = _BOUNDARY.split(path.read_text(encoding="utf-8-sig", errors="replace"), 2)
        if len(parts) == 3:
            try:
                yaml.load(parts[1], Loader=yaml.CSafeLoader)
            except yaml.YAMLError:
                pass


def _commands(library: Path, workdir: Path, env: dict[str, str]) -> dict[str, Callable[[], tuple[float, float]]]:
    graphkit = _program("graphkit")
    python = [sys.executable]
    lib = str(library)
    site = str(workdir / "site")
    cold = [0]

    def build_cold() -> tuple[float, float]:
        cold[0] += 1  # a new cache folder each time: nothing parsed, nothing built before
        fresh = {**env, "GRAPHKIT_CACHE_DIR": str(workdir / f"cold-{cold[0]}")}
        return run_command([*graphkit, "build", lib, "-o", str(workdir / "cold-site")], fresh)

    def status(code: int) -> bool:
        return code in (0, 1)  # check exits 1 when the library has errors: that is its answer

    return {
        "floor": lambda: run_command([*python, "-m", "benchmarks.users", "--floor", lib], env),
        "build": build_cold,
        "build-unchanged": lambda: run_command([*graphkit, "build", lib, "-o", site], env),
        "help": lambda: run_command([*graphkit, "--help"], env),
        "query": lambda: run_command([*graphkit, "query", lib, QUERY], env),
        "serve": lambda: run_server([*graphkit, "serve", lib, "--port", "0"], env, _graphkit_endpoint),
        "shacl": lambda: run_command([*graphkit, "check", "--shacl", lib], env, accept=status),
        "notebook": lambda: run_command(
            [*python, "-m", "benchmarks.check_bench", "--run-notebook", str(NOTEBOOK)], env
        ),
    }


def _prime(library: Path, workdir: Path, env: dict[str, str], keys: list[str]) -> None:
    """The state a user's second command finds: records parsed, the site built, the query store and served page kept."""
    graphkit = _program("graphkit")
    run_command([*graphkit, "build", str(library), "-o", str(workdir / "site")], env)
    if "query" in keys or "serve" in keys:
        run_command([*graphkit, "query", str(library), QUERY], env)
    if "serve" in keys:  # keeps the served page too
        run_server([*graphkit, "serve", str(library), "--port", "0"], env, _graphkit_endpoint)
    time.sleep(2.1)  # past the 2 s in which a file just written may still change unseen
    run_command([*graphkit, "build", str(library), "-o", str(workdir / "site")], env)


def _cell(key: str, runs: list[float], ratios: list[float] | None, peaks: list[float]) -> str:
    text = f"{min(runs):.2f} / {statistics.median(runs):.2f} s"
    if ratios:
        text += f" ({statistics.median(ratios):.2f}x)"
    if key in ("build", "query", "floor"):
        text += f", {max(peaks):.0f} MB"
    return text


def _meets(goal: str | float | None, runs: list[float], ratios: list[float] | None) -> str:
    if goal is None:
        return ""
    if isinstance(goal, str):
        assert ratios is not None
        return "yes" if statistics.median(ratios) <= float(goal.rstrip("x")) else "**no**"
    return "yes" if statistics.median(runs) <= goal else "**no**"


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.users", description=__doc__.split("\n\n")[0])
    parser.add_argument("library", type=Path)
    parser.add_argument("--rounds", type=int, default=3, help="one of each measurement per round (default 3)")
    parser.add_argument("--only", choices=["build"], help="only the floor and the builds")
    parser.add_argument("--before", choices=[*BEFORE, "none"], default="1x", help="the earlier figures shown")
    parser.add_argument("--out", type=Path, help="write users-<library>.md and .json here")
    parser.add_argument("--floor", action="store_true", help=argparse.SUPPRESS)  # the floor's own process
    args = parser.parse_args(argv)
    library = args.library.resolve()
    if args.floor:
        floor(library)
        return
    if not library.is_dir():
        parser.error(f"{library} is not a folder")
    keys = [key for key, _, _ in ROWS if args.only is None or key in BUILD_ROWS]
    results: dict[str, dict[str, list[float]]] = {key: {"runs": [], "peaks": []} for key in keys}
    with tempfile.TemporaryDirectory(prefix="graphkit-users-") as tmp:
        workdir = Path(tmp)
        env = {
            **os.environ,
            "GRAPHKIT_CACHE_DIR": str(workdir / "cache"),
            "GRAPHKIT_LIBRARY": str(library),
            "PYTHONPATH": os.pathsep.join(filter(None, [str(REPO), os.environ.get("PYTHONPATH")])),
        }
        env.pop("GRAPHKIT_WORKERS", None)
        # Compiled modules kept, as an installed package has them (the priming runs write them).
        env.pop("PYTHONDONTWRITEBYTECODE", None)
        commands = _commands(library, workdir, env)
        _prime(library, workdir, env, keys)
        for round_ in range(args.rounds):
            for key in keys:
                seconds, peak = commands[key]()
                results[key]["runs"].append(seconds)
                results[key]["peaks"].append(peak)
                print(f"  round {round_ + 1}: {key:<16} {seconds:.3f} s  {peak:.0f} MB", file=sys.stderr)
    floors = results["floor"]["runs"]
    lines = [
        f"`{library.name}`: {sum(1 for _ in library.rglob('*.md'))} files, {args.rounds} rounds, {dt.date.today()}, "
        f"Python {platform.python_version()}, {os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f} at the end",
        "",
        "| measurement | goal | before | now: min / median | met |",
        "|---|---:|---:|---:|:---:|",
    ]
    data = {}
    for key, label, goal in ROWS:
        if key not in results:
            continue
        runs, peaks = results[key]["runs"], results[key]["peaks"]
        ratios = [r / f for r, f in zip(runs, floors, strict=True)] if key.startswith("build") else None
        goal_text = "" if goal is None else (f"≤ {goal} the floor" if isinstance(goal, str) else f"≤ {goal:g} s")
        before = BEFORE.get(args.before, {}).get(key, "")
        lines.append(
            f"| {label} | {goal_text} | {before} | {_cell(key, runs, ratios, peaks)} | {_meets(goal, runs, ratios)} |"
        )
        data[key] = {"runs": runs, "peak_mb": peaks, "ratios": ratios, "goal": goal}
    text = "\n".join(lines)
    print(text)
    if args.out:
        args.out.mkdir(parents=True, exist_ok=True)
        (args.out / f"users-{library.name}.md").write_text(text + "\n", encoding="utf-8")
        (args.out / f"users-{library.name}.json").write_text(json.dumps(data, indent=1) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
