"""Account deletion that reaches every copy (LGPD art. 18, docs/privacy.md).

``DELETE /v1/auth/me`` and ``DELETE /v1/admin/users/{user_id}`` (http_api/v1/account.py) run
:meth:`AccountEraser.erase`. In order, and why in that order:

1. One transaction (persistence/erasure.py ``start``): refuse a sole owner; record the erasure
   (who, which projects, the pseudonym number) so that it finishes even if this node stops;
   delete the sessions and API keys, so HTTP access ends with the commit. Then a revocation per
   session and key closes the person's sockets on every node (revocations name sessions, not
   people).
2. In every project the person may appear in, one ordinary update replaces ``createdBy`` and
   ``authorId`` with the pseudonym in the live document (everyone in the room receives it);
   their private brainstorm rooms are erased whole.
3. One transaction: every row that names them is rewritten with the pseudonym or deleted
   (audit, outbox, webhook deliveries, brainstorm results, idempotency records, rate-limit
   keys, pending sign-ups), stored exports of their projects are deleted (they print names),
   and the account row goes (with it, by cascade: memberships, votes, their own exports).
4. The brainstorm room of each project is rebuilt from the rewritten rows; then each project's
   room and brainstorm room is compacted: the stored history becomes one garbage-collected
   snapshot, so the old values are not recoverable from the stored bytes.
5. Files: their personal export zips and the export files of step 3. Then the erasure record
   goes; nothing links the pseudonym to the person any more.

Every step can run again: a node that stopped half-way leaves the record, and any node's next
pass (at start, then hourly) finishes it.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from functools import partial
from typing import Final
from uuid import UUID

import structlog

from collab.brainstorm import brainstorm_room
from collab.errors import Conflict, NotFound
from collab.nesting import DEFAULT_MAX_DEPTH
from collab.pseudonyms import entry_keys, replace_author
from collab.restore import rewrite_point
from http_api import revocation
from http_api.periodic import in_background, repeat
from persistence import audit, erasure, invites, restore_points, update_log
from persistence.blobs import BlobStore, export_key
from persistence.conn import PgPool
from persistence.erasure import Erasure
from persistence.group_commit import GroupCommitter
from rooms.brainstorm import publish_snapshot
from rooms.manager import RoomManager

__all__ = ["AccountEraser", "running"]

_log = structlog.get_logger(__name__)
#: The first pass over unfinished erasures comes this long after start.
_FIRST_S: Final = 5.0
_EVERY_S: Final = 3600.0
#: Guests erased per sweep at most (each is a full erasure; the next sweep takes the rest).
_GUESTS_PER_SWEEP: Final = 200
#: Document entries looked at per transaction: about 2 ms of the event loop each
#: (load_tests/erasure_micro.py), so a 5,000-note board never holds the other rooms.
_SLICE: Final = 128


class AccountEraser:
    """Erases accounts on this node and finishes the erasures a stopped node left."""

    def __init__(
        self,
        pool: PgPool,
        rooms: RoomManager,
        store: BlobStore,
        committer: GroupCommitter,
        max_depth: int = DEFAULT_MAX_DEPTH,
    ) -> None:
        self._pool = pool
        self._depth = max_depth
        self._rooms = rooms
        self._store = store
        self._committer = committer
        self._lock = asyncio.Lock()

    async def erase(self, user_id: UUID, *, by: UUID | None) -> str:
        """Delete the account ``user_id`` everywhere; return its pseudonym.

        ``by``: the admin who asked (None: the person themselves).

        Raises:
            NotFound: no such account.
            Conflict: they are the only owner of projects (nothing changed).
            StorageError: PostgreSQL went away half-way (the erasure finishes later).
        """
        async with self._pool.acquire() as conn, conn.transaction():
            started, ended = await erasure.start(conn, user_id)
            revoked = [
                await revocation.record(conn, session_id=session, reason="account deleted")
                for session in ended
            ]
        for one in revoked:
            revocation.announce_to(self._rooms, one)
        await self._finish(started, by=by)
        return started.identity.ref

    async def resume(self) -> int:
        """Finish the erasures stopped nodes left; how many were finished."""
        done = 0
        for stopped in await erasure.unfinished(self._pool):
            await self._finish(stopped, by=None)
            done += 1
        return done

    async def erase_expired_guests(self, limit: int = _GUESTS_PER_SWEEP) -> int:
        """Erase guests whose session is over (expired, or ended with their invite link):
        a guest's identity lasts one session (docs/privacy.md). How many were erased."""
        erased = 0
        for guest in await invites.expired_guests(self._pool, datetime.now(UTC), limit):
            try:
                await self.erase(guest, by=None)
            except (NotFound, Conflict) as exc:  # gone meanwhile, or erased by another node
                _log.info("guest_erasure_skipped", guest=str(guest), reason=str(exc))
                continue
            erased += 1
        return erased

    async def sweep(self) -> None:
        """What the node does every hour: finish stopped erasures, then erase guests whose
        time is over."""
        await self.resume()
        await self.erase_expired_guests()

    async def _rewrite(self, room: str, old: str, new: str) -> int:
        """:func:`replace_author` over the room's document, :data:`_SLICE` entries per
        transaction (an update per slice that changed something, none for the others)."""
        keys = await self._rooms.read(room, entry_keys)
        changed = 0
        for start in range(0, len(keys), _SLICE):
            changed += await self._rooms.transact(
                room, partial(replace_author, old=old, new=new, keys=keys[start : start + _SLICE])
            )
        return changed

    async def _rewrite_points(self, project: UUID, old: str, new: str) -> None:
        """:func:`replace_author` over every restore point of the project, each rewritten in
        a worker thread (a day's points of a large board are many megabytes)."""
        change = partial(replace_author, old=old, new=new)
        for point_id, stored in await restore_points.states(self._pool, project):
            rewritten = await asyncio.to_thread(rewrite_point, stored, change, self._depth)
            if rewritten is not None:
                await restore_points.replace_state(self._pool, point_id, *rewritten)

    async def _finish(self, job: Erasure, *, by: UUID | None) -> None:
        async with self._lock:  # one at a time per node: each is many writes already
            await self._run(job, by=by)

    async def _run(self, job: Erasure, *, by: UUID | None) -> None:
        identity = job.identity
        old, new = identity.user_id, identity.ref
        changed = 0
        for project in job.projects:
            changed += await self._rewrite(str(project), old, new)
            await self._rewrite_points(project, old, new)
        private = await erasure.private_rooms(self._pool, job)
        if private:
            await self._committer.flush()  # a last note queued here lands before the purge
            for room in private:
                await update_log.purge_room(self._pool, room)
        async with self._pool.acquire() as conn, conn.transaction():
            rows = await erasure.pseudonymise_rows(conn, job)
            await restore_points.forget_person(conn, list(job.projects), job.user_id)
            exports = await erasure.project_exports(conn, job)
            await erasure.delete_account(conn, job)
        for project in job.projects:
            await publish_snapshot(self._pool, self._rooms, project)
            await self._rooms.compact_now(str(project))
            await self._rooms.compact_now(brainstorm_room(project))
            # A note their socket on another node sent in the instant before it closed may
            # have landed after the rewrite: look once more, now that no socket of theirs is
            # left anywhere (usually nothing changes, and nothing is written).
            late = await self._rewrite(str(project), old, new)
            if late:
                changed += late
                await self._rooms.compact_now(str(project))
        for project, export in exports:
            await self._store.delete(export_key(project, export))
        await self._store.delete_prefix(f"people/{job.user_id}/")
        async with self._pool.acquire() as conn, conn.transaction():
            # Again, for rows copied while the first pass ran (a webhook dispatch moving an
            # outbox event into deliveries); usually none.
            late_rows = await erasure.pseudonymise_rows(conn, job)
            await audit.record(
                conn, "account.deleted", actor_id=by, target=new,
                details={"projects": len(job.projects), "fields": changed},
            )  # fmt: skip
            await erasure.finish(conn, job)
        _log.info(
            "account_erased", pseudonym=new, projects=len(job.projects), fields=changed,
            private_rooms=len(private), exports=len(exports), **rows,
            late_rows=sum(late_rows.values()),
        )  # fmt: skip


@contextlib.asynccontextmanager
async def running(
    pool: PgPool,
    rooms: RoomManager,
    store: BlobStore,
    committer: GroupCommitter,
    max_depth: int = DEFAULT_MAX_DEPTH,
) -> AsyncIterator[AccountEraser]:
    """The node's account eraser; soon after start, then every hour, it finishes what stopped
    nodes left."""
    eraser = AccountEraser(pool, rooms, store, committer, max_depth)
    loop = repeat(
        eraser.sweep, first_s=_FIRST_S, every_s=_EVERY_S, failed="account_erasure_resume_failed"
    )
    async with in_background(loop, "account-erasure"):
        yield eraser
