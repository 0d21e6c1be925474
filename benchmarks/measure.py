"""One measurement in a fresh process: ``python -m benchmarks.measure NAME LIBRARY WORKDIR``.

Prints one JSON object: ``seconds`` (the timed part only; imports and set-up excluded) and
``peak_mb`` (the process's and its children's peak resident memory). Each measurement runs
in its own interpreter so that caches, imports and memory of one never help another.
"""

from __future__ import annotations

import json
import re
import resource
import sys
import time
from collections.abc import Callable
from pathlib import Path

MEASUREMENTS: dict[str, Callable[[Path, Path], Callable[[], object]]] = {}


def measurement(name: str):
    """Register ``setup(library, workdir) -> run``; only ``run()`` is timed."""

    def register(setup):
        MEASUREMENTS[name] = setup
        return setup

    return register


def _markdown_files(library: Path) -> list[Path]:
    return sorted(library.rglob("*.md"))


_BOUNDARY = re.compile(r"^-{3,}\s*$", re.M)


@measurement("floor")
def _floor(library, workdir):
    """The floor: split the frontmatter by hand and parse it with yaml.CSafeLoader, one process."""
    import yaml

    files = _markdown_files(library)

    def run():
        for path in files:
            text = path.read_text(encoding="utf-8-sig", errors="replace")
            parts = _BOUNDARY.split(text, 2)
            if len(parts) == 3:
                try:
                    yaml.load(parts[1], Loader=yaml.CSafeLoader)
                except yaml.YAMLError:
                    pass

    return run


@measurement("python-frontmatter")
def _python_frontmatter(library, workdir):
    """What a user would write first: frontmatter.load() on every file."""
    import frontmatter

    files = _markdown_files(library)

    def run():
        for path in files:
            try:
                frontmatter.load(path)
            except Exception:  # noqa: BLE001 - the baseline has no error handling of its own
                pass

    return run


@measurement("load")
def _load(library, workdir):
    """graphkit: files -> records -> graph with the problems report, no cache."""
    import graphkit

    return lambda: graphkit.load_library(library)


@measurement("load-1core")
def _load_one_core(library, workdir):
    import graphkit

    return lambda: graphkit.load_library(library, workers=1)


@measurement("load-warm")
def _load_warm(library, workdir):
    """graphkit with a cache from an earlier run and no file changed."""
    import graphkit

    cache = workdir / "cache-warm"
    graphkit.load_library(library, cache_dir=cache)
    # Files written within 2 s of a scan are read again on the next run (they may have
    # changed within the filesystem's timestamp granularity); a second scan settles them.
    time.sleep(2.1)
    primed = graphkit.load_library(library, cache_dir=cache)
    assert primed.from_cache > 0 or not primed.files

    def run():
        lib = graphkit.load_library(library, cache_dir=cache)
        return {"from_cache": lib.from_cache, "files": len(lib.files)}

    return run


@measurement("graph")
def _graph(library, workdir):
    """Linking and building the NetworkX graph from records already loaded."""
    from graphkit import build_graph, link_patterns
    from graphkit.load import load_patterns

    result = load_patterns(library)

    def run():
        edges, _ = link_patterns(result.patterns, result.config.vocabulary)
        return build_graph(result.patterns, result.config.vocabulary, edges)

    return run


def main(argv: list[str]) -> None:
    name, library, workdir = argv[0], Path(argv[1]), Path(argv[2])
    workdir.mkdir(parents=True, exist_ok=True)
    run = MEASUREMENTS[name](library, workdir)
    start = time.perf_counter()
    result = run()
    seconds = time.perf_counter() - start
    extra = result if isinstance(result, dict) else {}
    peak_kb = max(
        resource.getrusage(resource.RUSAGE_SELF).ru_maxrss, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    )
    print(json.dumps({"name": name, "seconds": seconds, "peak_mb": peak_kb / 1024, **extra}))


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    main(sys.argv[1:])
