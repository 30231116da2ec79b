"""Events of artifacts, derived from the document: what changed since the last look.

Changes reach a project's document from browsers, REST and brainstorm reveals alike, as CRDT
updates; what an integrator wants is "persona X was created", "idea Y changed". So instead
of interpreting updates, the server looks at the typed content of the event-bearing kinds
(:data:`WATCHED`) after a burst of changes, compares each item's digest with the digests
stored at the previous look, and names the difference: created, updated, deleted. A burst
of keystrokes on one item is one ``updated`` event. A test result also says
``prototype.tested`` when its test is of a prototype.

Event ids are derived from the change itself (the item, the event, the digest it reached),
so two nodes that look at the same state write the same events once.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Generator, Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any, Final, TypeVar

__all__ = [
    "WATCHED",
    "Change",
    "changes_of",
    "digest_steps",
    "digests",
    "diff",
    "run_steps",
]

_T = TypeVar("_T")
#: Items found unchanged (a dictionary lookup each) per step of :func:`digest_steps`.
_KNOWN_PER_STEP: Final = 256

#: Collections whose items have events, and the name of their events (``persona.created``...).
WATCHED: Final = {
    "personas": "persona",
    "ideas": "idea",
    "prototypes": "prototype",
    "testResults": "test_result",
}
#: What is not part of an item's content for events (bookkeeping the server writes).
_IGNORED: Final = frozenset({"updatedAt"})

Key = tuple[str, str]  # (collection, item id)


@dataclass(frozen=True, slots=True)
class Change:
    """One item's change: ``type`` is the event type, ``digest`` the state it reached."""

    type: str
    collection: str
    item_id: str
    digest: str
    item: Mapping[str, Any] | None


def _digest(item: Mapping[str, Any]) -> str:
    content = {k: v for k, v in item.items() if k not in _IGNORED}
    canonical = json.dumps(content, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()[:32]


def digests(
    document: Mapping[str, Any],
    known: Mapping[Key, tuple[str, Mapping[str, Any]]] | None = None,
) -> dict[Key, tuple[str, Mapping[str, Any]]]:
    """Every watched item of a v1 export: its digest and the item itself.

    ``known``: a previous result. An item that is the very same object as there (typed views
    hand out one dict per item until it changes, collab/doc_view.py) keeps its digest
    without hashing it again, so a look at a large board hashes only what changed.
    """
    return run_steps(digest_steps(document, known))


def digest_steps(
    document: Mapping[str, Any],
    known: Mapping[Key, tuple[str, Mapping[str, Any]]] | None = None,
) -> Generator[None, None, dict[Key, tuple[str, Mapping[str, Any]]]]:
    """:func:`digests`, one step per item hashed: a caller can pause between steps (the
    node does, so a look at a large board never holds its event loop for long)."""
    found: dict[Key, tuple[str, Mapping[str, Any]]] = {}
    for collection in WATCHED:
        for n, item in enumerate(document.get(collection, [])):
            key = (collection, str(item["id"]))
            before = known.get(key) if known is not None else None
            if before is not None and before[1] is item:
                found[key] = before
                if n % _KNOWN_PER_STEP == 0:
                    yield  # thousands of unchanged items are a piece of work too
            else:
                found[key] = (_digest(item), item)
                yield
    return found


def run_steps(steps: Generator[None, None, _T]) -> _T:
    """Run a generator of steps to its end, with no pause; return its value."""
    while True:
        try:
            next(steps)
        except StopIteration as done:
            return done.value  # type: ignore[no-any-return]


def _tested(item: Mapping[str, Any], tests: Mapping[str, Mapping[str, Any]]) -> str | None:
    test = tests.get(str(item.get("testId")))
    prototype = None if test is None else test.get("prototypeId")
    return prototype if isinstance(prototype, str) else None


def diff(
    before: Mapping[Key, str],
    now: Mapping[Key, tuple[str, Mapping[str, Any]]],
    tests: Iterable[Mapping[str, Any]] = (),
) -> list[Change]:
    """The changes from the digests ``before`` to the items ``now``, in a stable order.

    ``tests`` are the document's user tests, to tell which prototype a new result tests.
    """
    return list(changes_of(before, now, tests))


def changes_of(
    before: Mapping[Key, str],
    now: Mapping[Key, tuple[str, Mapping[str, Any]]],
    tests: Iterable[Mapping[str, Any]] = (),
    keys: Iterable[Key] | None = None,
) -> Iterator[Change]:
    """:func:`diff`, one change at a time (a caller can pause between them).

    ``keys``: the keys whose digest differs between ``before`` and ``now`` (or that only one
    of them has), when the caller knows them already: only those are sorted and looked at,
    not every item of the board.
    """
    by_test = {str(test.get("id")): test for test in tests}
    for key in sorted(now.keys() | before.keys() if keys is None else keys):
        collection, item_id = key
        noun = WATCHED[collection]
        if key not in now:
            yield Change(f"{noun}.deleted", collection, item_id, before[key], None)
            continue
        digest, item = now[key]
        if key not in before:
            verb = "added" if collection == "testResults" else "created"
            yield Change(f"{noun}.{verb}", collection, item_id, digest, item)
            prototype = _tested(item, by_test) if collection == "testResults" else None
            if prototype is not None:
                yield Change("prototype.tested", "prototypes", prototype, digest, item)
        elif before[key] != digest:
            yield Change(f"{noun}.updated", collection, item_id, digest, item)
