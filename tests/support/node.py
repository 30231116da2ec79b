"""Run JavaScript modules of static/ under Node (tests of browser code that needs no page)."""

from __future__ import annotations

import os
import shutil
import subprocess

import pytest

__all__ = ["node_binary", "run_module_script"]

# As tests/conftest.py reads it; not imported from there, which would bring in the whole server
# for tests that need only Node.
IN_CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}


def node_binary() -> str:
    """The ``node`` on PATH; a failure in CI (the suite needs it), a skip elsewhere."""
    binary = shutil.which("node")
    if binary is None:
        if IN_CI:
            pytest.fail("node is needed to load browser modules in CI")
        pytest.skip("node is needed to load browser modules")
    return binary


def run_module_script(script: str, stdin: str = "") -> str:
    """Run ``script`` as an ES module; its standard output (a failure shows its errors)."""
    result = subprocess.run(
        [node_binary(), "--input-type=module", "-e", script],
        input=stdin,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout
