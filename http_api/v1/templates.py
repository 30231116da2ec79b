"""/v1/templates: what a project can start from, and saving a project as a template.

Built-in templates (collab/templates.py) are method starters (personas, POV and HMW, Crazy 8s,
affinity clustering, a usability test script, a retrospective) and an example project; their
names and content come in the reader's language. Anyone signed in (not a guest) may also save
one of their projects as a template of their own: its content without test results (real
participants' data), authors or files. ``POST /v1/projects`` takes ``template``.
"""

from __future__ import annotations

from datetime import datetime
from typing import Literal
from uuid import UUID, uuid4

from aiohttp import web
from pydantic import BaseModel, ConfigDict, Field

from collab.artifacts import Phase
from collab.errors import NotFound, PermissionDenied
from collab.i18n import msg
from collab.permissions import Action
from collab.templates import ARTIFACTS, BUILT_IN, Template, strip_for_template
from http_api.access import require_access
from http_api.endpoint import Api, json_response
from http_api.export_snapshot import read_content
from http_api.i18n import localised, reader_locale
from http_api.keys import DB, ROOMS
from http_api.pagination import PageQuery, keyset_page
from http_api.principal import Principal
from http_api.v1.audit import record
from http_api.v1.fields import Name
from persistence import projects, templates
from persistence.templates import SavedTemplate

__all__ = ["api"]

api = Api()
_TAGS = ("templates",)
_TEMPLATE_ID = {"type": "string", "maxLength": 80, "pattern": "^[a-z0-9-]{1,80}$"}


class _Input(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class TemplateOut(BaseModel):
    id: str = Field(description="a built-in template's name (crazy-8s), or a saved one's UUID")
    kind: Literal["method", "example", "saved"]
    name: str
    description: str
    phase: Phase = Field(description="the phase a project made from it starts in")
    artifacts: int = Field(description="how many artifacts it creates")
    language: str | None = Field(
        description="a saved template's language; null: built-in, written in the project's"
    )
    created_at: datetime | None = None


class TemplatePage(BaseModel):
    """Built-in templates first, then yours, oldest first; pass ``next_cursor`` back."""

    items: list[TemplateOut]
    next_cursor: str | None


class TemplateSave(_Input):
    project_id: UUID
    name: Name
    description: str = Field(default="", max_length=1000)


def _built_in(template: Template, locale: str) -> TemplateOut:
    return TemplateOut(
        id=template.id,
        kind=template.kind,
        name=template.text(template.name, locale),
        description=template.text(template.description, locale),
        phase=template.phase,
        artifacts=ARTIFACTS[template.id],
        language=None,
    )


def _saved(saved: SavedTemplate) -> TemplateOut:
    return TemplateOut(
        id=str(saved.id),
        kind="saved",
        name=saved.name,
        description=saved.description,
        phase=Phase(saved.phase),
        artifacts=saved.artifacts,
        language=saved.language,
        created_at=saved.created_at,
    )


@api.route(
    "GET", "/v1/templates", summary="What a new project can start from", tags=_TAGS,
    query=PageQuery, response=TemplatePage,
)  # fmt: skip
async def list_templates(
    request: web.Request, principal: Principal, query: PageQuery
) -> web.Response:
    locale = reader_locale(request)
    everything = [_built_in(t, locale) for t in BUILT_IN.values()]
    everything += [_saved(s) for s in await templates.list_own(request.app[DB], principal.user_id)]
    order = {item.id: f"{n:06d}" for n, item in enumerate(everything)}
    page, next_cursor = keyset_page(
        everything, query.limit, lambda item: (order[item.id], item.id), query.cursor
    )
    body = TemplatePage(items=page, next_cursor=next_cursor)
    return localised(json_response(body), locale)


@api.route(
    "GET", "/v1/templates/{template_id}", summary="One template", tags=_TAGS,
    response=TemplateOut, path_params={"template_id": _TEMPLATE_ID},
)  # fmt: skip
async def get_template(request: web.Request, principal: Principal) -> web.Response:
    template_id = request.match_info["template_id"]
    locale = reader_locale(request)
    built_in = BUILT_IN.get(template_id)
    if built_in is not None:
        return localised(json_response(_built_in(built_in, locale)), locale)
    return json_response(_saved(await _own(request, principal, template_id)))


async def _own(request: web.Request, principal: Principal, template_id: str) -> SavedTemplate:
    try:
        saved_id = UUID(template_id)
    except ValueError:
        saved_id = None
    saved = (
        None
        if saved_id is None
        else await templates.get(request.app[DB], principal.user_id, saved_id)
    )
    if saved is None:
        raise NotFound(msg("no such template: {template}", template=template_id[:80]))
    return saved


@api.route(
    "POST", "/v1/templates", summary="Save one of your projects as a template of your own",
    tags=_TAGS, body=TemplateSave, response=TemplateOut, status=201,
)  # fmt: skip
async def save_template(
    request: web.Request, principal: Principal, body: TemplateSave
) -> web.Response:
    """The content is copied now: later changes to the project do not reach the template."""
    # Copying a project's content out is what an export does: the same right is needed.
    access = await require_access(request, principal, body.project_id, Action.EXPORT)
    project = await projects.get_project(request.app[DB], body.project_id)
    if project is None:
        raise NotFound(msg("no such project: {project_id}", project_id=body.project_id))
    document, clusters = await read_content(request.app[ROOMS], body.project_id)
    kept = strip_for_template(document)
    count = sum(len(items) for items in kept.values() if isinstance(items, list))
    async with request.app[DB].acquire() as conn, conn.transaction():
        saved = await templates.create(
            conn, uuid4(), principal.user_id, name=body.name, description=body.description,
            language=project.language, phase=project.phase.value, document=kept,
            clusters=clusters, artifacts=count,
        )  # fmt: skip
        await record(
            conn, request, principal, "template.saved", access, target=saved.id,
            name=body.name,
        )  # fmt: skip
    response = json_response(_saved(saved), status=201)
    response.headers["Location"] = f"/v1/templates/{saved.id}"
    return response


@api.route(
    "DELETE", "/v1/templates/{template_id}", summary="Delete one of your templates",
    tags=_TAGS, status=204, path_params={"template_id": _TEMPLATE_ID},
)  # fmt: skip
async def delete_template(request: web.Request, principal: Principal) -> None:
    template_id = request.match_info["template_id"]
    if template_id in BUILT_IN:
        raise PermissionDenied(msg("built-in templates cannot be deleted"))
    saved = await _own(request, principal, template_id)
    await templates.delete(request.app[DB], principal.user_id, saved.id)
