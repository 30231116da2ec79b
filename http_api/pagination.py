"""Opaque cursors for keyset pagination.

A cursor is the sort key of the last item of a page, as base64url JSON. Clients must treat it
as opaque (only pass it back as ``?cursor=``), which leaves us free to change what is inside.
Keyset pagination, unlike offsets, neither repeats nor skips rows when others are inserted
or deleted between two pages.
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any, Protocol, TypeVar
from uuid import UUID

from collab.i18n import msg
from http_api.problems import InvalidRequest

__all__ = ["encode_cursor", "decode_cursor", "timestamp_and_id", "Dated", "dated_page"]

T = TypeVar("T")
R = TypeVar("R")


def encode_cursor(*key: str | int) -> str:
    """The cursor for a sort key."""
    raw = json.dumps(list(key), separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _as_list(value: Any) -> list[Any]:
    if not isinstance(value, list):
        raise TypeError(type(value).__name__)
    return value


def decode_cursor(cursor: str, parse: Callable[[list[Any]], T]) -> T:
    """The sort key inside ``cursor``, converted by ``parse``.

    Raises:
        InvalidRequest: the cursor was not made by :func:`encode_cursor` for this listing.
    """
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        return parse(_as_list(json.loads(raw)))
    except (binascii.Error, UnicodeDecodeError, ValueError, TypeError, IndexError):
        raise InvalidRequest(
            msg(
                "invalid cursor {cursor!r}: pass back a next_cursor exactly as received",
                cursor=cursor[:40],
            )
        ) from None


def timestamp_and_id(key: list[Any]) -> tuple[datetime, UUID]:
    """The key of a listing ordered by (created_at, id): an aware timestamp and a UUID."""
    created_at, item_id = key
    moment = datetime.fromisoformat(created_at)
    if moment.tzinfo is None:
        raise ValueError("naive timestamp")
    return moment, UUID(item_id)


class Dated(Protocol):
    """A row of a listing ordered by (created_at, id), newest first."""

    @property
    def created_at(self) -> datetime: ...

    @property
    def id(self) -> UUID: ...


def dated_page(
    rows: Sequence[R], limit: int, key: Callable[[R], Dated]
) -> tuple[list[R], str | None]:
    """The page and the next page's cursor, from ``limit + 1`` rows read for a page of ``limit``.

    The extra row only says that there is a next page; the cursor is the key of the page's
    last row (``key`` finds the dated row inside a compound one), which
    :func:`timestamp_and_id` reads back.
    """
    page = list(rows[:limit])
    if len(rows) <= limit:
        return page, None
    last = key(page[-1])
    return page, encode_cursor(last.created_at.isoformat(), str(last.id))
