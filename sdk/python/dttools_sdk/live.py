"""A project's workshop document, live: synced over /collab/{project_id} into a pycrdt Doc.

The socket speaks y-websocket with the DTTools ``SAVED`` extension (``?ext=1``), so a local
change can be awaited until the server has it in PostgreSQL: after ``await add_idea(...)``
a REST ``GET`` sees the idea. Reads are typed and as tolerant as the server's own
(docs/document-schema.md, "What the server validates"): a field a browser wrote wrongly reads
as its default instead of failing the whole list.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator, Callable, Mapping
from contextlib import asynccontextmanager, suppress
from datetime import UTC, datetime
from typing import Any, Final, TypeVar
from urllib.parse import quote, urlencode

import aiohttp
import pydantic
from pycrdt import Doc, Map, TransactionEvent

from dttools_sdk.content import (
    Artifact,
    EmpathyMap,
    HmwQuestion,
    Idea,
    IdeaCreate,
    IdeaPatch,
    Persona,
    PovStatement,
    Prototype,
    UserTest,
    UserTestResult,
)
from dttools_sdk.errors import LiveClosed, ReadOnly
from dttools_sdk.protocol import (
    Notice,
    PermissionDenied,
    Saved,
    SyncStep1,
    SyncStep2,
    Update,
    decode,
    encode_sync_step1,
    encode_sync_step2,
    encode_update,
)
from dttools_sdk.text import stored, write_field
from dttools_sdk.transport import Transport

__all__ = ["LiveDocument", "open_live", "ROOTS"]

ItemT = TypeVar("ItemT", bound=Artifact)

#: The root Y.Map of each kind (docs/document-schema.md, "Roots").
ROOTS: Final[Mapping[type[Artifact], str]] = {
    Persona: "personas",
    EmpathyMap: "empathyMaps",
    PovStatement: "povStatements",
    HmwQuestion: "hmwQuestions",
    Idea: "ideas",
    Prototype: "prototypes",
    UserTest: "tests",
    UserTestResult: "testResults",
}

#: The document schema this SDK writes (docs/document-schema.md), declared on connect.
DOCUMENT_SCHEMA: Final = 2
_EMPTY_UPDATE: Final = b"\x00\x00"


def _timestamp(moment: datetime) -> str:
    """A date as JS ``toISOString()`` writes it, the document's format."""
    return moment.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def _read(kind: type[ItemT], key: str, value: Map[Any]) -> ItemT:
    data = value.to_py() or {}
    data["id"] = key  # the key wins over a mismatching id field
    return _tolerant(kind, data)


def _tolerant(model: type[ItemT], data: dict[str, Any]) -> ItemT:
    """Validate, dropping each invalid field so that it reads as its default."""
    while True:
        try:
            return model.model_validate(data)
        except pydantic.ValidationError as exc:
            bad = {error["loc"][0] for error in exc.errors() if error["loc"]}
            if not bad & data.keys() or "id" in bad:
                raise
            data = {key: value for key, value in data.items() if key not in bad}


class LiveDocument:
    """A synced copy of a project's document; changes both ways as they happen.

    Get one with ``async with client.live(project_id) as doc``: it is synced when the block
    starts and closed when it ends.
    """

    def __init__(self, ws: aiohttp.ClientWebSocketResponse, user_id: str | None) -> None:
        self.ydoc: Doc[Any] = Doc()
        self.user_id = user_id
        #: set once the server refused one of our changes (a viewer's socket)
        self.read_only = False
        self.close_code: int | None = None
        self.close_reason = ""
        self._ws = ws
        self._synced = asyncio.Event()
        self._closed = asyncio.Event()
        self._changed = asyncio.Condition()
        self._applying = False
        self._outgoing: list[bytes] = []
        self._sent = 0
        self._saved = 0
        self.ydoc.observe(self._on_transaction)

    # --- reading --------------------------------------------------------------------------

    def items(self, kind: type[ItemT]) -> list[ItemT]:
        """Every artifact of ``kind`` (``Idea``, ``Persona``, ...), oldest first."""
        root = self.ydoc.get(ROOTS[kind], type=Map)
        found = [_read(kind, key, value) for key, value in root.items() if isinstance(value, Map)]
        # an entry that is not a Y.Map is not an artifact: the server's lists skip it too
        return sorted(found, key=lambda item: (item.created_at is None, item.created_at, item.id))

    def item(self, kind: type[ItemT], item_id: str) -> ItemT | None:
        """One artifact of ``kind``, or None if the document has no such entry."""
        value = self.ydoc.get(ROOTS[kind], type=Map).get(item_id)
        return _read(kind, item_id, value) if isinstance(value, Map) else None

    def personas(self) -> list[Persona]:
        """The personas."""
        return self.items(Persona)

    def empathy_maps(self) -> list[EmpathyMap]:
        """The empathy maps."""
        return self.items(EmpathyMap)

    def pov_statements(self) -> list[PovStatement]:
        """The point-of-view statements."""
        return self.items(PovStatement)

    def hmw_questions(self) -> list[HmwQuestion]:
        """The how-might-we questions."""
        return self.items(HmwQuestion)

    def ideas(self) -> list[Idea]:
        """The notes on the idea board."""
        return self.items(Idea)

    def prototypes(self) -> list[Prototype]:
        """The prototypes."""
        return self.items(Prototype)

    def tests(self) -> list[UserTest]:
        """The user tests."""
        return self.items(UserTest)

    def test_results(self) -> list[UserTestResult]:
        """The user test results."""
        return self.items(UserTestResult)

    async def wait_for(self, predicate: Callable[[], bool], *, timeout_s: float = 10.0) -> None:
        """Wait until ``predicate()`` holds, checking after every change that arrives.

        Raises:
            TimeoutError: it did not hold within ``timeout_s``.
            LiveClosed: the socket closed first.
        """
        async with asyncio.timeout(timeout_s), self._changed:
            await self._changed.wait_for(lambda: predicate() or self._closed.is_set())
        if not predicate():
            raise LiveClosed(self.close_code, self.close_reason)

    # --- writing --------------------------------------------------------------------------

    async def add_idea(self, data: IdeaCreate, *, now: datetime | None = None) -> Idea:
        """Put a note on the board, as a browser does, and wait until the server saved it."""
        moment = _timestamp(now or datetime.now(UTC))
        idea_id = str(uuid.uuid4())
        fields = data.model_dump(by_alias=True)
        fields.update(
            id=idea_id,
            authorId=self.user_id,
            createdBy=self.user_id,
            createdAt=moment,
            updatedAt=moment,
        )

        def change(doc: Doc[Any]) -> None:
            entry = {name: stored("ideas", name, value) for name, value in fields.items()}
            doc.get("ideas", type=Map)[idea_id] = Map(entry)

        await self.transact(change)
        idea = self.item(Idea, idea_id)
        assert idea is not None, "a note this client just wrote"  # nothing deletes in between
        return idea

    async def update_idea(
        self, idea_id: str, changes: IdeaPatch, *, now: datetime | None = None
    ) -> None:
        """Change some fields of a note (and its ``updatedAt``); wait until saved.

        A new ``text`` changes the note's Y.Text by difference: what someone else types in
        it meanwhile, outside the span this change replaces, is kept.

        Raises:
            KeyError: there is no note ``idea_id``.
        """
        note = self.ydoc.get("ideas", type=Map).get(idea_id)
        if not isinstance(note, Map):
            raise KeyError(idea_id)
        values = {**changes.to_json(), "updatedAt": _timestamp(now or datetime.now(UTC))}

        def change(_doc: Doc[Any]) -> None:
            for key, value in values.items():
                write_field(note, "ideas", key, value)

        await self.transact(change)

    async def transact(self, change: Callable[[Doc[Any]], object]) -> None:
        """Run ``change`` on the pycrdt Doc in one transaction, send it, wait until saved.

        Follow docs/document-schema.md when writing: list fields are ``pycrdt.Array``, text
        fields ``pycrdt.Text`` (change one with :func:`dttools_sdk.text.write_field`), the four
        common fields are set, ids match their key.

        Raises:
            LiveClosed: the socket closed before the server confirmed the change.
            ReadOnly: the server refused it (you are a viewer); it stays in this copy only.
        """
        with self.ydoc.transaction():
            change(self.ydoc)
        await self._flush()
        await self._wait_saved()

    # --- the socket -----------------------------------------------------------------------

    def _on_transaction(self, event: TransactionEvent) -> None:
        if not self._applying and event.update != _EMPTY_UPDATE:
            self._outgoing.append(event.update)

    async def _flush(self) -> None:
        pending, self._outgoing = self._outgoing, []
        for update in pending:
            await self._ws.send_bytes(encode_update(update))
            self._sent += 1

    async def _wait_saved(self, timeout_s: float = 10.0) -> None:
        await self.wait_for(
            lambda: self._saved >= self._sent or self.read_only, timeout_s=timeout_s
        )
        if self._saved < self._sent:
            # The change stays in this copy only: Yjs cannot take it back (docs/protocol.md).
            raise ReadOnly("the server refused this change: the socket is read-only (a viewer)")

    def _apply(self, update: bytes) -> None:
        self._applying = True
        try:
            self.ydoc.apply_update(update)
        finally:
            self._applying = False

    async def _handle(self, frame: bytes) -> None:
        match decode(frame):
            case SyncStep1(state_vector):
                # y-protocols sync.js: answer SyncStep1 with SyncStep2 (what the server lacks)
                missing = self.ydoc.get_update(state_vector)
                await self._ws.send_bytes(encode_sync_step2(missing))
                if missing != _EMPTY_UPDATE:
                    self._sent += 1  # the server counts a non-empty step 2 as an update
            case SyncStep2(update):
                self._apply(update)
                self._synced.set()
            case Update(update):
                self._apply(update)
            case Saved(count):
                self._saved = count
            case PermissionDenied() | Notice(code="read-only"):
                self.read_only = True
            case _:
                pass  # awareness and notices we do not know: nothing to do

    async def run(self) -> None:
        """Read frames until the socket closes (the context manager runs this as a task)."""
        try:
            while True:
                message = await self._ws.receive()
                if message.type is aiohttp.WSMsgType.BINARY:
                    await self._handle(message.data)
                elif message.type is aiohttp.WSMsgType.CLOSE:
                    self.close_code, self.close_reason = message.data, str(message.extra or "")
                    break
                elif message.type in (aiohttp.WSMsgType.CLOSED, aiohttp.WSMsgType.ERROR):
                    break
                async with self._changed:
                    self._changed.notify_all()
        finally:
            if self.close_code is None:
                self.close_code = self._ws.close_code
            self._closed.set()
            async with self._changed:
                self._changed.notify_all()

    async def start(self, timeout_s: float) -> None:
        """Send our SyncStep1 and wait for the server's SyncStep2 (the initial sync)."""
        await self._ws.send_bytes(encode_sync_step1(self.ydoc.get_state()))
        async with asyncio.timeout(timeout_s), self._changed:
            await self._changed.wait_for(lambda: self._synced.is_set() or self._closed.is_set())
        if not self._synced.is_set():
            raise LiveClosed(self.close_code, self.close_reason)


def _ws_url(base_url: str, project_id: str, token: str | None) -> str:
    query = {"ext": "1", "schema": str(DOCUMENT_SCHEMA)}
    if token is not None:
        query["token"] = token
    scheme, rest = base_url.split("://", 1)
    ws_scheme = "wss" if scheme == "https" else "ws"
    return f"{ws_scheme}://{rest}/collab/{quote(project_id, safe='')}?{urlencode(query)}"


async def _connect(transport: Transport, url: str) -> aiohttp.ClientWebSocketResponse:
    """Open the socket; a refused upgrade (503 node full, 429) is retried per the policy."""
    session = transport.session
    if session is None:
        raise RuntimeError("use the client inside `async with DTTools(...) as client`")
    attempt = 0
    while True:
        attempt += 1
        try:
            return await session.ws_connect(url, max_msg_size=0, heartbeat=30.0)
        except aiohttp.WSServerHandshakeError as exc:
            headers: Mapping[str, str] = exc.headers or {}
            retryable = exc.status in transport.retry.retry_statuses
            if not (
                retryable and await transport.backoff(attempt, transport.retry_after_s(headers))
            ):
                raise LiveClosed(None, f"upgrade refused with {exc.status}") from exc


@asynccontextmanager
async def open_live(
    transport: Transport, project_id: str, user_id: str | None, *, sync_timeout_s: float = 30.0
) -> AsyncIterator[LiveDocument]:
    """Connect, sync, yield the document; close the socket when the block ends."""
    ws = await _connect(transport, _ws_url(transport.base_url, project_id, transport.token))
    document = LiveDocument(ws, user_id)
    reader = asyncio.create_task(document.run())
    try:
        await document.start(sync_timeout_s)
        yield document
    finally:
        await ws.close()
        reader.cancel()
        with suppress(asyncio.CancelledError):
            await reader
