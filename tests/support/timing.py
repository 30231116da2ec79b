"""One time unit for every test wait, scaled by DTTOOLS_TEST_TIMEOUT_SCALE on slow machines."""

from __future__ import annotations

import os

__all__ = ["TIMEOUT", "scaled"]

_SCALE = float(os.environ.get("DTTOOLS_TEST_TIMEOUT_SCALE", "1"))
#: Upper bound for one awaited condition (a reply, a convergence); never a sleep.
TIMEOUT = 10.0 * _SCALE


def scaled(seconds: float) -> float:
    """Scale a bound by the machine factor."""
    return seconds * _SCALE
