"""The linters pass: ruff on the whole project, mypy on the package (both in the ``test`` extra).

Run as tests, so that the README's test command, and CI with it, runs them too.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent


def tool(name: str) -> str:
    """A linter installed beside this Python (the README's venv is never activated)."""
    path = Path(sys.executable).parent / name
    if not path.is_file():
        pytest.fail(f"{name} is not installed beside {sys.executable} (pip install '.[test]')")
    return str(path)


def test_ruff_finds_nothing():
    done = subprocess.run(
        [tool("ruff"), "check", "--no-cache", "."], cwd=REPO, capture_output=True, text=True, timeout=300
    )
    assert done.returncode == 0, done.stdout + done.stderr


def test_mypy_finds_nothing(tmp_path):
    done = subprocess.run(
        [tool("mypy"), "--cache-dir", str(tmp_path / "mypy"), "graphkit"],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == 0, done.stdout + done.stderr
