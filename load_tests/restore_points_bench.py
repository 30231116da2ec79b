"""Restore points of a day-long workshop: how much they store, and how long they hold a room.

Eight people edit one project for four hours, 5,000 edits in all (new notes, rewording, moving,
clustering, deleting), each person in their own Yjs document synced with the server's, as
browsers are. A restore point is taken every ten minutes of that day (every 208 edits), as
``DTTOOLS_RESTORE_POINT_EVERY_S=600`` does, and once more at each of four phase changes. For
each point the bench records:

* the bytes stored (the state, garbage-collected and compressed: collab/restore.py);
* the time the room is held: reading the state on the event loop (``doc.get_update()``);
* the time of the rest (compress, compare with the previous point), done in a worker thread.

Then the same for a board of 5,000 notes (``--big``), the size the REST benchmarks reach.

    .venv/bin/python load_tests/restore_points_bench.py [--edits 5000] [--people 8] [--big 5000]

Bounded: one process, no server, no network.
"""

from __future__ import annotations

import argparse
import json
import platform
import random
import statistics
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from pycrdt import Doc, Map

from collab.restore import content, doc_of_point, pack_state, summarize

_WORDS = [
    "kiosk", "queue", "self-service", "waiting", "app", "booking", "sms", "reminder", "staff",
    "counter", "price", "menu", "accessible", "shade", "seat", "map", "signage", "family",
    "elderly", "card", "cash", "receipt", "feedback",
]  # fmt: skip
DEPTH = 100


def _sentence(rng: random.Random) -> str:
    return " ".join(rng.choice(_WORDS) for _ in range(rng.randint(3, 12))).capitalize()


def _note(rng: random.Random, author: str) -> Map[Any]:
    stamp = "2026-12-06T09:00:00.000Z"
    return Map(
        {"text": _sentence(rng), "color": rng.choice(["yellow", "pink", "blue", "green"]),
         "x": rng.uniform(0, 3000), "y": rng.uniform(0, 2000), "clusterId": None,
         "authorId": author, "createdBy": author, "createdAt": stamp, "updatedAt": stamp}
    )  # fmt: skip


def _edit(rng: random.Random, doc: Doc[Any], author: str, clusters: list[str]) -> None:
    ideas = doc.get("ideas", type=Map)
    keys = list(ideas.keys())
    roll = rng.random()
    with doc.transaction():
        if roll < 0.3 or not keys:
            ideas[f"{author}-{rng.getrandbits(48):x}"] = _note(rng, author)
        elif roll < 0.7:
            ideas[rng.choice(keys)]["text"] = _sentence(rng)
        elif roll < 0.85:
            note = ideas[rng.choice(keys)]
            note["x"], note["y"] = rng.uniform(0, 3000), rng.uniform(0, 2000)
        elif roll < 0.95:
            ideas[rng.choice(keys)]["clusterId"] = rng.choice(clusters)
        else:
            del ideas[rng.choice(keys)]


def _point(server: Doc[Any], previous: bytes | None) -> dict[str, Any]:
    started = time.perf_counter()
    state = server.get_update()  # on the event loop in the server
    held = time.perf_counter() - started
    started = time.perf_counter()
    stored = pack_state(state)
    now = content(doc_of_point(stored, DEPTH))
    before = content(doc_of_point(previous, DEPTH)) if previous is not None else {}
    summary = summarize(before, now)
    worker = time.perf_counter() - started
    return {"stored": stored, "raw": len(state), "bytes": len(stored), "held_s": held,
            "worker_s": worker, "summary": summary}  # fmt: skip


def workshop(edits: int, people: int, seed: int) -> dict[str, Any]:
    rng = random.Random(seed)
    server: Doc[Any] = Doc()
    clients = [Doc() for _ in range(people)]
    clusters = [f"c{i}" for i in range(8)]
    every = max(1, edits // 24)  # 24 ten-minute stretches in four hours
    phase_at = {edits * k // 5 for k in range(1, 5)}  # four phase changes in the day
    points: list[dict[str, Any]] = []
    previous: bytes | None = None
    for n in range(1, edits + 1):
        who = rng.randrange(people)
        client = clients[who]
        before = client.get_state()
        _edit(rng, client, f"user{who}", clusters)
        server.apply_update(client.get_update(before))
        if n % 25 == 0:  # the others catch up now and then, as live rooms do continuously
            for other in clients:
                other.apply_update(server.get_update(other.get_state()))
        if n % every == 0 or n in phase_at:
            point = _point(server, previous)
            previous = point.pop("stored")
            points.append(point)
    sizes = [p["bytes"] for p in points]
    return {
        "edits": edits,
        "people": people,
        "points": len(points),
        "ideas_at_end": len(server.get("ideas", type=Map)),
        "raw_state_bytes_at_end": points[-1]["raw"],
        "stored_bytes_per_point": {"mean": round(statistics.mean(sizes)), "max": max(sizes)},
        "stored_bytes_total": sum(sizes),
        "held_ms": {"max": round(1000 * max(p["held_s"] for p in points), 3)},
        "worker_ms": {"max": round(1000 * max(p["worker_s"] for p in points), 1)},
        "last_summary": points[-1]["summary"],
    }


def big_board(notes: int, seed: int) -> dict[str, Any]:
    rng = random.Random(seed)
    doc: Doc[Any] = Doc()
    ideas = doc.get("ideas", type=Map)
    for start in range(0, notes, 500):
        with doc.transaction():
            for i in range(start, min(notes, start + 500)):
                ideas[f"n{i}"] = _note(rng, f"user{i % 8}")
    held = []
    for _ in range(5):
        started = time.perf_counter()
        doc.get_update()
        held.append(time.perf_counter() - started)
    point = _point(doc, None)
    return {"notes": notes, "raw_state_bytes": point["raw"], "stored_bytes": point["bytes"],
            "held_ms": {"median": round(1000 * statistics.median(held), 3),
                        "max": round(1000 * max(held), 3)},
            "worker_ms": round(1000 * point["worker_s"], 1)}  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--edits", type=int, default=5000)
    parser.add_argument("--people", type=int, default=8)
    parser.add_argument("--big", type=int, default=5000)
    parser.add_argument("--seed", type=int, default=20261206)
    parser.add_argument("--out", type=Path)
    args = parser.parse_args()
    result = {
        "when": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": f"{platform.machine()}, {platform.python_implementation()} "
        f"{platform.python_version()}",
        "workshop": workshop(args.edits, args.people, args.seed),
        "big_board": big_board(args.big, args.seed),
    }
    text = json.dumps(result, indent=2)
    print(text)
    if args.out is not None:
        args.out.write_text(text + "\n")


if __name__ == "__main__":
    main()
