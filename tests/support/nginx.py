"""Debian's nginx for deployment tests: find it, and prepare a prefix with our config."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tests.conftest import IN_CI

__all__ = ["DEPLOY", "nginx_binary", "nginx_prefix"]

DEPLOY = Path(__file__).resolve().parent.parent.parent / "deploy"


def nginx_binary() -> str:
    """Debian's nginx (a failure in CI, a skip elsewhere when missing)."""
    found = shutil.which("nginx") or next(
        (p for p in ("/usr/sbin/nginx",) if Path(p).exists()), None
    )
    if found is None:
        if IN_CI:
            pytest.fail("nginx is required in CI (apt-get install nginx-light)")
        pytest.skip("nginx is not installed")
    return found


def nginx_prefix(tmp: Path, upstreams: list[str]) -> Path:
    """A copy of deploy/nginx.conf with an upstream list pointing at ``upstreams``."""
    shutil.copy(DEPLOY / "nginx.conf", tmp / "nginx.conf")
    lines = [f"server {address} max_fails=3 fail_timeout=5s;" for address in upstreams]
    (tmp / "dttools-upstreams.conf").write_text("\n".join(lines) + "\n")
    return tmp
