"""Stage 4 (store): the library's RDF -> one named graph of a remote SPARQL 1.1 store.

Two standard protocols: the Graph Store HTTP Protocol (one ``PUT``, the default) and SPARQL
Update (batches into a staging graph, then one ``MOVE``). ``push`` speaks them; ``http``
carries the requests (httpx), answering the store's authentication challenge.
"""

from .http import PASSWORD_ENV
from .push import (
    DEFAULT_CONNECT_TIMEOUT,
    DEFAULT_TIMEOUT,
    PROTOCOLS,
    STAGING_PREFIX,
    PushResult,
    check_graph_iri,
    endpoint_url,
    push_graph,
    push_triples,
    to_insert_data,
)

__all__ = [
    "DEFAULT_CONNECT_TIMEOUT",
    "DEFAULT_TIMEOUT",
    "PASSWORD_ENV",
    "PROTOCOLS",
    "STAGING_PREFIX",
    "PushResult",
    "check_graph_iri",
    "endpoint_url",
    "push_graph",
    "push_triples",
    "to_insert_data",
]
