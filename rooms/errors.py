"""Errors raised by live room hosting."""

from __future__ import annotations

from collab.errors import DTToolsError

__all__ = ["NodeFull"]


class NodeFull(DTToolsError):
    """This node is at its room or connection limit; the client should retry later."""
