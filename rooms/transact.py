"""Server-side transactions on live documents, and the capture of the update each produced."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from types import TracebackType
from typing import Any, TypeVar

from pycrdt import Doc, Transaction, TransactionEvent, merge_updates

from collab.errors import DocumentTooLarge, InvalidUpdate
from persistence.errors import CorruptHistory, StorageBusy
from persistence.group_commit import GroupCommitter
from rooms.errors import ViewChangedDocument
from rooms.room import Room, RoomState

__all__ = ["UpdateCapture", "ServerTransactions"]

_T = TypeVar("_T")


class UpdateCapture:
    """Run code in one transaction on ``doc``; afterwards :attr:`update` holds what it changed.

    A transaction observer receives exactly the transaction's own update (its new structs and
    its own deletions), and nothing when the code only read. Diffing from a state vector taken
    before would also work, but it carries the document's whole delete set every time.

    pycrdt commits a transaction even when the code in it raises, so :attr:`update` is also set
    when the code wrote something and then failed: the caller must not let that change stand.
    """

    __slots__ = ("_doc", "_updates", "_subscription", "_transaction", "update")

    def __init__(self, doc: Doc[Any]) -> None:
        self._doc = doc
        self._updates: list[bytes] = []
        self._subscription: Any = None
        self._transaction: Transaction | None = None
        self.update = b""

    def __enter__(self) -> Doc[Any]:
        self._subscription = self._doc.observe(self._on_transaction)
        self._transaction = self._doc.transaction()
        self._transaction.__enter__()
        return self._doc

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        assert self._transaction is not None
        try:
            self._transaction.__exit__(exc_type, exc, traceback)
        finally:
            self._doc.unobserve(self._subscription)
            updates = self._updates
            if len(updates) > 1:  # one transaction makes one update; never trust that blindly
                self.update = merge_updates(*updates)
            elif updates:
                self.update = updates[0]

    def _on_transaction(self, event: TransactionEvent) -> None:
        self._updates.append(event.update)


class ServerTransactions:
    """Reads and writes of live documents by the server itself (the REST layer).

    Owned by :class:`rooms.manager.RoomManager`, which hands it how to open a room and how to
    discard one whose document holds a change that must not stand.
    """

    def __init__(
        self,
        open_room: Callable[[str], Awaitable[Room]],
        committer: GroupCommitter,
        discard: Callable[[Room, str], None],
    ) -> None:
        self._open = open_room
        self._committer = committer
        self._discard = discard

    async def transact(self, name: str, change: Callable[[Doc[Any]], _T]) -> _T:
        """Run ``change(doc)`` in one transaction on the live document of room ``name``.

        The room is opened (loaded from PostgreSQL if needed, sharing the load with concurrent
        openers) and held open (never idle, so never evicted) until this returns. The update
        the transaction made, if any, is relayed to every client of the room on this node,
        published to the other nodes and committed to PostgreSQL before ``change``'s result
        is returned (invariant 1).

        Contract for ``change``: it runs synchronously on the event loop, must not keep the
        doc, and must validate everything first and write last. Yjs has no rollback: if
        ``change`` raises before writing, nothing happened. If it raises after writing, or its
        update would exceed ``max_document_bytes``, the room is discarded and reloaded from
        storage (its clients reconnect after a 1013 close), which drops the change everywhere.
        Calls on one room run one after the other, each seeing the writes of the one before.

        Raises:
            CorruptHistory: the room's stored history is corrupt (nothing is written).
            StorageBusy: too many updates are waiting for PostgreSQL.
            StorageError: PostgreSQL could not be read.
            DocumentTooLarge: the document is, or would become, larger than allowed.
            NodeFull: the node is at ``max_rooms``.
        """
        room = await self._open_held(name)
        try:
            # No await from here until the update is queued: concurrent calls cannot interleave.
            room.check_writable()
            result, update = self._run(room, change)
            if not update:
                return result
            try:
                ticket = room.commit_server_update(update)
            except (DocumentTooLarge, StorageBusy, InvalidUpdate):
                self._discard(room, "server-side change refused after writing")
                raise
            await self._committer.wait_durable(ticket)
            return result
        finally:
            room.unhold()

    async def read(self, name: str, view: Callable[[Doc[Any]], _T]) -> _T:
        """Return ``view(doc)`` for the live document of room ``name``, loading it if needed.

        A room loaded for a read stays open until the idle policy evicts it, so a burst of
        reads loads it once. ``view`` runs in one transaction (one consistent state) and must
        not write; a change it makes is discarded like a failed :meth:`transact`.

        Raises:
            CorruptHistory: the room's stored history is corrupt.
            StorageError: PostgreSQL could not be read.
            NodeFull: the node is at ``max_rooms``.
            ViewChangedDocument: ``view`` changed the document (a bug: use :meth:`transact`).
        """
        room = await self._open_held(name)
        try:
            if room.state is RoomState.CORRUPT:
                raise CorruptHistory(name, room.error or "unknown")
            result, update = self._run(room, view)
        finally:
            room.unhold()
        if update:
            self._discard(room, "read view changed the document")
            raise ViewChangedDocument(name)
        return result

    async def _open_held(self, name: str) -> Room:
        """Open ``name`` and hold it; a room closed meanwhile (evicted) is opened again.

        Writing to, or discarding, a room that is no longer the live one would be lost.
        """
        while True:
            room = await self._open(name)
            # A joiner of a shared load resumes after the loader: the room may be gone by then.
            if room.state is not RoomState.CLOSED:
                room.hold()
                return room

    def _run(self, room: Room, run: Callable[[Doc[Any]], _T]) -> tuple[_T, bytes]:
        capture = UpdateCapture(room.doc)
        try:
            with capture as doc:
                result = run(doc)
        except BaseException:
            if capture.update:  # it wrote, then failed: Yjs cannot roll back, so reload
                self._discard(room, "server-side change failed after writing")
            raise
        return result, capture.update
