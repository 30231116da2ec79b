"""The node-wide heartbeat (http_api/heartbeat.py): pings the silent, cuts the dead."""

from __future__ import annotations

import asyncio
from typing import cast

from http_api.heartbeat import PING_FRAME, Heartbeat
from http_api.ws_direct import DirectWebSocketResponse


class FakeSocket:
    """What the heartbeat reads of a socket: how many messages it has received."""

    def __init__(self) -> None:
        self.received = 0
        self.held = b""

    def take_headers(self) -> bytes:
        held, self.held = self.held, b""
        return held


class FakeTransport:
    def __init__(self) -> None:
        self.written: list[bytes] = []
        self.aborted = False

    def write(self, data: bytes) -> None:
        self.written.append(data)

    def abort(self) -> None:
        self.aborted = True

    def is_closing(self) -> bool:
        return self.aborted


def _watch(heartbeat: Heartbeat) -> tuple[FakeSocket, FakeTransport]:
    ws, transport = FakeSocket(), FakeTransport()
    heartbeat.track(cast(DirectWebSocketResponse, ws), cast(asyncio.Transport, transport))
    return ws, transport


def test_talking_sockets_are_never_pinged() -> None:
    heartbeat = Heartbeat(30.0)
    ws, transport = _watch(heartbeat)
    for _ in range(5):
        ws.received += 1
        assert heartbeat.sweep() == (0, 0)
    assert transport.written == []


def test_silent_socket_is_pinged_then_cut_if_it_stays_silent() -> None:
    heartbeat = Heartbeat(30.0)
    _ws, transport = _watch(heartbeat)
    assert heartbeat.sweep() == (1, 0)
    assert transport.written == [PING_FRAME]
    assert heartbeat.sweep() == (0, 1)
    assert transport.aborted
    assert len(heartbeat) == 0


def test_a_ping_goes_after_the_101_a_socket_still_holds() -> None:
    heartbeat = Heartbeat(30.0)
    ws, transport = _watch(heartbeat)
    ws.held = b"HTTP/1.1 101 Switching Protocols\r\n\r\n"
    assert heartbeat.sweep() == (1, 0)
    assert transport.written == [b"HTTP/1.1 101 Switching Protocols\r\n\r\n" + PING_FRAME]
    assert ws.held == b""


def test_a_pong_keeps_a_silent_socket() -> None:
    heartbeat = Heartbeat(30.0)
    ws, transport = _watch(heartbeat)
    heartbeat.sweep()  # pinged
    ws.received += 1  # the pong
    assert heartbeat.sweep() == (0, 0)
    assert heartbeat.sweep() == (1, 0)  # silent again: pinged again, not cut
    assert not transport.aborted


def test_forgotten_sockets_are_left_alone() -> None:
    heartbeat = Heartbeat(30.0)
    ws, transport = _watch(heartbeat)
    heartbeat.forget(cast(DirectWebSocketResponse, ws))
    assert heartbeat.sweep() == (0, 0)
    assert transport.written == []


def test_a_closing_transport_is_dropped_without_a_ping() -> None:
    heartbeat = Heartbeat(30.0)
    _ws, transport = _watch(heartbeat)
    transport.aborted = True
    assert heartbeat.sweep() == (0, 1)
    assert transport.written == []
