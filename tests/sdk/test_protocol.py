"""The SDK's y-websocket codec, with bytes alone (tests/collab/ holds the server's vectors)."""

from __future__ import annotations

import pytest
from dttools_sdk import protocol

from collab.codec import decode as server_decode
from collab.codec import encode as server_encode
from collab.messages import AuthPermissionDenied, Saved, ServerNotice, SyncStep1, SyncStep2, Update


class TestAgainstTheServerCodec:
    @pytest.mark.parametrize("payload", [b"", b"\x00\x00", bytes(range(200)), b"x" * 70_000])
    def test_client_frames_read_on_the_server(self, payload: bytes) -> None:
        """What the SDK encodes, the server decodes as the same message (long lengths too)."""
        assert server_decode(protocol.encode_sync_step1(payload)) == SyncStep1(payload)
        assert server_decode(protocol.encode_sync_step2(payload)) == SyncStep2(payload)
        assert server_decode(protocol.encode_update(payload)) == Update(payload)

    def test_server_frames_read_in_the_sdk(self) -> None:
        """Every server-to-client message the server encodes, the SDK decodes."""
        assert protocol.decode(server_encode(SyncStep1(b"sv"))) == protocol.SyncStep1(b"sv")
        assert protocol.decode(server_encode(SyncStep2(b"u"))) == protocol.SyncStep2(b"u")
        assert protocol.decode(server_encode(Update(b"u"))) == protocol.Update(b"u")
        assert protocol.decode(server_encode(Saved(300))) == protocol.Saved(300)
        denied = server_encode(AuthPermissionDenied("read-only access"))
        assert protocol.decode(denied) == protocol.PermissionDenied("read-only access")
        notice = server_encode(ServerNotice("read-only", "changes are not saved"))
        assert protocol.decode(notice) == protocol.Notice("read-only", "changes are not saved")

    def test_awareness_and_unknown_types_are_ignored(self) -> None:
        """Frames a client has no use for decode as Ignored, with their type."""
        assert protocol.decode(b"\x01\x00") == protocol.Ignored(1)
        assert protocol.decode(b"\x7f") == protocol.Ignored(127)


class TestMalformed:
    @pytest.mark.parametrize(
        ("frame", "message"),
        [
            (b"", "truncated varint at 0"),
            (b"\x00\x01\x05ab", "runs past the frame end"),
            (b"\x00\x07", "unknown sync sub-type 7"),
            (b"\x80" * 11, "longer than 64 bits"),
            (b"\x02\x00\x02\xff\xfe", "invalid UTF-8"),
        ],
    )
    def test_refused_with_a_reason(self, frame: bytes, message: str) -> None:
        """Malformed frames raise ProtocolError saying what is wrong."""
        with pytest.raises(protocol.ProtocolError, match=message):
            protocol.decode(frame)
