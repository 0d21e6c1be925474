"""Shared fixtures: the fixture library, the shipped sample, and the shared corpus when present."""

from __future__ import annotations

import os
from pathlib import Path

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
