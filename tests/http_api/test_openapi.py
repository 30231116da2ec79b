"""/v1/openapi.json describes every route the server serves, and /docs renders it."""

from __future__ import annotations

import json
import re
from typing import Any

import aiohttp
import pytest

from collab.artifacts import KINDS
from http_api.openapi import build_openapi
from http_api.pagination import DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE
from http_api.v1 import v1_api
from tests.conftest import RunningServer


def test_every_operation_documents_its_errors_as_problem_json() -> None:
    spec = build_openapi(v1_api(), version="test")
    assert spec["openapi"] == "3.1.0"
    ids: list[str] = []
    for path, methods in spec["paths"].items():
        for method, op in methods.items():
            assert op["operationId"], (method, path)
            ids.append(op["operationId"])
            for status, response in op["responses"].items():
                if int(status) >= 400:
                    schema = response["content"]["application/problem+json"]["schema"]
                    assert schema == {"$ref": "#/components/schemas/Problem"}
            if op["security"]:
                assert "401" in op["responses"]
    assert len(ids) == len(set(ids)), "operationIds must be unique (client generators)"


def test_path_parameters_and_request_bodies_are_declared() -> None:
    spec = build_openapi(v1_api(), version="test")
    revoke = spec["paths"]["/v1/auth/api-keys/{key_id}"]["delete"]
    assert revoke["parameters"][0] == {
        "name": "key_id",
        "in": "path",
        "required": True,
        "schema": {"type": "string", "format": "uuid"},
    }
    login = spec["paths"]["/v1/auth/login"]["post"]
    ref = login["requestBody"]["content"]["application/json"]["schema"]["$ref"]
    name = ref.rsplit("/", 1)[-1]
    assert set(spec["components"]["schemas"][name]["required"]) == {"email", "password"}
    assert login["security"] == []


async def test_the_served_document_matches_the_routes(server: RunningServer) -> None:
    async with aiohttp.ClientSession() as session:
        async with session.get(f"{server.http_url}/v1/openapi.json") as response:
            assert response.status == 200
            spec: dict[str, Any] = await response.json()
        async with session.get(f"{server.http_url}/docs") as response:
            assert response.status == 200
            assert response.content_type == "text/html"
            page = await response.text()
    served = {
        (route.method, route.resource.canonical)
        for route in server.app.router.routes()
        if route.resource is not None
        and route.resource.canonical.startswith("/v1/")
        and route.method != "HEAD"
    }
    documented = {
        (method.upper(), path) for path, methods in spec["paths"].items() for method in methods
    }
    assert documented == served - {("GET", "/v1/openapi.json")}
    for path in spec["paths"]:
        assert path in page


# --- the document against the router, and the API's conventions (docs/api.md) -------------

_REST_FIELD = re.compile(r"^[a-z][a-z0-9]*(_[a-z0-9]+)*$")
_DOCUMENT_FIELD = re.compile(r"^[a-z][a-zA-Z0-9]*$")


def _spec() -> dict[str, Any]:
    return build_openapi(v1_api(), version="test")


def _operations(spec: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    return [
        (method, path, op)
        for path, methods in spec["paths"].items()
        for method, op in methods.items()
    ]


def _resolve(spec: dict[str, Any], ref: str) -> Any:
    assert ref.startswith("#/"), ref
    node: Any = spec
    for part in ref[2:].split("/"):
        assert isinstance(node, dict), f"unresolved $ref {ref}"
        assert part in node, f"unresolved $ref {ref}"
        node = node[part]
    return node


def _refs(node: Any) -> list[str]:
    if isinstance(node, dict):
        found = [node["$ref"]] if isinstance(node.get("$ref"), str) else []
        return found + [ref for value in node.values() for ref in _refs(value)]
    if isinstance(node, list):
        return [ref for value in node for ref in _refs(value)]
    return []


def test_the_document_validates_as_openapi_3_1() -> None:
    """openapi-spec-validator (a schemathesis dependency) checks the whole document."""
    validator = pytest.importorskip("openapi_spec_validator")
    # As served: JSON (translatable texts are str subclasses the validator does not know).
    validator.validate(json.loads(json.dumps(_spec())))


def test_every_ref_resolves_and_every_path_parameter_is_declared() -> None:
    """A structural check that needs no validator: a generator would choke on either."""
    spec = _spec()
    refs = _refs(spec)
    assert refs, "the document refers to its schemas"
    for ref in refs:
        _resolve(spec, ref)
    for method, path, op in _operations(spec):
        in_path = set(re.findall(r"{(\w+)}", path))
        declared = {p["name"] for p in op["parameters"] if p["in"] == "path"}
        assert declared == in_path, f"{method} {path}"
        assert all(p["required"] for p in op["parameters"] if p["in"] == "path")
        names = [(p["in"], p["name"]) for p in op["parameters"]]
        assert len(names) == len(set(names)), f"{method} {path}: a parameter twice"


def test_operation_ids_are_unique_and_match_the_declared_endpoints() -> None:
    spec = _spec()
    ids = [op["operationId"] for _method, _path, op in _operations(spec)]
    assert len(ids) == len(set(ids))
    declared = {(e.method.lower(), e.path): e.operation_id for e in v1_api().endpoints}
    documented = {(method, path): op["operationId"] for method, path, op in _operations(spec)}
    assert documented == declared


def _json_schema(spec: dict[str, Any], response: dict[str, Any]) -> dict[str, Any] | None:
    schema = response.get("content", {}).get("application/json", {}).get("schema")
    if schema is None:
        return None
    resolved: dict[str, Any] = _resolve(spec, schema["$ref"]) if "$ref" in schema else schema
    return resolved


def test_every_list_is_a_page_with_limit_and_cursor() -> None:
    """No GET answers a bare array: each list is {items, next_cursor} and takes ?limit (at
    most 100) and ?cursor."""
    spec = _spec()
    pages = 0
    for method, path, op in _operations(spec):
        if method != "get":
            continue
        schema = _json_schema(spec, op["responses"].get("200", {}))
        if schema is None:
            continue
        assert schema.get("type") != "array", f"GET {path} answers a bare array"
        if "items" not in schema.get("properties", {}):
            continue
        pages += 1
        assert set(schema["required"]) >= {"items", "next_cursor"}, path
        query = {p["name"]: p["schema"] for p in op["parameters"] if p["in"] == "query"}
        assert {"limit", "cursor"} <= query.keys(), f"GET {path}"
        assert query["limit"]["maximum"] == MAX_PAGE_SIZE, path
        assert query["limit"]["default"] == DEFAULT_PAGE_SIZE, path
    # artifacts (8 kinds), results, violations, projects, members, files, exports, keys,
    # brainstorm sessions, webhooks and deliveries (twice), audit (twice)
    assert pages >= 22


def test_every_201_documents_location() -> None:
    spec = _spec()
    created = 0
    for method, path, op in _operations(spec):
        response = op["responses"].get("201")
        if response is not None:
            created += 1
            assert "Location" in response.get("headers", {}), f"{method.upper()} {path}"
    assert created >= 15


#: Redirects from an OpenID Connect issuer carry parameters of the issuer's choosing
#: (session_state, authuser, hd...): refusing them would strand a person mid sign-in.
_ISSUER_REDIRECTS = {"oidc_callback"}


def test_every_query_model_refuses_unknown_parameters() -> None:
    """Routes without a query model refuse any parameter in http_api/endpoint.py; routes with
    one refuse through the model, so every model must forbid extras (issuers' redirects
    excepted)."""
    for endpoint in v1_api().endpoints:
        if endpoint.query is not None and endpoint.operation_id not in _ISSUER_REDIRECTS:
            assert endpoint.query.model_config.get("extra") == "forbid", endpoint.operation_id


def test_artifact_put_is_deprecated_and_patch_is_not() -> None:
    spec = _spec()
    for kind in KINDS.values():
        item = spec["paths"][f"/v1/{kind.segment}/{{item_id}}"]
        assert item["put"].get("deprecated") is True
        assert "deprecated" not in item["patch"]
        assert item["patch"]["requestBody"] == item["put"]["requestBody"]
    project = spec["paths"]["/v1/projects/{project_id}"]
    assert "deprecated" not in project["put"]
    assert "deprecated" not in project["patch"]


def _document_models() -> set[str]:
    """Schemas that ARE the workshop document (docs/document-schema.md): camelCase."""
    names = set()
    for kind in KINDS.values():
        names |= {kind.item.__name__, kind.create.__name__, kind.update.__name__}
    return names | {"UserTestResultInput"}


def test_field_names_follow_the_naming_rule() -> None:
    """REST resources are snake_case; workshop-document items keep the document's camelCase;
    query parameters are snake_case."""
    spec = _spec()
    document = _document_models()
    seen_document = 0
    for name, schema in spec["components"]["schemas"].items():
        pattern = _DOCUMENT_FIELD if name in document else _REST_FIELD
        seen_document += name in document
        for field in schema.get("properties", {}):
            assert pattern.match(field), f"{name}.{field}"
    assert seen_document == len(document)
    for method, path, op in _operations(spec):
        for parameter in op["parameters"]:
            if parameter["in"] in ("query", "path"):
                assert _REST_FIELD.match(parameter["name"]), f"{method} {path} {parameter['name']}"
