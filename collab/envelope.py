"""Envelopes between server nodes: msgpack (origin node, room, kind, seq, sent_at, payload).

Most envelopes belong to one room and travel on that room's channel. Control envelopes
(:data:`CONTROL_KINDS`) concern every node, whatever rooms it has open: they travel on one
channel all nodes listen to, and their ``room`` field is empty.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import IntEnum

import msgpack

from collab.errors import MalformedMessage

__all__ = [
    "EnvelopeKind",
    "CONTROL_KINDS",
    "Envelope",
    "pack_envelope",
    "unpack_envelope",
    "Revocation",
    "pack_revocation",
    "unpack_revocation",
]


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
    #: control: close the connections a :class:`Revocation` selects, on every node
    REVOKE = 4
    #: control: a board locked or unlocked by a facilitator (collab/board_lock.py)
    BOARD_LOCK = 5


#: Kinds addressed to every node rather than to one room's channel.
CONTROL_KINDS: frozenset[EnvelopeKind] = frozenset({EnvelopeKind.REVOKE, EnvelopeKind.BOARD_LOCK})


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


@dataclass(frozen=True, slots=True)
class Revocation:
    """Which live connections lose access: each field given must match, ``None`` matches all.

    ``user_id`` in ``room``: a member was removed or their role changed (they must reconnect
    to get the new role); ``session_id`` alone: a logout, a revoked refresh-token family or API
    key; ``user_id`` alone: a disabled account; ``room`` alone: every connection of a room.

    Raises:
        ValueError: no field is given (a revocation never selects every connection).
    """

    user_id: str | None = None
    session_id: str | None = None
    room: str | None = None
    reason: str = "access revoked"
    #: its row in PostgreSQL's ``revocations`` table, when stored: a node that hears of it
    #: through Redis and through the table applies it once
    id: int | None = None

    def __post_init__(self) -> None:
        if self.user_id is None and self.session_id is None and self.room is None:
            raise ValueError("a revocation must name a user, a session or a room")

    def matches(self, user_id: str | None, session_id: str | None, room: str) -> bool:
        """Whether a connection with this identity, in ``room``, is selected."""
        return (
            (self.user_id is None or self.user_id == user_id)
            and (self.session_id is None or self.session_id == session_id)
            and (self.room is None or self.room == room)
        )


def pack_revocation(revocation: Revocation) -> bytes:
    """Serialize a revocation as the payload of a REVOKE envelope."""
    data: bytes = msgpack.packb(
        [
            revocation.user_id,
            revocation.session_id,
            revocation.room,
            revocation.reason,
            revocation.id,
        ],
        use_bin_type=True,
    )
    return data


def unpack_revocation(data: bytes) -> Revocation:
    """Parse the payload of a REVOKE envelope.

    Raises:
        MalformedMessage: the bytes are not a revocation.
    """
    try:
        fields = msgpack.unpackb(data, raw=False)
    except (ValueError, TypeError, OverflowError) as exc:
        raise MalformedMessage(f"undecodable revocation: {type(exc).__name__}") from None
    # 4 items: from a node that predates stored revocations (no id), during a rolling upgrade.
    if not isinstance(fields, list) or len(fields) not in (4, 5):
        raise MalformedMessage("revocation is not a 5-item array (nor 4, from older nodes)")
    user_id, session_id, room, reason = fields[:4]
    revocation_id = fields[4] if len(fields) == 5 else None
    if not (
        all(value is None or isinstance(value, str) for value in (user_id, session_id, room))
        and isinstance(reason, str)
        and (revocation_id is None or _positive_int(revocation_id))
    ):
        raise MalformedMessage("revocation field of the wrong type")
    try:
        return Revocation(user_id, session_id, room, reason, revocation_id)
    except ValueError as exc:
        raise MalformedMessage(str(exc)) from None


def _positive_int(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value > 0
