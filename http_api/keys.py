"""Every piece of shared application state, as typed AppKeys (no string keys)."""

from __future__ import annotations

import asyncpg
from aiohttp import web

from http_api.settings import Settings
from persistence.group_commit import GroupCommitter
from persistence.update_log import UpdateLog
from rooms.manager import RoomManager

__all__ = ["SETTINGS", "DB", "UPDATE_LOG", "COMMITTER", "ROOMS"]

SETTINGS = web.AppKey("settings", Settings)
DB = web.AppKey("db", asyncpg.Pool)
UPDATE_LOG = web.AppKey("update_log", UpdateLog)
COMMITTER = web.AppKey("committer", GroupCommitter)
ROOMS = web.AppKey("rooms", RoomManager)
