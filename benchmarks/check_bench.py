"""Where users wait: ``python -m benchmarks.check_bench LIBRARY [--runs 5] [--out DIR]``.

Each measurement is a whole fresh process, imports included, on LIBRARY with a warm parse
cache (a temporary one, primed by one untimed ``graphkit check``, as a user's second command
finds it):

- ``graphkit check LIBRARY``, the reference;
- ``graphkit check --shacl LIBRARY`` (goal: 5 s at 1x);
- the notebook tour, ``notebooks/explore.ipynb`` run top to bottom through nbclient as the
  tests run it, on LIBRARY (the notebook reads ``GRAPHKIT_LIBRARY``), the kernel's start
  included (goal: 20 s at 1x).

Prints a Markdown table of the minimum and median wall seconds over ``--runs`` and the largest
peak resident memory; with ``--out``, writes it to ``check-<library>.md`` beside a JSON copy.
Not a test: the figures depend on the machine and its load (timing goals live here, never in
unit tests).
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

REPO = Path(__file__).resolve().parent.parent
NOTEBOOK = REPO / "notebooks" / "explore.ipynb"

# (name, arguments after the Python interpreter, goal in seconds or None)
MEASUREMENTS = [
    ("graphkit check", ["-m", "graphkit", "check", "{library}"], None),
    ("graphkit check --shacl", ["-m", "graphkit", "check", "--shacl", "{library}"], 5.0),
    ("notebook tour (explore.ipynb)", ["-m", "benchmarks.check_bench", "--run-notebook", str(NOTEBOOK)], 20.0),
]


def run_once(args: list[str], env: dict[str, str], timeout: float) -> dict:
    """One fresh process: wall seconds and peak resident memory (MB), or ``over`` the timeout."""
    start = time.perf_counter()
    with tempfile.TemporaryFile() as err:  # a file, not a pipe: thousands of problems must not block the child
        proc = subprocess.Popen([sys.executable, *args], cwd=REPO, env=env, stdout=subprocess.DEVNULL, stderr=err)
        while True:
            pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
            if pid:
                break
            if time.perf_counter() - start > timeout:
                proc.kill()
                os.wait4(proc.pid, 0)
                return {"seconds": None, "over": timeout, "peak_mb": None}
            time.sleep(0.01)
        seconds = time.perf_counter() - start
        code = os.waitstatus_to_exitcode(status)
        if code not in (0, 1):  # `check` exits 1 when the library has errors: that is its answer
            err.seek(0)
            raise SystemExit(f"{' '.join(args)} failed ({code}):\n{err.read().decode(errors='replace')[-2000:]}")
    return {"seconds": seconds, "over": None, "peak_mb": usage.ru_maxrss / 1024}  # Linux: kB


def summarize(runs: list[dict]) -> dict:
    times = [r["seconds"] for r in runs if r["seconds"] is not None]
    if len(times) < len(runs):
        return {"min": None, "median": None, "over": runs[0]["over"], "peak_mb": None, "runs": times}
    return {
        "min": min(times),
        "median": statistics.median(times),
        "over": None,
        "peak_mb": max(r["peak_mb"] for r in runs),
        "runs": times,
    }


def table(results: dict[str, dict], goals: dict[str, float | None]) -> list[str]:
    lines = ["| measurement | min | median | goal | peak memory |", "|---|---|---|---|---|"]
    for name, s in results.items():
        goal = f"≤ {goals[name]:g} s" if goals[name] is not None else ""
        if s["min"] is None:
            lines.append(f"| {name} | > {s['over']:g} s | > {s['over']:g} s | {goal} | |")
        else:
            lines.append(f"| {name} | {s['min']:.2f} s | {s['median']:.2f} s | {goal} | {s['peak_mb']:.0f} MB |")
    return lines


def run_notebook(path: Path) -> None:
    """Execute a notebook top to bottom as the tests do; exit 1 if a cell fails."""
    import nbclient
    import nbformat

    nb = nbformat.read(path, as_version=4)
    client = nbclient.NotebookClient(
        nb, timeout=600, kernel_name="python3", resources={"metadata": {"path": str(path.parent)}}
    )
    try:
        client.execute()
    except nbclient.exceptions.CellExecutionError as err:
        raise SystemExit(f"{path.name}: a cell failed:\n{str(err)[-2000:]}") from err


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("library", type=Path, nargs="?")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--timeout", type=float, default=600.0, help="seconds before a run is given up")
    parser.add_argument("--out", type=Path, help="write check-<library>.md and .json here")
    parser.add_argument("--run-notebook", type=Path, help=argparse.SUPPRESS)  # one timed run's own process
    args = parser.parse_args(argv)
    if args.run_notebook:
        run_notebook(args.run_notebook)
        return
    if args.library is None or not args.library.is_dir():
        parser.error("give the library folder")
    library = args.library.resolve()
    with tempfile.TemporaryDirectory(prefix="check-bench-") as cache:
        env = {
            **os.environ,
            "GRAPHKIT_CACHE_DIR": cache,
            "GRAPHKIT_LIBRARY": str(library),
            "PYTHONPATH": os.pathsep.join(filter(None, [str(REPO), os.environ.get("PYTHONPATH")])),
        }
        run_once(["-m", "graphkit", "check", str(library)], env, args.timeout)  # primes the cache
        runs: dict[str, list[dict]] = {name: [] for name, _, _ in MEASUREMENTS}
        for _ in range(args.runs):  # round by round, so that a slow spell of the machine hits every row alike
            for name, command, _ in MEASUREMENTS:
                runs[name].append(run_once([a.format(library=library) for a in command], env, args.timeout))
    results = {name: summarize(r) for name, r in runs.items()}
    goals = {name: goal for name, _, goal in MEASUREMENTS}
    head = (
        f"{library.name}: {len(list(library.rglob('*.md')))} files, {args.runs} runs, "
        f"{dt.date.today()}, Python {platform.python_version()}, {os.cpu_count()} cores, "
        f"load average {os.getloadavg()[0]:.1f} at the end"
    )
    lines = [head, "", *table(results, goals)]
    print("\n".join(lines))
    if args.out:
        args.out.mkdir(parents=True, exist_ok=True)
        (args.out / f"check-{library.name}.md").write_text("\n".join(lines) + "\n", encoding="utf-8")
        (args.out / f"check-{library.name}.json").write_text(json.dumps(results, indent=1) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
