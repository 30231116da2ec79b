"""Structural fuzzing of the live path: adversarial but well-formed updates through a Room.

Each shape from tests/support/hostile.py goes through ``Room.receive``, the path a socket's
frames take, on a room whose updates are committed to a real PostgreSQL. The process must
survive (a crash in the CRDT core kills it), every refusal must be a documented close code,
and what the room stored must load again into the document the room holds.
"""

from __future__ import annotations

import pytest

from collab.close import CloseCode
from collab.codec import encode
from collab.limits import Limits
from collab.messages import Update
from collab.stored import restore_doc
from persistence.group_commit import GroupCommitter
from persistence.update_log import UpdateLog
from rooms.room import Room
from tests.rooms.conftest import Peer
from tests.support.hostile import KINDS, HostileUpdates

#: what a hostile update may get: refused as invalid, too deep, needing a resync, too fast
ALLOWED = {
    CloseCode.INVALID_PAYLOAD,
    CloseCode.NESTING_TOO_DEEP,
    CloseCode.TRY_AGAIN_LATER,
    CloseCode.RATE_LIMITED,
    CloseCode.DOCUMENT_TOO_LARGE,
}
SEEDS = range(3)


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("seed", SEEDS)
async def test_hostile_shapes_leave_the_room_loadable(
    committer: GroupCommitter, update_log: UpdateLog, room: str, kind: str, seed: int
) -> None:
    limits = Limits()
    live = Room(room, None, committer=committer, limits=limits)
    source = HostileUpdates(seed, max_levels=20_000)
    _, updates = source.make(kind)
    peer = Peer(limits)
    live.join(peer.conn)
    codes = []
    for update in updates:
        if peer.conn.closed is not None:
            codes.append(peer.conn.closed.code)
            await peer.stop()
            peer = Peer(limits)  # the member reconnects and goes on
            live.join(peer.conn)
        live.receive(peer.conn, encode(Update(update)))
    if peer.conn.closed is not None:
        codes.append(peer.conn.closed.code)
    await peer.stop()
    assert set(codes) <= ALLOWED, codes
    # a well-behaved member still works in the same room
    honest = Peer(limits)
    live.join(honest.conn)
    live.receive(honest.conn, encode(Update(b"\x01\x01\x03\x00\x04\x01\x05notes\x02ok\x00")))
    assert honest.conn.closed is None
    await honest.stop()
    # what was stored loads again into exactly the room's document
    await committer.flush()
    stored = await update_log.load(room)
    restored = restore_doc(
        stored.snapshot, stored.nesting, stored.updates, limits.max_nesting_depth
    )
    assert restored.doc.get_state() == live.doc.get_state()
    assert not restored.set_aside
    assert live.nesting.pending == 0


def test_every_shape_is_generated() -> None:
    source = HostileUpdates(1, max_levels=200)
    for kind in KINDS:
        name, updates = source.make(kind)
        assert name == kind
        assert updates
