"""Storage errors: never disguised as "not found"."""

from __future__ import annotations

from collab.errors import DTToolsError

__all__ = ["StorageError", "MigrationError", "CorruptHistory", "StorageBusy"]


class StorageError(DTToolsError):
    """PostgreSQL failed or is unreachable."""


class MigrationError(StorageError):
    """The schema cannot be brought to the expected version."""


class CorruptHistory(StorageError):
    """A room's stored updates or snapshot cannot be decoded into a document."""

    def __init__(self, room: str, detail: str) -> None:
        self.room = room
        self.detail = detail
        super().__init__(f"stored history of room {room!r} is corrupt: {detail}")


class StorageBusy(StorageError):
    """Too many updates are waiting to be written; the caller should back off."""
