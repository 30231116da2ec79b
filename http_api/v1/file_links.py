"""Upload a file and link it in the live document in one call (the guide's convenience routes).

``POST /v1/personas/{id}/avatar`` makes the upload the persona's photo (``avatarFileId``), and
``POST /v1/prototypes/{id}/files`` appends it to the prototype's ``fileIds``. Both take the same
multipart body as ``POST /v1/projects/{id}/files`` (part ``file``) and answer with the same file
resource. The artifact is located exactly as the artifact routes locate it (writers only; an
artifact of a project the caller is not in is reported as missing), the upload goes through
http_api/v1/files.py, and the reference is written as a server-side transaction on the project's
live document (docs/document-schema.md, Files), so every open browser shows it at once.

A file replaced or unlinked here is not deleted: nothing refers to it any more, and the file
sweeper removes it after its grace period (an undo in a browser may still bring it back).
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from aiohttp import web

from collab import schema
from collab.artifacts import KINDS, MAX_LIST_ITEMS
from collab.errors import UnsupportedMediaType
from collab.i18n import msg
from collab.permissions import Action
from http_api.endpoint import Api, json_response
from http_api.keys import DB, FILES, ROOMS
from http_api.principal import Principal
from http_api.problems import ValidationFailed
from http_api.v1.artifacts import _ITEM_ID, _item_id, _locate
from http_api.v1.files import UPLOAD_BODY, FileOut, receive_upload
from http_api.write_locks import refuse_locked_write
from persistence import files

__all__ = ["api"]

api = Api()
_PERSONAS, _PROTOTYPES = KINDS["personas"], KINDS["prototypes"]
_LOCATION = {"Location": "the file resource, /v1/files/{id}"}


def _full() -> ValidationFailed:
    # a Text (a str): the problem renderer says it in the reader's language
    too_many = msg("a prototype holds at most {count} files", count=MAX_LIST_ITEMS)
    return ValidationFailed([{"location": "body", "field": "fileIds", "message": too_many}])


def _file_ids(doc: Any, item_id: str) -> list[str]:
    ids: list[str] = schema.get_item(doc, _PROTOTYPES, item_id)["fileIds"]
    return ids


def _created(file: FileOut) -> web.Response:
    return json_response(file, status=201, headers={"Location": f"/v1/files/{file.id}"})


async def upload_avatar(request: web.Request, principal: Principal) -> web.Response:
    """Upload a picture and make it the persona's photo (``avatarFileId``), live."""
    item_id = _item_id(request)
    project_id = await _locate(request, principal, _PERSONAS, item_id, Action.WRITE)
    await refuse_locked_write(request, principal, project_id)
    file = await receive_upload(request, principal, project_id)
    if not file.media_type.startswith("image/"):
        # Known only once checked: the stored file goes again (its bytes with the drainer),
        # since nothing would ever refer to it.
        await files.delete_file(request.app[DB], file.id)
        request.app[FILES].wake.set()
        raise UnsupportedMediaType(
            msg("a persona's photo must be a picture (JPEG, PNG, GIF or WebP)")
        )
    patch = _PERSONAS.update.model_validate({"avatarFileId": str(file.id)})
    now = datetime.now(UTC)
    await request.app[ROOMS].transact(
        str(project_id), lambda doc: schema.update_item(doc, _PERSONAS, item_id, patch, now=now)
    )
    # Linked from the start: the sweeper deletes it once the persona no longer refers to it.
    await files.mark_linked(request.app[DB], project_id, [file.id])
    return _created(file)


async def attach_prototype_file(request: web.Request, principal: Principal) -> web.Response:
    """Upload a file and append it to the prototype's ``fileIds``, live."""
    item_id = _item_id(request)
    project_id = await _locate(request, principal, _PROTOTYPES, item_id, Action.WRITE)
    await refuse_locked_write(request, principal, project_id)
    rooms = request.app[ROOMS]
    # Refuse before storing anything when the list is already full (checked again below).
    if len(await rooms.read(str(project_id), lambda doc: _file_ids(doc, item_id))) >= (
        MAX_LIST_ITEMS
    ):
        raise _full()
    file = await receive_upload(request, principal, project_id)
    file_id = str(file.id)
    now = datetime.now(UTC)

    def link(doc: Any) -> None:
        ids = _file_ids(doc, item_id)
        if file_id in ids:  # the same bytes uploaded again: one entry is enough
            return
        if len(ids) >= MAX_LIST_ITEMS:
            raise _full()
        patch = _PROTOTYPES.update.model_validate({"fileIds": [*ids, file_id]})
        schema.update_item(doc, _PROTOTYPES, item_id, patch, now=now)

    await rooms.transact(str(project_id), link)
    await files.mark_linked(request.app[DB], project_id, [file.id])
    return _created(file)


api.route(
    "POST", "/v1/personas/{item_id}/avatar", guests=True,
    summary="Upload a persona's photo (multipart, part `file`) and set avatarFileId, live",
    tags=("personas", "files"), streamed_body=UPLOAD_BODY, response=FileOut, status=201,
    headers=_LOCATION, errors=(507,), path_params={"item_id": _ITEM_ID},
)(upload_avatar)  # fmt: skip
api.route(
    "POST", "/v1/prototypes/{item_id}/files", guests=True,
    summary="Attach a file to a prototype (multipart, part `file`): appended to fileIds, live",
    tags=("prototypes", "files"), streamed_body=UPLOAD_BODY, response=FileOut, status=201,
    headers=_LOCATION, errors=(507,), path_params={"item_id": _ITEM_ID},
)(attach_prototype_file)  # fmt: skip
