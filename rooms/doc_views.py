"""Typed views of the rooms REST reads, kept current as their documents change.

A room gets views only once REST reads it (a deep observer per collection costs a little on
every change, and rooms nobody reads through REST should not pay it), and loses them when
the room closes or after ``idle_s`` without a read. Each collection's root map gets one
observer that only records which entries changed (the first element of an event's path, or
the keys of a change to the root map itself); the entries are re-read when a request next
needs the view (collab/doc_view.py). Observers are registered on pycrdt's compiled types,
not through ``Map.observe_deep``, so the room's fast apply path (collab/ydoc.py, which
checks the document's own subscriptions) stays on.
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from pycrdt import Map, Subscription

from collab.artifacts import ArtifactKind
from collab.doc_view import CollectionView
from rooms.room import Room

__all__ = ["DocViews", "RoomViews"]


@dataclass(slots=True)
class RoomViews:
    """The views of one room, and the observers that keep them told."""

    room: Room
    last_read: float
    collections: dict[str, CollectionView] = field(default_factory=dict)
    #: held by the one reader catching the views up (rooms/manager.py, ``read_views``)
    catching_up: asyncio.Lock = field(default_factory=asyncio.Lock)
    _subscriptions: list[Subscription] = field(default_factory=list)

    def view(self, kind: ArtifactKind) -> CollectionView:
        """The view of ``kind``, observed from now on (built on its first refresh)."""
        found = self.collections.get(kind.collection)
        if found is not None:
            return found
        made = CollectionView(kind)
        root: Map[Any] = self.room.doc.get(kind.collection, type=Map)

        self._subscriptions.append(root.integrated.observe_deep(made.observe))
        self.collections[kind.collection] = made
        return made

    def close(self) -> None:
        """Stop observing (the views are dropped with this object)."""
        for subscription in self._subscriptions:
            subscription.drop()
        self._subscriptions.clear()
        self.collections.clear()


class DocViews:
    """The views of every room REST reads on this node."""

    def __init__(self, idle_s: float = 300.0) -> None:
        self._idle_s = idle_s
        self._rooms: dict[str, RoomViews] = {}

    def of(self, room: Room, now: float) -> RoomViews:
        """The views of ``room``, made if it has none (or had them on a copy since replaced)."""
        found = self._rooms.get(room.name)
        if found is not None and found.room is not room:
            found.close()
            found = None
        if found is None:
            found = self._rooms[room.name] = RoomViews(room, now)
        found.last_read = now
        return found

    def forget(self, name: str) -> None:
        """Room ``name`` closed or was discarded: its views go."""
        found = self._rooms.pop(name, None)
        if found is not None:
            found.close()

    def expire(self, now: float, open_rooms: Mapping[str, Room]) -> None:
        """Drop the views not read for ``idle_s`` and those of rooms no longer open."""
        for name, views in list(self._rooms.items()):
            if open_rooms.get(name) is not views.room or now - views.last_read >= self._idle_s:
                self.forget(name)

    def __len__(self) -> int:
        return len(self._rooms)
