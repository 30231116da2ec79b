"""Awareness over real sockets: bad states never reach a joiner, ids belong to their owner."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import pytest
from pycrdt import Doc

from collab.awareness import AwarenessEntry, encode_awareness_entries
from collab.close import CloseCode
from collab.codec import encode
from collab.messages import AwarenessUpdate
from tests.conftest import RunningServer
from tests.interop.test_yjs_interop import run_node_client
from tests.support.timing import TIMEOUT
from tests.support.yclient import YClient, append_item

pytestmark = pytest.mark.shared_server

BAD_CLIENT = 666_666


def awareness(*entries: AwarenessEntry) -> bytes:
    return encode(AwarenessUpdate(encode_awareness_entries(entries)))


BAD_STATES = {
    "not-json": '{"user": {"name": "x"',
    "array": '[{"user": "x"}]',
    "string": '"x"',
    "too-deep": '{"a":' + "[" * 200 + "]" * 200 + "}",
}


@asynccontextmanager
async def bad_sender(server: RunningServer, room: str, state: str) -> AsyncIterator[YClient]:
    """A member that sent ``state`` for a fresh client id, once the room has handled it.

    The sender is a member of the room, so either it was closed or the room's next awareness
    flush brought the state back to it. Were it kept, it would be replayed to joiners for as
    long as the sender stays, so the sender stays open around the caller's block.
    """
    async with await YClient.connect(server.ws_url, room) as sender:
        await sender.wait_synced()
        await sender.send_raw(awareness(AwarenessEntry(BAD_CLIENT, 1, state)))
        await sender.wait_for(lambda: sender.closed.is_set() or BAD_CLIENT in sender.ever_seen)
        yield sender


def assert_refused(sender: YClient) -> None:
    assert sender.close_code == CloseCode.INVALID_PAYLOAD
    assert sender.close_reason.startswith(f"bad awareness update: state of client {BAD_CLIENT}: ")


class TestBadStates:
    @pytest.mark.parametrize("state", BAD_STATES.values(), ids=BAD_STATES.keys())
    async def test_a_bad_state_closes_its_sender_and_never_reaches_a_joiner(
        self, server: RunningServer, room: str, state: str
    ) -> None:
        """The sender is closed with 1007 and a later joiner receives only the good states."""
        async with await YClient.connect(server.ws_url, room) as good:
            await good.wait_synced()
            await good.set_awareness({"user": {"name": "good"}})
            async with (
                bad_sender(server, room, state) as sender,
                await YClient.connect(server.ws_url, room) as joiner,
            ):
                await joiner.wait_for(lambda: good.doc.client_id in joiner.awareness)
                assert set(joiner.ever_seen) == {good.doc.client_id}
                assert BAD_CLIENT not in good.ever_seen
                assert_refused(sender)

    async def test_a_stock_client_joining_after_a_bad_state_syncs(
        self, node: str, server: RunningServer, room: str
    ) -> None:
        """A plain npm y-websocket client syncs the room and logs nothing after a non-JSON
        state was sent to it (stored and replayed, it would throw in the client's JSON.parse)."""
        async with await YClient.connect(server.ws_url, room) as writer:
            await writer.wait_synced()
            await writer.set_awareness({"user": {"name": "writer"}})
            for i in range(3):
                await writer.edit(append_item(f"seed-{i}"))
            await writer.wait_durable()
            async with bad_sender(server, room, BAD_STATES["not-json"]) as sender:
                report = await run_node_client(
                    node, "--url", server.ws_url, "--room", room, "--name", "late",
                    "--edits", "0", "--expect", "3", "--expect-peers", "writer",
                    "--timeout-ms", str(int(TIMEOUT * 1000)), "--no-ext",
                )  # fmt: skip
                assert_refused(sender)
        assert report["items"] == [f"seed-{i}" for i in range(3)]
        assert report["peers"] == ["writer"]
        assert report["errors"] == []


class TestOwnership:
    async def test_a_connection_cannot_overwrite_or_remove_another_connections_state(
        self, server: RunningServer, room: str
    ) -> None:
        """Entries for a client id another connection owns are dropped: the owner's state
        stays for the others, and the forger stays connected (an echo is not an attack)."""
        async with (
            await YClient.connect(server.ws_url, room) as owner,
            await YClient.connect(server.ws_url, room) as forger,
            await YClient.connect(server.ws_url, room) as watcher,
        ):
            for client in (owner, forger, watcher):
                await client.wait_synced()
            victim = owner.doc.client_id
            await owner.set_awareness({"user": "owner"})
            await watcher.wait_for(lambda: victim in watcher.awareness)
            forged = json.dumps({"user": "forged"})
            await forger.send_raw(awareness(AwarenessEntry(victim, 100, forged)))
            await forger.send_raw(awareness(AwarenessEntry(victim, 101, "null")))
            # Frames of one connection are handled in order: once the forger's own state
            # arrives, whatever its forged entries did has arrived too.
            await forger.set_awareness({"user": "forger"})
            await watcher.wait_for(lambda: forger.doc.client_id in watcher.awareness)
            assert watcher.peers()[victim] == {"user": "owner"}
            assert victim not in watcher.removed_clients
            assert forged not in watcher.ever_seen.values()
            async with await YClient.connect(server.ws_url, room) as joiner:
                await joiner.wait_for(lambda: len(joiner.awareness) == 2)
                assert joiner.peers()[victim] == {"user": "owner"}
            assert forger.close_code is None

    async def test_a_reconnecting_client_regains_its_id(
        self, server: RunningServer, room: str
    ) -> None:
        """A client back on a new socket while its old one is still open cannot change its
        state until the old socket closes; then its next state is accepted."""
        client_id = 4_242_424
        async with (
            await YClient.connect(server.ws_url, room) as watcher,
            await YClient.connect(server.ws_url, room, doc=Doc(client_id=client_id)) as old,
        ):
            await watcher.wait_synced()
            await old.wait_synced()
            await old.set_awareness({"at": "old"})
            await watcher.wait_for(lambda: client_id in watcher.awareness)
            async with await YClient.connect(
                server.ws_url, room, doc=Doc(client_id=client_id)
            ) as new:
                await new.wait_synced()
                await new.set_awareness({"at": "new, too early"})  # clock 1: nothing new
                await new.set_awareness({"at": "new, too early"})  # clock 2: old owns the id
                # A second id of the new connection's, sent after: once the watcher has it,
                # whatever the frames before it did has reached the watcher too.
                await new.send_raw(awareness(AwarenessEntry(client_id + 1, 1, "{}")))
                await watcher.wait_for(lambda: client_id + 1 in watcher.awareness)
                assert watcher.peers()[client_id] == {"at": "old"}
                await old.close()  # the old socket is noticed dead at last
                await watcher.wait_for(lambda: client_id in watcher.removed_clients)
                await new.wait_for(lambda: client_id in new.removed_clients)
                # awareness.js answers the removal of its own live state with a higher clock
                await new.set_awareness({"at": "new"})  # clock 3, above the removal's 2
                await watcher.wait_for(lambda: client_id in watcher.awareness)
                assert watcher.peers()[client_id] == {"at": "new"}
                assert {"at": "new, too early"} not in map(json.loads, watcher.ever_seen.values())
