"""Stage 1, the one place that uses several cores: a large library's files are parsed in worker processes.

Parsing the YAML frontmatter is most of the cost of loading. From ``PARALLEL_FROM`` files,
chunks of files are read by a ``concurrent.futures.ProcessPoolExecutor`` with one worker per
core; the pool is shut down before the call returns.
"""

from __future__ import annotations

import multiprocessing
import os
import sys
import threading
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from multiprocessing.context import BaseContext
from typing import TypeVar

__all__ = ["CHUNK", "PARALLEL_FROM", "cores", "read_in_processes", "worker_context"]

T = TypeVar("T")

PARALLEL_FROM = 200  # files; below this, starting the workers costs more than they save
CHUNK = 64  # files per job at most: small enough that the workers finish close together


def cores() -> int:
    """The cores this process may run on."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - not on Linux
        return os.cpu_count() or 1


def read_in_processes(
    read: Callable[[Sequence[str]], list[T]], files: Sequence[str], workers: int | None = None
) -> list[T]:
    """``read(files)``, with the files shared among worker processes: one result per file, in order.

    ``read`` must be picklable (a function of a module, or a ``functools.partial`` of one).
    ``workers`` defaults to ``$GRAPHKIT_WORKERS``, else one per core from ``PARALLEL_FROM``
    files and none below. If a worker dies (killed, out of memory), the files whose results
    are missing are read here; an exception raised by ``read`` in a worker is raised here.

    Examples
    --------
    >>> read_in_processes(lambda files: [name.upper() for name in files], ["a.md", "b.md"], workers=1)
    ['A.MD', 'B.MD']
    """
    if workers is None:
        workers = int(os.environ.get("GRAPHKIT_WORKERS", 0)) or (cores() if len(files) >= PARALLEL_FROM else 1)
    if workers <= 1 or len(files) < 2:
        return read(files)
    size = max(1, min(CHUNK, len(files) // (workers * 16)))
    chunks = [files[i : i + size] for i in range(0, len(files), size)]
    results: list[T] = []
    with ProcessPoolExecutor(min(workers, len(chunks)), mp_context=worker_context()) as pool:
        try:
            for chunk in pool.map(read, chunks):
                results.extend(chunk)
        except BrokenProcessPool:
            results.extend(read(files[len(results) :]))
    return results


def worker_context() -> BaseContext:
    """How to start the workers: ``fork`` where it is safe, else ``spawn``.

    A forked worker starts at once and inherits what this process has imported. It also
    inherits every lock as it was at the fork: a lock held by another thread (in Jupyter's
    kernel, in a threaded server) stays held in the worker forever. So a process that runs
    other Python threads spawns fresh interpreters instead, as does macOS, whose system
    libraries are not safe to fork. Spawned workers are slower to start but, like forked
    ones, end with the call; ``forkserver`` would leave its server running after it.
    """
    if sys.platform != "darwin" and "fork" in multiprocessing.get_all_start_methods():
        if threading.active_count() == 1:
            return multiprocessing.get_context("fork")
    return multiprocessing.get_context("spawn")
