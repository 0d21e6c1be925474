"""run_shared: every job runs once, results come back in job order, large results intact."""

import multiprocessing
import os
import sys
import time

import pytest

from graphkit.parallel import _PIPE_SIZE, _widen, can_fork, run_shared

needs_fork = pytest.mark.skipif(not can_fork(), reason="helpers are forked processes")


@needs_fork
def test_results_come_back_in_job_order_from_every_process(tmp_path):
    # Each job leaves its process's id and waits (10 s at most) until two processes have
    # left theirs: so at least two processes run jobs.
    def job(i):
        (tmp_path / str(os.getpid())).touch()
        deadline = time.monotonic() + 10
        while len(list(tmp_path.iterdir())) < 2 and time.monotonic() < deadline:
            time.sleep(0.005)
        return i, os.getpid()

    results = run_shared([lambda i=i: job(i) for i in range(40)], workers=3)
    assert [i for i, _ in results] == list(range(40))
    pids = {pid for _, pid in results}
    assert len(pids) >= 2
    assert [c for c in multiprocessing.active_children() if c.name == "graphkit-helper"] == []


@needs_fork
def test_results_larger_than_a_pipe_arrive_whole_while_this_process_is_busy():
    # Each helper result is several times the pipe's size; this process is meanwhile
    # running jobs of its own, so its thread empties the pipes only between them.
    def big(i):
        return bytes([i]) * (3 * _PIPE_SIZE + i)

    def busy(i):
        sum(range(200_000))
        return big(i)

    jobs = [lambda i=i: busy(i) for i in range(12)]
    results = run_shared(jobs, workers=2)
    assert [len(r) for r in results] == [3 * _PIPE_SIZE + i for i in range(12)]
    assert all(r == bytes([i]) * len(r) for i, r in enumerate(results))


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="F_SETPIPE_SZ is Linux's")
def test_a_helper_pipe_is_widened_to_one_mebibyte():
    import fcntl

    receive, send = multiprocessing.Pipe(duplex=False)
    try:
        assert fcntl.fcntl(send.fileno(), fcntl.F_GETPIPE_SZ) == 65536
        _widen(send)
        assert fcntl.fcntl(send.fileno(), fcntl.F_GETPIPE_SZ) == _PIPE_SIZE == 1 << 20
    finally:
        receive.close()
        send.close()


def test_one_worker_runs_the_jobs_here_in_order():
    parent = os.getpid()
    assert run_shared([lambda: 1, lambda: os.getpid() == parent, lambda: 3], workers=1) == [1, True, 3]
