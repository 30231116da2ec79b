"""Errors raised by live room hosting."""

from __future__ import annotations

import math

from collab.errors import DTToolsError

__all__ = ["NodeFull", "ViewChangedDocument"]


class NodeFull(DTToolsError):
    """This node is at its room or connection limit; the client should retry later.

    ``retry_after_s`` is the suggested delay, already spread at random (``Retry-After`` before
    the upgrade, in the close reason after it): clients refused together come back apart.
    """

    def __init__(self, message: str, retry_after_s: float = 1.0) -> None:
        self.retry_after_s = retry_after_s
        super().__init__(message)

    @property
    def retry_seconds(self) -> int:
        """The delay in whole seconds, at least 1 (``Retry-After`` takes integers)."""
        return max(1, math.ceil(self.retry_after_s))


class ViewChangedDocument(DTToolsError, RuntimeError):
    """A read-only view passed to ``RoomManager.read`` changed the document (a bug).

    The change is discarded; server-side writes go through ``RoomManager.transact``.
    """

    def __init__(self, room: str) -> None:
        self.room = room
        super().__init__(f"a read of room {room!r} changed the document; use transact()")
