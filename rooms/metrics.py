"""Prometheus metrics of live rooms and connections (names documented in docs/operations.md)."""

from __future__ import annotations

from prometheus_client import Counter, Gauge, Histogram

from rooms.loop_metrics import LoopHistogram, LoopMetric

__all__ = [
    "ROOMS_OPEN",
    "CONNECTIONS",
    "UPDATES_IN",
    "UPDATES_OUT",
    "BYTES_IN",
    "BYTES_OUT",
    "FANOUT_SECONDS",
    "CONNECTIONS_CLOSED",
    "CONNECTIONS_REFUSED",
    "ROOM_LOAD_SECONDS",
    "AWARENESS_FLUSHES",
    "AWARENESS_DROPPED",
    "BUS_ENVELOPES",
    "BUS_LAG_SECONDS",
    "BUS_RECONNECTS",
    "BUS_DROPPED",
    "ROOM_RESYNCS",
    "READONLY_WRITES_REFUSED",
    "LOCKED_NOTE_WRITES_REFUSED",
    "SERVER_UPDATES",
    "FAIR_SHARE_REFUSALS",
]

ROOMS_OPEN = Gauge("dttools_rooms_open", "Rooms loaded on this node")
CONNECTIONS = Gauge("dttools_connections", "WebSocket connections open on this node")
# Changed once or more per message: lock-free, read at scrape time.
UPDATES_IN = LoopMetric("dttools_updates_in", "Document updates received from clients")
UPDATES_OUT = LoopMetric(
    "dttools_updates_out", "Document updates queued to clients (one per recipient)"
)
BYTES_IN = LoopMetric("dttools_bytes_in", "WebSocket payload bytes received")
BYTES_OUT = LoopMetric("dttools_bytes_out", "WebSocket payload bytes queued to clients")
FANOUT_SECONDS = LoopHistogram(
    "dttools_fanout_latency_seconds",
    "Time from receiving an update to writing it to the room's other sockets (the last one "
    "written, per broadcast; frames that waited in an outbox are observed when written)",
    buckets=(0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1.0),
)
CONNECTIONS_CLOSED = Counter(
    "dttools_connections_closed_total",
    "Connections closed by the server, by close code",
    labelnames=("code",),
)
CONNECTIONS_REFUSED = Counter(
    "dttools_connections_refused_total",
    "WebSocket upgrades answered 503 before the upgrade (admission control), by reason",
    labelnames=("reason",),
)
ROOM_LOAD_SECONDS = Histogram(
    "dttools_room_load_seconds",
    "Time to load a room's stored history into memory",
    buckets=(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 5.0),
)
AWARENESS_FLUSHES = Counter(
    "dttools_awareness_flushes_total", "Coalesced awareness broadcasts sent by rooms"
)
AWARENESS_DROPPED = Counter(
    "dttools_awareness_entries_dropped_total",
    "Awareness entries dropped: for a client id another connection or node owns, past a "
    "connection's client id cap, or an invalid state relayed by another node",
    labelnames=("reason",),
)
BUS_ENVELOPES = Counter(
    "dttools_bus_envelopes_total",
    "Envelopes exchanged with other nodes through Redis, by direction",
    labelnames=("direction",),
)
BUS_LAG_SECONDS = Histogram(
    "dttools_bus_lag_seconds",
    "Fan-out lag between nodes: from the origin publishing an envelope to this node receiving it",
    buckets=(0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1.0),
)
BUS_RECONNECTS = Counter("dttools_bus_reconnects_total", "Reconnections to Redis after a loss")
BUS_DROPPED = Counter(
    "dttools_bus_dropped_total",
    "Envelopes dropped: malformed on receipt, or not published while Redis was away",
    labelnames=("reason",),
)
ROOM_RESYNCS = Counter(
    "dttools_room_resyncs_total",
    "Rooms re-read from PostgreSQL and re-requested from other nodes after a fan-out gap",
)
READONLY_WRITES_REFUSED = Counter(
    "dttools_readonly_writes_refused_total",
    "Document changes sent by read-only (viewer) connections and refused: not applied, "
    "relayed or stored",
)
LOCKED_NOTE_WRITES_REFUSED = Counter(
    "dttools_locked_note_writes_refused_total",
    "Document changes to notes a brainstorm facilitator locked, sent by people who may not "
    "change them, and refused: not applied, relayed or stored",
)
SERVER_UPDATES = Counter(
    "dttools_server_updates_total",
    "Document updates made by server-side transactions (REST writes), committed before return",
)
FAIR_SHARE_REFUSALS = Counter(
    "dttools_fair_share_refusals_total",
    "Requests and sockets refused because one account or address held its share of the node, "
    "by limit",
    labelnames=("limit",),
)
