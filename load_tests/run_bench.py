"""Run the DTTools benchmarks against our server and the npm reference server, side by side.

Usage (from the repository root, after `make install`):

    .venv/bin/python load_tests/run_bench.py [--quick] [--only NAME ...] [--update-docs]

Both servers run as separate processes on 127.0.0.1 and face the same Node load generator
(load_tests/loadgen.mjs), one after the other, with the same parameters. CPU and memory are read
from /proc for the server's PID only. Every scenario is bounded in time; the driver stops only
the processes it started.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import time
import urllib.request
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
DTTOOLS = ROOT / ".venv" / "bin" / "dttools"
sys.path.insert(0, str(ROOT))
from tests.support.postgres import fresh_database  # noqa: E402 - after the path is set

REF_SERVER = HERE / "node_modules" / "@y" / "websocket-server" / "src" / "server.js"
DOC = ROOT / "docs" / "benchmarks.md"
TICKS = os.sysconf("SC_CLK_TCK")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICKS  # utime + stime


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError("no VmRSS")


@dataclass
class Server:
    """One server process under test."""

    name: str
    proc: subprocess.Popen[bytes]
    base: str
    port: int

    @property
    def pid(self) -> int:
        return self.proc.pid

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()


def wait_port(port: int, proc: subprocess.Popen[bytes], within_s: float = 30.0) -> None:
    deadline = time.monotonic() + within_s
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"server exited with {proc.returncode}")
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.05)
    raise RuntimeError(f"port {port} not ready after {within_s}s")


def start_redis() -> subprocess.Popen[bytes]:
    """A redis-server of our own on a free loopback port (no persistence)."""
    port = free_port()
    proc = subprocess.Popen(
        ["redis-server", "--port", str(port), "--bind", "127.0.0.1", "--save", "",
         "--appendonly", "no"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    wait_port(port, proc)
    proc.port = port  # type: ignore[attr-defined]
    return proc


def start_ours(database_url: str, redis_url: str | None = None) -> Server:
    port = free_port()
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "DTTOOLS_LOG_LEVEL": "warning",
        "DTTOOLS_LOG_FORMAT": "json",
        # The seeding clients send 10,000 updates as fast as they can; the reference server
        # has no rate limit, so lift ours (every other setting stays at its default).
        "DTTOOLS_UPDATES_PER_S": "1000000",
        "DTTOOLS_UPDATES_BURST": "1000000",
    }
    if redis_url:
        env["REDIS_URL"] = redis_url
    proc = subprocess.Popen(
        [str(DTTOOLS), "serve", "--host", "127.0.0.1", "--port", str(port)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    wait_port(port, proc)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:  # the port opens before migrations finish
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/readyz", timeout=2) as r:
                if r.status == 200:
                    break
        except OSError:
            time.sleep(0.05)
    return Server("dttools", proc, f"ws://127.0.0.1:{port}/collab", port)


def start_reference() -> Server:
    port = free_port()
    env = {**os.environ, "HOST": "127.0.0.1", "PORT": str(port)}
    env.pop("YPERSISTENCE", None)  # in-memory, as in the published reference figures
    proc = subprocess.Popen(
        ["node", str(REF_SERVER)], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    wait_port(port, proc)
    return Server("y-websocket-server", proc, f"ws://127.0.0.1:{port}", port)


def loadgen(server: Server, scenario: str, *args: str, ext: bool = False) -> dict[str, Any]:
    """Run one loadgen scenario; sample the server's CPU between measure-start and -end."""
    cmd = ["node", str(HERE / "loadgen.mjs"), "--scenario", scenario, "--base", server.base]
    cmd += list(args)
    if ext:
        cmd.append("--ext")
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, cwd=HERE, text=True)
    assert proc.stdout is not None
    result: dict[str, Any] = {}
    cpu0 = wall0 = 0.0
    for line in proc.stdout:
        event = json.loads(line)
        phase = event.get("phase")
        if phase == "measure-start":
            cpu0, wall0 = cpu_seconds(server.pid), time.monotonic()
            result["rss_start_mb"] = rss_mb(server.pid)
        elif phase == "measure-end":
            wall = time.monotonic() - wall0
            result["server_cpu_pct"] = 100 * (cpu_seconds(server.pid) - cpu0) / wall
            result["rss_end_mb"] = rss_mb(server.pid)
        elif phase == "connected":
            result["rss_connected_mb"] = rss_mb(server.pid)
        elif phase == "result":
            result.update(event)
        elif phase == "error":
            raise RuntimeError(f"{server.name} {scenario}: {event['error']}")
    if proc.wait(timeout=600) != 0:
        raise RuntimeError(f"loadgen {scenario} exited with {proc.returncode}")
    return result


# --- scenarios ---------------------------------------------------------------------------


@dataclass
class Bench:
    """A run: settings shared by every scenario."""

    database_url: str
    quick: bool
    results: dict[str, dict[str, Any]] = field(default_factory=dict)

    @property
    def duration(self) -> str:
        return "5" if self.quick else "20"

    @contextmanager
    def server(self, kind: str) -> Iterator[Server]:
        server = start_ours(self.database_url) if kind == "dttools" else start_reference()
        try:
            yield server
        finally:
            server.stop()

    def fanout(
        self, rooms: int, clients: int, rate: float, writers: int = 0
    ) -> Callable[[str], dict[str, Any]]:
        def run(kind: str) -> dict[str, Any]:
            with self.server(kind) as server:
                return loadgen(
                    server, "fanout", "--rooms", str(rooms), "--clients", str(clients),
                    "--rate", str(rate), "--writers", str(writers),
                    "--duration", self.duration, "--warmup", "3",
                    "--prefix", f"fanout-{uuid.uuid4().hex[:6]}",
                )  # fmt: skip

        return run

    def cross_node(self, rate: float) -> Callable[[str], dict[str, Any]]:
        """Every room's clients split over two nodes sharing Redis (ours only)."""

        def run(kind: str) -> dict[str, Any]:
            if kind != "dttools":
                return {}
            redis_proc = start_redis()
            url = f"redis://127.0.0.1:{redis_proc.port}/0"  # type: ignore[attr-defined]
            first, second = start_ours(self.database_url, url), start_ours(self.database_url, url)
            try:
                result = loadgen(
                    first, "fanout", "--base2", second.base, "--rooms", "100", "--clients", "10",
                    "--rate", str(rate), "--duration", self.duration, "--warmup", "3",
                    "--prefix", f"cross-{uuid.uuid4().hex[:6]}",
                )  # fmt: skip
                result["second_node_cpu_pct_unmeasured"] = True
                return result
            finally:
                first.stop()
                second.stop()
                redis_proc.terminate()
                redis_proc.wait()

        return run

    def idle(self, kind: str) -> dict[str, Any]:
        with self.server(kind) as server:
            before = rss_mb(server.pid)
            result = loadgen(
                server, "idle", "--rooms", "100", "--clients", "10", "--duration", "3",
                "--prefix", f"idle-{uuid.uuid4().hex[:6]}",
            )  # fmt: skip
            result["rss_before_mb"] = before
            result["mb_per_1000_clients"] = (result["rss_connected_mb"] - before) * 1000 / 1000
            return result

    def load_time(self, kind: str) -> dict[str, Any]:
        prefix = f"hist-{uuid.uuid4().hex[:6]}"
        with self.server(kind) as server:
            seeded = loadgen(server, "seed-history", "--updates", "10000", "--prefix", prefix,
                             ext=kind == "dttools")  # fmt: skip
            if kind != "dttools":
                result = loadgen(server, "load-time", "--repeat", "5", "--prefix", prefix)
                result["cold"] = False
                return {**seeded, **result}
        # ours: a fresh process, so the first joiner loads the room from PostgreSQL
        with self.server(kind) as server:
            result = loadgen(server, "load-time", "--repeat", "5", "--prefix", prefix)
            result["cold"] = True
            return {**seeded, **result}

    def storm(self, kind: str) -> dict[str, Any]:
        prefix = f"storm-{uuid.uuid4().hex[:6]}"
        with self.server(kind) as server:
            seeded = loadgen(
                server, "seed-large", "--bytes", str(4 * 1024 * 1024), "--prefix", prefix
            )
            result = loadgen(server, "storm", "--clients", "150", "--prefix", prefix)
            return {**seeded, **result}

    def presence(self, kind: str) -> dict[str, Any]:
        with self.server(kind) as server:
            return loadgen(
                server, "presence", "--rooms", "100", "--clients", "10", "--rate", "1",
                "--duration", self.duration, "--warmup", "3",
                "--prefix", f"presence-{uuid.uuid4().hex[:6]}",
            )  # fmt: skip


def scenarios(bench: Bench) -> dict[str, Callable[[str], dict[str, Any]]]:
    return {
        "fanout-50x4-2hz": bench.fanout(50, 4, 2),
        "fanout-100x10-1hz": bench.fanout(100, 10, 1),
        "fanout-100x10-3hz": bench.fanout(100, 10, 3),
        "idle-1000": bench.idle,
        "load-10k-history": bench.load_time,
        "storm-150-4mb": bench.storm,
        "one-writer-1000-observers": bench.fanout(1, 1001, 10, writers=1),
        "presence-1000": bench.presence,
        "cross-node-100x10-1hz": bench.cross_node(1),
        "cross-node-100x10-3hz": bench.cross_node(3),
        "cross-node-100x10-4hz": bench.cross_node(4),
        "cross-node-100x10-5hz": bench.cross_node(5),
        "cross-node-100x10-6hz": bench.cross_node(6),
        "cross-node-100x10-10hz": bench.cross_node(10),
    }


def median_result(results: list[dict[str, Any]]) -> dict[str, Any]:
    """Field-wise median of several runs' results (nested dicts included)."""
    if len(results) == 1:
        return results[0]
    merged: dict[str, Any] = {}
    for key, value in results[0].items():
        values = [r.get(key) for r in results]
        if isinstance(value, dict):
            merged[key] = median_result([v for v in values if isinstance(v, dict)])
        elif isinstance(value, (int, float)) and not isinstance(value, bool):
            merged[key] = statistics.median(v for v in values if isinstance(v, (int, float)))
        else:
            merged[key] = value
    return merged


# --- database ------------------------------------------------------------------------------


# --- report --------------------------------------------------------------------------------


def machine() -> dict[str, Any]:
    model = next(
        (line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
         if line.startswith("model name")),
        platform.processor(),
    )  # fmt: skip
    mem_kb = int(Path("/proc/meminfo").read_text().split()[1])
    node = subprocess.run(["node", "--version"], capture_output=True, text=True, check=True)
    return {
        "cpus": os.cpu_count(),
        "cpu_model": model,
        "memory_gb": round(mem_kb / 1024 / 1024, 1),
        "python": platform.python_version(),
        "node": node.stdout.strip(),
        "kernel": platform.release(),
    }


def _f(value: Any, digits: int = 1) -> str:
    return "-" if value is None else f"{value:.{digits}f}"


def markdown(results: dict[str, dict[str, Any]]) -> str:
    lines = [
        "| scenario | metric | dttools | y-websocket-server | ratio (ours / ref) |",
        "|---|---|---|---|---|",
    ]

    def row(name: str, metric: str, ours: float | None, ref: float | None, digits: int = 2) -> None:
        ratio = "-" if not ours or not ref else f"{ours / ref:.2f}"
        lines.append(f"| {name} | {metric} | {_f(ours, digits)} | {_f(ref, digits)} | {ratio} |")

    for name, pair in results.items():
        ours, ref = pair.get("dttools", {}), pair.get("y-websocket-server", {})
        if name.startswith("cross-node"):
            row(name, "p50 latency (ms), 2 nodes", ours["latency_ms"]["p50"], None)
            row(name, "p99 latency (ms), 2 nodes", ours["latency_ms"]["p99"], None)
            row(name, "deliveries/s (expected " + _f(ours["expected_deliveries_per_s"], 0) + ")",
                ours["deliveries_per_s"], None, 0)  # fmt: skip
        elif "latency_ms" in ours:
            row(
                name,
                "p50 latency (ms)",
                ours["latency_ms"]["p50"],
                ref.get("latency_ms", {}).get("p50"),
            )
            row(
                name,
                "p99 latency (ms)",
                ours["latency_ms"]["p99"],
                ref.get("latency_ms", {}).get("p99"),
            )
            row(name, "deliveries/s (expected " + _f(ours["expected_deliveries_per_s"], 0) + ")",
                ours["deliveries_per_s"], ref.get("deliveries_per_s"), 0)  # fmt: skip
            row(
                name,
                "server CPU (% of a core)",
                ours.get("server_cpu_pct"),
                ref.get("server_cpu_pct"),
                0,
            )
        elif "mb_per_1000_clients" in ours:
            row(
                name,
                "MB per 1,000 idle clients",
                ours["mb_per_1000_clients"],
                ref.get("mb_per_1000_clients"),
            )
        elif "median_ms" in ours:
            row(
                name,
                "first joiner (ms; ours cold from PostgreSQL)",
                ours["first_ms"],
                ref.get("first_ms"),
            )
            row(name, "median of 5 joiners (ms)", ours["median_ms"], ref.get("median_ms"))
        elif "synced_ms" in ours:
            row(
                name,
                "p50 time to synced (ms)",
                ours["synced_ms"]["p50"],
                ref.get("synced_ms", {}).get("p50"),
                0,
            )
            row(
                name,
                "p99 time to synced (ms)",
                ours["synced_ms"]["p99"],
                ref.get("synced_ms", {}).get("p99"),
                0,
            )
        elif "awareness_frames_in_per_s" in ours:
            row(
                name,
                "server CPU (% of a core)",
                ours.get("server_cpu_pct"),
                ref.get("server_cpu_pct"),
                0,
            )
            row(name, "awareness frames received/s", ours["awareness_frames_in_per_s"],
                ref.get("awareness_frames_in_per_s"), 0)  # fmt: skip
    return "\n".join(lines) + "\n"


def update_docs(table: str, meta: dict[str, Any], section: str) -> None:
    begin, end = f"<!-- {section}:begin -->", f"<!-- {section}:end -->"
    text = DOC.read_text(encoding="utf-8")
    m = meta["machine"]
    block = (
        f"{begin}\nMeasured {meta['date']} with `{meta['command']}` on {m['cpus']} cores "
        f"({m['cpu_model']}), {m['memory_gb']} GB RAM, Python {m['python']}, Node {m['node']}, "
        f"kernel {m['kernel']}; load generator on the same machine; medians of "
        f"{meta['repeat']} run(s) per server, alternating which server goes first. Raw data: "
        f"`load_tests/results/{meta['file']}`.\n\n{table}{end}"
    )
    start, stop = text.index(begin), text.index(end) + len(end)
    DOC.write_text(text[:start] + block + text[stop:], encoding="utf-8")


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--quick", action="store_true", help="5 s windows (smoke run)")
    parser.add_argument(
        "--repeat",
        type=int,
        default=1,
        help="runs per scenario and server, alternating servers; the table shows medians",
    )
    parser.add_argument("--only", nargs="*", help="scenario names to run")
    parser.add_argument(
        "--server", choices=["both", "dttools", "y-websocket-server"], default="both"
    )
    parser.add_argument(
        "--database-url",
        default=os.environ.get(
            "DTTOOLS_BENCH_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/postgres"
        ),
    )
    parser.add_argument(
        "--update-docs", action="store_true", help="rewrite a results section of docs/benchmarks.md"
    )
    parser.add_argument("--section", default="results", help="which results section to rewrite")
    args = parser.parse_args()
    if not (HERE / "node_modules" / "@y" / "websocket-server").is_dir():
        subprocess.run(
            ["npm", "ci", "--no-audit", "--no-fund", "--loglevel=error"], cwd=HERE, check=True
        )
    if not DTTOOLS.exists() or shutil.which("node") is None:
        sys.exit("run `make install` first; node is required")
    kinds = ["dttools", "y-websocket-server"] if args.server == "both" else [args.server]
    started = dt.datetime.now(dt.UTC)
    with fresh_database(args.database_url) as dsn:
        bench = Bench(dsn, args.quick)
        table = scenarios(bench)
        runs: dict[str, dict[str, list[dict[str, Any]]]] = {}
        for name in args.only or list(table):
            for attempt in range(args.repeat):
                # alternate which server goes first, so drift in the machine's load is shared
                order = kinds if attempt % 2 == 0 else kinds[::-1]
                for kind in order:
                    print(f"== {name} / {kind} (run {attempt + 1})", flush=True)
                    result = table[name](kind)
                    runs.setdefault(name, {}).setdefault(kind, []).append(result)
                    print(json.dumps(result), flush=True)
        bench.results = {
            name: {kind: median_result(results) for kind, results in per_kind.items()}
            for name, per_kind in runs.items()
        }
    out_dir = HERE / "results"
    out_dir.mkdir(exist_ok=True)
    file = started.strftime("%Y-%m-%dT%H%M%SZ") + (".quick" if args.quick else "") + ".json"
    command = "python load_tests/run_bench.py " + " ".join(sys.argv[1:])
    meta = {"date": started.strftime("%Y-%m-%d %H:%M UTC"), "command": command.strip(),
            "machine": machine(), "file": file}  # fmt: skip
    meta["repeat"] = args.repeat
    (out_dir / file).write_text(
        json.dumps({**meta, "results": bench.results, "runs": runs}, indent=2)
    )
    report = markdown(bench.results)
    print(report)
    if args.update_docs:
        update_docs(report, meta, args.section)


if __name__ == "__main__":
    main()
