"""The relay's optimisations that lean on other libraries' internals, switched as one setting.

Four shortcuts on the hot path depend on how another library works inside; each lives in one
module with a canary test that fails when a release changes what it relies on, and each falls
back to the public way by itself when it finds that change at run time:

* ``fd-write`` (http_api/ws_transport.py): frames written to the socket's descriptor while
  uvloop's transport holds nothing, instead of through the transport;
* ``ws-direct`` (http_api/ws_direct.py): binary messages from aiohttp's frame parser straight
  to the room, instead of through aiohttp's queue and ``receive()``;
* ``ydoc-core`` (collab/ydoc.py): updates applied on pycrdt's compiled core, instead of through
  ``Doc.apply_update``'s Python layers;
* ``loop-nodelay`` (http_api/loop_nodelay.py): TCP_NODELAY left as the event loop set it on
  each accepted connection, instead of aiohttp setting it again.

``DTTOOLS_FAST_PATHS`` names those in use (default: all). It exists so that a benchmark can
switch one off alone and show what it is worth (docs/benchmarks.md); a shortcut that does not
move p99 or CPU beyond run-to-run noise has no place here.
"""

from __future__ import annotations

import argparse
from typing import Final

from collab.ydoc import use_core_transactions
from http_api.loop_nodelay import set_loop_nodelay
from http_api.ws_direct import set_direct_path
from http_api.ws_transport import set_fd_writes

__all__ = ["ALL", "apply", "parse"]

#: Every shortcut, by the name ``DTTOOLS_FAST_PATHS`` uses.
ALL: Final = ("fd-write", "ws-direct", "ydoc-core", "loop-nodelay")


def parse(value: str) -> frozenset[str]:
    """``all``, ``none`` or a comma-separated list of names from :data:`ALL`."""
    value = value.strip()
    if value == "all":
        return frozenset(ALL)
    if value == "none":
        return frozenset()
    names = frozenset(part.strip() for part in value.split(",") if part.strip())
    unknown = sorted(names - set(ALL))
    if unknown:
        raise argparse.ArgumentTypeError(
            f"unknown fast path(s) {', '.join(unknown)}: use all, none or some of {', '.join(ALL)}"
        )
    return names


def apply(enabled: frozenset[str]) -> None:
    """Switch each shortcut on or off for this process (sockets opened from now on)."""
    set_fd_writes("fd-write" in enabled)
    set_direct_path("ws-direct" in enabled)
    use_core_transactions("ydoc-core" in enabled)
    set_loop_nodelay("loop-nodelay" in enabled)
