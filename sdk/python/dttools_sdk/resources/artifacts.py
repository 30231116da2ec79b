"""The workshop content over REST: one typed resource per artifact kind.

Every kind has the same five operations (docs/api.md, "Workshop content"), so one generic
class serves all eight; the client binds it to each kind's models.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Generic, TypeVar

from dttools_sdk.content import (
    Artifact,
    Body,
    Patch,
    UserTest,
    UserTestCreate,
    UserTestPatch,
    UserTestResult,
    UserTestResultInput,
)
from dttools_sdk.models import Page
from dttools_sdk.resources._base import follow, if_match_header, page_params, read, segment
from dttools_sdk.transport import Transport

__all__ = ["ArtifactResource", "UserTests"]

ItemT = TypeVar("ItemT", bound=Artifact)
CreateT = TypeVar("CreateT", bound=Body)
PatchT = TypeVar("PatchT", bound=Patch)


class ArtifactResource(Generic[ItemT, CreateT, PatchT]):
    """List, read, create, change and delete one kind of artifact.

    Writes are transactions on the project's live document: a create appears at once in
    every open browser and in every :meth:`~dttools_sdk.DTTools.live` document.
    """

    def __init__(self, transport: Transport, path_segment: str, item: type[ItemT]) -> None:
        self._http = transport
        self._segment = path_segment
        self._item = item
        self._page: type[Page[ItemT]] = Page[item]  # type: ignore[valid-type]  # a runtime type

    async def list(
        self, project_id: str, *, limit: int | None = None, cursor: str | None = None
    ) -> Page[ItemT]:
        """One page of this kind's artifacts in the project, oldest first."""
        path = f"/v1/projects/{segment(project_id)}/{self._segment}"
        response = await self._http.request("GET", path, params=page_params(limit, cursor))
        return self._page.model_validate(response.json())

    def iter(self, project_id: str, *, page_size: int | None = None) -> AsyncIterator[ItemT]:
        """Every artifact of this kind in the project, oldest first, a page at a time."""
        return follow(lambda cursor: self.list(project_id, limit=page_size, cursor=cursor))

    async def get(self, item_id: str) -> ItemT:
        """One artifact, with its ``etag``."""
        response = await self._http.request("GET", self._one(item_id))
        return read(self._item, response)

    async def create(
        self, project_id: str, data: CreateT, *, idempotency_key: str | None = None
    ) -> ItemT:
        """Create an artifact; the server sets its id, author and dates.

        Args:
            idempotency_key: your own key, to make a create safe to repeat across runs (the
                client already sends one per call, reused by its own retries).
        """
        path = f"/v1/projects/{segment(project_id)}/{self._segment}"
        response = await self._http.request(
            "POST", path, json_body=data.to_json(), idempotency_key=idempotency_key
        )
        return read(self._item, response)

    async def update(self, item_id: str, changes: PatchT, *, if_match: str | None = None) -> ItemT:
        """Change the fields set in ``changes``; the others stay (``PATCH``).

        Raises:
            PreconditionFailed: ``if_match`` was given and the artifact changed since.
        """
        response = await self._http.request(
            "PATCH",
            self._one(item_id),
            json_body=changes.to_json(),
            headers=if_match_header(if_match),
        )
        return read(self._item, response)

    async def delete(self, item_id: str, *, if_match: str | None = None) -> None:
        """Delete an artifact; references to it are cleared (docs/document-schema.md)."""
        await self._http.request("DELETE", self._one(item_id), headers=if_match_header(if_match))

    def _one(self, item_id: str) -> str:
        return f"/v1/{self._segment}/{segment(item_id)}"


class UserTests(ArtifactResource[UserTest, UserTestCreate, UserTestPatch]):
    """User tests, and the results recorded under each."""

    def __init__(self, transport: Transport) -> None:
        super().__init__(transport, "tests", UserTest)

    async def results(
        self, test_id: str, *, limit: int | None = None, cursor: str | None = None
    ) -> Page[UserTestResult]:
        """One page of the results of one test, oldest first."""
        response = await self._http.request(
            "GET", f"{self._one(test_id)}/results", params=page_params(limit, cursor)
        )
        return Page[UserTestResult].model_validate(response.json())

    def iter_results(
        self, test_id: str, *, page_size: int | None = None
    ) -> AsyncIterator[UserTestResult]:
        """Every result of one test, oldest first."""
        return follow(lambda cursor: self.results(test_id, limit=page_size, cursor=cursor))

    async def add_result(
        self, test_id: str, data: UserTestResultInput, *, idempotency_key: str | None = None
    ) -> UserTestResult:
        """Record a participant's result under ``test_id``."""
        response = await self._http.request(
            "POST",
            f"{self._one(test_id)}/results",
            json_body=data.to_json(),
            idempotency_key=idempotency_key,
        )
        return read(UserTestResult, response)
