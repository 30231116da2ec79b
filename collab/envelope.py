"""Envelopes between server nodes: msgpack (origin node, room, kind, seq, sent_at, payload)."""

from __future__ import annotations

from dataclasses import dataclass
from enum import IntEnum

import msgpack

from collab.errors import MalformedMessage

__all__ = ["EnvelopeKind", "Envelope", "pack_envelope", "unpack_envelope"]


class EnvelopeKind(IntEnum):
    """What an envelope carries."""

    #: a Yjs update that entered on the origin node (persisted there, never here)
    UPDATE = 0
    #: a coalesced awareness update of the origin node's clients
    AWARENESS = 1
    #: "I just opened this room (or lost messages): here is my state vector"
    SYNC_REQUEST = 2
    #: the answer to a SYNC_REQUEST: what the requester's state vector lacks
    SYNC_REPLY = 3


@dataclass(frozen=True, slots=True)
class Envelope:
    """One message on a room's fan-out channel.

    ``seq`` counts the origin's envelopes for this room, so a receiver can notice a gap;
    ``sent_at`` (wall clock, seconds) gives the fan-out lag between nodes.
    """

    origin: str
    room: str
    kind: EnvelopeKind
    seq: int
    sent_at: float
    payload: bytes


def pack_envelope(envelope: Envelope) -> bytes:
    """Serialize an envelope."""
    data: bytes = msgpack.packb(
        [
            envelope.origin,
            envelope.room,
            int(envelope.kind),
            envelope.seq,
            envelope.sent_at,
            envelope.payload,
        ],
        use_bin_type=True,
    )
    return data


def unpack_envelope(data: bytes) -> Envelope:
    """Parse an envelope.

    Raises:
        MalformedMessage: the bytes are not an envelope of this version.
    """
    try:
        fields = msgpack.unpackb(data, raw=False)
    except (ValueError, TypeError, OverflowError) as exc:  # msgpack errors are ValueErrors
        raise MalformedMessage(f"undecodable envelope: {type(exc).__name__}") from None
    if not isinstance(fields, list) or len(fields) != 6:
        raise MalformedMessage("envelope is not a 6-item array")
    origin, room, kind, seq, sent_at, payload = fields
    if not (
        isinstance(origin, str)
        and isinstance(room, str)
        and isinstance(kind, int)
        and isinstance(seq, int)
        and isinstance(sent_at, float | int)
        and isinstance(payload, bytes)
    ):
        raise MalformedMessage("envelope field of the wrong type")
    try:
        envelope_kind = EnvelopeKind(kind)
    except ValueError:
        raise MalformedMessage(f"unknown envelope kind {kind}") from None
    return Envelope(origin, room, envelope_kind, seq, float(sent_at), payload)
