"""Loading: both frontmatter generations, every reference shape, every kind of bad file."""

from __future__ import annotations

import os
import textwrap
from pathlib import Path

import pytest

import graphkit
from graphkit.load import load_patterns, parse_config, parse_pattern, read_frontmatter


def parse(text: str, path: str = "x.md"):
    return parse_pattern(textwrap.dedent(text).encode("utf-8"), path)


def kinds(problems):
    return [p.kind for p in problems]


# ----------------------------------------------------------------- the two generations


def test_classic_generation_maps_classification(fixture_library):
    alpha = next(p for p in fixture_library.patterns if p.slug == "alpha")
    assert alpha.generation == "classic"
    assert alpha.id == "pat_01alpha000000000000000000"
    assert alpha.title == "Alpha"
    assert alpha.aliases == ("First Letter",)
    assert alpha.domains == ("governance",)
    assert alpha.categories == ("practice",)
    assert alpha.era == ("cognitive",)
    assert alpha.origin == ("Commons OS",)
    assert alpha.status == "draft"
    assert dict(alpha.scores) == {"commons_alignment": 4.0}
    assert alpha.page_url == "https://example.org/patterns/alpha/"
    assert alpha.path == "alpha.md"
    assert alpha.frontmatter["license"] == "CC0-1.0"


def test_v7_generation_maps_ontology_lifecycle_and_relationships(fixture_library):
    beta = next(p for p in fixture_library.patterns if p.slug == "beta")
    assert beta.generation == "v7"
    assert beta.title == 'Beta: "quoted" & <b>bold</b>'
    assert beta.summary == "A v7 pattern."
    assert beta.domains == ("technology", "governance")
    assert beta.domain == "technology"
    assert dict(beta.scores) == {"overall_score": 4.2, "resilience": 4.0, "vitality": 4.5}
    assert dict(beta.lifecycle) == {"status": "stable", "version": "1.0"}  # as written, not the number 1.0
    assert beta.status == "stable"
    assert [(l.relation, l.ref, l.weight, l.inferred) for l in beta.links] == [
        ("specializes_to", "alpha", None, False),
        ("enables", "gamma", 0.8, False),
        ("enables", "pat_01gamma000000000000000000", 0.5, False),
        ("related", "alpha", None, False),
        ("alternatives", "delta", None, False),
        ("complementary", "beta", None, False),
        ("related", "alpha", None, True),
        ("related", "nowhere", None, True),
    ]
    inferred = beta.links[6]
    assert inferred.confidence == 3.0
    assert inferred.reason == "Shared entities: Feedback Loop"


@pytest.mark.parametrize(
    "body, expected",
    [
        ("related: [pat_01x]", [("related", "pat_01x", None, None)]),
        ("related: [some-slug]", [("related", "some-slug", None, None)]),
        ("related: some-slug", [("related", "some-slug", None, None)]),
        ("related:\n  - slug: s\n    weight: 0.8\n    description: d", [("related", "s", 0.8, "d")]),
        ("related:\n  - id: pat_01y\n    weight: '0.5'", [("related", "pat_01y", 0.5, None)]),
        ("relationships:\n  tools: [hammer]", [("tools", "hammer", None, None)]),
        ("related: {s: 0.5, t: null}", [("related", "s", 0.5, None), ("related", "t", None, None)]),
        ("related: []", []),
        ("related:", []),
    ],
    ids=[
        "typeid",
        "slug",
        "bare-string",
        "mapping-slug",
        "mapping-id",
        "nested-tools",
        "slug-to-weight",
        "empty",
        "null",
    ],
)
def test_reference_shapes(body, expected):
    p, problems = parse(f"---\nslug: a\ntitle: A\n{body}\n---\n")
    assert problems == []
    assert [(l.relation, l.ref, l.weight, l.description) for l in p.links] == expected


@pytest.mark.parametrize(
    "body, kind, message",
    [
        ("related: [42.5, null]", "bad-reference", "related has an entry that names no pattern (None)"),
        ("related: {a: [1]}", "bad-reference", "related has an entry that names no pattern ({'a': [1]})"),
        ("related: 7", "bad-relation", "related is a number, expected a list of slugs or ids; it is ignored"),
        ("title: [a, b]", "bad-field", "title is a list, expected text; it is ignored"),
        ("classification: draft", "bad-field", "classification is a string, expected a mapping; it is ignored"),
    ],
    ids=["null-entry", "mapping-without-slug", "number", "list-title", "scalar-block"],
)
def test_unknown_shapes_become_warnings(body, kind, message):
    text = f"---\nslug: a\n{'' if body.startswith('title') else 'title: A'}\n{body}\n---\n"
    p, problems = parse(text)
    assert p is not None
    matching = [pr for pr in problems if pr.kind == kind]
    assert matching, problems
    assert matching[0].severity == "warning"
    assert matching[0].message.startswith(message)


@pytest.mark.parametrize(
    "body, expected",
    [
        (
            "graph_garden:\n  inferred_links:\n    - {target: b, relation: [enables, requires]}",
            ["x.md: warning: an inferred link has the unknown relation ['enables', 'requires']; it is read as 'related' [unknown-relation]"],
        ),
        (
            "graph_garden:\n  inferred_links:\n    - {target: b, relation: {a: 1}, confidence: [1]}",
            ["x.md: warning: an inferred link has the unknown relation {'a': 1}; it is read as 'related' [unknown-relation]"],
        ),
        (
            f"related: [{{slug: b, weight: {'9' * 400}}}]",
            ["x.md: warning: related: weight 999999999999999999999999999999999999999999999999999999999... is not a number [bad-relation]"],
        ),
        (
            f"ontology:\n  commons_assessment: {{vitality: {'9' * 400}}}\n  overall_score: {'9' * 400}",
            ["x.md: warning: commons score 'vitality' is not a number (999999999999999999999999999999999999999999999999999999999...); it is ignored [bad-field]"],
        ),
    ],
    ids=["inferred-relation-list", "inferred-relation-mapping", "huge-weight", "huge-scores"],
)  # fmt: skip
def test_odd_shapes_are_exact_warnings(body, expected):
    p, problems = parse(f"---\nslug: a\ntitle: A\n{body}\n---\n")
    assert p is not None and p.slug == "a"
    assert [str(pr) for pr in problems] == expected


@pytest.mark.parametrize(
    "slug, path, expected_slug, expected",
    [
        ('"a\\x1bb"', "ok.md", "ok", ["ok.md: warning: slug 'a\\x1bb' holds control characters, which exports cannot carry; the file name 'ok' is used instead [bad-slug]"]),
        ('"a\\u0085b"', "ok.md", "ok", ["ok.md: warning: slug 'a\\x85b' holds control characters, which exports cannot carry; the file name 'ok' is used instead [bad-slug]"]),
        ('"a\\x01"', "c\x01.md", None, ["c\x01.md: error: slug 'a\\x01' holds control characters, which exports cannot carry, nor can the file name; the file is left out (fix the slug) [bad-slug]"]),
        ("", "c\x1b.md", None, ["c\x1b.md: error: no slug, and the file name 'c\\x1b' holds control characters; the file is left out (give it a slug) [bad-slug]"]),
        ('"a\\tb"', "ok.md", "ok", ["ok.md: warning: slug 'a\\tb' holds control characters, which exports cannot carry; the file name 'ok' is used instead [bad-slug]"]),
    ],
    ids=["escape", "c1-control", "file-name-too", "no-slug-bad-file-name", "tab"],
)  # fmt: skip
def test_a_slug_with_control_characters(slug, path, expected_slug, expected):
    p, problems = parse(f"---\nslug: {slug}\ntitle: T\n---\n", path)
    assert (p.slug if p else None) == expected_slug
    assert [str(pr) for pr in problems] == expected


def test_numeric_target_is_kept_as_text():
    p, problems = parse("---\nslug: a\ntitle: A\nrelated: [42.5]\n---\n")
    assert [l.ref for l in p.links] == ["42.5"]


def test_yaml_core_schema_keeps_text_as_written():
    fm = read_frontmatter(
        b"---\ntitle: No\nversion: 010\ncreated: 2026-02-01\nflag: yes\nok: true\nn: 12\n---\n", "a.md"
    )
    assert fm == {"title": "No", "version": "010", "created": "2026-02-01", "flag": "yes", "ok": True, "n": 12}


def test_missing_slug_and_title_fall_back_to_file_name():
    p, problems = parse("---\nid: pat_1\n---\n", "dir/my-pattern.md")
    assert (p.slug, p.title) == ("my-pattern", "my-pattern")
    assert [str(pr) for pr in problems] == [
        "dir/my-pattern.md: warning: no slug; the file name 'my-pattern' is used instead [missing-slug]",
        "dir/my-pattern.md: warning: no title; the file name 'my-pattern' is used instead [missing-title]",
    ]


def test_duplicate_key_is_reported_with_its_line():
    p, problems = parse("---\nslug: a\ntitle: A\ntitle: B\n---\n")
    assert p.title == "B"
    assert [str(pr) for pr in problems] == [
        "x.md:4:1: warning: key 'title' appears twice in one mapping; the last value is used [duplicate-key]"
    ]


def test_commons_assessment_as_list_of_dimensions():
    p, problems = parse(
        """\
        ---
        slug: a
        title: A
        ontology:
          commons_assessment:
            - dimension: Transparency of Rules
              score: 5
              rationale: open
        ---
        """
    )
    assert problems == []
    assert dict(p.scores) == {"transparency_of_rules": 5.0}


# ----------------------------------------------------------------- bad files


BAD_FILES = {
    "invalid-yaml.md": b"---\nslug: bad\ntitle: [unclosed\n---\nbody\n",
    "no-frontmatter.md": b"# Just a heading\n\nNo frontmatter here.\n",
    "binary.md": bytes(range(256)) * 4,
    "empty.md": b"",
    "not-a-mapping.md": b"---\n- a\n- b\n---\n",
    "latin1.md": "---\nslug: caf\xe9\ntitle: Caf\xe9\n---\n".encode("latin-1"),
    "unclosed.md": b"---\nslug: open\ntitle: Open\n",
    "bom-crlf.md": "\ufeff---\r\nslug: bom-crlf\r\ntitle: BOM and CRLF\r\nrelated: [good]\r\n---\r\nbody\r\n".encode(),
    "good.md": b"---\nslug: good\ntitle: Good\nrelated: [bom-crlf]\n---\n",
    "dup-one.md": b"---\nslug: same\ntitle: First\n---\n",
    "dup-two.md": b"---\nslug: same\ntitle: Second\n---\n",
}

EXPECTED_BAD = [
    "binary.md: error: binary file, not UTF-8 Markdown text [not-text]",
    "dup-two.md: error: slug 'same' is already used by dup-one.md; this file is left out of the graph [duplicate-slug]",
    "empty.md: error: the file is empty [no-frontmatter]",
    "invalid-yaml.md:4:1: error: frontmatter is not valid YAML (did not find expected ',' or ']'; the flow sequence starts on line 3) [invalid-yaml]",
    "latin1.md: error: not valid UTF-8 (byte 0xe9 at offset 13); save it as UTF-8 [not-utf8]",
    "no-frontmatter.md: error: no YAML frontmatter (the file must start with a '---' line) [no-frontmatter]",
    "not-a-mapping.md: error: frontmatter is a list, not a mapping of fields such as slug and title [not-mapping]",
    "unclosed.md:1:1: error: frontmatter is not closed (no second '---' line) [no-frontmatter]",
]


@pytest.fixture
def bad_root(tmp_path: Path) -> Path:
    for name, data in BAD_FILES.items():
        (tmp_path / name).write_bytes(data)
    return tmp_path


def test_bad_files_are_reported_and_the_rest_builds(bad_root):
    lib = graphkit.load_library(bad_root)
    assert [str(p) for p in lib.problems] == EXPECTED_BAD
    assert sorted(lib.graph.nodes) == ["bom-crlf", "good", "same"]
    assert lib.graph.nodes["same"]["title"] == "First"
    assert sorted(lib.graph.edges(keys=True)) == [("bom-crlf", "good", "related"), ("good", "bom-crlf", "related")]


def test_every_file_is_a_node_or_a_problem(bad_root):
    lib = graphkit.load_library(bad_root)
    in_graph = {data["path"] for _, data in lib.graph.nodes(data=True)}
    reported = {p.path for p in lib.problems if p.severity == "error"}
    assert in_graph | reported == set(lib.files) == set(BAD_FILES)
    assert not in_graph & reported


def test_unreadable_and_special_files(tmp_path):
    (tmp_path / "folder.md").mkdir()  # a folder named like a pattern is not a file: not read
    (tmp_path / "broken-link.md").symlink_to(tmp_path / "gone.md")
    os.mkfifo(tmp_path / "pipe.md")  # reading it would block forever
    lib = graphkit.load_library(tmp_path)
    assert [str(p) for p in lib.problems] == [
        "broken-link.md: error: cannot read the file (No such file or directory) [unreadable]",
        "pipe.md: error: not a regular file [unreadable]",
    ]


def test_hidden_folders_and_exclude_globs_are_skipped(tmp_path):
    (tmp_path / ".git").mkdir()
    (tmp_path / ".git" / "x.md").write_text("not a pattern")
    (tmp_path / "drafts").mkdir()
    (tmp_path / "drafts" / "d.md").write_text("not a pattern either")
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "p.md").write_text("---\nslug: p\ntitle: P\n---\n")
    (tmp_path / "graphkit.toml").write_text('exclude = ["drafts/*"]\n')
    lib = graphkit.load_library(tmp_path)
    assert lib.files == ("sub/p.md",)
    assert lib.problems == ()


def test_the_files_found_in_a_folder_tree(tmp_path):
    from graphkit.load import scan

    for rel in ("b.md", "A.MD", "c.markdown", "notes.txt", "x/y/z.md", "x/a.md", ".hidden.md", ".git/h.md"):
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / rel).write_text("---\nslug: s\n---\n")
    (tmp_path / "x" / "y" / "loop").symlink_to(tmp_path / "x", target_is_directory=True)  # not followed
    (tmp_path / "linked.md").symlink_to(tmp_path / "b.md")  # a link to a file is a file
    (tmp_path / "folder.md").mkdir()  # a folder, whatever its name
    assert scan.find_markdown_files(tmp_path) == [
        ".hidden.md", "A.MD", "b.md", "c.markdown", "linked.md", "x/a.md", "x/y/z.md",
    ]  # fmt: skip
    excluding = scan.Config(exclude=("x/*", "*.markdown"))
    assert scan.find_markdown_files(tmp_path, excluding) == [".hidden.md", "A.MD", "b.md", "linked.md"]


def test_a_folder_that_cannot_be_listed_is_reported(tmp_path, monkeypatch):
    from graphkit.load import scan

    (tmp_path / "ok.md").write_text("---\nslug: ok\ntitle: OK\n---\n")
    (tmp_path / "locked" / "deeper").mkdir(parents=True)
    (tmp_path / "locked" / "hidden.md").write_text("---\nslug: hidden\n---\n")
    real = os.scandir
    refused: set[str] = {str(tmp_path / "locked")}

    def scandir(path):  # a permission the tests (run as root in CI) cannot take away for real
        if str(path) in refused:
            raise PermissionError(13, "Permission denied", str(path))
        return real(path)

    monkeypatch.setattr(scan.os, "scandir", scandir)
    before = scan.scan_library(tmp_path).fingerprint()
    lib = graphkit.load_library(tmp_path)
    assert list(lib.graph) == ["ok"]
    assert [str(p) for p in lib.problems] == [
        "locked/: error: cannot list the folder (Permission denied); its files are not read [unreadable]"
    ]
    refused.clear()  # listable again: the scan differs, so a warm build is not taken for the same
    assert scan.scan_library(tmp_path).fingerprint() != before
    assert sorted(graphkit.load_library(tmp_path).graph) == ["hidden", "ok"]

    refused.add(str(tmp_path))
    with pytest.raises(graphkit.LibraryError, match=r": cannot list the folder \(Permission denied\)$"):
        graphkit.load_library(tmp_path)


def test_patterns_subfolder_is_used(tmp_path):
    (tmp_path / "README.md").write_text("# The library\n")
    (tmp_path / "_patterns").mkdir()
    (tmp_path / "_patterns" / "p.md").write_text("---\nslug: p\ntitle: P\n---\n")
    lib = graphkit.load_library(tmp_path)
    assert list(lib.graph) == ["p"]
    assert lib.problems == ()


def test_a_file_name_that_is_not_utf8_is_reported_and_the_rest_builds(tmp_path):
    from graphkit.load import scan

    root = os.fsencode(tmp_path)
    with open(os.path.join(root, b"caf\xe9.md"), "wb") as f:
        f.write(b"---\nslug: cafe\ntitle: Cafe\n---\n")
    os.mkdir(os.path.join(root, b"\xff"))
    with open(os.path.join(root, b"\xff", b"x.md"), "wb") as f:
        f.write(b"---\nslug: x\ntitle: X\n---\n")
    (tmp_path / "good.md").write_text("---\nslug: good\ntitle: Good\n---\n")
    found = scan.scan_library(tmp_path)
    assert (found.files, found.misnamed) == (("good.md",), ("\\xff/x.md", "caf\\xe9.md"))
    assert found.fingerprint() == scan.scan_library(tmp_path).fingerprint()
    lib = graphkit.load_library(tmp_path)
    assert [str(p) for p in lib.problems] == [
        "\\xff/x.md: error: the file name is not valid UTF-8; it is not read (rename the file) [not-utf8]",
        "caf\\xe9.md: error: the file name is not valid UTF-8; it is not read (rename the file) [not-utf8]",
    ]
    assert list(lib.graph) == ["good"]
    assert lib.files == ("\\xff/x.md", "caf\\xe9.md", "good.md")


@pytest.fixture
def linked(tmp_path: Path) -> Path:
    """A library whose links lead inside it and outside it (to a folder of secrets beside it)."""
    secret = tmp_path / "secret"
    (secret / "folder").mkdir(parents=True)
    for path in (secret / "s.md", secret / "folder" / "t.md"):
        path.write_text(f"---\nslug: {path.stem}\ntitle: Secret title\nsummary: Secret summary\n---\n")
    lib = tmp_path / "lib"
    (lib / "sub").mkdir(parents=True)
    (lib / "good.md").write_text("---\nslug: good\ntitle: Good\n---\n")
    (lib / "sub" / "other.md").write_text("---\nslug: other\ntitle: Other\n---\n")
    (lib / "leak.md").symlink_to(secret / "s.md")
    (lib / "relative-leak.md").symlink_to(Path("..", "secret", "s.md"))
    (lib / "folder-leak").symlink_to(secret / "folder", target_is_directory=True)
    (lib / "inside.md").symlink_to(Path("sub", "other.md"))  # a link that stays inside is read
    return lib


OUTSIDE_PROBLEMS = [
    "folder-leak/: warning: a link to a folder outside the library folder, not read (graphkit follows no links to folders) [outside-library]",
    "leak.md: error: a link to a file outside the library folder, not read (allow it with --follow-outside) [outside-library]",
    "relative-leak.md: error: a link to a file outside the library folder, not read (allow it with --follow-outside) [outside-library]",
    "sub/other.md: error: slug 'other' is already used by inside.md; this file is left out of the graph [duplicate-slug]",
]


def test_a_link_that_leads_outside_the_library_is_reported_not_read(linked):
    lib = graphkit.load_library(linked)
    assert [str(p) for p in lib.problems] == OUTSIDE_PROBLEMS
    assert sorted(lib.graph) == ["good", "other"]
    assert "Secret" not in repr([(p.title, p.summary, dict(p.frontmatter)) for p in lib.patterns])

    followed = graphkit.load_library(linked, follow_outside=True)
    assert sorted(followed.graph) == ["good", "other", "s"]
    assert followed.graph.nodes["s"]["summary"] == "Secret summary"
    assert [str(p) for p in followed.problems] == [
        OUTSIDE_PROBLEMS[0],
        "relative-leak.md: error: slug 's' is already used by leak.md; this file is left out of the graph [duplicate-slug]",
        OUTSIDE_PROBLEMS[3],
    ]


def test_the_cache_never_gives_a_load_what_only_following_links_outside_read(linked, tmp_path):
    cache = tmp_path / "cache"
    assert "s" in graphkit.load_library(linked, cache_dir=cache, follow_outside=True).graph
    again = graphkit.load_library(linked, cache_dir=cache)
    assert [str(p) for p in again.problems] == OUTSIDE_PROBLEMS
    assert sorted(again.graph) == ["good", "other"]
    from graphkit.load import scan_library

    assert scan_library(linked).fingerprint() != scan_library(linked, follow_outside=True).fingerprint()


def test_a_file_that_became_a_link_after_the_scan_is_judged_when_read(linked, tmp_path):
    from graphkit.load import load_patterns, scan_library

    scan = scan_library(linked)
    (linked / "good.md").unlink()
    (linked / "good.md").symlink_to(tmp_path / "secret" / "s.md")
    result = load_patterns(linked, scan=scan)
    assert [str(p) for p in result.problems if p.path == "good.md"] == [
        "good.md: error: a link to a file outside the library folder, not read (allow it with --follow-outside) [outside-library]"
    ]
    with pytest.raises(ValueError, match="the scan was taken with another follow_outside"):
        load_patterns(linked, scan=scan, follow_outside=True)


@pytest.mark.parametrize(
    "setup, message",
    [
        (
            lambda lib, out: (lib / "graphkit.toml").write_text(f"patterns_dir = {str(out)!r}\n"),
            "graphkit.toml: patterns_dir '{out}' is outside the library folder, not read (allow it with --follow-outside)",
        ),
        (
            lambda lib, out: (lib / "pyproject.toml").write_text("[tool.graphkit]\npatterns_dir = '../secret'\n"),
            "pyproject.toml: patterns_dir '../secret' is outside the library folder, not read (allow it with --follow-outside)",
        ),
        (
            lambda lib, out: (lib / "_patterns").symlink_to(out, target_is_directory=True),
            "{lib}/_patterns: a link to a folder outside the library folder, not read (allow it with --follow-outside)",
        ),
    ],
    ids=["patterns-dir", "patterns-dir-pyproject", "patterns-link"],
)  # fmt: skip
def test_a_folder_or_setting_outside_the_library_is_one_error(tmp_path, setup, message):
    out, lib = tmp_path / "secret", tmp_path / "lib"
    out.mkdir()
    lib.mkdir()
    (out / "s.md").write_text("---\nslug: s\ntitle: Secret title\n---\n")
    (out / "graphkit.toml").write_text("exclude = []\n")
    setup(lib, out)
    with pytest.raises(graphkit.LibraryError) as info:
        graphkit.load_library(lib)
    assert str(info.value) == message.format(lib=lib, out=out)
    assert graphkit.load_library(lib, follow_outside=True).problems == ()


def test_a_configuration_linked_from_outside_is_not_read_and_the_defaults_hold(tmp_path):
    out, lib = tmp_path / "secret", tmp_path / "lib"
    out.mkdir()
    lib.mkdir()
    (out / "graphkit.toml").write_text('exclude = ["*.md"]\n')
    (lib / "graphkit.toml").symlink_to(out / "graphkit.toml")
    (lib / "a.md").write_text("---\nslug: a\ntitle: A\n---\n")
    loaded = graphkit.load_library(lib)
    assert list(loaded.graph) == ["a"]
    assert [str(p) for p in loaded.problems] == [
        "graphkit.toml: error: a link to a file outside the library folder, not read (allow it with "
        "--follow-outside); the defaults hold [bad-config]"
    ]
    assert graphkit.load_library(lib, follow_outside=True).patterns == ()


# ----------------------------------------------------------------- hostile YAML


def test_alias_bomb_is_refused_quickly(tmp_path):
    lines = ['a0: &a0 ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for i in range(1, 12):
        lines.append(f"a{i}: &a{i} [" + ",".join([f"*a{i - 1}"] * 9) + "]")
    (tmp_path / "bomb.md").write_text("---\nslug: bomb\ntitle: Bomb\n" + "\n".join(lines) + "\n---\n")
    lib = graphkit.load_library(tmp_path)
    assert [str(p) for p in lib.problems] == [
        "bomb.md: error: frontmatter expands to more than 100,000 values (a YAML alias bomb?) [too-large]"
    ]


def test_recursive_yaml_is_refused(tmp_path):
    (tmp_path / "loop.md").write_text("---\nslug: loop\ntitle: Loop\nself: &s [*s]\n---\n")
    lib = graphkit.load_library(tmp_path)
    assert [p.kind for p in lib.problems] == ["recursive-yaml"]


def test_deep_nesting_is_refused(tmp_path):
    (tmp_path / "deep.md").write_text("---\nslug: deep\ntitle: Deep\nx: " + "[" * 100 + "]" * 100 + "\n---\n")
    lib = graphkit.load_library(tmp_path)
    assert [str(p) for p in lib.problems] == [
        "deep.md: error: frontmatter is nested more than 64 levels deep [too-deep]"
    ]


def test_very_deep_nesting_is_refused_without_a_crash(tmp_path):
    # 200,000 levels crash an unguarded libyaml; newer PyYAML releases refuse the document in
    # libyaml itself (invalid-yaml) before the depth guard sees it. Either refusal is right.
    (tmp_path / "deep.md").write_text("---\nslug: deep\ntitle: Deep\nx: " + "[" * 200_000 + "]" * 200_000 + "\n---\n")
    (tmp_path / "fine.md").write_text("---\nslug: fine\ntitle: Fine\n---\n")
    lib = graphkit.load_library(tmp_path)
    assert [(p.path, p.severity) for p in lib.problems] == [("deep.md", "error")]
    assert lib.problems[0].kind in ("too-deep", "invalid-yaml")
    assert list(lib.graph) == ["fine"]


def test_deep_block_nesting_is_refused(tmp_path):
    body = "".join("  " * i + f"k{i}:\n" for i in range(80)) + "  " * 80 + "leaf: 1\n"
    (tmp_path / "deep.md").write_text("---\nslug: deep\ntitle: Deep\n" + body + "---\n")
    lib = graphkit.load_library(tmp_path)
    assert [p.kind for p in lib.problems] == ["too-deep"]


def test_huge_file_is_reported_without_reading_it(tmp_path):
    big = tmp_path / "big.md"
    with big.open("wb") as f:
        f.write(b"---\nslug: big\ntitle: Big\n---\n")
        f.truncate(50 * 1024 * 1024)
    lib = graphkit.load_library(tmp_path)
    assert [str(p) for p in lib.problems] == [
        "big.md: error: file is 50.0 MiB, over the 16 MiB limit (raise max_file_size in the graphkit configuration) [too-large]"
    ]


def test_huge_frontmatter_is_reported(tmp_path):
    (tmp_path / "fm.md").write_text("---\nslug: fm\ntitle: FM\nx: '" + "y" * (2 * 1024 * 1024) + "'\n---\n")
    lib = graphkit.load_library(tmp_path)
    assert [p.kind for p in lib.problems] == ["too-large"]
    assert "over the 1 MiB limit" in lib.problems[0].message


BIG = "9" * 5000
BAD_VALUE = "error: an integer of more than 4,300 digits cannot be read (quote it to keep it as text) [bad-value]"


@pytest.mark.parametrize(
    "fields, expected",
    [
        (f"edition: {BIG}", "x.md:4:10: " + BAD_VALUE),
        (f"edition: -{BIG}", "x.md:4:10: " + BAD_VALUE),
        (f"x: &big {BIG}\nedition: *big", "x.md:4:4: " + BAD_VALUE),
        (f"edition: !!int {BIG}", "x.md:4:10: " + BAD_VALUE),
        ("edition: !!int 0x" + "f" * 4000, "x.md:4:10: " + BAD_VALUE),  # fine as hex, too long as decimal
        (f"? {BIG}\n: key", "x.md:4:3: " + BAD_VALUE),
        (f"related: [{{slug: b, weight: {BIG}}}]", "x.md:4:29: " + BAD_VALUE),
        ("edition: !!int abc", "x.md:4:10: error: the value 'abc' is not a valid !!int (fix it, or remove the tag to keep it as text) [bad-value]"),
        ("edition: !!int ''", "x.md:4:10: error: the value '' is not a valid !!int (fix it, or remove the tag to keep it as text) [bad-value]"),
        ("edition: !!float abc", "x.md:4:10: error: the value 'abc' is not a valid !!float (fix it, or remove the tag to keep it as text) [bad-value]"),
        ("edition: !!bool maybe", "x.md:4:10: error: the value 'maybe' is not a valid !!bool (fix it, or remove the tag to keep it as text) [bad-value]"),
        ("created: !!timestamp notadate", "x.md:4:10: error: the value 'notadate' is not a valid !!timestamp (fix it, or remove the tag to keep it as text) [bad-value]"),
        ("created: !!timestamp 2026-13-01", "x.md:4:10: error: the value '2026-13-01' is not a valid !!timestamp (fix it, or remove the tag to keep it as text) [bad-value]"),
        ("created: !!timestamp 2026-01-01 10:00:00 +99", "x.md:4:10: error: the value '2026-01-01 10:00:00 +99' is not a valid !!timestamp (fix it, or remove the tag to keep it as text) [bad-value]"),
        ("edition: !!float " + ":".join(["1"] * 200), "x.md:4:10: error: the value '1:1:1:1:1:1:1:1:1:1:1:1:1:1:1:1:1:1:1...' is not a valid !!float (fix it, or remove the tag to keep it as text) [bad-value]"),
        ("edition: &v !!int 0b\nx: *v", "x.md:4:10: error: the value '0b' is not a valid !!int (fix it, or remove the tag to keep it as text) [bad-value]"),
    ],
    ids=[
        "huge-int", "huge-negative-int", "huge-int-alias", "huge-int-tagged", "huge-hex-int", "huge-int-key",
        "huge-weight", "int-abc", "int-empty", "float-abc", "bool-maybe", "timestamp-text", "timestamp-month",
        "timestamp-offset", "float-overflow", "bad-int-alias",
    ],
)  # fmt: skip
def test_a_value_that_cannot_be_read_is_one_problem(tmp_path, fields, expected):
    (tmp_path / "x.md").write_text(f"---\nslug: x\ntitle: X\n{fields}\n---\n")
    (tmp_path / "b.md").write_text("---\nslug: b\ntitle: B\n---\n")
    lib = graphkit.load_library(tmp_path)
    assert [str(p) for p in lib.problems] == [expected]
    assert list(lib.graph) == ["b"]


@pytest.mark.parametrize(
    "field, expected",
    [
        ("id: !!map abc", "x.md:4:5: error: frontmatter is not valid YAML (expected a mapping node, but found scalar) [invalid-yaml]"),
        ("id: !!set [1]", "x.md:4:5: error: frontmatter is not valid YAML (expected a mapping node, but found sequence) [invalid-yaml]"),
        ("id: !!omap abc", "x.md:4:5: error: frontmatter is not valid YAML (expected a sequence, but found scalar; the ordered map starts on line 4) [invalid-yaml]"),
        ("id: !!python/name:os.system x", "x.md:4:5: error: frontmatter is not valid YAML (could not determine a constructor for the tag 'tag:yaml.org,2002:python/name:os.system') [invalid-yaml]"),
    ],
    ids=["map-on-scalar", "set-on-sequence", "omap-on-scalar", "python-tag"],
)  # fmt: skip
def test_a_collection_tag_on_the_wrong_node_is_invalid_yaml(field, expected):
    assert [str(p) for p in parse(f"---\nslug: a\ntitle: A\n{field}\n---\n")[1]] == [expected]


def test_explicit_tags_that_can_be_read_are_read():
    fm = read_frontmatter(
        b"---\na: !!int 0x1F\nb: !!float 1:30\nc: !!bool yes\nd: !!timestamp 2026-02-01\ne: !!str 12\n---\n", "a.md"
    )
    assert fm == {"a": 31, "b": 90.0, "c": True, "d": "2026-02-01", "e": "12"}


# ----------------------------------------------------------------- configuration


def test_config_declares_relations(tmp_path):
    (tmp_path / "pyproject.toml").write_text(
        '[tool.graphkit.relations.implements]\ninverse = "implemented_by"\nlabel = "implements"\n'
    )
    (tmp_path / "a.md").write_text("---\nslug: a\ntitle: A\nrelationships:\n  implements: [b]\n---\n")
    (tmp_path / "b.md").write_text("---\nslug: b\ntitle: B\n---\n")
    lib = graphkit.load_library(tmp_path)
    assert sorted(lib.graph.edges(keys=True)) == [("a", "b", "implements")]
    assert [str(p) for p in lib.problems] == [
        "a.md: warning: 'a' implements 'b', but 'b' does not list 'a' under implemented_by [one-sided-inverse]"
    ]


def test_config_page_url_template(tmp_path):
    (tmp_path / "graphkit.toml").write_text('page_url = "https://example.org/p/{slug}/"\n')
    (tmp_path / "a.md").write_text("---\nslug: a\ntitle: A\n---\n")
    assert graphkit.load_library(tmp_path).graph.nodes["a"]["page_url"] == "https://example.org/p/a/"


@pytest.mark.parametrize(
    "text, message",
    [
        ("colour = 1", "graphkit.toml: unknown key 'colour' (known: exclude, max_file_size, "),
        ("relations = 1", "graphkit.toml: relations must be a table of relation names"),
        ("[relations.x]\nskos = 'wider'", "graphkit.toml: relations.x.skos must be broader, narrower or related"),
        ("[relations.'a b']", "graphkit.toml: relation name 'a b' must be a word"),
        ("page_url = 'https://x/'", "graphkit.toml: page_url must contain {slug}"),
        ("= broken", "graphkit.toml: cannot read configuration (Invalid statement (at line 1, column 1))"),
    ],
    ids=["unknown-key", "relations-type", "skos", "relation-name", "page-url", "toml-syntax"],
)
def test_bad_configuration_is_one_clear_problem_and_the_library_loads(tmp_path, text, message):
    (tmp_path / "graphkit.toml").write_text(text)
    (tmp_path / "a.md").write_text("---\nslug: a\ntitle: A\n---\n")
    lib = graphkit.load_library(tmp_path)
    [problem] = lib.problems
    assert (problem.kind, problem.severity) == ("bad-config", "error")
    assert str(problem).startswith(message.replace("graphkit.toml: ", "graphkit.toml: error: ", 1))
    assert list(lib.graph) == ["a"]


@pytest.mark.parametrize(
    "text, message",
    [
        ("[relations.x]\ninverse = 5", "graphkit.toml: relations.x.inverse must be a string"),
        ("[relations.x]\ninverse = 'not a word'", "graphkit.toml: relations.x.inverse must name a relation: a word of letters, digits and _"),
        ("[relations.x]\ninverse = 'x'", "graphkit.toml: relations.x.inverse names the relation itself (for a relation that holds both ways, write symmetric = true)"),
        ("[relations.x]\nlabel = ['a']", "graphkit.toml: relations.x.label must be a string"),
        ("[relations.x]\ncomment = 1.5", "graphkit.toml: relations.x.comment must be a string"),
        ("[relations.x]\nsymmetric = 'yes'", "graphkit.toml: relations.x.symmetric must be true or false"),
        ("[relations.x]\nskos = []", "graphkit.toml: relations.x.skos must be broader, narrower or related"),
        ("[relations.a]\ninverse = 'b'\n[relations.c]\ninverse = 'b'", "graphkit.toml: relations.c: 'b' already has the inverse 'a'"),
        ("patterns_dir = 5", "graphkit.toml: patterns_dir must be a string"),
        ("exclude = 'drafts/*'", "graphkit.toml: exclude must be a list of glob patterns"),
        ("max_file_size = true", "graphkit.toml: max_file_size must be a positive number of bytes"),
        ("max_frontmatter_size = 1.5", "graphkit.toml: max_frontmatter_size must be a positive number of bytes"),
        ("[relations]\nx = 1", "graphkit.toml: relations.x must be a table"),
        ("[relations.enables]\nlabel = 'unlocks'", "graphkit.toml: relations.enables: enables is a built-in relation (declare a relation of another name; of a built-in one only field, keep, target, unresolved, weight can be set)"),
        ("[relations.x]\ninverse = 'enabled_by'", "graphkit.toml: relations.x.inverse names the built-in relation enabled_by (name a relation of your own)"),
        ("[relations.x]\ninverse = 'y'\nsymmetric = true", "graphkit.toml: relations.x: a symmetric relation has no inverse (drop inverse or symmetric)"),
        ("[relations.x]\ninverse = 'y'\n[relations.y]\nsymmetric = true", "graphkit.toml: relations.x.inverse names the symmetric relation 'y'"),
        ("[relations.x]\ncolor = 'red'", "graphkit.toml: relations.x.color must be a colour written #rrggbb, e.g. '#1a9850'"),
        ("[relations.x]\ndashes = [4, 0]", "graphkit.toml: relations.x.dashes must be a list of dash and gap lengths, e.g. [8, 4] ([] for solid)"),
        ("[relations.x]\ndashes = 'dotted'", "graphkit.toml: relations.x.dashes must be a list of dash and gap lengths, e.g. [8, 4] ([] for solid)"),
    ],
    ids=[
        "inverse-number", "inverse-not-a-word", "inverse-itself", "label-list", "comment-number", "symmetric-text",
        "skos-list", "inverse-taken", "patterns-dir-number", "exclude-text", "size-bool", "size-float",
        "relation-not-a-table", "built-in", "built-in-inverse", "symmetric-with-inverse", "inverse-symmetric",
        "color-word", "dashes-zero", "dashes-text",
    ],
)  # fmt: skip
def test_a_setting_of_the_wrong_type_is_one_exact_problem(tmp_path, text, message):
    (tmp_path / "graphkit.toml").write_text(text)
    (tmp_path / "a.md").write_text("---\nslug: a\ntitle: A\n---\n")
    lib = graphkit.load_library(tmp_path)
    assert [str(p) for p in lib.problems] == [
        message.replace("graphkit.toml: ", "graphkit.toml: error: ", 1) + " [bad-config]"
    ]
    assert list(lib.graph) == ["a"]


def test_a_setting_of_the_wrong_type_in_pyproject_names_that_file(tmp_path):
    (tmp_path / "pyproject.toml").write_text("[tool.graphkit.relations.implements]\ninverse = 5\n")
    assert [str(p) for p in graphkit.load_library(tmp_path).problems] == [
        "pyproject.toml: error: relations.implements.inverse must be a string [bad-config]"
    ]


def test_one_broken_relation_leaves_the_others_and_the_rest_of_the_configuration(tmp_path):
    (tmp_path / "graphkit.toml").write_text(
        'exclude = "drafts"\n[relations.cites]\ninverse = "cited_by"\n[relations.broken]\nsymmetric = "yes"\n'
        '[severity]\nnope = "off"\nself-reference = "off"\n'
    )
    (tmp_path / "a.md").write_text("---\nslug: a\ntitle: A\ncites: [b]\nbroken: [b]\nrelated: [a]\n---\n")
    (tmp_path / "b.md").write_text("---\nslug: b\ntitle: B\ncited_by: [a]\n---\n")
    lib = graphkit.load_library(tmp_path)
    assert sorted(lib.graph.edges(keys=True)) == [("a", "b", "cites"), ("b", "a", "cited_by")]
    bad = [str(p) for p in lib.problems if p.kind == "bad-config"]
    assert bad == [
        "graphkit.toml: error: exclude must be a list of glob patterns [bad-config]",
        "graphkit.toml: error: relations.broken.symmetric must be true or false [bad-config]",
        f"graphkit.toml: error: severity: unknown problem kind 'nope' (known: {', '.join(graphkit.model.PROBLEM_KINDS)}) [bad-config]",
    ]
    assert not [p for p in lib.problems if p.kind == "self-reference"]  # the good severity entry holds


def test_parse_config_implies_the_other_side_of_an_inverse():
    config = parse_config({"relations": {"implements": {"inverse": "implemented_by"}}})
    assert config.vocabulary["implemented_by"].inverse == "implements"
    assert config.vocabulary.names[:8] == graphkit.DEFAULT_VOCABULARY.names


def test_parse_config_declares_the_other_side_under_the_mirrored_skos_property():
    config = parse_config({"relations": {"part_of": {"inverse": "has_part", "skos": "broader"}}})
    assert config.vocabulary["has_part"] == graphkit.RelationType(
        "has_part", "has part", inverse="part_of", skos="narrower"
    )


def test_parse_config_names_the_inverse_back_on_a_declared_relation():
    config = parse_config(
        {"relations": {"implements": {"inverse": "implemented_by"}, "implemented_by": {"label": "realised by"}}}
    )
    assert config.vocabulary["implemented_by"].inverse == "implements"
    assert config.vocabulary.incoming_label("implements") == "realised by"
    assert config.vocabulary.names[8:] == ("implemented_by", "implements")


def test_parse_config_reads_the_map_style():
    config = parse_config({"relations": {"implements": {"color": "#123abc", "dashes": [8, 4]}, "uses": {"dashes": []}}})
    assert (config.vocabulary["implements"].color, config.vocabulary["implements"].dashes) == ("#123abc", (8, 4))
    assert (config.vocabulary["uses"].color, config.vocabulary["uses"].dashes) == (None, ())


def test_missing_root_is_a_library_error(tmp_path):
    with pytest.raises(graphkit.LibraryError, match="no such folder"):
        load_patterns(tmp_path / "nope")


# ----------------------------------------------------------------- the real corpus


@pytest.mark.corpus
def test_corpus_counts(corpus_library):
    stats = corpus_library.stats()
    assert stats["patterns"] == 1587
    assert stats["edges"] == 3299
    dangling = {(p.slug, p.relation, p.target) for p in corpus_library.problems if p.kind == "dangling-reference"}
    assert len(dangling) == 286
    assert stats["problems_by_kind"]["duplicate-id"] == 6
    assert stats["inferred_edges"] == 44
    assert len(corpus_library.files) == 1587


# ----------------------------------------------------------------- parallel reading and the cache


def test_parallel_reading_gives_the_same_records(sample_library):
    parallel = graphkit.load_library(graphkit.sample_library(), workers=2)
    assert parallel.patterns == sample_library.patterns
    assert parallel.problems == sample_library.problems


def test_a_record_keeps_its_frontmatter_as_text_and_reads_the_same(sample_library):
    # A record holds the YAML text, parsed only when read; so does what a reading helper
    # sends back and what the cache keeps. Every record of the sample reads back equal.
    import pickle

    fresh = graphkit.load_library(graphkit.sample_library(), workers=1)
    assert all(p.frontmatter._values is None for p in fresh.patterns)  # not parsed yet
    for pattern in sample_library.patterns:
        copy = pickle.loads(pickle.dumps(pattern, pickle.HIGHEST_PROTOCOL))
        assert copy.frontmatter._values is None
        assert copy == pattern
        assert dict(copy.frontmatter) == dict(pattern.frontmatter)
        assert copy.frontmatter["slug"] == pattern.slug


def test_frontmatter_is_a_read_only_mapping_of_the_whole_frontmatter():
    p, problems = parse(
        """\
        ---
        slug: a
        title: A
        extra: {nested: [1, "two", null], when: 2024-01-02}
        title: Again
        ---
        """
    )
    fm = p.frontmatter
    expected = {"slug": "a", "title": "Again", "extra": {"nested": [1, "two", None], "when": "2024-01-02"}}
    assert dict(fm) == expected and fm == expected and len(fm) == 3 and "extra" in fm
    assert fm.text == '\nslug: a\ntitle: A\nextra: {nested: [1, "two", null], when: 2024-01-02}\ntitle: Again\n'
    assert repr(fm) == repr(expected)
    with pytest.raises(TypeError):
        fm["slug"] = "b"  # type: ignore[index]
    assert kinds(problems) == ["duplicate-key"]


def age(path: Path, seconds: int = 60) -> None:
    """Make a file look written a while ago, as files are between two builds."""
    info = path.stat()
    os.utime(path, ns=(info.st_atime_ns, info.st_mtime_ns - seconds * 1_000_000_000))


def test_cache_serves_unchanged_files_and_rereads_changed_ones(tmp_path):
    lib_dir, cache = tmp_path / "lib", tmp_path / "cache"
    lib_dir.mkdir()
    for name in "abc":
        (lib_dir / f"{name}.md").write_text(f"---\nslug: {name}\ntitle: {name.upper()}\n---\n")
        age(lib_dir / f"{name}.md")
    first = load_patterns(lib_dir, cache_dir=cache)
    assert first.from_cache == 0
    again = load_patterns(lib_dir, cache_dir=cache)
    assert again.from_cache == 3
    assert again.patterns == first.patterns

    (lib_dir / "b.md").write_text("---\nslug: b\ntitle: Q\n---\n")  # same size, new content
    changed = load_patterns(lib_dir, cache_dir=cache)
    assert changed.from_cache == 2
    assert [p.title for p in changed.patterns] == ["A", "Q", "C"]

    (lib_dir / "c.md").unlink()
    assert [p.slug for p in load_patterns(lib_dir, cache_dir=cache).patterns] == ["a", "b"]


def test_a_file_changed_within_timestamp_granularity_is_reread(tmp_path):
    lib_dir, cache = tmp_path / "lib", tmp_path / "cache"
    lib_dir.mkdir()
    page = lib_dir / "a.md"
    page.write_text("---\nslug: a\ntitle: A\n---\n")
    load_patterns(lib_dir, cache_dir=cache)
    page.write_text("---\nslug: a\ntitle: B\n---\n")  # possibly within the same timestamp tick
    fresh = load_patterns(lib_dir, cache_dir=cache)
    assert (fresh.from_cache, fresh.patterns[0].title) == (0, "B")


def test_a_large_library_is_read_by_workers_and_cached_before_the_call_returns(tmp_path):
    # From 200 files, worker processes parse them; the pool and the cache are done with on return.
    import multiprocessing

    from graphkit.load import parallel

    lib_dir, cache = tmp_path / "lib", tmp_path / "cache"
    lib_dir.mkdir()
    for i in range(parallel.PARALLEL_FROM):
        path = lib_dir / f"p{i:03}.md"
        path.write_text(f"---\nslug: p{i:03}\ntitle: P {i}\nrelated: [p{(i + 1) % 200:03}]\n---\n")
        age(path)
    first = load_patterns(lib_dir, cache_dir=cache)
    assert first.from_cache == 0 and len(first.patterns) == 200
    assert multiprocessing.active_children() == []
    assert [p.suffix for p in cache.iterdir()] == [".pickle"]
    again = load_patterns(lib_dir, cache_dir=cache)
    assert again.from_cache == 200 and again.patterns == first.patterns
    assert load_patterns(lib_dir, workers=1).patterns == first.patterns


def test_corrupt_or_deleted_cache_is_rebuilt(tmp_path):
    lib_dir, cache = tmp_path / "lib", tmp_path / "cache"
    lib_dir.mkdir()
    (lib_dir / "a.md").write_text("---\nslug: a\ntitle: A\n---\n")
    age(lib_dir / "a.md")
    load_patterns(lib_dir, cache_dir=cache)
    for f in cache.iterdir():
        f.write_bytes(b"not a pickle")
    assert load_patterns(lib_dir, cache_dir=cache).from_cache == 0
    assert load_patterns(lib_dir, cache_dir=cache).from_cache == 1
    for f in cache.iterdir():
        f.unlink()
    cache.rmdir()
    assert load_patterns(lib_dir, cache_dir=cache).from_cache == 0


def test_cache_is_keyed_by_configuration(tmp_path):
    lib_dir, cache = tmp_path / "lib", tmp_path / "cache"
    lib_dir.mkdir()
    (lib_dir / "a.md").write_text("---\nslug: a\ntitle: A\nrelationships:\n  implements: [a]\n---\n")
    age(lib_dir / "a.md")
    load_patterns(lib_dir, cache_dir=cache)
    (lib_dir / "graphkit.toml").write_text("[relations.implements]\n")
    result = load_patterns(lib_dir, cache_dir=cache)
    assert result.from_cache == 0
    assert [l.relation for l in result.patterns[0].links] == ["implements"]


def test_shared_id_is_reported_on_every_file(tmp_path):
    for name in "abc":
        pid = "pat_shared" if name != "c" else "pat_c"
        (tmp_path / f"{name}.md").write_text(f"---\nid: {pid}\nslug: {name}\ntitle: {name}\n---\n")
    lib = graphkit.load_library(tmp_path)
    assert sorted(lib.graph) == ["a", "b", "c"]
    assert [str(p) for p in lib.problems] == [
        "a.md: warning: id 'pat_shared' is also used by b.md; references by this id are ambiguous [duplicate-id]",
        "b.md: warning: id 'pat_shared' is also used by a.md; references by this id are ambiguous [duplicate-id]",
    ]
