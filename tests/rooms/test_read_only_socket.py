"""Access over real sockets: viewers, refusals as close frames after the upgrade, revocation."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any

import pytest
from aiohttp import web
from aiohttp.test_utils import TestServer
from pycrdt import Array

from collab.codec import decode
from collab.messages import AuthPermissionDenied, ServerNotice
from http_api.keys import DB, ROOMS, AccessCheck
from http_api.settings import Settings
from rooms.access import RoomAccess
from tests.conftest import RunningServer
from tests.support.access import access_from_query, connect, start_node
from tests.support.yclient import YClient, append_item

StartWithAccess = Callable[[AccessCheck], Awaitable[RunningServer]]


@pytest.fixture
def start_with_access(
    make_settings: Callable[..., Settings],
    aiohttp_server: Callable[..., Awaitable[TestServer]],
) -> StartWithAccess:
    """Factory: an in-process server whose WebSocket access check is the given function."""

    async def start(check: AccessCheck) -> RunningServer:
        return await start_node(make_settings, aiohttp_server, check)

    return start


def items(client: YClient) -> list[Any]:
    return list(client.doc.get("items", type=Array))


def received(client: YClient, kind: type) -> list[Any]:
    return [m for m in map(decode, client.frames) if isinstance(m, kind)]


class TestViewerSocket:
    async def test_viewer_watches_live_but_cannot_write(
        self, start_with_access: StartWithAccess, room: str
    ) -> None:
        """A viewer syncs and follows edits; its own edit is refused (permission-denied and a
        notice), reaches no one and is not stored; its socket stays open."""
        server = await start_with_access(access_from_query)
        async with (
            await connect(server, room, ext="1") as editor,
            await connect(server, room, ext="1") as observer,
        ):
            await asyncio.gather(editor.wait_synced(), observer.wait_synced())
            await editor.edit(append_item("first"))
            async with await connect(server, room, role="viewer", user="v", ext="1") as viewer:
                await viewer.wait_for(lambda: items(viewer) == ["first"])
                await viewer.edit(append_item("forged"))
                await viewer.wait_for(lambda: bool(received(viewer, ServerNotice)))
                assert received(viewer, AuthPermissionDenied) == [
                    AuthPermissionDenied("read-only access: changes are not saved")
                ]
                assert received(viewer, ServerNotice)[0].code == "read-only"
                await editor.edit(append_item("second"))
                # The forged update would have been relayed before "second": it never was.
                await observer.wait_for(lambda: items(observer) == ["first", "second"])
                await viewer.wait_for(lambda: "second" in items(viewer))
                assert viewer.close_code is None
                await editor.wait_durable()
                stored = await server.app[DB].fetchval(
                    "SELECT count(*) FROM room_updates WHERE room = $1", room
                )
                assert stored == 2
                live = server.app[ROOMS].rooms[room].doc
                assert list(live.get("items", type=Array)) == ["first", "second"]


class TestRefusals:
    @pytest.mark.parametrize(
        ("deny", "code", "reason"),
        [("401", 4401, "access token expired"), ("403", 4403, "not a member of this project")],
    )
    async def test_refusal_is_a_close_frame_after_the_upgrade(
        self, start_with_access: StartWithAccess, room: str, deny: str, code: int, reason: str
    ) -> None:
        """A browser cannot read a refused upgrade, so the refusal is a close code + reason."""
        server = await start_with_access(access_from_query)
        client = await connect(server, room, deny=deny)
        await client.wait_closed()
        assert (client.close_code, client.close_reason) == (code, reason)
        assert room not in server.app[ROOMS].rooms  # refused before the room was opened

    async def test_default_check_lets_everyone_write(
        self, server: RunningServer, room: str
    ) -> None:
        """Without an installed access check, clients read and write anonymously."""
        async with await YClient.connect(server.ws_url, room) as client:
            await client.wait_synced()
            await client.edit(append_item("hello"))
            await client.wait_durable()
        assert received(client, AuthPermissionDenied) == []


class TestRevocationSocket:
    async def test_revoked_connection_is_closed_with_4403(
        self, start_with_access: StartWithAccess, room: str
    ) -> None:
        """revoke() closes the user's live socket with 4403 and the reason; others stay."""
        server = await start_with_access(access_from_query)
        async with (
            await connect(server, room, user="u1", session="s1") as gone,
            await connect(server, room, user="u2", session="s2", ext="1") as kept,
        ):
            await asyncio.gather(gone.wait_synced(), kept.wait_synced())
            assert server.app[ROOMS].revoke(user_id="u1", room=room, reason="role changed") == 1
            await gone.wait_closed()
            assert (gone.close_code, gone.close_reason) == (4403, "role changed")
            await kept.edit(append_item("still here"))
            await kept.wait_durable()
            assert kept.close_code is None

    async def test_revoked_during_the_access_check_is_refused(
        self, start_with_access: StartWithAccess, room: str
    ) -> None:
        """A revocation that lands while a client's access check is under way (nothing to
        close yet) still keeps that client out."""
        checking, proceed = asyncio.Event(), asyncio.Event()

        async def slow_check(request: web.Request, name: str) -> RoomAccess:
            checking.set()
            await proceed.wait()  # the auth layer's database lookup, say
            return await access_from_query(request, name)

        server = await start_with_access(slow_check)
        client = await connect(server, room, user="late", session="s9")
        async with asyncio.timeout(10):
            await checking.wait()
        assert server.app[ROOMS].revoke(session_id="s9", reason="logged out") == 0
        proceed.set()
        await client.wait_closed()
        assert (client.close_code, client.close_reason) == (4403, "logged out")
        assert not client.synced.is_set()  # it never joined the room
