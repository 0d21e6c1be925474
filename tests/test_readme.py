"""The README's promises: its two set-up commands run from a clean copy, and it documents every command."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from graphkit.cli import cli

REPO = Path(__file__).resolve().parent.parent
README = (REPO / "README.md").read_text(encoding="utf-8")


def two_commands() -> list[str]:
    section = README.split("## Two commands", 1)[1].split("\n## ", 1)[0]
    return re.findall(r"```bash\n(.+?)\n```", section, re.S)


def clean_copy(dest: Path) -> Path:
    """The tracked files of the repository, as a fresh clone would have them (plus uncommitted edits)."""
    files = (
        subprocess.run(
            ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
            cwd=REPO,
            capture_output=True,
            check=True,
        )
        .stdout.decode()
        .split("\0")
    )
    for name in filter(None, files):
        src = REPO / name
        if src.is_file():
            (dest / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(src, dest / name)
    return dest


def test_readme_has_two_commands():
    commands = two_commands()
    assert len(commands) == 2
    assert "pip install" in commands[0] and "graphkit" in commands[0]
    assert "pip install" in commands[1] and "pytest" in commands[1]


def test_ci_runs_the_readme_test_command():
    assert two_commands()[1] in (REPO / ".ci" / "run").read_text()


def test_every_command_is_documented():
    for name, command in cli.commands.items():
        assert f"graphkit {name}" in README, f"the README does not mention `graphkit {name}`"
        assert command.help, f"`graphkit {name}` has no help"


@pytest.mark.slow
@pytest.mark.skipif(shutil.which("git") is None, reason="needs git to list the tracked files")
def test_first_command_runs_from_a_clean_copy(tmp_path):
    work = clean_copy(tmp_path / "repo")
    proc = subprocess.run(
        ["bash", "-c", two_commands()[0]],
        cwd=work,
        capture_output=True,
        text=True,
        timeout=900,
        env={**os.environ, "PIP_DISABLE_PIP_VERSION_CHECK": "1"},
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert "Traceback" not in proc.stderr


@pytest.mark.slow
@pytest.mark.skipif(os.environ.get("GRAPHKIT_INNER_README_RUN") == "1", reason="already inside the README's test run")
def test_second_command_runs_from_a_clean_copy(tmp_path):
    # The full suite would run itself again; the same install and runner, on one quick file.
    work = clean_copy(tmp_path / "repo")
    command = two_commands()[1] + " tests/test_graph.py -q -p no:cacheprovider"
    proc = subprocess.run(
        ["bash", "-c", command],
        cwd=work,
        capture_output=True,
        text=True,
        timeout=900,
        env={**os.environ, "GRAPHKIT_INNER_README_RUN": "1", "PIP_DISABLE_PIP_VERSION_CHECK": "1"},
    )
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    assert re.search(r"\d+ passed", proc.stdout)
