"""Typed views: after any edits, relayed as a room receives them, a refreshed view reads exactly
what a full read of the document reads, page by page, in any refresh budget."""

from __future__ import annotations

import json
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st
from pycrdt import Array, Doc, Map

from collab import schema
from collab.artifacts import KINDS
from collab.doc_view import CollectionView, etag_of, page_etag
from collab.ydoc import apply_update

IDEAS, RESULTS, PROTOTYPES = KINDS["ideas"], KINDS["testResults"], KINDS["prototypes"]
KEYS = [f"k{n}" for n in range(6)]

# One edit of the source document: (operation, entry key, value).
_edit = st.tuples(
    st.sampled_from(["create", "text", "created", "delete", "junk", "null", "link", "tag"]),
    st.sampled_from(KEYS),
    st.integers(0, 3),
)


class Replica:
    """A source document edited as a browser would, and a room's copy fed its updates."""

    def __init__(self) -> None:
        self.source: Doc[Any] = Doc()
        self.copy: Doc[Any] = Doc()
        self.views = {kind.collection: CollectionView(kind) for kind in KINDS.values()}
        self.subscriptions = []  # a subscription dropped (collected) stops the observer
        for collection, view in self.views.items():
            root: Map[Any] = self.copy.get(collection, type=Map)
            # as rooms/doc_views.py registers it
            self.subscriptions.append(root.integrated.observe_deep(view.observe))

    def edit(self, op: str, key: str, n: int) -> None:
        state = self.copy.get_state()
        ideas: Map[Any] = self.source.get("ideas", type=Map)
        prototypes: Map[Any] = self.source.get("prototypes", type=Map)
        entry = ideas.get(key)
        with self.source.transaction():
            if op == "create":
                ideas[key] = Map({"id": key, "text": f"idea {n}", "createdAt": _stamp(n)})
            elif op == "delete" and key in ideas:
                del ideas[key]
            elif op == "junk":
                ideas[key] = f"not a map {n}"
            elif op == "null":
                ideas[key] = None
            elif isinstance(entry, Map) and op == "text":
                entry["text"] = f"changed {n}" if n else 42  # 42: a violation, read as default
            elif isinstance(entry, Map) and op == "created":
                entry["createdAt"] = _stamp(n)
            elif op == "link":
                prototypes["p"] = Map({"id": "p", "title": "P", "linkedIdeaIds": Array([key])})
            elif op == "tag" and isinstance(prototypes.get("p"), Map):
                prototypes["p"]["linkedIdeaIds"].append(key)  # an edit two levels down
        apply_update(self.copy, self.source.get_update(state))

    def refresh(self, budget: int) -> None:
        for view in self.views.values():
            while view.pending:
                with self.copy.transaction():
                    view.refresh(self.copy, budget)


def _stamp(n: int) -> str:
    return f"2026-12-0{n + 1}T10:00:00.000000Z"


def _violations(found: list[schema.SchemaViolation]) -> list[tuple[str, str]]:
    return sorted((v.path, v.message) for v in found)


@settings(max_examples=150, deadline=None)
@given(edits=st.lists(_edit, max_size=25), budgets=st.lists(st.integers(1, 4), min_size=1))
def test_a_refreshed_view_reads_what_the_document_reads(
    edits: list[tuple[str, str, int]], budgets: list[int]
) -> None:
    replica = Replica()
    for step, (op, key, n) in enumerate(edits):
        replica.edit(op, key, n)
        if step % 3 == 0:  # refresh between some edits: changes land on a built view too
            replica.refresh(budgets[step % len(budgets)])
    replica.refresh(budgets[0])
    doc = replica.copy
    whole = {KINDS[c]: view.read_whole() for c, view in replica.views.items()}
    for kind in KINDS.values():
        assert whole[kind][0] == schema.list_items(doc, kind)
        view = replica.views[kind.collection]
        assert view.items() == whole[kind][0]
        assert [json.loads(body) for body in view.bodies()] == whole[kind][0]
        for item in whole[kind][0]:
            cached = view.get(item["id"])
            assert cached is not None
            assert json.loads(cached.body) == item
            assert cached.etag == etag_of(item)
    checked = schema.check_document(schema.stored_version(doc), whole)
    assert _violations(checked) == _violations(schema.validate_document(doc))


@settings(max_examples=60, deadline=None)
@given(count=st.integers(0, 12), limit=st.integers(1, 5))
def test_pages_walk_the_listing_once_in_order(count: int, limit: int) -> None:
    doc: Doc[Any] = Doc()
    view = CollectionView(RESULTS)
    results: Map[Any] = doc.get("testResults", type=Map)
    root_subscription = results.integrated.observe_deep(view.observe)
    with doc.transaction():
        for n in range(count):
            key = f"r{n:02d}"
            results[key] = Map(
                {"id": key, "testId": "t1" if n % 3 else "t2", "createdAt": _stamp(n % 4)}
            )
    with doc.transaction():
        view.refresh(doc)
    expected = [item["id"] for item in schema.list_items(doc, RESULTS)]
    for where, wanted in [(None, expected), (("testId", "t2"), expected[::1])]:
        if where is not None:
            wanted = [i for i in expected if view.get(i).item["testId"] == "t2"]  # type: ignore[union-attr]
        walked: list[str] = []
        after = None
        while True:
            page = view.page(limit, after, where=where)
            assert len(page.items) <= limit
            walked += [cached.item["id"] for cached in page.items]
            if page.next_key is None:
                break
            assert len(page.items) == limit
            after = page.next_key
        assert walked == wanted
    root_subscription.drop()


def test_a_change_makes_a_new_page_etag_and_the_same_content_the_same() -> None:
    doc: Doc[Any] = Doc()
    view = CollectionView(IDEAS)
    ideas: Map[Any] = doc.get("ideas", type=Map)
    subscription = ideas.integrated.observe_deep(view.observe)
    ideas["a"] = Map({"id": "a", "text": "one", "createdAt": _stamp(0)})
    with doc.transaction():
        view.refresh(doc)
    first, digest = page_etag(view.page(10).items, "null"), view.digest
    ideas["a"]["text"] = "two"
    assert view.pending == 1
    with doc.transaction():
        view.refresh(doc)
    assert page_etag(view.page(10).items, "null") != first
    assert view.digest != digest
    ideas["a"]["text"] = "one"
    with doc.transaction():
        view.refresh(doc)
    assert page_etag(view.page(10).items, "null") == first
    assert view.digest == digest
    subscription.drop()


def test_an_event_it_cannot_read_makes_it_compare_everything() -> None:
    doc: Doc[Any] = Doc()
    view = CollectionView(IDEAS)
    ideas: Map[Any] = doc.get("ideas", type=Map)
    ideas["a"] = Map({"id": "a", "text": "one", "createdAt": _stamp(0)})
    with doc.transaction():
        view.refresh(doc)
    assert view.pending == 0
    view.observe([object()])  # no path, no keys
    assert view.pending > 0
    with doc.transaction():
        view.refresh(doc)
    assert [c.item["id"] for c in view.ordered()] == ["a"]
