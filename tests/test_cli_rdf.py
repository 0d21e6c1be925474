"""The export, query and check --shacl commands: thin shells with the error contract."""

from __future__ import annotations

import json
from pathlib import Path

import pyoxigraph as ox
import pytest
from click.testing import CliRunner

from graphkit import load_library
from graphkit.cli import _show, cli
from graphkit.export import to_format
from graphkit.query import find_queries, load_store, query, to_csv, to_json, to_tsv

REPO = Path(__file__).resolve().parents[1]
HOSTILE = REPO / "tests" / "data" / "hostile"


def run(*args):
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


@pytest.mark.parametrize("fmt", ["turtle", "ntriples", "jsonld", "graphml", "json", "ttl"])
def test_export_to_stdout_is_the_library_function(fmt):
    result = run("export", "-f", fmt)
    assert result.exit_code == 0
    assert result.output == to_format(load_library().graph, fmt)


def test_export_to_a_file_with_options(tmp_path):
    out = tmp_path / "lib.ttl"
    args = ["export", str(HOSTILE), "-o", str(out), "--with-ontology", "--asserted-only", "--base-iri", "urn:x:lib/"]
    result = run(*args)
    assert result.exit_code == 0 and result.output == ""
    triples = {q.triple for q in ox.parse(path=str(out), format=ox.RdfFormat.TURTLE)}
    assert ox.NamedNode("urn:x:lib/pattern/a%20slug%20with%20spaces%20%23and%20hash") in {t.subject for t in triples}
    assert ox.NamedNode("https://w3id.org/graphkit/ontology") in {t.subject for t in triples}
    assert out.read_text(encoding="utf-8") == to_format(
        load_library(HOSTILE).graph, "turtle", base_iri="urn:x:lib/", asserted_only=True, with_ontology=True
    )


@pytest.mark.parametrize(
    "args,first_line",
    [
        (["export", "-f", "csv"],
         "Error: unknown export format 'csv' (known: turtle, ntriples, jsonld, graphml, json)"),
        (["export", "--base-iri", "nope"], "Error: base IRI 'nope' is not an absolute IRI ending in '/' or '#' "
                                           "(e.g. https://example.org/patterns/)"),
        (["export", "-f", "json", "--asserted-only"],
         "Error: --asserted-only applies to RDF formats only (turtle, ntriples, jsonld), not to json"),
        (["query", "graphkit/sample", "SELECT * FROM <file:///etc/passwd> WHERE { ?s ?p ?o }"],
         "Error: FROM is refused: a query runs on the library's own data (drop the FROM clause)"),
        (["query", "graphkit/sample", "hubs", "--bind", "x"],
         "Error: binding 'x' is not NAME=VALUE (e.g. pattern=commons-blueprint)"),
    ],
    ids=["format", "base-iri", "rdf-option", "from", "binding"],
)  # fmt: skip
def test_errors_are_one_line_and_exit_1(args, first_line):
    result = CliRunner().invoke(cli, args, catch_exceptions=False)
    assert result.exit_code == 1
    assert result.output.splitlines()[0] == first_line


def test_query_list_names_every_shipped_query():
    result = run("query", "--list")
    assert result.exit_code == 0
    assert [line.split()[0] for line in result.output.splitlines()] == list(find_queries())


def test_query_a_folder_and_an_export_with_bindings(tmp_path):
    args = ["enables-transitively", "--bind", "pattern=purpose-definition", "-f", "json"]
    on_folder = run("query", str(REPO / "graphkit" / "sample"), *args)
    assert on_folder.exit_code == 0
    rows = json.loads(on_folder.output)["results"]["bindings"]
    assert rows and {r["pattern"]["value"] for r in rows} == {"purpose-definition"}
    out = tmp_path / "lib.nt"
    run("export", "-f", "nt", "-o", str(out))
    assert run("query", str(out), *args).output == on_folder.output


def test_query_formats():
    table = run("query", "graphkit/sample", "hubs")
    assert table.output.splitlines()[:3] == [
        "pattern                              title                                  links",
        "-----------------------------------  -------------------------------------  -----",
        "commons-blueprint                    Commons Blueprint                      40",
    ]
    csv = run("query", "graphkit/sample", "hubs", "-f", "csv").output
    assert csv.splitlines()[1] == "commons-blueprint,Commons Blueprint,40"
    tsv = run("query", "graphkit/sample", "hubs", "-f", "tsv").output
    assert tsv.splitlines()[1].split("\t")[0] == '"commons-blueprint"'
    ask = run("query", "graphkit/sample", "ASK { ?p gk:slug 'kanban' }")
    assert ask.output == "yes\n"
    described = run("query", "graphkit/sample", "DESCRIBE ?p WHERE { ?p gk:slug 'kanban' }", "-f", "ntriples")
    assert len({q.triple for q in ox.parse(described.output.encode(), format=ox.RdfFormat.N_TRIPLES)}) > 10


def test_query_results_for_programs_are_the_library_writers_bytes_on_their_own_line():
    text = 'SELECT ?s ?n WHERE { VALUES (?s ?n) { ("a\\u001b[31m\\u202e" 1) } }'
    result = query(load_store(load_library()), text)
    for fmt, write in [("csv", to_csv), ("tsv", to_tsv), ("json", to_json)]:
        printed = run("query", "graphkit/sample", text, "-f", fmt)
        assert printed.exit_code == 0
        written = write(result)
        assert printed.stdout_bytes.decode() == (written if written.endswith("\n") else written + "\n")
    assert run("query", "graphkit/sample", text, "-f", "json").stdout == to_json(result) + "\n"
    assert run("query", "graphkit/sample", "ASK { ?p gk:slug 'kanban' }", "-f", "csv").stdout == "true\n"


def test_query_results_for_programs_are_escaped_on_a_terminal():
    # Into a pipe the bytes stay as the standard writes them; a terminal shows control characters as escapes.
    assert _show('?s\t?n\n"a\x1b[31m\u202e"\t1\n') == '?s\t?n\n"a\\x1b[31m\\u202e"\t1\n'
    assert _show("s,n\r\nx\ry,1\r\n") == "s,n\nx\\ry,1\n"


def test_query_usage_errors_exit_2():
    assert run("query").exit_code == 2
    result = run("query", "graphkit/sample", "hubs", "-f", "turtle")
    assert result.exit_code == 2
    assert "--format turtle is for CONSTRUCT and DESCRIBE queries; this is SELECT" in result.output
    result = run("query", "graphkit/sample", "DESCRIBE ?p WHERE { ?p gk:slug 'kanban' }", "-f", "csv")
    assert result.exit_code == 2
    assert "--format csv is for SELECT and ASK queries; this is DESCRIBE" in result.output


def test_check_shacl_adds_shape_problems(tmp_path):
    (tmp_path / "a.md").write_text("---\nslug: a\ntitle: A\nid: NOT-A-TYPEID\n---\n", encoding="utf-8")
    plain = run("check", str(tmp_path))
    assert plain.exit_code == 0
    result = run("check", str(tmp_path), "--shacl")
    assert result.exit_code == 1
    assert result.output.splitlines() == [
        "a.md: error: id: a pattern id is a TypeID: pat_ followed by lowercase letters and digits"
        " (NOT-A-TYPEID) [shacl]",
        "1 files, 1 patterns: 1 errors, 0 warnings",
    ]


def test_check_shacl_on_the_sample_adds_nothing():
    plain, shacl = run("check"), run("check", "--shacl")
    assert plain.output == shacl.output and plain.exit_code == shacl.exit_code == 1
