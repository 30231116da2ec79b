"""The OpenAPI 3.1 document, built from the declared endpoints, and its HTML rendering at /docs.

Pydantic emits JSON Schema 2020-12, which is OpenAPI 3.1's schema dialect, so models are
referenced as they are; nothing is written by hand that the code could contradict.
"""

from __future__ import annotations

import html
import json
import re
from collections.abc import Mapping
from typing import Any, get_args, get_origin

from aiohttp import web
from pydantic import BaseModel
from pydantic.json_schema import models_json_schema

from http_api.endpoint import Api, Endpoint
from http_api.problems import PROBLEM_TYPES

__all__ = ["build_openapi", "render_docs", "routes_for"]

_REF = "#/components/schemas/{model}"
_PATH_PARAM = re.compile(r"{(\w+)}")
_UUID = {"type": "string", "format": "uuid"}
_PROBLEM_SCHEMA: dict[str, Any] = {
    "type": "object",
    "description": "RFC 9457 problem details",
    "required": ["type", "title", "status"],
    "properties": {
        "type": {"type": "string", "format": "uri"},
        "title": {"type": "string"},
        "status": {"type": "integer"},
        "detail": {"type": "string"},
        "correlation_id": {"type": "string"},
        "errors": {
            "type": "array",
            "description": "one entry per invalid field (validation-error only)",
            "items": {
                "type": "object",
                "required": ["location", "field", "message"],
                "properties": {
                    "location": {"type": "string"},
                    "field": {"type": "string"},
                    "message": {"type": "string"},
                },
            },
        },
    },
}
_SECURITY_SCHEMES = {
    "bearer": {
        "type": "http",
        "scheme": "bearer",
        "description": "an access token (JWT) or a personal API key (dtt_...)",
    },
    "cookie": {
        "type": "apiKey",
        "in": "cookie",
        "name": "dttools_access",
        "description": "browser session; unsafe methods also need the X-CSRF-Token header",
    },
}
_TITLES = {status: title for status, _slug, title in PROBLEM_TYPES.values()} | {
    413: "Request body too large",
    415: "Unsupported media type",
    500: "Internal server error",
}


def _model_of(annotation: Any) -> tuple[type[BaseModel] | None, bool]:
    """(model, is_list) for ``Model`` or ``list[Model]``."""
    if get_origin(annotation) is list:
        (item,) = get_args(annotation)
        return (
            (item, True) if isinstance(item, type) and issubclass(item, BaseModel) else (None, True)
        )
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation, False
    return None, False


def build_openapi(api: Api, *, version: str) -> dict[str, Any]:
    """The OpenAPI 3.1 document of every endpoint in ``api``."""
    wanted: list[tuple[type[BaseModel], Any]] = []
    for endpoint in api.endpoints:
        if endpoint.body is not None:
            wanted.append((endpoint.body, "validation"))
        model, _ = _model_of(endpoint.response)
        if model is not None:
            wanted.append((model, "serialization"))
    refs, defs = models_json_schema(list(dict.fromkeys(wanted)), ref_template=_REF)
    schemas: dict[str, Any] = dict(defs.get("$defs", {}))
    schemas["Problem"] = _PROBLEM_SCHEMA
    paths: dict[str, dict[str, Any]] = {}
    for endpoint in api.endpoints:
        paths.setdefault(endpoint.path, {})[endpoint.method.lower()] = _operation(
            endpoint, refs, schemas
        )
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "DTTools API",
            "version": version,
            "description": "REST API v1 over the same live workshop documents people edit in "
            "the browser. Errors are RFC 9457 problem+json.",
        },
        "servers": [{"url": "/"}],
        "paths": paths,
        "components": {"schemas": schemas, "securitySchemes": _SECURITY_SCHEMES},
    }


def _operation(
    endpoint: Endpoint, refs: Mapping[Any, Any], schemas: dict[str, Any]
) -> dict[str, Any]:
    parameters: list[dict[str, Any]] = [
        {
            "name": name,
            "in": "path",
            "required": True,
            "schema": dict(endpoint.path_params.get(name, _UUID)),
        }
        for name in _PATH_PARAM.findall(endpoint.path)
    ]
    if endpoint.query is not None:
        query_schema = endpoint.query.model_json_schema(ref_template=_REF)
        schemas.update(query_schema.pop("$defs", {}))
        required = set(query_schema.get("required", ()))
        for name, prop in query_schema.get("properties", {}).items():
            parameters.append(
                {"name": name, "in": "query", "required": name in required, "schema": prop}
            )
    for header in _request_headers(endpoint):
        parameters.append(header)
    operation: dict[str, Any] = {
        "operationId": endpoint.operation_id,
        "summary": endpoint.summary,
        "tags": list(endpoint.tags),
        "parameters": parameters,
        "responses": _responses(endpoint, refs),
        "security": [{"bearer": []}, {"cookie": []}] if endpoint.auth else [],
    }
    if endpoint.handler.__doc__:
        operation["description"] = endpoint.handler.__doc__.strip()
    if endpoint.deprecated:
        operation["deprecated"] = True
    if endpoint.streamed_body is not None:
        operation["requestBody"] = dict(endpoint.streamed_body)
    if endpoint.body is not None:
        operation["requestBody"] = {
            # A request without a body is validated as {}: optional when every field is.
            "required": any(f.is_required() for f in endpoint.body.model_fields.values()),
            "content": {"application/json": {"schema": refs[(endpoint.body, "validation")]}},
        }
    return operation


def _request_headers(endpoint: Endpoint) -> list[dict[str, Any]]:
    headers: list[dict[str, Any]] = []
    if endpoint.method == "POST" and endpoint.auth and endpoint.streamed_body is None:
        headers.append({
            "name": "Idempotency-Key", "in": "header", "required": False,
            "description": "retry-safe POST: the same key and body within 24 h replays the first "
            "response (a different body with the same key is refused with 422)",
            "schema": {"type": "string", "minLength": 1, "maxLength": 255},
        })  # fmt: skip
    if endpoint.method in ("PUT", "PATCH", "DELETE") and 412 in endpoint.errors:
        headers.append({
            "name": "If-Match", "in": "header", "required": False,
            "description": "the ETag you read; a different current version answers 412",
            "schema": {"type": "string"},
        })  # fmt: skip
    return headers


def _responses(endpoint: Endpoint, refs: Mapping[Any, Any]) -> dict[str, Any]:
    model, is_list = _model_of(endpoint.response)
    success: dict[str, Any] = {"description": endpoint.summary}
    if model is not None:
        schema = refs[(model, "serialization")]
        if is_list:
            schema = {"type": "array", "items": schema}
        success["content"] = {"application/json": {"schema": schema}}
    documented = dict(endpoint.headers)
    if endpoint.status == 201:
        # Every 201 says where the new resource is (docs/api.md, "Created: Location").
        documented.setdefault("Location", "the path of the created resource")
    if documented:
        success["headers"] = {
            name: {"description": text, "schema": {"type": "string"}}
            for name, text in documented.items()
        }
    responses: dict[str, Any] = {str(endpoint.status): success}
    responses.update(endpoint.raw_responses)
    for status in endpoint.error_statuses:
        responses[str(status)] = {
            "description": _TITLES.get(status, "Error"),
            "content": {
                "application/problem+json": {"schema": {"$ref": _REF.format(model="Problem")}}
            },
        }
    return responses


def render_docs(spec: dict[str, Any]) -> str:
    """A plain, dependency-free HTML reference of the API (no CDN, no script)."""
    out = [
        "<!doctype html><html lang='en'><head><meta charset='utf-8'>",
        "<title>DTTools API v1</title><style>body{font:15px/1.5 system-ui,sans-serif;max-width:"
        "60rem;margin:2rem auto;padding:0 1rem}code,pre{background:#f4f4f4}section{border-top:"
        "1px solid #ddd}table{border-collapse:collapse}td,th{padding:2px 8px;text-align:left}"
        "</style></head>",
        "<body><h1>DTTools API v1</h1>",
        f"<p>{html.escape(spec['info']['description'])} Machine-readable: "
        "<a href='/v1/openapi.json'>/v1/openapi.json</a> (OpenAPI 3.1).</p>",
    ]
    by_tag: dict[str, list[tuple[str, str, dict[str, Any]]]] = {}
    for path, methods in spec["paths"].items():
        for method, op in methods.items():
            by_tag.setdefault((op.get("tags") or ["other"])[0], []).append((method, path, op))
    for tag, ops in by_tag.items():
        out.append(f"<h2 id='{html.escape(tag)}'>{html.escape(tag)}</h2>")
        for method, path, op in ops:
            out.append(
                f"<section id='{html.escape(op['operationId'])}'><h3><code>{method.upper()} "
                f"{html.escape(path)}</code> {html.escape(op['summary'])}</h3>"
            )
            if op.get("deprecated"):
                out.append("<p><strong>Deprecated.</strong></p>")
            if op.get("description"):
                out.append(f"<p>{html.escape(op['description'])}</p>")
            auth = "sign-in or API key required" if op["security"] else "no authentication"
            out.append(f"<p class='auth'>{auth}</p>")
            if op["parameters"]:
                out.append("<table><tr><th>parameter</th><th>in</th><th>schema</th></tr>")
                for p in op["parameters"]:
                    out.append(
                        f"<tr><td>{html.escape(p['name'])}{' *' if p['required'] else ''}</td>"
                        f"<td>{p['in']}</td><td><code>{html.escape(json.dumps(p['schema']))}"
                        "</code></td></tr>"
                    )
                out.append("</table>")
            if "requestBody" in op:
                content = op["requestBody"]["content"]
                if "application/json" in content:
                    ref = content["application/json"]["schema"]["$ref"]
                    out.append(f"<p>Body: {_schema_link(ref)}</p>")
                else:  # a streamed upload
                    kinds = ", ".join(html.escape(kind) for kind in content)
                    out.append(f"<p>Body: {kinds}</p>")
            codes = ", ".join(sorted(op["responses"]))
            out.append(f"<p>Responses: {codes}</p></section>")
    out.append("<h2>Schemas</h2>")
    for name, schema in spec["components"]["schemas"].items():
        out.append(
            f"<section id='schema-{html.escape(name)}'><h3>{html.escape(name)}</h3>"
            f"<pre>{html.escape(json.dumps(schema, indent=2))}</pre></section>"
        )
    out.append("</body></html>")
    return "\n".join(out)


def _schema_link(ref: str) -> str:
    name = ref.rsplit("/", 1)[-1]
    return f"<a href='#schema-{html.escape(name)}'>{html.escape(name)}</a>"


def routes_for(api: Api, *, version: str) -> web.RouteTableDef:
    """GET /v1/openapi.json and GET /docs (built once, at start-up)."""
    spec = build_openapi(api, version=version)
    body = json.dumps(spec)
    page = render_docs(spec)
    routes = web.RouteTableDef()

    @routes.get("/v1/openapi.json")
    async def openapi_json(_request: web.Request) -> web.Response:
        return web.Response(text=body, content_type="application/json")

    @routes.get("/docs")
    async def docs(_request: web.Request) -> web.Response:
        # The page is static text with one inline stylesheet: nothing else may load or run.
        csp = "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'; " + (
            "base-uri 'none'; form-action 'none'"
        )
        headers = {"Content-Security-Policy": csp}
        return web.Response(text=page, content_type="text/html", headers=headers)

    return routes
