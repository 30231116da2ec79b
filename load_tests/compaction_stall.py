"""How long a compaction holds up the event loop: in a thread, or in the node's worker process.

Stores a project's history in a fresh PostgreSQL database (``--updates`` REST-style creates of
ideas, about 0.4 KiB each, on top of a snapshot of ``--notes`` ideas), then compacts it while a
probe on the event loop asks to run every millisecond and records how late it ran: once with
the work in a thread (as compactions ran before) and once in a
:class:`rooms.worker_process.WorkerProcess` (the default now for histories of 64 KiB or
more), ``--repeat`` times each, alternating. The rows are written again before each run.
The worker process runs at its default lower CPU priority and, for comparison, at the
node's own. ``--one-cpu`` pins everything to one CPU, as a node given one core (where the
priority matters). Reported: the compaction's wall time and the probe's worst and
99th-percentile lateness.

    .venv/bin/python load_tests/compaction_stall.py [--notes 5000] [--updates 1000]

Bounded: a few compactions of a few MiB. Needs a PostgreSQL that lets it create a database
(``--database-url``, as run_bench.py); the database is dropped at the end.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import sys
import time
import uuid
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import asyncpg
from pycrdt import Doc

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from collab import schema  # noqa: E402  (after the path set-up)
from collab.artifacts import KINDS  # noqa: E402
from persistence.compaction import compact  # noqa: E402
from persistence.migrate import migrate  # noqa: E402
from persistence.update_log import UpdateLog  # noqa: E402
from rooms.transact import UpdateCapture  # noqa: E402
from rooms.worker_process import WorkerProcess  # noqa: E402

_NOW = datetime(2026, 12, 6, 12, 0, tzinfo=UTC)


def _history(notes: int, updates: int) -> tuple[bytes, list[bytes]]:
    """A board of ``notes`` ideas as one snapshot-like update, then ``updates`` creates."""
    kind = KINDS["ideas"]
    doc: Doc[Any] = Doc()

    def create(n: int) -> None:
        body = kind.create.model_validate({"text": f"idea {n}: a kiosk at the entrance", "x": n})
        schema.create_item(doc, kind, body, author_id="u", now=_NOW, item_id=str(uuid.uuid4()))

    for n in range(notes):
        create(n)
    base = doc.get_update()
    rows = []
    for n in range(updates):
        capture = UpdateCapture(doc)
        with capture:
            create(notes + n)
        rows.append(capture.update)
    return base, rows


async def _probe(stop: asyncio.Event, late: list[float]) -> None:
    while not stop.is_set():
        due = time.perf_counter() + 0.001
        await asyncio.sleep(0.001)
        late.append(max(0.0, time.perf_counter() - due) * 1000)


async def _one(
    pool: asyncpg.Pool, room: str, base: bytes, rows: list[bytes],
    offload: Callable[..., Awaitable[Any]] | None,
) -> dict[str, float]:  # fmt: skip
    log = UpdateLog(pool)
    await pool.execute("DELETE FROM room_updates WHERE room = $1", room)
    await pool.execute("DELETE FROM room_snapshots WHERE room = $1", room)
    await log.append([room] * (len(rows) + 1), [base, *rows])
    stop, late = asyncio.Event(), []
    probe = asyncio.create_task(_probe(stop, late))
    await asyncio.sleep(0.05)
    late.clear()
    started = time.perf_counter()
    result = await compact(pool, room, offload=offload)
    took = (time.perf_counter() - started) * 1000
    stop.set()
    await probe
    assert result is not None
    late.sort()
    return {"compaction_ms": took, "worst_ms": late[-1], "p99_ms": late[int(len(late) * 0.99)]}


async def _main(args: argparse.Namespace) -> None:
    name = f"dttools_stall_{uuid.uuid4().hex[:8]}"
    admin = await asyncpg.connect(args.database_url)
    await admin.execute(f'CREATE DATABASE "{name}"')
    url = args.database_url.rsplit("/", 1)[0] + f"/{name}"
    if args.one_cpu:  # the node given one core: its worker processes inherit the pinning
        os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})
    worker = WorkerProcess()
    level = WorkerProcess(niceness=0)  # the worker at the node's own CPU priority
    try:
        pool = await asyncpg.create_pool(url, min_size=2, max_size=4)
        assert pool is not None
        async with pool.acquire() as conn:
            await migrate(conn)
        base, rows = _history(args.notes, args.updates)
        size = (len(base) + sum(map(len, rows))) // 1024
        print(f"history: {args.notes} notes + {args.updates} updates, {size} KiB")
        for started in (worker, level):  # before the runs: start-up is not measured
            await started.run(sum, [0])
        modes: dict[str, Callable[..., Awaitable[Any]] | None] = {
            "thread": None,
            "worker process": worker.run,
            "worker process, the node's priority": level.run,
        }
        runs: dict[str, list[dict[str, float]]] = {where: [] for where in modes}
        for _ in range(args.repeat):
            for where, offload in modes.items():
                runs[where].append(await _one(pool, "stall-room", base, rows, offload))
        await pool.close()
    finally:
        worker.close()
        level.close()
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await admin.close()
    print("| compaction in | compaction (ms) | loop lateness, worst (ms) | p99 (ms) |")
    print("|---|---|---|---|")
    for where, results in runs.items():
        cells = [statistics.median(r[key] for r in results) for key in results[0]]
        print(f"| {where} | " + " | ".join(f"{value:.1f}" for value in cells) + " |")
    print(f"(medians of {args.repeat}; each run: {runs})")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--notes", type=int, default=5000)
    parser.add_argument("--updates", type=int, default=1000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument(
        "--one-cpu", action="store_true", help="run on one CPU, worker processes included"
    )
    parser.add_argument(
        "--database-url",
        default=os.environ.get(
            "DTTOOLS_BENCH_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/postgres"
        ),
    )
    asyncio.run(_main(parser.parse_args()))


if __name__ == "__main__":
    main()
