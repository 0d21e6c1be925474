"""The query store kept on disk: opened while the library is unchanged, built again when it changes
or cannot be read, shared by concurrent runs, and never removed while in use."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from click.testing import CliRunner

from graphkit import load_library, sample_library
from graphkit.cli import cli
from graphkit.query import find_queries, load_store, open_store, query, to_json

PATTERN = textwrap.dedent(
    """\
    ---
    slug: {slug}
    title: {title}
    relationships:
      enables: [{target}]
    ---
    Text.
    """
)
COUNT = "SELECT (COUNT(?p) AS ?n) WHERE { ?p a gk:Pattern }"
TITLES = "SELECT ?title WHERE { ?p skos:prefLabel ?title } ORDER BY ?title"


def write(root: Path, slug: str, title: str, target: str = "a") -> None:
    path = root / f"{slug}.md"
    path.write_text(PATTERN.format(slug=slug, title=title, target=target), encoding="utf-8")
    settle(path)


def settle(path: Path) -> None:
    """Date a file a minute back: a file written within the last 2 s may change again unseen (no store is kept)."""
    info = path.stat()
    os.utime(path, ns=(info.st_atime_ns, info.st_mtime_ns - 60 * 1_000_000_000))


@pytest.fixture
def library(tmp_path: Path) -> Path:
    root = tmp_path / "library"
    root.mkdir()
    write(root, "a", "Alpha", target="b")
    write(root, "b", "Beta")
    return root


def stores(cache: Path) -> list[Path]:
    return sorted(p for p in cache.iterdir() if p.name.startswith("store-"))


def run(cache: Path, *args: str):
    return CliRunner().invoke(cli, ["--cache-dir", str(cache), "query", *args], catch_exceptions=False)


def csv(result) -> str:
    """What the command printed, bytes as they are (``Result.stdout`` turns CRLF into LF)."""
    assert result.exit_code == 0, result.output
    return result.stdout_bytes.decode()


def signature(folder: Path) -> dict[str, tuple[int, int]]:
    """Inode and mtime of the folder and of every file of the store in it."""
    paths = [folder, *sorted((folder / "store").iterdir())]
    return {p.name: (p.stat().st_ino, p.stat().st_mtime_ns) for p in paths}


def test_an_unchanged_library_opens_the_kept_store(library, tmp_path):
    cache = tmp_path / "cache"
    first = open_store(library, cache)
    assert first.built and first.path is not None and first.note == ""
    assert query(first.store, COUNT).rows == [{"n": 2}]
    (folder,) = stores(cache)
    assert first.path == folder and first.location == folder / "store"
    before = signature(folder)
    again = open_store(library, cache)
    assert not again.built and again.library is None and again.path == folder
    assert query(again, COUNT).rows == [{"n": 2}]
    assert signature(folder) == before  # the same folder and files: opened, not written


def test_the_command_line_keeps_the_store_between_runs(library, tmp_path):
    cache = tmp_path / "cache"
    first = run(cache, str(library), TITLES, "-f", "csv")
    assert csv(first) == "title\r\nAlpha\r\nBeta\r\n" and first.stderr == ""
    (folder,) = stores(cache)
    before = signature(folder)
    again = run(cache, str(library), TITLES, "-f", "csv")
    assert csv(again) == csv(first) and again.stderr == ""
    assert stores(cache) == [folder] and signature(folder) == before


def test_a_changed_file_builds_the_store_again_and_removes_the_old_one(library, tmp_path):
    cache = tmp_path / "cache"
    assert csv(run(cache, str(library), TITLES, "-f", "csv")) == "title\r\nAlpha\r\nBeta\r\n"
    (old,) = stores(cache)
    write(library, "b", "Beta, renamed")
    changed = run(cache, str(library), TITLES, "-f", "csv")
    assert csv(changed) == 'title\r\nAlpha\r\n"Beta, renamed"\r\n' and changed.stderr == ""
    (new,) = stores(cache)
    assert new != old and not old.exists()
    write(library, "c", "Gamma")  # a file added
    assert csv(run(cache, str(library), COUNT, "-f", "csv")) == "n\r\n3\r\n"
    (newer,) = stores(cache)
    assert newer not in (old, new)


def test_a_store_in_use_is_not_removed(library, tmp_path):
    cache = tmp_path / "cache"
    reader = open_store(library, cache)  # holds its store, as a running graphkit serve does
    write(library, "b", "Beta, renamed")
    newer = open_store(library, cache)
    assert newer.built and stores(cache) == sorted([reader.path, newer.path])
    assert query(reader.store, COUNT).rows == [{"n": 2}]  # still readable
    reader.close()
    newer.close()
    write(library, "b", "Beta, renamed again")
    newest = open_store(library, cache)
    assert stores(cache) == [newest.path]  # nobody held the older ones: removed


def test_a_file_written_a_moment_ago_keeps_no_store(library, tmp_path):
    cache = tmp_path / "cache"
    (library / "c.md").write_text(PATTERN.format(slug="c", title="Gamma", target="a"), encoding="utf-8")
    kept = open_store(library, cache)
    assert kept.path is None and kept.built and kept.note == ""
    assert query(kept.store, COUNT).rows == [{"n": 3}]
    assert stores(cache) == []


def test_no_cache_keeps_no_store(library, tmp_path):
    cache = tmp_path / "cache"
    result = CliRunner().invoke(
        cli, ["--no-cache", "--cache-dir", str(cache), "query", str(library), COUNT, "-f", "csv"]
    )
    assert csv(result) == "n\r\n2\r\n"
    assert not cache.exists()


def test_each_base_iri_has_its_own_store(library, tmp_path):
    cache = tmp_path / "cache"
    iri = "SELECT ?p WHERE { ?p gk:slug 'a' }"
    default = run(cache, str(library), iri, "-f", "csv")
    other = run(cache, str(library), iri, "-f", "csv", "--base-iri", "https://example.org/lib/")
    assert csv(default) == "p\r\nhttps://w3id.org/graphkit/library/pattern/a\r\n"
    assert csv(other) == "p\r\nhttps://example.org/lib/pattern/a\r\n"
    assert len(stores(cache)) == 2


def _garble(path: Path) -> None:
    path.write_bytes(b"x" * path.stat().st_size)


@pytest.mark.parametrize(
    "damage, why",
    [
        (lambda store: (store / "CURRENT").write_text("garbage\n"), "it is damaged"),
        (lambda store: [_garble(p) for p in store.glob("*.sst")], "it is damaged"),
        (lambda store: [p.unlink() for p in store.glob("MANIFEST-*")], "files of it are missing"),
        (lambda store: [p.unlink() for p in store.iterdir()], "files of it are missing"),
    ],
    ids=["garbled-current", "garbled-tables", "manifest-deleted", "emptied"],
)
def test_a_store_that_cannot_be_read_is_built_again_with_one_line(library, tmp_path, damage, why):
    cache = tmp_path / "cache"
    assert csv(run(cache, str(library), COUNT, "-f", "csv")) == "n\r\n2\r\n"
    (folder,) = stores(cache)
    damage(folder / "store")
    result = run(cache, str(library), COUNT, "-f", "csv")
    assert csv(result) == "n\r\n2\r\n"
    assert result.stderr == f"{folder}: the kept query store cannot be read ({why}); building it again\n"
    assert stores(cache) == [folder]  # built again in its place; the damaged one set aside and removed
    again = run(cache, str(library), COUNT, "-f", "csv")
    assert csv(again) == "n\r\n2\r\n" and again.stderr == ""


def test_a_cache_that_cannot_be_written_costs_time_not_the_answer(library, tmp_path):
    (tmp_path / "file").write_text("not a folder")
    cache = tmp_path / "file" / "cache"
    kept = open_store(library, cache)
    assert kept.path is None and query(kept.store, COUNT).rows == [{"n": 2}]
    assert kept.note.startswith(f"{cache}: cannot keep the query store there (")
    assert kept.note.endswith("); it was built in memory")


def test_concurrent_runs_share_one_store(tmp_path):
    library = tmp_path / "sample"
    shutil.copytree(sample_library(), library)
    for path in library.glob("*.md"):
        settle(path)
    cache = tmp_path / "cache"
    command = [sys.executable, "-m", "graphkit", "--cache-dir", str(cache), "query", str(library), COUNT, "-f", "csv"]
    runs = [subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE) for _ in range(4)]
    outputs = [r.communicate(timeout=300) for r in runs]
    assert [r.returncode for r in runs] == [0, 0, 0, 0]
    assert {out for out, _ in outputs} == {b"n\r\n37\r\n"}
    assert {err for _, err in outputs} == {b""}
    (folder,) = stores(cache)  # one store; no half-built folder left behind
    assert sorted(p.name for p in folder.iterdir()) == ["store"]


def test_every_shipped_query_gives_the_same_bytes_on_the_kept_store_as_in_memory(tmp_path):
    kept = open_store(None, tmp_path / "cache")
    assert kept.path is not None
    in_memory = load_store(load_library())
    for name, shipped in find_queries().items():
        bindings = {p: "alignment-monitoring" if p == "pattern" else "lean" for p in shipped.parameters}
        on_disk = query(kept, name, bindings)
        assert to_json(on_disk) == to_json(query(in_memory, name, bindings)), name
