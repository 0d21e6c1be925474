"""The one exception hierarchy of graphkit: every error it raises on purpose."""

from __future__ import annotations


class GraphkitError(Exception):
    """Base of every error graphkit raises on purpose."""


class LibraryError(GraphkitError):
    """The library folder itself cannot be read (missing, not a folder, bad configuration)."""


class ConfigError(LibraryError):
    """The library's graphkit configuration is invalid."""

    def __init__(self, path: str, problem: str) -> None:
        self.path, self.problem = path, problem
        super().__init__(f"{path}: {problem}")


class PatternFileError(GraphkitError):
    """A Markdown file cannot be turned into a pattern record."""

    def __init__(self, path: str, problem: str, kind: str = "invalid-file") -> None:
        self.path, self.problem, self.kind = path, problem, kind
        super().__init__(f"{path}: {problem}")


class PatternNotFound(GraphkitError):
    """A slug, id or title names no pattern in the graph."""


class ExportError(GraphkitError):
    """An export format is unknown or cannot render the graph."""


class QueryError(GraphkitError):
    """A SPARQL query is invalid, refused, or fails to run."""


class StoreError(GraphkitError):
    """A remote SPARQL store refused a request or could not be reached."""


class StoreOutcomeUnknown(StoreError):
    """A request reached the store, but no answer came back: the store may still apply it."""


class ServeError(GraphkitError):
    """The local SPARQL server and map of ``graphkit serve`` cannot start."""


class ViewError(GraphkitError):
    """A map cannot be drawn as asked (unknown pattern, relation, facet value or option)."""


class QueryRefused(QueryError):
    """A query asks for what graphkit never runs: an update, ``SERVICE``, ``FROM`` or ``LOAD``."""


class ShapesError(GraphkitError):
    """SHACL checks cannot run: the shapes or the data do not load, or the shapes use what graphkit does not check."""


class FixError(GraphkitError):
    """A fix cannot be written to the library's files."""


class RevisionNotFound(GraphkitError):
    """A side of ``graphkit diff`` is neither a library folder nor a git revision that exists."""
