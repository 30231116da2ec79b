"""Errors raised by live room hosting."""

from __future__ import annotations

from collab.errors import DTToolsError

__all__ = ["NodeFull", "RoomUnavailable"]


class NodeFull(DTToolsError):
    """This node is at its room or connection limit; the client should retry later."""


class RoomUnavailable(DTToolsError, RuntimeError):
    """The room is closing or cannot be served right now."""
