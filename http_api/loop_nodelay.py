"""Leave TCP_NODELAY to the event loop instead of setting it again for every connection.

aiohttp's protocol sets TCP_NODELAY on each connection it is handed (``BaseProtocol.
connection_made``): it asks the transport for a socket object (uvloop builds one on first
ask) and makes a ``setsockopt`` call. Both event loops we run on already set the option on
every TCP transport they create (asyncio since Python 3.6, uvloop in ``TCPTransport.new``),
so in a connection storm that is a system call and a few Python frames per connection for
nothing, about 3 % of the node's CPU per join (docs/benchmarks.md).

This swaps the module-level function aiohttp's protocol calls for one that leaves the option
as the loop set it. If aiohttp stops calling it by that name, the swap is skipped with one
warning; tests/http_api/test_loop_nodelay.py fails when the installed aiohttp or either loop
no longer behaves as this relies on.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable

import structlog
from aiohttp import base_protocol

__all__ = ["NAME", "set_loop_nodelay", "loop_nodelay_on"]

_log = structlog.get_logger(__name__)

SetNoDelay = Callable[[asyncio.Transport, bool], None]

#: the name aiohttp's protocol calls (``from .tcp_helpers import tcp_nodelay``)
NAME = "tcp_nodelay"
_original: SetNoDelay | None = getattr(base_protocol, NAME, None)


def _set_by_the_loop(transport: asyncio.Transport, value: bool) -> None:
    """aiohttp's ``tcp_nodelay``, except that asking for what the loop set does nothing."""
    if not value and _original is not None:
        _original(transport, value)


def set_loop_nodelay(enabled: bool) -> None:
    """Skip aiohttp's per-connection TCP_NODELAY call (the default), or make it as aiohttp does.

    Process-wide, for connections accepted from now on (``DTTOOLS_FAST_PATHS``).
    """
    if _original is None:
        if enabled:
            _log.warning(
                "loop_nodelay_unavailable", why="aiohttp.base_protocol.tcp_nodelay is gone"
            )
        return
    setattr(base_protocol, NAME, _set_by_the_loop if enabled else _original)


def loop_nodelay_on() -> bool:
    """Whether aiohttp's protocol currently leaves TCP_NODELAY to the loop."""
    return getattr(base_protocol, NAME, None) is _set_by_the_loop
