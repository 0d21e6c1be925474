"""Stage 4 (serve): the library on a local SPARQL server, with the map page and a query panel beside it.

``Server(G)`` loads the graph and the graphkit ontology into a read-only ``oxigraph serve``
child process on 127.0.0.1 and serves the map page and ``/sparql`` from one local HTTP server.
"""

from .app import Server, to_served_page
from .oxigraph import OxigraphServer, find_oxigraph

__all__ = ["OxigraphServer", "Server", "find_oxigraph", "to_served_page"]
