"""The SPARQL server behind ``graphkit serve``: ``oxigraph serve-read-only`` as a child process on loopback.

The library's triples are bulk-loaded into a temporary folder with ``oxigraph load`` (or a store
kept on disk is given, see ``graphkit.query.open_store``), then served read-only on a free port
of 127.0.0.1. The child runs in its own process group, is stopped by
``stop()`` (SIGTERM, then SIGKILL), and on Linux also dies with its parent. Oxigraph does not stop
every query at its timeout (a sort of a large join runs on), so a query whose answer is given up
is stopped by ``restart()``: a new child on the same store, which opens in milliseconds.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pyoxigraph as ox

from ..errors import ServeError

__all__ = ["OxigraphServer", "find_oxigraph"]

_READY_SECONDS = 20.0
_LOAD_SECONDS = 600.0
_STOP_SECONDS = 5.0


def find_oxigraph() -> str:
    """The path of the ``oxigraph`` program (from the ``oxigraph`` package on PyPI).

    Looked up on ``PATH``, then beside the running Python (a virtual environment used without
    activating it). ``ServeError`` names the extra to install when it is missing.

    Examples
    --------
    >>> Path(find_oxigraph()).name.startswith("oxigraph")
    True
    """
    found = shutil.which("oxigraph")
    if found is None:
        beside = Path(sys.executable).parent / ("oxigraph.exe" if os.name == "nt" else "oxigraph")
        found = str(beside) if beside.is_file() and os.access(beside, os.X_OK) else None
    if found is None:
        raise ServeError(
            "the oxigraph SPARQL server is not installed (pip install 'graphkit[serve]', or pip install oxigraph)"
        )
    return found


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _die_with_parent() -> None:  # pragma: no cover - runs in the child between fork and exec
    os.setsid()
    try:
        import ctypes

        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass


class OxigraphServer:
    """A read-only Oxigraph SPARQL server holding ``triples``, on 127.0.0.1 at a free port.

    With ``location`` (the folder of a store on disk), that store is served and ``triples`` are
    not read; Oxigraph only reads it. Use as a context manager, or call ``start()`` and
    ``stop()``; ``stop()`` is safe to call twice and removes the temporary folder.

    Examples
    --------
    >>> t = ox.Triple(ox.NamedNode("https://example.org/a"), ox.NamedNode("https://example.org/b"), ox.Literal("c"))
    >>> with OxigraphServer([t]) as server:
    ...     server.url.startswith("http://127.0.0.1:"), server.process.poll() is None
    (True, True)
    >>> server.process.poll() is not None
    True
    """

    def __init__(
        self,
        triples: Sequence[ox.Triple] = (),
        program: str | None = None,
        timeout: float = 60.0,
        location: str | os.PathLike[str] | None = None,
    ) -> None:
        self.triples, self.program, self.timeout = triples, program, timeout
        self.location = None if location is None else Path(location)
        self.process: subprocess.Popen[bytes] | None = None
        self.url = ""
        self._folder: Path | None = None  # the log, and the store loaded from ``triples``
        self._store: Path | None = None  # the store served
        self._program = ""
        self._restarting = threading.Lock()
        # On Linux the child dies with the thread that started it (PR_SET_PDEATHSIG), so every
        # child is started by this one thread, which lives as long as the server.
        self._launcher: ThreadPoolExecutor | None = None

    def __enter__(self) -> OxigraphServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def query_url(self) -> str:
        return self.url + "/query"

    def start(self) -> OxigraphServer:
        self._program = self.program or find_oxigraph()
        self._folder = Path(tempfile.mkdtemp(prefix="graphkit-serve-"))
        try:
            self._store = self.location or self._folder / "db"
            if self.location is None:
                self._load(self._program)
            self._launcher = ThreadPoolExecutor(max_workers=1, thread_name_prefix="graphkit-oxigraph")
            self._launcher.submit(self._run).result()
            return self
        except BaseException:
            self.stop()
            raise

    def _run(self) -> None:
        for _attempt in range(3):  # a free port can be taken between finding and binding it
            if self._launch(self._program, _free_port()):
                return
        raise ServeError(f"oxigraph serve did not start ({self._log_tail()})")

    def restart(self, process: subprocess.Popen[bytes] | None) -> None:
        """Stop ``process`` (a query on it was given up) and serve the same store from a new child.

        Several threads may give up on the same child at once: only the first restarts it.
        """
        with self._restarting:
            if process is None or process is not self.process or self._launcher is None:
                return
            self._terminate()
            self._launcher.submit(self._run).result()  # type: ignore[union-attr]

    def _load(self, program: str) -> None:
        assert self._folder is not None
        data = self._folder / "library.nt"
        ox.serialize(list(self.triples), output=str(data), format=ox.RdfFormat.N_TRIPLES)
        try:
            done = subprocess.run(
                [program, "load", "--location", str(self._store), "--file", str(data)],
                capture_output=True,
                timeout=_LOAD_SECONDS,
                check=False,
            )
        except (OSError, subprocess.TimeoutExpired) as err:
            raise ServeError(f"oxigraph load failed ({err})") from err
        if done.returncode != 0:
            lines = done.stderr.decode("utf-8", "replace").strip().splitlines() or ["no message"]
            raise ServeError(f"oxigraph load failed ({lines[-1]})")
        data.unlink()

    def _launch(self, program: str, port: int) -> bool:
        assert self._folder is not None
        bind = f"127.0.0.1:{port}"
        command = [program, "serve-read-only", "--location", str(self._store), "--bind", bind]
        command += ["--timeout-s", f"{max(1, round(self.timeout))}"]
        with open(self._folder / "oxigraph.log", "wb") as log:
            try:
                self.process = subprocess.Popen(
                    command,
                    stdin=subprocess.DEVNULL,
                    stdout=log,
                    stderr=subprocess.STDOUT,
                    preexec_fn=_die_with_parent if sys.platform.startswith("linux") else None,  # noqa: PLW1509
                    start_new_session=not sys.platform.startswith("linux"),
                )
            except OSError as err:
                raise ServeError(f"cannot run {program} ({err.strerror or err})") from err
        self.url = f"http://{bind}"
        opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
        deadline = time.monotonic() + _READY_SECONDS
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                return False
            try:
                with opener.open(self.url + "/", timeout=1):
                    return True
            except (urllib.error.URLError, OSError):
                time.sleep(0.05)
        self._terminate()
        raise ServeError(f"oxigraph serve did not answer on {self.url} within {_READY_SECONDS:g} s")

    def _log_tail(self) -> str:
        try:
            lines = (self._folder / "oxigraph.log").read_text("utf-8", "replace").strip().splitlines()  # type: ignore[operator]
        except OSError:
            lines = []
        return lines[-1] if lines else "no message"

    def _terminate(self) -> None:
        process = self.process
        if process is None or process.poll() is not None:
            return
        for sig in (signal.SIGTERM, getattr(signal, "SIGKILL", signal.SIGTERM)):
            try:
                os.killpg(process.pid, sig)  # the child leads its own process group
            except (AttributeError, ProcessLookupError, PermissionError):
                process.terminate() if sig == signal.SIGTERM else process.kill()
            try:
                process.wait(timeout=_STOP_SECONDS)
                return
            except subprocess.TimeoutExpired:
                continue

    def stop(self) -> None:
        """Stop the server (SIGTERM, then SIGKILL after 5 s) and remove its temporary folder."""
        try:
            self._terminate()
        finally:
            if self._launcher is not None:
                self._launcher.shutdown(wait=False)
                self._launcher = None
            if self._folder is not None:
                shutil.rmtree(self._folder, ignore_errors=True)
                self._folder = None
