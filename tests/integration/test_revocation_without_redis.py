"""Revocation reaches every node while Redis is down (docs/security.md, "Revocation without
Redis"): access ends on node A, the socket on node B closes, nothing it sends after is stored."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from contextlib import suppress
from typing import Any
from uuid import UUID, uuid4

import pytest
import websockets
from aiohttp.test_utils import TestServer
from pycrdt import Array

from collab.codec import decode
from collab.envelope import Revocation
from collab.messages import ServerNotice
from collab.ydoc import build_doc
from http_api.keys import COMMITTER, DB, ROOMS
from http_api.passwords import hash_password
from http_api.settings import Settings
from persistence import accounts
from persistence.update_log import UpdateLog
from tests.conftest import RunningServer
from tests.support.access import access_from_query, connect, start_node
from tests.support.api import (
    PASSWORD,
    RegisteredUser,
    bearer,
    create_api_key,
    login,
    unique_email,
)
from tests.support.projects import ApiClient
from tests.support.redis_server import RedisServer
from tests.support.timing import scaled
from tests.support.yclient import YClient, append_item

MakeSettings = Callable[..., Settings]
AiohttpServer = Callable[..., Awaitable[TestServer]]

#: The promise of docs/security.md: a revocation reaches every node within this, Redis or not.
WITHIN_S = 5.0


def stored_items(updates: list[bytes]) -> list[Any]:
    return list(build_doc(updates).get("items", type=Array))


async def stored(node: RunningServer, room: str) -> list[Any]:
    """The room's items as PostgreSQL holds them (snapshot and log)."""
    return stored_items((await UpdateLog(node.app[DB]).load(room)).all_updates())


async def account(api: ApiClient, name: str) -> RegisteredUser:
    """A user stored directly (sign-up is not under test here), signed in through REST."""
    email = unique_email(name)
    user = await accounts.create_user(
        api.server.app[DB], uuid4(), email, name, await hash_password(PASSWORD)
    )
    return await login(
        api.http, api.server.http_url, RegisteredUser(user.id, email, name, PASSWORD)
    )


async def rest_status(node: RunningServer, token: str, method: str, project: UUID) -> int:
    """The status of listing (GET) or adding (POST) an idea of ``project`` on ``node``."""
    async with ApiClient.open(node) as api:
        body = {"text": "from REST"} if method == "POST" else None
        reply = await api.call(
            method, f"/v1/projects/{project}/ideas", None, json=body, headers=bearer(token)
        )
    return reply.status


async def try_edit(client: YClient, value: str) -> None:
    """Send an edit; a socket the server has closed refuses it, which is the point."""
    with suppress(websockets.ConnectionClosed):
        await client.edit(append_item(value))


class TestRevocationWithRedisDown:
    @pytest.mark.parametrize("action", ["remove", "role", "logout", "api_key", "delete"])
    async def test_socket_on_the_other_node_closes_and_later_edits_are_not_stored(
        self,
        make_settings: MakeSettings,
        aiohttp_server: AiohttpServer,
        redis_server: RedisServer,
        action: str,
    ) -> None:
        """With Redis killed, a change that ends a member's access, made through REST on node
        A, closes their socket on node B with 4403 within 5 s; what they send afterwards, and
        what they send after reconnecting, is not stored."""
        a = await start_node(
            make_settings, aiohttp_server, redis_url=redis_server.url, open_rooms=False
        )
        b = await start_node(
            make_settings, aiohttp_server, redis_url=redis_server.url, open_rooms=False
        )
        async with ApiClient.open(a) as api:
            owner, member = await asyncio.gather(account(api, "owner"), account(api, "member"))
            project = await api.create_project(owner, "revoked while Redis is down")
            await api.add_member(owner, project, member, "member")
            room = str(project)
            token = member.access_token
            key_id: UUID | None = None
            if action == "api_key":
                key_id, token = await create_api_key(api.http, a.http_url, member)
            elif action == "logout":
                member = await login(api.http, a.http_url, member)
                token = member.access_token
            assert token is not None
            client = await YClient.connect(b.ws_url, room, token=token)
            try:
                await client.wait_synced()
                await client.edit(append_item("before"))
                await client.wait_durable()
                # Node B remembers this caller and their role for REST (the next requests
                # skip the database): the revocation must void that too.
                assert await rest_status(b, token, "GET", project) == 200
                await redis_server.stop()
                await self._end_access(api, action, owner, member, project, key_id)
                async with asyncio.timeout(scaled(WITHIN_S)):
                    await client.closed.wait()
                assert client.close_code == 4403, client.close_reason
                await self._rest_refused(b, token, project, action)
                await try_edit(client, "after-close")
                await self._reconnect_and_try(b, room, token, action)
            finally:
                await client.close()
            for node in (a, b):
                await node.app[COMMITTER].flush()
            items = await stored(a, room)
            if action == "delete":
                assert items == []
            else:
                assert items == ["before"]

    @staticmethod
    async def _end_access(
        api: ApiClient,
        action: str,
        owner: RegisteredUser,
        member: RegisteredUser,
        project: UUID,
        key_id: UUID | None,
    ) -> None:
        path = f"/v1/projects/{project}"
        match action:
            case "remove":
                reply = await api.call("DELETE", f"{path}/members/{member.id}", owner)
            case "role":
                reply = await api.call(
                    "PUT", f"{path}/members/{member.id}", owner, json={"role": "viewer"}
                )
            case "logout":
                reply = await api.call(
                    "POST", "/v1/auth/logout", None, json={"refresh_token": member.refresh_token}
                )
            case "api_key":
                reply = await api.call("DELETE", f"/v1/auth/api-keys/{key_id}", member)
            case _:
                reply = await api.call("DELETE", path, owner)
        assert reply.status < 300, reply.body

    @staticmethod
    async def _rest_refused(b: RunningServer, token: str, project: UUID, action: str) -> None:
        """Once node B has the revocation, REST on B with the same credential is refused as
        the change says: no longer signed in, not on the team, or reading only."""
        match action:
            case "logout" | "api_key":
                assert await rest_status(b, token, "GET", project) == 401
            case "role":
                assert await rest_status(b, token, "GET", project) == 200
                assert await rest_status(b, token, "POST", project) == 403
            case _:
                assert await rest_status(b, token, "GET", project) == 404

    @staticmethod
    async def _reconnect_and_try(b: RunningServer, room: str, token: str, action: str) -> None:
        """The client reconnects with the same credentials: refused, or read-only (viewer)."""
        again = await YClient.connect(b.ws_url, room, token=token)
        try:
            if action != "role":
                await again.wait_closed()
                assert again.close_code in {4401, 4403}
                return
            await again.wait_synced()
            await again.edit(append_item("after-as-viewer"))
            await again.wait_for(
                lambda: any(isinstance(decode(f), ServerNotice) for f in again.frames)
            )
        finally:
            await again.close()


class TestPollingBackstop:
    async def test_a_row_without_a_notification_is_applied_within_the_poll_interval(
        self, make_settings: MakeSettings, aiohttp_server: AiohttpServer, room: str
    ) -> None:
        """A revocation whose NOTIFY was lost (a dropped listening connection) is still read
        at the next poll, and applied once."""
        node = await start_node(
            make_settings, aiohttp_server, access_from_query, revocation_poll_s=0.2
        )
        async with await connect(node, room, user="u-poll", session="s-poll") as client:
            await client.wait_synced()
            # As persistence.revocations.record stores it, minus the pg_notify.
            revocation_id = await node.app[DB].fetchval(
                "INSERT INTO revocations (session_id, reason) VALUES ('s-poll', 'polled') "
                "RETURNING id"
            )
            async with asyncio.timeout(scaled(WITHIN_S)):
                await client.closed.wait()
            assert (client.close_code, client.close_reason) == (4403, "polled")
        # Applied once: Redis or a repeated read bringing it again changes nothing.
        again = Revocation(session_id="s-poll", reason="polled", id=revocation_id)
        assert node.app[ROOMS].learn(again) == 0
