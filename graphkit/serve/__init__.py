"""Stage 4 (serve): the library on a local SPARQL server, with the map page and a query panel beside it.

``Server(G)`` loads the graph and the graphkit ontology into a read-only ``oxigraph serve``
child process on 127.0.0.1 and serves the map page and ``/sparql`` from one local HTTP server;
``library_server(root, cache_dir)`` does it for a library folder from the store and page kept
in the cache, so that an unchanged library is served at once.
"""

from .app import Server, to_served_page
from .kept import library_server
from .oxigraph import OxigraphServer, find_oxigraph

__all__ = ["OxigraphServer", "Server", "find_oxigraph", "library_server", "to_served_page"]
