"""REST and live Yjs clients on one project: no drift either way, and access enforced live.

An integrator's POST shows up in an open npm `yjs` + `y-websocket` client; that client's live
edit shows up in the next GET; a viewer's live edit is refused; signing out or losing
membership closes the socket.
"""

from __future__ import annotations

from typing import Any

import aiohttp
from pycrdt import Map, Text

from tests.conftest import RunningServer
from tests.interop.conftest import HERE
from tests.interop.node_script import NodeScript
from tests.support.api import add_member, bearer, create_api_key, create_project, register
from tests.support.yclient import YClient

CLIENT = HERE / "workshop_client.mjs"


class TestRestAndLiveAgree:
    async def test_an_integrators_post_reaches_a_live_client_and_its_edit_reaches_get(
        self, node: str, locked_server: RunningServer
    ) -> None:
        server = locked_server
        async with aiohttp.ClientSession() as http:
            owner = await register(http, server)
            project = await create_project(server.http_url, owner, "Live workshop")
            _key_id, key = await create_api_key(http, server.http_url, owner, "integration")
            assert owner.access_token is not None
            browser = await NodeScript.start(
                node, CLIENT, "--url", server.ws_url, "--room", str(project),
                "--token", owner.access_token, "--user", str(owner.id),
                "--create-idea", "Self-service kiosk", "--expect-persona", "Maria",
            )  # fmt: skip
            async with http.post(
                f"{server.http_url}/v1/projects/{project}/personas",
                json={"name": "Maria", "goals": ["pay bills fast"]},
                headers=bearer(key),
            ) as response:
                assert response.status == 201
            report = await browser.report()
            assert report["returncode"] == 0, report
            assert report["personas"] == ["Maria"]
            assert report["warnings"] == []
            async with http.get(
                f"{server.http_url}/v1/projects/{project}/ideas", headers=bearer(key)
            ) as response:
                ideas = (await response.json())["items"]
            assert [(i["id"], i["text"], i["color"]) for i in ideas] == [
                (report["ideaId"], "Self-service kiosk", "yellow")
            ]
            # The live-created idea is also reachable by its own id (found, then indexed).
            async with http.get(
                f"{server.http_url}/v1/ideas/{report['ideaId']}", headers=bearer(key)
            ) as response:
                assert response.status == 200
                assert (await response.json())["text"] == "Self-service kiosk"

    async def test_a_python_client_sees_a_rest_update_and_rest_sees_its_edit(
        self, locked_server: RunningServer
    ) -> None:
        server = locked_server
        async with aiohttp.ClientSession() as http:
            owner = await register(http, server)
            project = await create_project(server.http_url, owner, "Live workshop")
            async with await YClient.connect(
                server.ws_url, str(project), token=owner.access_token
            ) as live:
                await live.wait_synced()
                async with http.post(
                    f"{server.http_url}/v1/projects/{project}/personas",
                    json={"name": "Ana"},
                    headers=owner.headers,
                ) as response:
                    persona = await response.json()
                personas = live.doc.get("personas", type=Map)
                await live.wait_for(lambda: persona["id"] in personas)
                async with http.put(
                    f"{server.http_url}/v1/personas/{persona['id']}",
                    json={"quote": "I just want it to work"},
                    headers=owner.headers,
                ) as response:
                    assert response.status == 200
                # a text field: a Y.Text the PUT changed by its difference (schema 2)
                await live.wait_for(
                    lambda: str(personas[persona["id"]].get("quote")) == "I just want it to work"
                )
                assert isinstance(personas[persona["id"]]["quote"], Text)

                def rename(doc: Any) -> None:
                    doc.get("personas", type=Map)[persona["id"]]["name"] = "Ana Paula"

                await live.edit(rename)
                await live.wait_durable()
            async with http.get(
                f"{server.http_url}/v1/personas/{persona['id']}", headers=owner.headers
            ) as response:
                assert (await response.json())["name"] == "Ana Paula"


class TestLiveAccess:
    async def test_no_token_or_a_bad_one_is_closed_with_4401(
        self, locked_server: RunningServer
    ) -> None:
        server = locked_server
        async with aiohttp.ClientSession() as http:
            owner = await register(http, server)
            project = await create_project(server.http_url, owner, "Live workshop")
        for token in (None, "not-a-token", "dtt_unknown_key"):
            async with await YClient.connect(server.ws_url, str(project), token=token) as client:
                await client.wait_closed()
            assert client.close_code == 4401, token

    async def test_a_non_member_is_closed_with_4403_like_a_missing_project(
        self, locked_server: RunningServer
    ) -> None:
        server = locked_server
        async with aiohttp.ClientSession() as http:
            owner = await register(http, server)
            stranger = await register(http, server)
            project = await create_project(server.http_url, owner, "Live workshop")
        reasons = []
        for room in (str(project), "00000000-0000-0000-0000-000000000000", "not-a-project"):
            async with await YClient.connect(
                server.ws_url, room, token=stranger.access_token
            ) as client:
                await client.wait_closed()
            assert client.close_code == 4403, room
            reasons.append(client.close_reason.split(":")[0])
        assert len(set(reasons)) == 1  # the same answer: no existence oracle

    async def test_a_viewer_reads_live_but_its_writes_are_refused(
        self, node: str, locked_server: RunningServer
    ) -> None:
        server = locked_server
        async with aiohttp.ClientSession() as http:
            owner = await register(http, server)
            viewer = await register(http, server)
            project = await create_project(server.http_url, owner, "Live workshop")
            await add_member(server.http_url, owner, project, viewer, "viewer")
            assert viewer.access_token is not None
            watcher = await NodeScript.start(
                node, CLIENT, "--url", server.ws_url, "--room", str(project),
                "--token", viewer.access_token, "--create-idea", "Sneaky idea",
                "--expect-persona", "Bia",
            )  # fmt: skip
            async with http.post(
                f"{server.http_url}/v1/projects/{project}/personas",
                json={"name": "Bia"},
                headers=owner.headers,
            ) as response:
                assert response.status == 201
            report = await watcher.report()
            assert report["returncode"] == 0, report
            assert report["personas"] == ["Bia"]
            # y-websocket reports the standard permission-denied message as a warning.
            assert any("Permission denied" in w for w in report["warnings"]), report
            async with http.get(
                f"{server.http_url}/v1/projects/{project}/ideas", headers=owner.headers
            ) as response:
                assert (await response.json())["items"] == []
            async with http.get(f"{server.http_url}/metrics") as response:
                metrics = await response.text()
        refused = [
            line for line in metrics.splitlines()
            if line.startswith("dttools_readonly_writes_refused_total ")
        ]  # fmt: skip
        assert refused
        assert float(refused[0].split()[1]) >= 1

    async def test_signing_out_closes_the_sessions_sockets(
        self, locked_server: RunningServer
    ) -> None:
        server = locked_server
        async with aiohttp.ClientSession() as http:
            owner = await register(http, server)
            project = await create_project(server.http_url, owner, "Live workshop")
            async with await YClient.connect(
                server.ws_url, str(project), token=owner.access_token
            ) as live:
                await live.wait_synced()
                async with http.post(
                    f"{server.http_url}/v1/auth/logout", headers=owner.headers
                ) as response:
                    assert response.status == 204
                await live.wait_closed()
            assert live.close_code == 4403
            # The access token died with the session: reconnecting is refused.
            async with await YClient.connect(
                server.ws_url, str(project), token=owner.access_token
            ) as again:
                await again.wait_closed()
            assert again.close_code == 4401

    async def test_an_api_key_connects_and_revoking_it_closes_the_socket(
        self, locked_server: RunningServer
    ) -> None:
        server = locked_server
        async with aiohttp.ClientSession() as http:
            owner = await register(http, server)
            project = await create_project(server.http_url, owner, "Live workshop")
            key_id, key = await create_api_key(http, server.http_url, owner)
            async with await YClient.connect(server.ws_url, str(project), token=key) as live:
                await live.wait_synced()
                async with http.delete(
                    f"{server.http_url}/v1/auth/api-keys/{key_id}", headers=owner.headers
                ) as response:
                    assert response.status == 204
                await live.wait_closed()
            assert live.close_code == 4403


class TestLiveValidation:
    async def test_a_live_edit_that_breaks_the_schema_is_reported_not_refused(
        self, locked_server: RunningServer
    ) -> None:
        """A client's wrong-typed field stays in the document, reads as its default, and is
        listed by GET .../document/violations with its JSON Pointer."""
        server = locked_server
        async with aiohttp.ClientSession() as http:
            owner = await register(http, server)
            project = await create_project(server.http_url, owner, "Live workshop")
            base = f"{server.http_url}/v1/projects/{project}"
            async with http.post(
                f"{base}/ideas", json={"text": "Kiosk"}, headers=owner.headers
            ) as response:
                idea = await response.json()
            async with http.get(f"{base}/document/violations", headers=owner.headers) as resp:
                assert (await resp.json())["items"] == []
            async with await YClient.connect(
                server.ws_url, str(project), token=owner.access_token
            ) as live:
                await live.wait_synced()

                def break_colour(doc: Any) -> None:
                    doc.get("ideas", type=Map)[idea["id"]]["color"] = 42

                await live.edit(break_colour)
                await live.wait_durable()
            async with http.get(f"{base}/document/violations", headers=owner.headers) as resp:
                violations = (await resp.json())["items"]
            async with http.get(
                f"{server.http_url}/v1/ideas/{idea['id']}", headers=owner.headers
            ) as resp:
                assert resp.status == 200
                read_back = await resp.json()
        assert [v["path"] for v in violations] == [f"/ideas/{idea['id']}/color"]
        assert read_back["text"] == "Kiosk"
        assert read_back["color"] != 42
