"""The workshop content over REST: one typed resource per artifact kind.

Every kind has the same five operations (docs/api.md, "Workshop content"), so one generic
class serves all eight; the client binds it to each kind's models.
"""

from __future__ import annotations

import builtins
from collections.abc import AsyncIterator
from typing import Generic, TypeVar

from pydantic import TypeAdapter

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
from dttools_sdk.resources._base import if_match_header, read, segment
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
        self._list = TypeAdapter(list[item])  # type: ignore[valid-type]  # a runtime type

    async def list(self, project_id: str) -> builtins.list[ItemT]:
        """Every artifact of this kind in the project, oldest first."""
        path = f"/v1/projects/{segment(project_id)}/{self._segment}"
        response = await self._http.request("GET", path)
        items: builtins.list[ItemT] = self._list.validate_python(response.json())
        return items

    async def iter(self, project_id: str) -> AsyncIterator[ItemT]:
        """Iterate over every artifact of this kind (the server sends them in one answer)."""
        for item in await self.list(project_id):
            yield item

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
        """Change the fields set in ``changes``; the others stay.

        Raises:
            PreconditionFailed: ``if_match`` was given and the artifact changed since.
        """
        response = await self._http.request(
            "PUT",
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
        self._results = TypeAdapter(list[UserTestResult])

    async def results(self, test_id: str) -> builtins.list[UserTestResult]:
        """The results of one test."""
        response = await self._http.request("GET", f"{self._one(test_id)}/results")
        return self._results.validate_python(response.json())

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
