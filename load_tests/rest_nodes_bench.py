"""REST on one node for a room busy on another: forwarded, or loaded a second time.

Two of our nodes share PostgreSQL and a Redis of their own (127.0.0.1, free ports). On node
A, 10 authenticated Yjs clients (loadgen ``fanout``) edit one project of 200 ideas (about
400 KiB), each 5 updates/s: a busy room. An integrator reads the same project through node B
for ``--duration`` s (open loop: half first pages of the idea list, half single ideas), at
each rate of ``--rates`` (sparse polling, then sustained). Each rate is run twice:

* **forwarding on**: A advertises its URL (``DTTOOLS_NODE_URL``), so B forwards requests for
  the project to A, up to ``FORWARD_PER_WINDOW`` per minute, then loads a copy;
* **copy**: no node advertises, so B loads the project at once and keeps its copy current by
  applying every update the editors on A make, as every node did before forwarding.

Reported per run: REST p50/p95/p99 at B, CPU of A and of B over the REST window, B's RSS
growth, whether B had the room open at the end, and the fan-out p99 of A's editors.

    .venv/bin/python load_tests/rest_nodes_bench.py [--rates 1 100] [--duration 20] [--update-docs]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import sys
import threading
import time
import uuid
from pathlib import Path
from typing import Any

import aiohttp

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from load_tests.bench_accounts import create_cohort  # noqa: E402  (after the path set-up)
from load_tests.run_bench import (  # noqa: E402
    Auth,
    Launcher,
    Server,
    bench_database,
    cpu_seconds,
    free_port,
    loadgen,
    publish,
    side_bench_arguments,
    start_redis,
    status_mb,
)

_TIMEOUT = aiohttp.ClientTimeout(total=30)
EDITORS, EDITS_PER_S = 10, 5


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))] if ordered else 0.0


async def _rooms_open(http: aiohttp.ClientSession, server: Server) -> float:
    async with http.get(f"http://127.0.0.1:{server.port}/metrics") as response:
        for line in (await response.text()).splitlines():
            if line.startswith("dttools_rooms_open "):
                return float(line.split()[1])
    return 0.0


async def _reads(
    a: Server, b: Server, project: str, token: str, rate: int, duration: float
) -> dict[str, Any]:
    headers = {"Authorization": f"Bearer {token}"}
    rng = random.Random(7)
    async with aiohttp.ClientSession(timeout=_TIMEOUT) as http:
        base_a, base_b = f"http://127.0.0.1:{a.port}/v1", f"http://127.0.0.1:{b.port}/v1"
        ids: list[str] = []
        for start in range(0, 200, 20):  # the board: 200 ideas of 2,000 characters, via A
            made = await asyncio.gather(*(
                http.post(f"{base_a}/projects/{project}/ideas",
                          json={"text": f"n{n} " + "x" * 2000}, headers=headers)
                for n in range(start, start + 20)
            ))  # fmt: skip
            ids += [(await r.json())["id"] for r in made]
        times: list[float] = []
        errors = 0

        async def one() -> None:
            nonlocal errors
            if rng.random() < 0.5:
                url = f"{base_b}/projects/{project}/ideas?limit=50"
            else:
                url = f"{base_b}/ideas/{rng.choice(ids)}"
            started = time.perf_counter()
            try:
                async with http.get(url, headers=headers) as response:
                    await response.read()
                    errors += response.status != 200
            except (aiohttp.ClientError, TimeoutError):
                errors += 1
            times.append((time.perf_counter() - started) * 1000)

        rss_b = status_mb(b.pid)
        cpu_a, cpu_b, began = cpu_seconds(a.pid), cpu_seconds(b.pid), time.perf_counter()
        tasks = []
        for n in range(int(rate * duration)):
            delay = began + n / rate - time.perf_counter()
            if delay > 0:
                await asyncio.sleep(delay)
            tasks.append(asyncio.create_task(one()))
        await asyncio.gather(*tasks)
        wall = time.perf_counter() - began
        return {
            "requests": len(times),
            "errors": errors,
            "p50_ms": round(_percentile(times, 0.5), 1),
            "p95_ms": round(_percentile(times, 0.95), 1),
            "p99_ms": round(_percentile(times, 0.99), 1),
            "cpu_a_pct": round((cpu_seconds(a.pid) - cpu_a) / wall * 100, 1),
            "cpu_b_pct": round((cpu_seconds(b.pid) - cpu_b) / wall * 100, 1),
            "rss_growth_b_mb": round(status_mb(b.pid) - rss_b, 1),
            "rooms_open_on_b": await _rooms_open(http, b),
        }


def _run(dsn: str, forwarded: bool, rate: int, duration: float) -> dict[str, Any]:
    auth = Auth.new()
    redis_proc = start_redis()
    url = f"redis://127.0.0.1:{redis_proc.port}/0"  # type: ignore[attr-defined]
    launcher = Launcher(dsn)
    port_a = free_port()
    # one account sends every request: measure the API, not the per-account budget
    lift = {"DTTOOLS_API_RATE_PER_S": "0"}
    node_url = {"DTTOOLS_NODE_URL": f"http://127.0.0.1:{port_a}"} if forwarded else {}
    a = launcher.ours(url, pinned=False, auth=auth, port=port_a, lift={**lift, **node_url})
    b = launcher.ours(url, pinned=False, auth=auth, lift=lift)
    try:
        cohort = asyncio.run(
            create_cohort(dsn, rooms=1, per_room=EDITORS, secret=auth.secret,
                          ttl_s=auth.ttl_s, label=f"nodes-{uuid.uuid4().hex[:6]}")
        )  # fmt: skip
        tokens = cohort.write(launcher.logs / f"tokens-{uuid.uuid4().hex[:8]}.json")
        editing: dict[str, Any] = {}

        def editors() -> None:
            editing.update(loadgen(
                a, "fanout", "--tokens", str(tokens), "--rooms", "1", "--clients", str(EDITORS),
                "--rate", str(EDITS_PER_S), "--duration", str(duration + 4), "--warmup", "2",
            ))  # fmt: skip

        thread = threading.Thread(target=editors)
        thread.start()
        time.sleep(3)  # connected, advertised (A's maintenance runs every second)
        row = asyncio.run(_reads(a, b, cohort.rooms[0], cohort.tokens[0][0], rate, duration))
        thread.join()
        row["fanout_p99_on_a_ms"] = round(float(editing["latency_ms"]["p99"]), 2)
        row["mode"] = "forwarding on" if forwarded else "copy"
        row["rate"] = rate
        print(json.dumps(row), flush=True)
        return row
    finally:
        a.stop()
        b.stop()
        redis_proc.terminate()
        redis_proc.wait()


def _table(record: dict[str, Any]) -> str:
    lines = [
        f"Reads through node B for {record['duration']:g} s while {EDITORS} clients on node A "
        f"each made {EDITS_PER_S} updates/s in the same project:",
        "",
        "| reads/s at B | B's answer | requests | errors | p50 (ms) | p95 (ms) | p99 (ms) | "
        "CPU of A (% of a core) | CPU of B (% of a core) | B's RSS growth (MiB) | room open on "
        "B at the end | fan-out p99 on A (ms) |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for r in record["runs"]:
        lines.append(
            f"| {r['rate']} | {r['mode']} | {r['requests']} | {r['errors']} | "
            f"{r['p50_ms']:.1f} | {r['p95_ms']:.1f} | {r['p99_ms']:.1f} | "
            f"{r['cpu_a_pct']:.1f} | {r['cpu_b_pct']:.1f} | {r['rss_growth_b_mb']:.1f} | "
            f"{'yes' if r['rooms_open_on_b'] else 'no'} | {r['fanout_p99_on_a_ms']:.2f} |"
        )
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rates", type=int, nargs="+", default=[1, 100])
    parser.add_argument("--duration", type=float, default=20.0)
    side_bench_arguments(parser)
    args = parser.parse_args()
    runs = []
    for rate in args.rates:
        for forwarded in (True, False):
            with bench_database(args.database_url) as dsn:
                runs.append(_run(dsn, forwarded, rate, args.duration))
    measured = {"rates": args.rates, "duration": args.duration, "runs": runs}
    publish(
        "rest-nodes", "rest_nodes_bench.py", measured, _table, update=args.update_docs,
        setting="two nodes, their Redis, PostgreSQL and the generators on the same machine",
    )  # fmt: skip


if __name__ == "__main__":
    main()
