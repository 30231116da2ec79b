"""Live room hosting: one pycrdt Doc per open room, its connections, idle eviction."""

from rooms.access import RoomAccess
from rooms.connection import Connection, Transport
from rooms.manager import RoomManager, RoomSettings
from rooms.room import Room, RoomState

__all__ = [
    "Connection",
    "Room",
    "RoomAccess",
    "RoomManager",
    "RoomSettings",
    "RoomState",
    "Transport",
]
