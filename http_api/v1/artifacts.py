"""REST over the workshop document: personas, empathy maps, Define statements, ideas,
prototypes, user tests and their results.

There is no second copy of the content: reads look at the project's live Yjs document and
writes are server-side transactions on it (rooms.RoomManager.transact), so a POST appears at
once in every open browser and returns only once it is committed, and a live edit shows in the
next GET. The routes are generated from the schema registry (collab/artifacts.py), so every
kind gets the same five operations and the same checks.
"""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime
from typing import Any
from uuid import UUID, uuid4

from aiohttp import web
from pydantic import BaseModel, create_model

from collab import schema
from collab.artifacts import ID_PATTERN, KINDS, ArtifactKind, noun
from collab.errors import NotFound, PreconditionFailed
from collab.i18n import msg
from collab.permissions import Action
from http_api.access import require_access
from http_api.endpoint import Api, Handler, json_response, path_uuid
from http_api.keys import DB, ROOMS
from http_api.principal import Principal
from persistence import artifact_index

__all__ = ["api", "etag_of"]

api = Api()
_ITEM_ID = {"type": "string", "pattern": f"^{ID_PATTERN.pattern}$"}
_ETAG_HEADER = {"ETag": "the artifact's current version, for If-Match"}


def etag_of(item: dict[str, Any]) -> str:
    """A strong ETag: a digest of the artifact's whole JSON (any change, any field, changes it)."""
    canonical = json.dumps(item, sort_keys=True, separators=(",", ":")).encode()
    return '"' + hashlib.sha256(canonical).hexdigest()[:32] + '"'


def _item_response(item: dict[str, Any], status: int = 200, **headers: str) -> web.Response:
    return json_response(item, status=status, headers={"ETag": etag_of(item), **headers})


def _item_id(request: web.Request, name: str = "item_id") -> str:
    raw = request.match_info[name]
    if not ID_PATTERN.fullmatch(raw):
        raise NotFound(msg("no such artifact: {id!r}", id=raw[:64]))
    return raw


async def _locate(
    request: web.Request, principal: Principal, kind: ArtifactKind, item_id: str, action: Action
) -> UUID:
    """The project holding artifact ``item_id`` that the caller may act on.

    Only the projects known to hold the id are looked at: those in the artifact index (REST
    creates, and artifacts created live, which this node's rooms record as they appear,
    rooms/artifact_watch.py) and those this node saw but has not written to the index yet.
    An unknown id is therefore answered without loading any room, however many projects the
    caller has. Artifacts in projects the caller cannot see are reported exactly like missing
    ones.
    """
    rooms = request.app[ROOMS]
    known = await artifact_index.candidates(request.app[DB], kind.collection, item_id)
    for project_id in dict.fromkeys([*rooms.artifacts.recent(kind.collection, item_id), *known]):
        try:
            await require_access(request, principal, project_id, Action.READ)
        except NotFound:
            continue
        if await rooms.read(str(project_id), lambda doc: _has(doc, kind, item_id)):
            await require_access(request, principal, project_id, action)
            return project_id
    raise NotFound(msg("no such {kind}: {id!r}", kind=noun(kind), id=item_id))


def _has(doc: Any, kind: ArtifactKind, item_id: str) -> bool:
    try:
        schema.get_item(doc, kind, item_id)
    except NotFound:
        return False
    return True


def _check_if_match(request: web.Request, current: dict[str, Any]) -> None:
    """Refuse the write if the client read an older version (RFC 9110 13.1.1)."""
    wanted = request.headers.get("If-Match")
    if wanted is None:
        return
    tags = {tag.strip() for tag in wanted.split(",")}
    if "*" not in tags and etag_of(current) not in tags:
        raise PreconditionFailed(msg("the artifact changed since you read it: GET it again"))


def _register(kind: ArtifactKind) -> None:
    """Declare list, create, get, update and delete for one kind."""
    seg, one = kind.segment, kind.singular
    tags = (seg,)

    async def list_items(request: web.Request, principal: Principal) -> web.Response:
        project_id = path_uuid(request, "project_id")
        await require_access(request, principal, project_id, Action.READ)
        items = await request.app[ROOMS].read(
            str(project_id), lambda doc: schema.list_items(doc, kind)
        )
        return json_response(items)

    async def create_item(
        request: web.Request, principal: Principal, body: BaseModel
    ) -> web.Response:
        project_id = path_uuid(request, "project_id")
        await require_access(request, principal, project_id, Action.WRITE)
        return await _create(request, principal, kind, project_id, body)

    async def get_item(request: web.Request, principal: Principal) -> web.Response:
        item_id = _item_id(request)
        project_id = await _locate(request, principal, kind, item_id, Action.READ)
        item = await request.app[ROOMS].read(
            str(project_id), lambda doc: schema.get_item(doc, kind, item_id)
        )
        return _item_response(item)

    async def update_item(
        request: web.Request, principal: Principal, body: BaseModel
    ) -> web.Response:
        item_id = _item_id(request)
        project_id = await _locate(request, principal, kind, item_id, Action.WRITE)
        now = datetime.now(UTC)

        def change(doc: Any) -> dict[str, Any]:
            # Check, then write: a refused precondition must leave the document untouched.
            _check_if_match(request, schema.get_item(doc, kind, item_id))
            return schema.update_item(doc, kind, item_id, body, now=now)

        item = await request.app[ROOMS].transact(str(project_id), change)
        return _item_response(item)

    async def delete_item(request: web.Request, principal: Principal) -> None:
        item_id = _item_id(request)
        project_id = await _locate(request, principal, kind, item_id, Action.WRITE)
        now = datetime.now(UTC)

        def change(doc: Any) -> None:
            _check_if_match(request, schema.get_item(doc, kind, item_id))
            schema.delete_item(doc, kind, item_id, now=now)

        await request.app[ROOMS].transact(str(project_id), change)
        await artifact_index.forget(request.app[DB], item_id, project_id)

    _declare(
        list_items, f"list_{kind.collection}", "GET", f"/v1/projects/{{project_id}}/{seg}",
        summary=f"List the project's {seg.replace('-', ' ')}", tags=tags,
        response=list[kind.item],  # type: ignore[name-defined]  # built at run time
    )  # fmt: skip
    _declare(
        create_item, f"create_{one}", "POST", f"/v1/projects/{{project_id}}/{seg}",
        summary=f"Create a {one} (live in every open browser)", tags=tags, body=kind.create,
        response=kind.item, status=201, headers=_ETAG_HEADER,
    )  # fmt: skip
    item_path = f"/v1/{seg}/{{item_id}}"
    _declare(
        get_item, f"get_{one}", "GET", item_path, summary=f"Get a {one}", tags=tags,
        response=kind.item, headers=_ETAG_HEADER, path_params={"item_id": _ITEM_ID},
    )  # fmt: skip
    _declare(
        update_item, f"update_{one}", "PUT", item_path,
        summary=f"Change some fields of a {one} (only the fields sent)", tags=tags,
        body=kind.update, response=kind.item, headers=_ETAG_HEADER, errors=(412,),
        path_params={"item_id": _ITEM_ID},
    )  # fmt: skip
    _declare(
        delete_item, f"delete_{one}", "DELETE", item_path, summary=f"Delete a {one}",
        tags=tags, status=204, errors=(412,), path_params={"item_id": _ITEM_ID},
    )  # fmt: skip


async def _create(
    request: web.Request,
    principal: Principal,
    kind: ArtifactKind,
    project_id: UUID,
    body: BaseModel,
) -> web.Response:
    now, item_id, author_id = datetime.now(UTC), str(uuid4()), str(principal.user_id)
    item = await request.app[ROOMS].transact(
        str(project_id),
        lambda doc: schema.create_item(
            doc, kind, body, author_id=author_id, now=now, item_id=item_id
        ),
    )
    await artifact_index.remember(request.app[DB], kind.collection, item["id"], project_id)
    return _item_response(item, 201, Location=f"/v1/{kind.segment}/{item['id']}")


def _declare(handler: Handler, name: str, method: str, path: str, **options: Any) -> None:
    handler.__name__ = handler.__qualname__ = name
    api.route(method, path, **options)(handler)


for _kind in KINDS.values():
    _register(_kind)

_TESTS, _RESULTS = KINDS["tests"], KINDS["testResults"]
#: A result posted under /v1/tests/{test_id}/results takes its test from the path.
_RESULT_FIELDS: dict[str, Any] = {
    name: (info.annotation, info)
    for name, info in _RESULTS.create.model_fields.items()
    if name != "testId"
}
ResultInput = create_model(
    "UserTestResultInput",
    __config__=_RESULTS.create.model_config,
    __doc__="Body of POST /v1/tests/{test_id}/results: a result without testId.",
    **_RESULT_FIELDS,
)


async def list_test_results(request: web.Request, principal: Principal) -> web.Response:
    test_id = _item_id(request, "test_id")
    project_id = await _locate(request, principal, _TESTS, test_id, Action.READ)
    items = await request.app[ROOMS].read(
        str(project_id), lambda doc: schema.list_items(doc, _RESULTS)
    )
    return json_response([item for item in items if item.get("testId") == test_id])


async def add_test_result(
    request: web.Request, principal: Principal, body: BaseModel
) -> web.Response:
    test_id = _item_id(request, "test_id")
    project_id = await _locate(request, principal, _TESTS, test_id, Action.WRITE)
    data = _RESULTS.create.model_validate({**body.model_dump(), "testId": test_id})
    return await _create(request, principal, _RESULTS, project_id, data)


_declare(
    list_test_results, "list_test_results_of_test", "GET", "/v1/tests/{test_id}/results",
    summary="List the results of a user test", tags=("tests",),
    response=list[_RESULTS.item],  # type: ignore[name-defined]  # built at run time
    path_params={"test_id": _ITEM_ID},
)  # fmt: skip
_declare(
    add_test_result, "add_test_result", "POST", "/v1/tests/{test_id}/results",
    summary="Record a participant's result of a user test", tags=("tests",), body=ResultInput,
    response=_RESULTS.item, status=201, headers=_ETAG_HEADER, path_params={"test_id": _ITEM_ID},
)  # fmt: skip


async def export_document(request: web.Request, principal: Principal) -> web.Response:
    """Everything in the workshop document, as the schema describes it."""
    project_id = path_uuid(request, "project_id")
    await require_access(request, principal, project_id, Action.READ)
    document = await request.app[ROOMS].read(str(project_id), schema.export_document)
    return json_response(document)


_declare(
    export_document, "get_document", "GET", "/v1/projects/{project_id}/document",
    summary="The whole workshop document (every artifact, JSON)", tags=("projects",),
)  # fmt: skip


class Violation(BaseModel):
    """Something in the document that does not follow the schema (written live by a client)."""

    path: str
    message: str


async def document_violations(request: web.Request, principal: Principal) -> list[Violation]:
    """Live edits are never refused (the browser already applied them); this lists what in
    the document breaks the schema, so a team or an integrator can repair it. REST reads
    return such fields as their defaults meanwhile."""
    project_id = path_uuid(request, "project_id")
    await require_access(request, principal, project_id, Action.READ)
    found = await request.app[ROOMS].read(str(project_id), schema.validate_document)
    return [Violation(path=v.path, message=v.message) for v in found]


_declare(
    document_violations, "get_document_violations", "GET",
    "/v1/projects/{project_id}/document/violations",
    summary="What in the workshop document breaks the schema", tags=("projects",),
    response=list[Violation],
)  # fmt: skip
