"""Declared REST endpoints: one decorator gives the route, validation, auth and the OpenAPI entry.

A handler is a plain coroutine that receives the request plus, as keyword arguments, whatever
it declared: the validated ``body`` and ``query`` models and the authenticated ``principal``.
Because the same declaration builds the OpenAPI document (http_api/openapi.py), the document
cannot drift from what the server actually accepts and returns.
"""

from __future__ import annotations

import json
import re
from collections.abc import Awaitable, Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any
from uuid import UUID

from aiohttp import web
from pydantic import BaseModel, TypeAdapter, ValidationError

from collab.errors import NotFound, PermissionDenied
from collab.i18n import msg
from http_api.i18n import remember_account_locale
from http_api.idempotency import run_once
from http_api.keys import DB
from http_api.problems import InvalidRequest, ValidationFailed, pydantic_message

__all__ = ["Api", "Endpoint", "Handler", "path_uuid", "json_response", "not_modified"]

Handler = Callable[..., Awaitable[Any]]

#: Problem statuses every endpoint may answer (validation, auth, limits, storage).
COMMON_ERRORS: tuple[int, ...] = (400, 404, 413, 415, 422, 429, 503)
AUTH_ERRORS: tuple[int, ...] = (401, 403)
_UNSAFE = frozenset({"POST", "PUT", "PATCH", "DELETE"})
#: Deepest JSON nesting a request body may have; no body we accept is nested past a handful.
MAX_JSON_DEPTH = 64
# A JSON string (brackets inside it do not nest), or one bracket.
_STRING_OR_BRACKET = re.compile(rb'"(?:[^"\\]|\\.)*"|[\[\]{}]', re.DOTALL)


@dataclass(frozen=True, slots=True)
class Endpoint:
    """One operation: what it accepts, who may call it, what it returns."""

    method: str
    path: str
    handler: Handler
    summary: str
    tags: tuple[str, ...]
    body: type[BaseModel] | None
    query: type[BaseModel] | None
    response: Any
    status: int
    auth: bool
    errors: tuple[int, ...]
    headers: Mapping[str, str] = field(default_factory=dict)
    #: JSON schema of path parameters that are not UUIDs (e.g. client-chosen artifact ids)
    path_params: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)
    #: OpenAPI ``requestBody`` of a body the handler streams itself (a file upload): never
    #: read whole, so such a POST takes no Idempotency-Key (replaying needs the whole body)
    streamed_body: Mapping[str, Any] | None = None
    #: OpenAPI response objects by status, for responses that are not JSON models (bytes,
    #: redirects); they replace the generated entry of the same status
    raw_responses: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)
    #: kept for existing clients, marked ``deprecated`` in OpenAPI; the summary says instead what
    deprecated: bool = False
    #: whether a guest (someone who joined one project through an invite link, by name) may
    #: call it: off unless the route says so, so a new route is closed to guests by default
    guests: bool = False

    @property
    def operation_id(self) -> str:
        """A stable operationId: the handler's name."""
        return self.handler.__name__

    @property
    def error_statuses(self) -> tuple[int, ...]:
        """Every problem status this operation documents."""
        statuses = set(COMMON_ERRORS) | set(self.errors)
        if self.auth:
            statuses |= set(AUTH_ERRORS)
        return tuple(sorted(statuses))


class Api:
    """A set of endpoints; :meth:`install` adds them to an application."""

    def __init__(self) -> None:
        self.endpoints: list[Endpoint] = []

    def route(
        self,
        method: str,
        path: str,
        *,
        summary: str,
        tags: tuple[str, ...] = (),
        body: type[BaseModel] | None = None,
        query: type[BaseModel] | None = None,
        response: Any = None,
        status: int = 200,
        auth: bool = True,
        errors: tuple[int, ...] = (),
        headers: Mapping[str, str] | None = None,
        path_params: Mapping[str, Mapping[str, Any]] | None = None,
        streamed_body: Mapping[str, Any] | None = None,
        raw_responses: Mapping[str, Mapping[str, Any]] | None = None,
        deprecated: bool = False,
        guests: bool = False,
    ) -> Callable[[Handler], Handler]:
        """Declare an endpoint.

        Args:
            response: a pydantic model (or ``list[Model]``) the handler returns, or None for
                an empty response (204) or a handler that builds its own ``web.Response``.
            headers: response headers to document (name -> description).
            streamed_body: the OpenAPI ``requestBody`` of a body the handler reads itself,
                as a stream (uploads); the request's size limit does not apply to it.
            raw_responses: OpenAPI response objects by status (bytes, redirects).
            deprecated: the operation stays for existing clients but new ones should not use
                it (OpenAPI ``deprecated: true``).
            guests: guests may call it (their project's role still applies); closed to them
                otherwise, with 403.
        """

        def register(handler: Handler) -> Handler:
            self.endpoints.append(
                Endpoint(
                    method=method,
                    path=path,
                    handler=handler,
                    summary=summary,
                    tags=tags,
                    body=body,
                    query=query,
                    response=response,
                    status=status,
                    auth=auth,
                    errors=errors,
                    headers=dict(headers or {}),
                    path_params=dict(path_params or {}),
                    streamed_body=streamed_body,
                    raw_responses=dict(raw_responses or {}),
                    deprecated=deprecated,
                    guests=guests,
                )
            )
            return handler

        return register

    def install(
        self,
        app: web.Application,
        require: Callable[[web.Request, bool], Awaitable[Any]],
    ) -> None:
        """Add every endpoint to ``app``.

        Args:
            require: resolves the caller of an ``auth`` endpoint (raising Unauthenticated)
                and enforces CSRF for cookie sessions on unsafe methods.
        """
        fixed = _fixed_segments(endpoint.path for endpoint in self.endpoints)
        for endpoint in self.endpoints:
            path = _route_pattern(endpoint.path, fixed)
            app.router.add_route(endpoint.method, path, _bind(endpoint, require))


def _shape(segments: list[str]) -> tuple[str, ...]:
    return tuple("{}" if part.startswith("{") else part for part in segments)


def _fixed_segments(paths: Iterable[str]) -> dict[tuple[str, ...], set[str]]:
    """The literal segments each position has, by the shape of the path before it."""
    fixed: dict[tuple[str, ...], set[str]] = {}
    for path in paths:
        segments = path.split("/")
        for index, part in enumerate(segments):
            if not part.startswith("{"):
                fixed.setdefault(_shape(segments[:index]), set()).add(part)
    return fixed


def _route_pattern(path: str, fixed: Mapping[tuple[str, ...], set[str]]) -> str:
    """``path`` for aiohttp's router, where a parameter never takes a segment a fixed route
    names at the same place.

    ``/v1/projects/import`` is then only the import route: ``PUT`` or ``OPTIONS`` on it answer
    405 with ``Allow: POST``, as for any method a path lacks, instead of reaching
    ``PUT /v1/projects/{project_id}`` with the id "import". The canonical path (and so the
    OpenAPI path) is unchanged.
    """
    segments = path.split("/")
    out = []
    for index, part in enumerate(segments):
        names = fixed.get(_shape(segments[:index]), set())
        if part.startswith("{") and names:
            taken = "|".join(re.escape(name) for name in sorted(names))
            part = f"{{{part[1:-1]}:(?!(?:{taken})(?:/|$))[^/]+}}"
        out.append(part)
    return "/".join(out)


def _bind(
    endpoint: Endpoint, require: Callable[[web.Request, bool], Awaitable[Any]]
) -> Callable[[web.Request], Awaitable[web.StreamResponse]]:
    async def call(request: web.Request, kwargs: dict[str, Any]) -> web.StreamResponse:
        if endpoint.query is not None:
            kwargs["query"] = _validate(endpoint.query, dict(request.query), "query")
        elif request.query:
            # A misspelt ?limt= silently ignored looks like a server that ignores limit: refuse
            # every parameter the route does not declare, as query models do (extra="forbid").
            raise _unknown_query(request.query.keys())
        if endpoint.body is not None:
            kwargs["body"] = _validate(endpoint.body, await _read_json(request), "body")
        result = await endpoint.handler(request, **kwargs)
        if isinstance(result, web.StreamResponse):
            return result
        if result is None:
            return web.Response(status=endpoint.status if endpoint.status != 200 else 204)
        return json_response(result, status=endpoint.status)

    async def handle(request: web.Request) -> web.StreamResponse:
        if not endpoint.auth:
            return await call(request, {})
        principal = await require(request, endpoint.method in _UNSAFE)
        if principal.user.is_guest and not endpoint.guests:
            raise PermissionDenied(msg("guests cannot do this: sign up for an account"))
        # Errors from here on are in the account's language when the request names none.
        remember_account_locale(request, principal.user.locale)
        kwargs = {"principal": principal}
        if endpoint.method != "POST" or endpoint.streamed_body is not None:
            return await call(request, kwargs)
        return await run_once(
            request, request.app[DB], principal.user_id, lambda: call(request, kwargs)
        )

    handle.__name__ = endpoint.operation_id
    return handle


async def _read_json(request: web.Request) -> Any:
    if not request.body_exists:
        # No body at all (a bare sign-out POST): validate as an empty object, so a model whose
        # fields are all optional accepts it and any other answers 422 naming what is missing.
        return {}
    if request.content_type != "application/json":
        raise web.HTTPUnsupportedMediaType(text=msg("send the request body as application/json"))
    raw = await request.read()
    # The json module parses recursively: 100,000 levels end in RecursionError (a 500), and a
    # few thousand would still reach pydantic. Refuse before parsing. A body with no more
    # opening brackets than the limit cannot be too deep: ordinary bodies are never scanned.
    opening = raw.count(b"[") + raw.count(b"{")
    if opening > MAX_JSON_DEPTH and json_depth(raw) > MAX_JSON_DEPTH:
        raise InvalidRequest(
            msg("request body is nested deeper than {depth} levels", depth=MAX_JSON_DEPTH)
        )
    try:
        return json.loads(raw)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise InvalidRequest(
            msg("request body is not valid JSON: {error}", error=str(exc))
        ) from None


def json_depth(raw: bytes) -> int:
    """How deeply ``raw`` nests arrays and objects (0 for a scalar), without parsing it.

    Brackets inside strings do not count. Malformed input gets a number too, never an error:
    the parser then says what is wrong with it.
    """
    depth = deepest = 0
    for match in _STRING_OR_BRACKET.finditer(raw):
        token = match[0]
        if token in (b"[", b"{"):
            depth += 1
            deepest = max(deepest, depth)
        elif token in (b"]", b"}"):
            depth -= 1
    return deepest


def _validate(model: type[BaseModel], data: Any, location: str) -> BaseModel:
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise ValidationFailed.from_pydantic(exc, location) from None


def _unknown_query(names: Iterable[str]) -> ValidationFailed:
    message = pydantic_message("extra_forbidden", "Extra inputs are not permitted", {})
    return ValidationFailed(
        [{"location": "query", "field": name, "message": message} for name in dict.fromkeys(names)]
    )


_ANY_LIST: TypeAdapter[list[Any]] = TypeAdapter(list[Any])


def json_response(
    result: Any, *, status: int = 200, headers: Mapping[str, str] | None = None
) -> web.Response:
    """Serialise a model (or a list of models) as JSON."""
    if isinstance(result, BaseModel):
        text = result.model_dump_json(by_alias=True)
    elif isinstance(result, list):
        text = _ANY_LIST.dump_json(result, by_alias=True).decode()
    else:
        text = json.dumps(result)
    return web.Response(status=status, text=text, content_type="application/json", headers=headers)


def not_modified(request: web.Request, etag: str) -> bool:
    """Whether the client's If-None-Match names ``etag`` (RFC 9110 13.1.2, weak comparison)."""
    wanted = request.headers.get("If-None-Match")
    if wanted is None:
        return False
    tags = {tag.strip().removeprefix("W/") for tag in wanted.split(",")}
    return "*" in tags or etag in tags


def path_uuid(request: web.Request, name: str) -> UUID:
    """The path parameter ``name`` as a UUID; an id that cannot exist is simply not found."""
    raw = request.match_info[name]
    try:
        return UUID(raw)
    except ValueError:
        template = _NO_SUCH.get(name, _NO_SUCH_OTHER).template
        raise NotFound(msg(template, what=name.removesuffix("_id"), id=raw[:40])) from None


# Each its own sentence: in Portuguese the noun decides the agreement of the rest.
_NO_SUCH = {
    "project_id": msg("no such project: {id!r}"),
    "key_id": msg("no such key: {id!r}"),
    "session_id": msg("no such session: {id!r}"),
    "user_id": msg("no such user: {id!r}"),
}
_NO_SUCH_OTHER = msg("no such {what}: {id!r}")
