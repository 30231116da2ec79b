"""RoomManager: open rooms on first use, evict them when idle and flushed, compact in background.

It also runs server-side transactions on live documents (REST writes and reads) and closes
the connections whose access is revoked, on this node and, through the bus, on every other.
"""

from __future__ import annotations

import asyncio
import random
import time
from collections.abc import Callable, Coroutine, Mapping, Sequence
from contextlib import suppress
from dataclasses import dataclass
from functools import partial
from typing import Any, TypeVar

import structlog
from pycrdt import Doc, merge_updates

from collab.artifacts import ArtifactKind
from collab.board_lock import BoardLock, pack_board_lock, unpack_board_lock
from collab.close import Close, CloseCode
from collab.doc_view import UNBOUNDED, CollectionView
from collab.envelope import (
    Envelope,
    EnvelopeKind,
    Revocation,
    pack_revocation,
    unpack_revocation,
)
from collab.errors import DocumentTooLarge, InvalidUpdate, MalformedMessage
from collab.i18n import msg
from collab.limits import Limits
from collab.stored import restore_doc
from collab.ydoc import diff_update
from persistence.batching import Batcher
from persistence.compaction import OFFLOAD_BYTES, compact
from persistence.errors import CorruptHistory, StorageBusy, StorageError
from persistence.group_commit import GroupCommitter
from persistence.update_log import StoredRoom, UpdateLog
from rooms.access import RecentRevocations, close_revoked
from rooms.artifact_watch import ArtifactWatch, project_of
from rooms.bus import FanoutBus, LocalBus
from rooms.connection import Connection
from rooms.doc_views import DocViews
from rooms.errors import NodeFull, ViewChangedDocument
from rooms.fair_share import FairShare, FairShareExceeded
from rooms.homes import TTL_S, RoomHomes
from rooms.item_events import LOOKED_AT, ItemEvents, Seen, seen_in_views
from rooms.metrics import BUS_DROPPED, CONNECTIONS, ROOM_LOAD_SECONDS, ROOM_RESYNCS, ROOMS_OPEN
from rooms.room import Publish, Room, RoomState
from rooms.transact import UpdateCapture
from rooms.turn_budget import TurnBudget
from rooms.worker_process import WorkerProcess

__all__ = ["FORWARD_PER_WINDOW", "RoomManager", "RoomSettings", "spread_delay"]

_log = structlog.get_logger(__name__)
_T = TypeVar("_T")
# Control envelopes concern no single room.
_NO_ROOM = ""
# Rooms opened together are read together (persistence/batching.py): at most this many rooms
# per query, and this many queries at once (the rest of the pool stays free for commits and
# access checks). A storm of 500 rooms is read in about 8 round trips instead of 2,000.
_LOAD_BATCH = 64
_LOADS_IN_FLIGHT = 4
# How often a node looks for projects whose changes were never looked at (rooms/item_events).
_CATCH_UP_S = 60.0
# Entries a typed view re-reads per turn of the event loop (about 1.3 ms of work on the test
# machine), and not in a turn whose REST budget is spent (rooms/turn_budget.py): a first read
# of a board of 5,000 notes never holds the loop for long. After this many turns (a room
# edited faster than it can be read), the rest is read in one go.
_VIEW_SLICE = 16
_VIEW_MAX_SLICES = 4000
# REST requests for a room busy on another node forwarded there per window (the room's idle
# timeout) before this node loads a copy: forwarding costs about 1.7 ms of CPU per request
# over the two nodes, a copy one load and then little (docs/benchmarks.md).
FORWARD_PER_WINDOW = 20
# The value of a view slice that did not finish.
_UNFINISHED: Any = object()


def spread_delay(base_s: float, draw: Callable[[], float] = random.random) -> float:
    """A retry delay between ``base_s`` and twice that, at random (``draw`` gives 0..1).

    Clients refused in the same second, told the same delay, would all come back in the same
    second again; spread over a window as wide as the delay, each wave is half as dense.
    """
    return base_s * (1.0 + draw())


@dataclass(frozen=True, slots=True)
class RoomSettings:
    """Room lifecycle policy (limits on peer input live in :class:`Limits`)."""

    idle_timeout_s: float = 60.0
    compact_every_updates: int = 1000
    awareness_flush_ms: float = 20.0
    maintenance_interval_s: float = 1.0
    #: a burst of changes to a project's artifacts ends after this long without one
    item_events_quiet_s: float = 2.0


class RoomManager:
    """Every room open on this node, keyed by name."""

    def __init__(
        self,
        log: UpdateLog,
        committer: GroupCommitter,
        limits: Limits,
        settings: RoomSettings,
        bus: FanoutBus | None = None,
        worker: WorkerProcess | None = None,
    ) -> None:
        self.rooms: dict[str, Room] = {}
        #: where large compactions run (rooms/worker_process.py); None: in threads
        self.worker = worker
        self.bus: FanoutBus = bus if bus is not None else LocalBus()
        self.connections = 0
        #: admitted sockets not yet in their room (see :meth:`admit`)
        self.joining = 0
        self._released = asyncio.Event()
        self.accepting = True
        self._log = log
        self._committer = committer
        self._limits = limits
        self._settings = settings
        self._loading: dict[str, asyncio.Future[Room]] = {}
        self._loads: Batcher[str, StoredRoom] = Batcher(
            log.load_many, max_batch=_LOAD_BATCH, max_in_flight=_LOADS_IN_FLIGHT
        )
        self._compacting: dict[str, asyncio.Task[None]] = {}
        self._background: set[asyncio.Task[None]] = set()
        self._resyncing: set[str] = set()
        self._unsubscribing: dict[str, asyncio.Task[None]] = {}
        self._revocations = RecentRevocations()
        #: board locks learned (room -> monotonic time, lock): see :meth:`board_lock_since`
        self._board_locks: dict[str, tuple[float, BoardLock]] = {}
        #: called with a room's name and its state from just before a client deleted many of
        #: its entries at once (restore points, http_api/versions.py)
        self.on_bulk_delete: Callable[[str, bytes], None] | None = None
        #: called with every room this node opens (the brainstorm progress watcher)
        self.on_open: Callable[[Room], None] | None = None
        #: per-account and per-address caps of this node (rooms/fair_share.py)
        self.fair_share = FairShare(limits)
        #: where artifacts created live are, for item routes (rooms/artifact_watch.py)
        self.artifacts = ArtifactWatch(log.pool, self._spawn)
        #: REST work per turn of the event loop: requests (http_api), write batches, view
        #: catch-ups and item-event looks take turns with the sockets (rooms/turn_budget.py)
        self.turns = TurnBudget()
        #: events of artifacts changed on this node (rooms/item_events.py)
        self.item_events = ItemEvents(
            log.pool,
            committer,
            self._spawn,
            quiet_s=settings.item_events_quiet_s,
            turns=self.turns,
        )
        self._catching_up = False
        #: typed views of the rooms REST reads (rooms/doc_views.py)
        self.views = DocViews()
        self.item_events.reader = self._seen
        #: where busy rooms live, with Redis (rooms/homes.py); None: every room is served here
        self.homes: RoomHomes | None = None
        self._advertised: set[str] = set()
        self._advertised_at = 0.0
        # Requests forwarded per room, in the current window: (window start, count).
        self._forwarded: dict[str, tuple[float, int]] = {}
        #: server-side changes waiting for this turn of the loop to end, per room
        self._writes: dict[Room, list[tuple[Callable[[Doc[Any]], Any], asyncio.Future[Any]]]] = {}

    @property
    def limits(self) -> Limits:
        """The limits this node enforces (max_connections may be below the configured one)."""
        return self._limits

    # --- connections ------------------------------------------------------------------------

    def admit(self) -> None:
        """Reserve a connection slot, before the WebSocket upgrade (admission control).

        A node past its limits says so at once, with a suggested delay spread at random,
        rather than accepting sockets it cannot serve in time. Besides the connection cap,
        at most ``max_joining`` sockets may be between this call and :meth:`joined` (access
        check, room load, handshake): past that the node is in a storm it cannot absorb
        quickly, and clients told to come back a few seconds apart beat a queue that grows.

        Raises:
            NodeFull: shutting down, at ``max_connections``, or ``max_joining`` joining.
        """
        if not self.accepting:
            raise NodeFull(msg("server is shutting down"), retry_after_s=spread_delay(1.0))
        limits = self._limits
        if self.connections >= limits.max_connections:
            raise NodeFull(
                msg("node is at its limit of {limit} connections", limit=limits.max_connections),
                retry_after_s=spread_delay(5.0),
            )
        if self.joining >= limits.max_joining:
            raise NodeFull(
                msg("node is busy: {joining} connections joining", joining=self.joining),
                retry_after_s=spread_delay(1.0),
            )
        self.connections += 1
        self.joining += 1
        CONNECTIONS.inc()

    async def until_connections(self, count: int) -> None:
        """Wait until at most ``count`` connections hold a slot (tests, shutdown)."""
        while self.connections > count:
            self._released.clear()
            await self._released.wait()

    def joined(self) -> None:
        """An admitted socket finished joining (or stopped trying): no longer counts as joining."""
        self.joining -= 1

    def release(self, room: Room | None, conn: Connection | None) -> None:
        """Give back a connection slot (and leave the room if it had joined)."""
        self.connections -= 1
        CONNECTIONS.dec()
        self._released.set()
        if room is not None and conn is not None:
            room.leave(conn)

    # --- rooms ------------------------------------------------------------------------------

    async def open(self, name: str) -> Room:
        """Return the open room ``name``, loading it from PostgreSQL on first use.

        Concurrent joiners of a room that is still loading share one load, and rooms opened
        at about the same time are read in one query (each room is ready as soon as its own
        document is restored: a large one does not hold up the others' joiners).

        Raises:
            NodeFull: ``max_rooms`` rooms are open.
            FairShareExceeded: the acting account is loading as many rooms as it may.
            StorageError: PostgreSQL could not be read.
        """
        room = self.rooms.get(name)
        if room is not None and room.state is not RoomState.CLOSED:
            return room
        pending = self._loading.get(name)
        if pending is not None:
            return await asyncio.shield(pending)
        if len(self.rooms) >= self._limits.max_rooms:
            raise NodeFull(
                msg("node is at its limit of {limit} rooms", limit=self._limits.max_rooms),
                retry_after_s=spread_delay(5.0),
            )
        loader = self.fair_share.start_load()
        future: asyncio.Future[Room] = asyncio.get_running_loop().create_future()
        self._loading[name] = future
        try:
            room = await self._load(name)
        except BaseException as exc:
            future.set_exception(exc)
            future.exception()  # retrieved: joiners waiting on it re-raise it themselves
            raise
        finally:
            del self._loading[name]
            self.fair_share.end_load(loader)
        self.rooms[name] = room
        if self.on_bulk_delete is not None and room.doc is not None:
            room.on_bulk_delete = partial(self.on_bulk_delete, name)
        self.artifacts.watch(room)
        self.item_events.watch(room)
        if self.on_open is not None:
            self.on_open(room)
        ROOMS_OPEN.set(len(self.rooms))
        future.set_result(room)
        return room

    async def _load(self, name: str) -> Room:
        started = time.perf_counter()
        leaving = self._unsubscribing.get(name)
        if leaving is not None:  # evicted a moment ago: let that unsubscribe finish first
            await asyncio.shield(leaving)
        # Invariant 3: subscribe before reading, so nothing published after our read is missed.
        await self.bus.subscribe(name)
        stored = await self._loads.get(name)
        settings = self._settings
        try:
            restored = restore_doc(
                stored.snapshot, stored.nesting, stored.updates, self._limits.max_nesting_depth
            )
        except InvalidUpdate as exc:
            _log.error("room_corrupt", room=name, detail=str(exc))
            return Room(name, None, committer=self._committer, limits=self._limits, error=str(exc))
        ROOM_LOAD_SECONDS.observe(time.perf_counter() - started)
        _log.debug("room_opened", room=name, stored_updates=len(stored.updates))
        for position, reason in restored.set_aside.items():
            # Kept in the log (compaction keeps it too), left out of the live document.
            _log.warning("stored_update_set_aside", room=name, row=position, reason=reason)
        doc = restored.doc
        room = Room(
            name,
            doc,
            committer=self._committer,
            limits=self._limits,
            size_bytes=stored.size_bytes,
            awareness_flush_s=settings.awareness_flush_ms / 1000,
            publish=self._publisher(name),
            nesting=restored.nesting,
        )
        room.updates_since_compaction = len(stored.updates)
        # A project stored in an older schema is upgraded once, as its room opens, so every
        # client works on Y.Text from the start (collab/text_fields.py).
        if project_of(name) is not None and room.upgrade_schema():
            _log.info("document_upgraded", room=name)
        known_lock = self._board_locks.get(name)
        if known_lock is not None:
            room.lock_notes(known_lock[1].notes, known_lock[1].exempt)
        # Updates published before we subscribed but not yet committed by their node: ask the
        # nodes that have the room open for whatever our state lacks.
        self.bus.publish(name, EnvelopeKind.SYNC_REQUEST, doc.get_state())
        return room

    # --- the live document, for the server's own reads and writes -------------------------

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
        Calls on one room run one after the other, each seeing the writes of the one before;
        calls made in the same turn of the event loop are stored and relayed as one update
        (:meth:`_write_batch`).

        Raises:
            CorruptHistory: the room's stored history is corrupt (nothing is written).
            StorageBusy: too many updates are waiting for PostgreSQL.
            StorageError: PostgreSQL could not be read.
            DocumentTooLarge: the document is, or would become, larger than allowed.
            NodeFull: the node is shutting down or at ``max_rooms``.
        """
        if not self.accepting:
            raise NodeFull(msg("server is shutting down"), retry_after_s=spread_delay(1.0))
        room = await self._open_held(name)
        try:
            room.check_writable()
            batch = self._writes.get(room)
            if batch is None:
                batch = self._writes[room] = []
                asyncio.get_running_loop().call_soon(self._write_batch, room)
            done: asyncio.Future[tuple[Any, int | None]] = (
                asyncio.get_running_loop().create_future()
            )
            batch.append((change, done))
            result, ticket = await done
            if ticket is not None:
                await self._committer.wait_durable(ticket)
            return result  # type: ignore[no-any-return]
        finally:
            room.unhold()

    def _write_batch(self, room: Room) -> None:
        """Run the changes queued for ``room`` since the last turn of the loop, as one update
        (as many as this turn's REST budget allows; the rest go first in the next turn's).

        Concurrent REST writes to one project (a burst of creates, say) become one update:
        one row in the log, one frame to each client, one message to the other nodes, one
        durability wait. Each change still runs in a transaction of its own, one after the
        other: Yjs cannot roll back, and only a transaction per change tells a change that
        failed before writing (no trace: its caller gets its error, the others go on) from
        one that failed after (the room is discarded, and every change of the batch fails
        with it, since none of them reached storage).
        """
        batch = self._writes.pop(room, [])
        if self.rooms.get(room.name) is not room:  # discarded since they were queued
            for _change, done in batch:
                if not done.done():
                    done.set_exception(StorageBusy(msg("the project was reloaded: try again")))
            return
        updates: list[bytes] = []
        waiting: list[tuple[asyncio.Future[tuple[Any, int | None]], Any, bool]] = []
        for index, (change, done) in enumerate(batch):
            if done.done():  # its caller was cancelled before it ran: the change is not made
                continue
            in_budget = self.turns.spend()  # counts from the first change of the turn
            if waiting and not in_budget:
                # This turn's REST budget is spent: the rest are the next turn's batch
                # (rooms/turn_budget.py); at least one change runs in every turn. Nothing can
                # have been queued for the room since the pop above: this runs without a
                # pause, so the rest keep their place ahead of later changes.
                self._writes[room] = batch[index:]
                asyncio.get_running_loop().call_soon(self._write_batch, room)
                break
            try:
                result, update = self._run(room, change)
            except BaseException as exc:
                if self.rooms.get(room.name) is room:  # failed before writing: only this one
                    done.set_exception(exc)
                    continue
                for other, _result, _wrote in waiting:
                    other.set_exception(exc)  # their writes went with the discarded copy
                for _change, rest in batch:
                    if not rest.done():
                        rest.set_exception(exc)
                return
            waiting.append((done, result, bool(update)))
            if update:
                updates.append(update)
        ticket = None
        if updates:
            update = updates[0] if len(updates) == 1 else merge_updates(*updates)
            try:
                ticket = room.commit_server_update(update)
            except (DocumentTooLarge, StorageBusy, InvalidUpdate) as exc:
                self._discard(room, "server-side change refused after writing")
                for done, _result, _wrote in waiting:
                    done.set_exception(exc)
                return
        for done, result, wrote in waiting:
            done.set_result((result, ticket if wrote else None))

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
            _check_readable(room)
            return self._read_held(room, view)
        finally:
            room.unhold()

    def _read_held(self, room: Room, view: Callable[[Doc[Any]], _T]) -> _T:
        """``view(doc)`` in one transaction on a held room; a change it made discards the room.

        Raises:
            ViewChangedDocument: ``view`` changed the document.
        """
        result, update = self._run(room, view)
        if update:
            self._discard(room, "read view changed the document")
            raise ViewChangedDocument(room.name)
        return result

    async def read_views(
        self,
        name: str,
        kinds: Sequence[ArtifactKind],
        view: Callable[[Doc[Any], Mapping[str, CollectionView]], _T],
    ) -> _T:
        """Return ``view(doc, views)`` with current typed views of ``kinds`` (by collection).

        Like :meth:`read`, but what ``view`` needs of the collections is kept between calls
        (collab/doc_view.py): only entries changed since the last read are read again, at
        most ``_VIEW_SLICE`` per turn of the event loop, so a first read of a large document
        does not stall the other rooms. ``view`` runs in the same transaction as the last
        slice (one consistent state), on views that hold exactly that state.

        Concurrent readers of one room catch its views up one at a time: the others wait for
        that, then answer from the current views. Each reading its own slice in the same
        turn would hold the loop as many slices long (ten first reads arriving together held
        it for 24 ms).
        """
        await self.turns.wait()
        result, catching_up = await self._views_turn(name, kinds, view, _VIEW_SLICE, first=True)
        if result is not _UNFINISHED:
            return result  # type: ignore[no-any-return]
        async with catching_up:
            for turn in range(1, _VIEW_MAX_SLICES + 1):
                await asyncio.sleep(0)  # one slice per turn of the loop
                await self.turns.wait()
                budget = _VIEW_SLICE if turn < _VIEW_MAX_SLICES else UNBOUNDED
                result, _lock = await self._views_turn(name, kinds, view, budget)
                if result is not _UNFINISHED:
                    return result  # type: ignore[no-any-return]
        raise AssertionError("unreachable: the last turn has no budget")

    async def _views_turn(
        self,
        name: str,
        kinds: Sequence[ArtifactKind],
        view: Callable[[Doc[Any], Mapping[str, CollectionView]], _T],
        budget: int,
        *,
        first: bool = False,
    ) -> tuple[Any, asyncio.Lock]:
        """One turn of :meth:`read_views`: ``view``'s result, or ``_UNFINISHED`` with entries
        still to read (or, on a ``first`` turn, while another reader catches the views up);
        and the lock of the room's views that catching up takes."""
        room = await self._open_held(name)
        try:
            _check_readable(room)
            views = self.views.of(room, time.monotonic())
            if first and views.catching_up.locked():
                return _UNFINISHED, views.catching_up
            wanted = {kind.collection: views.view(kind) for kind in kinds}

            def step(doc: Doc[Any]) -> Any:
                left = budget
                for collection in wanted.values():
                    left -= collection.refresh(doc, left)
                if any(collection.pending for collection in wanted.values()):
                    return _UNFINISHED
                return view(doc, wanted)

            return self._read_held(room, step), views.catching_up
        finally:
            room.unhold()

    async def home_elsewhere(self, name: str, now: float | None = None) -> str | None:
        """The URL of the node to forward a REST request for room ``name`` to, if any.

        Only a room with sockets on another node and not open here is forwarded, and only
        while its requests here are few: from the ``FORWARD_PER_WINDOW``-th request in a
        window of ``idle_timeout_s`` on, a copy here costs less than forwarding each one
        (docs/benchmarks.md, "REST across two nodes"), so the room is loaded.
        """
        if self.homes is None or name in self.rooms:
            return None
        home = await self.homes.home_of(name)
        if home is None:
            return None
        now = time.monotonic() if now is None else now
        window = self._settings.idle_timeout_s
        started, count = self._forwarded.get(name, (now, 0))
        if now - started >= window:
            started, count = now, 0
        if count >= FORWARD_PER_WINDOW:
            self._forwarded.pop(name, None)
            return None
        self._forwarded[name] = (started, count + 1)
        return home

    async def advertise(self, now: float) -> None:
        """Tell the other nodes which rooms have sockets here (rooms/homes.py): new ones at
        once, all of them every third of an advertisement's lifetime. Run by maintenance."""
        if self.homes is None or self.homes.node_url is None:
            return
        busy = {name for name, room in self.rooms.items() if room.connections}
        due = now - self._advertised_at >= TTL_S / 3
        fresh = busy if due else busy - self._advertised
        self._advertised = busy
        if due:
            self._advertised_at = now
        if fresh:
            await self.homes.advertise(fresh)

    async def _seen(self, name: str) -> Seen:
        """What a look for item events compares (rooms/item_events.py), read in slices."""
        return await self.read_views(name, LOOKED_AT, seen_in_views)

    async def check_growth(self, name: str, extra_bytes: int) -> None:
        """Raise unless room ``name`` may grow by ``extra_bytes`` (opens it if needed).

        Raises:
            DocumentTooLarge: the room would exceed ``max_document_bytes``.
        """
        room = await self.open(name)
        size = room.size_bytes + extra_bytes
        if size > self._limits.max_document_bytes:
            raise DocumentTooLarge(size, self._limits.max_document_bytes)

    async def apply_stored(self, name: str, update: bytes) -> None:
        """Bring an update the caller already committed to room ``name``'s log live everywhere.

        For updates stored in the caller's own transaction (with the rows and events that go
        with them), which must depend on nothing else in the room (see
        ``persistence.update_log.store_update``). The room is opened if needed (its load then
        includes the update: applying it again is a no-op), its clients get the update, and
        so do the other nodes.
        """
        room = await self.open(name)
        if room.state is RoomState.OPEN and room.apply_remote(update):
            room.updates_since_compaction += 1
        self.bus.publish(name, EnvelopeKind.UPDATE, update)

    async def _open_held(self, name: str) -> Room:
        """Open ``name`` and hold it; a room closed meanwhile (evicted) is opened again.

        Writing to, or discarding, a room that is no longer the live one would be lost.
        """
        while True:
            room = await self.open(name)
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

    def _discard(self, room: Room, why: str) -> None:
        """Drop a live document holding a change that must not stand; the next open reloads it.

        The change reached no client, node or storage. Connected clients are closed with 1013
        and resync on reconnect. Reloading waits for this node's pending updates to commit, so
        the reloaded document lacks nothing but the discarded change.
        """
        _log.error("room_discarded", room=room.name, reason=why)
        room.close(Close(CloseCode.TRY_AGAIN_LATER, "room reloaded: reconnect"))
        if self.rooms.get(room.name) is room:
            del self.rooms[room.name]
            self.artifacts.forget(room.name)
            self.views.forget(room.name)
            self.item_events.forget(room, look=False)  # its last change is being dropped
            ROOMS_OPEN.set(len(self.rooms))
        self._unsubscribing[room.name] = self._spawn(self._retire(room.name))

    async def _retire(self, name: str) -> None:
        try:
            await self._committer.flush()
        finally:
            await self._unsubscribe(name)

    def _publisher(self, name: str) -> Publish:
        bus = self.bus

        def publish(kind: EnvelopeKind, payload: bytes) -> None:
            bus.publish(name, kind, payload)

        return publish

    # --- access --------------------------------------------------------------------------

    def revoke(
        self,
        *,
        user_id: str | None = None,
        session_id: str | None = None,
        room: str | None = None,
        reason: str = "access revoked",
        revocation_id: int | None = None,
    ) -> int:
        """Close the connections selected, here and on every other node, with 4403 and ``reason``.

        Every selector given must match (see :class:`collab.envelope.Revocation`): ``user_id``
        and ``room`` for a member removed or whose role changed ("your role changed"),
        ``session_id`` for a logout or a revoked token family or API key, ``user_id`` for a
        disabled account, ``room`` alone for every connection of a room. A client that still
        has access reconnects and is checked afresh. Other nodes act when the envelope reaches
        them (Redis pub/sub, milliseconds); a connection whose access check was under way
        anywhere is refused before it joins (:meth:`revoked_since`). ``revocation_id`` names
        the row the caller stored in ``revocations``, which reaches every node even when Redis
        is down (:meth:`learn`); each node applies it once.

        Returns:
            How many connections were closed on this node.

        Raises:
            ValueError: no selector is given.
        """
        revocation = Revocation(user_id, session_id, room, reason, revocation_id)
        closed = self._revoke_here(revocation)
        self.bus.publish(_NO_ROOM, EnvelopeKind.REVOKE, pack_revocation(revocation))
        return closed

    def learn(self, revocation: Revocation) -> int:
        """Apply a revocation read from PostgreSQL (rooms/revocation_feed.py), if still new.

        Returns how many connections it closed here (0 when Redis or this node's own
        :meth:`revoke` applied it already).
        """
        return self._revoke_here(revocation, source="database")

    def _revoke_here(self, revocation: Revocation, source: str = "local") -> int:
        if revocation.id is not None and self._revocations.knows(revocation.id):
            return 0
        self._revocations.record(revocation, time.monotonic())
        closed = close_revoked(self.rooms, revocation)
        _log.info(
            "connections_revoked",
            closed=closed,
            user=revocation.user_id,
            session=revocation.session_id,
            room=revocation.room,
            reason=revocation.reason,
            revocation_id=revocation.id,
            source=source,
        )
        return closed

    def revoked_since(
        self, started: float, room: str, user_id: str | None, session_id: str | None
    ) -> Revocation | None:
        """A revocation issued after monotonic time ``started`` that selects this identity.

        Call it just before a new connection joins, with the time its access check began:
        a revocation that arrived meanwhile found nothing to close yet.
        """
        return self._revocations.since(started, time.monotonic(), room, user_id, session_id)

    def lock_board(self, lock: BoardLock) -> int:
        """Hold the connections of ``lock.room`` that the lock blocks read-only (or free them
        all when it ends), here and, through the bus, on every other node.

        Returns how many connections of this node changed.
        """
        changed = self._lock_here(lock)
        self.bus.publish(_NO_ROOM, EnvelopeKind.BOARD_LOCK, pack_board_lock(lock))
        return changed

    def _lock_here(self, lock: BoardLock) -> int:
        now = time.monotonic()
        self._board_locks[lock.room] = (now, lock)
        for name in [n for n, (at, _l) in self._board_locks.items() if at < now - 3600.0]:
            del self._board_locks[name]
        room = self.rooms.get(lock.room)
        changed = 0
        if room is not None:
            room.lock_notes(lock.notes, lock.exempt)
        for conn in [] if room is None else list(room.connections):
            blocked = lock.blocks(conn.user_id)
            if conn.locked != blocked:
                conn.locked = blocked
                changed += 1
        _log.info(
            "board_lock", room=lock.room, locked=lock.locked, notes=len(lock.notes),
            changed=changed,
        )  # fmt: skip
        return changed

    def learn_board_lock(self, lock: BoardLock) -> None:
        """Apply a lock read from storage on this node only (a node that missed the bus while
        Redis was away learns it from an access check); no-op if this node knows it already."""
        known = self._board_locks.get(lock.room)
        if known is None or known[1] != lock:
            self._lock_here(lock)

    def board_lock(self, room: str) -> BoardLock | None:
        """The lock of ``room`` this node learned in the last hour, if any."""
        known = self._board_locks.get(room)
        return None if known is None else known[1]

    def board_lock_since(self, started: float, room: str, user_id: str | None) -> bool | None:
        """Whether a board lock learned after monotonic time ``started`` blocks ``user_id`` in
        ``room`` (None: none was learned since; the access check's answer stands)."""
        learned = self._board_locks.get(room)
        if learned is None or learned[0] < started:
            return None
        return learned[1].blocks(user_id)

    def on_envelope(self, envelope: Envelope) -> None:
        """Handle an envelope from another node: control, or for a room open here."""
        if envelope.kind is EnvelopeKind.BOARD_LOCK:
            try:
                lock = unpack_board_lock(envelope.payload)
            except MalformedMessage as exc:
                BUS_DROPPED.labels("malformed").inc()
                _log.warning("bus_envelope_rejected", reason=str(exc), origin=envelope.origin)
                return
            self._lock_here(lock)
            return
        if envelope.kind is EnvelopeKind.REVOKE:
            try:
                revocation = unpack_revocation(envelope.payload)
            except MalformedMessage as exc:
                BUS_DROPPED.labels("malformed").inc()
                _log.warning("bus_envelope_rejected", reason=str(exc), origin=envelope.origin)
                return
            self._revoke_here(revocation, source="bus")
            return
        room = self.rooms.get(envelope.room)
        if room is None or room.state is not RoomState.OPEN:
            return
        match envelope.kind:
            case EnvelopeKind.UPDATE | EnvelopeKind.SYNC_REPLY:
                if not room.apply_remote(envelope.payload):
                    # Ahead of this doc (or refused): read what storage and peers have.
                    self.on_gap({room.name})
            case EnvelopeKind.AWARENESS:
                room.apply_remote_awareness(envelope.origin, envelope.payload)
            case EnvelopeKind.SYNC_REQUEST:
                missing = room.missing_for(envelope.payload)
                if missing is not None:
                    self.bus.publish(room.name, EnvelopeKind.SYNC_REPLY, missing)

    def on_gap(self, names: set[str]) -> None:
        """Fan-out may have lost envelopes for these rooms: resync each from storage and peers."""
        for name in names:
            if name in self.rooms and name not in self._resyncing:
                self._resyncing.add(name)
                self._background_task(self._resync(name))

    async def _resync(self, name: str) -> None:
        try:
            room = self.rooms.get(name)
            if room is None or room.state is not RoomState.OPEN:
                return
            ROOM_RESYNCS.inc()
            self.bus.publish(name, EnvelopeKind.SYNC_REQUEST, room.doc.get_state())
            stored = await self._log.load(name)
            try:
                stored_doc = restore_doc(
                    stored.snapshot, stored.nesting, stored.updates, self._limits.max_nesting_depth
                ).doc
                missing = diff_update(stored_doc, room.doc.get_state())
            except InvalidUpdate as exc:
                _log.error("room_resync_failed", room=name, detail=str(exc))
                return
            room.apply_remote(missing)  # a no-op when storage holds nothing new
            _log.info("room_resynced", room=name)
        except StorageError as exc:
            _log.warning("room_resync_failed", room=name, error=str(exc))
        finally:
            self._resyncing.discard(name)

    async def _unsubscribe(self, name: str) -> None:
        try:
            await self.bus.unsubscribe(name)
        finally:
            self._unsubscribing.pop(name, None)

    def _background_task(self, coro: Coroutine[Any, Any, None]) -> None:
        """Run ``coro`` as an owned background task (cancelled with the maintenance loop)."""
        _ = self._spawn(coro)

    def _spawn(self, coro: Coroutine[Any, Any, None]) -> asyncio.Task[None]:
        task = asyncio.get_running_loop().create_task(coro)
        self._background.add(task)
        task.add_done_callback(self._background.discard)
        return task

    # --- maintenance ------------------------------------------------------------------------

    async def run_maintenance(self) -> None:
        """Evict idle rooms and start compactions, forever (cancel to stop); every minute,
        look at projects whose changes were never looked at for events."""
        next_catch_up = time.monotonic() + _CATCH_UP_S
        try:
            while True:
                await asyncio.sleep(self._settings.maintenance_interval_s)
                now = time.monotonic()
                self.maintain(now)
                if now >= next_catch_up and not self._catching_up:
                    next_catch_up = now + _CATCH_UP_S
                    _ = self._spawn(self._catch_up())  # kept in _background
        finally:
            for task in [*self._compacting.values(), *self._background]:
                task.cancel()
                with suppress(asyncio.CancelledError):
                    await task

    async def _catch_up(self) -> None:
        self._catching_up = True
        try:
            await self.item_events.catch_up(self._seen)
        except StorageError as exc:
            _log.warning("item_events_catch_up_failed", error=str(exc))
        finally:
            self._catching_up = False

    def maintain(self, now: float) -> None:
        """One maintenance pass at monotonic time ``now``."""
        worker = self.worker
        for name, room in list(self.rooms.items()):
            if worker is not None and room.size_bytes >= OFFLOAD_BYTES // 2:
                worker.prepare()  # its compactions will go to the worker process soon
            idle_for = None if room.idle_since is None else now - room.idle_since
            idle = idle_for is not None and idle_for >= self._settings.idle_timeout_s
            if room.updates_since_compaction >= self._settings.compact_every_updates or (
                idle and room.updates_since_compaction > 0 and room.state is RoomState.OPEN
            ):
                self._start_compaction(room)
            if idle and self._committer.pending(name) == 0 and name not in self._compacting:
                self.item_events.forget(room)
                room.close(Close(CloseCode.GOING_AWAY, "room closed"))
                del self.rooms[name]
                self.artifacts.forget(name)
                self.views.forget(name)
                self._unsubscribing[name] = self._spawn(self._unsubscribe(name))
                _log.debug("room_evicted", room=name)
        self.views.expire(now, self.rooms)
        if self.homes is not None and self.homes.node_url is not None:
            _ = self._spawn(self.advertise(now))
        if self._forwarded:  # drop the windows that are over
            window = self._settings.idle_timeout_s
            self._forwarded = {
                name: seen for name, seen in self._forwarded.items() if now - seen[0] < window
            }
        ROOMS_OPEN.set(len(self.rooms))

    def _start_compaction(self, room: Room) -> None:
        if room.name in self._compacting:
            return
        room.updates_since_compaction = 0
        task = asyncio.get_running_loop().create_task(self._compact(room.name))
        self._compacting[room.name] = task
        task.add_done_callback(lambda _t: self._compacting.pop(room.name, None))

    async def wait_compactions(self) -> None:
        """Wait for the compactions running now (tests, shutdown).

        A compaction that fails or is cancelled (shutdown's budget ran out) is logged, never
        raised: it changed nothing (one transaction), and the next node to open the room
        replays the log instead.
        """
        running = list(self._compacting.values())
        if not running:
            return
        for outcome in await asyncio.gather(*running, return_exceptions=True):
            if isinstance(outcome, Exception):
                _log.error("compaction_failed", error=repr(outcome))

    async def compact_now(self, name: str) -> None:
        """Compact ``name``'s stored history now, waiting for a compaction running elsewhere.

        Afterwards every log row stored before the call is folded into a fresh snapshot of
        the document as it is (garbage-collected: overwritten and deleted values are gone
        from the stored bytes). Erasure relies on that.

        Raises:
            CorruptHistory: a stored row cannot be decoded (nothing changed).
            StorageError: PostgreSQL could not be reached.
        """
        await compact(
            self._log.pool, name, max_depth=self._limits.max_nesting_depth, wait=True,
            offload=self.offload,
        )  # fmt: skip

    async def offload(self, fn: Callable[..., _T], *args: Any) -> _T:
        """``fn(*args)`` away from the rooms: in the node's worker process, or in a thread
        when the node has none. For pure work proportional to a whole document (decoding a
        state, folding a log): in a thread it holds the interpreter lock over every room."""
        if self.worker is None:
            return await asyncio.to_thread(fn, *args)
        return await self.worker.run(fn, *args)

    async def _compact(self, name: str) -> None:
        try:
            await compact(
                self._log.pool, name, max_depth=self._limits.max_nesting_depth,
                offload=self.offload,
            )  # fmt: skip
        except StorageError as exc:
            _log.error("compaction_failed", room=name, error=str(exc))

    async def close_all(self, close: Close, flush_timeout_s: float = 10.0) -> None:
        """Stop accepting, flush every pending update, close all sockets, then compact.

        Sockets close right after the flush (clients reconnect elsewhere at once); compaction
        of rooms with new log rows follows, within half the remaining budget, so the next node
        to open them loads a snapshot instead of replaying the log.
        """
        self.accepting = False
        started = time.monotonic()
        try:
            async with asyncio.timeout(flush_timeout_s):
                await self._committer.flush()
        except TimeoutError:
            _log.error("shutdown_flush_timed_out", pending=self._committer.depth)
            for room in self.rooms.values():
                room.close(close)
            return
        for room in self.rooms.values():
            room.close(close)
        try:  # the events of the last bursts (the documents are still here)
            async with asyncio.timeout(max(flush_timeout_s - (time.monotonic() - started), 0.0)):
                await self.item_events.settle()
        except TimeoutError:
            _log.warning("shutdown_item_events_incomplete")
        for room in self.rooms.values():
            if room.state is not RoomState.CORRUPT and room.updates_since_compaction:
                self._start_compaction(room)
        budget = (flush_timeout_s - (time.monotonic() - started)) / 2
        try:
            async with asyncio.timeout(max(budget, 0.0)):
                await self.wait_compactions()
        except TimeoutError:
            _log.warning("shutdown_compaction_incomplete", rooms=len(self._compacting))

    def room_for_error(self, exc: BaseException) -> Close:
        """Map a failure to open a room to the close frame the client receives."""
        if isinstance(exc, NodeFull):
            return Close(CloseCode.TRY_AGAIN_LATER, f"{exc}: retry in {exc.retry_seconds} s")
        if isinstance(exc, FairShareExceeded):
            return Close(CloseCode.RATE_LIMITED, str(exc))
        if isinstance(exc, StorageError):
            return Close(CloseCode.STORAGE_UNAVAILABLE, "storage unavailable: try again later")
        return Close(CloseCode.INTERNAL_ERROR, "internal error")


def _check_readable(room: Room) -> None:
    """Refuse to read a room whose stored history could not be restored.

    Raises:
        CorruptHistory: the room is corrupt.
    """
    if room.state is RoomState.CORRUPT:
        raise CorruptHistory(room.name, room.error or "unknown")
