"""/v1/projects/{project_id}/brainstorm: facilitated sessions on a project's idea board.

Owners and admins start a session and facilitate it, with any members they name; everyone on
the team sees it; owners, members and admins vote (viewers watch). Every change is written to
PostgreSQL first (the truth: persistence/brainstorm.py), then mirrored into the read-only room
``{project}:brainstorm`` that clients display (rooms/brainstorm.py). docs/brainstorm.md has
the whole design.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import replace
from datetime import datetime
from typing import Any
from uuid import UUID

from aiohttp import web

from collab.artifacts import KINDS
from collab.brainstorm import (
    Phase,
    Session,
    Summon,
    Timer,
    brainstorm_room,
    check_transition,
    private_room,
    private_rooms_prefix,
)
from collab.brainstorm_time_up import settle
from collab.errors import Conflict, NotFound, PermissionDenied
from collab.i18n import msg
from collab.permissions import Action, allowed
from collab.schema import InvalidReference
from http_api.access import Access, project_access, require_access
from http_api.brainstorm_live import after_change
from http_api.endpoint import Api, json_response, path_uuid
from http_api.events import announce
from http_api.keys import DB, ROOMS
from http_api.pagination import PageQuery, keyset_page, sortable_time
from http_api.principal import Principal
from http_api.problems import ValidationFailed
from http_api.revocation import end_sockets
from http_api.v1.audit import record
from http_api.v1.brainstorm_models import (
    MAX_LOCKED_NOTES,
    Extend,
    FacilitatorAdd,
    NotesLock,
    PhaseChange,
    ResultsOut,
    RulesChange,
    SessionOut,
    SessionPage,
    SessionStart,
    SummonIn,
    SummonOut,
    TimerOut,
)
from http_api.versions import point_on
from persistence import brainstorm as store
from persistence import outbox, projects
from persistence.conn import Conn
from rooms.brainstorm import idea_ids, publish_snapshot, read_board, reveal_notes, take_results

__all__ = ["api", "session_ids"]

api = Api()
_TAGS = ("brainstorm",)
_BASE = "/v1/projects/{project_id}/brainstorm"
_ONE = _BASE + "/{session_id}"

Change = Callable[[Session, datetime], Session]


def session_ids(request: web.Request) -> tuple[UUID, UUID]:
    """The project and session ids of a session route (404 for ids that cannot exist)."""
    return path_uuid(request, "project_id"), path_uuid(request, "session_id")


def _facilitates(access: Access, principal: Principal, session: Session) -> bool:
    if allowed(access.role, Action.MANAGE):
        return True
    named = principal.user_id in session.facilitators
    return named and allowed(access.role, Action.WRITE)


def _require_facilitator(access: Access, principal: Principal, session: Session) -> None:
    if not _facilitates(access, principal, session):
        raise PermissionDenied(
            msg(
                "only the session's facilitators may do this: the project's owners and the "
                "members they named"
            )
        )


async def _out(
    request: web.Request,
    principal: Principal,
    access: Access,
    session: Session,
    now: datetime,
    *,
    detail: bool = True,
) -> SessionOut:
    """The session as the caller may see it (``detail``: tallies and live results too)."""
    db = request.app[DB]
    facilitating = _facilitates(access, principal, session)
    tallies = None
    if detail and (session.tallies_visible or facilitating):
        tallies = await store.tallies(db, session.id)
    results: Any = session.results
    if detail and results is None and session.phase is Phase.RESULTS:
        board = await read_board(request.app[ROOMS], session.project_id)
        results = await take_results(db, session, board)
    timer = session.timer
    summon = session.summon
    writes = allowed(access.role, Action.WRITE) and not session.ended
    return SessionOut(
        id=session.id,
        project_id=session.project_id,
        prompt=session.prompt,
        phase=session.phase,
        ended=session.ended,
        ended_at=session.ended_at,
        created_by=session.created_by,
        created_at=session.created_at,
        votes_per_person=session.votes_per_person,
        allow_stacking=session.allow_stacking,
        anonymous=session.anonymous,
        tallies_visible=session.tallies_visible,
        lead=session.created_by,
        facilitators=list(session.facilitators),
        you_facilitate=facilitating,
        on_time_up=session.on_time_up,
        writing_locked=session.writing_locked,
        board_locked=session.board_locked and not session.ended,
        locked_notes=sorted(session.notes_held),
        timer=TimerOut(
            duration_s=timer.duration_s,
            started_at=timer.started_at,
            paused_at=timer.paused_at,
            paused_s=timer.paused_s,
            ends_at=timer.ends_at,
            remaining_s=timer.remaining_s(now),
            running=timer.running,
        ),
        server_time=now,
        summon=None
        if summon is None
        else SummonOut(x=summon.x, y=summon.y, zoom=summon.zoom, by=summon.by, at=summon.at),
        tallies=tallies,
        results=None if results is None else ResultsOut.model_validate(results),
        room=brainstorm_room(session.project_id),
        private_room=private_room(session.project_id, session.id, principal.user_id)
        if writes
        else None,
        version=session.version,
    )


async def _writer_member(conn: Conn, project_id: UUID, user_id: UUID, field: str) -> None:
    """Refuse (422) a facilitator who is not on the team with a role that writes."""
    _exists, role = await projects.membership(conn, project_id, user_id)
    if not allowed(role, Action.WRITE):
        message = msg("a facilitator must be an owner or member of the project")
        raise ValidationFailed([{"location": "body", "field": field, "message": message}])


# --- starting and reading --------------------------------------------------------------------


@api.route(
    "POST", _BASE, summary="Start a brainstorm session (owners, admins)", tags=_TAGS,
    body=SessionStart, response=SessionOut, status=201, errors=(409,),
)  # fmt: skip
async def start_brainstorm(
    request: web.Request, principal: Principal, body: SessionStart
) -> web.Response:
    project_id = path_uuid(request, "project_id")
    db = request.app[DB]
    async with db.acquire() as conn, conn.transaction():
        access = await require_access(conn, principal, project_id, Action.MANAGE)
        facilitators = tuple(dict.fromkeys(body.facilitators))
        for index, user_id in enumerate(facilitators):
            await _writer_member(conn, project_id, user_id, f"facilitators.{index}")
        now = await store.database_now(conn)
        session = await store.create_session(
            conn,
            Session(
                id=uuid.uuid4(), project_id=project_id, prompt=body.prompt, phase=body.phase,
                timer=Timer.start(body.duration_s, now), votes_per_person=body.votes_per_person,
                allow_stacking=body.allow_stacking, anonymous=body.anonymous,
                tallies_visible=body.phase is Phase.RESULTS, created_by=principal.user_id,
                created_at=now, facilitators=facilitators, on_time_up=body.on_time_up,
            ),
        )  # fmt: skip
        await record(
            conn, request, principal, "brainstorm.started", access, session=str(session.id)
        )
        await outbox.append(conn, [_started(session)])
    announce(request)
    await publish_snapshot(db, request.app[ROOMS], project_id)
    await after_change(request.app, session, session, now)  # wakes at its end time
    out = await _out(request, principal, access, session, now)
    location = f"{_BASE.format(project_id=project_id)}/{session.id}"
    return json_response(out, status=201, headers={"Location": location})


def _started(session: Session) -> outbox.Event:
    """``brainstorm.started``: the session as it began (prompt, phase, timer, rules)."""
    return outbox.Event(
        id=outbox.event_id("brainstorm.started", session.id),
        type="brainstorm.started",
        project_id=session.project_id,
        data={
            "session_id": str(session.id),
            "prompt": session.prompt,
            "phase": session.phase.value,
            "duration_s": session.timer.duration_s,
            "votes_per_person": session.votes_per_person,
            "anonymous": session.anonymous,
            "actor": None if session.created_by is None else str(session.created_by),
        },
    )


def _session_key(session: Session) -> tuple[str, str]:
    return sortable_time(session.created_at), str(session.id)


@api.route(
    "GET", _BASE, summary="The project's brainstorm sessions, newest first", tags=_TAGS,
    guests=True, query=PageQuery, response=SessionPage,
)  # fmt: skip
async def list_brainstorms(
    request: web.Request, principal: Principal, query: PageQuery
) -> SessionPage:
    """The store reads the newest sessions only (no cursor of its own): read more of them
    until the page and one row past it are in hand, or every session is."""
    project_id = path_uuid(request, "project_id")
    access = await project_access(request, principal, project_id)
    wanted = query.limit + 1
    while True:
        sessions, now = await store.list_sessions(request.app[DB], project_id, limit=wanted)
        page, next_cursor = keyset_page(
            sessions, query.limit, _session_key, query.cursor, descending=True
        )
        if len(sessions) < wanted or next_cursor is not None:
            break
        wanted *= 4
    items = [await _out(request, principal, access, s, now, detail=False) for s in page]
    return SessionPage(items=items, next_cursor=next_cursor)


@api.route(
    "GET", _ONE, summary="A brainstorm session: phase, timer, tallies, results", tags=_TAGS,
    guests=True, response=SessionOut,
)  # fmt: skip
async def get_brainstorm(request: web.Request, principal: Principal) -> SessionOut:
    project_id, session_id = session_ids(request)
    access = await project_access(request, principal, project_id)
    session, now = await store.read_session(request.app[DB], project_id, session_id)
    return await _out(request, principal, access, session, now)


# --- facilitating ----------------------------------------------------------------------------


async def _facilitate(
    request: web.Request, principal: Principal, change: Change
) -> tuple[Access, Session, Session, datetime]:
    """Apply ``change`` to a running session as one of its facilitators, then mirror it.

    Returns the caller's access, the session before and after, and the database's clock.
    """
    project_id, session_id = session_ids(request)
    db = request.app[DB]
    async with db.acquire() as conn, conn.transaction():
        access = await project_access(conn, principal, project_id)
        before = await store.lock_session(conn, project_id, session_id)
        _require_facilitator(access, principal, before)
        before.check_open()
        now = await store.database_now(conn)
        # More time (extend, a phase with a duration) ends a time-up lock.
        after = await store.save_session(conn, settle(change(before, now), now))
    await publish_snapshot(db, request.app[ROOMS], project_id)
    await after_change(request.app, before, after, now)
    return access, before, after, now


async def _respond(request: web.Request, principal: Principal, change: Change) -> SessionOut:
    access, _before, after, now = await _facilitate(request, principal, change)
    return await _out(request, principal, access, after, now)


@api.route(
    "POST", _ONE + "/pause", summary="Pause the timer (facilitators)", tags=_TAGS,
    response=SessionOut, errors=(409,),
)  # fmt: skip
async def pause_brainstorm(request: web.Request, principal: Principal) -> SessionOut:
    return await _respond(request, principal, lambda s, now: replace(s, timer=s.timer.pause(now)))


@api.route(
    "POST", _ONE + "/resume", summary="Resume the timer (facilitators)", tags=_TAGS,
    response=SessionOut, errors=(409,),
)  # fmt: skip
async def resume_brainstorm(request: web.Request, principal: Principal) -> SessionOut:
    return await _respond(request, principal, lambda s, now: replace(s, timer=s.timer.resume(now)))


@api.route(
    "POST", _ONE + "/extend", summary="Give the timer more seconds (facilitators)", tags=_TAGS,
    body=Extend, response=SessionOut, errors=(409,),
)  # fmt: skip
async def extend_brainstorm(request: web.Request, principal: Principal, body: Extend) -> SessionOut:
    return await _respond(
        request, principal, lambda s, _now: replace(s, timer=s.timer.extend(body.seconds))
    )


def _move(target: Phase, duration_s: int | None) -> Change:
    def change(session: Session, now: datetime) -> Session:
        check_transition(session.phase, target)
        timer = session.timer if duration_s is None else Timer.start(duration_s, now)
        shown = session.tallies_visible or target is Phase.RESULTS
        return replace(
            session, phase=target, timer=timer, tallies_visible=shown, writing_locked=False
        )

    return change


async def _advance(
    request: web.Request, principal: Principal, target: Phase, duration_s: int | None
) -> tuple[Access, Session, datetime]:
    """Move to ``target``; leaving the silent phase closes the private rooms and reveals."""
    access, before, after, now = await _facilitate(request, principal, _move(target, duration_s))
    if before.phase is Phase.SILENT:
        # From now on private rooms open read-only; close the writable sockets on every node
        # (and refuse those whose access check is still under way), then collect the notes.
        # Stored too, so nodes that Redis cannot reach learn of it (http_api/revocation.py).
        await end_sockets(
            request.app,
            room=private_rooms_prefix(after.project_id, after.id),
            reason="the notes are revealed: reconnect",
        )
        # The board as it was before the notes land on it (docs/history.md).
        await point_on(request.app, after.project_id, "reveal", by=principal.user_id)
    await reveal_notes(request.app[DB], request.app[ROOMS], after.project_id, after.id)
    return access, after, now


@api.route(
    "POST", _ONE + "/phase", summary="Move to a later phase (facilitators)", tags=_TAGS,
    body=PhaseChange, response=SessionOut, errors=(409,),
)  # fmt: skip
async def change_brainstorm_phase(
    request: web.Request, principal: Principal, body: PhaseChange
) -> SessionOut:
    access, session, now = await _advance(request, principal, body.phase, body.duration_s)
    return await _out(request, principal, access, session, now)


@api.route(
    "POST", _ONE + "/reveal-tallies", summary="Show the vote tallies to everyone (facilitators)",
    tags=_TAGS, response=SessionOut, errors=(409,),
)  # fmt: skip
async def reveal_brainstorm_tallies(request: web.Request, principal: Principal) -> SessionOut:
    return await _respond(request, principal, lambda s, _now: replace(s, tallies_visible=True))


@api.route(
    "POST", _ONE + "/summon", summary="Bring everyone to a view of the board (facilitators)",
    tags=_TAGS, body=SummonIn, response=SessionOut, errors=(409,),
)  # fmt: skip
async def summon_brainstorm(
    request: web.Request, principal: Principal, body: SummonIn
) -> SessionOut:
    def change(session: Session, now: datetime) -> Session:
        return replace(session, summon=Summon(body.x, body.y, body.zoom, principal.user_id, now))

    return await _respond(request, principal, change)


@api.route(
    "POST", _ONE + "/rules", summary="Change what happens when the time is up (facilitators)",
    tags=_TAGS, body=RulesChange, response=SessionOut, errors=(409,),
)  # fmt: skip
async def change_brainstorm_rules(
    request: web.Request, principal: Principal, body: RulesChange
) -> SessionOut:
    """A rule chosen when the time is already up acts at once (on this countdown)."""
    return await _respond(
        request, principal, lambda s, _now: replace(s, on_time_up=body.on_time_up)
    )


@api.route(
    "POST", _ONE + "/lock", summary="Lock the board for everyone but facilitators", tags=_TAGS,
    response=SessionOut, errors=(409,),
)  # fmt: skip
async def lock_brainstorm_board(request: web.Request, principal: Principal) -> SessionOut:
    return await _respond(request, principal, lambda s, _now: replace(s, board_locked=True))


@api.route(
    "POST", _ONE + "/unlock", summary="Unlock the board (facilitators)", tags=_TAGS,
    response=SessionOut, errors=(409,),
)  # fmt: skip
async def unlock_brainstorm_board(request: web.Request, principal: Principal) -> SessionOut:
    return await _respond(request, principal, lambda s, _now: replace(s, board_locked=False))


@api.route(
    "POST", _ONE + "/notes/lock",
    summary="Lock some notes: only facilitators change them (facilitators)", tags=_TAGS,
    body=NotesLock, response=SessionOut, errors=(409,),
)  # fmt: skip
async def lock_brainstorm_notes(
    request: web.Request, principal: Principal, body: NotesLock
) -> SessionOut:
    """Ideas that are not on the board are a 422 naming ``idea_ids``; locking a locked note
    again changes nothing."""
    project_id = path_uuid(request, "project_id")
    await require_access(request, principal, project_id, Action.READ)  # 404 before reading
    on_board = await request.app[ROOMS].read(str(project_id), idea_ids)
    missing = [idea for idea in body.idea_ids if idea not in on_board]
    if missing:
        raise InvalidReference("idea_ids", KINDS["ideas"], missing[0])

    def lock(session: Session, _now: datetime) -> Session:
        held = tuple(dict.fromkeys((*session.locked_notes, *body.idea_ids)))
        if len(held) > MAX_LOCKED_NOTES:
            raise Conflict(
                msg("at most {count} notes can be locked at once", count=MAX_LOCKED_NOTES)
            )
        return replace(session, locked_notes=held)

    return await _respond(request, principal, lock)


@api.route(
    "POST", _ONE + "/notes/unlock", summary="Unlock some notes (facilitators)", tags=_TAGS,
    body=NotesLock, response=SessionOut, errors=(409,),
)  # fmt: skip
async def unlock_brainstorm_notes(
    request: web.Request, principal: Principal, body: NotesLock
) -> SessionOut:
    """Notes that were not locked are left as they are (no error: deleted meanwhile, or
    unlocked by another facilitator)."""
    freed = set(body.idea_ids)
    return await _respond(
        request, principal,
        lambda s, _now: replace(s, locked_notes=tuple(n for n in s.locked_notes if n not in freed)),
    )  # fmt: skip


@api.route(
    "POST", _ONE + "/end", summary="End the session and take its results (facilitators)",
    tags=_TAGS, response=SessionOut, errors=(409,),
)  # fmt: skip
async def end_brainstorm(request: web.Request, principal: Principal) -> SessionOut:
    project_id, session_id = session_ids(request)
    db, rooms = request.app[DB], request.app[ROOMS]
    access = await project_access(request, principal, project_id)
    session, _now = await store.read_session(db, project_id, session_id)
    _require_facilitator(access, principal, session)
    session.check_open()
    if session.phase is Phase.SILENT:
        await _advance(request, principal, Phase.REVEAL, None)
    else:
        await reveal_notes(db, rooms, project_id, session_id)  # anything left behind
    board = await read_board(rooms, project_id)  # before the lock: it may load the room
    async with db.acquire() as conn, conn.transaction():
        session = await store.lock_session(conn, project_id, session_id)
        session.check_open()  # another facilitator may have ended it meanwhile
        running = session
        now = await store.database_now(conn)
        results = await take_results(conn, session, board)
        session = await store.save_session(
            conn,
            replace(
                session, phase=Phase.RESULTS, timer=session.timer.stop(now), ended_at=now,
                tallies_visible=True, results=results,
            ),
        )  # fmt: skip
        await outbox.append(
            conn,
            [
                outbox.Event(
                    id=outbox.event_id("brainstorm.results", session.id),
                    type="brainstorm.results",
                    project_id=project_id,
                    data=results,
                )
            ],
        )
        await record(conn, request, principal, "brainstorm.ended", access, session=str(session.id))
    await publish_snapshot(db, rooms, project_id)
    await after_change(request.app, running, session, now)  # ending unlocks the board
    return await _out(request, principal, access, session, now)


@api.route(
    "POST", _ONE + "/facilitators", summary="Make a member a facilitator (owners, admins)",
    tags=_TAGS, body=FacilitatorAdd, response=SessionOut, errors=(409,),
)  # fmt: skip
async def add_brainstorm_facilitator(
    request: web.Request, principal: Principal, body: FacilitatorAdd
) -> SessionOut:
    project_id, session_id = session_ids(request)
    db = request.app[DB]
    async with db.acquire() as conn, conn.transaction():
        access = await require_access(conn, principal, project_id, Action.MANAGE)
        session = await store.lock_session(conn, project_id, session_id)
        session.check_open()
        await _writer_member(conn, project_id, body.user_id, "user_id")
        await store.add_facilitator(conn, session_id, body.user_id)
        session = await store.save_session(conn, session)
        now = await store.database_now(conn)
    await publish_snapshot(db, request.app[ROOMS], project_id)
    return await _out(request, principal, access, session, now)


@api.route(
    "DELETE", _ONE + "/facilitators/{user_id}", summary="Stop a member facilitating",
    tags=_TAGS, status=204, errors=(409,),
)  # fmt: skip
async def remove_brainstorm_facilitator(request: web.Request, principal: Principal) -> None:
    project_id, session_id = session_ids(request)
    user_id = path_uuid(request, "user_id")
    db = request.app[DB]
    async with db.acquire() as conn, conn.transaction():
        await require_access(conn, principal, project_id, Action.MANAGE)
        session = await store.lock_session(conn, project_id, session_id)
        session.check_open()
        if not await store.remove_facilitator(conn, session_id, user_id):
            raise NotFound(msg("{user_id} does not facilitate this session", user_id=user_id))
        await store.save_session(conn, session)
    await publish_snapshot(db, request.app[ROOMS], project_id)
