"""Run a list of jobs on every core: this process and forked helpers, each taking the next job.

Used by loading (chunks of files) and by the site (the exports). A forked helper inherits
everything this process has loaded, so nothing is pickled on the way in; only what a job
returns travels back. Jobs are taken in list order from a shared counter, so put the long
ones first and the cores finish together.
"""

from __future__ import annotations

import multiprocessing as mp
import multiprocessing.connection as mp_connection
import os
import pickle
import threading
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

try:
    import fcntl
except ImportError:  # pragma: no cover - not on POSIX
    fcntl = None  # type: ignore[assignment]

__all__ = ["cores", "can_fork", "run_shared"]

T = TypeVar("T")


def cores() -> int:
    """The cores this process may run on."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - not on Linux
        return os.cpu_count() or 1


def can_fork() -> bool:
    return "fork" in mp.get_all_start_methods()


def run_shared(jobs: Sequence[Callable[[], T]], workers: int) -> list[T]:
    """Run ``jobs`` here and in ``workers - 1`` forked helpers; give their results in job order.

    Each process takes the next job not yet taken. A helper sends each result as soon as it
    has it, and a thread here receives them meanwhile, so no helper waits on a full pipe.
    The jobs of a helper that dies are run here; if this process fails, the helpers
    are stopped. With one worker, or where processes cannot be forked, the jobs run here in
    order.

    Examples
    --------
    >>> run_shared([lambda: 1, lambda: 2, lambda: os.getpid() > 0], workers=2)
    [1, 2, True]
    """
    if workers <= 1 or len(jobs) < 2 or not can_fork():
        return [job() for job in jobs]
    ctx = mp.get_context("fork")
    counter = ctx.Value("i", 0)

    def take() -> int:
        with counter.get_lock():
            index = counter.value
            counter.value = index + 1
        return index

    def helper(send: Any) -> None:
        while (index := take()) < len(jobs):
            send.send_bytes(pickle.dumps((index, jobs[index]()), pickle.HIGHEST_PROTOCOL))
        send.close()

    helpers, pipes = [], []
    for _ in range(min(workers, len(jobs)) - 1):
        receive, send = ctx.Pipe(duplex=False)
        _widen(send)
        process = ctx.Process(target=helper, args=(send,), name="graphkit-helper", daemon=True)
        process.start()
        send.close()
        helpers.append(process)
        pipes.append(receive)
    done: dict[int, Any] = {}
    # A thread takes the helpers' results as they come (reading releases the GIL), so a
    # helper never waits on a full pipe while this process is busy with a long job.
    reader = threading.Thread(target=_receive, args=(pipes, done), name="graphkit-results", daemon=True)
    reader.start()
    try:
        while (index := take()) < len(jobs):
            done[index] = jobs[index]()
    except BaseException:
        for process in helpers:
            process.terminate()
        raise
    finally:
        reader.join()
        for process in helpers:
            process.join()
    for index, job in enumerate(jobs):
        if index not in done:  # taken by a helper that died before sending its result
            done[index] = job()
    return [done[index] for index in range(len(jobs))]


_PIPE_SIZE = 1 << 20  # bytes: Linux lets anyone widen a pipe to 1 MiB (/proc/sys/fs/pipe-max-size)


def _widen(connection: Any) -> None:
    """Let a helper's pipe hold up to ``_PIPE_SIZE`` bytes (64 KiB by default on Linux).

    The thread that empties it needs the GIL after each read, and while this process runs
    a job it gets the GIL only every few milliseconds (``sys.getswitchinterval``): through
    a narrow pipe, a helper sending a large result would wait that long, again and again.
    """
    if fcntl is None or not hasattr(fcntl, "F_SETPIPE_SZ"):  # not Linux: the default size works, slower
        return
    try:
        fcntl.fcntl(connection.fileno(), fcntl.F_SETPIPE_SZ, _PIPE_SIZE)
    except OSError:  # not allowed (a lower pipe-max-size): the same
        pass


def _receive(pipes: list[Any], done: dict[int, Any]) -> None:
    """Until every helper has finished (or died), put what each sends into ``done``."""
    while pipes:
        for receive in mp_connection.wait(pipes):
            try:
                index, result = pickle.loads(receive.recv_bytes())
            except (EOFError, OSError, pickle.UnpicklingError):  # the helper has finished (or died)
                pipes.remove(receive)
                receive.close()
            else:
                done[index] = result
