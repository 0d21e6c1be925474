"""read_in_processes: the files shared among worker processes, results in order, no worker left behind."""

import multiprocessing
import os
import sys
import threading

import pytest

from graphkit.load.parallel import read_in_processes, worker_context

PARENT = os.getpid()
FILES = [f"p{i:03}.md" for i in range(300)]


def upper(files):
    return [name.upper() for name in files]


def upper_and_where(files):
    return [(name.upper(), os.getpid()) for name in files]


def dies_in_a_worker(files):
    if os.getpid() != PARENT and "p100.md" in files:
        os._exit(3)
    return upper(files)


def fails(files):
    if "p100.md" in files:
        raise RuntimeError("a bug")
    return upper(files)


def test_results_come_back_in_order_from_the_workers():
    results = read_in_processes(upper_and_where, FILES, workers=2)
    assert [name for name, _ in results] == upper(FILES)
    assert PARENT not in {pid for _, pid in results}
    assert multiprocessing.active_children() == []


def test_a_worker_that_dies_loses_no_file():
    assert read_in_processes(dies_in_a_worker, FILES, workers=2) == upper(FILES)
    assert multiprocessing.active_children() == []


def test_an_error_in_a_worker_is_raised_here_and_no_worker_is_left():
    with pytest.raises(RuntimeError, match="a bug"):
        read_in_processes(fails, FILES, workers=2)
    assert multiprocessing.active_children() == []


def test_one_worker_or_a_small_library_reads_here():
    assert read_in_processes(upper_and_where, FILES, workers=1) == [(name, PARENT) for name in upper(FILES)]
    assert {pid for _, pid in read_in_processes(upper_and_where, FILES[:10])} == {PARENT}


@pytest.mark.skipif(
    sys.platform == "darwin" or "fork" not in multiprocessing.get_all_start_methods(), reason="workers are spawned"
)
def test_workers_are_forked_only_while_no_other_thread_runs():
    # A thread (a notebook kernel's, a server's) may hold a lock a forked worker would inherit held.
    if threading.active_count() == 1:
        assert worker_context().get_start_method() == "fork"
    stop = threading.Event()
    other = threading.Thread(target=stop.wait)
    other.start()
    try:
        assert worker_context().get_start_method() == "spawn"
        assert read_in_processes(upper, FILES, workers=2) == upper(FILES)
    finally:
        stop.set()
        other.join()
