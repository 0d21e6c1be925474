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


def test_bad_configuration_is_one_problem_line_and_the_rest_runs(tmp_path):
    (tmp_path / "graphkit.toml").write_text("nope = 1\n")
    (tmp_path / "a.md").write_text("---\nslug: a\ntitle: A\n---\n")
    result = CliRunner().invoke(cli, ["--no-cache", "check", str(tmp_path)])
    assert result.exit_code == 1
    assert result.output.splitlines() == [
        "graphkit.toml: error: unknown key 'nope' (known: exclude, max_file_size, max_frontmatter_size, page_url, "
        "patterns_dir, relations, severity) [bad-config]",
        "1 files, 1 patterns: 1 errors, 0 warnings",
    ]


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


# --------------------------------------------------------------------------- text from the library, on a terminal


@pytest.fixture
def escapes(tmp_path):
    """A library whose title and file name hold terminal escape sequences and a bidirectional override."""
    (tmp_path / "esc.md").write_text(
        '---\nslug: esc\ntitle: "\\e]0;pwned\\aEvil\\u202e \\x9b31m"\nrelated: [good]\n---\n'
    )
    (tmp_path / "good.md").write_text("---\nslug: good\ntitle: Good\nrelated: [esc]\n---\n")
    (tmp_path / "term\x1b[2J.md").write_text("---\nslug: term\n---\n")
    return tmp_path


def test_stats_check_and_query_show_control_characters_as_escapes(escapes):
    stats = run("stats", str(escapes))
    assert stats.output.splitlines()[-2:] == [
        "     2  esc  (\\x1b]0;pwned\\x07Evil\\u202e \\x9b31m)",
        "     2  good  (Good)",
    ]
    check = run("check", str(escapes))
    assert check.output.splitlines() == [
        "term\\x1b[2J.md: warning: no title; the file name 'term\\x1b[2J' is used instead [missing-title]",
        "3 files, 3 patterns: 0 errors, 1 warnings",
    ]
    query = run("query", str(escapes), "SELECT ?t WHERE { ?p skos:prefLabel ?t } ORDER BY ?t")
    assert query.output.splitlines()[2:] == ["\\x1b]0;pwned\\x07Evil\\u202e \\x9b31m", "Good", "term\\x1b[2J"]
    shown = stats.output + check.output + query.output
    assert not any(ch in shown for ch in "\x1b\x07\x9b\u202e")


def test_json_on_the_terminal_escapes_them_and_reads_back_the_same(escapes):
    result = run("stats", str(escapes), "-f", "json")
    assert '"title": "\\u001b]0;pwned\\u0007Evil\\u202e \\u009b31m"' in result.output
    assert json.loads(result.output)["most_connected"][0]["title"] == "\x1b]0;pwned\x07Evil\u202e \x9b31m"


def test_an_error_quoting_library_text_is_escaped(tmp_path):
    (tmp_path / "graphkit.toml").write_text('patterns_dir = "\\u001b[31mred\\nline"\n')
    result = CliRunner().invoke(cli, ["stats", str(tmp_path)])
    assert result.exit_code == 1
    assert result.output == f"Error: {tmp_path}/\\x1b[31mred\\nline: patterns_dir is not a folder\n"


# --------------------------------------------------------------------------- --follow-outside

LOADING_COMMANDS = ["stats", "check", "fields", "diff", "path", "export", "query", "view", "build", "push", "serve"]


def test_every_command_that_loads_a_library_takes_follow_outside():
    for name, command in cli.commands.items():
        has = any(p.name == "follow_outside" for p in command.params)
        assert has == (name in LOADING_COMMANDS), name


@pytest.fixture
def leaky(tmp_path):
    (tmp_path / "secret").mkdir()
    (tmp_path / "secret" / "s.md").write_text("---\nslug: s\ntitle: Secret title\nsummary: Secret summary\n---\n")
    lib = tmp_path / "lib"
    lib.mkdir()
    (lib / "good.md").write_text("---\nslug: good\ntitle: Good\n---\n")
    (lib / "leak.md").symlink_to(tmp_path / "secret" / "s.md")
    return lib


LEAK = "leak.md: error: a link to a file outside the library folder, not read (allow it with --follow-outside) [outside-library]"


def test_a_link_outside_is_read_only_with_follow_outside(leaky, tmp_path):
    check = run("check", str(leaky))
    assert (check.exit_code, check.output.splitlines()) == (1, [LEAK, "2 files, 1 patterns: 1 errors, 0 warnings"])
    followed = run("check", str(leaky), "--follow-outside")
    assert (followed.exit_code, followed.output) == (0, "2 files, 2 patterns: 0 errors, 0 warnings\n")

    query = "SELECT ?s WHERE { ?p skos:prefLabel ?s } ORDER BY ?s"
    assert run("query", str(leaky), query).output.splitlines()[2:] == ["Good"]
    assert run("query", str(leaky), query, "--follow-outside").output.splitlines()[2:] == ["Good", "Secret title"]
    for fmt in ("json", "turtle", "graphml"):
        assert "Secret" not in run("export", str(leaky), "-f", fmt).output, fmt
        assert "Secret summary" in run("export", str(leaky), "-f", fmt, "--follow-outside").output, fmt

    site = tmp_path / "site"
    assert run("build", str(leaky), "-o", str(site)).exit_code == 0
    assert not [p.name for p in site.iterdir() if "Secret" in p.read_text(encoding="utf-8")]
    assert run("build", str(leaky), "-o", str(site), "--follow-outside").exit_code == 0
    assert "Secret summary" in (site / "graph.json").read_text(encoding="utf-8")
