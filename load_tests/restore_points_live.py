"""Restore points taken under load: does taking one stall the rooms of the node?

One node (pinned to a core of its own), one project grown to ``--seed`` notes through REST.
The fan-out of 100 rooms x 10 clients x 1 update/s (the scenario the REST benchmark uses) runs
twice for ``--duration`` seconds: alone, then while the project's owner takes a named restore
point every ``--every`` seconds (each reads the whole project's state on the event loop, then
compresses and compares it in a worker thread: http_api/versions.py). Reported per window:
the fan-out's p99 delivery, and the longest event-loop stall the node's own probe saw
(``dttools_event_loop_lag_seconds``, from /metrics before and after: the bound of the highest
bucket that filled), plus the points' sizes and how long the REST call took.

    .venv/bin/python load_tests/restore_points_live.py [--seed 5000] [--duration 20]
        [--every 1] [--update-docs]
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import time
from pathlib import Path
from typing import Any

import aiohttp

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from load_tests.bench_accounts import project_owner  # noqa: E402
from load_tests.rest_bench import (  # noqa: E402  (after the path set-up)
    _LAG,
    Mix,
    _lag_buckets,
    _longest_stall_ms,
    _seed,
)
from load_tests.run_bench import Server, loadgen, side_bench  # noqa: E402

_TIMEOUT = aiohttp.ClientTimeout(total=60)


async def _points(
    http: aiohttp.ClientSession, mix: Mix, every: float, until: float
) -> list[dict[str, Any]]:
    taken = []
    url = f"{mix.base}/v1/projects/{mix.project}/versions"
    n = 0
    while time.perf_counter() < until:
        started = time.perf_counter()
        async with http.post(url, json={"name": f"point {n}"}, headers=mix.headers[0]) as reply:
            body = await reply.json()
            if reply.status != 201:
                raise RuntimeError(f"point: {reply.status} {body}")
        taken.append({"ms": (time.perf_counter() - started) * 1000, "bytes": body["size"]})
        n += 1
        await asyncio.sleep(max(0.0, every - (time.perf_counter() - started)))
    return taken


async def _window(
    http: aiohttp.ClientSession,
    mix: Mix,
    server: Server,
    args: argparse.Namespace,
    name: str,
    with_points: bool,
) -> dict[str, Any]:
    before = await _lag_buckets(http, mix.base)
    points: asyncio.Task[list[dict[str, Any]]] | None = None
    if with_points:
        until = time.perf_counter() + args.duration + 3
        points = asyncio.create_task(_points(http, mix, args.every, until))
    fanout = await asyncio.to_thread(
        loadgen, server, "fanout", "--rooms", "100", "--clients", "10", "--rate", "1",
        "--duration", str(args.duration), "--warmup", "3", "--prefix", name,
    )  # fmt: skip
    taken = await points if points is not None else []
    after = await _lag_buckets(http, mix.base)
    row: dict[str, Any] = {
        "fanout_p99_ms": float(fanout["latency_ms"]["p99"]),
        "longest_stall_ms": _longest_stall_ms(before[_LAG], after[_LAG]),
        "points": len(taken),
    }
    if taken:
        row["point_ms_median"] = round(statistics.median(p["ms"] for p in taken), 1)
        row["point_bytes"] = taken[-1]["bytes"]
    print(name, row)
    return row


async def _run(server: Server, dsn: str, args: argparse.Namespace) -> dict[str, Any]:
    base = f"http://127.0.0.1:{server.port}"
    owner = await project_owner(dsn, base, "Points")
    mix = Mix(base, owner.project_id, [owner.headers])
    async with aiohttp.ClientSession(timeout=_TIMEOUT) as http:
        await _seed(http, mix, args.seed)
        alone = await _window(http, mix, server, args, "points-alone", False)
        beside = await _window(http, mix, server, args, "points-beside", True)
    return {"seed": args.seed, "every_s": args.every, "alone": alone, "beside": beside}


def _table(record: dict[str, Any]) -> str:
    alone, beside = record["alone"], record["beside"]
    return "\n".join(
        [
            f"Project of {record['seed']:,} notes; a named restore point every "
            f"{record['every_s']:g} s in the second window.",
            "",
            "| window | fan-out p99 (ms) | longest loop stall (ms) | points taken | REST call per point, median (ms) | bytes per point |",  # noqa: E501
            "|---|---|---|---|---|---|",
            f"| fan-out alone | {alone['fanout_p99_ms']:.1f} | {alone['longest_stall_ms']} | 0 | - | - |",  # noqa: E501
            f"| beside restore points | {beside['fanout_p99_ms']:.1f} | {beside['longest_stall_ms']} | {beside['points']} | {beside.get('point_ms_median', '-')} | {beside.get('point_bytes', '-'):,} |",  # noqa: E501
        ]
    )


def _arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--seed", type=int, default=5000)
    parser.add_argument("--duration", type=float, default=20.0)
    parser.add_argument("--every", type=float, default=1.0)


def main() -> None:
    side_bench(
        __doc__.split("\n\n")[0], _arguments, _run, kind="restore-points",
        script="restore_points_live.py", table=_table, pinned=True,
        lift=lambda _args: {"DTTOOLS_API_RATE_PER_S": "0"},
        setting="one node, one account with a real access token, server, PostgreSQL and "
        "generators on the same machine",
    )  # fmt: skip


if __name__ == "__main__":
    main()
