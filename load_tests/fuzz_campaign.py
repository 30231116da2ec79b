"""A longer structural fuzzing campaign against a running node, with a bystander measuring.

Usage (from the repository root, after `make install`):

    .venv/bin/python load_tests/fuzz_campaign.py [--seconds 60] [--attackers 4] [--seed 1]

Starts one `dttools serve` on 127.0.0.1 (fresh database, dropped afterwards). Attackers connect
to their own rooms and send the hostile update shapes of tests/support/hostile.py (nesting far
past the limit, in one update or chained, deep values, huge ids, long deletes, floods of tiny
structs, missing anchors, a client stated twice), reconnecting after each close. A bystander
in another room makes an edit every 100 ms and times it until the server says it is durable,
and /healthz is polled. At the end the node must still run, every close code must be one of
the documented refusals, and every attacked room must load again for a fresh client.

Bounded: the campaign stops after --seconds, and the driver stops only the process it started.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import sys
import time
import urllib.request
from collections import Counter
from pathlib import Path
from typing import Any

import websockets

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "load_tests"))

from run_bench import Launcher, bench_database  # noqa: E402

from collab.close import CloseCode  # noqa: E402
from collab.codec import encode  # noqa: E402
from collab.messages import SyncStep1, Update  # noqa: E402
from tests.support.hostile import HostileUpdates  # noqa: E402
from tests.support.yclient import YClient, append_item  # noqa: E402

REFUSALS = {
    CloseCode.INVALID_PAYLOAD,
    CloseCode.NESTING_TOO_DEEP,
    CloseCode.TRY_AGAIN_LATER,
    CloseCode.RATE_LIMITED,
    CloseCode.DOCUMENT_TOO_LARGE,
    CloseCode.MESSAGE_TOO_BIG,
}


async def attacker(base: str, n: int, seed: int, until: float, stats: Counter[str]) -> set[str]:
    source = HostileUpdates(seed * 1000 + n)
    rooms: set[str] = set()
    while time.monotonic() < until:
        kind, updates = source.make()
        room = f"fuzz-{seed}-{n}-{kind}"
        rooms.add(room)
        for update in updates:
            if time.monotonic() >= until:
                break
            try:
                async with websockets.connect(f"{base}/{room}", max_size=None) as ws:
                    await ws.send(encode(SyncStep1(b"\x00")))
                    await ws.send(encode(Update(update)))
                    try:
                        async with asyncio.timeout(2):
                            async for _ in ws:
                                pass
                    except TimeoutError:
                        stats["kept open"] += 1
                        continue
                    except websockets.ConnectionClosed:
                        pass  # closed with an error code: counted below
                    stats[f"closed {ws.close_code}"] += 1
            except (OSError, websockets.WebSocketException) as exc:
                stats[f"connect failed: {type(exc).__name__}"] += 1
        stats[f"shape {kind}"] += 1
    return rooms


async def bystander(base: str, until: float) -> list[float]:
    latencies: list[float] = []
    async with await YClient.connect(base, "bystander") as client:
        await client.wait_synced()
        i = 0
        while time.monotonic() < until:
            started = time.perf_counter()
            await client.edit(append_item(f"edit {i}"))
            await client.wait_durable()
            latencies.append((time.perf_counter() - started) * 1000)
            i += 1
            await asyncio.sleep(0.1)
    return latencies


def health_ms(url: str) -> float:
    started = time.perf_counter()
    with urllib.request.urlopen(url, timeout=5) as reply:
        assert reply.status == 200
    return (time.perf_counter() - started) * 1000


async def health(url: str, until: float) -> list[float]:
    samples: list[float] = []
    while time.monotonic() < until:
        samples.append(await asyncio.to_thread(health_ms, url))
        await asyncio.sleep(0.25)
    return samples


def _percentiles(values: list[float]) -> dict[str, float]:
    if not values:
        return {}
    ordered = sorted(values)
    return {
        "p50": round(statistics.median(ordered), 1),
        "p99": round(ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))], 1),
        "max": round(ordered[-1], 1),
        "n": len(ordered),
    }


async def campaign(args: argparse.Namespace, database_url: str) -> dict[str, Any]:
    server = Launcher(database_url).ours(pinned=False)
    try:
        until = time.monotonic() + args.seconds
        stats: Counter[str] = Counter()
        health_url = f"http://127.0.0.1:{server.port}/healthz"
        results = await asyncio.gather(
            bystander(server.base, until),
            health(health_url, until),
            *(attacker(server.base, n, args.seed, until, stats) for n in range(args.attackers)),
        )
        latencies, healthz, *room_sets = results
        alive = server.proc.poll() is None
        loadable = 0
        rooms = sorted(set().union(*room_sets))
        for room in rooms:
            async with await YClient.connect(server.base, room) as fresh:
                await fresh.wait_synced()
                loadable += 1
        codes = {k: v for k, v in stats.items() if k.startswith("closed ")}
        unexpected = [k for k in codes if int(k.split()[1]) not in REFUSALS]
        return {
            "seconds": args.seconds,
            "attackers": args.attackers,
            "seed": args.seed,
            "node_alive": alive,
            "rooms_attacked": len(rooms),
            "rooms_loadable": loadable,
            "outcomes": dict(sorted(stats.items())),
            "unexpected_close_codes": unexpected,
            "bystander_durable_ms": _percentiles(latencies),
            "healthz_ms": _percentiles(healthz),
        }
    finally:
        server.stop()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--attackers", type=int, default=4)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument(
        "--admin-dsn",
        default=os.environ.get(
            "DTTOOLS_BENCH_ADMIN_DSN", "postgresql://postgres@127.0.0.1:5432/postgres"
        ),
    )
    args = parser.parse_args()
    with bench_database(args.admin_dsn) as database_url:
        report = asyncio.run(campaign(args, database_url))
    print(json.dumps(report, indent=2))
    ok = (
        report["node_alive"]
        and not report["unexpected_close_codes"]
        and report["rooms_loadable"] == report["rooms_attacked"]
    )
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
