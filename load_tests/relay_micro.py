"""The relay path in isolation: Python calls and warm time per relayed update.

Usage (from the repository root, after `make install`):

    .venv/bin/python load_tests/relay_micro.py [--updates N] [--peers P] [--fast-paths ...]

One room, P in-memory peers, N small map updates (each 20-40 bytes, like a typing or voting
edit) sent by the first peer and relayed to the others. Two figures per run:

* Python calls per relayed update, counted with ``sys.setprofile`` from ``Room.receive`` to
  its return (the sockets are in-memory, so this is the room's own Python work plus the
  transport's ``write_now``). The count does not depend on the machine or its load, which
  makes it the figure to compare between two versions of the relay path.
* The median time of ``Room.receive`` on a warm machine, in the quietest of five rounds of
  N/5 updates (a shared VM's noise is larger than the differences measured). Under real load
  every message runs on cold caches and costs several times this (docs/benchmarks.md); the
  ratio between two versions is what carries over.

No database: the group committer only queues (its writer task never runs), which is what a
relay sees of it on the hot path. Nothing listens on a port.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import time
from collections import Counter
from pathlib import Path
from types import FrameType
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from aiohttp import web
from pycrdt import Doc, Map

from collab.codec import encode_update
from collab.limits import Limits
from http_api import fast_paths
from http_api.ws_transport import WebSocketTransport
from persistence.group_commit import GroupCommitter
from rooms.connection import Connection
from rooms.room import Room

_ROUNDS = 5


class _Socket:
    """Stands in for a uvloop socket transport with room in its buffer.

    Its methods are C builtins, as uvloop's are, so that the count shows only our Python:
    ``is_closing()`` is False, ``get_write_buffer_size()`` is 0, ``write`` keeps the bytes.
    """

    is_closing = bool
    get_write_buffer_size = int

    def __init__(self) -> None:
        self.written: list[bytes] = []
        self.write = self.written.append

    def get_extra_info(self, _name: str, default: Any = None) -> Any:
        """No TLS and no descriptor: frames go through ``write``."""
        return default


def _transport(socket: _Socket) -> WebSocketTransport:
    return WebSocketTransport(web.WebSocketResponse(), socket)  # type: ignore[arg-type]


def _updates(count: int) -> list[bytes]:
    """``count`` small updates from one client: set one of 50 keys of a map to a counter."""
    doc: Doc[Any] = Doc()
    board = doc.get("board", type=Map)
    out: list[bytes] = []
    doc.observe(lambda event: out.append(event.update))
    for i in range(count):
        board[f"idea-{i % 50}"] = i
    return out


def _count_calls(room: Room, conn: Connection, frames: list[bytes]) -> Counter[str]:
    """Python function calls (by qualified name) made while the room receives ``frames``."""
    calls: Counter[str] = Counter()

    def profile(frame: FrameType, event: str, _arg: Any) -> None:
        if event == "call":
            code = frame.f_code
            calls[f"{Path(code.co_filename).name}:{code.co_qualname}"] += 1

    sys.setprofile(profile)
    try:
        for frame in frames:
            room.receive(conn, frame)
    finally:
        sys.setprofile(None)
    return calls


async def _run(updates: int, peers: int) -> dict[str, Any]:
    limits = Limits(updates_per_s=10**9, updates_burst=10**9)
    committer = GroupCommitter(log=None, max_pending=10**9)  # type: ignore[arg-type]
    room = Room("micro", None, committer=committer, limits=limits)
    sockets = [_Socket() for _ in range(peers)]
    conns = [Connection(_transport(s), limits, ext=False, now=time.monotonic()) for s in sockets]
    for conn in conns:
        room.join(conn)
    frames = [encode_update(u) for u in _updates(updates + 200)]
    warm, counted, timed = frames[:100], frames[100:200], frames[200:]
    for frame in warm:
        room.receive(conns[0], frame)
    calls = _count_calls(room, conns[0], counted)
    rounds: list[list[int]] = [[] for _ in range(_ROUNDS)]
    for i, frame in enumerate(timed):
        started = time.perf_counter_ns()
        room.receive(conns[0], frame)
        rounds[i * _ROUNDS // len(timed)].append(time.perf_counter_ns() - started)
    relayed = sum(len(s.written) for s in sockets[1:])
    assert relayed >= (peers - 1) * len(frames) - peers, "updates were not relayed"
    per_update = sum(calls.values()) / len(counted)
    return {
        "peers": peers,
        "updates": len(timed),
        "calls_per_update": per_update,
        "top_calls": [(name, n / len(counted)) for name, n in calls.most_common(40)],
        "median_us": min(statistics.median(r) for r in rounds if r) / 1000,
        "frame_bytes": statistics.median(len(f) for f in timed),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--updates", type=int, default=20_000, help="timed updates")
    parser.add_argument("--peers", type=int, default=4, help="connections in the room")
    parser.add_argument(
        "--fast-paths",
        default="all",
        help=f"DTTOOLS_FAST_PATHS for this run (all, none, or some of {','.join(fast_paths.ALL)})",
    )
    args = parser.parse_args()
    fast_paths.apply(fast_paths.parse(args.fast_paths))
    result = asyncio.run(_run(args.updates, args.peers))
    print(f"Python calls per relayed update: {result['calls_per_update']:.1f}")
    for name, per in result["top_calls"]:
        print(f"  {per:5.2f}  {name}")
    print(
        f"Room.receive: median {result['median_us']:.2f} us (quietest of {_ROUNDS} rounds) "
        f"over {result['updates']} updates of ~{result['frame_bytes']:.0f} bytes, "
        f"{result['peers']} peers"
    )


if __name__ == "__main__":
    main()
