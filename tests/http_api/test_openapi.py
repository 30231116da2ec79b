"""/v1/openapi.json describes every route the server serves, and /docs renders it."""

from __future__ import annotations

from typing import Any

import aiohttp

from http_api.openapi import build_openapi
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
