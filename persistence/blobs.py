"""Where the bytes of uploaded files and images live: a folder on local disk, or an S3 bucket.

The database keeps what a file *is* (name, type, size, digest, project); a :class:`BlobStore`
keeps only its bytes, under a key made by :func:`blob_key`. Keys are content-addressed (the
project and the SHA-256 of the bytes), which gives three properties the callers rely on:

* storing is idempotent: the same key always means the same bytes, so a retried or duplicate
  upload just stores them again (or finds them there) and nothing needs a lock;
* a stored object never changes, so it can be cached and handed out by URL;
* everything a project owns shares the prefix ``"{project_id}/"``, so deleting a project
  deletes its files with one :meth:`BlobStore.delete_prefix`.

Both stores write atomically: no reader ever sees part of an object. On local disk the bytes go
to a temporary file in the destination folder, which is fsynced and then renamed over the key
(``os.replace``, atomic within one file system); on S3 a single ``PutObject`` either creates
the whole object or nothing, and carries the SHA-256 so the service refuses bytes damaged on
the way.

Local disk is for a single node: every node would have to share the folder, which is not
supported (:attr:`BlobStore.single_node` says so, and the store logs it when opened). S3 (or an
S3-compatible service) is the store for more than one node.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import hashlib
import os
import re
import stat
import tempfile
from collections.abc import AsyncIterator, Iterator
from contextlib import AsyncExitStack
from pathlib import Path
from typing import TYPE_CHECKING, BinaryIO, Literal, Protocol
from urllib.parse import quote
from uuid import UUID

import structlog
from aiobotocore.config import AioConfig
from aiobotocore.session import get_session
from botocore.exceptions import (
    BotoCoreError,
    ClientError,
    HTTPClientError,
    IncompleteReadError,
    NoCredentialsError,
    PartialCredentialsError,
    ResponseStreamingError,
)
from botocore.exceptions import (
    ConnectionError as BotoConnectionError,
)

from persistence.errors import StorageError, StorageUnavailable

if TYPE_CHECKING:
    from types_aiobotocore_s3 import S3Client

__all__ = [
    "BlobMissing",
    "BlobStore",
    "LocalBlobStore",
    "S3BlobStore",
    "blob_key",
    "export_key",
    "personal_export_key",
    "attachment_disposition",
    "DEFAULT_CHUNK_SIZE",
    "MAX_SIGNED_URL_TTL_S",
]

_log = structlog.get_logger(__name__)

#: Chunk size of :meth:`BlobStore.read` unless the caller asks for another.
DEFAULT_CHUNK_SIZE = 64 * 1024
#: The longest a SigV4 presigned URL can be valid (7 days).
MAX_SIGNED_URL_TTL_S = 7 * 24 * 3600
#: Bytes copied per read/write when storing to local disk (the file is never read whole).
_COPY_CHUNK = 1024 * 1024
#: Concurrent DeleteObject requests of one :meth:`S3BlobStore.delete_prefix`.
_DELETE_CONCURRENCY = 16
_SHA256_HEX = re.compile(r"[0-9a-f]{64}")
#: S3 error codes that mean "the service is not answering now", not "this request is wrong".
_S3_OUTAGE_CODES = {"SlowDown", "ServiceUnavailable", "InternalError", "RequestTimeout", "503"}
#: S3 error codes for bytes that do not match the checksum sent with them.
_S3_DIGEST_CODES = {"BadDigest", "XAmzContentChecksumMismatch", "InvalidDigest"}


class BlobMissing(StorageError):
    """The key has no blob (never stored, or deleted). The API answers 404 for the file."""

    def __init__(self, key: str) -> None:
        self.key = key
        super().__init__(f"no blob at key {key!r}")


def blob_key(project_id: UUID, sha256_hex: str, *, thumbnail: bool = False) -> str:
    """The key of a file's bytes (or of its thumbnail): the one place the layout is decided.

    ``"{project_id}/{sha256_hex}"`` and ``"{project_id}/{sha256_hex}.thumb"``: the project
    first, so :meth:`BlobStore.delete_prefix` with ``f"{project_id}/"`` removes a project's
    files; then the digest of the original bytes, so the same upload twice is the same key.
    """
    if not _SHA256_HEX.fullmatch(sha256_hex):
        raise ValueError("sha256_hex must be 64 lowercase hexadecimal digits")
    key = f"{project_id}/{sha256_hex}"
    return f"{key}.thumb" if thumbnail else key


def export_key(project_id: UUID, export_id: UUID) -> str:
    """The key of an export's file: under the project's prefix, like its files, so that
    deleting a project's blobs takes its exports too (``"{project_id}/exports/{export_id}"``)."""
    return f"{project_id}/exports/{export_id}"


def personal_export_key(user_id: UUID, export_id: UUID) -> str:
    """The key of a person's own data export (``"people/{user_id}/exports/{export_id}"``)."""
    return f"people/{user_id}/exports/{export_id}"


def attachment_disposition(filename: str) -> str:
    """A ``Content-Disposition: attachment`` value naming ``filename`` (RFC 6266, RFC 5987).

    ``filename*`` carries the exact name, UTF-8 and percent-encoded (only RFC 5987 attr-chars
    are left as they are, so no quote, semicolon, CR or LF can reach the header); ``filename``
    is an ASCII fallback for old clients, with anything else replaced by ``_``.
    """
    name = "".join(ch for ch in filename if ch.isprintable()).strip() or "download"
    fallback = "".join(ch if " " <= ch <= "~" and ch not in '"\\%;' else "_" for ch in name).strip()
    encoded = quote(name, safe="!#$&+-.^_`|~", encoding="utf-8")
    return f"attachment; filename=\"{fallback or 'download'}\"; filename*=UTF-8''{encoded}"


def _check_key(key: str, *, prefix: bool = False) -> list[str]:
    """The segments of ``key``; ValueError for anything that is not a plain relative path.

    Refused: empty keys, absolute paths, backslashes, NUL, empty segments ("a//b", "a/"),
    and segments starting with a dot ("." and "..", and the names of the local store's
    temporary files). With ``prefix``, the last segment may be empty or partial ("p/", "p/ab").
    """
    if not key or key.startswith("/") or "\\" in key or "\0" in key:
        raise ValueError(f"invalid blob key {key!r}")
    segments = key.split("/")
    whole = segments[:-1] if prefix else segments
    last = segments[-1]
    if any(not s or s.startswith(".") for s in whole) or (prefix and last.startswith(".")):
        raise ValueError(f"invalid blob key {key!r}")
    return segments


def _check_chunk_size(chunk_size: int) -> None:
    if chunk_size <= 0:
        raise ValueError("chunk_size must be positive")


class BlobStore(Protocol):
    """The bytes of stored files, by key. Keys look like ``"a/b"`` (see :func:`blob_key`)."""

    #: True for local disk: the folder would have to be shared by every node, which is not
    #: supported, so a deployment with this store runs one node. False for S3.
    single_node: bool

    async def put_file(self, key: str, path: Path, *, media_type: str, sha256_hex: str) -> None:
        """Store the bytes of ``path`` under ``key``, atomically; the same key again is fine.

        No reader ever sees a partial object. ``sha256_hex`` is the digest of the file; bytes
        that do not match it are refused (ValueError) and nothing is stored.
        """
        ...

    def read(self, key: str, *, chunk_size: int = DEFAULT_CHUNK_SIZE) -> AsyncIterator[bytes]:
        """The bytes under ``key``, in chunks of at most ``chunk_size``.

        :class:`BlobMissing` is raised by the first ``__anext__``, before any chunk, so a
        caller that wants to answer 404 instead of a broken 200 awaits the first chunk before
        it starts its response.
        """
        ...

    async def size(self, key: str) -> int | None:
        """The size of the blob in bytes, None if there is none."""
        ...

    async def delete(self, key: str) -> None:
        """Delete the blob; a key with none is fine."""
        ...

    async def delete_prefix(self, prefix: str) -> int:
        """Delete every blob whose key starts with ``prefix`` (a project's files); the count."""
        ...

    async def signed_url(
        self, key: str, *, filename: str, media_type: str, ttl_s: int
    ) -> str | None:
        """A URL that downloads the blob as an attachment for ``ttl_s`` seconds, or None when
        the store cannot make one (local disk: the server streams the bytes itself)."""
        ...

    async def close(self) -> None:
        """Release connections (a no-op for local disk)."""
        ...


# --- local disk ----------------------------------------------------------------------------------


def _copy_and_sync(src: BinaryIO, fd: int) -> str:
    """Copy ``src`` to the open file ``fd`` in bounded chunks, fsync, close; the SHA-256."""
    digest = hashlib.sha256()
    with open(fd, "wb") as out:
        while chunk := src.read(_COPY_CHUNK):
            digest.update(chunk)
            out.write(chunk)
        out.flush()
        os.fsync(out.fileno())
    return digest.hexdigest()


def _fsync_dir(directory: Path) -> None:
    """Make a rename or a new entry in ``directory`` durable (the entry lives in the folder)."""
    fd = os.open(directory, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


class LocalBlobStore:
    """Blobs as files under one folder, ``root/<key>``: for a single node only.

    Every node of a deployment would have to see the same folder, and a shared folder (NFS
    and the like) is not supported: renames, fsync and deletes are not reliably atomic there.
    Use :class:`S3BlobStore` to run more than one node.

    A blob is written to a hidden temporary file next to its key (``.<name>.<random>.tmp``),
    fsynced, renamed over the key with ``os.replace`` and the folder fsynced: a crash at any
    point leaves either no file at the key or the whole one, never part of it. A crash can
    leave a temporary file behind; it is never seen as a blob (keys cannot start with a dot).
    Blocking file-system calls run in worker threads, never on the event loop.
    """

    single_node = True

    def __init__(self, root: Path) -> None:
        root.mkdir(mode=0o700, parents=True, exist_ok=True)
        self.root = root.resolve()
        _log.info(
            "file storage on local disk: single node only (use S3 for more)",
            root=str(self.root),
        )

    def _path(self, key: str) -> Path:
        return self.root.joinpath(*_check_key(key))

    # -- writing

    def _make_parents(self, path: Path) -> None:
        """Create the folders above ``path`` (0700), fsyncing each new entry's parent."""
        missing = []
        parent = path.parent
        while parent != self.root and not parent.is_dir():
            missing.append(parent)
            parent = parent.parent
        for folder in reversed(missing):
            with contextlib.suppress(FileExistsError):
                folder.mkdir(mode=0o700)
            _fsync_dir(folder.parent)

    def _put_sync(self, key: str, path: Path, sha256_hex: str) -> None:
        dest = self._path(key)
        # Unbuffered: a read returns what is there (a pipe, a slow disk) instead of waiting to
        # fill the buffer; the copy never holds more than _COPY_CHUNK bytes.
        with path.open("rb", buffering=0) as src:
            try:
                self._make_parents(dest)
                fd, tmp_name = self._temp_file(dest)
            except OSError as exc:
                raise StorageError(f"cannot store blob {key!r}: {exc.strerror}") from exc
            tmp = Path(tmp_name)
            try:
                matches = _copy_and_sync(src, fd) == sha256_hex
                if matches:
                    os.replace(tmp, dest)
                    _fsync_dir(dest.parent)
            except BaseException as exc:
                with contextlib.suppress(OSError):
                    tmp.unlink()
                if isinstance(exc, OSError):
                    raise StorageError(f"cannot store blob {key!r}: {exc.strerror}") from exc
                raise
        if not matches:
            with contextlib.suppress(OSError):
                tmp.unlink()
            raise ValueError(f"the bytes given for {key!r} do not match sha256_hex")

    def _temp_file(self, dest: Path) -> tuple[int, str]:
        """A new temporary file (0600) in the key's folder, retried once if a concurrent
        :meth:`delete_prefix` removed the (then empty) folder just after it was made."""
        for attempt in range(2):
            try:
                return tempfile.mkstemp(prefix=f".{dest.name}.", suffix=".tmp", dir=dest.parent)
            except FileNotFoundError:
                if attempt:
                    raise
                self._make_parents(dest)
        raise AssertionError("unreachable")  # pragma: no cover

    async def put_file(self, key: str, path: Path, *, media_type: str, sha256_hex: str) -> None:
        """Copy ``path`` to the key through a temporary file, checking its SHA-256 on the way.

        ``media_type`` is not stored: the database has it. Raises ValueError (and stores
        nothing) when the bytes do not match ``sha256_hex``, StorageError when the disk fails.
        """
        _check_key(key)
        await asyncio.to_thread(self._put_sync, key, path, sha256_hex)

    # -- reading

    def read(self, key: str, *, chunk_size: int = DEFAULT_CHUNK_SIZE) -> AsyncIterator[bytes]:
        """The file's bytes in chunks; a concurrent replace or delete does not affect a read
        already started (it holds the file it opened)."""
        _check_chunk_size(chunk_size)
        return self._chunks(key, self._path(key), chunk_size)

    async def _chunks(self, key: str, path: Path, chunk_size: int) -> AsyncIterator[bytes]:
        try:
            file = await asyncio.to_thread(path.open, "rb", buffering=0)
        except (FileNotFoundError, NotADirectoryError, IsADirectoryError):
            raise BlobMissing(key) from None
        try:
            while chunk := await asyncio.to_thread(file.read, chunk_size):
                yield chunk
        finally:
            file.close()

    async def size(self, key: str) -> int | None:
        """The file's size, None if there is no file at the key."""
        path = self._path(key)
        try:
            st = await asyncio.to_thread(path.stat)
        except (FileNotFoundError, NotADirectoryError):
            return None
        return st.st_size if stat.S_ISREG(st.st_mode) else None

    # -- deleting

    async def delete(self, key: str) -> None:
        """Remove the file at the key, if any."""
        path = self._path(key)
        await asyncio.to_thread(self._unlink, path)

    @staticmethod
    def _unlink(path: Path) -> None:
        with contextlib.suppress(FileNotFoundError, NotADirectoryError):
            path.unlink()

    def _delete_prefix_sync(self, prefix: str) -> int:
        segments = _check_key(prefix, prefix=True)
        base = self.root.joinpath(*segments[:-1])
        if not base.is_dir():
            return 0
        count = 0
        for folder, _dirs, files in os.walk(base, topdown=False):
            here = Path(folder)
            rel = here.relative_to(self.root).as_posix()
            rel = "" if rel == "." else f"{rel}/"
            for name in files:
                # Temporary files of puts in flight (or of a crash) are not blobs.
                if not name.startswith(".") and f"{rel}{name}".startswith(prefix):
                    self._unlink(here / name)
                    count += 1
            if here != self.root and rel.startswith(prefix):
                with contextlib.suppress(OSError):  # not empty: a put in flight
                    here.rmdir()
        return count

    async def delete_prefix(self, prefix: str) -> int:
        """Remove every file whose key starts with ``prefix``, and the folders left empty.

        An empty prefix is refused (ValueError): it would delete every project's files.
        """
        return await asyncio.to_thread(self._delete_prefix_sync, prefix)

    async def signed_url(
        self, key: str, *, filename: str, media_type: str, ttl_s: int
    ) -> str | None:
        """None: local files have no URL of their own, the server streams them."""
        _check_key(key)
        return None

    async def close(self) -> None:
        """Nothing to release."""


# --- S3 ------------------------------------------------------------------------------------------


def _error_code(exc: ClientError) -> str:
    return str(exc.response.get("Error", {}).get("Code", ""))


def _status(exc: ClientError) -> int:
    return int(exc.response.get("ResponseMetadata", {}).get("HTTPStatusCode", 0))


class S3BlobStore:
    """Blobs as objects of one S3 bucket (AWS or an S3-compatible service), under ``prefix``.

    Open with :meth:`open`. Credentials come from botocore's usual chain (environment,
    shared config and credentials files, container or instance roles) and are never logged.

    Every failure is a :class:`~persistence.errors.StorageError`; the service being
    unreachable, timing out or answering 5xx is
    :class:`~persistence.errors.StorageUnavailable`, so the API answers 503 and the client
    retries. botocore retries each request first (3 attempts in all, standard mode).
    """

    single_node = False

    def __init__(
        self,
        client: S3Client,
        stack: AsyncExitStack,
        *,
        bucket: str,
        prefix: str,
        endpoint: str,
    ) -> None:
        self._client = client
        self._stack = stack
        self.bucket = bucket
        self.prefix = prefix
        self._endpoint = endpoint
        self._available = True

    @classmethod
    async def open(
        cls,
        *,
        bucket: str,
        endpoint_url: str | None,
        region: str | None,
        addressing_style: Literal["auto", "path", "virtual"],
        prefix: str = "",
        create_bucket: bool = False,
    ) -> S3BlobStore:
        """Connect and check the bucket is there (creating it with ``create_bucket``).

        Checking at start-up turns a wrong bucket name, endpoint or credentials into an error
        when the server starts rather than at the first upload. ``prefix`` is prepended to
        every key as it is (give ``"dttools/"`` to keep the files in a folder of a shared
        bucket). ``addressing_style`` is explicit because S3-compatible services differ
        (MinIO and most self-hosted ones need ``"path"``, AWS prefers ``"virtual"``).
        """
        config = AioConfig(
            signature_version="s3v4",  # presigned URLs too (botocore may pick SigV2 for those)
            s3={"addressing_style": addressing_style},
            # botocore >= 1.36 adds a CRC32 checksum (and aws-chunked bodies) to every upload
            # and validates response checksums by default; many S3-compatible services reject
            # or mangle those. Checksums only where the operation requires one: PutObject
            # carries our own SHA-256 instead.
            request_checksum_calculation="when_required",
            response_checksum_validation="when_required",
            retries={"total_max_attempts": 3, "mode": "standard"},
            connect_timeout=5,
            read_timeout=30,
        )
        stack = AsyncExitStack()
        client = await stack.enter_async_context(
            get_session().create_client(
                "s3", endpoint_url=endpoint_url, region_name=region, config=config
            )
        )
        endpoint = endpoint_url or "AWS S3"
        store = cls(client, stack, bucket=bucket, prefix=prefix, endpoint=endpoint)
        try:
            await store._check_bucket(create_bucket=create_bucket)
        except BaseException:
            await stack.aclose()
            raise
        _log.info(
            "file storage on S3",
            endpoint=endpoint,
            bucket=bucket,
            prefix=prefix,
            addressing_style=addressing_style,
        )
        return store

    async def _check_bucket(self, *, create_bucket: bool) -> None:
        try:
            with self._errors("HeadBucket"):
                await self._client.head_bucket(Bucket=self.bucket)
        except StorageError as exc:
            status = _status(exc.__cause__) if isinstance(exc.__cause__, ClientError) else 0
            if status == 404 and create_bucket:
                pass  # created below
            elif status in (403, 404):
                problem = "not found" if status == 404 else "access denied"
                raise StorageError(
                    f"S3 bucket {self.bucket!r} at {self._endpoint}: {problem}"
                ) from exc.__cause__
            else:
                raise
        else:
            return
        with self._errors("CreateBucket"):
            try:
                # The client's region: the one given, or the one botocore's chain found.
                region = self._client.meta.region_name
                if region and region != "us-east-1":
                    await self._client.create_bucket(
                        Bucket=self.bucket,
                        CreateBucketConfiguration={"LocationConstraint": region},  # type: ignore[typeddict-item]
                    )
                else:
                    await self._client.create_bucket(Bucket=self.bucket)
            except ClientError as exc:
                # Another node created it meanwhile. (BucketAlreadyExists is someone else's.)
                if _error_code(exc) != "BucketAlreadyOwnedByYou":
                    raise
        _log.info("created S3 bucket", endpoint=self._endpoint, bucket=self.bucket)

    @contextlib.contextmanager
    def _errors(self, operation: str) -> Iterator[None]:
        """Translate botocore's errors: outages to StorageUnavailable, the rest StorageError.

        Logs one line when the service goes away and one when it answers again, not one per
        request. Messages name the endpoint and the error, never credentials.
        """
        try:
            yield
        except (
            BotoConnectionError,  # refused, unknown host, connect timeout, TLS, proxy
            HTTPClientError,  # closed mid-request, read timeout
            ResponseStreamingError,  # dropped while streaming a body
            IncompleteReadError,  # body shorter than its Content-Length
        ) as exc:
            self._went_away(operation, exc)
            raise StorageUnavailable(f"S3 unavailable ({operation})") from exc
        except ClientError as exc:
            code = _error_code(exc)
            if code in _S3_OUTAGE_CODES or _status(exc) >= 500:
                self._went_away(operation, exc)
                raise StorageUnavailable(f"S3 unavailable ({operation}: {code})") from exc
            self._came_back()
            if code in _S3_DIGEST_CODES:
                raise ValueError(f"S3 refused the bytes ({code}): they do not match") from exc
            raise StorageError(f"S3 {operation} failed: {code or _status(exc)}") from exc
        except (NoCredentialsError, PartialCredentialsError) as exc:
            raise StorageError("S3: no usable credentials (AWS environment/config)") from exc
        except BotoCoreError as exc:
            raise StorageError(f"S3 {operation} failed: {type(exc).__name__}") from exc
        else:
            self._came_back()

    def _went_away(self, operation: str, exc: BaseException) -> None:
        if self._available:
            self._available = False
            _log.warning(
                "S3 unavailable",
                endpoint=self._endpoint,
                operation=operation,
                error=type(exc).__name__,
            )

    def _came_back(self) -> None:
        if not self._available:
            self._available = True
            _log.info("S3 available again", endpoint=self._endpoint)

    def _key(self, key: str) -> str:
        _check_key(key)
        return f"{self.prefix}{key}"

    async def put_file(self, key: str, path: Path, *, media_type: str, sha256_hex: str) -> None:
        """One PutObject with ``ChecksumSHA256`` and ``ContentType``: atomic on S3.

        The service checks the SHA-256 and refuses damaged bytes (ValueError here; some
        S3-compatible services ignore the checksum). ``ChecksumAlgorithm`` is sent too so the
        checksum is stored with the object (``HeadObject`` with ``ChecksumMode=ENABLED``).
        The body is the open file (botocore streams it, and rewinds it to retry).
        """
        if not _SHA256_HEX.fullmatch(sha256_hex):
            raise ValueError("sha256_hex must be 64 lowercase hexadecimal digits")
        object_key = self._key(key)
        checksum = base64.b64encode(bytes.fromhex(sha256_hex)).decode("ascii")
        body = await asyncio.to_thread(path.open, "rb")
        try:
            with self._errors("PutObject"):
                await self._client.put_object(
                    Bucket=self.bucket,
                    Key=object_key,
                    Body=body,
                    ContentType=media_type,
                    ChecksumAlgorithm="SHA256",
                    ChecksumSHA256=checksum,
                )
        finally:
            body.close()

    def read(self, key: str, *, chunk_size: int = DEFAULT_CHUNK_SIZE) -> AsyncIterator[bytes]:
        """The object's bytes, streamed from one GetObject."""
        _check_chunk_size(chunk_size)
        return self._chunks(key, self._key(key), chunk_size)

    async def _chunks(self, key: str, object_key: str, chunk_size: int) -> AsyncIterator[bytes]:
        try:
            with self._errors("GetObject"):
                response = await self._client.get_object(Bucket=self.bucket, Key=object_key)
        except StorageError as exc:
            if isinstance(exc.__cause__, ClientError) and _status(exc.__cause__) == 404:
                raise BlobMissing(key) from None
            raise
        async with response["Body"] as body:
            while True:
                with self._errors("GetObject"):
                    chunk = await body.read(chunk_size)
                if not chunk:
                    return
                yield chunk

    async def size(self, key: str) -> int | None:
        """ContentLength from HeadObject, None on 404."""
        object_key = self._key(key)
        try:
            with self._errors("HeadObject"):
                head = await self._client.head_object(Bucket=self.bucket, Key=object_key)
        except StorageError as exc:
            if isinstance(exc.__cause__, ClientError) and _status(exc.__cause__) == 404:
                return None
            raise
        return head["ContentLength"]

    async def delete(self, key: str) -> None:
        """DeleteObject (S3 answers 204 whether or not the object was there)."""
        object_key = self._key(key)
        with self._errors("DeleteObject"):
            await self._client.delete_object(Bucket=self.bucket, Key=object_key)

    async def delete_prefix(self, prefix: str) -> int:
        """List the objects under ``prefix`` and delete them one DeleteObject each.

        Not DeleteObjects (batch): it requires a Content-MD5 or checksum header, which
        botocore >= 1.36 sends as CRC32 and several S3-compatible services refuse, and some
        (Google Cloud Storage's XML API) do not offer it at all. Deletes run a few at a time.
        An empty prefix is refused (ValueError): it would delete every project's files.
        """
        _check_key(prefix, prefix=True)
        full = f"{self.prefix}{prefix}"
        keys: list[str] = []
        with self._errors("ListObjectsV2"):
            paginator = self._client.get_paginator("list_objects_v2")
            async for page in paginator.paginate(Bucket=self.bucket, Prefix=full):
                keys.extend(item["Key"] for item in page.get("Contents", []))
        limit = asyncio.Semaphore(_DELETE_CONCURRENCY)

        async def delete_one(object_key: str) -> None:
            async with limit:
                with self._errors("DeleteObject"):
                    await self._client.delete_object(Bucket=self.bucket, Key=object_key)

        try:
            async with asyncio.TaskGroup() as group:
                for object_key in keys:
                    group.create_task(delete_one(object_key))
        except ExceptionGroup as failed:
            # The caller handles one StorageError (503 for an outage), not a group of them.
            raise failed.exceptions[0] from None
        return len(keys)

    async def signed_url(
        self, key: str, *, filename: str, media_type: str, ttl_s: int
    ) -> str | None:
        """A presigned GetObject URL (SigV4, valid ``ttl_s`` seconds) whose response is an
        attachment named ``filename`` of type ``media_type`` (S3 sets both headers from the
        signed query, so the browser gets them from S3, not from the stored object).

        The URL is made from the configured endpoint: it must be reachable by the browser.
        """
        if not 0 < ttl_s <= MAX_SIGNED_URL_TTL_S:
            raise ValueError(f"ttl_s must be between 1 and {MAX_SIGNED_URL_TTL_S}")
        object_key = self._key(key)
        with self._errors("presign GetObject"):
            return await self._client.generate_presigned_url(
                "get_object",
                Params={
                    "Bucket": self.bucket,
                    "Key": object_key,
                    "ResponseContentDisposition": attachment_disposition(filename),
                    "ResponseContentType": media_type,
                },
                ExpiresIn=ttl_s,
            )

    async def close(self) -> None:
        """Close the client and its connection pool."""
        await self._stack.aclose()


if TYPE_CHECKING:

    def _both_are_blob_stores(local: LocalBlobStore, s3: S3BlobStore) -> list[BlobStore]:
        """mypy checks here that both classes satisfy the protocol."""
        return [local, s3]
