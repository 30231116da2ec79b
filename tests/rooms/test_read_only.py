"""Viewers (read-only connections): they sync and show presence, their changes are refused."""

from __future__ import annotations

from typing import Any

from prometheus_client import REGISTRY
from pycrdt import Array, Doc

from collab.awareness import AwarenessEntry, encode_awareness_entries, parse_awareness
from collab.close import CloseCode
from collab.codec import encode
from collab.limits import Limits
from collab.messages import (
    AuthPermissionDenied,
    AwarenessUpdate,
    ServerNotice,
    SyncStep1,
    SyncStep2,
    Update,
)
from persistence.group_commit import GroupCommitter
from persistence.update_log import UpdateLog
from rooms.manager import RoomManager, RoomSettings
from rooms.room import Room
from tests.rooms.conftest import Peer


def _refused() -> float:
    return REGISTRY.get_sample_value("dttools_readonly_writes_refused_total") or 0.0


def _edit(doc: Doc[Any], value: Any) -> bytes:
    before = doc.get_state()
    doc.get("items", type=Array).append(value)
    return doc.get_update(before)


async def _room(update_log: UpdateLog, committer: GroupCommitter, name: str) -> Room:
    manager = RoomManager(update_log, committer, Limits(), RoomSettings(awareness_flush_ms=1))
    return await manager.open(name)


class TestViewer:
    async def test_viewer_change_is_refused_counted_and_reported_once(
        self, update_log: UpdateLog, committer: GroupCommitter, room: str
    ) -> None:
        """A viewer's update is not applied, relayed or stored; it is counted each time and
        the viewer is told once (auth permission-denied, plus a notice with ext=1)."""
        opened = await _room(update_log, committer, room)
        viewer = Peer(Limits(), ext=True, read_only=True, user_id="v")
        editor = Peer(Limits())
        opened.join(viewer.conn)
        opened.join(editor.conn)
        state = opened.doc.get_state()
        local: Doc[Any] = Doc()
        before = _refused()
        opened.receive(viewer.conn, encode(Update(_edit(local, "forged"))))
        opened.receive(viewer.conn, encode(Update(_edit(local, "again"))))
        assert _refused() == before + 2
        assert opened.doc.get_state() == state
        assert not any(isinstance(m, Update) for m in editor.messages())
        replies = [m for m in viewer.messages() if not isinstance(m, SyncStep1)]
        assert replies == [
            AuthPermissionDenied("read-only access: changes are not saved"),
            ServerNotice(
                "read-only", "you can view this room but not change it; edits are not saved"
            ),
        ]
        assert viewer.conn.closed is None
        await committer.flush()
        assert await update_log.count_updates(room) == 0
        for peer in (viewer, editor):
            await peer.stop()

    async def test_stock_client_gets_only_the_standard_message(
        self, update_log: UpdateLog, committer: GroupCommitter, room: str
    ) -> None:
        """Without ext=1 the viewer gets y-protocols' permission-denied and no extension."""
        opened = await _room(update_log, committer, room)
        viewer = Peer(Limits(), read_only=True)
        opened.join(viewer.conn)
        opened.receive(viewer.conn, encode(SyncStep2(_edit(Doc(), "x"))))
        assert [type(m) for m in viewer.messages()] == [SyncStep1, AuthPermissionDenied]
        await viewer.stop()

    async def test_viewer_syncs_watches_and_shows_presence(
        self, update_log: UpdateLog, committer: GroupCommitter, room: str
    ) -> None:
        """A viewer receives the document and live edits, its empty step 2 is accepted
        silently, and its awareness reaches the editors."""
        opened = await _room(update_log, committer, room)
        editor = Peer(Limits())
        opened.join(editor.conn)
        author: Doc[Any] = Doc()
        opened.receive(editor.conn, encode(Update(_edit(author, "first"))))
        viewer = Peer(Limits(), ext=True, read_only=True)
        opened.join(viewer.conn)
        before = _refused()
        opened.receive(viewer.conn, encode(SyncStep2(b"\x00\x00")))
        opened.receive(viewer.conn, encode(SyncStep1(b"\x00")))
        opened.receive(editor.conn, encode(Update(_edit(author, "second"))))
        entry = AwarenessEntry(4242, 1, '{"user":"viewer"}')
        opened.receive(viewer.conn, encode(AwarenessUpdate(encode_awareness_entries([entry]))))
        await editor.until(lambda: any(isinstance(m, AwarenessUpdate) for m in editor.messages()))
        seen = [m for m in editor.messages() if isinstance(m, AwarenessUpdate)]
        assert [e.client_id for e in parse_awareness(seen[0].payload)] == [4242]
        replica: Doc[Any] = Doc()
        for message in viewer.messages():
            if isinstance(message, SyncStep2 | Update):
                replica.apply_update(message.update)
        assert list(replica.get("items", type=Array)) == ["first", "second"]
        assert _refused() == before
        assert not any(
            isinstance(m, AuthPermissionDenied | ServerNotice) for m in viewer.messages()
        )
        for peer in (viewer, editor):
            await peer.stop()

    async def test_reconnecting_viewer_resending_known_deletions_is_not_a_write(
        self, update_log: UpdateLog, committer: GroupCommitter, room: str
    ) -> None:
        """Yjs answers sync step 1 with its whole delete set; from a viewer in sync that is
        not a change, so it is neither counted nor reported."""
        opened = await _room(update_log, committer, room)
        editor = Peer(Limits())
        opened.join(editor.conn)
        author: Doc[Any] = Doc()
        opened.receive(editor.conn, encode(Update(_edit(author, "a"))))
        opened.receive(editor.conn, encode(Update(_edit(author, "b"))))
        before = author.get_state()
        del author.get("items", type=Array)[0]
        opened.receive(editor.conn, encode(Update(author.get_update(before))))
        viewer_doc: Doc[Any] = Doc()
        viewer_doc.apply_update(opened.doc.get_update())
        step2 = viewer_doc.get_update(opened.doc.get_state())
        assert step2 != b"\x00\x00"
        viewer = Peer(Limits(), ext=True, read_only=True)
        opened.join(viewer.conn)
        refused = _refused()
        opened.receive(viewer.conn, encode(SyncStep2(step2)))
        opened.receive(viewer.conn, encode(SyncStep2(step2)))  # the cached delete set
        assert _refused() == refused
        assert [type(m) for m in viewer.messages()] == [SyncStep1]
        del viewer_doc.get("items", type=Array)[0]  # now a real change: a new deletion
        opened.receive(viewer.conn, encode(SyncStep2(viewer_doc.get_update(before))))
        assert _refused() == refused + 1
        assert list(opened.doc.get("items", type=Array)) == ["b"]
        for peer in (viewer, editor):
            await peer.stop()

    async def test_malformed_update_from_a_viewer_closes_it(
        self, update_log: UpdateLog, committer: GroupCommitter, room: str
    ) -> None:
        """Bytes that are not an update close a viewer with 1007, as for an editor."""
        opened = await _room(update_log, committer, room)
        viewer = Peer(Limits(), read_only=True)
        opened.join(viewer.conn)
        opened.receive(viewer.conn, encode(Update(b"\x01\x02\x03")))
        assert viewer.conn.closed is not None
        assert viewer.conn.closed.code is CloseCode.INVALID_PAYLOAD
        await viewer.stop()
