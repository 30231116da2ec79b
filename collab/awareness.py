"""Awareness bookkeeping for one room: who owns which client ids, coalescing, removal on leave.

y-protocols awareness.js encodes an update as
``varuint count, then count x (varuint clientID, varuint clock, varstring JSON state)``;
a state of ``null`` means "this client is gone".
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable
from dataclasses import dataclass

from collab.errors import MalformedMessage
from collab.lib0 import Reader, write_var_string, write_var_uint

__all__ = ["AwarenessEntry", "parse_awareness", "encode_awareness_entries", "AwarenessRegistry"]

_NULL = "null"


@dataclass(frozen=True, slots=True)
class AwarenessEntry:
    """One client's awareness state at a given clock (``state`` is raw JSON text)."""

    client_id: int
    clock: int
    state: str

    @property
    def removed(self) -> bool:
        """True when the entry announces that the client left."""
        return self.state == _NULL


def parse_awareness(payload: bytes, max_entries: int = 10_000) -> list[AwarenessEntry]:
    """Decode an awareness update payload.

    Raises:
        MalformedMessage: truncated data, trailing bytes or too many entries.
    """
    reader = Reader(payload)
    count = reader.read_var_uint()
    if count > max_entries:
        raise MalformedMessage(f"awareness update with {count} entries exceeds {max_entries}")
    entries = []
    for _ in range(count):
        client_id = reader.read_var_uint()
        clock = reader.read_var_uint()
        entries.append(AwarenessEntry(client_id, clock, reader.read_var_string()))
    reader.expect_end()
    return entries


def encode_awareness_entries(entries: Iterable[AwarenessEntry]) -> bytes:
    """Encode entries as an awareness update payload."""
    items = list(entries)
    parts = [write_var_uint(len(items))]
    for entry in items:
        parts.append(write_var_uint(entry.client_id))
        parts.append(write_var_uint(entry.clock))
        parts.append(write_var_string(entry.state))
    return b"".join(parts)


class AwarenessRegistry:
    """The awareness states of one room, which connection owns each, and pending changes.

    Changes are coalesced: :meth:`apply` records the newest entry per client id and
    :meth:`take_pending` hands the batch to the room, which broadcasts it as one frame.
    Removals when a connection leaves are returned at once by :meth:`remove_owner`, because
    other clients should see a departed cursor vanish immediately.
    """

    __slots__ = ("_states", "_owners", "_pending")

    def __init__(self) -> None:
        self._states: dict[int, AwarenessEntry] = {}
        self._owners: dict[int, Hashable] = {}
        self._pending: dict[int, AwarenessEntry] = {}

    def __len__(self) -> int:
        return len(self._states)

    def apply(
        self, owner: Hashable, entries: Iterable[AwarenessEntry], *, pending: bool = True
    ) -> int:
        """Record entries sent by ``owner``; return how many changed something.

        Follows awareness.js applyAwarenessUpdate: a higher clock wins; an equal clock only
        matters when it removes a known state. With ``pending=False`` (entries relayed from
        another node, already broadcast there) nothing is queued for the next flush.
        """
        changed = 0
        for entry in entries:
            current = self._states.get(entry.client_id)
            if current is not None and entry.clock == current.clock and not entry.removed:
                # Nothing new to tell anyone, but a tab that reconnected re-sends its state with
                # the same clock: it now owns it, so dropping the old, dead socket later does
                # not announce that this client left.
                self._owners[entry.client_id] = owner
                continue
            if current is not None and entry.clock < current.clock:
                continue
            if entry.removed:
                if current is None:
                    continue
                del self._states[entry.client_id]
                self._owners.pop(entry.client_id, None)
            else:
                self._states[entry.client_id] = entry
                self._owners[entry.client_id] = owner
            if pending:
                self._pending[entry.client_id] = entry
            changed += 1
        return changed

    def take_pending(self) -> bytes | None:
        """Return the coalesced pending changes as one payload, or None if there are none."""
        if not self._pending:
            return None
        payload = encode_awareness_entries(self._pending.values())
        self._pending.clear()
        return payload

    def snapshot(self) -> bytes | None:
        """Return every known state as one payload (for joiners and query-awareness)."""
        if not self._states:
            return None
        return encode_awareness_entries(self._states.values())

    def remove_owner(self, owner: Hashable) -> bytes | None:
        """Forget every state ``owner`` set; return the removal payload to broadcast, if any."""
        gone = [cid for cid, who in self._owners.items() if who == owner]
        if not gone:
            return None
        removals = []
        for cid in gone:
            entry = self._states.pop(cid)
            del self._owners[cid]
            self._pending.pop(cid, None)
            removals.append(AwarenessEntry(cid, entry.clock + 1, _NULL))
        return encode_awareness_entries(removals)
