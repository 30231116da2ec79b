"""REST over the workshop document: personas, empathy maps, Define statements, ideas,
prototypes, user tests and their results.

There is no second copy of the content: reads look at the project's live Yjs document and
writes are server-side transactions on it (rooms.RoomManager.transact), so a POST appears at
once in every open browser and returns only once it is committed, and a live edit shows in the
next GET. The routes are generated from the schema registry (collab/artifacts.py), so every
kind gets the same five operations and the same checks.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from typing import Any
from uuid import UUID, uuid4

from aiohttp import web
from pycrdt import Doc
from pydantic import BaseModel, create_model

from collab import schema
from collab.artifacts import ID_PATTERN, KINDS, SCHEMA_VERSION, ArtifactKind, noun
from collab.doc_view import CachedItem, CollectionView, Page, etag_of, page_etag
from collab.errors import NotFound, PreconditionFailed
from collab.i18n import msg
from collab.permissions import Action
from http_api.access import require_access
from http_api.endpoint import Api, Handler, json_response, not_modified, path_uuid
from http_api.forwarding import forward_if_elsewhere
from http_api.keys import DB, ROOMS
from http_api.pagination import PageQuery, decode_cursor, encode_cursor, keyset_page, two_strings
from http_api.principal import Principal
from http_api.write_locks import refuse_locked_write
from persistence import artifact_index

__all__ = ["api"]

api = Api()
_ITEM_ID = {"type": "string", "pattern": f"^{ID_PATTERN.pattern}$"}
_ETAG_HEADER = {"ETag": "the artifact's current version, for If-Match"}


def _item_response(item: dict[str, Any], status: int = 200, **headers: str) -> web.Response:
    return json_response(item, status=status, headers={"ETag": etag_of(item), **headers})


def _cached_response(request: web.Request, body: bytes, etag: str) -> web.Response:
    """``body`` (JSON) with its ETag, or 304 Not Modified when the client holds that version."""
    if not_modified(request, etag):
        return web.Response(status=304, headers={"ETag": etag})
    return web.Response(body=body, content_type="application/json", headers={"ETag": etag})


def _page_response(request: web.Request, page: Page) -> web.Response:
    """A page as ``{"items": [...], "next_cursor": ...}``, from the items' cached JSON."""
    cursor = None if page.next_key is None else encode_cursor(*page.next_key)
    tail = json.dumps(cursor)
    body = b'{"items": [' + b", ".join(c.body for c in page.items) + b'], "next_cursor": '
    return _cached_response(request, body + tail.encode() + b"}", page_etag(page.items, tail))


def _after(query: PageQuery) -> tuple[str, str] | None:
    """The key a page starts after (a bad cursor is refused before any loading)."""
    return None if query.cursor is None else decode_cursor(query.cursor, two_strings)


async def _views(
    request: web.Request,
    project_id: UUID,
    kinds: Sequence[ArtifactKind],
    read: Any,
) -> Any:
    """``read(doc, views)`` on the project's current typed views of ``kinds`` (or, for a
    room busy on another node, the whole request forwarded there)."""
    await forward_if_elsewhere(request, project_id)
    return await request.app[ROOMS].read_views(str(project_id), kinds, read)


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
        if await _cached_item(request, project_id, kind, item_id) is not None:
            await require_access(request, principal, project_id, action)
            return project_id
    raise NotFound(msg("no such {kind}: {id!r}", kind=noun(kind), id=item_id))


async def _cached_item(
    request: web.Request, project_id: UUID, kind: ArtifactKind, item_id: str
) -> CachedItem | None:
    def read(_doc: Doc[Any], views: Mapping[str, CollectionView]) -> CachedItem | None:
        return views[kind.collection].get(item_id)

    found: CachedItem | None = await _views(request, project_id, (kind,), read)
    return found


def page_model(item: type[BaseModel]) -> type[BaseModel]:
    """The model of one page of ``item``: ``{"items": [...], "next_cursor": ...}``."""
    return create_model(
        f"{item.__name__}Page",
        __doc__=f"A page of {item.__name__} items, oldest first; pass next_cursor back.",
        items=(list[item], ...),  # type: ignore[valid-type]  # a model built at run time
        next_cursor=(str | None, ...),
    )


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

    async def list_items(
        request: web.Request, principal: Principal, query: PageQuery
    ) -> web.Response:
        project_id = path_uuid(request, "project_id")
        await require_access(request, principal, project_id, Action.READ)
        after = _after(query)

        def read(_doc: Doc[Any], views: Mapping[str, CollectionView]) -> Page:
            return views[kind.collection].page(query.limit, after)

        return _page_response(request, await _views(request, project_id, (kind,), read))

    async def create_item(
        request: web.Request, principal: Principal, body: BaseModel
    ) -> web.Response:
        project_id = path_uuid(request, "project_id")
        await require_access(request, principal, project_id, Action.WRITE)
        return await _create(request, principal, kind, project_id, body)

    async def get_item(request: web.Request, principal: Principal) -> web.Response:
        item_id = _item_id(request)
        project_id = await _locate(request, principal, kind, item_id, Action.READ)
        cached = await _cached_item(request, project_id, kind, item_id)
        if cached is None:  # deleted since it was located
            raise NotFound(msg("no such {kind}: {id!r}", kind=noun(kind), id=item_id))
        return _cached_response(request, cached.body, cached.etag)

    async def patch_item(
        request: web.Request, principal: Principal, body: BaseModel
    ) -> web.Response:
        item_id = _item_id(request)
        project_id = await _locate(request, principal, kind, item_id, Action.WRITE)
        await refuse_locked_write(request, principal, project_id, _idea(kind, item_id))
        now = datetime.now(UTC)

        def change(doc: Any) -> dict[str, Any]:
            # Check, then write: a refused precondition must leave the document untouched.
            _check_if_match(request, schema.get_item(doc, kind, item_id))
            return schema.update_item(doc, kind, item_id, body, now=now)

        item = await request.app[ROOMS].transact(str(project_id), change)
        return _item_response(item)

    async def update_item(
        request: web.Request, principal: Principal, body: BaseModel
    ) -> web.Response:
        """Kept for clients written before PATCH existed; it changes only the fields sent.

        A replacing PUT would write every field of the artifact, undoing what people change
        live in the same moment (the document is edited by everyone at once); PATCH says what
        this does, so PUT stays partial and deprecated (docs/api.md, "PATCH and PUT")."""
        return await patch_item(request, principal, body)

    async def delete_item(request: web.Request, principal: Principal) -> None:
        item_id = _item_id(request)
        project_id = await _locate(request, principal, kind, item_id, Action.WRITE)
        await refuse_locked_write(request, principal, project_id, _idea(kind, item_id))
        now = datetime.now(UTC)

        def change(doc: Any) -> None:
            _check_if_match(request, schema.get_item(doc, kind, item_id))
            schema.delete_item(doc, kind, item_id, now=now)

        await request.app[ROOMS].transact(str(project_id), change)
        await artifact_index.forget(request.app[DB], item_id, project_id)

    _declare(
        list_items, f"list_{kind.collection}", "GET", f"/v1/projects/{{project_id}}/{seg}",
        summary=f"List the project's {seg.replace('-', ' ')}, oldest first", tags=tags,
        query=PageQuery, response=page_model(kind.item),
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
        patch_item, f"patch_{one}", "PATCH", item_path,
        summary=f"Change some fields of a {one} (only the fields sent)", tags=tags,
        body=kind.update, response=kind.item, headers=_ETAG_HEADER, errors=(412,),
        path_params={"item_id": _ITEM_ID},
    )  # fmt: skip
    _declare(
        update_item, f"update_{one}", "PUT", item_path,
        summary=f"Change some fields of a {one} (deprecated: use PATCH)", tags=tags,
        body=kind.update, response=kind.item, headers=_ETAG_HEADER, errors=(412,),
        path_params={"item_id": _ITEM_ID}, deprecated=True,
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
    await forward_if_elsewhere(request, project_id)
    await refuse_locked_write(request, principal, project_id)
    now, item_id, author_id = datetime.now(UTC), str(uuid4()), str(principal.user_id)
    item = await request.app[ROOMS].transact(
        str(project_id),
        lambda doc: schema.create_item(
            doc, kind, body, author_id=author_id, now=now, item_id=item_id
        ),
    )
    await artifact_index.remember(request.app[DB], kind.collection, item["id"], project_id)
    return _item_response(item, 201, Location=f"/v1/{kind.segment}/{item['id']}")


def _idea(kind: ArtifactKind, item_id: str) -> str | None:
    """The idea a write to ``item_id`` changes (a note can be locked), if it is one."""
    return item_id if kind.collection == "ideas" else None


def _declare(handler: Handler, name: str, method: str, path: str, **options: Any) -> None:
    handler.__name__ = handler.__qualname__ = name
    api.route(method, path, guests=True, **options)(handler)


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


async def list_test_results(
    request: web.Request, principal: Principal, query: PageQuery
) -> web.Response:
    test_id = _item_id(request, "test_id")
    after = _after(query)
    project_id = await _locate(request, principal, _TESTS, test_id, Action.READ)

    def read(_doc: Doc[Any], views: Mapping[str, CollectionView]) -> Page:
        return views[_RESULTS.collection].page(query.limit, after, where=("testId", test_id))

    return _page_response(request, await _views(request, project_id, (_RESULTS,), read))


async def add_test_result(
    request: web.Request, principal: Principal, body: BaseModel
) -> web.Response:
    test_id = _item_id(request, "test_id")
    project_id = await _locate(request, principal, _TESTS, test_id, Action.WRITE)
    data = _RESULTS.create.model_validate({**body.model_dump(), "testId": test_id})
    return await _create(request, principal, _RESULTS, project_id, data)


_declare(
    list_test_results, "list_test_results_of_test", "GET", "/v1/tests/{test_id}/results",
    summary="List the results of a user test, oldest first", tags=("tests",), query=PageQuery,
    response=page_model(_RESULTS.item), path_params={"test_id": _ITEM_ID},
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

    def read(_doc: Doc[Any], views: Mapping[str, CollectionView]) -> tuple[bytes, str]:
        parts, digest = [b'{"schemaVersion": %d' % SCHEMA_VERSION], SCHEMA_VERSION
        for collection, view in views.items():
            parts.append(
                b", %s: [%s]" % (json.dumps(collection).encode(), b", ".join(view.bodies()))
            )
            digest = digest * 31 + view.digest
        return b"".join(parts) + b"}", f'"{digest & ((1 << 128) - 1):032x}"'

    body, etag = await _views(request, project_id, _ALL_KINDS, read)
    return _cached_response(request, body, etag)


_ALL_KINDS = tuple(KINDS.values())


_declare(
    export_document, "get_document", "GET", "/v1/projects/{project_id}/document",
    summary="The whole workshop document (every artifact, JSON)", tags=("projects",),
)  # fmt: skip


class Violation(BaseModel):
    """Something in the document that does not follow the schema (written live by a client)."""

    path: str
    message: str


class ViolationPage(BaseModel):
    """A page of violations, ordered by path; pass ``next_cursor`` back for the next one."""

    items: list[Violation]
    next_cursor: str | None


async def document_violations(
    request: web.Request, principal: Principal, query: PageQuery
) -> ViolationPage:
    """Live edits are never refused (the browser already applied them); this lists what in
    the document breaks the schema, so a team or an integrator can repair it. REST reads
    return such fields as their defaults meanwhile."""
    project_id = path_uuid(request, "project_id")
    await require_access(request, principal, project_id, Action.READ)

    def read(doc: Doc[Any], views: Mapping[str, CollectionView]) -> list[schema.SchemaViolation]:
        whole = {KINDS[collection]: view.read_whole() for collection, view in views.items()}
        return schema.check_document(schema.stored_version(doc), whole)

    found = await _views(request, project_id, _ALL_KINDS, read)
    # The same problem reported twice is one problem: (path, message) is the page key.
    unique = dict.fromkeys((v.path, v.message) for v in found)
    page, next_cursor = keyset_page(list(unique), query.limit, lambda key: key, query.cursor)
    items = [Violation(path=path, message=message) for path, message in page]
    return ViolationPage(items=items, next_cursor=next_cursor)


_declare(
    document_violations, "get_document_violations", "GET",
    "/v1/projects/{project_id}/document/violations",
    summary="What in the workshop document breaks the schema", tags=("projects",),
    query=PageQuery, response=ViolationPage,
)  # fmt: skip
