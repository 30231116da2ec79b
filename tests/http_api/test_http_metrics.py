"""HTTP request metrics: by route template, method and status; no ids in labels."""

from __future__ import annotations

from uuid import uuid4

import aiohttp
from prometheus_client import REGISTRY
from prometheus_client.parser import text_string_to_metric_families

from tests.conftest import RunningServer
from tests.support.api import RegisteredUser
from tests.support.projects import ApiClient


async def _samples(server: RunningServer) -> dict[tuple[str, ...], float]:
    async with (
        aiohttp.ClientSession() as http,
        http.get(f"{server.http_url}/metrics") as response,
    ):
        text = await response.text()
    found: dict[tuple[str, ...], float] = {}
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            if sample.name in (
                "dttools_http_requests_total",
                "dttools_http_request_duration_seconds_count",
            ):
                labels = sample.labels
                key = (sample.name, labels["route"], labels["method"], labels.get("status", ""))
                found[key] = sample.value
    return found


async def test_requests_are_counted_by_route_template_and_status(
    server: RunningServer, api: ApiClient, alice: RegisteredUser
) -> None:
    before = await _samples(server)
    missing = uuid4()
    project = await api.create_project(alice, "metered")
    assert (await api.call("GET", f"/v1/projects/{missing}", alice)).status == 404
    assert (await api.call("GET", f"/v1/projects/{project}", alice)).status == 200
    assert (await api.call("GET", "/no/such/page", None)).status == 404
    after = await _samples(server)
    route = "/v1/projects/{project_id}"

    def grew(*key: str) -> float:
        return after.get(key, 0.0) - before.get(key, 0.0)

    assert grew("dttools_http_requests_total", route, "GET", "404") == 1
    assert grew("dttools_http_requests_total", route, "GET", "200") == 1
    assert grew("dttools_http_requests_total", "unmatched", "GET", "404") == 1
    assert grew("dttools_http_request_duration_seconds_count", route, "GET", "") == 2
    assert grew("dttools_http_requests_total", "/v1/projects", "POST", "201") == 1
    labels = " ".join(" ".join(key) for key in after)
    assert str(missing) not in labels
    assert str(project) not in labels
    assert "/collab/" not in labels  # sockets have metrics of their own


async def test_export_jobs_are_counted_by_format_and_outcome(
    api: ApiClient, alice: RegisteredUser
) -> None:
    done = {"format": "csv", "outcome": "done"}
    before = REGISTRY.get_sample_value("dttools_exports_finished_total", done) or 0.0
    project = await api.create_project(alice, "exported")
    reply = await api.call("POST", f"/v1/projects/{project}/export", alice, json={"format": "csv"})
    assert reply.status == 201, reply.body
    assert REGISTRY.get_sample_value("dttools_exports_finished_total", done) == before + 1
    for state in ("queued", "running"):
        assert REGISTRY.get_sample_value("dttools_export_jobs", {"state": state}) == 0
