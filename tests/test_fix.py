"""graphkit fix: the missing halves of one-sided links, written in each file's own layout, and suggestions."""

from __future__ import annotations

import difflib
import json
import os
import shutil
import stat
import subprocess
import textwrap
from pathlib import Path

import pytest
from click.testing import CliRunner
from rapidfuzz import fuzz

import graphkit
from graphkit.cli import cli
from graphkit.fix import plan_fixes, to_diff, write_fixes
from graphkit.graph import SUGGESTION_CUTOFF, suggest_targets
from graphkit.load.edit import EditRefused, Entry, add_entries, replace_reference
from graphkit.model import Pattern

FIXTURE = Path(__file__).parent / "data" / "fix"

# What `graphkit fix` does to each file of tests/data/fix: (old text, new text) replaced once.
EXPECTED = {
    "absent-key.md": ("enables: []\n", "enables: []\nrelated:\n  - hub\n"),
    "block-list.md": ("# a comment on an entry\n", "# a comment on an entry\n- hub\n"),
    "bom-file.md": ("- not-in-this-library\n", "- not-in-this-library\n- hub\n"),
    "crlf-file.md": ("- not-in-this-library\r\n", "- not-in-this-library\r\n- hub\r\n"),
    "empty-key.md": ("related:\n", "related:\n- hub\n"),
    "flow-empty.md": ("related: []\n", "related: [hub]\n"),
    "flow-list.md": ("'quoted-elsewhere']", "'quoted-elsewhere', hub]"),
    "v7-absent.md": ("    requires: []\n", "    requires: []\n    specializes_to:\n    -   hub\n"),
    "v7-list.md": ("    weight: 0.8\n", "    weight: 0.8\n  - id: hub\n"),
    "weighted.md": ("  - not-in-this-library\n", "  - not-in-this-library\n  - id: hub\n    weight: 0.7\n"),
}
LEFT_ALONE = [
    "anchored.md: warning: left alone: frontmatter uses YAML anchors or aliases [not-fixed]",
    "odd-indent.md: warning: left alone: related: the list's indentation is not regular [not-fixed]",
]


@pytest.fixture
def library(tmp_path: Path) -> Path:
    return Path(shutil.copytree(FIXTURE, tmp_path / "library"))


def snapshot(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def expected_files() -> dict[str, bytes]:
    out = snapshot(FIXTURE)
    for name, (old, new) in EXPECTED.items():
        old_b, new_b = old.encode(), new.encode()
        assert out[name].count(old_b) == 1, name
        out[name] = out[name].replace(old_b, new_b)
    return out


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, ["--no-cache", *args], catch_exceptions=False)
    # Result.stdout would turn CRLF into LF; a diff of a CRLF file keeps them.
    return result.exit_code, result.stdout_bytes.decode(), result.stderr


# --------------------------------------------------------------------------- the command


def test_fix_writes_each_layout_and_leaves_unsafe_files_alone(library: Path) -> None:
    code, out, err = run("fix", str(library))
    assert code == 1  # two files were left alone
    assert err.splitlines() == LEFT_ALONE
    lines = out.splitlines()
    assert lines[:-1] == [f"fixed {name}: 1 entry added" for name in sorted(EXPECTED)]
    assert lines[-1] == "fixed 10 files: 10 entries added; 2 files left alone"
    assert snapshot(library) == expected_files()


def test_everything_but_the_new_entries_is_kept_byte_for_byte(library: Path) -> None:
    run("fix", str(library))
    for name, before in snapshot(FIXTURE).items():
        after = (library / name).read_bytes()
        old, new = before.splitlines(keepends=True), after.splitlines(keepends=True)
        ops = [op for op in difflib.SequenceMatcher(None, old, new, autojunk=False).get_opcodes() if op[0] != "equal"]
        if name in ("flow-list.md", "flow-empty.md"):  # a one-line flow list gains the entry inside its brackets
            assert [op[0] for op in ops] == ["replace"] and ops[0][2] - ops[0][1] == 1 == ops[0][4] - ops[0][3]
        elif name in EXPECTED:
            assert {op[0] for op in ops} == {"insert"}, name
        else:
            assert after == before, name
    assert (library / "bom-file.md").read_bytes().startswith(b"\xef\xbb\xbf---\n")
    assert b"\n" not in (library / "crlf-file.md").read_bytes().replace(b"\r\n", b"")


def test_check_finds_no_one_sided_link_left_but_in_the_files_left_alone(library: Path) -> None:
    run("fix", str(library))
    left = [p for p in graphkit.load_library(library).problems if p.kind.startswith("one-sided")]
    assert sorted(p.target for p in left) == ["anchored", "odd-indent"]


def test_a_second_run_changes_nothing(library: Path) -> None:
    run("fix", str(library))
    fixed = snapshot(library)
    code, out, err = run("fix", str(library))
    assert (code, out, err.splitlines()) == (1, "nothing to fix; 2 files left alone\n", LEFT_ALONE)
    assert snapshot(library) == fixed
    assert plan_fixes(graphkit.load_library(library)).fixes == ()


def test_diff_prints_the_changes_and_writes_nothing(library: Path) -> None:
    code, out, err = run("fix", str(library), "--diff")
    assert code == 1
    assert snapshot(library) == snapshot(FIXTURE)
    assert err.splitlines() == [
        *LEFT_ALONE,
        "would fix 10 files: 10 entries added; nothing written; 2 files left alone",
    ]
    assert out == to_diff(plan_fixes(graphkit.load_library(library)))
    assert out.startswith("--- a/absent-key.md\n+++ b/absent-key.md\n@@ -4,6 +4,8 @@\n")
    assert "+- hub\r\n" in out and "-related: []\n+related: [hub]\n" in out
    assert sum(1 for line in out.splitlines() if line.startswith("+") and not line.startswith("+++")) == 13


def test_diff_applies_with_git_apply(library: Path) -> None:
    if shutil.which("git") is None:
        pytest.skip("git is not installed")
    _, out, _ = run("fix", str(library), "--diff")
    subprocess.run(["git", "apply", "--unsafe-paths", "-"], input=out.encode(), cwd=library, check=True)
    assert snapshot(library) == expected_files()


def test_select_fixes_only_that_kind(library: Path) -> None:
    code, out, _ = run("fix", str(library), "--select", "one-sided-inverse")
    assert code == 0
    assert out.splitlines() == [
        "fixed v7-absent.md: 1 entry added",
        "fixed v7-list.md: 1 entry added",
        "fixed 2 files: 2 entries added",
    ]
    changed = {name for name, data in snapshot(library).items() if data != (FIXTURE / name).read_bytes()}
    assert changed == {"v7-absent.md", "v7-list.md"}


def test_select_refuses_an_unknown_kind(library: Path) -> None:
    code, _, err = run("fix", str(library), "--select", "dangling-reference")
    assert code == 2
    assert "Invalid value for '--select'" in err


def test_writes_keep_the_mode_and_leave_no_temporary_file(library: Path) -> None:
    (library / "block-list.md").chmod(0o640)
    run("fix", str(library))
    assert stat.S_IMODE((library / "block-list.md").stat().st_mode) == 0o640
    assert not [p for p in library.iterdir() if p.name.startswith(".")]


def test_a_file_changed_since_the_plan_is_not_written(library: Path) -> None:
    plan = plan_fixes(graphkit.load_library(library))
    (library / "block-list.md").write_bytes(b"---\nslug: block-list\ntitle: Edited meanwhile\n---\n")
    with pytest.raises(graphkit.errors.FixError, match=r"^block-list.md: changed while being fixed; left alone"):
        write_fixes(plan)
    assert (library / "block-list.md").read_bytes().endswith(b"Edited meanwhile\n---\n")
    assert (library / "flow-list.md").read_bytes() == expected_files()["flow-list.md"]


# --------------------------------------------------------------------------- suggestions


def test_check_suggests_the_slug_a_typo_meant(library: Path) -> None:
    code, out, _ = run("check", str(library))
    assert (
        "typo.md: error: related names 'gap-analyis', which is no pattern's slug or id; "
        "did you mean 'gap-analysis'? [dangling-reference]"
    ) in out.splitlines()
    assert "typo.md: error: enables names 'team-rles', which is no pattern's slug or id [dangling-reference]" in (
        out.splitlines()
    )
    _, out, _ = run("check", str(library), "-f", "json")
    typos = {p["target"]: p.get("suggestion") for p in json.loads(out)["problems"] if p["path"] == "typo.md"}
    assert typos == {"gap-analyis": "gap-analysis", "team-rles": None}


def test_the_problems_report_shows_the_suggestion(library: Path, tmp_path: Path) -> None:
    from graphkit.site import _write_problems_html

    lib = graphkit.load_library(library)
    report = lib.problems_report()
    assert [p["suggestion"] for p in report["problems"] if "suggestion" in p] == ["gap-analysis"]
    _write_problems_html(lib, tmp_path / "problems.html", {"title": "fix"})
    page = (tmp_path / "problems.html").read_text(encoding="utf-8")
    data = json.loads(page.split('<script type="application/json" id="gkr-data">')[1].split("</script>")[0])
    [row] = [row for row in data["rows"] if row[8] is not None]
    assert row[7].endswith("; did you mean 'gap-analysis'?") and row[8] == "gap-analysis"


def test_accept_suggestions_replaces_only_the_unambiguous_typo(library: Path) -> None:
    code, out, _ = run("fix", str(library), "--accept-suggestions")
    assert code == 1
    assert "fixed typo.md: 0 entries added, 1 reference replaced" in out.splitlines()
    assert "fixed gap-analysis.md: 1 entry added" in out.splitlines()  # the link the replacement made
    assert out.splitlines()[-1] == "fixed 12 files: 11 entries added, 1 reference replaced; 2 files left alone"
    typo = (library / "typo.md").read_text(encoding="utf-8")
    assert typo == (FIXTURE / "typo.md").read_text(encoding="utf-8").replace(
        "gap-analyis  # sic", "gap-analysis  # sic"
    )
    assert (library / "gap-analysis.md").read_text(encoding="utf-8") == (
        "---\nslug: gap-analysis\ntitle: Gap Analysis\nrelated:\n- typo\n---\nBody.\n"
    )
    problems = graphkit.load_library(library).problems
    assert [p.target for p in problems if p.path == "typo.md"] == ["team-rles"]
    fixed = snapshot(library)
    run("fix", str(library), "--accept-suggestions")
    assert snapshot(library) == fixed


def test_without_accept_suggestions_typos_stay(library: Path) -> None:
    run("fix", str(library))
    assert (library / "typo.md").read_bytes() == (FIXTURE / "typo.md").read_bytes()


PATTERNS = [Pattern("gap-analysis", "Gap Analysis", aliases=("GAP",)), Pattern("team-roles", "Team Roles"),
            Pattern("team-rules", "Team Rules"), Pattern("x", "Commons Blueprint")]  # fmt: skip


@pytest.mark.parametrize(
    "ref, expected",
    [
        ("gap-analyis", "gap-analysis"),  # one letter left out: 95.7
        ("gap-analys", "gap-analysis"),  # two: 90.9, at the cutoff
        ("gap-analy", None),  # three: 85.7, under it
        ("Gap_Analysis", "gap-analysis"),  # the title, as a reference
        ("commons-blueprnt", "x"),  # a title's slug form names the pattern
        ("team-rles", None),  # team-roles and team-rules score the same: a tie
        ("pat_01kg5023x6ecsvs4r50r92ggad", None),  # TypeIDs are never guessed
        ("gap-analysis", None),  # no suggestion for a name that is itself
    ],
)
def test_suggestion_threshold_and_ties(ref: str, expected: str | None) -> None:
    assert suggest_targets([ref], PATTERNS).get(ref) == expected


def test_the_cutoff_sits_between_two_and_three_letters_left_out() -> None:
    assert fuzz.ratio("gap-analys", "gap-analysis") >= SUGGESTION_CUTOFF > fuzz.ratio("gap-analy", "gap-analysis")
    assert fuzz.ratio("team-rles", "team-roles") == fuzz.ratio("team-rles", "team-rules")


def test_a_near_tie_within_the_margin_is_ambiguous() -> None:
    # One letter more, one letter less: 97.6 and 97.4, within 2 points of each other.
    near = [Pattern("abcdefghijklmnopqrstu", "A"), Pattern("abcdefghijklmnopqrs", "B")]
    scores = [fuzz.ratio("abcdefghijklmnopqrst", p.slug) for p in near]
    assert scores[0] > scores[1] > scores[0] - 2
    assert suggest_targets(["abcdefghijklmnopqrst"], near) == {}
    assert suggest_targets(["abcdefghijklmnopqrst"], near[:1]) == {"abcdefghijklmnopqrst": "abcdefghijklmnopqrstu"}


# --------------------------------------------------------------------------- the editor, one file at a time


def fm(text: str) -> bytes:
    return textwrap.dedent(text).lstrip("\n").encode()


@pytest.mark.parametrize(
    "text, message",
    [
        (b"no frontmatter\n", "no frontmatter (the file must start with a '---' line)"),
        (b"---\nslug: a\n", "frontmatter is not closed by a '---' line"),
        (b"---\nslug: a\nrelated: [b\n---\n", "frontmatter is not valid YAML"),
        (b"---\nslug: a\r\nrelated:\n- b\n---\n", "frontmatter mixes line endings"),
        (b"---\n- a\n- b\n---\n", "frontmatter is not a block mapping"),
        (b"---\nrelated: [b,\n  c]\n---\n", "related is a flow list over several lines"),
        (b"---\nrelated: ~\n---\n", "related is not a list"),
        (b"---\nrelated: b\n---\n", "related is not a list"),
        (b"---\nrelated: {slug: b}\n---\n", "related is not a list"),
        (b"---\nx: &a 1\ny: *a\nrelated: []\n---\n", "frontmatter uses YAML anchors or aliases"),
        (b"---\n\xff\n---\n", "not valid UTF-8"),
    ],
    ids=[
        "none",
        "unclosed",
        "invalid",
        "mixed-endings",
        "sequence",
        "multiline-flow",
        "null",
        "scalar",
        "weights-mapping",
        "alias",
        "not-utf8",
    ],  # fmt: skip
)
def test_files_that_cannot_be_edited_safely_are_refused(text: bytes, message: str) -> None:
    with pytest.raises(EditRefused) as err:
        add_entries(text, [Entry("related", "new")])
    assert str(err.value) == message


def test_entries_already_listed_change_nothing() -> None:
    text = fm("""
        ---
        related:
        - id: pat_a
        - b
        ---
        """)
    assert add_entries(text, [Entry("related", "a", id="pat_a"), Entry("related", "b")]) == (text, 0)


def test_a_list_of_typeids_gets_the_id_and_odd_slugs_are_quoted() -> None:
    text = fm("""
        ---
        related:
        - pat_01kg5023x6ecsvs4r50r92ggad
        enables:
        - b
        ---
        """)
    new, added = add_entries(
        text, [Entry("related", "a", id="pat_01kg5023x6ecsvs4r50r92gzzz"), Entry("enables", "2024")]
    )
    assert added == 2
    assert new.decode() == textwrap.dedent("""\
        ---
        related:
        - pat_01kg5023x6ecsvs4r50r92ggad
        - pat_01kg5023x6ecsvs4r50r92gzzz
        enables:
        - b
        - '2024'
        ---
        """)


def test_a_weight_in_a_flow_list_is_a_flow_mapping() -> None:
    new, _ = add_entries(b"---\nrelated: []\n---\n", [Entry("related", "a", weight=0.25)])
    assert new == b"---\nrelated: [{slug: a, weight: 0.25}]\n---\n"


def test_a_mapping_of_weights_gains_pairs() -> None:
    text = fm("""
        ---
        relationships:
          related:
            a: 0.8
            b:   # no weight
          generalizes_from:
          - x
        enables: {a: 0.5}
        ---
        Body.
        """)
    new, added = add_entries(
        text, [Entry("related", "n", weight=0.3), Entry("related", "m"), Entry("related", "a"), Entry("enables", "q")]
    )
    assert added == 3
    assert new.decode() == text.decode().replace(
        "    b:   # no weight\n", "    b:   # no weight\n    n: 0.3\n    m:\n"
    ).replace("{a: 0.5}", "{a: 0.5, q: null}")


def test_replace_reference_changes_only_that_scalar() -> None:
    text = fm("""
        ---
        related:
        - "gap-analyis"   # keep me
        relationships:
          enables:
          - id: gap-analyis
            weight: 0.5
        ---
        """)
    assert replace_reference(text, "enables", "gap-analyis", "gap-analysis").decode() == text.decode().replace(
        "id: gap-analyis", "id: gap-analysis"
    )
    assert replace_reference(text, "related", "gap-analyis", "gap-analysis").decode() == text.decode().replace(
        '"gap-analyis"', "gap-analysis"
    )
    with pytest.raises(EditRefused, match="^requires does not list 'gap-analyis'$"):
        replace_reference(text, "requires", "gap-analyis", "gap-analysis")


# --------------------------------------------------------------------------- the shared corpus


@pytest.mark.corpus
@pytest.mark.slow
def test_fix_on_the_corpus(corpus_root: Path, tmp_path: Path) -> None:
    if shutil.which("git") is None:
        pytest.skip("git is not installed")
    repo = tmp_path / "corpus"
    shutil.copytree(corpus_root.parent, repo)

    def git(*args: str) -> str:
        env = {**os.environ, "GIT_CONFIG_GLOBAL": os.devnull, "GIT_CONFIG_NOSYSTEM": "1"}
        done = subprocess.run(["git", "-c", "user.name=t", "-c", "user.email=t@t", "-c", "core.autocrlf=false", *args],
                              cwd=repo, env=env, capture_output=True, text=True, check=True)  # fmt: skip
        return done.stdout

    git("init", "-q")
    git("add", "-A")
    git("commit", "-qm", "corpus")
    before = snapshot(repo)

    code, out, err = run("fix", str(repo), "--diff")
    assert code == 0 and err.startswith("would fix ")
    assert snapshot(repo) == before  # --diff writes nothing

    code, out, err = run("fix", str(repo))
    assert (code, err) == (0, "")
    assert out.splitlines()[-1] == "fixed 133 files: 1450 entries added"
    kinds = [p.kind for p in graphkit.load_library(repo).problems]
    assert "one-sided-inverse" not in kinds and "one-sided-symmetric" not in kinds

    numstat = [line.split("\t") for line in git("diff", "--numstat").splitlines()]
    assert len(numstat) == 133
    # Only added lines, but for the one empty flow list of the corpus: `specializes_to: []`
    # has no room for a line of its own, and gains its two entries inside the brackets.
    assert [row for row in numstat if row[1] != "0"] == [["1", "1", "_patterns/purpose-definition.md"]]
    removed = [line for line in git("diff", "-U0").splitlines() if line.startswith("-") and not line.startswith("---")]
    assert removed == ["-  specializes_to: []"]

    for name, data in before.items():  # every comment line is still there
        if name.endswith(".md"):
            comments = [line for line in data.splitlines() if line.lstrip().startswith(b"#")]
            after = (repo / name).read_bytes().splitlines()
            assert all(line in after for line in comments), name

    fixed = snapshot(repo)
    code, out, _ = run("fix", str(repo))
    assert (code, out) == (0, "nothing to fix\n")
    assert snapshot(repo) == fixed


def test_a_pattern_file_that_is_a_link_is_written_where_it_leads_and_stays_a_link(tmp_path: Path) -> None:
    (tmp_path / "real").mkdir()
    (tmp_path / "a.md").write_text("---\nslug: a\ntitle: A\nrelated: [b]\n---\n")
    (tmp_path / "real" / "b.txt").write_text("---\nslug: b\ntitle: B\n---\n")  # not read but through the link
    (tmp_path / "b.md").symlink_to(Path("real") / "b.txt")
    code, out, _ = run("fix", str(tmp_path), "--select", "one-sided-symmetric")
    assert (code, out.splitlines()[-1]) == (0, "fixed 1 files: 1 entry added")
    assert (tmp_path / "b.md").is_symlink()
    assert (tmp_path / "real" / "b.txt").read_text() == "---\nslug: b\ntitle: B\nrelated:\n- a\n---\n"
    assert run("fix", str(tmp_path))[1].splitlines()[-1] == "nothing to fix"
