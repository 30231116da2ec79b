"""Run the DTTools benchmarks against our server and the npm reference server, side by side.

Usage (from the repository root, after `make install`):

    .venv/bin/python load_tests/run_bench.py [--quick] [--only NAME ...] [--update-docs]

Both servers run as separate processes on 127.0.0.1 and face the same Node load generator
(load_tests/loadgen.mjs), one after the other, with the same parameters. CPU and memory are read
from /proc for the server's PID only (plus, for context, the generator's and PostgreSQL's CPU and
whatever else kept the machine busy). Every scenario is bounded in time; the driver stops only
the processes it started, by PID. Our server gets a fresh database `dttools_bench_<random>`,
dropped at the end of the run.

Many-client scenarios (not in the default set; run with --only): join-storm-5000,
join-storm-20000 (ours: two nodes sharing a Redis, rooms placed by a hash of their name),
join-storm-20000-one-node (ours only), idle-10000, idle-rooms-2000 and restart-5000 (stock
y-websocket WebsocketProvider clients; the server is restarted on the same port). In these our
server runs WITH authentication: DTTOOLS_OPEN_ROOMS unset, a random DTTOOLS_JWT_SECRET per run,
and one account, login session and access token per client, each room a project whose clients
are members (load_tests/bench_accounts.py). The generator forks a worker per 5,000 sockets
(RLIMIT_NOFILE is per process).
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import json
import math
import os
import platform
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
import uuid
from collections.abc import Callable, Coroutine, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from bench_accounts import create_cohort, new_jwt_secret

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
DTTOOLS = ROOT / ".venv" / "bin" / "dttools"
REF_SERVER = HERE / "node_modules" / "@y" / "websocket-server" / "src" / "server.js"
DOC = ROOT / "docs" / "benchmarks.md"
RESULTS = HERE / "results"
TICKS = os.sysconf("SC_CLK_TCK")
OURS, REF = "dttools", "y-websocket-server"
READY_WITHIN_S = 30.0

# --- /proc ---------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _stat(pid: int | str) -> tuple[str, float]:
    """(command name, utime + stime in seconds) of one process."""
    text = Path(f"/proc/{pid}/stat").read_text()
    comm = text[text.index("(") + 1 : text.rindex(")")]
    fields = text.rsplit(")", 1)[1].split()
    return comm, (int(fields[11]) + int(fields[12])) / TICKS


def cpu_seconds(pid: int) -> float:
    return _stat(pid)[1]


def cpu_seconds_with_children(pid: int) -> float:
    """CPU seconds of ``pid`` and of its live children (the generator's forked workers)."""
    total = cpu_seconds(pid)
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            text = (entry / "stat").read_text()
            if int(text.rsplit(")", 1)[1].split()[1]) == pid:  # field 4: the parent's PID
                total += _stat(entry.name)[1]
        except (OSError, ValueError, IndexError):
            continue  # the process ended meanwhile
    return total


def postgres_cpu_seconds() -> float:
    """CPU seconds of every PostgreSQL process on the machine (read only; for context)."""
    total = 0.0
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            comm, seconds = _stat(entry.name)
        except (OSError, ValueError, IndexError):
            continue  # the process ended meanwhile
        if comm.startswith("postgres"):
            total += seconds
    return total


def machine_busy_seconds() -> float:
    """Non-idle CPU seconds of the whole machine, all cores (first line of /proc/stat)."""
    values = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    idle = values[3] + values[4]  # idle + iowait
    return (sum(values[:8]) - idle) / TICKS  # user..steal; guest time is inside user


def status_mb(pid: int, key: str = "VmRSS") -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(key + ":"):
            return int(line.split()[1]) / 1024
    raise RuntimeError(f"no {key} for {pid}")


def rss_mb(pid: int) -> float:
    return status_mb(pid, "VmRSS")


def reset_peak_rss(pid: int) -> bool:
    """Restart VmHWM (peak RSS) of ``pid`` from its current RSS (Linux 4.0+; needs ptrace
    rights over the process, which the driver has over the servers it started)."""
    try:
        Path(f"/proc/{pid}/clear_refs").write_text("5")
    except OSError:
        return False
    return True


@dataclass
class CpuWindow:
    """CPU of the server, the generator, PostgreSQL and the machine over a measured window."""

    server_pid: int
    loadgen_pid: int
    #: more processes of the server under test (a second node), summed into "server"
    extra_server_pids: tuple[int, ...] = ()
    #: helper processes reported on their own (e.g. redis), not counted as "other"
    helper_pids: tuple[int, ...] = ()
    start: dict[str, float] = field(default_factory=dict)

    def _now(self) -> dict[str, float]:
        return {
            "wall": time.monotonic(),
            "server": sum(cpu_seconds(p) for p in (self.server_pid, *self.extra_server_pids)),
            "loadgen": cpu_seconds_with_children(self.loadgen_pid),
            "helpers": sum(cpu_seconds(p) for p in self.helper_pids),
            "postgres": postgres_cpu_seconds(),
            "machine": machine_busy_seconds(),
        }

    def begin(self) -> None:
        self.start = self._now()

    def end(self) -> dict[str, float]:
        now = self._now()
        wall = now["wall"] - self.start["wall"]
        pct = {k: 100 * (now[k] - self.start[k]) / wall for k in now if k != "wall"}
        other = pct["machine"] - pct["server"] - pct["loadgen"] - pct["postgres"]
        other -= pct["helpers"]
        window = {
            "window_wall_s": wall,
            "server_cpu_pct": pct["server"],
            "loadgen_cpu_pct_proc": pct["loadgen"],
            "postgres_cpu_pct": pct["postgres"],
            "machine_cpu_pct": pct["machine"],
            "other_cpu_pct": max(0.0, other),
        }
        if self.helper_pids:
            window["helper_cpu_pct"] = pct["helpers"]
        return window


# --- database ------------------------------------------------------------------------------


def _with_database(dsn: str, database: str) -> str:
    parts = urlsplit(dsn)
    return urlunsplit((parts.scheme, parts.netloc, "/" + database, parts.query, parts.fragment))


@contextmanager
def bench_database(admin_dsn: str) -> Iterator[str]:
    """A fresh database dttools_bench_<random> for this run, dropped afterwards."""
    import asyncpg  # in the project venv

    name = f"dttools_bench_{uuid.uuid4().hex[:12]}"

    async def run(sql: str) -> None:
        conn = await asyncpg.connect(admin_dsn, timeout=10)
        try:
            await conn.execute(sql)
        finally:
            await conn.close()

    asyncio.run(run(f'CREATE DATABASE "{name}"'))
    try:
        yield _with_database(admin_dsn, name)
    finally:
        asyncio.run(run(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


# --- servers -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Pinning:
    """The CPUs the server under test and the load generator run on (None: wherever).

    Unpinned, the kernel tends to wake the generator on the core of the server that just wrote
    to it, so the two take turns on one core while the other idles, and where each lands
    changes from run to run. Pinning each to a core of its own (the same two cores for both
    servers) takes that placement out of the comparison. PostgreSQL stays unpinned.
    """

    server: frozenset[int] | None = None
    generator: frozenset[int] | None = None

    @classmethod
    def split(cls) -> Pinning:
        """Server on the first CPU this process may use, generator on the second."""
        if not hasattr(os, "sched_setaffinity"):
            return cls()
        cpus = sorted(os.sched_getaffinity(0))
        if len(cpus) < 2:
            return cls()
        return cls(frozenset(cpus[:1]), frozenset(cpus[1:2]))

    def describe(self) -> str:
        if self.server is None or self.generator is None:
            return "no CPU pinning"
        return (
            f"server pinned to CPU {min(self.server)}, load generator to CPU "
            f"{min(self.generator)}, PostgreSQL unpinned"
        )


def on_cpus(cpus: frozenset[int] | None) -> Callable[[], None] | None:
    """A ``preexec_fn`` that confines the child (and every thread it starts) to ``cpus``."""
    if cpus is None:
        return None
    return lambda: os.sched_setaffinity(0, cpus)


@dataclass
class Server:
    """One server process under test, and where the generator facing it runs."""

    name: str
    proc: subprocess.Popen[bytes]
    base: str
    port: int
    log: Path
    generator_cpus: frozenset[int] | None = None

    @property
    def pid(self) -> int:
        return self.proc.pid

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                print(f"!! {self.name} (pid {self.pid}) ignored SIGTERM for 30 s; killing it")
                self.proc.kill()
                self.proc.wait()

    def log_tail(self, lines: int = 20) -> str:
        try:
            return "\n".join(self.log.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return ""


def wait_port(port: int, proc: subprocess.Popen[bytes], within_s: float = READY_WITHIN_S) -> None:
    deadline = time.monotonic() + within_s
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"server exited with {proc.returncode} before listening")
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.05)
    raise RuntimeError(f"port {port} not listening after {within_s} s")


def wait_ready(url: str, proc: subprocess.Popen[bytes], within_s: float = READY_WITHIN_S) -> None:
    deadline = time.monotonic() + within_s
    last = ""
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"server exited with {proc.returncode} before it was ready")
        try:
            with urllib.request.urlopen(url, timeout=2) as r:
                if r.status == 200:
                    return
                last = f"HTTP {r.status}"
        except OSError as exc:
            last = str(exc)
        time.sleep(0.1)
    raise RuntimeError(f"{url} not ready after {within_s} s (last: {last})")


@dataclass(frozen=True)
class Auth:
    """Our server with authentication: the run's random JWT signing key (never stored)."""

    secret: str
    #: access tokens (and the server's own TTL setting) outlive any run
    ttl_s: float = 4 * 3600.0

    @classmethod
    def new(cls) -> Auth:
        return cls(new_jwt_secret())


class Launcher:
    """Starts server processes on free loopback ports; their logs go to one temp folder."""

    def __init__(self, database_url: str, pinning: Pinning | None = None) -> None:
        self.database_url = database_url
        self.pinning = pinning or Pinning()
        self.logs = Path(tempfile.gettempdir()) / f"dttools-bench-{uuid.uuid4().hex[:8]}"
        self.count = 0

    def _log(self, name: str) -> Path:
        self.logs.mkdir(exist_ok=True)
        self.count += 1
        return self.logs / f"{self.count:03d}-{name}.log"

    def ours(
        self,
        redis_url: str | None = None,
        *,
        pinned: bool = True,
        auth: Auth | None = None,
        port: int | None = None,
        lift: dict[str, str] | None = None,
    ) -> Server:
        """Our server; ``pinned=False`` for runs of several nodes (they share the machine).

        ``auth``: rooms need an access token (``DTTOOLS_OPEN_ROOMS`` unset) signed with its
        secret. ``port``: listen there (a restart on the same port). ``lift``: more settings
        raised for one scenario (listed in its result).
        """
        port = port or free_port()
        pin = self.pinning if pinned else Pinning()
        env = {
            **os.environ,
            "DATABASE_URL": self.database_url,
            "DTTOOLS_LOG_LEVEL": os.environ.get("BENCH_LOG_LEVEL", "warning"),
            "DTTOOLS_LOG_FORMAT": "json",
            # The seeding clients send 10,000 updates as fast as they can; the reference server
            # has no rate limit, so lift ours (every other setting stays at its default).
            "DTTOOLS_UPDATES_PER_S": "1000000",
            "DTTOOLS_UPDATES_BURST": "1000000",
            # The generator's clients are anonymous, like the reference server's: rooms are
            # served without accounts (auth is measured nowhere here; it adds one token check
            # and one membership query per connection, not per message).
            "DTTOOLS_OPEN_ROOMS": "true",
            # Every generated client comes from 127.0.0.1: 1,000 observers and more would
            # pass the per-address fair share meant for one real network.
            "DTTOOLS_MAX_SOCKETS_PER_ADDRESS": "1000000",
            # ... and 1,000 of them connect at once: more than the pending-connection share
            # of one address (DTTOOLS_MAX_PENDING_PER_ADDRESS, meant for one real network).
            "DTTOOLS_MAX_PENDING_PER_ADDRESS": "1000000",
        }
        if auth is not None:
            # Authenticated rooms, as in production: each client has its own account, login
            # session and access token (load_tests/bench_accounts.py), checked in full.
            del env["DTTOOLS_OPEN_ROOMS"]
            env["DTTOOLS_JWT_SECRET"] = auth.secret
            env["DTTOOLS_ACCESS_TOKEN_TTL_S"] = str(auth.ttl_s)
        env.update(lift or {})
        env.pop("REDIS_URL", None)
        if redis_url:
            env["REDIS_URL"] = redis_url
        log = self._log(OURS)
        with log.open("wb") as out:
            proc = subprocess.Popen(
                [str(DTTOOLS), "serve", "--host", "127.0.0.1", "--port", str(port)],
                env=env, stdout=out, stderr=subprocess.STDOUT, preexec_fn=on_cpus(pin.server),
            )  # fmt: skip
        server = Server(OURS, proc, f"ws://127.0.0.1:{port}/collab", port, log, pin.generator)
        try:
            wait_port(port, proc)
            wait_ready(f"http://127.0.0.1:{port}/readyz", proc)  # migrations may still run
        except RuntimeError as exc:
            server.stop()
            raise RuntimeError(f"{exc}; log {log}:\n{server.log_tail()}") from exc
        return server

    def reference(self, port: int | None = None) -> Server:
        port = port or free_port()
        env = {**os.environ, "HOST": "127.0.0.1", "PORT": str(port)}
        env.pop("YPERSISTENCE", None)  # in memory, no persistence
        log = self._log(REF)
        with log.open("wb") as out:
            proc = subprocess.Popen(
                ["node", str(REF_SERVER)], env=env, stdout=out, stderr=subprocess.STDOUT,
                preexec_fn=on_cpus(self.pinning.server),
            )  # fmt: skip
        server = Server(REF, proc, f"ws://127.0.0.1:{port}", port, log, self.pinning.generator)
        try:
            wait_port(port, proc)
        except RuntimeError as exc:
            server.stop()
            raise RuntimeError(f"{exc}; log {log}:\n{server.log_tail()}") from exc
        return server

    def start(self, kind: str) -> Server:
        return self.ours() if kind == OURS else self.reference()


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


OnEvent = Callable[[dict[str, Any], "subprocess.Popen[str]"], dict[str, Any] | None]


def loadgen(
    server: Server,
    scenario: str,
    *args: str,
    ext: bool = False,
    also: Sequence[Server] = (),
    helpers: Sequence[int] = (),
    on_event: OnEvent | None = None,
    peak_from_start: bool = False,
) -> dict[str, Any]:
    """Run one loadgen scenario; sample CPU and memory between measure-start and -end.

    ``also``: more processes of the server under test (another node); their CPU and RSS are
    added to ``server``'s (and listed per process). ``helpers``: PIDs whose CPU is reported
    apart (redis). ``on_event``: called with every other JSON line and the generator process
    (whose stdin is then a pipe); what it returns goes into the result.
    ``peak_from_start``: the peak RSS (VmHWM) counts from measure-start, not from the start
    of the process (whose start-up may peak above what the scenario measures).
    """
    cmd = ["node", str(HERE / "loadgen.mjs"), "--scenario", scenario, "--base", server.base]
    cmd += list(args)
    if ext:
        cmd.append("--ext")
    proc = subprocess.Popen(
        cmd, stdout=subprocess.PIPE, stdin=subprocess.PIPE if on_event else None, cwd=HERE,
        text=True, preexec_fn=on_cpus(server.generator_cpus),
    )  # fmt: skip
    assert proc.stdout is not None
    result: dict[str, Any] = {}
    servers = [server, *also]
    window = CpuWindow(server.pid, proc.pid, tuple(s.pid for s in also), tuple(helpers))

    def rss(key: str = "VmRSS") -> float:
        values = [status_mb(s.pid, key) for s in servers]
        if also:
            result.setdefault("per_process_mb", {})[key] = values
        return sum(values)

    error = None
    try:
        for line in proc.stdout:
            event = json.loads(line)
            phase = event.get("phase")
            if phase == "measure-start":
                if peak_from_start:
                    reset = [reset_peak_rss(s.pid) for s in servers]  # every one, not all()'s
                    result["peak_from_start"] = all(reset)
                window.begin()
                result["rss_start_mb"] = rss()
            elif phase == "measure-end":
                result.update(window.end())
                result["rss_end_mb"] = rss()
                result["rss_peak_mb"] = rss("VmHWM")  # several processes: the sum of each peak
            elif phase == "connected":
                result["rss_connected_mb"] = rss()
            elif phase == "result":
                result.update({k: v for k, v in event.items() if k != "phase"})
            elif phase == "error":
                error = event["error"]
            elif on_event is not None:
                result.update(on_event(event, proc) or {})
        code = proc.wait(timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    if error is not None or code != 0:
        alive = "running" if server.proc.poll() is None else f"exited {server.proc.returncode}"
        raise RuntimeError(
            f"{server.name} {scenario}: {error or f'loadgen exited with {code}'} "
            f"(server {alive}; log {server.log}:\n{server.log_tail()})"
        )
    return result


def spread(values: list[float]) -> dict[str, float]:
    return {"median": statistics.median(values), "max": max(values), "min": min(values)}


# --- scenarios -----------------------------------------------------------------------------


@dataclass
class Bench:
    """A run: settings shared by every scenario."""

    launcher: Launcher
    quick: bool
    duration: int
    warmup: int
    auth: Auth = field(default_factory=Auth.new)

    @contextmanager
    def server(self, kind: str) -> Iterator[Server]:
        server = self.launcher.start(kind)
        try:
            yield server
        finally:
            server.stop()

    def _prefix(self, name: str) -> str:
        return f"{name}-{uuid.uuid4().hex[:6]}"

    def fanout(
        self, rooms: int, clients: int, rate: float, writers: int = 0, cursor_rate: float = 0
    ) -> Callable[[str], dict[str, Any]]:
        def run(kind: str) -> dict[str, Any]:
            with self.server(kind) as server:
                return loadgen(
                    server, "fanout", "--rooms", str(rooms), "--clients", str(clients),
                    "--rate", str(rate), "--writers", str(writers),
                    "--cursor-rate", str(cursor_rate),
                    "--duration", str(self.duration), "--warmup", str(self.warmup),
                    "--prefix", self._prefix("fanout"),
                )  # fmt: skip

        return run

    def cross_node(self, rate: float) -> Callable[[str], dict[str, Any]]:
        """Every room's clients split over two nodes sharing Redis (ours only)."""

        def run(kind: str) -> dict[str, Any]:
            if kind != OURS:
                return {}
            redis_proc = start_redis()
            url = f"redis://127.0.0.1:{redis_proc.port}/0"  # type: ignore[attr-defined]
            first = self.launcher.ours(url, pinned=False)
            try:
                second = self.launcher.ours(url, pinned=False)
                try:
                    result = loadgen(
                        first, "fanout", "--base2", second.base, "--rooms", "100",
                        "--clients", "10", "--rate", str(rate),
                        "--duration", str(self.duration), "--warmup", str(self.warmup),
                        "--prefix", self._prefix("cross"),
                    )  # fmt: skip
                    result["second_node_cpu_pct_unmeasured"] = True
                    return result
                finally:
                    second.stop()
            finally:
                first.stop()
                redis_proc.terminate()
                redis_proc.wait(timeout=10)

        return run

    def idle(self, kind: str) -> dict[str, Any]:
        with self.server(kind) as server:
            time.sleep(1)  # let the fresh process settle
            before = rss_mb(server.pid)
            result = loadgen(
                server, "idle", "--rooms", "100", "--clients", "10", "--settle", "2",
                "--duration", "3", "--prefix", self._prefix("idle"),
            )  # fmt: skip
            result["rss_before_mb"] = before
            # RSS after the clients have synced and sat idle for 5 s, per 1,000 clients
            grown = result["rss_end_mb"] - before
            result["mb_per_1000_clients"] = grown * 1000 / result["clients"]
            return result

    def load_time(self, kind: str) -> dict[str, Any]:
        prefix = self._prefix("hist")
        joiners = "3" if self.quick else "5"
        with self.server(kind) as server:
            seeded = loadgen(server, "seed-history", "--updates", "10000", "--prefix", prefix,
                             ext=kind == OURS)  # fmt: skip
            if kind != OURS:
                # The reference server keeps rooms in memory only: every joiner is warm.
                result = loadgen(server, "load-time", "--repeat", joiners, "--prefix", prefix)
                times = result["from_open_ms"]
                return {
                    **seeded, **result, "cold": None, "warm": spread(times),
                    "first_joiner_ms": times[0],
                }  # fmt: skip
        # Ours: restart the process on the same database before each cold measurement, so the
        # first joiner loads the room from PostgreSQL; later joiners find it in memory.
        cold: list[float] = []
        warm: list[float] = []
        items: list[int] = []
        for _ in range(2 if self.quick else 5):
            with self.server(kind) as server:
                result = loadgen(server, "load-time", "--repeat", joiners, "--prefix", prefix)
                cold.append(result["from_open_ms"][0])
                warm += result["from_open_ms"][1:]
                items.append(result["items"])
        return {
            **seeded, "cold_ms": cold, "warm_ms": warm, "cold": spread(cold),
            "warm": spread(warm), "first_joiner_ms": cold[0], "items": min(items),
        }  # fmt: skip

    def storm(self, kind: str) -> dict[str, Any]:
        prefix = self._prefix("storm")
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
                "--duration", str(self.duration), "--warmup", str(self.warmup),
                "--prefix", self._prefix("presence"),
            )  # fmt: skip

    # --- many clients: storms, idle memory, restarts (authenticated on our side) ------------

    def _start_authed(
        self, kind: str, *, port: int | None = None, lift: dict[str, str] | None = None
    ) -> Server:
        if kind == OURS:
            return self.launcher.ours(auth=self.auth, port=port, lift=lift)
        return self.launcher.reference(port)

    @contextmanager
    def authed_server(self, kind: str, lift: dict[str, str] | None = None) -> Iterator[Server]:
        """Ours with authentication (plus ``lift``); the reference server as always."""
        server = self._start_authed(kind, lift=lift)
        try:
            yield server
        finally:
            server.stop()

    @contextmanager
    def cohort(self, kind: str, rooms: int, per_room: int) -> Iterator[list[str]]:
        """loadgen arguments that name the rooms and, for ours, carry each client's token.

        Ours: ``rooms`` projects with ``per_room`` member accounts each, created in the bench
        database (call this once our server has started: its migrations made the tables), and
        a token file for loadgen (room index -> tokens; room names are the project ids).
        Reference: plain room names, no tokens.
        """
        if kind != OURS:
            yield ["--rooms", str(rooms), "--clients", str(per_room),
                   "--prefix", self._prefix("swarm")]  # fmt: skip
            return
        started = time.monotonic()
        made = asyncio.run(
            create_cohort(
                self.launcher.database_url, rooms=rooms, per_room=per_room,
                secret=self.auth.secret, ttl_s=self.auth.ttl_s, label=self._prefix("acct"),
            )
        )  # fmt: skip
        self.launcher.logs.mkdir(exist_ok=True)
        path = made.write(self.launcher.logs / f"tokens-{uuid.uuid4().hex[:8]}.json")
        print(f"   {made.clients:,} accounts, sessions and tokens in {len(made.rooms):,} projects "
              f"({time.monotonic() - started:.1f} s)", flush=True)  # fmt: skip
        try:
            yield ["--tokens", str(path), "--clients", str(per_room)]
        finally:
            path.unlink(missing_ok=True)

    @staticmethod
    def _workers(clients: int) -> int:
        """Generator processes: at most 5,000 sockets each (RLIMIT_NOFILE is per process)."""
        return max(1, math.ceil(clients / 5000))

    def join_storm(
        self, rooms: int, per_room: int, rate: int, *, nodes: int = 1, ours_only: bool = False
    ) -> Callable[[str], dict[str, Any]]:
        """``rooms x per_room`` clients connect at ``rate`` sockets/s, evenly paced.

        ``nodes=2``: our side is two nodes sharing a Redis, each room's clients all on the
        node a hash of the room name picks (the reference server always runs alone).
        """
        clients = rooms * per_room
        # 20,000 sockets to one port would need 20,000 ephemeral ports of 127.0.0.1 (next to
        # what earlier runs left in TIME_WAIT): spread them over 8 loopback addresses.
        spread = ["--spread-addresses", "8"] if clients > 10_000 else []
        # Node-wide cap of 10,000 sockets (DTTOOLS_MAX_CONNECTIONS): two nodes of a 20,000
        # storm each get about 10,000 (as the hash falls), and one node must meet its
        # descriptor limit instead, so the cap is lifted for those.
        lift = {"DTTOOLS_MAX_CONNECTIONS": "1000000"} if clients > 10_000 else {}
        args = [
            "--after", "storm", "--rate", str(rate), "--workers", str(self._workers(clients)),
            "--client-timeout-s", "60", "--timeout-s", str(clients // rate + 240), *spread,
        ]  # fmt: skip

        def run(kind: str) -> dict[str, Any]:
            if ours_only and kind != OURS:
                return {}
            if kind == OURS and nodes == 2:
                result = self._two_nodes(rooms, per_room, args, lift)
            else:
                with (
                    self.authed_server(kind, lift) as server,
                    self.cohort(kind, rooms, per_room) as names,
                ):
                    result = loadgen(server, "swarm", *names, *args, peak_from_start=True)
                result["server_processes"] = 1
            if kind == OURS:
                result["lifted"] = lift
            return result

        return run

    def _two_nodes(
        self, rooms: int, per_room: int, args: list[str], lift: dict[str, str]
    ) -> dict[str, Any]:
        redis_proc = start_redis()
        url = f"redis://127.0.0.1:{redis_proc.port}/0"  # type: ignore[attr-defined]
        try:
            first = self.launcher.ours(url, pinned=False, auth=self.auth, lift=lift)
            try:
                second = self.launcher.ours(url, pinned=False, auth=self.auth, lift=lift)
                try:
                    with self.cohort(OURS, rooms, per_room) as names:
                        result = loadgen(
                            first, "swarm", *names, "--bases", f"{first.base},{second.base}",
                            *args, also=[second], helpers=[redis_proc.pid], peak_from_start=True,
                        )  # fmt: skip
                finally:
                    second.stop()
            finally:
                first.stop()
        finally:
            redis_proc.terminate()
            redis_proc.wait(timeout=10)
        result["server_processes"] = 2
        return result

    def idle_many(self, kind: str) -> dict[str, Any]:
        """10,000 clients (1,000 rooms x 10) connected, synced and idle for 5 s."""
        with self.authed_server(kind) as server, self.cohort(kind, 1000, 10) as names:
            time.sleep(1)  # let the fresh process settle
            before = rss_mb(server.pid)
            result = loadgen(
                server, "swarm", *names, "--after", "idle", "--rate", "1000",
                "--workers", str(self._workers(10_000)), "--settle", "2", "--duration", "3",
                "--timeout-s", "240",
            )  # fmt: skip
        result["rss_before_mb"] = before
        grown = result["rss_end_mb"] - before
        result["mb_per_1000_clients"] = grown * 1000 / max(1, result["synced"])
        return result

    def idle_rooms(self, kind: str) -> dict[str, Any]:
        """2,000 rooms opened by one client each, synced, then left: what empty rooms cost.

        Ours keeps an empty room in memory for DTTOOLS_IDLE_TIMEOUT_S (default 60 s): RSS is
        read 5 s after the last client left. The reference server (without persistence)
        never drops a document whose last client left.
        """
        with self.authed_server(kind) as server, self.cohort(kind, 2000, 1) as names:
            time.sleep(1)
            before = rss_mb(server.pid)
            result = loadgen(
                server, "swarm", *names, "--after", "leave", "--rate", "1000",
                "--workers", "1", "--settle", "3", "--duration", "2", "--timeout-s", "180",
            )  # fmt: skip
            if kind == OURS:
                result["rooms_open_after_leave"] = metric(server, "dttools_rooms_open")
                result["connections_after_leave"] = metric(server, "dttools_connections")
        result["rss_before_mb"] = before
        grown = result["rss_end_mb"] - before
        result["mb_per_1000_rooms"] = grown * 1000 / max(1, result["synced"])
        return result

    def restart(self, kind: str) -> dict[str, Any]:
        """5,000 stock y-websocket clients ride out a restart of the server on the same port."""
        port = free_port()
        current = [self._start_authed(kind, port=port)]

        def restart_server(event: dict[str, Any], proc: subprocess.Popen[str]) -> dict[str, Any]:
            if event.get("phase") != "restart-ready":
                return {}
            old = current[0]
            rss_before = rss_mb(old.pid)
            sigterm_at = time.time() * 1000
            old.proc.send_signal(signal.SIGTERM)
            try:
                old.proc.wait(timeout=60)
            except subprocess.TimeoutExpired:
                old.proc.kill()
                old.proc.wait()
            exited_at = time.time() * 1000
            current[0] = self._start_authed(kind, port=port)  # ours: the same database too
            ready_at = time.time() * 1000
            assert proc.stdin is not None
            proc.stdin.write(json.dumps({"sigterm_at_ms": sigterm_at, "exited_at_ms": exited_at,
                                         "ready_at_ms": ready_at}) + "\n")  # fmt: skip
            proc.stdin.flush()
            return {"rss_before_restart_mb": rss_before, "old_exit_code": old.proc.returncode}

        try:
            with self.cohort(kind, 500, 10) as names:
                result = loadgen(
                    current[0], "restart", *names, "--rate", "1000",
                    "--workers", str(self._workers(5000)), "--timeout-s", "400",
                    on_event=restart_server,
                )  # fmt: skip
            result["rss_after_resync_mb"] = rss_mb(current[0].pid)
            return result
        finally:
            current[0].stop()


def metric(server: Server, name: str) -> float | None:
    """One unlabelled value from our server's /metrics (Prometheus text format)."""
    with urllib.request.urlopen(f"http://127.0.0.1:{server.port}/metrics", timeout=5) as r:
        for line in r.read().decode().splitlines():
            if line.startswith(name + " "):
                return float(line.split()[1])
    return None


def scenarios(bench: Bench) -> dict[str, Callable[[str], dict[str, Any]]]:
    """Every scenario by name; the first eight run by default."""
    return {
        "fanout-50x4-2hz": bench.fanout(50, 4, 2),
        "fanout-100x10-1hz": bench.fanout(100, 10, 1),
        "fanout-100x10-3hz": bench.fanout(100, 10, 3),
        "idle-1000": bench.idle,
        "load-10k-history": bench.load_time,
        "storm-150-4mb": bench.storm,
        "one-writer-1000-observers": bench.fanout(1, 1001, 10, writers=1),
        # workshops at scale (run with --only): a room of 200 with everyone's cursor moving
        # at 10 Hz and 20 people writing, and one writer before 1,500 observers
        "big-room-200": bench.fanout(1, 200, 2, writers=20, cursor_rate=10),
        "one-writer-1500-observers": bench.fanout(1, 1501, 10, writers=1),
        "presence-1000": bench.presence,
        # ours only, needs redis-server; run with --only
        "cross-node-100x10-1hz": bench.cross_node(1),
        "cross-node-100x10-3hz": bench.cross_node(3),
        "cross-node-100x10-4hz": bench.cross_node(4),
        "cross-node-100x10-5hz": bench.cross_node(5),
        "cross-node-100x10-6hz": bench.cross_node(6),
        "cross-node-100x10-10hz": bench.cross_node(10),
        # many clients; ours with authentication (a token per client); run with --only
        "join-storm-5000": bench.join_storm(500, 10, 500),
        "join-storm-20000": bench.join_storm(2000, 10, 1000, nodes=2),
        "join-storm-20000-one-node": bench.join_storm(2000, 10, 1000, ours_only=True),
        "idle-10000": bench.idle_many,
        "idle-rooms-2000": bench.idle_rooms,
        "restart-5000": bench.restart,
    }


DEFAULT_SCENARIOS = 8


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


def checks(name: str, kind: str, r: dict[str, Any]) -> list[str]:
    """Plausibility checks of one result; the table lists what failed."""
    out = []
    if r.get("other_cpu_pct", 0) > 25:
        out.append(f"other processes used {r['other_cpu_pct']:.0f}% of a core during the window")
    if "expected_deliveries_per_s" in r:
        if r["deliveries_per_s"] < 0.99 * r["expected_deliveries_per_s"]:
            out.append(f"delivered {r['deliveries_per_s']:.0f}/s of the expected "
                       f"{r['expected_deliveries_per_s']:.0f}/s")  # fmt: skip
        if r.get("unmatched"):
            out.append(f"{r['unmatched']} relayed updates matched no send")
    if name.startswith("load") and r.get("items") != r.get("seeded_updates"):
        out.append(f"a joiner saw {r.get('items')} of {r.get('seeded_updates')} items")
    if "sync_bytes_min" in r and r["sync_bytes_min"] < r["seeded_bytes"]:
        out.append(f"a joiner received only {r['sync_bytes_min']} sync bytes")
    if "expected_awareness_entries_per_s" in r:
        ratio = r["awareness_entries_in_per_s"] / r["expected_awareness_entries_per_s"]
        if ratio < 0.95:
            out.append(f"awareness entries delivered: {100 * ratio:.0f}% of the expected")
    if "refused_total" in r:  # swarm: join storms, idle-10000, idle-rooms-2000
        if r["refused_total"] or r["synced"] < r["clients"]:
            out.append(f"{r['refused_total']:,} of {r['clients']:,} clients refused or failed "
                       f"before synced ({reasons(r['refused'])})")  # fmt: skip
        if r.get("dropped_after_sync"):
            out.append(f"the server closed {r['dropped_after_sync']:,} sockets after synced")
    if r.get("rooms_open_after_leave") is not None and r["rooms_open_after_leave"] < r["synced"]:
        out.append(f"only {r['rooms_open_after_leave']:.0f} rooms still open after the clients "
                   "left (measured empty rooms that were already closed)")  # fmt: skip
    if "resync_ms" in r:
        out += restart_checks(kind, r)
    return [f"{name} / {kind}: {c}" for c in out]


def restart_checks(kind: str, r: dict[str, Any]) -> list[str]:
    """A restart that failed or lost an edit."""
    out = []
    if r["synced_before"] < r["clients"]:
        out.append(f"only {r['synced_before']:,} of {r['clients']:,} clients synced before")
    if r["rooms_edited_before"] < r["rooms"]:
        out.append(f"edits reached every client of only {r['rooms_edited_before']} rooms of "
                   f"{r['rooms']} before the restart")  # fmt: skip
    if r["unresynced"]:
        out.append(f"{r['unresynced']:,} clients were not synced again after the restart")
    if r["rooms_intact"] < r["rooms"]:
        out.append(f"lost edits: a provider's doc holds every edit in only {r['rooms_intact']} "
                   f"of {r['rooms']} rooms")  # fmt: skip
    if r["rooms_intact_server"] < r["rooms"]:
        out.append(f"lost edits: after the resync the server's copy holds every edit in only "
                   f"{r['rooms_intact_server']} of {r['rooms']} rooms")  # fmt: skip
    if kind == OURS and r["clients_pushed_back"]:
        out.append(f"the restarted server had lost edits: {r['clients_pushed_back']:,} clients "
                   f"pushed {r['pushed_back_bytes']:,} bytes back")  # fmt: skip
    return out


def reasons(refused: dict[str, int]) -> str:
    """Refusals by reason, most frequent first: ``http 503: 12; close 1013 ...: 3``."""
    if not refused:
        return "none"
    return "; ".join(f"{k}: {v:,}" for k, v in sorted(refused.items(), key=lambda kv: -kv[1]))


# --- report --------------------------------------------------------------------------------


def machine() -> dict[str, Any]:
    model = next(
        (line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
         if line.startswith("model name")),
        platform.processor(),
    )  # fmt: skip
    mem_kb = int(Path("/proc/meminfo").read_text().split()[1])
    node = subprocess.run(["node", "--version"], capture_output=True, text=True, check=True)
    ref_version = json.loads((REF_SERVER.parent.parent / "package.json").read_text())["version"]
    return {
        "cpus": os.cpu_count(),
        "cpu_model": model,
        "memory_gb": round(mem_kb / 1024 / 1024, 1),
        "python": platform.python_version(),
        "node": node.stdout.strip(),
        "kernel": platform.release(),
        "reference_server": f"@y/websocket-server {ref_version}",
    }


def _f(value: Any, digits: int = 1) -> str:
    if isinstance(value, str):
        return value
    return "-" if value is None else f"{value:,.{digits}f}"


def _get(d: dict[str, Any], path: str) -> Any:
    value: Any = d
    for part in path.split("."):
        if not isinstance(value, dict):
            return None
        value = value.get(part)
    return value


ROWS: dict[str, list[tuple[str, str, int]]] = {
    # result kind (recognized by a key) -> (metric, path in the result, digits)
    "fanout": [
        ("p50 latency (ms)", "latency_ms.p50", 2),
        ("p99 latency (ms)", "latency_ms.p99", 2),
        ("max latency (ms)", "latency_ms.max", 1),
        ("deliveries/s", "deliveries_per_s", 0),
        ("server CPU (% of a core)", "server_cpu_pct", 0),
        ("server RSS at end (MB)", "rss_end_mb", 0),
    ],
    "idle": [
        ("server RSS before (MB)", "rss_before_mb", 1),
        ("server RSS, 1,000 clients connected (MB)", "rss_end_mb", 1),
        ("MB per 1,000 idle clients", "mb_per_1000_clients", 1),
    ],
    "join": [
        ("server processes (CPU and RSS summed)", "server_processes", 0),
        ("clients synced", "synced", 0),
        ("refused (closed or failed before synced)", "refused_total", 0),
        ("refusals by reason", "refused_text", 0),
        ("p50 time to synced (ms)", "synced_ms.p50", 0),
        ("p90 time to synced (ms)", "synced_ms.p90", 0),
        ("p95 time to synced (ms)", "synced_ms.p95", 0),
        ("p99 time to synced (ms)", "synced_ms.p99", 0),
        ("p99.9 time to synced (ms)", "synced_ms.p999", 0),
        ("max time to synced (ms)", "synced_ms.max", 0),
        ("storm wall time, first socket to last synced (s)", "storm_wall_s", 1),
        ("server CPU during the storm (% of a core)", "server_cpu_pct", 0),
        ("other processes' CPU meanwhile (% of a core)", "other_cpu_pct", 0),
        ("server RSS before (MiB)", "rss_start_mb", 0),
        ("server RSS after (MiB)", "rss_end_mb", 0),
        ("server peak RSS, VmHWM (MiB)", "rss_peak_mb", 0),
    ],
    "rooms": [
        ("server RSS before (MiB)", "rss_before_mb", 1),
        ("server RSS, one client in each room (MiB)", "rss_connected_mb", 1),
        ("server RSS 5 s after every client left (MiB)", "rss_end_mb", 1),
        ("MiB per 1,000 open empty rooms", "mb_per_1000_rooms", 2),
        ("rooms still open (ours: /metrics)", "rooms_open_after_leave", 0),
    ],
    "restart": [
        ("clients synced before the restart", "synced_before", 0),
        ("SIGTERM to old process exited (s)", "sigterm_to_exit_s", 2),
        ("SIGTERM to new process ready (s)", "sigterm_to_ready_s", 2),
        ("clients synced again", "resynced", 0),
        ("p50 SIGTERM to synced again (ms)", "resync_ms.p50", 0),
        ("p99 SIGTERM to synced again (ms)", "resync_ms.p99", 0),
        ("max = last client synced again (ms)", "resync_ms.max", 0),
        ("failed reconnect attempts", "failed_attempts", 0),
        ("most failed attempts of one client", "failed_attempts_max", 0),
        ("rooms holding every edit (a provider's doc)", "rooms_intact", 0),
        ("rooms holding every edit (the server's copy)", "rooms_intact_server", 0),
        ("clients that pushed lost edits back", "clients_pushed_back", 0),
    ],
    "load": [
        ("new joiner, median (ms) [ours: cold]", "cold.median", 1),
        ("new joiner, max (ms) [ours: cold]", "cold.max", 1),
        ("warm joiner, median (ms)", "warm.median", 2),
        ("warm joiner, max (ms)", "warm.max", 2),
    ],
    "storm": [
        ("p50 time to synced (ms)", "synced_ms.p50", 0),
        ("p99 time to synced (ms)", "synced_ms.p99", 0),
        ("max time to synced (ms)", "synced_ms.max", 0),
        ("server CPU during the storm (% of a core)", "server_cpu_pct", 0),
        ("server peak RSS (MB)", "rss_peak_mb", 0),
    ],
    "presence": [
        ("server CPU (% of a core)", "server_cpu_pct", 0),
        ("awareness entries delivered/s", "awareness_entries_in_per_s", 0),
        ("awareness frames received/s", "awareness_frames_in_per_s", 0),
        ("server RSS at end (MB)", "rss_end_mb", 0),
    ],
}


#: rows whose ratio means nothing (counts of processes, refusals, interference)
NO_RATIO = {"server_processes", "refused_total", "other_cpu_pct", "failed_attempts",
            "failed_attempts_max", "clients_pushed_back", "rooms_open_after_leave"}  # fmt: skip


def _kind(result: dict[str, Any]) -> str:
    if "latency_ms" in result:
        return "fanout"
    if "resync_ms" in result:
        return "restart"
    if "mb_per_1000_rooms" in result:
        return "rooms"
    if "mb_per_1000_clients" in result:
        return "idle"
    if "refused_total" in result:
        return "join"
    if "seeded_updates" in result:
        return "load"
    if "synced_ms" in result:
        return "storm"
    return "presence"


def markdown(results: dict[str, dict[str, Any]]) -> str:
    lines = [
        f"| scenario | metric | {OURS} | {REF} | ratio (ours / ref) |",
        "|---|---|---|---|---|",
    ]
    for name, pair in results.items():
        ours, ref = pair.get(OURS) or {}, pair.get(REF) or {}
        any_result = ours or ref
        if not any_result:
            continue
        kind = _kind(any_result)
        rows = list(ROWS[kind])
        if kind == "fanout":
            expected = any_result["expected_deliveries_per_s"]
            rows[3] = (f"deliveries/s (expected {expected:,.0f})", "deliveries_per_s", 0)
            if any_result.get("cursor_rate"):
                cursors = any_result["expected_awareness_entries_per_client_s"]
                rows += [
                    ("cursor frames received per client per s",
                     "awareness_frames_in_per_client_s", 0),
                    (f"cursor positions received per client per s (sent {cursors:,.0f})",
                     "awareness_entries_in_per_client_s", 0),
                    ("load generator CPU (% of a core)", "loadgen_cpu_pct", 0),
                ]  # fmt: skip
        if kind == "load" and not ours.get("cold"):
            rows = rows[2:]  # no cold loads measured (reference server only)
        if kind == "presence":
            expected = any_result["expected_awareness_entries_per_s"]
            rows[1] = (f"awareness entries delivered/s (expected {expected:,.0f})",
                       "awareness_entries_in_per_s", 0)  # fmt: skip
        if kind == "idle":
            rows[1] = (f"server RSS, {any_result['clients']:,} clients connected (MB)",
                       "rss_end_mb", 1)  # fmt: skip
        if "clients" in any_result and kind in ("join", "restart", "rooms"):
            total = f" (of {any_result['clients']:,})"
            rows = [(m + total if p in ("synced", "synced_before", "resynced") else m, p, d)
                    for m, p, d in rows]  # fmt: skip
            if kind == "restart":
                of_rooms = f" (of {any_result['rooms']:,})"
                rows = [(m + of_rooms if p.startswith("rooms_intact") else m, p, d)
                        for m, p, d in rows]  # fmt: skip
        for metric, path, digits in rows:
            if path == "refused_text":
                a_text = reasons(ours["refused"]) if ours else None
                b_text = reasons(ref["refused"]) if ref else None
                lines.append(f"| {name} | {metric} | {_f(a_text)} | {_f(b_text)} | - |")
                continue
            a = _get(ours, path)
            b = _get(ref, path)
            if kind == "load" and path.startswith("cold.") and b is None:
                b = _get(ref, "warm." + path.split(".")[1])  # the reference is always warm
            ratio = "-" if not a or not b or path in NO_RATIO else f"{a / b:.2f}"
            lines.append(f"| {name} | {metric} | {_f(a, digits)} | {_f(b, digits)} | {ratio} |")
    return "\n".join(lines) + "\n"


def update_section(section: str, body: str) -> None:
    """Replace the text between ``<!-- section:begin/end -->`` in docs/benchmarks.md."""
    begin, end = f"<!-- {section}:begin -->", f"<!-- {section}:end -->"
    text = DOC.read_text(encoding="utf-8")
    block = f"{begin}\n{body}{end}"
    if begin in text:
        start, stop = text.index(begin), text.index(end) + len(end)
        text = text[:start] + block + text[stop:]
    else:
        text = text.rstrip("\n") + f"\n\n## Results ({section})\n\n{block}\n"
    DOC.write_text(text, encoding="utf-8")


def side_bench(
    description: str,
    arguments: Callable[[argparse.ArgumentParser], None],
    measure: Callable[[Server, str, argparse.Namespace], Coroutine[Any, Any, dict[str, Any]]],
    *,
    kind: str,
    script: str,
    table: Callable[[dict[str, Any]], str],
    setting: str,
    lift: Callable[[argparse.Namespace], dict[str, str]] = lambda _args: {},
    pinned: bool = False,
) -> None:
    """The ``main`` of a side benchmark (uploads, exports, REST): parse its flags (and
    ``--database-url``, ``--update-docs``), start our server on a fresh database with local
    file storage in a temporary folder and ``lift``'s settings, run ``measure``, stop the
    server, and :func:`publish` the results.

    ``pinned``: the server on a core of its own and the generators (``measure`` confines
    itself to ``server.generator_cpus``) on another, as in the side-by-side scenarios; the
    setting then says so."""
    parser = argparse.ArgumentParser(description=description)
    arguments(parser)
    side_bench_arguments(parser)
    args = parser.parse_args()
    with bench_database(args.database_url) as dsn, tempfile.TemporaryDirectory() as files:
        pinning = Pinning.split() if pinned else Pinning()
        server = Launcher(dsn, pinning).ours(lift={"DTTOOLS_FILES_DIR": files, **lift(args)})
        try:
            measured = asyncio.run(measure(server, dsn, args))
        finally:
            server.stop()
    if pinned:
        setting = f"{setting} ({pinning.describe()})"
    publish(kind, script, measured, table, setting=setting, update=args.update_docs)


def side_bench_arguments(parser: argparse.ArgumentParser) -> None:
    """``--database-url`` (an admin DSN: each run makes its own database) and
    ``--update-docs``, as every side benchmark takes them."""
    parser.add_argument(
        "--database-url",
        default=os.environ.get(
            "DTTOOLS_BENCH_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/postgres"
        ),
    )
    parser.add_argument("--update-docs", action="store_true")


def publish(
    kind: str,
    script: str,
    measured: dict[str, Any],
    table: Callable[[dict[str, Any]], str],
    *,
    setting: str,
    update: bool,
) -> None:
    """Save a side benchmark's results, print its table, and with ``update`` put it in
    docs/benchmarks.md (section ``results-{kind}``), with the command, machine and date.

    ``script`` is the benchmark's file name; ``setting`` says in a few words how it ran.
    """
    now = dt.datetime.now(dt.UTC)
    record = {
        "date": now.strftime("%Y-%m-%d %H:%M UTC"),
        "command": f"python load_tests/{script} {' '.join(sys.argv[1:])}".strip(),
        "machine": machine(),
        **measured,
    }
    out = RESULTS / f"{now.strftime('%Y-%m-%dT%H%M%SZ')}.{kind}.json"
    out.write_text(json.dumps(record, indent=2) + "\n")
    text = table(record)
    print(text)
    print(f"raw data: {out}")
    if update:
        m = record["machine"]
        update_section(
            f"results-{kind}",
            f"Measured {record['date']} with `{record['command']}` on {m['cpus']} cores "
            f"({m['cpu_model']}), {setting}. Raw data: `load_tests/results/{out.name}`."
            f"\n\n{text}",
        )


def update_docs(table: str, notes: list[str], meta: dict[str, Any], section: str) -> None:
    m = meta["machine"]
    flagged = "".join(f"* {n}\n" for n in notes) or "* none\n"
    update_section(
        section,
        f"Measured {meta['date']} with `{meta['command']}` on {m['cpus']} cores "
        f"({m['cpu_model']}), {m['memory_gb']} GB RAM, Python {m['python']}, Node {m['node']}, "
        f"kernel {m['kernel']}, reference {m['reference_server']}; load generator and "
        f"PostgreSQL on the same machine ({meta.get('pinning', 'no CPU pinning')}); "
        f"{meta['duration_s']} s measured windows after "
        f"{meta['warmup_s']} s warm-up; medians of {meta['repeat']} run(s) per server, "
        f"alternating which server goes first. Raw data: `load_tests/results/{meta['file']}`."
        f"\n\n{table}\nChecks flagged by the driver:\n\n{flagged}",
    )


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--quick", action="store_true", help="5 s windows, fewer joiners (smoke)")
    parser.add_argument("--duration", type=int, help="measured window, s (default 20; quick 5)")
    parser.add_argument("--warmup", type=int, help="warm-up before a window, s (default 3; 2)")
    parser.add_argument(
        "--repeat",
        type=int,
        default=1,
        help="runs per scenario and server, alternating servers; the table shows medians",
    )
    parser.add_argument("--only", nargs="*", help="scenario names to run (see --list)")
    parser.add_argument("--list", action="store_true", help="list the scenario names and exit")
    parser.add_argument("--server", choices=["both", OURS, REF], default="both")
    parser.add_argument(
        "--database-url",
        default=os.environ.get(
            "DTTOOLS_BENCH_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/postgres"
        ),
        help="a PostgreSQL DSN allowed to create databases (a fresh one is made per run)",
    )
    parser.add_argument(
        "--update-docs", action="store_true", help="rewrite a results section of docs/benchmarks.md"
    )
    parser.add_argument("--section", default="results", help="which results section to rewrite")
    parser.add_argument(
        "--no-pin",
        action="store_true",
        help="let the kernel place the server and the generator (default: each on a CPU of "
        "its own, the same two for both servers; cross-node runs are never pinned)",
    )
    parser.add_argument(
        "--report", type=Path, help="only re-render a saved results JSON (with --update-docs)"
    )
    args = parser.parse_args()
    if args.report:
        saved = json.loads(args.report.read_text())
        rendered = markdown(saved["results"])
        print(rendered)
        if args.update_docs:
            update_docs(rendered, saved.get("checks", []), saved, args.section)
        return
    duration = args.duration or (5 if args.quick else 20)
    warmup = args.warmup if args.warmup is not None else (2 if args.quick else 3)
    if not (HERE / "node_modules" / "@y" / "websocket-server").is_dir():
        subprocess.run(
            ["npm", "ci", "--no-audit", "--no-fund", "--loglevel=error"], cwd=HERE, check=True
        )
    if shutil.which("node") is None:
        sys.exit("node is required")
    kinds = [OURS, REF] if args.server == "both" else [args.server]
    if OURS in kinds and not DTTOOLS.exists():
        sys.exit(f"{DTTOOLS} is missing: run `make install` first (or --server {REF})")
    started = dt.datetime.now(dt.UTC)
    runs: dict[str, dict[str, list[dict[str, Any]]]] = {}
    notes: list[str] = []
    known = list(scenarios(Bench(Launcher(""), args.quick, duration, warmup)))
    if args.list:
        print("\n".join(known))
        return
    names = args.only or known[:DEFAULT_SCENARIOS]
    unknown = [n for n in names if n not in known]
    if unknown:
        sys.exit(f"unknown scenario(s) {unknown}; known: {known}")
    pinning = Pinning() if args.no_pin else Pinning.split()
    with bench_database(args.database_url) as dsn:
        launcher = Launcher(dsn, pinning)
        print(f"server logs: {launcher.logs}", flush=True)
        bench = Bench(launcher, args.quick, duration, warmup)
        table = scenarios(bench)
        for name in names:
            for attempt in range(args.repeat):
                # alternate which server goes first, so drift in the machine's load is shared
                order = kinds if attempt % 2 == 0 else kinds[::-1]
                for kind in order:
                    print(f"== {name} / {kind} (run {attempt + 1})", flush=True)
                    result = table[name](kind)
                    runs.setdefault(name, {}).setdefault(kind, []).append(result)
                    notes += checks(name, kind, result)
                    print(json.dumps(result), flush=True)
    results = {
        name: {kind: median_result(rs) for kind, rs in per_kind.items()}
        for name, per_kind in runs.items()
    }
    out_dir = RESULTS
    out_dir.mkdir(exist_ok=True)
    file = started.strftime("%Y-%m-%dT%H%M%SZ") + (".quick" if args.quick else "") + ".json"
    command = ".venv/bin/python load_tests/run_bench.py " + " ".join(sys.argv[1:])
    meta = {
        "date": started.strftime("%Y-%m-%d %H:%M UTC"),
        "command": command.strip(),
        "machine": machine(),
        "file": file,
        "repeat": args.repeat,
        "duration_s": duration,
        "warmup_s": warmup,
        "pinning": pinning.describe(),
    }
    (out_dir / file).write_text(
        json.dumps({**meta, "results": results, "runs": runs, "checks": notes}, indent=2)
    )
    report = markdown(results)
    print(report)
    print("\n".join(["checks flagged:", *notes]) if notes else "checks: all passed")
    print(f"raw data: {out_dir / file}")
    if args.update_docs:
        update_docs(report, notes, meta, args.section)


if __name__ == "__main__":
    main()
