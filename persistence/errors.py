"""Storage errors: never disguised as "not found"."""

from __future__ import annotations

from collab.errors import DTToolsError

__all__ = [
    "StorageError",
    "StorageUnavailable",
    "MigrationError",
    "CorruptHistory",
    "StorageBusy",
]


class StorageError(DTToolsError):
    """PostgreSQL failed or is unreachable."""


class StorageUnavailable(StorageError, ConnectionError):
    """PostgreSQL cannot be reached (down, restarting, refusing connections, not answering).

    The one error every caller sees for an outage, whatever asyncpg or the socket raised
    (persistence/db.py translates them), so the edge answers 503 with ``Retry-After`` and
    closes new sockets with 4503 instead of failing with a traceback. It is a ConnectionError
    too, so a retry loop written against the raw errors (``except OSError``) still catches it.
    """

    def __init__(self, message: str = "storage unavailable", retry_after_s: float = 5.0):
        self.retry_after_s = retry_after_s
        super().__init__(message)


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
