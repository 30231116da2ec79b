"""What every resource shares: reading typed answers and following cursors."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from typing import TypeVar
from urllib.parse import quote

from dttools_sdk.content import Tagged
from dttools_sdk.models import Page
from dttools_sdk.transport import Response

__all__ = ["read", "follow", "page_params", "segment", "if_match_header"]

M = TypeVar("M", bound=Tagged)
T = TypeVar("T")


def read(model: type[M], response: Response) -> M:
    """The answer as ``model``, with the ``ETag`` it came with."""
    item = model.model_validate(response.json())
    item._etag = response.headers.get("ETag")
    return item


async def follow(fetch: Callable[[str | None], Awaitable[Page[T]]]) -> AsyncIterator[T]:
    """Every item of a paginated list: fetch pages, passing ``next_cursor`` back, until None."""
    cursor: str | None = None
    while True:
        page = await fetch(cursor)
        for item in page.items:
            yield item
        if page.next_cursor is None:
            return
        cursor = page.next_cursor


def page_params(limit: int | None, cursor: str | None) -> dict[str, str]:
    """The ``limit`` and ``cursor`` query parameters of a list, without the ones left out."""
    params: dict[str, str] = {}
    if limit is not None:
        params["limit"] = str(limit)
    if cursor is not None:
        params["cursor"] = cursor
    return params


def segment(value: str) -> str:
    """``value`` as one path segment (an id never contains ``/``, but nothing trusts that)."""
    return quote(value, safe="")


def if_match_header(if_match: str | None) -> dict[str, str]:
    """The ``If-Match`` header for a conditional write, or none."""
    return {} if if_match is None else {"If-Match": if_match}
