"""The file stores (persistence/blobs.py) against real parts: a folder, and moto's S3 server.

Every behaviour the API relies on is checked on both stores; what only one of them has
(crash safety of the local rename, presigned URLs and checksums on S3) on that one.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import hashlib
import os
import signal
import sys
import uuid
from collections.abc import AsyncIterator, Awaitable, Iterator
from pathlib import Path
from typing import BinaryIO

import aiohttp
import pytest
from aiobotocore.config import AioConfig
from aiobotocore.session import get_session

from persistence.blobs import (
    BlobMissing,
    BlobStore,
    LocalBlobStore,
    S3BlobStore,
    attachment_disposition,
    blob_key,
)
from persistence.errors import StorageUnavailable
from tests.support.s3 import MotoS3, moto_s3_fixture
from tests.support.timing import TIMEOUT

ROOT = Path(__file__).resolve().parents[2]

moto_s3 = moto_s3_fixture()


def _file(folder: Path, data: bytes, name: str = "upload") -> tuple[Path, str]:
    """``data`` written to a file in ``folder``, and its SHA-256 (hex)."""
    path = folder / name
    path.write_bytes(data)
    return path, hashlib.sha256(data).hexdigest()


async def _read_all(store: BlobStore, key: str, chunk_size: int = 64 * 1024) -> bytes:
    return b"".join([chunk async for chunk in store.read(key, chunk_size=chunk_size)])


async def _open_s3(server: MotoS3, endpoint_url: str | None = None) -> S3BlobStore:
    return await S3BlobStore.open(
        bucket=server.new_bucket(),
        endpoint_url=endpoint_url or server.url,
        region=server.region,
        addressing_style="path",
        create_bucket=True,
    )


@pytest.fixture(params=["local", "s3"])
async def store(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[BlobStore]:
    """A store with nothing in it: a fresh folder, or a fresh bucket on moto."""
    blobs: BlobStore
    if request.param == "local":
        blobs = LocalBlobStore(tmp_path / "blobs")
    else:
        blobs = await _open_s3(request.getfixturevalue("moto_s3"))
    yield blobs
    await blobs.close()


# --- both stores ---------------------------------------------------------------------------------


async def test_round_trip_in_chunks(store: BlobStore, tmp_path: Path) -> None:
    """3 MB of random bytes come back identical, in chunks no larger than asked."""
    data = os.urandom(3 * 1024 * 1024 + 17)
    path, digest = _file(tmp_path, data)
    key = blob_key(uuid.uuid4(), digest)
    await store.put_file(key, path, media_type="application/pdf", sha256_hex=digest)

    chunks = [chunk async for chunk in store.read(key, chunk_size=256 * 1024)]
    assert b"".join(chunks) == data
    assert all(0 < len(chunk) <= 256 * 1024 for chunk in chunks)
    assert len(chunks) >= 13  # streamed, not one buffer
    assert await store.size(key) == len(data)


async def test_storing_the_same_key_again_is_fine(store: BlobStore, tmp_path: Path) -> None:
    data = os.urandom(100_000)
    path, digest = _file(tmp_path, data)
    key = blob_key(uuid.uuid4(), digest)
    for _ in range(2):
        await store.put_file(key, path, media_type="image/png", sha256_hex=digest)
    assert await _read_all(store, key) == data
    assert await store.size(key) == len(data)


async def test_an_empty_file_is_stored(store: BlobStore, tmp_path: Path) -> None:
    path, digest = _file(tmp_path, b"")
    key = blob_key(uuid.uuid4(), digest)
    await store.put_file(key, path, media_type="text/plain", sha256_hex=digest)
    assert await store.size(key) == 0
    assert await _read_all(store, key) == b""


async def test_a_missing_key_has_no_size_and_cannot_be_read(store: BlobStore) -> None:
    key = blob_key(uuid.uuid4(), "0" * 64)
    assert await store.size(key) is None
    chunks = store.read(key)
    with pytest.raises(BlobMissing) as raised:
        await anext(chunks)  # the first chunk: a caller can still answer 404
    assert raised.value.key == key


async def test_delete(store: BlobStore, tmp_path: Path) -> None:
    path, digest = _file(tmp_path, b"some bytes")
    key = blob_key(uuid.uuid4(), digest)
    await store.put_file(key, path, media_type="text/plain", sha256_hex=digest)
    await store.delete(key)
    assert await store.size(key) is None
    with pytest.raises(BlobMissing):
        await _read_all(store, key)
    await store.delete(key)  # already gone: fine
    await store.delete(blob_key(uuid.uuid4(), digest))  # never there: fine


async def test_delete_prefix_removes_one_projects_files(store: BlobStore, tmp_path: Path) -> None:
    """A project's files and thumbnails go; another project's (even one whose id shares the
    first characters) stay."""
    doomed = uuid.UUID("12345678-0000-4000-8000-000000000001")
    kept = uuid.UUID("12345678-0000-4000-8000-000000000002")
    keys: dict[uuid.UUID, list[str]] = {doomed: [], kept: []}
    for n in range(3):
        path, digest = _file(tmp_path, f"file {n}".encode(), name=f"f{n}")
        for project in (doomed, kept):
            for thumbnail in (False, True):
                key = blob_key(project, digest, thumbnail=thumbnail)
                await store.put_file(key, path, media_type="text/plain", sha256_hex=digest)
                keys[project].append(key)

    assert await store.delete_prefix(f"{doomed}/") == 6
    for key in keys[doomed]:
        assert await store.size(key) is None
    for key in keys[kept]:
        assert await store.size(key) is not None
    assert await store.delete_prefix(f"{doomed}/") == 0
    # A prefix matches key text, not whole segments: "12345678-" covers both projects.
    assert await store.delete_prefix("12345678-") == 6
    assert await store.delete_prefix(f"{uuid.uuid4()}/") == 0


@pytest.mark.parametrize(
    "key",
    ["", "/abs/key", "a/../b", "..", "a/..", "./a", "a//b", "a/", "a\\b", "a/.hidden", "a\0b"],
)
async def test_keys_that_are_not_plain_relative_paths_are_refused(
    store: BlobStore, tmp_path: Path, key: str
) -> None:
    """No key can reach outside the store's folder (or its prefix in the bucket)."""
    path, digest = _file(tmp_path, b"x")
    with pytest.raises(ValueError, match="invalid blob key"):
        await store.put_file(key, path, media_type="text/plain", sha256_hex=digest)
    with pytest.raises(ValueError, match="invalid blob key"):
        store.read(key)
    with pytest.raises(ValueError, match="invalid blob key"):
        await store.size(key)
    with pytest.raises(ValueError, match="invalid blob key"):
        await store.delete(key)
    if key != "a/":  # a valid prefix ("everything in folder a")
        with pytest.raises(ValueError, match="invalid blob key"):
            await store.delete_prefix(key)


def test_blob_keys() -> None:
    project = uuid.UUID("0b7e5c3a-1d2f-4e5a-9b8c-7d6e5f4a3b2c")
    digest = hashlib.sha256(b"x").hexdigest()
    assert blob_key(project, digest) == f"{project}/{digest}"
    assert blob_key(project, digest, thumbnail=True) == f"{project}/{digest}.thumb"
    for wrong in ("", digest.upper(), digest[:-1], "../" + digest[3:]):
        with pytest.raises(ValueError, match="sha256_hex"):
            blob_key(project, wrong)


def test_attachment_disposition_is_safe_and_exact() -> None:
    value = attachment_disposition('Relatório "final";\r\nX-Evil: 1 100%.pdf')
    assert value == (
        'attachment; filename="Relat_rio _final__X-Evil: 1 100_.pdf"; '
        "filename*=UTF-8''Relat%C3%B3rio%20%22final%22%3BX-Evil%3A%201%20100%25.pdf"
    )
    assert (
        attachment_disposition("\r\n")
        == "attachment; filename=\"download\"; filename*=UTF-8''download"
    )


# --- local disk ----------------------------------------------------------------------------------


async def test_local_store_is_single_node_and_private(tmp_path: Path) -> None:
    store = LocalBlobStore(tmp_path / "new" / "blobs")
    assert store.single_node is True
    assert (tmp_path / "new" / "blobs").stat().st_mode & 0o777 == 0o700
    path, digest = _file(tmp_path, b"secret")
    key = blob_key(uuid.uuid4(), digest)
    await store.put_file(key, path, media_type="text/plain", sha256_hex=digest)
    assert (store.root / key).stat().st_mode & 0o777 == 0o600
    assert (store.root / key).parent.stat().st_mode & 0o777 == 0o700
    assert await store.signed_url(key, filename="a.txt", media_type="text/plain", ttl_s=60) is None


async def test_local_bytes_that_do_not_match_the_digest_leave_nothing(tmp_path: Path) -> None:
    """The digest is checked while copying: a file that changed since it was hashed (or a
    caller's mistake) is refused, and neither the key nor a temporary file is left."""
    store = LocalBlobStore(tmp_path / "blobs")
    path, _ = _file(tmp_path, b"the bytes")
    other = hashlib.sha256(b"other bytes").hexdigest()
    key = blob_key(uuid.uuid4(), other)
    with pytest.raises(ValueError, match="do not match"):
        await store.put_file(key, path, media_type="text/plain", sha256_hex=other)
    assert await store.size(key) is None
    assert list((store.root / key).parent.iterdir()) == []
    assert path.read_bytes() == b"the bytes"


# A child process that stores a FIFO's bytes, so the test controls how far the copy gets.
_CHILD = """
import asyncio, sys
from pathlib import Path
from persistence.blobs import LocalBlobStore
store = LocalBlobStore(Path(sys.argv[1]))
asyncio.run(store.put_file(sys.argv[2], Path(sys.argv[3]), media_type="x/y", sha256_hex="0" * 64))
"""


@contextlib.contextmanager
def _closing_all() -> Iterator[list[BinaryIO]]:
    """A list whose files are closed on exit (the FIFO's write end, once a thread opened it)."""
    opened: list[BinaryIO] = []
    try:
        yield opened
    finally:
        for end in opened:
            with contextlib.suppress(OSError):
                end.close()


async def test_local_crash_mid_write_leaves_no_blob(tmp_path: Path) -> None:
    """A writer killed (SIGKILL) half-way through a blob leaves nothing at the key: before the
    kill readers see no blob, after it only a hidden temporary file remains, which is not a
    blob, and the next put of the key succeeds."""
    root = tmp_path / "blobs"
    store = LocalBlobStore(root)
    project = uuid.uuid4()
    data = os.urandom(4 * 1024 * 1024)
    digest = hashlib.sha256(data).hexdigest()
    key = blob_key(project, digest)
    fifo = tmp_path / "source"
    os.mkfifo(fifo)
    child = await asyncio.create_subprocess_exec(
        sys.executable, "-c", _CHILD, str(root), key, str(fifo),
        cwd=ROOT, stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.DEVNULL,
    )  # fmt: skip
    try:
        with _closing_all() as holder:

            def write_half() -> None:
                end = fifo.open("wb", buffering=0)  # waits for the child to open its end
                holder.append(end)
                view = memoryview(data)[: len(data) // 2]
                while view:  # blocks until the child has read all but a pipe buffer of it
                    view = view[end.write(view) :]

            async with asyncio.timeout(TIMEOUT):
                await asyncio.to_thread(write_half)
            # The child is now blocked mid-copy, its temporary file holding part of the bytes.
            (temporary,) = (root / str(project)).iterdir()
            assert temporary.name.startswith(f".{digest}.")
            assert temporary.name.endswith(".tmp")
            assert not (root / key).exists()
            assert await store.size(key) is None
            with pytest.raises(BlobMissing):
                await _read_all(store, key)

            child.send_signal(signal.SIGKILL)
            assert await child.wait() == -signal.SIGKILL
    finally:
        if child.returncode is None:
            child.kill()
            await child.wait()

    assert not (root / key).exists()
    assert temporary.exists()  # the crash's leftover, invisible as a blob:
    assert await store.size(key) is None
    assert await store.delete_prefix(f"{project}/") == 0
    path, _ = _file(tmp_path, data)
    await store.put_file(key, path, media_type="x/y", sha256_hex=digest)
    assert await _read_all(store, key) == data


# --- S3 ------------------------------------------------------------------------------------------


async def test_s3_store_stores_the_sha256_and_media_type(moto_s3: MotoS3, tmp_path: Path) -> None:
    """The object carries the checksum the service verifies (base64 of the digest, computed
    here independently) and the media type."""
    store = await _open_s3(moto_s3)
    try:
        assert store.single_node is False
        data = os.urandom(300_000)
        path, digest = _file(tmp_path, data)
        key = blob_key(uuid.uuid4(), digest)
        await store.put_file(key, path, media_type="image/webp", sha256_hex=digest)
        config = AioConfig(s3={"addressing_style": "path"})
        async with get_session().create_client(
            "s3", endpoint_url=moto_s3.url, region_name=moto_s3.region, config=config
        ) as client:
            head = await client.head_object(Bucket=store.bucket, Key=key, ChecksumMode="ENABLED")
        assert head["ChecksumSHA256"] == base64.b64encode(hashlib.sha256(data).digest()).decode()
        assert head["ContentType"] == "image/webp"
        assert head["ContentLength"] == len(data)
    finally:
        await store.close()


async def test_s3_presigned_url_downloads_an_attachment(moto_s3: MotoS3, tmp_path: Path) -> None:
    store = await _open_s3(moto_s3)
    try:
        data = os.urandom(200_000)
        path, digest = _file(tmp_path, data)
        key = blob_key(uuid.uuid4(), digest)
        await store.put_file(key, path, media_type="application/pdf", sha256_hex=digest)
        filename = 'Relatório "final"; v2.pdf'
        url = await store.signed_url(key, filename=filename, media_type="application/pdf", ttl_s=60)
        assert url is not None
        assert "X-Amz-Signature=" in url  # SigV4
        assert "X-Amz-Expires=60" in url
        async with aiohttp.ClientSession() as http, http.get(url) as response:
            assert response.status == 200
            assert await response.read() == data
            assert response.headers["Content-Disposition"] == attachment_disposition(filename)
            assert (
                "filename*=UTF-8''Relat%C3%B3rio%20%22final%22%3B%20v2.pdf"
                in (response.headers["Content-Disposition"])
            )
            assert response.headers["Content-Type"] == "application/pdf"
        # (moto does not check signatures, so a tampered URL is not tested here.)
        with pytest.raises(ValueError, match="ttl_s"):
            await store.signed_url(key, filename="a", media_type="text/plain", ttl_s=0)
    finally:
        await store.close()


async def test_s3_keys_live_under_the_prefix(moto_s3: MotoS3, tmp_path: Path) -> None:
    bucket = moto_s3.new_bucket()
    stores = [
        await S3BlobStore.open(
            bucket=bucket,
            endpoint_url=moto_s3.url,
            region=moto_s3.region,
            addressing_style="path",
            prefix=prefix,
            create_bucket=True,  # the second finds it there
        )
        for prefix in ("one/", "two/")
    ]
    try:
        path, digest = _file(tmp_path, b"bytes")
        key = blob_key(uuid.uuid4(), digest)
        await stores[0].put_file(key, path, media_type="text/plain", sha256_hex=digest)
        assert await stores[0].size(key) == 5
        assert await stores[1].size(key) is None
        assert await stores[1].delete_prefix(key.split("/")[0] + "/") == 0
        assert await stores[0].delete_prefix(key.split("/")[0] + "/") == 1
    finally:
        for one in stores:
            await one.close()


async def test_s3_missing_bucket_is_an_error_at_open(moto_s3: MotoS3) -> None:
    with pytest.raises(Exception, match="not found") as raised:
        await S3BlobStore.open(
            bucket=moto_s3.new_bucket(),
            endpoint_url=moto_s3.url,
            region=moto_s3.region,
            addressing_style="path",
        )
    assert not isinstance(raised.value, StorageUnavailable)


class _Proxy:
    """A TCP relay to moto that can be cut off (and restored on the same port): an S3 endpoint
    that goes away the way a real one does, refusing new connections and dropping open ones."""

    def __init__(self, target_port: int) -> None:
        self.target_port = target_port
        self.port = 0
        self._server: asyncio.Server | None = None
        self._writers: set[asyncio.StreamWriter] = set()

    async def start(self) -> None:
        self._server = await asyncio.start_server(self._relay, "127.0.0.1", self.port)
        self.port = self._server.sockets[0].getsockname()[1]

    async def stop(self) -> None:
        """Refuse new connections and drop the open ones (both sides)."""
        if self._server is None:
            return
        server, self._server = self._server, None
        server.close()
        for writer in list(self._writers):
            writer.transport.abort()
        await server.wait_closed()

    async def _relay(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self._writers.add(writer)
        try:
            up_reader, up_writer = await asyncio.open_connection("127.0.0.1", self.target_port)
        except OSError:
            writer.transport.abort()
            self._writers.discard(writer)
            return
        self._writers.add(up_writer)

        async def pipe(src: asyncio.StreamReader, dst: asyncio.StreamWriter) -> None:
            with contextlib.suppress(OSError):
                while data := await src.read(65536):
                    dst.write(data)
                    await dst.drain()
            dst.transport.abort()

        try:
            await asyncio.gather(pipe(reader, up_writer), pipe(up_reader, writer))
        finally:
            for end in (writer, up_writer):
                end.transport.abort()
                self._writers.discard(end)


async def test_s3_endpoint_down_is_storage_unavailable(moto_s3: MotoS3, tmp_path: Path) -> None:
    """Refused connections and dropped ones both become StorageUnavailable (503), at open and
    on every operation; the store works again once the endpoint is back."""
    proxy = _Proxy(int(moto_s3.url.rsplit(":", 1)[1]))
    await proxy.start()
    store = await _open_s3(moto_s3, endpoint_url=f"http://127.0.0.1:{proxy.port}")
    try:
        path, digest = _file(tmp_path, b"bytes")
        key = blob_key(uuid.uuid4(), digest)
        await store.put_file(key, path, media_type="text/plain", sha256_hex=digest)
        await proxy.stop()

        async def fails(operation: Awaitable[object]) -> None:
            with pytest.raises(StorageUnavailable):
                await operation

        async with asyncio.timeout(TIMEOUT):
            await asyncio.gather(
                fails(store.put_file(key, path, media_type="text/plain", sha256_hex=digest)),
                fails(_read_all(store, key)),
                fails(store.size(key)),
                fails(store.delete(key)),
                fails(store.delete_prefix(key.split("/")[0] + "/")),
            )
            with pytest.raises(StorageUnavailable):
                await _open_s3(moto_s3, endpoint_url=f"http://127.0.0.1:{proxy.port}")

        await proxy.start()  # the same port
        assert await store.size(key) == 5
    finally:
        await store.close()
        await proxy.stop()
