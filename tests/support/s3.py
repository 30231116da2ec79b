"""An S3 server for tests: moto's ThreadedMotoServer on 127.0.0.1, in this process.

In a test module::

    moto_s3 = moto_s3_fixture()  # module-scoped fixture named moto_s3

    async def test_something(moto_s3: MotoS3) -> None:
        store = await S3BlobStore.open(bucket=moto_s3.new_bucket(), endpoint_url=moto_s3.url, ...)

While the fixture lives, the test process has dummy AWS credentials in its environment (and
shared AWS config files pointed away from the developer's), restored afterwards, so botocore's
default credential chain finds them and nothing real is ever used.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import pytest

__all__ = ["MotoS3", "moto_s3_server", "moto_s3_fixture", "bucket_settings", "S3_REGION"]

IN_CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}
#: The region the tests use (us-east-1: buckets need no LocationConstraint).
S3_REGION = "us-east-1"


@dataclass(frozen=True, slots=True)
class MotoS3:
    """A running moto S3 endpoint."""

    url: str
    region: str = S3_REGION

    @staticmethod
    def new_bucket() -> str:
        """A bucket name no other test uses (not created: open the store with create_bucket)."""
        return f"test-{uuid.uuid4().hex[:20]}"


@contextmanager
def moto_s3_server(workdir: Path) -> Iterator[MotoS3]:
    """Start moto on a free loopback port with dummy credentials; stop it on exit.

    Skips the test when moto is not installed, except in CI, where that is a failure.
    """
    try:
        from moto.server import ThreadedMotoServer
        from werkzeug.serving import WSGIRequestHandler  # moto[server] runs on werkzeug
    except ImportError as exc:  # pragma: no cover - depends on the environment
        if IN_CI:
            pytest.fail(f"moto[server] is required in CI: {exc}")
        pytest.skip(f"moto[server] is not installed: {exc}")
    with pytest.MonkeyPatch.context() as env:
        env.setenv("AWS_ACCESS_KEY_ID", "testing")
        env.setenv("AWS_SECRET_ACCESS_KEY", "testing")
        env.setenv("AWS_DEFAULT_REGION", S3_REGION)
        for name in ("AWS_SESSION_TOKEN", "AWS_SECURITY_TOKEN", "AWS_PROFILE"):
            env.delenv(name, raising=False)
        # Never the developer's ~/.aws (a profile there could name real credentials or a role).
        env.setenv("AWS_CONFIG_FILE", str(workdir / "no-aws-config"))
        env.setenv("AWS_SHARED_CREDENTIALS_FILE", str(workdir / "no-aws-credentials"))
        env.setenv("AWS_EC2_METADATA_DISABLED", "true")
        # moto's answers carry their own "server" header and werkzeug adds its "Server":
        # aiohttp's strict parser (asyncio debug mode, as in `make test`'s second pass)
        # refuses the duplicate. S3 sends one; so does moto without werkzeug's.
        env.setattr(WSGIRequestHandler, "send_response", _send_response_without_server)
        # Port 0: the OS picks a free port when the server binds, so no other process can
        # take it between choosing and binding.
        server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
        server.start()
        try:
            host, port = server.get_host_and_port()
            yield MotoS3(url=f"http://{host}:{port}")
        finally:
            server.stop()


def _send_response_without_server(self: Any, code: int, message: str | None = None) -> None:
    """http.server's send_response without its Server header (moto sends one)."""
    self.log_request(code)
    self.send_response_only(code, message)
    self.send_header("Date", self.date_time_string())


def moto_s3_fixture(scope: Literal["session", "module"] = "module") -> Any:
    """A fixture named ``moto_s3`` giving a :class:`MotoS3` for the module or the session.

    Assign it to a module-level (or conftest) name ``moto_s3``, which is how pytest finds it.
    """

    @pytest.fixture(scope=scope)
    def moto_s3(tmp_path_factory: pytest.TempPathFactory) -> Iterator[MotoS3]:
        with moto_s3_server(tmp_path_factory.mktemp("aws")) as server:
            yield server

    return moto_s3


async def bucket_settings(moto_s3: MotoS3, prefix: str = "dtt/") -> dict[str, Any]:
    """Setting overrides for a server whose files live in a new bucket (made here), under
    ``prefix``, addressed by path (moto has no virtual-host names)."""
    from persistence.blobs import S3BlobStore  # the server's own store, to make the bucket

    bucket = moto_s3.new_bucket()
    made = await S3BlobStore.open(
        bucket=bucket, endpoint_url=moto_s3.url, region=moto_s3.region,
        addressing_style="path", create_bucket=True,
    )  # fmt: skip
    await made.close()
    return {
        "s3_bucket": bucket, "s3_endpoint_url": moto_s3.url, "s3_region": moto_s3.region,
        "s3_addressing_style": "path", "s3_prefix": prefix,
    }  # fmt: skip
