"""What ``push`` uses unless told otherwise: its protocols, its timeouts, where the password is read.

Apart from ``push`` and ``http`` (httpx), so that the command line shows them in its options
without importing either.
"""

from __future__ import annotations

__all__ = ["DEFAULT_CONNECT_TIMEOUT", "DEFAULT_TIMEOUT", "PASSWORD_ENV", "PROTOCOLS"]

#: The protocols ``push_triples`` speaks.
PROTOCOLS = ("gsp", "update")
#: Seconds to wait for a store's answer: a library of 40k patterns (405k triples) took about
#: 52 s to push to a local Oxigraph, and ten times that still fits.
DEFAULT_TIMEOUT = 600.0
#: Seconds to wait for a connection to the store.
DEFAULT_CONNECT_TIMEOUT = 10.0
#: Where the command line reads the password of ``--user`` (never from an option).
PASSWORD_ENV = "GRAPHKIT_STORE_PASSWORD"
