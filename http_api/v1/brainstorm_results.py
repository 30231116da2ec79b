"""/v1/projects/{project_id}/brainstorm/{session_id}/results: a session's results, to keep.

The same results ``GET .../brainstorm/{session_id}`` carries, on their own URL so that a
browser can link them and a facilitator can download them after the workshop: JSON by
default, CSV with ``?format=csv`` or ``Accept: text/csv``, both as an attachment. The CSV is
built by collab/export_csv.py, which makes every cell safe to open in a spreadsheet.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Final, Literal

from aiohttp import web
from pydantic import BaseModel, ConfigDict, Field

from collab.brainstorm import Phase
from collab.errors import Conflict
from collab.export_csv import session_results_csv
from collab.i18n import msg
from http_api.access import project_access
from http_api.endpoint import Api
from http_api.keys import DB, ROOMS
from http_api.principal import Principal
from http_api.v1.brainstorm import session_ids
from http_api.v1.brainstorm_models import ResultsOut
from persistence import brainstorm as store
from rooms.brainstorm import read_board, take_results

__all__ = ["api"]

api = Api()
_TAGS = ("brainstorm",)
_RESULTS = "/v1/projects/{project_id}/brainstorm/{session_id}/results"
_CSV: Final = "text/csv"


class ResultsQuery(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    format: Literal["json", "csv"] | None = Field(
        default=None, description="json (the default) or csv; or ask with Accept: text/csv"
    )


_RESPONSES: Final[dict[str, dict[str, Any]]] = {
    "200": {
        "description": "the results as an attachment: JSON (ResultsOut) or CSV with a header "
        "row rank, idea_id, text, color, votes, cluster_id, cluster_name, author_name",
        "content": {
            "application/json": {"schema": {"$ref": "#/components/schemas/ResultsOut"}},
            _CSV: {"schema": {"type": "string"}},
        },
    }
}


def _wants_csv(request: web.Request, query: ResultsQuery) -> bool:
    if query.format is not None:
        return query.format == "csv"
    accept = request.headers.get("Accept", "")
    return any(part.split(";")[0].strip().lower() == _CSV for part in accept.split(","))


@api.route(
    "GET", _RESULTS, summary="A session's ranked results, as JSON or CSV (a download)",
    tags=_TAGS, guests=True, query=ResultsQuery, raw_responses=_RESPONSES, errors=(409,),
)  # fmt: skip
async def brainstorm_results(
    request: web.Request, principal: Principal, query: ResultsQuery
) -> web.Response:
    """409 before the session reaches the ``results`` phase: there is nothing to rank yet.

    Ended sessions answer the results frozen at ``end``; a session in ``results`` that has
    not ended answers them as they are now.
    """
    project_id, session_id = session_ids(request)
    db = request.app[DB]
    await project_access(request, principal, project_id)
    session, _now = await store.read_session(db, project_id, session_id)
    results: Mapping[str, Any] | None = session.results
    if results is None and session.phase is Phase.RESULTS:
        board = await read_board(request.app[ROOMS], project_id)
        results = await take_results(db, session, board)
    if results is None:
        raise Conflict(
            msg("this session has no results yet: they are taken from the results phase on")
        )
    name = f"brainstorm-results-{session_id}"
    headers = {"Cache-Control": "private, no-store", "Vary": "Accept"}
    if _wants_csv(request, query):
        headers["Content-Disposition"] = f'attachment; filename="{name}.csv"'
        return web.Response(
            body=session_results_csv(results),
            content_type=_CSV,
            charset="utf-8",
            headers=headers,
        )
    headers["Content-Disposition"] = f'attachment; filename="{name}.json"'
    return web.Response(
        text=ResultsOut.model_validate(results).model_dump_json(),
        content_type="application/json",
        headers=headers,
    )
