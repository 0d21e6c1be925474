"""Packages whose public names are imported on first use.

``graphkit --help``, or a query on a kept store, should not import NetworkX, rdflib, igraph and
SciPy it never uses: a package lists each public name with the module it lives in, and
``lazy_exports`` gives the package the ``__getattr__`` and ``__dir__`` that import it when asked.
"""

from __future__ import annotations

import importlib
import sys
from collections.abc import Callable
from typing import Any

__all__ = ["lazy_exports"]


def lazy_exports(package: str, api: dict[str, str]) -> tuple[Callable[[str], Any], Callable[[], list[str]]]:
    """``(__getattr__, __dir__)`` for ``package``, whose name ``n`` lives in ``package.api[n]``.

    Examples
    --------
    >>> getattr_, dir_ = lazy_exports("graphkit", {"load_library": "library"})
    >>> getattr_("load_library").__name__, "load_library" in dir_()
    ('load_library', True)
    """

    def __getattr__(name: str) -> Any:
        if name not in api:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        value = getattr(importlib.import_module(f"{package}.{api[name]}"), name)
        setattr(sys.modules[package], name, value)  # looked up once
        return value

    def __dir__() -> list[str]:
        return sorted([*vars(sys.modules[package]), *api])

    return __getattr__, __dir__
