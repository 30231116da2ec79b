"""Real Yjs updates for tests: one per item appended to an array, as a client makes them."""

from __future__ import annotations

from typing import Any

from pycrdt import Array, Doc

__all__ = ["array_updates"]


def array_updates(count: int, prefix: str = "u") -> list[bytes]:
    """``count`` updates of one client, each appending ``f"{prefix}{i}"`` to ``items``."""
    doc: Doc[Any] = Doc()
    out: list[bytes] = []
    doc.observe(lambda event: out.append(event.update))
    array = doc.get("items", type=Array)
    for i in range(count):
        array.append(f"{prefix}{i}")
    return out
