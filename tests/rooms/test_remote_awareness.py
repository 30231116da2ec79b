"""Awareness from another node through a real Redis: checked like a client's before relaying."""

from __future__ import annotations

import time

import redis.asyncio as redis

from collab.awareness import AwarenessEntry, encode_awareness_entries
from collab.envelope import Envelope, EnvelopeKind, pack_envelope
from tests.conftest import StartServer
from tests.support.redis_server import RedisServer
from tests.support.yclient import YClient

MAX_AWARENESS_BYTES = 4096
GOOD = 904
BAD = {
    900: '{"user": ',
    901: "[1, 2]",
    902: '{"a":' + "[" * 100 + "]" * 100 + "}",
    903: '{"big": "' + "x" * MAX_AWARENESS_BYTES + '"}',
}


async def publish_awareness(url: str, room: str, entries: list[AwarenessEntry]) -> None:
    """Publish an AWARENESS envelope as a node named ``rogue`` would."""
    payload = encode_awareness_entries(entries)
    envelope = Envelope("rogue", room, EnvelopeKind.AWARENESS, 1, time.time(), payload)
    client = redis.Redis.from_url(url)
    try:
        assert await client.publish(f"dttools:room:{room}", pack_envelope(envelope)) == 1
    finally:
        await client.aclose()


class TestRemoteAwareness:
    async def test_bad_or_foreign_entries_from_another_node_are_dropped(
        self, start_server: StartServer, redis_server: RedisServer, room: str
    ) -> None:
        """Invalid states, and entries for a local client's id, are neither relayed nor given
        to joiners; the valid entries of the same envelope are."""
        server = await start_server(
            redis_url=redis_server.url, max_awareness_bytes=MAX_AWARENESS_BYTES
        )
        async with (
            await YClient.connect(server.ws_url, room) as local,
            await YClient.connect(server.ws_url, room) as watcher,
        ):
            await local.wait_synced()
            await watcher.wait_synced()
            victim = local.doc.client_id
            await local.set_awareness({"user": "local"})
            await watcher.wait_for(lambda: victim in watcher.awareness)
            entries = [AwarenessEntry(cid, 1, state) for cid, state in BAD.items()]
            entries += [
                AwarenessEntry(victim, 50, '{"user": "forged"}'),
                AwarenessEntry(victim, 51, "null"),
                AwarenessEntry(GOOD, 1, '{"user": "remote"}'),
            ]
            await publish_awareness(redis_server.url, room, entries)
            await watcher.wait_for(lambda: GOOD in watcher.awareness)
            assert watcher.peers() == {victim: {"user": "local"}, GOOD: {"user": "remote"}}
            assert not set(BAD) & set(watcher.ever_seen)
            assert victim not in watcher.removed_clients
            async with await YClient.connect(server.ws_url, room) as joiner:
                await joiner.wait_for(lambda: GOOD in joiner.awareness)
                assert set(joiner.ever_seen) == {victim, GOOD}
