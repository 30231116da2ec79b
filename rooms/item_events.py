"""Events of artifacts changed in a project room, from any source, coalesced per burst.

A project room changed on this node (a browser's edit, a REST write, a brainstorm reveal)
is marked dirty. After ``quiet_s`` without another change (or ``max_s`` after the first
change of a burst, for a room that never rests), the room is looked at: once every update
made so far is durable, the typed content of the event-bearing kinds is compared with the
digests stored at the previous look (collab/item_events.py), and the difference is written
as outbox events together with the new digests, in one transaction under a per-project lock.

What this guarantees: an event is written only once its change is durable (no event without
the change), and a change is never without its event, though the event may come later. The
statement that stores a change also marks its project changed (``item_events_dirty_at``);
a look clears the mark; if this node stops between the commit and the look, any node's sweep
(:meth:`ItemEvents.catch_up`, from the room manager's maintenance) looks at the project
after two minutes. The one narrow case: a change committed while a look of the same
project was already under way, on a node that then stops before its own look of that change
(a few seconds), waits for the project's next change. Event ids come from the change, so a look that
two nodes take of the same state writes its events once. Rooms changed only by other nodes
are looked at by those nodes.

Nothing is kept per room unless it is dirty: a timer while the burst lasts.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable, Coroutine, Generator, Mapping
from dataclasses import dataclass
from typing import Any, Final
from uuid import UUID

import structlog
from pycrdt import Doc

from collab import item_events
from collab.artifacts import KINDS
from collab.doc_view import CollectionView
from collab.schema import list_items
from collab.ydoc import decode_state_vector
from persistence import item_states, outbox
from persistence.conn import PgPool
from persistence.errors import StorageError
from persistence.group_commit import GroupCommitter
from rooms.artifact_watch import project_of
from rooms.room import Room
from rooms.turn_budget import TurnBudget

__all__ = ["LOOKED_AT", "ItemEvents", "Seen", "seen_in_views", "watched_items"]

_log = structlog.get_logger(__name__)

Spawn = Callable[[Coroutine[Any, Any, None]], asyncio.Task[None]]


@dataclass(slots=True)
class _Burst:
    room: Room
    started: float
    timer: asyncio.TimerHandle


def _event_id(project: UUID, change: item_events.Change, seq: int) -> UUID:
    """The id of one change: the item and the number of this change of it. An item's first
    creation is named by the item alone, as a brainstorm's reveal names its
    ``idea.created``, so the two are one event."""
    if change.type == "prototype.tested":  # one per result: named by the result's state
        return outbox.event_id(change.type, project, change.item_id, change.digest)
    if seq == 0:
        return outbox.event_id(change.type, project, change.item_id)
    return outbox.event_id(change.type, project, change.item_id, seq)


@dataclass(frozen=True, slots=True)
class Seen:
    """What a look compares: the watched kinds' items and the user tests (for
    ``prototype.tested``), and the state vector of the document they were read from."""

    items: dict[str, list[dict[str, Any]]]
    state_vector: bytes


#: The kinds a look reads.
LOOKED_AT: Final = tuple(KINDS[c] for c in (*item_events.WATCHED, "tests"))


def watched_items(doc: Doc[Any]) -> Seen:
    """Read what a look compares from ``doc`` (all of it now, on the event loop)."""
    items = {kind.collection: list_items(doc, kind) for kind in LOOKED_AT}
    return Seen(items, doc.get_state())


def seen_in_views(doc: Doc[Any], views: Mapping[str, CollectionView]) -> Seen:
    """What a look compares, from current typed views of :data:`LOOKED_AT` (see
    ``RoomManager.read_views``: built in slices, re-read only where changed)."""
    return Seen({c: view.items() for c, view in views.items()}, doc.get_state())


def _covers(ours: bytes, theirs: bytes) -> bool:
    """Whether a document at state vector ``ours`` holds everything of one at ``theirs``."""
    have = decode_state_vector(ours)
    return all(
        have.get(client, 0) >= clock for client, clock in decode_state_vector(theirs).items()
    )


# Items a look compares between two pauses (a dictionary lookup each).
_COMPARED_PER_STEP = 256


def _compare_steps(
    project: UUID,
    found: item_states.Looked,
    now: dict[item_events.Key, tuple[str, Mapping[str, Any]]],
    seen: Seen,
) -> Generator[
    None, None, tuple[dict[item_states.Key, item_states.State], list[outbox.Event], list[str]]
]:
    """The new state of every item that changed since the last look, the events and their
    stored payloads; in steps (:meth:`TurnBudget.run`): a look at a large board made at
    once held the event loop for 10 ms."""
    states = found.states
    before: dict[item_states.Key, str] = {}
    for n, (key, (digest, _seq)) in enumerate(states.items()):
        if digest is not None:
            before[key] = digest
        if n % _COMPARED_PER_STEP == 0:
            yield
    # the new state of every item that changed, with the number of its change
    changed: dict[item_states.Key, item_states.State] = {}
    for n, (key, (digest, _item)) in enumerate(now.items()):
        if before.get(key) != digest:
            changed[key] = (digest, states[key][1] + 1 if key in states else 0)
        if n % _COMPARED_PER_STEP == 0:
            yield
    for key in before.keys() - now.keys():
        changed[key] = (None, states[key][1] + 1)
    if not found.since:
        return changed, [], []
    yield
    events: list[outbox.Event] = []
    payloads: list[str] = []
    tests = seen.items.get("tests", [])
    for c in item_events.changes_of(before, now, tests, keys=changed):
        event = outbox.Event(
            id=_event_id(project, c, changed.get((c.collection, c.item_id), (None, 0))[1]),
            type=c.type,
            project_id=project,
            data={
                "kind": c.collection,
                "id": c.item_id,
                # who made it is known for a new item only: an edit's author is not
                # recorded in the CRDT
                "actor": (c.item or {}).get("createdBy")
                if c.type.endswith((".created", ".added"))
                else None,
                "item": c.item,
            },
        )
        events.append(event)
        payloads.append(outbox.payload(event))
        yield
    return changed, events, payloads


class ItemEvents:
    """Watches the project rooms of this node for changes and writes their events."""

    def __init__(
        self,
        pool: PgPool,
        committer: GroupCommitter,
        spawn: Spawn,
        *,
        quiet_s: float = 2.0,
        max_s: float = 10.0,
        turns: TurnBudget | None = None,
    ) -> None:
        self._pool = pool
        #: the node's REST budget per turn of the event loop: a look takes turns with the
        #: sockets like a request (rooms/turn_budget.py)
        self.turns = turns if turns is not None else TurnBudget()
        self._committer = committer
        self._spawn = spawn
        self._quiet_s = quiet_s
        self._max_s = max_s
        self._bursts: dict[str, _Burst] = {}
        self._looking: set[asyncio.Task[None]] = set()
        #: called after a look wrote events (the webhook loop wakes up)
        self.on_events: Callable[[], None] | None = None
        #: reads what a look compares from an open room without holding the event loop
        #: (RoomManager.read_views); None: read all of it at once
        self.reader: Callable[[str], Awaitable[Seen]] | None = None
        # The digests of the last look at each watched room's project: an item handed out
        # again as the same object is not hashed again (collab/item_events.digests).
        self._digests: dict[UUID, dict[item_events.Key, tuple[str, Mapping[str, Any]]]] = {}

    def watch(self, room: Room) -> None:
        """Look at ``room`` after each burst of changes made on this node."""
        project = project_of(room.name)
        if project is not None:
            room.on_change = lambda: self._changed(room)
            self._digests.setdefault(project, {})

    def forget(self, room: Room, *, look: bool = True) -> None:
        """The room closes: a burst still waiting is looked at now, while the doc is there
        (``look=False``: the room is discarded, its last change dropped; the next change
        to the project catches up)."""
        room.on_change = None
        project = project_of(room.name)
        if project is not None:
            self._digests.pop(project, None)
        burst = self._bursts.pop(room.name, None)
        if burst is not None:
            burst.timer.cancel()
            if look:
                self._look_soon(room)

    def _changed(self, room: Room) -> None:
        now = time.monotonic()
        burst = self._bursts.get(room.name)
        started = now if burst is None else burst.started
        if burst is not None:
            burst.timer.cancel()
        delay = max(0.0, min(self._quiet_s, started + self._max_s - now))
        timer = asyncio.get_running_loop().call_later(delay, self._due, room)
        self._bursts[room.name] = _Burst(room, started, timer)

    def _due(self, room: Room) -> None:
        self._bursts.pop(room.name, None)
        if self.reader is None:
            self._look_soon(room)
            return
        project = project_of(room.name)
        assert project is not None  # only project rooms are watched
        task = self._spawn(self._read_then_look(self.reader, room.name, project))
        self._looking.add(task)
        task.add_done_callback(self._looking.discard)

    async def _read_then_look(
        self, reader: Callable[[str], Awaitable[Seen]], name: str, project: UUID
    ) -> None:
        try:
            seen = await reader(name)
        except Exception as exc:  # the room could not be read: the catch-up sweep will look
            _log.warning("item_events_failed", room=name, error=repr(exc))
            return
        await self._look(project, seen)

    def _look_soon(self, room: Room) -> None:
        project = project_of(room.name)
        assert project is not None  # only project rooms are watched
        # Read now, while the room (even one closing) holds the document: every change in it
        # was submitted to the committer, and is durable once the look's flush returns.
        try:
            document = watched_items(room.doc)
        except Exception:  # a bug here must not escape into the room's code path
            _log.exception("item_events_failed", room=room.name)
            return
        task = self._spawn(self._look(project, document))
        self._looking.add(task)
        task.add_done_callback(self._looking.discard)

    async def settle(self) -> None:
        """Look at every dirty room now and wait for every look (tests, shutdown)."""
        for name, burst in list(self._bursts.items()):
            burst.timer.cancel()
            del self._bursts[name]
            self._look_soon(burst.room)
        while self._looking:
            await asyncio.gather(*self._looking, return_exceptions=True)

    async def catch_up(
        self,
        read: Callable[[str], Awaitable[Seen]],
        *,
        older_than_s: float = 120.0,
        limit: int = 20,
    ) -> int:
        """Look at projects whose change was never looked at (its node stopped first).

        ``read`` gives a project room's watched items (opening the room if needed). Any node
        may do this; two doing it at once write the same events once. Returns how many
        projects were looked at.
        """
        projects = await item_states.dirty_projects(
            self._pool, older_than_s=older_than_s, limit=limit
        )
        for project in projects:
            try:
                document = await read(str(project))
            except Exception as exc:  # a corrupt or unloadable room: the next sweep retries
                _log.warning("item_events_catch_up_failed", project=str(project), error=str(exc))
                continue
            await self._look(project, document)
        return len(projects)

    async def _look(self, project: UUID, document: Seen) -> None:
        try:
            await self._committer.flush()
            written = await self._write(project, document)
        except (StorageError, OSError) as exc:
            _log.warning("item_events_failed", project=str(project), error=str(exc))
            return
        except Exception:
            _log.exception("item_events_failed", project=str(project))
            return
        if written and self.on_events is not None:
            self.on_events()

    async def _write(self, project: UUID, seen: Seen) -> int:
        known = self._digests.get(project)
        # Hashing and comparing the items of a large board is pure Python work in proportion
        # to what changed: on the event loop in pieces, taking turns with the sockets. (In a
        # thread it held the interpreter lock, and the loop waited for it after every
        # system call.)
        now = await self.turns.run(item_events.digest_steps(seen.items, known))
        if known is not None:  # a project with a room open here: remember for the next look
            self._digests[project] = now
        async with self._pool.acquire() as conn, conn.transaction():
            found = await item_states.lock(conn, project)
            if found is None:
                return 0  # the project was deleted
            if found.state_vector is not None and not _covers(
                seen.state_vector, found.state_vector
            ):
                # another node's look saw changes this copy lacks: judged from here, its new
                # items would seem deleted; the project stays marked, a later look will do
                return 0
            first_look = not found.since
            steps = _compare_steps(project, found, now, seen)
            changed, events, payloads = await self.turns.run(steps)
            if first_look:
                await item_states.save(conn, project, changed, seen.state_vector, first_look=True)
                return 0
            await outbox.append(conn, events, payloads)
            await item_states.save(conn, project, changed, seen.state_vector)
            return len(events)
