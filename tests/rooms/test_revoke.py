"""Revocations: matching connections are closed with 4403 here, and on other nodes by envelope."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator
from typing import Any

import pytest
from prometheus_client import REGISTRY
from pycrdt import Array, Doc

from collab.close import Close, CloseCode
from collab.codec import encode
from collab.envelope import Envelope, EnvelopeKind, Revocation, pack_revocation
from collab.limits import Limits
from collab.messages import Update
from persistence.group_commit import GroupCommitter
from persistence.update_log import UpdateLog
from rooms.access import RecentRevocations
from rooms.manager import RoomManager, RoomSettings
from tests.rooms.conftest import Peer


def _manager(update_log: UpdateLog, committer: GroupCommitter) -> RoomManager:
    return RoomManager(update_log, committer, Limits(), RoomSettings())


def _from_elsewhere(revocation: Revocation) -> Envelope:
    return Envelope(
        "other-node", "", EnvelopeKind.REVOKE, 1, time.time(), pack_revocation(revocation)
    )


class _Population:
    """Four connections over two rooms: u1 twice (sessions s1 and s2), u2, and an anonymous one."""

    def __init__(self, manager: RoomManager, room: str) -> None:
        self.manager = manager
        self.rooms = (room + "-a", room + "-b")
        self.peers = {
            "u1@a": Peer(Limits(), user_id="u1", session_id="s1"),
            "u1@b": Peer(Limits(), user_id="u1", session_id="s2"),
            "u2@a": Peer(Limits(), user_id="u2", session_id="s3"),
            "anon@b": Peer(Limits()),
        }

    async def join(self) -> None:
        for name, peer in self.peers.items():
            opened = await self.manager.open(self.rooms[0 if name.endswith("@a") else 1])
            opened.join(peer.conn)

    def closed(self) -> set[str]:
        return {name for name, peer in self.peers.items() if peer.conn.closed is not None}

    async def stop(self) -> None:
        for peer in self.peers.values():
            await peer.stop()


@pytest.fixture
async def population(
    update_log: UpdateLog, committer: GroupCommitter, room: str
) -> AsyncIterator[_Population]:
    people = _Population(_manager(update_log, committer), room)
    await people.join()
    yield people
    await people.stop()


class TestRevoke:
    async def test_user_in_one_room(self, population: _Population) -> None:
        """A member removed from one project loses that room only, with 4403 and the reason."""
        closed = population.manager.revoke(
            user_id="u1", room=population.rooms[0], reason="role changed: reconnect"
        )
        assert closed == 1
        assert population.closed() == {"u1@a"}
        assert population.peers["u1@a"].conn.closed == Close(
            CloseCode.FORBIDDEN, "role changed: reconnect"
        )

    async def test_session_across_rooms(self, population: _Population) -> None:
        """A logout closes that session's sockets only, in every room."""
        assert population.manager.revoke(session_id="s2") == 1
        assert population.closed() == {"u1@b"}
        assert population.peers["u1@b"].conn.closed == Close(CloseCode.FORBIDDEN, "access revoked")

    async def test_user_across_rooms(self, population: _Population) -> None:
        """A disabled account loses every socket, whatever the session or room."""
        assert population.manager.revoke(user_id="u1", reason="account disabled") == 2
        assert population.closed() == {"u1@a", "u1@b"}

    async def test_whole_room(self, population: _Population) -> None:
        """A room alone selects all its connections, anonymous ones included."""
        assert population.manager.revoke(room=population.rooms[1]) == 2
        assert population.closed() == {"u1@b", "anon@b"}

    async def test_room_not_open_here_closes_nothing(self, population: _Population) -> None:
        """A revocation for a room not open on this node finds nothing to close."""
        assert population.manager.revoke(user_id="u1", room="elsewhere") == 0
        assert population.closed() == set()

    async def test_a_revocation_must_select_something(self, population: _Population) -> None:
        """Revoking with no selector is refused instead of closing every socket."""
        with pytest.raises(ValueError, match="must name"):
            population.manager.revoke()
        assert population.closed() == set()

    async def test_revoked_editor_cannot_slip_a_change_in(self, population: _Population) -> None:
        """Frames a revoked connection sends before its socket closes never reach the room."""
        manager = population.manager
        manager.revoke(user_id="u2")
        opened = manager.rooms[population.rooms[0]]
        doc: Doc[Any] = Doc()
        doc.get("items", type=Array).append("late")
        opened.receive(population.peers["u2@a"].conn, encode(Update(doc.get_update())))
        assert list(opened.doc.get("items", type=Array)) == []
        assert not any(isinstance(m, Update) for m in population.peers["u1@a"].messages())


class TestRevocationFromAnotherNode:
    async def test_envelope_closes_matching_connections(self, population: _Population) -> None:
        """A REVOKE envelope (addressed to no room) closes the matches on this node."""
        population.manager.on_envelope(_from_elsewhere(Revocation(user_id="u1")))
        assert population.closed() == {"u1@a", "u1@b"}

    async def test_malformed_revocation_is_dropped_and_counted(
        self, population: _Population
    ) -> None:
        """A REVOKE envelope whose payload is not a revocation is counted and ignored."""
        before = REGISTRY.get_sample_value("dttools_bus_dropped_total", {"reason": "malformed"})
        bad = Envelope("other-node", "", EnvelopeKind.REVOKE, 1, time.time(), b"\xc1")
        population.manager.on_envelope(bad)
        after = REGISTRY.get_sample_value("dttools_bus_dropped_total", {"reason": "malformed"})
        assert (after or 0) == (before or 0) + 1
        assert population.closed() == set()


class TestConnectionsInFlight:
    async def test_revocation_during_an_access_check_is_found(
        self, update_log: UpdateLog, committer: GroupCommitter
    ) -> None:
        """A connection whose check began before a matching revocation is refused; one that
        began after it, or that it does not select, is not."""
        manager = _manager(update_log, committer)
        started = time.monotonic()
        manager.on_envelope(_from_elsewhere(Revocation(session_id="s1", reason="logged out")))
        found = manager.revoked_since(started, "r", "u1", "s1")
        assert found is not None
        assert found.reason == "logged out"
        assert manager.revoked_since(started, "r", "u1", "s2") is None
        assert manager.revoked_since(time.monotonic() + 1, "r", "u1", "s1") is None


class TestRecentRevocations:
    def test_newest_matching_revocation_after_start(self) -> None:
        """Only revocations after the check began count; the newest match wins."""
        recent = RecentRevocations(keep_s=60)
        recent.record(Revocation(user_id="u", reason="old"), now=10.0)
        recent.record(Revocation(user_id="u", reason="new"), now=20.0)
        recent.record(Revocation(user_id="other"), now=21.0)
        found = recent.since(15.0, 22.0, "r", "u", None)
        assert found is not None
        assert found.reason == "new"
        assert recent.since(25.0, 26.0, "r", "u", None) is None
        assert recent.since(0.0, 26.0, "r", "nobody", None) is None

    def test_old_revocations_are_forgotten(self) -> None:
        """Entries older than keep_s are dropped, so memory stays bounded."""
        recent = RecentRevocations(keep_s=60)
        for at in range(10):
            recent.record(Revocation(user_id="u"), now=float(at))
        assert len(recent) == 10
        assert recent.since(0.0, 65.0, "r", "u", None) is not None  # 5..9 are kept
        assert len(recent) == 5
        recent.record(Revocation(user_id="u"), now=200.0)
        assert len(recent) == 1
