"""Stage 1's cache: the parsed records of a library folder, on disk, so that an unchanged file is not parsed again."""

from __future__ import annotations

import hashlib
import os
import pickle
import tempfile
from pathlib import Path
from typing import Any

from .config import Config

__all__ = ["PatternCache", "default_cache_dir"]


def default_cache_dir() -> Path:
    """Where the command line keeps its cache: ``$GRAPHKIT_CACHE_DIR``, else the user's cache folder."""
    if os.environ.get("GRAPHKIT_CACHE_DIR"):
        return Path(os.environ["GRAPHKIT_CACHE_DIR"])
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "graphkit"


class PatternCache:
    """Parsed records of one library folder, in one pickle file named by the folder and the configuration.

    What it holds is up to ``load_patterns``: a mapping from each file to what was read from
    it and when. Delete the folder at any time; a cache that cannot be read is empty.
    """

    FORMAT = 3  # bump when Pattern, Link or Problem change shape (or how a file is read)

    def __init__(self, folder: Path, library: Path, config: Config, boundary: str | None) -> None:
        from .. import __version__

        # Records read while following links outside the library are never served to a load that does not.
        key = repr((self.FORMAT, __version__, str(library.resolve()), config, boundary))
        self.path = folder / f"{hashlib.sha256(key.encode()).hexdigest()[:24]}.pickle"

    def read(self) -> dict[str, Any]:
        try:
            with self.path.open("rb") as f:
                entries = pickle.load(f)
        except (OSError, EOFError, pickle.UnpicklingError, AttributeError, ImportError, ValueError, TypeError):
            return {}  # no cache yet, or one from another version: parse everything again
        return entries if isinstance(entries, dict) else {}

    def write(self, entries: dict[str, Any]) -> None:
        """Replace the cache file with ``entries``, atomically: a reader sees the old file or the new one."""
        tmp = None
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(dir=self.path.parent, suffix=".tmp")
            with os.fdopen(fd, "wb") as f:
                pickle.dump(entries, f, protocol=pickle.HIGHEST_PROTOCOL)
            os.replace(tmp, self.path)
        except (OSError, pickle.PicklingError):
            if tmp is not None:
                Path(tmp).unlink(missing_ok=True)
            # a cache that cannot be written only costs time on the next run
