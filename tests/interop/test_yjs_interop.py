"""Interoperability with the real npm `yjs` + `y-websocket` client (WebsocketProvider)."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable
from typing import Any

from pycrdt import Array, Doc, Text

from tests.conftest import RunningServer
from tests.interop.conftest import HERE
from tests.support.timing import TIMEOUT
from tests.support.yclient import YClient, append_item

CLIENT = HERE / "yjs_client.mjs"


def prepend(i: int) -> Callable[[Doc[Any]], None]:
    """The Python client's edit: an item and a text fragment at the front."""

    def change(doc: Doc[Any]) -> None:
        doc.get("items", type=Array).insert(0, f"py-{i}")
        doc.get("text", type=Text).insert(0, f"py{i};")

    return change


async def run_node_client(node: str, *args: str) -> dict[str, Any]:
    """Run yjs_client.mjs to completion and return its JSON report."""
    proc = await start_node_client(node, *args)
    async with asyncio.timeout(TIMEOUT * 3):
        stdout, stderr = await proc.communicate()
    lines = stdout.decode().strip().splitlines()
    assert lines, f"node client printed nothing; stderr: {stderr.decode()[-2000:]}"
    report: dict[str, Any] = json.loads(lines[-1])
    assert proc.returncode == 0, f"{report} / {stderr.decode()[-2000:]}"
    return report


async def start_node_client(node: str, *args: str) -> asyncio.subprocess.Process:
    """Start yjs_client.mjs (stdin piped, for --hold)."""
    return await asyncio.create_subprocess_exec(
        node,
        str(CLIENT),
        *args,
        cwd=HERE.parent,
        stdin=asyncio.subprocess.PIPE,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )


async def held_report(proc: asyncio.subprocess.Process) -> dict[str, Any]:
    """Read the report of a --hold client (it stays connected afterwards)."""
    assert proc.stdout is not None
    async with asyncio.timeout(TIMEOUT * 3):
        line = await proc.stdout.readline()
    assert line, "node client exited without a report"
    report: dict[str, Any] = json.loads(line)
    assert "error" not in report, report
    return report


async def release(proc: asyncio.subprocess.Process) -> None:
    """Close a --hold client's stdin and wait for it to exit cleanly."""
    assert proc.stdin is not None
    proc.stdin.close()
    async with asyncio.timeout(TIMEOUT):
        assert await proc.wait() == 0


class TestYjsInterop:
    async def test_two_node_clients_and_a_python_client_converge(
        self, node: str, server: RunningServer, room: str
    ) -> None:
        """Two npm y-websocket clients and one pycrdt client co-edit one room and converge."""
        edits = 25
        total = 3 * edits

        def node_args(name: str, seed: int) -> list[str]:
            return [
                "--url", server.ws_url, "--room", room, "--name", name,
                "--edits", str(edits), "--expect", str(total), "--seed", str(seed),
                "--expect-peers", ",".join(n for n in ("ana", "bia", "py") if n != name),
                "--timeout-ms", str(int(TIMEOUT * 2000)),
                "--ext", "--hold",
            ]  # fmt: skip

        async with await YClient.connect(server.ws_url, room) as python:
            await python.wait_synced()
            await python.set_awareness({"user": {"name": "py"}})
            procs = [
                await start_node_client(node, *node_args("ana", 1)),
                await start_node_client(node, *node_args("bia", 2)),
            ]
            for i in range(edits):
                await python.edit(prepend(i))
            try:
                ana, bia = await asyncio.gather(*(held_report(p) for p in procs))
            finally:
                for proc in procs:
                    await release(proc)
            await python.wait_for(lambda: len(python.doc.get("items", type=Array)) == total)
            await python.wait_durable()
            py_items = [str(x) for x in python.doc.get("items", type=Array)]
            py_text = str(python.doc.get("text", type=Text))
            await python.wait_for(lambda: len(python.ever_seen) >= 3)
            peer_names = {
                json.loads(state)["user"]["name"]
                for cid, state in python.ever_seen.items()
                if cid != python.doc.client_id
            }

        # Each node client printed its view once it had every item: all three agree.
        assert ana["items"] == bia["items"] == py_items
        assert ana["text"] == bia["text"] == py_text
        assert sorted(py_items) == sorted(
            [f"{n}-{i}" for n in ("ana", "bia") for i in range(edits)]
            + [f"py-{i}" for i in range(edits)]
        )
        # Awareness crossed between the stacks, durability was acknowledged to the npm clients,
        # and the stock client logged no error for our extension messages.
        assert ana["peers"] == ["bia", "py"]
        assert bia["peers"] == ["ana", "py"]
        assert peer_names == {"ana", "bia"}
        for report in (ana, bia):
            assert report["saved"] >= report["sent"] > 0
            assert report["errors"] == []

    async def test_stock_client_without_ext_sees_no_errors(
        self, node: str, server: RunningServer, room: str
    ) -> None:
        """A stock client (no ?ext=1) syncs existing content and logs no protocol error."""
        async with await YClient.connect(server.ws_url, room) as python:
            await python.wait_synced()
            for i in range(5):
                await python.edit(append_item(f"seed-{i}"))
            await python.wait_durable()
        report = await run_node_client(
            node, "--url", server.ws_url, "--room", room, "--name", "late",
            "--edits", "0", "--expect", "5", "--timeout-ms", str(int(TIMEOUT * 1000)),
            "--no-ext",
        )  # fmt: skip
        assert report["items"] == [f"seed-{i}" for i in range(5)]
        assert report["errors"] == []
