"""The problems report for CI: SARIF 2.1.0 (validated against the OASIS schema) and GitHub workflow commands."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import jsonschema
import pytest
from click.testing import CliRunner

import graphkit
from graphkit.cli import cli
from graphkit.model import Problem
from graphkit.report import KIND_DESCRIPTIONS, to_github, to_sarif

HERE = Path(__file__).parent
SCHEMA = HERE / "data" / "sarif" / "sarif-schema-2.1.0.json"
LIBRARY = HERE / "data" / "library"

HOSTILE = [
    Problem("dir/a,b:c.md", "dangling-reference", "error", "100% sure: x,y\r\nnext line", line=3, column=7),
    Problem("plain.md", "one-sided-symmetric", "warning", "'a' lists 'b' under related, but 'b' does not list 'a'"),
    Problem("p%41.md", "new:kind,odd", "warning", "::error::injected", line=9),
    Problem("", "unreadable", "error", "cannot list the folder"),
]


def run(*args: str):
    return CliRunner().invoke(cli, ["--no-cache", *args], prog_name="graphkit", catch_exceptions=False)


@pytest.fixture(scope="module")
def validator():
    # the real OASIS schema, unchanged (tests/data/sarif/README.md says where it comes from)
    assert hashlib.sha256(SCHEMA.read_bytes()).hexdigest() == (
        "c3b4bb2d6093897483348925aaa73af03b3e3f4bd4ca38cef26dcb4212a2682e"
    )
    schema = json.loads(SCHEMA.read_text(encoding="utf-8"))
    assert schema["id"] == "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
    jsonschema.Draft4Validator.check_schema(schema)
    return jsonschema.Draft4Validator(schema)


def test_the_schema_rejects_a_broken_log(validator):
    log = to_sarif(HOSTILE)
    log["runs"][0]["results"][0]["level"] = "fatal"
    del log["runs"][0]["tool"]["driver"]["name"]
    assert len(list(validator.iter_errors(log))) == 2


def test_sarif_validates_and_says_everything(validator):
    log = to_sarif(HOSTILE, version="1.2.3")
    validator.validate(log)
    run_ = log["runs"][0]
    assert run_["tool"]["driver"]["name"] == "graphkit" and run_["tool"]["driver"]["version"] == "1.2.3"
    assert run_["tool"]["driver"]["rules"] == [
        {"id": "dangling-reference", "name": "DanglingReference",
         "shortDescription": {"text": "A relation names no pattern of the library."}},
        {"id": "new:kind,odd", "name": "New:kind,odd", "shortDescription": {"text": "A problem of kind new:kind,odd."}},
        {"id": "one-sided-symmetric", "name": "OneSidedSymmetric",
         "shortDescription": {"text": "A symmetric relation the other pattern does not list back."}},
        {"id": "unreadable", "name": "Unreadable", "shortDescription": {"text": "The file or folder cannot be read."}},
    ]  # fmt: skip
    assert run_["results"] == [
        {
            "ruleId": "dangling-reference", "ruleIndex": 0, "level": "error",
            "message": {"text": "100% sure: x,y\r\nnext line"},
            "locations": [{"physicalLocation": {
                "artifactLocation": {"uri": "dir/a%2Cb%3Ac.md", "uriBaseId": "%SRCROOT%"},
                "region": {"startLine": 3, "startColumn": 7},
            }}],
        },
        {
            "ruleId": "one-sided-symmetric", "ruleIndex": 2, "level": "warning",
            "message": {"text": "'a' lists 'b' under related, but 'b' does not list 'a'"},
            "locations": [{"physicalLocation": {"artifactLocation": {"uri": "plain.md", "uriBaseId": "%SRCROOT%"}}}],
        },
        {
            "ruleId": "new:kind,odd", "ruleIndex": 1, "level": "warning", "message": {"text": "::error::injected"},
            "locations": [{"physicalLocation": {
                "artifactLocation": {"uri": "p%2541.md", "uriBaseId": "%SRCROOT%"}, "region": {"startLine": 9},
            }}],
        },
        {"ruleId": "unreadable", "ruleIndex": 3, "level": "error", "message": {"text": "cannot list the folder"}},
    ]  # fmt: skip
    with_prefix = to_sarif(HOSTILE[1:2], path_prefix="_patterns/")
    location = with_prefix["runs"][0]["results"][0]["locations"][0]["physicalLocation"]
    assert location["artifactLocation"]["uri"] == "_patterns/plain.md"


def test_sarif_of_no_problems_validates(validator):
    log = to_sarif([])
    validator.validate(log)
    assert log["runs"][0]["results"] == [] and log["runs"][0]["tool"]["driver"]["rules"] == []


def test_sarif_carries_a_suggestion_when_a_problem_has_one(validator):
    problem = Problem(
        "a.md", "dangling-reference", "error", "related names 'gap-analyss'; did you mean 'gap-analysis'?",
        target="gap-analyss", suggestion="gap-analysis",
    )  # fmt: skip
    log = to_sarif([problem])
    validator.validate(log)
    [result] = log["runs"][0]["results"]
    assert result["message"]["text"] == "related names 'gap-analyss'; did you mean 'gap-analysis'?"
    assert result["properties"] == {"target": "gap-analyss", "suggestion": "gap-analysis"}
    assert to_github([problem]) == [
        "::error file=a.md,title=dangling-reference::related names 'gap-analyss'; did you mean 'gap-analysis'?"
    ]


def test_every_documented_kind_has_a_rule_description():
    readme = (HERE.parent / "README.md").read_text(encoding="utf-8")
    table = readme.split("| kind | severity | what it means |")[1].split("\n\n")[0]
    documented = {kind for row in table.splitlines()[2:] for kind in row.split("|")[1].replace("`", "").split(", ")}
    documented = {k.strip() for k in documented}
    assert documented == set(KIND_DESCRIPTIONS)


def test_check_sarif_on_the_command_line(validator):
    result = run("check", str(LIBRARY), "-f", "sarif")
    assert result.exit_code == 1
    log = json.loads(result.stdout)
    validator.validate(log)
    assert log == to_sarif(graphkit.load_library(LIBRARY).problems, graphkit.__version__)
    assert [(r["ruleId"], r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"])
            for r in log["runs"][0]["results"]] == [
        ("dangling-reference", "alpha.md"), ("dangling-reference", "beta.md"), ("self-reference", "beta.md"),
        ("unknown-relation", "delta.md"), ("one-sided-symmetric", "gamma.md"),
    ]  # fmt: skip
    assert result.stderr == "4 files, 4 patterns: 1 errors, 4 warnings\n"


def test_check_sarif_of_the_sample_validates(validator):
    result = run("check", "-f", "sarif", "--path-prefix", "lib/")
    log = json.loads(result.stdout)
    validator.validate(log)
    assert len(log["runs"][0]["results"]) == 164
    assert all(
        r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"].startswith("lib/")
        for r in log["runs"][0]["results"]
    )


def test_github_lines_escape_what_github_reads_back():
    assert to_github(HOSTILE) == [
        "::error file=dir/a%2Cb%3Ac.md,line=3,col=7,title=dangling-reference::100%25 sure: x,y%0D%0Anext line",
        "::warning file=plain.md,title=one-sided-symmetric::'a' lists 'b' under related, but 'b' does not list 'a'",
        "::warning file=p%2541.md,line=9,title=new%3Akind%2Codd::::error::injected",
        "::error title=unreadable::cannot list the folder",
    ]
    assert to_github(HOSTILE[1:2], path_prefix="_patterns/") == [
        "::warning file=_patterns/plain.md,title=one-sided-symmetric::"
        "'a' lists 'b' under related, but 'b' does not list 'a'"
    ]


def test_check_github_on_the_command_line():
    result = run("check", str(LIBRARY), "-f", "github", "--path-prefix", "lib/")
    assert result.exit_code == 1
    assert result.stdout.splitlines() == [
        "::error file=lib/alpha.md,title=dangling-reference::"
        "related names 'missing-pattern', which is no pattern's slug or id",
        "::warning file=lib/beta.md,title=dangling-reference::"
        "related (inferred) names 'nowhere', which is no pattern's slug or id",
        "::warning file=lib/beta.md,title=self-reference::complementary names the pattern itself; no edge is made",
        "::warning file=lib/delta.md,title=unknown-relation::relationships.implements is not a known relation "
        "(1 file); declare it in graphkit.toml as [relations.implements] to make it edges "
        "(graphkit fields --toml prints the table)",
        "::warning file=lib/gamma.md,title=one-sided-symmetric::"
        "'gamma' lists 'alpha' under related, but 'alpha' does not list 'gamma'",
    ]
    assert result.stderr == "4 files, 4 patterns: 1 errors, 4 warnings\n"


def test_check_github_of_a_yaml_error_has_line_and_column(tmp_path):
    (tmp_path / "broken.md").write_text("---\ntitle: [a, b\nslug: x\n---\n", encoding="utf-8")
    result = run("check", str(tmp_path), "-f", "github")
    assert result.exit_code == 1
    [line] = result.stdout.splitlines()
    assert line.startswith("::error file=broken.md,line=3,col=5,title=invalid-yaml::frontmatter is not valid YAML")


@pytest.mark.corpus
def test_sarif_of_the_shared_corpus_validates(validator, corpus_root):
    result = run("check", str(corpus_root), "-f", "sarif", "--path-prefix", "_patterns/")
    log = json.loads(result.stdout)
    validator.validate(log)
    report = graphkit.load_library(corpus_root).problems_report()
    results = log["runs"][0]["results"]
    assert len(results) == len(report["problems"])
    assert sum(r["level"] == "error" for r in results) == report["errors"]
