"""Fixtures of the HTTP API tests: a REST client bound to the test server, and a user."""

from __future__ import annotations

import ssl
import subprocess
from collections.abc import AsyncIterator

import pytest

from tests.conftest import RunningServer
from tests.support.api import RegisteredUser
from tests.support.projects import ApiClient


@pytest.fixture
async def api(server: RunningServer) -> AsyncIterator[ApiClient]:
    """A REST client of the test server (closed after the test)."""
    async with ApiClient.open(server) as client:
        yield client


@pytest.fixture
async def alice(api: ApiClient) -> RegisteredUser:
    """A signed-in user (token mode)."""
    return await api.register("Alice")


@pytest.fixture(scope="module")
def tls(tmp_path_factory: pytest.TempPathFactory) -> tuple[ssl.SSLContext, ssl.SSLContext]:
    """Server and client TLS contexts around a throwaway self-signed certificate."""
    folder = tmp_path_factory.mktemp("tls")
    cert, key = folder / "cert.pem", folder / "key.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
         "-subj", "/CN=127.0.0.1", "-keyout", str(key), "-out", str(cert)],
        check=True, capture_output=True,
    )  # fmt: skip
    server = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    server.load_cert_chain(cert, key)
    client = ssl.create_default_context(cafile=str(cert))
    client.check_hostname = False
    return server, client
