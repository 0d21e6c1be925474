"""One folder holding every input that once stopped a whole library, beside valid patterns.

Built by ``graphkit build`` and by the Python API: each input is one exact problem (or,
for a setting, one configuration error), the valid patterns are in the graph and the site
is written. Nothing outside the folder is read.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from click.testing import CliRunner

import graphkit
from graphkit.cli import cli
from graphkit.export import parse_graphml, parse_json, to_format
from graphkit.site import build_site

BIG = "9" * 5000
NUMBER = "an integer of more than 4,300 digits cannot be read (quote it to keep it as text) [bad-value]"

FILES = {
    "valid-a.md": "---\nslug: valid-a\ntitle: Valid A\nrelated: [valid-b, terminal-title]\n---\n",
    "valid-b.md": "---\nslug: valid-b\ntitle: Valid B\nrelated: [valid-a]\nrelationships:\n  implements: [valid-a]\n---\n",
    # (a number where text is expected, as in slug or version, is kept as the text written)
    "big-version.md": f"---\nslug: big-version\ntitle: Big version\nedition: {BIG}\n---\n",
    "big-slug.md": f"---\nrank: {BIG}\ntitle: Big slug\n---\n",
    "big-alias.md": f"---\nslug: big-alias\ntitle: Big alias\nx: &n {BIG}\nversion: *n\n---\n",
    "tag-int.md": "---\nslug: tag-int\ntitle: T\nversion: !!int abc\n---\n",
    "tag-float.md": "---\nslug: tag-float\ntitle: T\nversion: !!float abc\n---\n",
    "tag-bool.md": "---\nslug: tag-bool\ntitle: T\nversion: !!bool maybe\n---\n",
    "tag-timestamp.md": "---\nslug: tag-timestamp\ntitle: T\ncreated: !!timestamp notadate\n---\n",
    "inferred.md": (
        "---\nslug: inferred\ntitle: Inferred\nrelationships: {}\ngraph_garden:\n  inferred_links:\n"
        "    - {target: valid-a, relation: [enables, requires], confidence: 0.5}\n---\n"
    ),
    "control-slug.md": '---\nslug: "ctl\\x01slug"\ntitle: Control\nrelated: [valid-a]\n---\n',
    "terminal-title.md": '---\nslug: terminal-title\ntitle: "\\e[2J\\e]0;owned\\aTitle"\nrelated: [valid-a]\n---\n',
}

EXPECTED = [
    "\\xff.md: error: the file name is not valid UTF-8; it is not read (rename the file) [not-utf8]",
    "big-alias.md:4:4: error: " + NUMBER,
    "big-slug.md:2:7: error: " + NUMBER,
    "big-version.md:4:10: error: " + NUMBER,
    "control-slug.md: warning: slug 'ctl\\x01slug' holds control characters, which exports cannot carry; the file name 'control-slug' is used instead [bad-slug]",
    "control-slug.md: warning: 'control-slug' lists 'valid-a' under related, but 'valid-a' does not list 'control-slug' [one-sided-symmetric]",
    "folder-link/: warning: a link to a folder outside the library folder, not read (graphkit follows no links to folders) [outside-library]",
    "inferred.md: warning: an inferred link has the unknown relation ['enables', 'requires']; it is read as 'related' [unknown-relation]",
    "link.md: error: a link to a file outside the library folder, not read (allow it with --follow-outside) [outside-library]",
    "tag-bool.md:4:10: error: the value 'maybe' is not a valid !!bool (fix it, or remove the tag to keep it as text) [bad-value]",
    "tag-float.md:4:10: error: the value 'abc' is not a valid !!float (fix it, or remove the tag to keep it as text) [bad-value]",
    "tag-int.md:4:10: error: the value 'abc' is not a valid !!int (fix it, or remove the tag to keep it as text) [bad-value]",
    "tag-timestamp.md:4:10: error: the value 'notadate' is not a valid !!timestamp (fix it, or remove the tag to keep it as text) [bad-value]",
    "valid-b.md: warning: 'valid-b' implements 'valid-a', but 'valid-a' does not list 'valid-b' under implemented_by [one-sided-inverse]",
]  # fmt: skip
PATTERNS = ["control-slug", "inferred", "terminal-title", "valid-a", "valid-b"]
SECRET = "Secret summary"


@pytest.fixture
def hostile(tmp_path: Path) -> Path:
    outside = tmp_path / "outside"
    (outside / "folder").mkdir(parents=True)
    for path in (outside / "s.md", outside / "folder" / "t.md"):
        path.write_text(f"---\nslug: {path.stem}\ntitle: Secret title\nsummary: {SECRET}\n---\n")
    root = tmp_path / "library"
    root.mkdir()
    for name, text in FILES.items():
        (root / name).write_text(text, encoding="utf-8")
    with open(os.path.join(os.fsencode(root), b"\xff.md"), "wb") as f:
        f.write(b"---\nslug: not-utf8-name\ntitle: Not UTF-8\n---\n")
    (root / "link.md").symlink_to(outside / "s.md")
    (root / "folder-link").symlink_to(outside / "folder", target_is_directory=True)
    (root / "graphkit.toml").write_text('[relations.implements]\ninverse = "implemented_by"\n')
    return root


def check_site(site: Path) -> None:
    assert sorted(p.name for p in site.iterdir()) == [
        "graph.json", "graph.ttl", "index.html", "map.html", "problems.html", "problems.json", "sparql.html",
    ]  # fmt: skip
    report = json.loads((site / "problems.json").read_text(encoding="utf-8"))
    assert (report["files"], report["patterns"], report["errors"], report["warnings"]) == (14, 5, 9, 5)
    assert sorted(parse_json((site / "graph.json").read_text(encoding="utf-8"))) == PATTERNS
    for path in site.iterdir():
        assert SECRET not in path.read_text(encoding="utf-8"), path.name


def test_build_on_the_command_line(hostile, tmp_path):
    site = tmp_path / "site"
    result = CliRunner().invoke(cli, ["--no-cache", "build", str(hostile), "-o", str(site)], catch_exceptions=False)
    assert result.exit_code == 0
    assert result.stderr.splitlines()[-1] == (
        f"5 patterns, 7 relations, 9 errors, 5 warnings; open {site / 'index.html'}"
    )
    check_site(site)
    check = CliRunner().invoke(cli, ["--no-cache", "check", str(hostile)], catch_exceptions=False)
    assert check.exit_code == 1
    assert check.output.splitlines() == [*EXPECTED, "14 files, 5 patterns: 9 errors, 5 warnings"]
    stats = CliRunner().invoke(cli, ["--no-cache", "stats", str(hostile), "--top", "20"], catch_exceptions=False)
    assert "     2  terminal-title  (\\x1b[2J\\x1b]0;owned\\x07Title)" in stats.output.splitlines()
    assert "\x1b" not in stats.output and "\x07" not in stats.output


def test_build_with_the_python_api(hostile, tmp_path):
    library = graphkit.load_library(hostile)
    assert [str(p) for p in library.problems] == EXPECTED
    assert sorted(library.graph) == PATTERNS
    assert library.graph.nodes["terminal-title"]["title"] == "\x1b[2J\x1b]0;owned\x07Title"
    assert sorted(library.graph.edges(keys=True)) == [
        ("control-slug", "valid-a", "related"),
        ("inferred", "valid-a", "related:inferred"),
        ("terminal-title", "valid-a", "related"),
        ("valid-a", "terminal-title", "related"),
        ("valid-a", "valid-b", "related"),
        ("valid-b", "valid-a", "implements"),
        ("valid-b", "valid-a", "related"),
    ]
    for fmt in ("json", "graphml", "turtle"):
        assert SECRET not in to_format(library.graph, fmt), fmt
    assert sorted(parse_graphml(to_format(library.graph, "graphml"))) == PATTERNS
    result = build_site(hostile, tmp_path / "site")
    assert result.summary == {"patterns": 5, "relations": 7, "errors": 9, "warnings": 5}
    check_site(tmp_path / "site")


def test_every_export_on_the_command_line(hostile):
    for fmt in ("json", "graphml", "turtle", "ntriples", "jsonld"):
        result = CliRunner().invoke(cli, ["--no-cache", "export", str(hostile), "-f", fmt], catch_exceptions=False)
        assert result.exit_code == 0, fmt
        assert "valid-a" in result.output and SECRET not in result.output, fmt


def test_a_bad_setting_is_one_problem_and_the_site_is_built(hostile, tmp_path):
    (hostile / "graphkit.toml").write_text("[relations.implements]\ninverse = 5\n")
    result = CliRunner().invoke(cli, ["--no-cache", "build", str(hostile), "-o", str(tmp_path / "site")])
    assert result.exit_code == 0, result.output
    report = json.loads((tmp_path / "site" / "problems.json").read_text(encoding="utf-8"))
    assert {
        "path": "graphkit.toml",
        "kind": "bad-config",
        "severity": "error",
        "message": "relations.implements.inverse must be a string",
    } in report["problems"]


def test_a_patterns_dir_outside_the_library_is_one_configuration_error(hostile, tmp_path):
    # where the library is cannot be left out: nothing is read
    (hostile / "graphkit.toml").write_text('patterns_dir = "../outside"\n')
    message = (
        "graphkit.toml: patterns_dir '../outside' is outside the library folder, not read "
        "(allow it with --follow-outside)"
    )
    result = CliRunner().invoke(cli, ["--no-cache", "build", str(hostile), "-o", str(tmp_path / "site")])
    assert (result.exit_code, result.output) == (1, f"Error: {message}\n")
    assert not (tmp_path / "site").exists()
    with pytest.raises(graphkit.ConfigError) as info:
        graphkit.load_library(hostile)
    assert str(info.value) == message


def test_a_library_folder_whose_name_is_not_utf8_builds(tmp_path):
    root = os.path.join(os.fsencode(tmp_path), b"lib\xff")
    os.mkdir(root)
    with open(os.path.join(root, b"a.md"), "wb") as f:
        f.write(b"---\nslug: a\ntitle: A\n---\n")
    site = tmp_path / "site"
    result = CliRunner().invoke(cli, ["build", os.fsdecode(root), "-o", str(site)], catch_exceptions=False)
    assert result.exit_code == 0
    assert "<title>lib\\xff</title>" in (site / "index.html").read_text(encoding="utf-8")
    assert sorted(parse_json((site / "graph.json").read_text(encoding="utf-8"))) == ["a"]
