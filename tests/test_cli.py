"""The CLI: output, JSON shape and exit codes."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
from click.testing import CliRunner

from graphkit.cli import cli

from .test_load import BAD_FILES


def run(*args: str):
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


def test_stats_json(fixture_root):
    result = run("stats", str(fixture_root), "--format", "json")
    assert result.exit_code == 0
    data = json.loads(result.output)
    assert data["patterns"] == 4
    assert data["edges"] == 9
    assert data["inferred_edges"] == 1
    assert data["edges_by_relation"]["enables"] == 2
    assert data["problems_by_kind"]["dangling-reference"] == 2


def test_stats_text_on_sample():
    result = run("stats")
    assert result.exit_code == 0
    assert result.output.splitlines()[0] == "patterns            37"
    assert "bottom-up-adoption" not in result.output  # isolated: not among the most connected


def test_check_text_exit_1_on_errors(fixture_root):
    result = run("check", str(fixture_root))
    assert result.exit_code == 1
    lines = result.output.splitlines()
    assert (
        lines[0]
        == "alpha.md: error: related names 'missing-pattern', which is no pattern's slug or id [dangling-reference]"
    )
    assert lines[-1] == "4 files, 4 patterns: 1 errors, 4 warnings"


def test_check_json(fixture_root):
    result = run("check", str(fixture_root), "-f", "json")
    assert result.exit_code == 1
    data = json.loads(result.output)
    assert (data["errors"], data["warnings"], data["files"], data["patterns"]) == (1, 4, 4, 4)
    assert data["problems"][0] == {
        "path": "alpha.md",
        "kind": "dangling-reference",
        "severity": "error",
        "message": "related names 'missing-pattern', which is no pattern's slug or id",
        "slug": "alpha",
        "relation": "related",
        "target": "missing-pattern",
    }


@pytest.fixture
def warnings_only(tmp_path):
    (tmp_path / "a.md").write_text("---\nslug: a\ntitle: A\nrelated: [b]\n---\n")
    (tmp_path / "b.md").write_text("---\nslug: b\ntitle: B\n---\n")
    return tmp_path


def test_check_warnings_pass_unless_strict(warnings_only):
    assert run("check", str(warnings_only)).exit_code == 0
    strict = run("check", str(warnings_only), "--strict")
    assert strict.exit_code == 1
    assert strict.output.splitlines()[-1] == "2 files, 2 patterns: 0 errors, 1 warnings"


def test_check_clean_library(tmp_path):
    (tmp_path / "a.md").write_text("---\nslug: a\ntitle: A\n---\n")
    result = run("check", str(tmp_path), "--strict")
    assert (result.exit_code, result.output) == (0, "1 files, 1 patterns: 0 errors, 0 warnings\n")


def test_check_bad_folder_one_line_per_problem_no_traceback(tmp_path):
    for name, data in BAD_FILES.items():
        (tmp_path / name).write_bytes(data)
    proc = subprocess.run(
        [sys.executable, "-m", "graphkit", "check", str(tmp_path)], capture_output=True, text=True, timeout=60
    )
    assert proc.returncode == 1
    assert "Traceback" not in proc.stdout + proc.stderr
    assert len(proc.stdout.splitlines()) == 9  # 8 problems and the summary


def test_bad_configuration_is_an_error_line(tmp_path):
    (tmp_path / "graphkit.toml").write_text("nope = 1\n")
    result = CliRunner().invoke(cli, ["stats", str(tmp_path)])
    assert result.exit_code == 1
    assert result.output.startswith("Error: graphkit.toml: unknown key 'nope'")


def test_missing_root_is_a_usage_error(tmp_path):
    result = CliRunner().invoke(cli, ["stats", str(tmp_path / "nope")])
    assert result.exit_code == 2
    assert "does not exist" in result.output


def test_python_m_graphkit_version():
    proc = subprocess.run([sys.executable, "-m", "graphkit", "--version"], capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0
    assert proc.stdout.startswith("graphkit, version ")


@pytest.mark.corpus
def test_corpus_stats_and_check_json(corpus_root):
    stats = json.loads(run("stats", str(corpus_root), "-f", "json").output)
    assert (stats["patterns"], stats["edges"]) == (1587, 3299)
    result = run("check", str(corpus_root), "-f", "json")
    assert result.exit_code == 1
    dangling = {
        (p["slug"], p["relation"], p["target"])
        for p in json.loads(result.output)["problems"]
        if p["kind"] == "dangling-reference"
    }
    assert len(dangling) == 286


def test_cache_dir_and_no_cache(fixture_root, tmp_path):
    cache = tmp_path / "cache"
    assert run("--no-cache", "--cache-dir", str(cache), "stats", str(fixture_root)).exit_code == 0
    assert not cache.exists()
    assert run("--cache-dir", str(cache), "stats", str(fixture_root)).exit_code == 0
    assert [f.suffix for f in cache.iterdir()] == [".pickle"]
