"""Per-connection y-websocket state machine. Sans-I/O: call receive(), act on the events."""

from __future__ import annotations

from dataclasses import dataclass

from collab.awareness import AwarenessEntry, check_entry, parse_awareness
from collab.close import Close, CloseCode
from collab.codec import decode, small_sync_payload
from collab.errors import MalformedMessage, MessageTooLarge, ProtocolError, UnknownMessageType
from collab.limits import Limits, TokenBucket
from collab.messages import (
    AwarenessUpdate,
    QueryAwareness,
    SyncStep1,
    SyncStep2,
    SyncType,
    Update,
)

__all__ = [
    "SyncSession",
    "DocUpdate",
    "StateRequest",
    "AwarenessChange",
    "AwarenessQuery",
    "Event",
]

_STEP1 = int(SyncType.STEP1)
_UPDATE_RATE = "too many updates per second"


@dataclass(frozen=True, slots=True)
class DocUpdate:
    """The peer sent document changes (an update, or the step 2 of its handshake)."""

    update: bytes


@dataclass(frozen=True, slots=True)
class StateRequest:
    """The peer sent its state vector and expects the missing updates (sync step 2)."""

    state_vector: bytes


@dataclass(frozen=True, slots=True)
class AwarenessChange:
    """The peer sent awareness entries (its own presence, usually), each state checked."""

    entries: list[AwarenessEntry]


@dataclass(frozen=True, slots=True)
class AwarenessQuery:
    """The peer asked for every awareness state."""


Event = DocUpdate | StateRequest | AwarenessChange | AwarenessQuery


class SyncSession:
    """Turn one peer's frames into events, enforcing limits; remember why it must close.

    Once :attr:`close_requested` is set, the session ignores further input: the transport
    closes the socket with that code and reason, and nothing from this peer reaches the room.
    """

    __slots__ = (
        "limits",
        "close_requested",
        "_updates",
        "_update_bytes",
        "_awareness",
        "frames_in",
    )

    def __init__(self, limits: Limits, now: float) -> None:
        self.limits = limits
        self.close_requested: Close | None = None
        self._updates = TokenBucket(limits.updates_per_s, limits.updates_burst, now)
        # Reading and applying an update costs CPU in proportion to its bytes: a budget of
        # bytes keeps one member from holding the event loop with frame after large frame.
        # Small updates (the fast path, at most 16 KiB each) are bounded by the update rate.
        self._update_bytes = TokenBucket(
            limits.update_bytes_per_s, max(limits.max_frame_bytes, 1), now
        )
        self._awareness = TokenBucket(limits.awareness_per_s, limits.awareness_burst, now)
        self.frames_in = 0

    def fail(self, code: CloseCode, reason: str) -> None:
        """Request a close (the first reason wins)."""
        if self.close_requested is None:
            self.close_requested = Close(code, reason)

    def receive_update(self, frame: bytes, now: float) -> bytes | None:
        """The fast path of :meth:`receive` for the commonest frame: a small document update.

        Returns the update when ``frame`` is a sync update or step 2 that
        :func:`collab.codec.small_sync_payload` reads, within the frame size and update rate
        limits: what :meth:`receive` would return as ``[DocUpdate(update)]``, without building
        either. Returns None for every other frame, having done nothing (call :meth:`receive`),
        or having requested a close (rate limit; :meth:`receive` then ignores the frame).
        """
        if self.close_requested is not None or len(frame) > self.limits.max_frame_bytes:
            return None
        update = small_sync_payload(frame)
        if update is None or frame[1] == _STEP1:
            return None
        self.frames_in += 1
        if self._updates.take(now):
            return update
        self.fail(CloseCode.RATE_LIMITED, _UPDATE_RATE)
        return None

    def receive(self, frame: bytes, now: float) -> list[Event]:
        """Process one binary frame received at time ``now``."""
        if self.close_requested is not None:
            return []
        self.frames_in += 1
        try:
            message = decode(frame, self.limits.max_frame_bytes)
        except MessageTooLarge as exc:
            self.fail(CloseCode.MESSAGE_TOO_BIG, str(exc))
            return []
        except UnknownMessageType as exc:
            self.fail(CloseCode.PROTOCOL_ERROR, str(exc))
            return []
        except ProtocolError as exc:
            self.fail(CloseCode.INVALID_PAYLOAD, str(exc))
            return []
        match message:
            case Update(update) | SyncStep2(update):
                if not self._updates.take(now):
                    self.fail(CloseCode.RATE_LIMITED, _UPDATE_RATE)
                    return []
                if not self._update_bytes.take(now, len(update)):
                    self.fail(CloseCode.RATE_LIMITED, "too many update bytes per second")
                    return []
                return [DocUpdate(update)]
            case SyncStep1(state_vector):
                return [StateRequest(state_vector)]
            case AwarenessUpdate(payload):
                return self._receive_awareness(payload, now)
            case QueryAwareness():
                return [AwarenessQuery()]
            case _:
                self.fail(
                    CloseCode.PROTOCOL_ERROR,
                    f"{type(message).__name__} is a server-to-client message",
                )
                return []

    def _receive_awareness(self, payload: bytes, now: float) -> list[Event]:
        if len(payload) > self.limits.max_awareness_bytes:
            too_large = MessageTooLarge(
                "awareness update", len(payload), self.limits.max_awareness_bytes
            )
            self.fail(CloseCode.MESSAGE_TOO_BIG, str(too_large))
            return []
        if not self._awareness.take(now):
            self.fail(CloseCode.RATE_LIMITED, "too many awareness updates per second")
            return []
        # One bad state refuses the whole frame (1007): awareness.js never produces one, and
        # storing it would break every joiner (collab/awareness.py).
        try:
            entries = [
                check_entry(entry, self.limits.max_awareness_bytes)
                for entry in parse_awareness(payload)
            ]
        except MalformedMessage as exc:
            self.fail(CloseCode.INVALID_PAYLOAD, f"bad awareness update: {exc}")
            return []
        return [AwarenessChange(entries)]
