"""Brainstorm live state: the server-owned snapshot room, the reveal of hidden notes, results.

The relational rows (persistence/brainstorm.py) are the truth. This module carries them into
the rooms people are connected to:

* :func:`publish_snapshot` writes the session's state into ``{project}:brainstorm``, a room
  every member opens read-only, so the phase, the timer and the tallies reach every client
  on every node and cannot be forged.
* :func:`reveal_notes` moves every participant's hidden notes from their private room to the
  board in one stored update, with an ``idea.created`` event per note in the same
  transaction, then empties the private rooms.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any
from uuid import UUID

from pycrdt import Doc

from collab import schema
from collab.brainstorm import Phase, Session, brainstorm_room, private_room
from collab.brainstorm_doc import (
    RevealedIdea,
    board_bottom,
    build_reveal,
    cluster_names,
    remove_notes,
    results,
    session_ideas,
    snapshot,
    write_snapshot,
)
from persistence import brainstorm as store
from persistence import outbox, update_log
from persistence.conn import Executor, PgPool
from rooms.manager import RoomManager

__all__ = ["publish_snapshot", "reveal_notes", "Board", "read_board", "take_results", "idea_ids"]

_IDEAS = "ideas"


def idea_ids(doc: Doc[Any]) -> set[str]:
    """The ids of the ideas on a board (or in a private room)."""
    return {item["id"] for item in schema.list_items(doc, _IDEAS)}


async def publish_snapshot(pool: PgPool, rooms: RoomManager, project_id: UUID) -> bool:
    """Write the project's current brainstorm state into its server-owned room.

    Call it after every change that clients see (and after a vote while tallies are shown).
    The state is read and numbered under a lock (``persistence.brainstorm.snapshot_state``);
    writing it needs no lock: a later number wins, whichever node writes last.

    Returns whether a snapshot was written (False: no session yet, or a newer one is there).
    """
    state = await store.snapshot_state(pool, project_id)
    if state is None:
        return False
    counts = state.progress
    data = snapshot(
        state.session,
        seq=state.seq,
        tallies=state.tallies,
        now=state.now,
        progress=None
        if counts is None
        else {"participants": counts.participants, "wrote": counts.wrote, "voted": counts.voted},
    )
    return await rooms.transact(
        brainstorm_room(project_id), lambda doc: write_snapshot(doc, state.seq, data)
    )


async def reveal_notes(
    pool: PgPool, rooms: RoomManager, project_id: UUID, session_id: UUID
) -> list[RevealedIdea]:
    """Put the hidden notes of every participant on the board; return those put there now.

    Safe to repeat, on any node, at any time after the silent phase: notes already revealed
    are skipped (``brainstorm_ideas``), and reveals of one session take turns on its row lock.
    A note that reached a private room after one reveal (typed on another node in the instant
    its socket was being closed) is revealed by the next one; every phase change and the end
    of the session run one.

    Raises:
        DocumentTooLarge: the notes would grow the board past its size limit (nothing moved).
    """
    board = str(project_id)
    authors = await store.participants(pool, session_id)
    if not authors:
        return []
    notes = {
        str(author): await rooms.read(
            private_room(project_id, session_id, author),
            lambda doc: schema.list_items(doc, _IDEAS),
        )
        for author in authors
    }
    # Read (and so open) the board before taking a connection: loading a room needs one too.
    on_board, top = await rooms.read(board, lambda doc: (idea_ids(doc), board_bottom(doc)))
    async with pool.acquire() as conn, conn.transaction():
        session = await store.lock_session(conn, project_id, session_id)
        if session.phase is Phase.SILENT:
            return []
        reveal = build_reveal(
            notes,
            revealed=await store.revealed_notes(conn, session_id),
            on_board=on_board,
            anonymous=session.anonymous,
            now=await store.database_now(conn),
            new_id=lambda: str(uuid.uuid4()),
            top=top,
            session_id=str(session_id),
            title=session.prompt,
        )
        if reveal.update:
            await rooms.check_growth(board, len(reveal.update))
            await update_log.store_update(conn, board, reveal.update)
            await store.record_revealed(
                conn,
                session_id,
                [
                    (
                        idea.note_id,
                        idea.idea["id"],
                        None if session.anonymous else UUID(idea.author),
                    )
                    for idea in reveal.ideas
                ],
            )
            await outbox.append(conn, [_idea_created(session, idea) for idea in reveal.ideas])
    if reveal.update:
        await rooms.apply_stored(board, reveal.update)
    for author, taken in reveal.taken.items():
        await rooms.transact(
            private_room(project_id, session_id, UUID(author)),
            lambda doc, ids=taken: remove_notes(doc, ids),  # type: ignore[misc]
        )
    return reveal.ideas


def _idea_created(session: Session, revealed: RevealedIdea) -> outbox.Event:
    idea = revealed.idea
    return outbox.Event(
        id=outbox.event_id("idea.created", session.project_id, idea["id"]),
        type="idea.created",
        project_id=session.project_id,
        data={"idea": idea, "source": "brainstorm", "session_id": str(session.id)},
    )


@dataclass(frozen=True, slots=True)
class Board:
    """What results need from a board: its ideas (as REST lists them) and cluster names."""

    ideas: list[dict[str, Any]]
    clusters: dict[str, str]


async def read_board(rooms: RoomManager, project_id: UUID) -> Board:
    """The ideas and cluster names on a project's board."""
    return await rooms.read(
        str(project_id), lambda doc: Board(schema.list_items(doc, _IDEAS), cluster_names(doc))
    )


async def take_results(db: Executor, session: Session, board: Board) -> dict[str, Any]:
    """The session's results now: its ideas on ``board`` ranked by the votes stored.

    Only the session's own ideas are ranked (:func:`collab.brainstorm_doc.session_ideas`),
    not every note on the board: earlier sessions' notes are not this one's results.
    """
    counts = await store.tallies(db, session.id)
    ideas = session_ideas(
        board.ideas,
        str(session.id),
        revealed=await store.revealed_ideas(db, session.id),
        voted=counts.keys(),
    )
    authors = {UUID(a) for a in (idea.get("authorId") for idea in ideas) if _is_uuid(a)}
    names = await store.user_names(db, sorted(authors))
    return results(
        session,
        ideas,
        counts,
        voters=await store.voter_count(db, session.id),
        names={str(user): name for user, name in names.items()},
        clusters=board.clusters,
        now=await store.database_now(db),
    )


def _is_uuid(value: object) -> bool:
    if not isinstance(value, str):
        return False
    try:
        UUID(value)
    except ValueError:
        return False
    return True
