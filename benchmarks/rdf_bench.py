"""Benchmark (not a test): graphkit's RDF export and SPARQL against rdflib's own, on a real library.

    python benchmarks/rdf_bench.py [LIBRARY]   # default: ../shared/corpus/commons-os-patterns-2026-02-17

Prints a Markdown table. Times are the best of a few runs; an rdflib query that takes longer
than the limit is stopped and shown as "> limit".
"""

from __future__ import annotations

import multiprocessing as mp
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from graphkit import load_library  # noqa: E402
from graphkit.query import find_queries, load_store, query  # noqa: E402
from graphkit.rdf import PREFIXES, to_rdflib, to_triples, to_turtle  # noqa: E402

LIMIT = 60.0


def best(fn, runs=3):
    times = []
    for _ in range(runs):
        t = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - t)
    return min(times), result


def _rdflib_query(graph, text, out):
    t = time.perf_counter()
    rows = len(list(graph.query(text, initNs=PREFIXES)))
    out.put((time.perf_counter() - t, rows))


def rdflib_query(graph, text):
    """rdflib's SPARQL in a forked process, so a query that runs for minutes can be stopped."""
    ctx = mp.get_context("fork")
    out = ctx.Queue()
    proc = ctx.Process(target=_rdflib_query, args=(graph, text, out))
    proc.start()
    proc.join(LIMIT)
    if proc.is_alive():
        proc.kill()
        proc.join()
        return None, None
    return out.get()


def main() -> None:
    root = Path(sys.argv[1]) if len(sys.argv) > 1 else REPO.parent / "shared/corpus/commons-os-patterns-2026-02-17"
    t = time.perf_counter()
    lib = load_library(root)
    load = time.perf_counter() - t
    G = lib.graph
    triples = len(to_triples(G))
    ours, text = best(lambda: to_turtle(G))
    build, graph = best(lambda: to_rdflib(G), runs=1)
    theirs, _ = best(lambda: graph.serialize(format="turtle"), runs=1)

    print(f"Library: {root} — {G.number_of_nodes()} patterns, {G.number_of_edges()} edges, {triples} triples; "
          f"loading the library took {load:.2f} s.\n")  # fmt: skip
    print("| step | graphkit (pyoxigraph) | rdflib | speed-up |")
    print("|---|---:|---:|---:|")
    print(f"| graph -> Turtle ({len(text) / 1e6:.1f} MB) | {ours:.3f} s | {theirs:.3f} s | {theirs / ours:.0f}x |")
    store_time, store = best(lambda: load_store(G), runs=1)
    print(f"| load into a store | {store_time:.3f} s (pyoxigraph Store) | {build:.3f} s (rdflib Graph) | |")
    for name, q in find_queries().items():
        mine, result = best(lambda q=q: query(store, q.text))
        seconds, rows = rdflib_query(graph, q.text)
        if seconds is None:
            slow = f"> {LIMIT:.0f} s | > {LIMIT / mine:.0f}x"
            print(f"| query `{name}` ({len(result)} rows) | {mine * 1000:.1f} ms | {slow} |")
            continue
        same = "" if rows == len(result) else f" (rdflib: {rows} rows)"
        print(f"| query `{name}` ({len(result)} rows){same} | {mine * 1000:.1f} ms | {seconds * 1000:.1f} ms "
              f"| {seconds / mine:.0f}x |")  # fmt: skip


if __name__ == "__main__":
    main()
