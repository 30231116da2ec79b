"""The WebSocket upgrade in isolation: server CPU per connection, with and without shortcuts.

Usage (from the repository root, after `make install` and `cd load_tests && npm ci`):

    .venv/bin/python load_tests/upgrade_micro.py [--connections N] [--rounds R] \
        [--states all "all, 101 alone" "all but loop-nodelay" ...]

A server process on 127.0.0.1 runs aiohttp (on uvloop) with only our socket layer: each
connection is upgraded by ``DirectWebSocketResponse``, gets one binary frame through
``WebSocketTransport.write_now`` (as a joining client gets sync step 1), and is closed by the
client. A Node process with the `ws` package (the one y-websocket uses) opens N such
connections, 10 at a time. The figure is the server's time on a CPU per connection (from
/proc/PID/task/*/schedstat, in nanoseconds), for each state of ``DTTOOLS_FAST_PATHS``; states
alternate, R rounds each, and the median is shown. No database and no rooms: this is the part
of a join that aiohttp and the kernel do, about a third of the node's CPU in a connection storm
(docs/benchmarks.md).

Each server is ours, started and stopped here by PID; everything listens on 127.0.0.1.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

_CLIENT = """
const WebSocket = require(process.argv[1] + '/node_modules/ws');
const [port, n] = [process.argv[2], +process.argv[3]];
const one = () => new Promise((done) => {
  const ws = new WebSocket(`ws://127.0.0.1:${port}/collab/room`);
  ws.on('message', () => ws.close());
  ws.on('close', done);
  ws.on('error', done);
});
(async () => {
  for (let i = 0; i < n; i += 10) await Promise.all(Array.from({length: 10}, one));
})();
"""


#: a state's suffix: the 101 leaves alone (``DirectWebSocketResponse`` holds it otherwise)
_ALONE = ", 101 alone"


def _serve(port: int, paths: str) -> None:
    """The server process: our socket layer on aiohttp, nothing else."""
    import uvloop
    from aiohttp import WSMsgType, web

    from http_api import fast_paths
    from http_api.ws_direct import DirectWebSocketResponse
    from http_api.ws_transport import WebSocketTransport
    from rooms.connection import Outgoing

    if paths.endswith(_ALONE):  # the 101 written as aiohttp writes it, not with the first frame
        paths = paths.removesuffix(_ALONE)
        DirectWebSocketResponse._send_headers_immediately = True
    fast_paths.apply(fast_paths.parse(paths))
    step1 = b"\x00\x00\x01\x00"

    async def collab(request: web.Request) -> web.StreamResponse:
        ws = DirectWebSocketResponse(compress=False)
        await ws.prepare(request)
        WebSocketTransport(ws, request.transport).write_now(Outgoing(step1))
        direct = ws.deliver_binary(lambda _data: None)
        while not direct or await ws.wait_readable():
            if (await ws.receive()).type in (WSMsgType.CLOSE, WSMsgType.CLOSED):
                break
        return ws

    async def main() -> None:
        app = web.Application()
        app.router.add_get("/collab/{room}", collab)
        runner = web.AppRunner(app, access_log=None)
        await runner.setup()
        await web.TCPSite(runner, "127.0.0.1", port).start()
        print("ready", flush=True)
        await asyncio.Event().wait()

    uvloop.run(main())


def _cpu_s(pid: int) -> float:
    """Time the process's threads spent on a CPU (schedstat: nanoseconds, not clock ticks)."""
    return (
        sum(
            int((task / "schedstat").read_text().split()[0])
            for task in Path(f"/proc/{pid}/task").iterdir()
        )
        / 1e9
    )


def _free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _one_run(paths: str, connections: int) -> float:
    """Server CPU per connection (us) for one server with ``paths``."""
    port = _free_port()
    server = subprocess.Popen(
        [sys.executable, __file__, "--serve", str(port), "--fast-paths", paths],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert server.stdout is not None
        if server.stdout.readline().strip() != "ready":
            raise RuntimeError("the server did not start")
        client = ["node", "-e", _CLIENT, str(ROOT / "load_tests")]
        subprocess.run([*client, str(port), "200"], check=True, timeout=120)  # warm up
        before = _cpu_s(server.pid)
        subprocess.run([*client, str(port), str(connections)], check=True, timeout=300)
        return (_cpu_s(server.pid) - before) / connections * 1e6
    finally:
        server.terminate()
        server.wait(timeout=10)


def _paths_of(state: str) -> str:
    from http_api import fast_paths

    if state.endswith(_ALONE):
        return _paths_of(state.removesuffix(_ALONE)) + _ALONE
    if state == "all":
        return "all"
    if state.startswith("all but "):
        left = set(fast_paths.ALL) - {state.removeprefix("all but ").strip()}
        return ",".join(sorted(left)) or "none"
    return state


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--connections", type=int, default=4000, help="timed, per run")
    parser.add_argument("--rounds", type=int, default=5, help="runs per state, alternating")
    parser.add_argument(
        "--states",
        nargs="+",
        default=["all", "all but loop-nodelay", "all but ws-direct"],
        help=f'DTTOOLS_FAST_PATHS values, or "all but NAME"; "<state>{_ALONE}" sends the 101 '
        "in a write of its own",
    )
    parser.add_argument("--serve", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--fast-paths", default="all", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve is not None:
        _serve(args.serve, args.fast_paths)
        return
    results: dict[str, list[float]] = {state: [] for state in args.states}
    started = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())
    for _ in range(args.rounds):
        for state in args.states:
            results[state].append(_one_run(_paths_of(state), args.connections))
    print(f"{started}, {args.connections} connections per run, {args.rounds} rounds")
    print("| shortcuts in use | server CPU per connection, median (us) | runs (us) |")
    print("|---|---|---|")
    for state, runs in results.items():
        shown = ", ".join(f"{r:.0f}" for r in runs)
        print(f"| {state} | {statistics.median(runs):.0f} | {shown} |")


if __name__ == "__main__":
    main()
