"""Awareness bookkeeping for one room: state validation, who owns which client ids, coalescing.

y-protocols awareness.js encodes an update as
``varuint count, then count x (varuint clientID, varuint clock, varstring JSON state)``;
a state of ``null`` means "this client is gone".

Every client ``JSON.parse``-s every state it is sent, and y-websocket does not catch the
exception, so one state that is not JSON, or is nested deeply enough to exhaust a parser's
stack, would break every joiner of the room for as long as it is stored.
:func:`check_entry` therefore admits only what awareness.js itself produces: a JSON object or
``null``, of bounded size and depth.

The stock y-websocket client echoes every awareness change it applies back to the server,
so a connection legitimately sends other clients' entries, almost always at a clock the
server already holds. :class:`AwarenessRegistry` lets a connection change only the client
ids it introduced first, and drops, rather than refuses, entries for anyone else's: closing
would disconnect well-behaved clients whose echo raced a newer state.
"""

from __future__ import annotations

import json
import re
from collections.abc import Hashable, Iterable
from dataclasses import dataclass

from collab.errors import MalformedMessage
from collab.lib0 import Reader, write_var_string, write_var_uint

__all__ = [
    "AwarenessEntry",
    "Applied",
    "parse_awareness",
    "check_entry",
    "encode_awareness_entries",
    "AwarenessRegistry",
    "MAX_ENTRIES",
    "MAX_STATE_DEPTH",
    "MAX_CLIENTS_PER_CONNECTION",
    "NODE_CLAIM_LAPSE_S",
]

_NULL = "null"

#: Entries in one awareness update. A joiner's provider echoes the states of the whole room
#: in one frame, so this must cover the largest room (DTTOOLS_MAX_CONNECTIONS' default).
MAX_ENTRIES = 10_000
#: Deepest nesting of arrays and objects in a state (the state object itself is level 1).
#: Real presence states (user, colour, cursor, selection) use 3 or 4.
MAX_STATE_DEPTH = 32
#: Client ids one connection may own at once. A y-websocket provider has one (its
#: doc.clientID); the cap keeps a connection from growing the registry without bound.
MAX_CLIENTS_PER_CONNECTION = 8
#: How long another node's claim on a client id holds without a renewal. Providers renew their
#: state every 15 s and drop a peer's state after 30 s without one (y-protocols'
#: outdatedTimeout); a node that died never announces its clients' departure, and without
#: this their ids would stay locked until the room is evicted.
NODE_CLAIM_LAPSE_S = 30.0

# A JSON string literal (valid JSON only has double-quoted strings); the unrolled loop never
# backtracks. Removing them leaves only structural characters to count brackets in.
_STRING = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"', re.DOTALL)
_BRACKET = re.compile(r"[\[\]{}]")


@dataclass(frozen=True, slots=True)
class AwarenessEntry:
    """One client's awareness state at a given clock (``state`` is raw JSON text)."""

    client_id: int
    clock: int
    state: str

    @property
    def removed(self) -> bool:
        """True when the entry announces that the client left."""
        return self.state == _NULL


def parse_awareness(payload: bytes, max_entries: int = MAX_ENTRIES) -> list[AwarenessEntry]:
    """Decode an awareness update payload (states are not checked: see :func:`check_entry`).

    Raises:
        MalformedMessage: truncated data, trailing bytes or too many entries.
    """
    reader = Reader(payload)
    count = reader.read_var_uint()
    if count > max_entries:
        raise MalformedMessage(f"awareness update with {count} entries exceeds {max_entries}")
    entries = []
    for _ in range(count):
        client_id = reader.read_var_uint()
        clock = reader.read_var_uint()
        entries.append(AwarenessEntry(client_id, clock, reader.read_var_string()))
    reader.expect_end()
    return entries


def _too_deep(text: str) -> bool:
    """Whether ``text`` nests arrays and objects deeper than :data:`MAX_STATE_DEPTH`.

    Runs before ``json.loads``, whose C scanner recurses once per level (a RecursionError,
    or worse, far down), and decides in C-speed ``str.count`` for nearly every state. The
    count is exact for valid JSON; for anything else ``json.loads`` fails afterwards anyway.
    """
    if text.count("[") + text.count("{") <= MAX_STATE_DEPTH:
        return False
    depth = 0
    for match in _BRACKET.finditer(_STRING.sub("", text)):
        if match.group() in "[{":
            depth += 1
            if depth > MAX_STATE_DEPTH:
                return True
        else:
            depth -= 1
    return False


def _refuse_constant(name: str) -> object:
    """``json.loads`` hook: NaN and Infinity are Python extensions that JSON.parse rejects."""
    raise ValueError(f"{name} is not JSON")


def check_entry(entry: AwarenessEntry, max_state_bytes: int) -> AwarenessEntry:
    """Return ``entry`` if every client can parse its state, else raise.

    A state must be a JSON object or ``null`` (what awareness.js produces), at most
    ``max_state_bytes`` of UTF-8 and :data:`MAX_STATE_DEPTH` levels deep. A ``null`` written
    with extra whitespace comes back spelled ``null``, so that it counts as a removal here as
    it does in every client.

    Raises:
        MalformedMessage: the state is too large, too deep, not JSON, or not an object or null.
    """
    state = entry.state
    if state == _NULL:
        return entry
    size = len(state.encode())
    if size > max_state_bytes:
        raise MalformedMessage(
            f"state of client {entry.client_id}: {size} bytes exceeds limit of {max_state_bytes}"
        )
    if _too_deep(state):
        raise MalformedMessage(
            f"state of client {entry.client_id}: nested deeper than {MAX_STATE_DEPTH}"
        )
    try:
        value = json.loads(state, parse_constant=_refuse_constant)
    except (ValueError, RecursionError):
        raise MalformedMessage(f"state of client {entry.client_id}: not JSON") from None
    if value is None:
        return AwarenessEntry(entry.client_id, entry.clock, _NULL)
    if not isinstance(value, dict):
        raise MalformedMessage(
            f"state of client {entry.client_id}: a JSON {type(value).__name__}, "
            "not an object or null"
        )
    return entry


def encode_awareness_entries(entries: Iterable[AwarenessEntry]) -> bytes:
    """Encode entries as an awareness update payload."""
    items = list(entries)
    parts = [write_var_uint(len(items))]
    for entry in items:
        parts.append(write_var_uint(entry.client_id))
        parts.append(write_var_uint(entry.clock))
        parts.append(write_var_string(entry.state))
    return b"".join(parts)


@dataclass(frozen=True, slots=True)
class Applied:
    """What :meth:`AwarenessRegistry.apply` did with a batch of entries."""

    #: entries that changed a state, in the order given (what the room passes on)
    changed: list[AwarenessEntry]
    #: entries for a client id another connection or node owns (dropped)
    not_owner: int = 0
    #: entries that would have given the sender more than MAX_CLIENTS_PER_CONNECTION ids
    too_many_clients: int = 0


@dataclass(slots=True)
class _Claim:
    """Who owns a client id, and until when if the owner is another node."""

    owner: Hashable
    lapses_at: float | None  # None: until the owner leaves or removes the state


class AwarenessRegistry:
    """The awareness states of one room, which connection owns each, and pending changes.

    A client id belongs to the first connection (or node) that set a state for it, until that
    owner removes the state or leaves; entries from anyone else for it are dropped, so no
    member can move, replace or remove another's cursor. A browser that reconnects before its
    old socket is noticed dead gets its id back when that socket closes: the removal the room
    then broadcasts reaches the browser too, and awareness.js answers a removal of its own
    live state by re-sending it with a higher clock. Ids claimed by another node lapse after
    :data:`NODE_CLAIM_LAPSE_S` without a renewal, since a dead node announces nothing.

    Changes are coalesced: :meth:`apply` records the newest entry per client id and
    :meth:`take_pending` hands the batch to the room, which broadcasts it as one frame.
    Removals when a connection leaves are returned at once by :meth:`remove_owner`, because
    other clients should see a departed cursor vanish immediately.
    """

    __slots__ = ("_states", "_claims", "_owned", "_pending")

    def __init__(self) -> None:
        self._states: dict[int, AwarenessEntry] = {}
        self._claims: dict[int, _Claim] = {}  # exactly the keys of _states
        self._owned: dict[Hashable, dict[int, None]] = {}  # ordered sets of client ids
        self._pending: dict[int, AwarenessEntry] = {}

    def __len__(self) -> int:
        return len(self._states)

    def apply(self, owner: Hashable, entries: Iterable[AwarenessEntry], *, now: float) -> Applied:
        """Record entries (already checked) sent by connection ``owner`` at time ``now``.

        Follows awareness.js applyAwarenessUpdate: a higher clock wins; an equal clock only
        matters when it removes a known state. Entries that change nothing (the echoes of
        states the room already sent) are ignored without being counted as dropped.
        """
        return self._apply(owner, entries, now, lapses_at=None)

    def apply_remote(
        self, node: Hashable, entries: Iterable[AwarenessEntry], *, now: float
    ) -> Applied:
        """Record entries relayed by another ``node`` (already broadcast there).

        Nothing is queued for the next flush; the node's claims lapse after
        :data:`NODE_CLAIM_LAPSE_S` without a renewal, and a node may own any number of ids.
        """
        return self._apply(node, entries, now, lapses_at=now + NODE_CLAIM_LAPSE_S)

    def _apply(
        self,
        owner: Hashable,
        entries: Iterable[AwarenessEntry],
        now: float,
        *,
        lapses_at: float | None,
    ) -> Applied:
        changed: list[AwarenessEntry] = []
        not_owner = too_many = 0
        for entry in entries:
            cid = entry.client_id
            current = self._states.get(cid)
            if current is None:
                if entry.removed:
                    continue
            elif entry.clock < current.clock or (
                entry.clock == current.clock and not entry.removed
            ):
                continue
            claim = self._claims.get(cid)
            if claim is not None and claim.owner != owner:
                if claim.lapses_at is None or now < claim.lapses_at:
                    not_owner += 1
                    continue
                self._release(claim.owner, cid)  # a silent node's claim lapsed
                claim = None
            if claim is None and not entry.removed:
                owned = self._owned.setdefault(owner, {})
                if lapses_at is None and len(owned) >= MAX_CLIENTS_PER_CONNECTION:
                    too_many += 1
                    continue
                owned[cid] = None
            if entry.removed:
                del self._states[cid]
                self._claims.pop(cid, None)
                self._release(owner, cid)
            else:
                self._states[cid] = entry
                self._claims[cid] = _Claim(owner, lapses_at)
            if lapses_at is None:
                self._pending[cid] = entry
            changed.append(entry)
        return Applied(changed, not_owner, too_many)

    def _release(self, owner: Hashable, cid: int) -> None:
        owned = self._owned.get(owner)
        if owned is not None:  # pragma: no branch - defensive: the owner may be gone already
            owned.pop(cid, None)
            if not owned:
                del self._owned[owner]

    @property
    def pending_count(self) -> int:
        """How many clients' changes wait for the next flush."""
        return len(self._pending)

    def take_pending(self) -> bytes | None:
        """Return the coalesced pending changes as one payload, or None if there are none."""
        if not self._pending:
            return None
        payload = encode_awareness_entries(self._pending.values())
        self._pending.clear()
        return payload

    def snapshot(self) -> bytes | None:
        """Return every known state as one payload (for joiners and query-awareness)."""
        if not self._states:
            return None
        return encode_awareness_entries(self._states.values())

    def remove_owner(self, owner: Hashable) -> bytes | None:
        """Forget every state ``owner`` set; return the removal payload to broadcast, if any.

        The ids become free: the next entry for one of them, from anyone, claims it.
        """
        gone = self._owned.pop(owner, None)
        if not gone:
            return None
        removals = []
        for cid in gone:
            entry = self._states.pop(cid)
            del self._claims[cid]
            self._pending.pop(cid, None)
            removals.append(AwarenessEntry(cid, entry.clock + 1, _NULL))
        return encode_awareness_entries(removals)
