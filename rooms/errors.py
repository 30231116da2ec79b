"""Errors raised by live room hosting."""

from __future__ import annotations

from collab.errors import DTToolsError

__all__ = ["NodeFull", "ViewChangedDocument"]


class NodeFull(DTToolsError):
    """This node is at its room or connection limit; the client should retry later."""


class ViewChangedDocument(DTToolsError, RuntimeError):
    """A read-only view passed to ``RoomManager.read`` changed the document (a bug).

    The change is discarded; server-side writes go through ``RoomManager.transact``.
    """

    def __init__(self, room: str) -> None:
        self.room = room
        super().__init__(f"a read of room {room!r} changed the document; use transact()")
