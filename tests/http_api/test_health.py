"""/healthz, /readyz, /metrics and the problem+json shape of HTTP errors."""

from __future__ import annotations

import aiohttp
import pytest
from pycrdt import Array

from tests.conftest import RunningServer
from tests.support.yclient import YClient, append_item

pytestmark = pytest.mark.shared_server


class TestProbes:
    async def test_healthz(self, server: RunningServer) -> None:
        """/healthz answers 200 while the process runs."""
        async with aiohttp.ClientSession() as http, http.get(server.http_url + "/healthz") as r:
            assert r.status == 200
            assert await r.json() == {"status": "ok"}

    async def test_readyz_when_migrated(self, server: RunningServer) -> None:
        """/readyz answers 200 once the database is reachable and migrated."""
        async with aiohttp.ClientSession() as http, http.get(server.http_url + "/readyz") as r:
            assert r.status == 200
            assert await r.json() == {"status": "ready"}

    async def test_unknown_path_is_a_problem(self, server: RunningServer) -> None:
        """An unknown route gets an RFC 9457 problem+json 404."""
        async with aiohttp.ClientSession() as http, http.get(server.http_url + "/nope") as r:
            assert r.status == 404
            assert r.content_type == "application/problem+json"
            body = await r.json()
            assert body["status"] == 404
            assert body["type"].endswith("/http-404")
            assert body["title"]


class TestMetrics:
    async def test_metrics_count_rooms_connections_and_updates(
        self, server: RunningServer, room: str
    ) -> None:
        """/metrics exposes the documented series, and they move with traffic."""

        async def scrape() -> dict[str, float]:
            async with (
                aiohttp.ClientSession() as http,
                http.get(server.http_url + "/metrics") as response,
            ):
                assert response.status == 200
                text = await response.text()
            values: dict[str, float] = {}
            for line in text.splitlines():
                if line and not line.startswith("#"):
                    name, _, value = line.rpartition(" ")
                    values[name] = float(value)
            return values

        before = await scrape()
        async with (
            await YClient.connect(server.ws_url, room) as a,
            await YClient.connect(server.ws_url, room) as b,
        ):
            await a.wait_synced()
            await b.wait_synced()
            await a.edit(append_item("m"))
            await b.wait_for(lambda: len(b.doc.get("items", type=Array)) == 1)
            await a.wait_durable()
            during = await scrape()
        assert during["dttools_connections"] >= 2
        assert during["dttools_rooms_open"] >= 1
        assert during["dttools_updates_in_total"] >= before["dttools_updates_in_total"] + 1
        assert during["dttools_updates_out_total"] >= before["dttools_updates_out_total"] + 1
        assert during["dttools_persist_batch_seconds_count"] > before.get(
            "dttools_persist_batch_seconds_count", 0
        )
        for series in (
            "dttools_fanout_latency_seconds_count",
            "dttools_event_loop_lag_seconds_count",
            "dttools_persist_queue_depth",
            "dttools_bytes_in_total",
            "dttools_bytes_out_total",
        ):
            assert series in during
