"""What users wait for, whole processes: ``python -m benchmarks.cli_bench LIBRARY [--runs N]``.

Times the commands as a user runs them, each in a fresh process (interpreter start and imports
included), ``--runs`` times, and prints a markdown table of the minimum and the median with the
peak memory: ``graphkit --help``; ``graphkit query LIBRARY hubs`` without a kept query store
(cold) and with one (warm), and a query that reads almost nothing (``ASK``: what every run
costs); ``graphkit serve LIBRARY`` until both its map page and its SPARQL endpoint answer, with
and without a kept store. Beside them, the floors: the interpreter starting, and the
``oxigraph`` program answering the same queries and serving the same store on its own.

The parsed records stay cached throughout (a "cold" run rebuilds the query store, as after a
change to one file of the library); everything lives in a temporary cache folder.
"""

from __future__ import annotations

import argparse
import os
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable
from pathlib import Path

BIN = Path(sys.executable).parent
QUERY = "hubs"
ASK = "ASK { ?s ?p ?o }"
READY_SECONDS = 120.0


def _program(name: str) -> list[str]:
    """The console script ``name`` beside this Python (as a user runs it), else ``python -m``."""
    script = BIN / name
    if script.is_file():
        return [str(script)]
    if name == "graphkit":
        return [sys.executable, "-m", "graphkit"]
    found = shutil.which(name)
    if found is None:
        raise SystemExit(f"{name} is not installed (pip install oxigraph)")
    return [found]


def _wait(process: subprocess.Popen[bytes]) -> tuple[int, float]:
    """Reap ``process``: its exit code and its peak resident memory in MB (children's not included)."""
    _, status, usage = os.wait4(process.pid, 0)
    process.returncode = os.waitstatus_to_exitcode(status)
    scale = 1 if sys.platform == "darwin" else 1024  # ru_maxrss is in bytes on macOS, KiB on Linux
    return process.returncode, usage.ru_maxrss * scale / 1e6


def run_command(
    command: list[str], env: dict[str, str], accept: Callable[[int], bool] = lambda code: code == 0
) -> tuple[float, float]:
    """Run ``command`` to its end: seconds and peak MB. Its output is thrown away; an exit code
    that ``accept`` refuses (any but 0 by default) stops the benchmark."""
    with tempfile.TemporaryFile() as err:
        start = time.perf_counter()
        process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=err, env=env)
        code, peak = _wait(process)
        seconds = time.perf_counter() - start
        if not accept(code):
            err.seek(0)
            raise SystemExit(f"{' '.join(command)} failed ({code}):\n{err.read().decode(errors='replace')[-2000:]}")
    return seconds, peak


def _answers(urls: list[str]) -> bool:
    """Whether every URL answers with 200: a page, or a SPARQL endpoint (asked an ASK query)."""
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    for url in urls:
        if url.endswith(("/sparql", "/query")):
            url += "?" + urllib.parse.urlencode({"query": ASK})
        request = urllib.request.Request(url, headers={"Accept": "application/sparql-results+json, text/html"})
        try:
            with opener.open(request, timeout=5) as response:
                response.read()
                if response.status != 200:
                    return False
        except (urllib.error.URLError, OSError):
            return False
    return True


def run_server(
    command: list[str], env: dict[str, str], endpoint: Callable[[str], list[str] | None]
) -> tuple[float, float]:
    """Start a server and time it until it answers; then stop it. Seconds and peak MB.

    ``endpoint`` reads the URLs that must answer from a line the server prints (None for other lines).
    """
    start = time.perf_counter()
    process = subprocess.Popen(
        command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, env=env, start_new_session=True
    )
    assert process.stdout is not None
    seconds, printed = None, []
    try:
        url = None
        for raw in process.stdout:
            line = raw.decode(errors="replace").rstrip()
            printed.append(line)
            url = endpoint(line)
            if url is not None:
                break
        if url is None:
            raise SystemExit(f"{' '.join(command)} stopped before serving:\n" + "\n".join(printed[-20:]))
        deadline = start + READY_SECONDS
        while time.perf_counter() < deadline and process.poll() is None:
            if _answers(url):
                seconds = time.perf_counter() - start
                break
            time.sleep(0.01)
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGTERM)
        process.stdout.close()
        _, peak = _wait(process)
    if seconds is None:
        raise SystemExit(f"{' '.join(command)} did not answer within {READY_SECONDS:g} s")
    return seconds, peak


def _graphkit_endpoint(line: str) -> list[str] | None:
    # graphkit serve prints "map     http://127.0.0.1:PORT/", then "SPARQL  http://127.0.0.1:PORT/sparql"
    if not line.startswith("SPARQL "):
        return None
    sparql = line.split()[1]
    return [sparql.removesuffix("sparql"), sparql]


def _free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _remove_stores(cache: Path) -> None:
    """Remove the query stores graphkit keeps in ``cache`` (the parsed records stay)."""
    for path in cache.glob("store*"):
        if path.is_dir():
            shutil.rmtree(path)


def measure(runs: int, timed: Callable[[], tuple[float, float]], before: Callable[[], None] | None = None) -> dict:
    times, peaks = [], []
    for _ in range(runs):
        if before is not None:
            before()
        seconds, peak = timed()
        times.append(seconds)
        peaks.append(peak)
    return {"min": min(times), "median": statistics.median(times), "peak_mb": max(peaks), "runs": times}


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.cli_bench", description=__doc__.split("\n\n")[0])
    parser.add_argument("library", type=Path, help="the library folder")
    parser.add_argument("--runs", type=int, default=5, help="fresh processes per figure (default 5)")
    parser.add_argument("--skip", default="", help="figures to leave out, comma-separated: help, query, serve")
    args = parser.parse_args(argv)
    skip = set(filter(None, args.skip.split(",")))
    graphkit, oxigraph = _program("graphkit"), _program("oxigraph")
    library = str(args.library.resolve())
    rows: list[tuple[str, dict]] = []

    with tempfile.TemporaryDirectory(prefix="graphkit-cli-bench-") as tmp:
        cache = Path(tmp) / "cache"
        env = {**os.environ, "GRAPHKIT_CACHE_DIR": str(cache)}
        env.pop("GRAPHKIT_WORKERS", None)
        env.pop("PYTHONDONTWRITEBYTECODE", None)  # compiled modules kept, as an installed package has them

        def say(label: str, figure: dict) -> None:
            rows.append((label, figure))
            print(f"  {label:<60} min {figure['min']:.3f} s  median {figure['median']:.3f} s", file=sys.stderr)

        if "help" not in skip:
            say("floor: `python -c pass`", measure(args.runs, lambda: run_command([sys.executable, "-c", "pass"], env)))
            say("`graphkit --help`", measure(args.runs, lambda: run_command([*graphkit, "--help"], env)))

        # Parse the library once: the records stay cached for every figure below.
        run_command([*graphkit, "query", library, QUERY], env)
        # The floor's own store, loaded by the oxigraph program from graphkit's export.
        export = Path(tmp) / "library.nt"
        run_command([*graphkit, "export", library, "-f", "ntriples", "--with-ontology", "-o", str(export)], env)
        store = Path(tmp) / "oxigraph-store"
        run_command([*oxigraph, "load", "--location", str(store), "--file", str(export)], env)
        from graphkit.query import get_query

        query_text = get_query(QUERY).text

        if "query" not in skip:
            query = [*graphkit, "query", library, QUERY]
            say(
                f"`graphkit query LIB {QUERY}`, cold (no kept store)",
                measure(args.runs, lambda: run_command(query, env), before=lambda: _remove_stores(cache)),
            )
            run_command(query, env)
            say(f"`graphkit query LIB {QUERY}`, warm (store kept)", measure(args.runs, lambda: run_command(query, env)))
            floor = [*oxigraph, "query", "--location", str(store), "--query", query_text, "--results-format", "tsv"]
            say(
                f"floor: `oxigraph query` of {QUERY} on a store on disk",
                measure(args.runs, lambda: run_command(floor, env)),
            )
            ask = [*graphkit, "query", library, ASK]
            say(f"`graphkit query LIB '{ASK}'`, warm (store kept)", measure(args.runs, lambda: run_command(ask, env)))
            floor_ask = [*oxigraph, "query", "--location", str(store), "--query", ASK, "--results-format", "tsv"]
            say(
                f"floor: `oxigraph query` of `{ASK}` on a store on disk",
                measure(args.runs, lambda: run_command(floor_ask, env)),
            )

        if "serve" not in skip:
            serve = [*graphkit, "serve", library, "--port", "0"]
            say(
                "`graphkit serve LIB` until the map and /sparql answer, cold (no kept store)",
                measure(
                    args.runs,
                    lambda: run_server(serve, env, _graphkit_endpoint),
                    before=lambda: _remove_stores(cache),
                ),
            )
            run_command([*graphkit, "query", library, QUERY], env)  # keeps the store
            say(
                "`graphkit serve LIB` until the map and /sparql answer, warm (store kept)",
                measure(args.runs, lambda: run_server(serve, env, _graphkit_endpoint)),
            )

            def oxigraph_serve() -> tuple[float, float]:
                bind = f"127.0.0.1:{_free_port()}"
                command = [*oxigraph, "serve-read-only", "--location", str(store), "--bind", bind]
                url = f"http://{bind}/query"
                return run_server(command, env, lambda line: [url])

            say("floor: `oxigraph serve-read-only` on a store on disk", measure(args.runs, oxigraph_serve))

    print(f"\n{args.runs} fresh processes per figure; `{Path(library).name}`; seconds.\n")
    print("| command | min | median | peak memory |")
    print("|---|---:|---:|---:|")
    for label, figure in rows:
        print(f"| {label} | {figure['min']:.3f} s | {figure['median']:.3f} s | {figure['peak_mb']:.0f} MB |")


if __name__ == "__main__":
    main()
