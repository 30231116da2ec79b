"""The capture of the update a server-side transaction on a live document produced.

rooms/manager.py runs those transactions (``RoomManager.transact`` and ``read``).
"""

from __future__ import annotations

from types import TracebackType
from typing import Any

from pycrdt import Doc, Transaction, TransactionEvent, merge_updates

__all__ = ["UpdateCapture"]


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
