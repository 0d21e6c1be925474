"""Shared fixtures: the fixture library, the shipped sample, and the shared corpus when present."""

from __future__ import annotations

import os
import shutil
from pathlib import Path
from typing import NoReturn

import pytest

import graphkit

HERE = Path(__file__).parent
REPO = HERE.parent
DATA = HERE / "data"
CORPUS = REPO.parent / "shared" / "corpus" / "commons-os-patterns-2026-02-17" / "_patterns"


@pytest.fixture(scope="session", autouse=True)
def _private_cache(tmp_path_factory: pytest.TempPathFactory) -> None:
    """The CLI caches parsed patterns; keep the tests' cache out of the user's home."""
    os.environ["GRAPHKIT_CACHE_DIR"] = str(tmp_path_factory.mktemp("cache"))


@pytest.fixture(scope="session")
def fixture_root() -> Path:
    return DATA / "library"


@pytest.fixture(scope="session")
def fixture_library(fixture_root: Path) -> graphkit.Library:
    return graphkit.load_library(fixture_root)


@pytest.fixture(scope="session")
def sample_library() -> graphkit.Library:
    return graphkit.load_library()


@pytest.fixture(scope="session")
def corpus_root() -> Path:
    if not CORPUS.is_dir():
        if os.environ.get("CI") == "true" and os.environ.get("GRAPHKIT_REQUIRE_CORPUS") == "1":
            pytest.fail(f"the shared corpus is missing at {CORPUS}")
        pytest.skip(f"the shared Commons OS corpus is not at {CORPUS}")
    return CORPUS


@pytest.fixture(scope="session")
def corpus_library(corpus_root: Path) -> graphkit.Library:
    return graphkit.load_library(corpus_root)


# --------------------------------------------------------------------------- a real browser

CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run",
]  # fmt: skip


def no_browser(reason: str) -> NoReturn:
    """Skip a browser test, except in CI (``CI=true``), where a missing browser is a failure."""
    no_program(reason)


def no_program(reason: str) -> NoReturn:
    """Skip a test whose program is missing (a browser, rapper, java), except in CI (``CI=true``): there it fails."""
    if os.environ.get("CI") == "true":
        pytest.fail(f"CI needs this test: {reason}")
    pytest.skip(reason)


@pytest.fixture(scope="session")
def rapper() -> str:
    """Debian's rapper (raptor2-utils): an RDF parser that shares no code with graphkit's."""
    path = shutil.which("rapper")
    if path is None:
        no_program("rapper is not installed (apt-get install raptor2-utils)")
    return path


@pytest.fixture(scope="session")
def java() -> str:
    """A Java runtime, for HermiT (the OWL 2 DL reasoner that owlready2 ships as a jar)."""
    path = shutil.which("java")
    if path is None:
        no_program("java is not installed (apt-get install default-jre-headless)")
    return path


def chromium_path() -> str | None:
    """Debian's chromium, or the executable named by GRAPHKIT_CHROMIUM (and then only that one)."""
    given = os.environ.get("GRAPHKIT_CHROMIUM")
    candidates = [given] if given else ["/usr/bin/chromium", shutil.which("chromium")]
    return next((c for c in candidates if c and os.access(c, os.X_OK)), None)


@pytest.fixture(scope="session")
def browser():
    """One headless Chromium for the whole session, driven by playwright (never `playwright install`)."""
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        no_browser("the playwright package is not installed (pip install '.[test]')")
    executable = chromium_path()
    if executable is None:
        no_browser("no chromium found (apt-get install chromium)")
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        yield b
        b.close()
