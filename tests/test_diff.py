"""graphkit diff: two versions of a library (folders, or commits of a git repository) and what changed between them."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest
from click.testing import CliRunner

import graphkit
from graphkit.cli import cli
from graphkit.diff import diff_libraries, to_json, to_markdown, to_text

LIBRARY = Path(__file__).parent / "data" / "library"
HOSTILE_TITLE = "Beta <script>alert(1)</script> @team [x](https://e.vil) `tick`"


def run(*args: str):
    return CliRunner().invoke(cli, ["--no-cache", *args], prog_name="graphkit", catch_exceptions=False)


def plant(new: Path) -> None:
    """The planted changes: one pattern added, one removed, one renamed, a title and a domain changed."""
    (new / "epsilon.md").write_text(
        "---\nid: pat_01epsilon0000000000000000\nslug: epsilon\ntitle: Epsilon\nenables: [nowhere-yet]\n---\n",
        encoding="utf-8",
    )  # added, with a dangling reference: an error introduced
    (new / "delta.md").unlink()  # removed: its alternatives and its unknown-relation warning go with it
    beta = (new / "beta.md").read_text(encoding="utf-8")
    beta = beta.replace("  alternatives: [delta]\n", "").replace("    - slug: gamma\n", "    - slug: gamma-ray\n")
    beta = beta.replace('title: "Beta: \\"quoted\\" & <b>bold</b>"', f"title: {json.dumps(HOSTILE_TITLE)}")
    (new / "beta.md").write_text(beta, encoding="utf-8")
    gamma = (new / "gamma.md").read_text(encoding="utf-8")
    (new / "gamma.md").write_text(gamma.replace("slug: gamma\n", "slug: gamma-ray\n"), encoding="utf-8")  # renamed
    alpha = (new / "alpha.md").read_text(encoding="utf-8")
    alpha = alpha.replace("domain: governance", "domain: economy").replace("enables: [gamma]", "enables: [gamma-ray]")
    alpha = alpha.replace("missing-pattern]", "missing-pattern, gamma-ray]")  # answers gamma's one-sided link
    (new / "alpha.md").write_text(alpha, encoding="utf-8")


@pytest.fixture
def versions(tmp_path: Path) -> tuple[Path, Path]:
    old, new = tmp_path / "old", tmp_path / "new"
    shutil.copytree(LIBRARY, old)
    shutil.copytree(LIBRARY, new)
    plant(new)
    return old, new


EXPECTED_JSON = {
    "old": "old",
    "new": "new",
    "patterns": {"old": 4, "new": 4},
    "added": [{"slug": "epsilon", "title": "Epsilon"}],
    "removed": [{"slug": "delta", "title": "Delta"}],
    "renamed": [{"old": "gamma", "new": "gamma-ray", "id": "pat_01gamma000000000000000000"}],
    "titles": [{"slug": "beta", "old": 'Beta: "quoted" & <b>bold</b>', "new": HOSTILE_TITLE}],
    "domains": [{"slug": "alpha", "old": ["governance"], "new": ["economy"]}],
    "relations": {
        "added": {"related": [["alpha", "gamma-ray"]]},
        "removed": {"alternatives": [["beta", "delta"], ["delta", "beta"]]},
    },
    "problems": {
        "introduced": [
            {
                "path": "epsilon.md",
                "kind": "dangling-reference",
                "severity": "error",
                "message": "enables names 'nowhere-yet', which is no pattern's slug or id",
                "slug": "epsilon",
                "relation": "enables",
                "target": "nowhere-yet",
            }
        ],
        "fixed": [
            {
                "path": "delta.md",
                "kind": "unknown-relation",
                "severity": "warning",
                "message": "relationships.implements is not a known relation (1 file); declare it in graphkit.toml "
                "as [relations.implements] to make it edges (graphkit fields --toml prints the table)",
                "relation": "implements",
            },
            {
                "path": "gamma.md",
                "kind": "one-sided-symmetric",
                "severity": "warning",
                "message": "'gamma' lists 'alpha' under related, but 'alpha' does not list 'gamma'",
                "slug": "gamma",
                "relation": "related",
                "target": "alpha",
            },
        ],
    },
    "errors_introduced": 1,
}

EXPECTED_TEXT = [
    "old -> new",
    "patterns added (1)",
    "  + epsilon  (Epsilon)",
    "patterns removed (1)",
    "  - delta  (Delta)",
    "patterns renamed (1)",
    "  gamma -> gamma-ray  (pat_01gamma000000000000000000)",
    "titles changed (1)",
    f"  beta: 'Beta: \"quoted\" & <b>bold</b>' -> {HOSTILE_TITLE!r}",
    "domains changed (1)",
    "  alpha: governance -> economy",
    "relations added (1)",
    "  + alpha -related-> gamma-ray",
    "relations removed (2)",
    "  - beta -alternatives-> delta",
    "  - delta -alternatives-> beta",
    "problems introduced (1)",
    "  + epsilon.md: error: enables names 'nowhere-yet', which is no pattern's slug or id [dangling-reference]",
    "problems fixed (2)",
    "  - delta.md: warning: relationships.implements is not a known relation (1 file); declare it in graphkit.toml "
    "as [relations.implements] to make it edges (graphkit fields --toml prints the table) [unknown-relation]",
    "  - gamma.md: warning: 'gamma' lists 'alpha' under related, but 'alpha' does not list 'gamma' [one-sided-symmetric]",
    "patterns 4 -> 4: 1 added, 1 removed, 1 renamed, 1 retitled, 1 with new domains; "
    "relations: 1 added, 2 removed; problems: 1 introduced (1 error), 2 fixed",
]

EXPECTED_MARKDOWN = """\
### graphkit diff `old` → `new`

**This change introduces 1 error.**

patterns 4 → 4: 1 added, 1 removed, 1 renamed, 1 retitled, 1 with new domains; relations: 1 added, 2 removed; \
problems: 1 introduced (1 error), 2 fixed

<details><summary>Patterns added (1)</summary>

- `epsilon` `Epsilon`

</details>

<details><summary>Patterns removed (1)</summary>

- `delta` `Delta`

</details>

<details><summary>Patterns renamed (1)</summary>

- `gamma` → `gamma-ray` (`pat_01gamma000000000000000000`)

</details>

<details><summary>Titles changed (1)</summary>

- `beta`: `Beta: "quoted" & <b>bold</b>` → `` Beta <script>alert(1)</script> @team [x](https://e.vil) `tick` ``

</details>

<details><summary>Domains changed (1)</summary>

- `alpha`: `governance` → `economy`

</details>

<details><summary>Relations added (1)</summary>

- `alpha` `related` `gamma-ray`

</details>

<details><summary>Relations removed (2)</summary>

- `beta` `alternatives` `delta`
- `delta` `alternatives` `beta`

</details>

<details><summary>Problems introduced (1)</summary>

- error `epsilon.md` `enables names 'nowhere-yet', which is no pattern's slug or id` (`dangling-reference`)

</details>

<details><summary>Problems fixed (2)</summary>

- warning `delta.md` `relationships.implements is not a known relation (1 file); declare it in graphkit.toml as \
[relations.implements] to make it edges (graphkit fields --toml prints the table)` (`unknown-relation`)
- warning `gamma.md` `'gamma' lists 'alpha' under related, but 'alpha' does not list 'gamma'` \
(`one-sided-symmetric`)

</details>
"""


def test_diff_reports_exactly_the_planted_changes(versions):
    old, new = (graphkit.load_library(v) for v in versions)
    d = diff_libraries(old, new, "old", "new")
    assert to_json(d) == EXPECTED_JSON
    assert to_text(d) == EXPECTED_TEXT
    assert to_markdown(d) == EXPECTED_MARKDOWN
    back = diff_libraries(new, old, "new", "old")
    assert [(p.path, p.kind) for p in back.introduced] == [
        ("delta.md", "unknown-relation"),
        ("gamma.md", "one-sided-symmetric"),
    ]
    assert back.errors_introduced == 0 and back.renamed == (("gamma-ray", "gamma", "pat_01gamma000000000000000000"),)


def test_diff_of_folders_on_the_command_line(versions, monkeypatch):
    old, new = versions
    monkeypatch.chdir(old.parent)
    result = run("diff", "old", "new")
    assert result.exit_code == 1  # an error introduced
    assert result.stdout.splitlines() == EXPECTED_TEXT
    result = run("diff", "old", "new", "-f", "json")
    assert json.loads(result.stdout) == EXPECTED_JSON
    result = run("diff", "old", "new", "-f", "markdown")
    assert result.stdout == EXPECTED_MARKDOWN
    back = run("diff", "new", "old")
    assert back.exit_code == 0  # only warnings introduced
    same = run("diff", "old", "old", "-f", "markdown")
    assert (same.exit_code, same.stdout) == (
        0,
        "### graphkit diff `old` → `old`\n\nNo change to patterns, relations or problems (4 patterns).\n",
    )


def git(repo: Path, *args: str) -> str:
    done = subprocess.run(
        ["git", "-c", "user.name=t", "-c", "user.email=t@example.org", "-c", "commit.gpgsign=false", *args],
        cwd=repo, capture_output=True, text=True, check=True,
    )  # fmt: skip
    return done.stdout


@pytest.fixture
def repository(tmp_path: Path) -> Path:
    if shutil.which("git") is None:
        pytest.skip("git is not installed")
    repo = tmp_path / "repo"
    shutil.copytree(LIBRARY, repo / "_patterns")
    (repo / "README.md").write_text("a library\n", encoding="utf-8")
    git(repo, "init", "-q", "-b", "main")
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "old")
    git(repo, "checkout", "-q", "-b", "change")
    plant(repo / "_patterns")
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "new")
    return repo


def test_diff_of_two_commits(repository, monkeypatch):
    monkeypatch.chdir(repository)
    result = run("diff", "main", "HEAD", "--root", "_patterns", "-f", "json")
    assert result.exit_code == 1
    assert json.loads(result.stdout) == {**EXPECTED_JSON, "old": "main", "new": "HEAD"}
    monkeypatch.chdir(repository / "_patterns")  # in the library folder, --root is not needed
    result = run("diff", "main", "change")
    assert result.stdout.splitlines() == ["main -> change", *EXPECTED_TEXT[1:]]
    (repository / "_patterns" / "alpha.md").write_text("changed in the work tree, not committed\n")
    result = run("diff", "HEAD~1", "HEAD", "-f", "markdown")
    assert result.stdout == EXPECTED_MARKDOWN.replace("`old` → `new`", "`HEAD~1` → `HEAD`")
    assert git(repository, "status", "--porcelain") == " M _patterns/alpha.md\n"  # nothing else touched
    assert len(git(repository, "worktree", "list").splitlines()) == 1


@pytest.mark.parametrize(
    "args, message",
    [
        (["diff", "nosuch", "HEAD", "--root", "_patterns"],
         "Error: nosuch: no such folder, nor a revision of the git repository at {repo}"),
        (["diff", "--root", "_patterns", "--", "main", "--output=x"], "Error: --output=x: not a git revision"),
        (["diff", "main", "HEAD", "--root", "missing"], "Error: main: has no folder missing"),
        (["diff", "main", "nosuch"], "Error: nosuch: no such folder, nor a revision of the git repository at {repo}"),
    ],
    ids=["unknown revision", "an option as revision", "no such library folder", "a revision of the top"],
)  # fmt: skip
def test_a_side_that_does_not_exist_is_one_line_and_exit_code_2(repository, monkeypatch, args, message):
    monkeypatch.chdir(repository)
    result = run(*args)
    assert result.exit_code == 2
    assert result.stderr.splitlines() == [message.format(repo=repository.resolve())]


def test_a_missing_folder_outside_a_repository(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    shutil.copytree(LIBRARY, tmp_path / "lib")
    result = run("diff", "lib", "nosuch")
    assert result.exit_code == 2
    assert result.stderr.splitlines() == ["Error: nosuch: no such folder, and . is not in a git repository"]


def test_a_revision_is_read_without_its_symbolic_links(repository, monkeypatch, tmp_path):
    secret = tmp_path / "secret.md"
    secret.write_text("---\nslug: secret\ntitle: Secret\n---\n", encoding="utf-8")
    (repository / "_patterns" / "leak.md").symlink_to(secret)
    (repository / "_patterns" / "up.md").symlink_to("../README.md")
    git(repository, "add", "-A")
    git(repository, "commit", "-q", "-m", "links")
    monkeypatch.chdir(repository)
    result = run("diff", "HEAD~1", "HEAD", "--root", "_patterns", "-f", "json")
    assert (result.exit_code, json.loads(result.stdout)["added"]) == (0, [])
    assert "Secret" not in result.stdout


def test_a_checkout_that_fails_is_one_line_and_exit_code_1(repository, monkeypatch):
    import tarfile

    def broken(*args, **kwargs):
        raise tarfile.ReadError("empty file")

    monkeypatch.setattr(tarfile, "open", broken)
    monkeypatch.chdir(repository)
    result = run("diff", "main", "HEAD", "--root", "_patterns")
    assert result.exit_code == 1
    assert result.stderr.splitlines() == ["Error: main: cannot check out _patterns/ (empty file)"]
