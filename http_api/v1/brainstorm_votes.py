"""/v1/projects/{project_id}/brainstorm/{session_id}/votes: dot voting.

A dot is a row only the server writes, for the caller, on the caller's request (no body names
a voter). The per-person limit and the stacking rule are checked and applied in one
transaction holding a per-person advisory lock, under a shared lock on the session row that
a facilitator's phase change takes exclusively: they hold across nodes and no dot lands after
voting closed (docs/brainstorm.md, "Dot voting").
"""

from __future__ import annotations

from aiohttp import web

from collab.artifacts import ID_PATTERN, KINDS
from collab.brainstorm import Session, check_retract, check_vote
from collab.errors import NotFound
from collab.i18n import msg
from collab.permissions import Action
from collab.schema import InvalidReference
from http_api.access import project_access, require_access
from http_api.brainstorm_live import progress_soon
from http_api.endpoint import Api, json_response
from http_api.keys import DB, ROOMS
from http_api.principal import Principal
from http_api.v1.brainstorm import session_ids
from http_api.v1.brainstorm_models import VoteIn, VotesOut
from persistence import brainstorm as store
from rooms.brainstorm import idea_ids, publish_snapshot

__all__ = ["api"]

api = Api()
_TAGS = ("brainstorm",)
_ONE = "/v1/projects/{project_id}/brainstorm/{session_id}"
_IDEA_PARAM = {"idea_id": {"type": "string", "pattern": f"^{ID_PATTERN.pattern}$"}}


def _votes(session: Session, mine: list[str]) -> VotesOut:
    return VotesOut(
        session_id=session.id,
        votes=mine,
        used=len(mine),
        remaining=max(0, session.votes_per_person - len(mine)),
        votes_per_person=session.votes_per_person,
        allow_stacking=session.allow_stacking,
    )


async def _vote(request: web.Request, principal: Principal, idea_id: str, *, add: bool) -> VotesOut:
    """Place (``add``) or take back one dot, as the caller and only for the caller."""
    project_id, session_id = session_ids(request)
    db, rooms = request.app[DB], request.app[ROOMS]
    await require_access(request, principal, project_id, Action.WRITE)
    await store.read_session(db, project_id, session_id)  # 404 before judging the idea
    if add and idea_id not in await rooms.read(str(project_id), idea_ids):
        raise InvalidReference("idea_id", KINDS["ideas"], idea_id)
    async with db.acquire() as conn, conn.transaction():
        session = await store.lock_session(conn, project_id, session_id, share=True)
        session.check_voting()
        await store.lock_voter(conn, session_id, principal.user_id)
        mine = await store.votes_of(conn, session_id, principal.user_id)
        if add:
            check_vote(
                mine, idea_id,
                per_person=session.votes_per_person, allow_stacking=session.allow_stacking,
            )  # fmt: skip
            await store.add_vote(conn, session_id, principal.user_id, idea_id)
            mine.append(idea_id)
        else:
            check_retract(mine, idea_id)
            await store.remove_vote(conn, session_id, principal.user_id, idea_id)
            mine.reverse()
            mine.remove(idea_id)  # the newest dot on it goes, as in storage
            mine.reverse()
    if session.tallies_visible:
        await publish_snapshot(db, rooms, project_id)
    elif len(mine) == (1 if add else 0):
        progress_soon(request.app, project_id)  # one voter more or fewer to count
    return _votes(session, mine)


@api.route(
    "POST", _ONE + "/votes", guests=True, summary="Put one of your dots on an idea (voting phase)",
    tags=_TAGS, body=VoteIn, response=VotesOut, status=201, errors=(409,),
)  # fmt: skip
async def cast_brainstorm_vote(
    request: web.Request, principal: Principal, body: VoteIn
) -> web.Response:
    """The answer is your dots, as ``GET .../votes`` (its ``Location``) shows them."""
    votes = await _vote(request, principal, body.idea_id, add=True)
    return json_response(votes, status=201, headers={"Location": request.path})


@api.route(
    "DELETE", _ONE + "/votes/{idea_id}", summary="Take back one of your dots from an idea",
    guests=True, tags=_TAGS, response=VotesOut, errors=(409,), path_params=_IDEA_PARAM,
)  # fmt: skip
async def retract_brainstorm_vote(request: web.Request, principal: Principal) -> VotesOut:
    idea_id = request.match_info["idea_id"]
    if not ID_PATTERN.fullmatch(idea_id):
        raise NotFound(msg("no such idea: {id!r}", id=idea_id[:64]))
    return await _vote(request, principal, idea_id, add=False)


@api.route(
    "GET", _ONE + "/votes", summary="Your dots in a session (nobody else's)", tags=_TAGS,
    guests=True, response=VotesOut,
)  # fmt: skip
async def my_brainstorm_votes(request: web.Request, principal: Principal) -> VotesOut:
    project_id, session_id = session_ids(request)
    db = request.app[DB]
    await project_access(request, principal, project_id)
    session, _now = await store.read_session(db, project_id, session_id)
    return _votes(session, await store.votes_of(db, session_id, principal.user_id))
