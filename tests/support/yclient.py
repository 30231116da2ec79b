"""A y-websocket client in Python (pycrdt over `websockets`): the Python peer of our tests."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable
from contextlib import suppress
from typing import Any
from urllib.parse import urlencode

import websockets
from pycrdt import Array, Doc

from collab.artifacts import SCHEMA_VERSION
from collab.awareness import AwarenessEntry, encode_awareness_entries, parse_awareness
from collab.codec import decode, encode
from collab.messages import (
    AwarenessUpdate,
    QueryAwareness,
    Saved,
    SyncStep1,
    SyncStep2,
    Update,
)
from tests.support.timing import TIMEOUT

__all__ = ["YClient", "append_item"]


def append_item(value: Any, name: str = "items") -> Callable[[Doc[Any]], None]:
    """A change that appends ``value`` to the Y.Array ``name``."""

    def change(doc: Doc[Any]) -> None:
        doc.get(name, type=Array).append(value)

    return change


class YClient:
    """Speaks y-websocket like the npm WebsocketProvider, and records what it received."""

    def __init__(self, ws: websockets.ClientConnection, doc: Doc[Any] | None = None) -> None:
        self.ws = ws
        self.doc: Doc[Any] = doc if doc is not None else Doc()
        self.synced = asyncio.Event()
        self.closed = asyncio.Event()
        self.saved = 0
        self.sent_updates = 0
        self.frames: list[bytes] = []
        self.awareness: dict[int, AwarenessEntry] = {}
        self.removed_clients: list[int] = []
        self.ever_seen: dict[int, str] = {}
        self.close_code: int | None = None
        self.close_reason = ""
        self._clock = 0
        self._applying = False
        self._outgoing: list[bytes] = []
        self._changed = asyncio.Condition()
        self.doc.observe(self._on_local_change)
        self._reader = asyncio.create_task(self._read())

    @classmethod
    async def connect(
        cls,
        base_url: str,
        room: str,
        *,
        ext: bool = True,
        doc: Doc[Any] | None = None,
        token: str | None = None,
        schema: int | None = SCHEMA_VERSION,
    ) -> YClient:
        """Connect to ``base_url/room`` (``ext=1`` opts in to SAVED acknowledgements)."""
        # ext=1 clients say which document schema they write (a page from before is refused)
        query: dict[str, str] = {"ext": "1"} if ext else {}
        if ext and schema is not None:
            query["schema"] = str(schema)
        if token is not None:
            query["token"] = token
        url = f"{base_url}/{room}" + (f"?{urlencode(query)}" if query else "")
        ws = await websockets.connect(url, max_size=None, open_timeout=TIMEOUT)
        client = cls(ws, doc)
        with suppress(websockets.ConnectionClosed):  # refused at once: see close_code
            await client.ws.send(encode(SyncStep1(client.doc.get_state())))
        return client

    async def __aenter__(self) -> YClient:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()

    # --- local edits ------------------------------------------------------------------------

    def _on_local_change(self, event: Any) -> None:
        if not self._applying:
            self._outgoing.append(event.update)

    async def edit(self, change: Callable[[Doc[Any]], None]) -> None:
        """Run ``change`` in one transaction and send the resulting update."""
        with self.doc.transaction():
            change(self.doc)
        await self.flush()

    async def flush(self) -> None:
        """Send updates produced by local transactions."""
        pending, self._outgoing = self._outgoing, []
        for update in pending:
            await self.ws.send(encode(Update(update)))
            self.sent_updates += 1

    async def send_raw(self, frame: bytes | str) -> None:
        """Send arbitrary bytes (for bad-input tests)."""
        await self.ws.send(frame)

    async def set_awareness(self, state: dict[str, Any] | None) -> None:
        """Publish this client's awareness state (None announces that it left)."""
        self._clock += 1
        text = "null" if state is None else json.dumps(state)
        entry = AwarenessEntry(self.doc.client_id, self._clock, text)
        await self.ws.send(encode(AwarenessUpdate(encode_awareness_entries([entry]))))

    async def query_awareness(self) -> None:
        """Ask the server for every awareness state."""
        await self.ws.send(encode(QueryAwareness()))

    # --- incoming ---------------------------------------------------------------------------

    def peers(self) -> dict[int, Any]:
        """Awareness states of other clients, decoded from JSON."""
        return {
            cid: json.loads(entry.state)
            for cid, entry in self.awareness.items()
            if cid != self.doc.client_id
        }

    async def _read(self) -> None:
        try:
            async for frame in self.ws:
                assert isinstance(frame, bytes), "server sent a text frame"
                self.frames.append(frame)
                await self._handle(frame)
                async with self._changed:
                    self._changed.notify_all()
        except websockets.ConnectionClosed:
            pass
        finally:
            if self.ws.close_code is not None:
                self.close_code = self.ws.close_code
                self.close_reason = self.ws.close_reason or ""
            self.closed.set()
            async with self._changed:
                self._changed.notify_all()

    async def _handle(self, frame: bytes) -> None:
        message = decode(frame)
        match message:
            case SyncStep1(state_vector):
                await self.ws.send(encode(SyncStep2(self.doc.get_update(state_vector))))
            case SyncStep2(update) | Update(update):
                self._apply(update)
                if isinstance(message, SyncStep2):
                    self.synced.set()
            case AwarenessUpdate(payload):
                for entry in parse_awareness(payload):
                    current = self.awareness.get(entry.client_id)
                    if current is not None and entry.clock < current.clock:
                        continue
                    if entry.removed:
                        self.awareness.pop(entry.client_id, None)
                        self.removed_clients.append(entry.client_id)
                    else:
                        self.awareness[entry.client_id] = entry
                        self.ever_seen[entry.client_id] = entry.state
            case Saved(count):
                self.saved = count
            case _:
                pass

    def _apply(self, update: bytes) -> None:
        self._applying = True
        try:
            self.doc.apply_update(update)
        finally:
            self._applying = False

    async def wait_for(self, predicate: Callable[[], bool], within: float = TIMEOUT) -> None:
        """Wait until ``predicate()`` holds, re-checking after every received frame."""
        async with asyncio.timeout(within), self._changed:
            await self._changed.wait_for(predicate)

    async def wait_synced(self, within: float = TIMEOUT) -> None:
        """Wait for the server's sync step 2."""
        async with asyncio.timeout(within):
            await self.synced.wait()

    async def wait_durable(self, within: float = TIMEOUT) -> None:
        """Wait until the server acknowledged every update we sent as durable."""
        await self.wait_for(lambda: self.saved >= self.sent_updates, within)

    async def wait_closed(self, within: float = TIMEOUT) -> None:
        """Wait until the server closed the connection."""
        async with asyncio.timeout(within):
            await self.closed.wait()

    async def close(self) -> None:
        """Close the socket and stop the reader."""
        await self.ws.close()
        self._reader.cancel()
        with suppress(asyncio.CancelledError):
            await self._reader
