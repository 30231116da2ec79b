"""Fixtures of the interop tests: the node binary with the npm Yjs packages."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tests.conftest import IN_CI

HERE = Path(__file__).resolve().parent
NODE_MODULES = HERE.parent / "node_modules"


@pytest.fixture(scope="module")
def node() -> str:
    """The node binary, with the npm packages installed (a failure in CI, a skip elsewhere)."""
    binary = shutil.which("node")
    if binary is None or not (NODE_MODULES / "y-websocket").is_dir():
        reason = "node and tests/node_modules are needed (run: cd tests && npm ci)"
        if IN_CI:
            pytest.fail(reason)
        pytest.skip(reason)
    return binary
