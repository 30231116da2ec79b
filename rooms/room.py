"""A live room: one pycrdt Doc, its connections and awareness; never awaits a peer."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from enum import Enum
from typing import Any

import structlog
from pycrdt import Doc, Map

from collab.awareness import (
    Applied,
    AwarenessEntry,
    AwarenessRegistry,
    check_entry,
    encode_awareness_entries,
    parse_awareness,
)
from collab.close import Close, CloseCode
from collab.codec import encode, encode_awareness, encode_update
from collab.envelope import EnvelopeKind
from collab.errors import (
    DocumentTooLarge,
    InvalidUpdate,
    MalformedMessage,
    MissingDependencies,
    NestingTooDeep,
)
from collab.limits import Limits
from collab.messages import SyncStep1, SyncStep2, Update
from collab.nesting import NestingIndex, touches_root
from collab.note_locks import LockedItems
from collab.restore import ROOTS as CONTENT_ROOTS
from collab.schema import upgrade_document
from collab.session import AwarenessChange, AwarenessQuery, DocUpdate, Event, StateRequest
from collab.ydoc import (
    EMPTY_STATE_VECTOR,
    DeleteSet,
    adds_nothing,
    apply_update,
    diff_update,
    encode_full_state,
    is_blank,
)
from collab.ydoc import known_deletes as _known_deletes
from persistence.errors import CorruptHistory, StorageBusy
from persistence.group_commit import GroupCommitter
from rooms.connection import Connection, Outgoing
from rooms.metrics import (
    AWARENESS_DROPPED,
    AWARENESS_FLUSHES,
    BYTES_OUT,
    FANOUT_SECONDS,
    SERVER_UPDATES,
    UPDATES_IN,
    UPDATES_OUT,
)
from rooms.transact import UpdateCapture

__all__ = ["AWARENESS_ENTRIES_PER_S", "Room", "RoomState", "Publish"]

#: Awareness entries (cursor positions, mostly) a connection receives per second at most: the
#: flush interval of a big room stretches to keep under it (see ``Room.flush_awareness``).
AWARENESS_ENTRIES_PER_S = 1000

#: How a room hands an envelope to the fan-out bus (bound to the room's name by the manager).
Publish = Callable[[EnvelopeKind, bytes], None]


#: Distinct state vectors whose step 2 a room keeps between changes (a few bytes to a few KiB
#: each): joiners of one room mostly share one or two.
_MAX_REPLIES = 8
#: ... each at most this big (state vector and reply): a member cannot make a room hold more.
_MAX_REPLY_BYTES = 64 * 1024


def _publish_nowhere(_kind: EnvelopeKind, _payload: bytes) -> None:
    """The publish hook of a room with no other node to tell."""


_log = structlog.get_logger(__name__)
# An update with no structs and an empty delete set: what a client in sync sends as step 2.
_EMPTY_UPDATE = b"\x00\x00"
#: A client's update that deletes this many entries of the content roots at once is a bulk
#: delete: a restore point keeps what was there (docs/history.md).
BULK_DELETE = 5
#: The root map whose entries a facilitator can lock (the idea board's notes).
_NOTES_ROOT = "ideas"


def _refusal(exc: InvalidUpdate) -> Close:
    """How a socket whose update was refused is closed."""
    if isinstance(exc, NestingTooDeep):
        return Close(CloseCode.NESTING_TOO_DEEP, str(exc))
    if isinstance(exc, MissingDependencies):  # the client reconnects and resyncs
        return Close(CloseCode.TRY_AGAIN_LATER, "resync needed: " + str(exc))
    return Close(CloseCode.INVALID_PAYLOAD, str(exc))


class RoomState(Enum):
    """Lifecycle of a room on this node."""

    OPEN = "open"
    CORRUPT = "corrupt"
    CLOSED = "closed"


class Room:
    """One open document and the connections editing it."""

    def __init__(
        self,
        name: str,
        doc: Doc[Any] | None,
        *,
        committer: GroupCommitter,
        limits: Limits,
        size_bytes: int = 0,
        awareness_flush_s: float = 0.02,
        error: str | None = None,
        publish: Publish = _publish_nowhere,
        nesting: NestingIndex | None = None,
    ) -> None:
        self.name = name
        self.doc: Doc[Any] = doc if doc is not None else Doc()
        #: how deep the doc's content nests (must describe ``doc``: pass it with a loaded one)
        self.nesting = nesting if nesting is not None else NestingIndex(limits.max_nesting_depth)
        self.state = RoomState.CORRUPT if error else RoomState.OPEN
        self.error = error
        #: In join order (a dict as an ordered set): a broadcast writes the sockets in the
        #: order their clients came, the same order every time.
        self.connections: dict[Connection, None] = {}
        self.awareness = AwarenessRegistry()
        self.size_bytes = size_bytes
        self.updates_since_compaction = 0
        self.idle_since: float | None = time.monotonic()
        self._committer = committer
        self._publish = publish
        self._limits = limits
        self._awareness_flush_s = awareness_flush_s
        #: the wait before the next flush: the base, or longer in a room where many move
        self._awareness_delay_s = awareness_flush_s
        self._awareness_timer: asyncio.TimerHandle | None = None
        self._full_state: list[bytes] | None = None
        # Step 2 answers by the state vector they answer, for joiners in sync with each other.
        self._replies: dict[bytes, bytes] = {}
        self._step1: bytes | None = None
        self._known_deletes: DeleteSet | None = None
        #: how many times the document changed since the room opened (restore points by
        #: activity look at it: http_api/versions.py)
        self.changes = 0
        #: notes a facilitator locked, and who may still change them (collab/note_locks.py)
        self._note_lock: tuple[LockedItems, frozenset[str]] | None = None
        self._holds = 0
        #: Called with an applied update (from a client, another node or this server) that may
        #: put something directly in a root type: a possible new artifact
        #: (rooms/artifact_watch.py).
        self.on_root_change: Callable[[bytes], None] | None = None
        #: Called with the document's state from just before a client's update that deleted
        #: :data:`BULK_DELETE` or more entries at once (a restore point: http_api/versions.py).
        self.on_bulk_delete: Callable[[bytes], None] | None = None
        #: Called after each change made on this node (a client's or the server's): the
        #: room's artifacts may have changed (rooms/item_events.py).
        self.on_change: Callable[[], None] | None = None

    # --- membership -------------------------------------------------------------------------

    def join(self, conn: Connection) -> None:
        """Add a connection and start the y-websocket handshake (server sends step 1 first)."""
        if self.state is RoomState.CORRUPT:
            conn.close(Close(CloseCode.ROOM_CORRUPT, "room unavailable: stored history is corrupt"))
            return
        self.connections[conn] = None
        self.idle_since = None
        if self._step1 is None:
            self._step1 = encode(SyncStep1(self.doc.get_state()))
        conn.send(self._step1)
        states = self.awareness.snapshot()
        if states is not None:
            conn.send(encode_awareness(states))

    def leave(self, conn: Connection) -> None:
        """Remove a connection and broadcast, at once, the removal of its awareness states."""
        if conn not in self.connections:
            return
        del self.connections[conn]
        removal = self.awareness.remove_owner(conn)
        if removal is not None:
            self._broadcast(encode_awareness(removal), exclude=None)
            self._publish(EnvelopeKind.AWARENESS, removal)
        if not self.connections and not self._holds:
            self.idle_since = time.monotonic()

    def hold(self) -> None:
        """Keep the room from idling (and so from eviction) while the server works on it."""
        self._holds += 1
        self.idle_since = None

    def unhold(self) -> None:
        """Undo one :meth:`hold`; with no connections left the room starts idling."""
        self._holds -= 1
        if not self._holds and not self.connections:
            self.idle_since = time.monotonic()

    # --- input ------------------------------------------------------------------------------

    def receive(self, conn: Connection, frame: bytes) -> None:
        """Feed one frame from ``conn`` through its session and act on the events."""
        if conn.closed is not None:
            return  # closed by us (revoked, too slow, ...): nothing more from it reaches the room
        session = conn.session
        now = time.monotonic()
        update = session.receive_update(frame, now)  # nearly every frame: one small update
        if update is not None:
            if conn.read_only or conn.locked:
                self._refuse_viewer_update(conn, update)
            else:
                self._apply_client_update(conn, update, time.perf_counter())
            return
        events = session.receive(frame, now)
        if session.close_requested is not None:
            conn.close(session.close_requested)
            return
        received_at = time.perf_counter()
        for event in events:
            self._handle(conn, event, received_at)
            if conn.closing:
                return

    def _handle(self, conn: Connection, event: Event, received_at: float) -> None:
        match event:
            case DocUpdate(update) if conn.read_only or conn.locked:
                self._refuse_viewer_update(conn, update)
            case DocUpdate(update):
                self._apply_client_update(conn, update, received_at)
            case StateRequest(state_vector):
                self._answer_state_request(conn, state_vector)
            case AwarenessChange(entries):
                applied = self.awareness.apply(conn, entries, now=time.monotonic())
                _count_dropped(applied)
                if applied.changed:
                    self._schedule_awareness_flush()
            case AwarenessQuery():
                states = self.awareness.snapshot()
                if states is not None:
                    conn.send(encode_awareness(states))

    def _apply_client_update(self, conn: Connection, update: bytes, received_at: float) -> None:
        if update == _EMPTY_UPDATE:
            return
        if not self._committer.has_capacity():
            conn.close(Close(CloseCode.TRY_AGAIN_LATER, "storage is behind: try again later"))
            return
        new_size = self.size_bytes + len(update)
        if new_size > self._limits.max_document_bytes:
            too_large = DocumentTooLarge(new_size, self._limits.max_document_bytes)
            conn.close(Close(CloseCode.DOCUMENT_TOO_LARGE, str(too_large)))
            return
        before: tuple[int, bytes] | None = None
        try:
            # Before pycrdt: deep content crashes it. Nothing may wait for a dependency either
            # (NestingIndex.admit says why).
            admission = self.nesting.admit(update, allow_pending=False)
            if self._touches_locked_note(conn, update):
                return
            if update[:1] == b"\x00" and self.on_bulk_delete is not None:
                # Deletions only (no new struct): maybe many notes at once. Keep the state
                # from before, in case (reading it costs a few ms on a big board; deleting
                # is rare next to typing, which always adds structs).
                before = (self._entry_count(), self.doc.get_update())
            apply_update(self.doc, update)
        except InvalidUpdate as exc:
            _log.info("update_rejected", room=self.name, conn=conn.id, reason=str(exc))
            conn.close(_refusal(exc))
            return
        self.nesting.commit(admission)
        self._extend_note_lock(update)
        if before is not None and before[0] - self._entry_count() >= BULK_DELETE:
            assert self.on_bulk_delete is not None
            self.on_bulk_delete(before[1])
        # Relay first (latency), then the bookkeeping; nothing here awaits.
        self._broadcast(encode_update(update), exclude=conn, received_at=received_at)
        if self.on_root_change is not None and touches_root(admission):
            self.on_root_change(update)
        self._publish(EnvelopeKind.UPDATE, update)
        # has_capacity() was checked above and nothing since has awaited: it cannot be full.
        self._committer.submit(self.name, update, conn)
        UPDATES_IN.inc()
        self.size_bytes = new_size
        self.updates_since_compaction += 1
        self._changed()
        if self.on_change is not None:
            self.on_change()

    def _entry_count(self) -> int:
        """How many entries the project's content roots hold (collab/restore.py, ROOTS)."""
        doc = self.doc
        return sum(len(doc.get(root, type=Map)) for root in CONTENT_ROOTS)

    # --- locked notes -----------------------------------------------------------------------

    def lock_notes(self, notes: frozenset[str], exempt: frozenset[str]) -> None:
        """Refuse, from now on, changes to the ideas ``notes`` by anyone not in ``exempt``
        (user ids); no notes: nothing is refused. Reads the document once per new set."""
        if not notes or self.doc is None:
            self._note_lock = None
            return
        current = self._note_lock
        if current is not None and current[0].keys == notes:
            self._note_lock = (current[0], exempt)
            return
        items = LockedItems.of_state(
            self.doc.get_update(), _NOTES_ROOT, notes, self._limits.max_nesting_depth
        )
        self._note_lock = (items, exempt)

    @property
    def locked_notes(self) -> frozenset[str]:
        """The ideas whose changes are refused to everyone but the exempt."""
        return frozenset() if self._note_lock is None else self._note_lock[0].keys

    def note_change_refused(self, user_id: str | None, note: str) -> bool:
        """Whether ``user_id`` may not change idea ``note`` now (REST writes ask)."""
        lock = self._note_lock
        return lock is not None and note in lock[0].keys and user_id not in lock[1]

    def _touches_locked_note(self, conn: Connection, update: bytes) -> bool:
        """Refuse ``update`` if it changes a locked note and ``conn`` may not (True: refused).

        Raises:
            InvalidUpdate: the update is not well-formed (admitted already: never in practice).
        """
        lock = self._note_lock
        if lock is None or conn.user_id in lock[1]:
            return False
        if self._known_deletes is None:
            self._known_deletes = _known_deletes(self.doc)
        if not lock[0].touched_by(update, self._limits.max_nesting_depth, self._known_deletes):
            return False
        if not conn.writes_refused:
            _log.info("locked_note_write_refused", room=self.name, conn=conn.id, user=conn.user_id)
        conn.refuse_locked_note()
        return True

    def _extend_note_lock(self, update: bytes) -> None:
        """Count what an applied update added to the locked notes (a facilitator's edit)."""
        if self._note_lock is not None:
            self._note_lock[0].extend(update, self._limits.max_nesting_depth)

    def _refuse_viewer_update(self, conn: Connection, update: bytes) -> None:
        """Never apply a viewer's update; count and report it only if it would change something.

        A viewer in sync answers sync step 1 with the deletions the room already has (Yjs puts
        the whole delete set in every update), which is not an attempt to write.
        """
        if update == _EMPTY_UPDATE:
            return
        if self._known_deletes is None:
            self._known_deletes = _known_deletes(self.doc)
        try:
            self.nesting.admit(update)  # never recorded: read only so pycrdt may decode it
            if adds_nothing(self.doc, update, self._known_deletes):
                return
        except InvalidUpdate as exc:
            conn.close(_refusal(exc))
            return
        if not conn.writes_refused:
            _log.info("write_refused", room=self.name, conn=conn.id, user=conn.user_id)
        conn.refuse_write()

    def _changed(self) -> None:
        """The document changed: drop what was encoded from its previous state."""
        self.changes += 1
        self._full_state = None
        self._replies.clear()
        self._step1 = None
        self._known_deletes = None

    def _answer_state_request(self, conn: Connection, state_vector: bytes) -> None:
        if state_vector == EMPTY_STATE_VECTOR:
            # Joiners with an empty doc share one encoding (and one set of frame bytes).
            if self._full_state is None:
                chunks = encode_full_state(self.doc, self._limits.sync_chunk_bytes)
                frames = [encode(Update(chunk)) for chunk in chunks[:-1]]
                frames.append(encode(SyncStep2(chunks[-1])))
                self._full_state = frames
            for frame in self._full_state:
                conn.send(frame)
            return
        # Clients that were in sync before a blip or a restart come back with the same state
        # vector: each distinct one is answered from one encoding until the document changes.
        reply = self._replies.get(state_vector)
        if reply is None:
            try:
                missing = diff_update(self.doc, state_vector)
            except InvalidUpdate as exc:
                conn.close(Close(CloseCode.INVALID_PAYLOAD, str(exc)))
                return
            reply = encode(SyncStep2(missing))
            if len(state_vector) + len(reply) <= _MAX_REPLY_BYTES:
                if len(self._replies) >= _MAX_REPLIES:
                    del self._replies[next(iter(self._replies))]
                self._replies[state_vector] = reply
        conn.send(reply)

    # --- from other nodes ---------------------------------------------------------------------

    def apply_remote(self, update: bytes) -> bool:
        """Apply an update that entered on another node (persisted there) and relay it locally.

        Returns False, changing nothing, for an update that cannot be applied.
        """
        if update == _EMPTY_UPDATE:
            return True
        try:
            # Another node, or storage: checked too; an update ahead of this doc waits for
            # a resync instead (the caller asks for one when this returns False).
            admission = self.nesting.admit(update, allow_pending=False)
            apply_update(self.doc, update)
        except InvalidUpdate as exc:
            _log.warning("remote_update_rejected", room=self.name, reason=str(exc))
            return False
        self.nesting.commit(admission)
        self._extend_note_lock(update)
        self.size_bytes += len(update)
        self._changed()
        self._broadcast(encode_update(update), exclude=None, received_at=time.perf_counter())
        if self.on_root_change is not None and touches_root(admission):
            self.on_root_change(update)
        return True

    def apply_remote_awareness(self, origin: str, payload: bytes) -> None:
        """Record and relay awareness changes of clients connected to node ``origin``.

        States are checked as a client's are (a buggy or hostile node must not break this
        node's joiners), but a bad one is dropped alone: the other entries of the flush came
        from other, innocent clients. Only what changed here is relayed, re-encoded.
        """
        try:
            entries = parse_awareness(payload)
        except MalformedMessage as exc:
            _log.warning("remote_awareness_rejected", room=self.name, reason=str(exc))
            return
        valid: list[AwarenessEntry] = []
        for entry in entries:
            try:
                valid.append(check_entry(entry, self._limits.max_awareness_bytes))
            except MalformedMessage as exc:
                AWARENESS_DROPPED.labels("invalid").inc()
                _log.warning("remote_awareness_rejected", room=self.name, reason=str(exc))
        applied = self.awareness.apply_remote(("node", origin), valid, now=time.monotonic())
        _count_dropped(applied)
        if applied.changed:
            changed = encode_awareness_entries(applied.changed)
            self._broadcast(encode_awareness(changed), exclude=None)

    def missing_for(self, state_vector: bytes) -> bytes | None:
        """What a peer with ``state_vector`` lacks, or None if nothing (or the vector is bad)."""
        try:
            missing = diff_update(self.doc, state_vector)
        except InvalidUpdate:
            return None
        return None if missing == _EMPTY_UPDATE else missing

    # --- from this server ---------------------------------------------------------------------

    def check_writable(self) -> None:
        """Raise unless a server-side change may be made now (checked before running it).

        Raises:
            CorruptHistory: the room's stored history is corrupt; nothing is written to it.
            StorageBusy: the group committer is full.
            DocumentTooLarge: the document is already at ``max_document_bytes``.
        """
        if self.state is RoomState.CORRUPT:
            raise CorruptHistory(self.name, self.error or "unknown")
        if not self._committer.has_capacity():
            raise StorageBusy(f"{self._committer.depth} updates waiting for storage")
        if self.size_bytes >= self._limits.max_document_bytes:
            raise DocumentTooLarge(self.size_bytes, self._limits.max_document_bytes)

    def upgrade_schema(self) -> bool:
        """Bring a project document of an older schema to this one (a version 1 document's
        free text becomes Y.Text: collab/schema.py, ``upgrade_document``), as one server
        update that every client and node receives and storage keeps; whether it wrote.

        It is stored even past ``max_document_bytes`` (a few bytes per field): a document
        at its limit must still open in the current schema.

        Raises:
            StorageBusy: the upgrade could not be stored; it is in this copy of the document
                only, which the caller must drop.
        """
        if is_blank(self.doc):  # a new project's room: nothing to upgrade, no capture to set up
            return False
        capture = UpdateCapture(self.doc)
        with capture as doc:
            upgrade_document(doc)
        if not capture.update:
            return False
        self.commit_server_update(capture.update, over_limit=True)
        return True

    def commit_server_update(self, update: bytes, *, over_limit: bool = False) -> int:
        """Store, relay and publish an update made on this node; return its durability ticket.

        The size limit and the committer are checked first, so on an error nothing has left
        the room: no client, no other node and no storage saw the update.

        Raises:
            DocumentTooLarge: the update would grow the document past ``max_document_bytes``
                (unless ``over_limit``).
            StorageBusy: the group committer is full.
            InvalidUpdate: the update nests deeper than the room's limit.
        """
        new_size = self.size_bytes + len(update)
        if new_size > self._limits.max_document_bytes and not over_limit:
            raise DocumentTooLarge(new_size, self._limits.max_document_bytes)
        # Already in the doc (written through pycrdt): record it; the schema keeps it shallow,
        # and a change that somehow is not makes the caller discard the room.
        self.nesting.check(update)
        self._extend_note_lock(update)
        ticket = self._committer.submit(self.name, update, None)
        # Every local client gets it (no author to exclude), then the other nodes.
        self._broadcast(encode_update(update), exclude=None, received_at=time.perf_counter())
        self._publish(EnvelopeKind.UPDATE, update)
        if self.on_root_change is not None:  # server writes are few: no depth pre-check
            self.on_root_change(update)
        SERVER_UPDATES.inc()
        self.size_bytes = new_size
        self.updates_since_compaction += 1
        self._changed()
        if self.on_change is not None:
            self.on_change()
        return ticket

    # --- output -----------------------------------------------------------------------------

    def _broadcast(
        self, frame: bytes, *, exclude: Connection | None, received_at: float = 0.0
    ) -> None:
        sent = 0
        message = Outgoing(frame)  # framed for the wire once, by the first socket written
        for peer in self.connections:
            if peer is exclude:
                continue
            direct = peer.direct  # one call per socket in the common case (rooms/connection.py)
            if (direct is not None and direct(message)) or peer.send(frame, received_at):
                sent += 1
        if sent and received_at:
            UPDATES_OUT.inc(sent)
            # Direct writes are done by now: this is the latency of the last socket written.
            FANOUT_SECONDS.observe(time.perf_counter() - received_at)
        BYTES_OUT.inc(sent * len(frame))

    @property
    def awareness_delay_s(self) -> float:
        """How long awareness changes wait for the next flush now (see ``flush_awareness``)."""
        return self._awareness_delay_s

    def _schedule_awareness_flush(self) -> None:
        if self._awareness_timer is None:
            loop = asyncio.get_running_loop()
            self._awareness_timer = loop.call_later(self._awareness_delay_s, self.flush_awareness)

    def flush_awareness(self) -> None:
        """Broadcast coalesced awareness changes as one frame to every connection.

        Each flush sends the latest state of every client that changed since the last one, so
        a client receives at most one frame per flush, but one entry per moving cursor: in a
        room of N people moving their cursors, that is N entries per flush for each of N
        clients, traffic that grows with N squared. So the wait before the next flush grows
        with how many changed in this one: each connection receives at most
        :data:`AWARENESS_ENTRIES_PER_S` entries a second, whatever the room's size (200
        cursors moving at 10 Hz arrive at 5 Hz each), while a room where few move keeps the
        base interval (20 ms).
        """
        self._awareness_timer = None
        changed = self.awareness.pending_count
        self._awareness_delay_s = max(self._awareness_flush_s, changed / AWARENESS_ENTRIES_PER_S)
        payload = self.awareness.take_pending()
        if payload is not None:
            AWARENESS_FLUSHES.inc()
            # Echo to the sender too: it is harmless (same clock) and one frame serves all.
            self._broadcast(encode_awareness(payload), exclude=None)
            self._publish(EnvelopeKind.AWARENESS, payload)

    def close(self, close: Close, *, drain: bool = True) -> None:
        """Close every connection (after draining their outboxes) and stop timers."""
        if self._awareness_timer is not None:
            self._awareness_timer.cancel()
            self._awareness_timer = None
        for conn in list(self.connections):
            conn.close(close, drain=drain)
        self.state = RoomState.CLOSED


def _count_dropped(applied: Applied) -> None:
    """Count the awareness entries a room dropped (they are not worth a log line each)."""
    if applied.not_owner:
        AWARENESS_DROPPED.labels("not_owner").inc(applied.not_owner)
    if applied.too_many_clients:
        AWARENESS_DROPPED.labels("too_many_clients").inc(applied.too_many_clients)
