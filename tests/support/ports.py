"""Loopback ports for the servers tests start (and for "nothing listens here")."""

from __future__ import annotations

import socket

__all__ = ["free_port"]


def free_port() -> int:
    """A loopback port free right now: nothing listens on it until someone binds it, so a
    connection to it is refused."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])
