"""Stage 4 (store): the library's RDF -> one named graph of a remote SPARQL 1.1 store.

Two standard protocols: the Graph Store HTTP Protocol (one ``PUT``, the default) and SPARQL
Update (batches into a staging graph, then one ``MOVE``). ``push`` speaks them; ``http``
carries the requests (httpx), answering the store's authentication challenge; ``defaults``
holds what the command line shows. Each name is imported from its module on first use.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..lazy import lazy_exports

if TYPE_CHECKING:  # the same names, for type checkers (re-exported)
    from .defaults import DEFAULT_CONNECT_TIMEOUT, DEFAULT_TIMEOUT, PASSWORD_ENV, PROTOCOLS  # noqa: F401
    from .push import (  # noqa: F401
        STAGING_PREFIX,
        PushResult,
        check_graph_iri,
        endpoint_url,
        push_graph,
        push_triples,
        to_insert_data,
    )

#: Each public name and the module it lives in.
_API = {
    "DEFAULT_CONNECT_TIMEOUT": "defaults",
    "DEFAULT_TIMEOUT": "defaults",
    "PASSWORD_ENV": "defaults",
    "PROTOCOLS": "defaults",
    "STAGING_PREFIX": "push",
    "PushResult": "push",
    "check_graph_iri": "push",
    "endpoint_url": "push",
    "push_graph": "push",
    "push_triples": "push",
    "to_insert_data": "push",
}

__all__ = sorted(_API)


__getattr__, __dir__ = lazy_exports(__name__, _API)
