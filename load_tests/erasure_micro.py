"""How long an account erasure holds the event loop on a large board (docs/benchmarks.md).

Builds a board of ``--notes`` sticky notes (one in ten by the person being erased) and times,
on this process's CPU: reading the entry keys, the slowest slice of ``--slice`` entries (what
http_api/account_erasure.py runs per transaction), and one pass over the whole board (what it
would cost unsliced). Pure CPU: no server, no database.

    .venv/bin/python load_tests/erasure_micro.py --notes 5000 --slice 128
"""

from __future__ import annotations

import argparse
import time
from typing import Any

from pycrdt import Doc, Map

from collab.pseudonyms import entry_keys, replace_author


def _board(notes: int) -> Doc[Any]:
    doc: Doc[Any] = Doc()
    ideas = doc.get("ideas", type=Map)
    with doc.transaction():
        for n in range(notes):
            author = "gone" if n % 10 == 0 else "stays"
            ideas[f"n{n}"] = Map(
                {"id": f"n{n}", "text": f"idea {n} " * 5, "createdBy": author,
                 "authorId": author, "x": float(n), "y": 2.0}
            )  # fmt: skip
    return doc


def _ms(start: float) -> float:
    return (time.perf_counter() - start) * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--notes", type=int, default=5000)
    parser.add_argument("--slice", type=int, default=128)
    args = parser.parse_args()
    doc = _board(args.notes)
    start = time.perf_counter()
    keys = entry_keys(doc)
    keys_ms = _ms(start)
    slowest = 0.0
    for first in range(0, len(keys), args.slice):
        start = time.perf_counter()
        replace_author(doc, "gone", "removed-participant-1", keys[first : first + args.slice])
        slowest = max(slowest, _ms(start))
    whole = _board(args.notes)
    start = time.perf_counter()
    replace_author(whole, "gone", "removed-participant-1")
    print(
        f"| {args.notes} notes | keys {keys_ms:.1f} ms | slowest slice of {args.slice}: "
        f"{slowest:.1f} ms | one pass, unsliced: {_ms(start):.1f} ms |"
    )


if __name__ == "__main__":
    main()
