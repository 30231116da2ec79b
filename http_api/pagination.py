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
from datetime import UTC, datetime
from typing import Any, Final, Protocol, TypeVar
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field

from collab.i18n import msg
from http_api.problems import InvalidRequest

__all__ = [
    "DEFAULT_PAGE_SIZE",
    "MAX_PAGE_SIZE",
    "PageQuery",
    "encode_cursor",
    "decode_cursor",
    "timestamp_and_id",
    "two_strings",
    "sortable_time",
    "Dated",
    "dated_page",
    "keyset_page",
]

#: What ``limit`` is when a list request does not say (docs/api.md, "Pagination").
DEFAULT_PAGE_SIZE: Final = 50
#: The most items one page may hold, on every list.
MAX_PAGE_SIZE: Final = 100

T = TypeVar("T")
R = TypeVar("R")


class PageQuery(BaseModel):
    """The query of a list that takes nothing but the page: ``limit`` and ``cursor``.

    Lists with filters declare their own query model with these two fields, spelled the same.
    """

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    limit: int = Field(
        default=DEFAULT_PAGE_SIZE, ge=1, le=MAX_PAGE_SIZE, description="items per page"
    )
    cursor: str | None = Field(
        default=None, max_length=200, description="the next_cursor of the previous page"
    )


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


def two_strings(key: list[Any]) -> tuple[str, str]:
    """The key of a listing ordered by two strings (a sortable time and an id)."""
    first, second = key
    if not isinstance(first, str) or not isinstance(second, str):
        raise TypeError("not a pair of strings")
    return first, second


def sortable_time(moment: datetime) -> str:
    """``moment`` as fixed-width UTC text, so that text order is time order.

    ``datetime.isoformat`` leaves out zero microseconds, which makes its text sort wrongly.
    """
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


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


def keyset_page(
    rows: Sequence[R],
    limit: int,
    key: Callable[[R], tuple[str, str]],
    cursor: str | None,
    *,
    descending: bool = False,
) -> tuple[list[R], str | None]:
    """A page of a list held whole in memory, with the same opaque cursors as the database's.

    For the short lists that are read whole anyway (a team, one's API keys, a project's
    webhooks, a document's problems): the cursor is the key of the page's last row, so rows
    added or removed between two pages are neither repeated nor skipped, as with keyset
    pagination in SQL. ``key`` must be unique per row.
    """
    ordered = sorted(rows, key=key, reverse=descending)
    if cursor is not None:
        after = decode_cursor(cursor, two_strings)
        ordered = [row for row in ordered if (key(row) < after if descending else key(row) > after)]
    page = ordered[:limit]
    if len(ordered) <= limit:
        return page, None
    return page, encode_cursor(*key(page[-1]))
