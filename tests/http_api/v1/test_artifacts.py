"""REST over the workshop document: every artifact kind, with a real server and PostgreSQL.

Every test that can apply to any kind runs for each kind of the registry (collab.artifacts.KINDS),
so a kind added there is covered here at once, or fails the test that checks this file's table
of example bodies is complete.
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any
from uuid import UUID, uuid4

import pytest

from collab.artifacts import KINDS, SCHEMA_VERSION, ArtifactKind
from collab.schema import create_item as write_item
from collab.schema import update_item
from http_api.keys import DB, ROOMS
from tests.conftest import RunningServer
from tests.support.api import RegisteredUser, make_admin
from tests.support.projects import ApiClient, Reply

pytestmark = pytest.mark.shared_server

__all__ = ["create_body", "update_body", "create_artifact"]

ALL_KINDS = pytest.mark.parametrize("collection", list(KINDS))
Refs = Mapping[str, str]


def create_body(collection: str, refs: Refs) -> dict[str, Any]:
    """A valid create body for ``collection`` that sets most fields, references included.

    Args:
        refs: an existing artifact id in the same project for each kind this one points at.
    """
    bodies: dict[str, dict[str, Any]] = {
        "personas": {
            "name": "Ana",
            "role": "night nurse",
            "goals": ["fewer night shifts", "time for patients"],
            "pains": ["paperwork"],
            "quote": "I chart more than I care.",
            "avatar": "https://example.com/ana.png",
        },
        "empathyMaps": {
            "personaId": refs.get("personas"),
            "title": "Ana at 3 a.m.",
            "says": ["where is the chart?"],
            "feels": ["tired"],
        },
        "povStatements": {
            "user": "Night nurses",
            "need": "to hand over patients quickly",
            "insight": "handover eats the first hour",
        },
        "hmwQuestions": {
            "question": "How might we halve handover time?",
            "povId": refs.get("povStatements"),
        },
        "ideas": {"text": "Voice notes at the bedside", "color": "#12abEF", "x": 120.5, "y": -80},
        "prototypes": {
            "title": "Paper voice-note card",
            "description": "a card with a QR code",
            "linkedIdeaIds": [refs["ideas"]] if "ideas" in refs else [],
            "links": ["https://example.com/proto", "/v1/files/abc"],
            "fidelity": "low",
        },
        "tests": {
            "title": "Handover with the card",
            "script": "1. hand over bed 4",
            "prototypeId": refs.get("prototypes"),
        },
        "testResults": {
            "testId": refs.get("tests"),
            "participant": "P1",
            "outcome": "partial",
            "notes": "liked it, lost the card",
            "rating": 4,
        },
    }
    return bodies[collection]


#: One valid single-field change per kind, and the field it changes.
UPDATES: dict[str, tuple[str, Any]] = {
    "personas": ("name", "Ana Lima"),
    "empathyMaps": ("thinks", ["will I finish on time?"]),
    "povStatements": ("need", "to hand over patients in ten minutes"),
    "hmwQuestions": ("question", "How might we make handover fun?"),
    "ideas": ("color", "green"),
    "prototypes": ("fidelity", "high"),
    "tests": ("script", "1. hand over bed 4\n2. hand over bed 5"),
    "testResults": ("rating", 2),
}


def update_body(collection: str) -> dict[str, Any]:
    """A valid PATCH body for ``collection`` that changes one field."""
    name, value = UPDATES[collection]
    return {name: value}


async def create_artifact(
    api: ApiClient, user: RegisteredUser, project: UUID, collection: str, **fields: Any
) -> dict[str, Any]:
    """Create an artifact (and, first, one of each kind it must point at); return it."""
    kind = KINDS[collection]
    refs = {
        ref.target: (await create_artifact(api, user, project, ref.target))["id"]
        for ref in kind.references
    }
    body = {**create_body(collection, refs), **fields}
    reply = await api.call("POST", f"/v1/projects/{project}/{kind.segment}", user, json=body)
    assert reply.status == 201, reply.body
    item: dict[str, Any] = reply.body
    return item


def refs_of(kind: ArtifactKind, item: Mapping[str, Any]) -> dict[str, str]:
    """The artifacts ``item`` points at, as :func:`create_body` takes them."""
    refs = {}
    for ref in kind.references:
        value = item[ref.field]
        refs[ref.target] = value[0] if isinstance(value, list) else value
    return refs


def item_path(kind: ArtifactKind, item_id: str) -> str:
    return f"/v1/{kind.segment}/{item_id}"


def list_path(kind: ArtifactKind, project: UUID) -> str:
    return f"/v1/projects/{project}/{kind.segment}"


def error_fields(reply: Reply) -> list[str]:
    """The fields a 422 problem names."""
    assert reply.status == 422, reply.body
    assert reply.body["type"].endswith("/validation-error"), reply.body
    return [error["field"] for error in reply.body["errors"]]


async def listed_ids(
    api: ApiClient, user: RegisteredUser, kind: ArtifactKind, p: UUID
) -> list[str]:
    reply = await api.call("GET", list_path(kind, p), user)
    assert reply.status == 200, reply.body
    assert reply.body["next_cursor"] is None
    return [item["id"] for item in reply.body["items"]]


@pytest.fixture
async def project(api: ApiClient, alice: RegisteredUser) -> UUID:
    return await api.create_project(alice, "Night shift handover")


def test_every_kind_has_example_bodies() -> None:
    """The example tables cover exactly the registry's kinds, and every body validates."""
    assert set(UPDATES) == set(KINDS)
    refs = dict.fromkeys(KINDS, "some-id")
    for collection, kind in KINDS.items():
        kind.create.model_validate(create_body(collection, refs))
        kind.update.model_validate(update_body(collection))


class TestCreate:
    @ALL_KINDS
    async def test_create_returns_what_get_and_list_return(
        self, api: ApiClient, alice: RegisteredUser, project: UUID, collection: str
    ) -> None:
        """201 with Location and ETag; GET returns the same body and ETag; the list holds it."""
        kind = KINDS[collection]
        refs = {
            ref.target: (await create_artifact(api, alice, project, ref.target))["id"]
            for ref in kind.references
        }
        sent = create_body(collection, refs)
        reply = await api.call("POST", list_path(kind, project), alice, json=sent)
        assert reply.status == 201, reply.body
        item = reply.body
        assert reply.headers["Location"] == item_path(kind, item["id"])
        assert {name: item[name] for name in sent} == sent
        assert item["createdBy"] == str(alice.id)
        assert item["createdAt"] == item["updatedAt"]
        if kind.author_field is not None:
            assert item[kind.author_field] == str(alice.id)
        got = await api.call("GET", reply.headers["Location"], alice)
        assert got.status == 200
        assert got.body == item
        assert got.headers["ETag"] == reply.headers["ETag"]
        listing = await api.call("GET", list_path(kind, project), alice)
        assert listing.status == 200
        assert listing.body == {"items": [item], "next_cursor": None}

    @ALL_KINDS
    async def test_defaults_fill_the_fields_left_out(
        self, api: ApiClient, alice: RegisteredUser, project: UUID, collection: str
    ) -> None:
        """A body with only the required fields gets every other field at its documented default."""
        kind = KINDS[collection]
        full = await create_artifact(api, alice, project, collection)
        minimal = {s.name: full[s.name] for s in kind.content_fields if s.required}
        reply = await api.call("POST", list_path(kind, project), alice, json=minimal)
        assert reply.status == 201, reply.body
        for spec in kind.content_fields:
            expected = full[spec.name] if spec.required else spec.fallback()
            assert reply.body[spec.name] == expected, spec.name

    async def test_a_write_is_durable_when_the_post_returns(
        self, server: RunningServer, api: ApiClient, alice: RegisteredUser, project: UUID
    ) -> None:
        """The update a POST made is already in room_updates when the 201 arrives."""
        db = server.app[DB]
        query = "SELECT count(*) FROM room_updates WHERE room = $1"
        before = await db.fetchval(query, str(project))
        await create_artifact(api, alice, project, "ideas")
        assert await db.fetchval(query, str(project)) > before

    async def test_an_idempotency_key_replays_the_create(
        self, api: ApiClient, alice: RegisteredUser, project: UUID
    ) -> None:
        """A retried POST with the same Idempotency-Key gets the first response; one idea exists."""
        kind = KINDS["ideas"]
        body = create_body("ideas", {})
        headers = {"Idempotency-Key": "create-idea-1"}
        first = await api.call("POST", list_path(kind, project), alice, json=body, headers=headers)
        again = await api.call("POST", list_path(kind, project), alice, json=body, headers=headers)
        assert (first.status, again.status) == (201, 201)
        assert again.body == first.body
        assert again.headers["Idempotent-Replayed"] == "true"
        assert again.headers["Location"] == first.headers["Location"]
        assert again.headers["ETag"] == first.headers["ETag"]
        assert "Idempotent-Replayed" not in first.headers
        assert await listed_ids(api, alice, kind, project) == [first.body["id"]]

    async def test_the_document_export_holds_every_collection(
        self, api: ApiClient, alice: RegisteredUser, project: UUID
    ) -> None:
        """GET /document returns the schema version and every collection with what was made."""
        # These three chains create one artifact of every kind.
        for collection in ("testResults", "empathyMaps", "hmwQuestions"):
            await create_artifact(api, alice, project, collection)
        reply = await api.call("GET", f"/v1/projects/{project}/document", alice)
        assert reply.status == 200
        assert set(reply.body) == {"schemaVersion", *KINDS}
        assert reply.body["schemaVersion"] == SCHEMA_VERSION
        for collection, kind in KINDS.items():
            listing = await api.call("GET", list_path(kind, project), alice)
            assert len(listing.body["items"]) == 1, collection
            assert reply.body[collection] == listing.body["items"], collection


class TestUpdate:
    @ALL_KINDS
    async def test_patch_changes_only_the_fields_sent(
        self, api: ApiClient, alice: RegisteredUser, project: UUID, collection: str
    ) -> None:
        """Every other field keeps its value; updatedAt moves; the ETag changes; GET agrees."""
        kind = KINDS[collection]
        created = await create_artifact(api, alice, project, collection)
        change = update_body(collection)
        reply = await api.call("PATCH", item_path(kind, created["id"]), alice, json=change)
        assert reply.status == 200, reply.body
        unchanged = {k: v for k, v in created.items() if k not in change and k != "updatedAt"}
        assert {k: reply.body[k] for k in unchanged} == unchanged
        assert {k: reply.body[k] for k in change} == change
        # The create waited for its group commit (commit_delay_ms), so the clock has moved on.
        assert reply.body["updatedAt"] > created["updatedAt"]
        got = await api.call("GET", item_path(kind, created["id"]), alice)
        assert got.body == reply.body
        assert got.headers["ETag"] == reply.headers["ETag"]

    async def test_an_empty_patch_changes_nothing(
        self, api: ApiClient, alice: RegisteredUser, project: UUID
    ) -> None:
        """PATCH {} is a no-op: same body, same ETag, even updatedAt stays."""
        kind = KINDS["personas"]
        path = item_path(kind, (await create_artifact(api, alice, project, "personas"))["id"])
        before = await api.call("GET", path, alice)
        reply = await api.call("PATCH", path, alice, json={})
        assert reply.status == 200
        assert reply.body == before.body
        assert reply.headers["ETag"] == before.headers["ETag"]

    @ALL_KINDS
    async def test_if_match_with_the_current_etag_writes(
        self, api: ApiClient, alice: RegisteredUser, project: UUID, collection: str
    ) -> None:
        """A PATCH holding the current ETag succeeds and answers with a new ETag."""
        kind = KINDS[collection]
        path = item_path(kind, (await create_artifact(api, alice, project, collection))["id"])
        etag = (await api.call("GET", path, alice)).headers["ETag"]
        reply = await api.call(
            "PATCH", path, alice, json=update_body(collection), headers={"If-Match": etag}
        )
        assert reply.status == 200, reply.body
        assert reply.headers["ETag"] != etag

    @ALL_KINDS
    async def test_a_stale_if_match_is_refused_and_writes_nothing(
        self, api: ApiClient, alice: RegisteredUser, project: UUID, collection: str
    ) -> None:
        """After someone else's change, a PATCH with the old ETag gets 412; their change stays."""
        kind = KINDS[collection]
        first_created = await create_artifact(api, alice, project, collection)
        path = item_path(kind, first_created["id"])
        stale = (await api.call("GET", path, alice)).headers["ETag"]
        first = await api.call("PATCH", path, alice, json=update_body(collection))
        assert first.status == 200
        # Putting the old value back: a write that slipped through would show.
        name = UPDATES[collection][0]
        refused = await api.call(
            "PATCH", path, alice, json={name: first_created[name]}, headers={"If-Match": stale}
        )
        assert refused.status == 412
        assert refused.body["type"].endswith("/precondition-failed")
        after = await api.call("GET", path, alice)
        assert after.body == first.body
        assert after.headers["ETag"] == first.headers["ETag"]

    @pytest.mark.parametrize("if_match", ["*", '"nope", {etag}', "{etag}"])
    async def test_if_match_takes_a_star_or_a_list(
        self, api: ApiClient, alice: RegisteredUser, project: UUID, if_match: str
    ) -> None:
        """``*`` matches any current version; a list matches if any of its tags does."""
        kind = KINDS["ideas"]
        path = item_path(kind, (await create_artifact(api, alice, project, "ideas"))["id"])
        etag = (await api.call("GET", path, alice)).headers["ETag"]
        header = if_match.format(etag=etag)
        reply = await api.call("PATCH", path, alice, json={"x": 1}, headers={"If-Match": header})
        assert reply.status == 200, reply.body
        assert reply.body["x"] == 1

    async def test_concurrent_conditional_puts_let_exactly_one_win(
        self, api: ApiClient, alice: RegisteredUser, project: UUID
    ) -> None:
        """Ten editors holding the same ETag write at once: one succeeds, nine get 412."""
        kind = KINDS["ideas"]
        path = item_path(kind, (await create_artifact(api, alice, project, "ideas"))["id"])
        etag = (await api.call("GET", path, alice)).headers["ETag"]
        replies = await asyncio.gather(
            *(
                api.call("PATCH", path, alice, json={"x": i}, headers={"If-Match": etag})
                for i in range(10)
            )
        )
        assert sorted(r.status for r in replies) == [200] + [412] * 9
        winner = next(r for r in replies if r.status == 200)
        assert (await api.call("GET", path, alice)).body == winner.body

    @pytest.mark.parametrize("if_match", ['"nope"', "W/{etag}", "{bare}"])
    async def test_weak_unquoted_or_unknown_tags_never_match(
        self, api: ApiClient, alice: RegisteredUser, project: UUID, if_match: str
    ) -> None:
        """If-Match compares strong, quoted tags (RFC 9110): anything else is 412."""
        kind = KINDS["ideas"]
        path = item_path(kind, (await create_artifact(api, alice, project, "ideas"))["id"])
        etag = (await api.call("GET", path, alice)).headers["ETag"]
        header = if_match.format(etag=etag, bare=etag.strip('"'))
        reply = await api.call("PATCH", path, alice, json={"x": 1}, headers={"If-Match": header})
        assert reply.status == 412
        assert (await api.call("GET", path, alice)).body["x"] == 120.5


class TestDelete:
    @ALL_KINDS
    async def test_delete_removes_the_artifact(
        self, api: ApiClient, alice: RegisteredUser, project: UUID, collection: str
    ) -> None:
        """204; then GET is 404, the list lacks it, and a second DELETE is 404."""
        kind = KINDS[collection]
        item = await create_artifact(api, alice, project, collection)
        path = item_path(kind, item["id"])
        reply = await api.call("DELETE", path, alice)
        assert reply.status == 204
        assert reply.body is None
        assert (await api.call("GET", path, alice)).status == 404
        assert item["id"] not in await listed_ids(api, alice, kind, project)
        assert (await api.call("DELETE", path, alice)).status == 404

    @ALL_KINDS
    async def test_a_stale_if_match_keeps_the_artifact(
        self, api: ApiClient, alice: RegisteredUser, project: UUID, collection: str
    ) -> None:
        """DELETE with an outdated ETag is 412 and the artifact stays; the current one deletes."""
        kind = KINDS[collection]
        path = item_path(kind, (await create_artifact(api, alice, project, collection))["id"])
        stale = (await api.call("GET", path, alice)).headers["ETag"]
        current = (await api.call("PATCH", path, alice, json=update_body(collection))).headers[
            "ETag"
        ]
        refused = await api.call("DELETE", path, alice, headers={"If-Match": stale})
        assert refused.status == 412
        assert (await api.call("GET", path, alice)).status == 200
        assert (await api.call("DELETE", path, alice, headers={"If-Match": current})).status == 204
        assert (await api.call("GET", path, alice)).status == 404

    async def test_deleting_a_persona_nulls_the_empathy_maps_persona(
        self, api: ApiClient, alice: RegisteredUser, project: UUID
    ) -> None:
        """The empathy map stays, its personaId becomes null and its updatedAt moves."""
        emap = await create_artifact(api, alice, project, "empathyMaps")
        persona_path = item_path(KINDS["personas"], emap["personaId"])
        assert (await api.call("DELETE", persona_path, alice)).status == 204
        after = await api.call("GET", item_path(KINDS["empathyMaps"], emap["id"]), alice)
        assert after.status == 200
        assert after.body["personaId"] is None
        assert after.body["updatedAt"] > emap["updatedAt"]
        assert after.body["title"] == emap["title"]

    async def test_deleting_a_test_deletes_its_results(
        self, api: ApiClient, alice: RegisteredUser, project: UUID
    ) -> None:
        """A result cannot point at nothing: it goes with its test; other tests' results stay."""
        result = await create_artifact(api, alice, project, "testResults")
        kept = await create_artifact(api, alice, project, "testResults")
        test_path = item_path(KINDS["tests"], result["testId"])
        assert (await api.call("DELETE", test_path, alice)).status == 204
        results = KINDS["testResults"]
        assert (await api.call("GET", item_path(results, result["id"]), alice)).status == 404
        assert await listed_ids(api, alice, results, project) == [kept["id"]]

    async def test_deleting_an_idea_unlinks_it_from_prototypes(
        self, api: ApiClient, alice: RegisteredUser, project: UUID
    ) -> None:
        """The idea's id leaves linkedIdeaIds; the other links stay."""
        prototype = await create_artifact(api, alice, project, "prototypes")
        second = await create_artifact(api, alice, project, "ideas")
        path = item_path(KINDS["prototypes"], prototype["id"])
        linked = [*prototype["linkedIdeaIds"], second["id"]]
        assert (await api.call("PATCH", path, alice, json={"linkedIdeaIds": linked})).status == 200
        gone = prototype["linkedIdeaIds"][0]
        assert (await api.call("DELETE", item_path(KINDS["ideas"], gone), alice)).status == 204
        assert (await api.call("GET", path, alice)).body["linkedIdeaIds"] == [second["id"]]


class TestValidation:
    @ALL_KINDS
    async def test_unknown_and_server_fields_are_refused(
        self, api: ApiClient, alice: RegisteredUser, project: UUID, collection: str
    ) -> None:
        """A body may not carry fields the schema lacks, nor the ones the server sets."""
        kind = KINDS[collection]
        # Id-shaped references: the body is checked before any reference is looked up.
        valid = create_body(collection, dict.fromkeys(KINDS, "some-id"))
        named = {}
        for field in ("bogus", "id", "createdBy", "createdAt", "updatedAt", "authorId"):
            reply = await api.call(
                "POST", list_path(kind, project), alice, json={**valid, field: "x"}
            )
            named[field] = error_fields(reply)
        assert all(fields == [field] for field, fields in named.items()), named
        assert await listed_ids(api, alice, kind, project) == []

    @pytest.mark.parametrize(
        ("collection", "field"),
        [(c, s.name) for c, k in KINDS.items() for s in k.content_fields if s.required],
    )
    async def test_null_for_a_required_field_is_refused(
        self, api: ApiClient, alice: RegisteredUser, project: UUID, collection: str, field: str
    ) -> None:
        """null is not a value of a required field, on create or on update."""
        kind = KINDS[collection]
        existing = await create_artifact(api, alice, project, collection)
        refs = refs_of(kind, existing)
        body = {**create_body(collection, refs), field: None}
        assert error_fields(await api.call("POST", list_path(kind, project), alice, json=body)) == [
            field
        ]
        path = item_path(kind, existing["id"])
        assert error_fields(await api.call("PATCH", path, alice, json={field: None})) == [field]
        assert (await api.call("GET", path, alice)).body == existing
        assert await listed_ids(api, alice, kind, project) == [existing["id"]]

    @pytest.mark.parametrize(
        ("collection", "patch", "field"),
        [
            ("testResults", {"rating": "3"}, "rating"),
            ("testResults", {"rating": 3.5}, "rating"),
            ("testResults", {"rating": 6}, "rating"),
            ("testResults", {"rating": True}, "rating"),
            ("testResults", {"outcome": "passed"}, "outcome"),
            ("ideas", {"x": "10"}, "x"),
            ("ideas", {"x": 1e7}, "x"),
            ("ideas", {"text": 5}, "text"),
            ("ideas", {"color": "mauve"}, "color"),
            ("ideas", {"color": "#12345"}, "color"),
            ("ideas", {"color": "#1234567"}, "color"),
            ("ideas", {"clusterId": "not an id"}, "clusterId"),
            ("ideas", {"text": ""}, "text"),
            ("ideas", {"text": "x" * 5001}, "text"),
            ("personas", {"name": "x" * 201}, "name"),
            ("personas", {"bio": "x" * 10_001}, "bio"),
            ("personas", {"goals": "sleep"}, "goals"),
            ("personas", {"goals": ["x"] * 201}, "goals"),
            ("personas", {"goals": ["x" * 1001]}, "goals.0"),
            ("personas", {"avatar": "javascript:alert(1)"}, "avatar"),
            ("personas", {"avatar": "//evil.example/a.png"}, "avatar"),
            ("povStatements", {"need": "x" * 1001}, "need"),
            ("prototypes", {"fidelity": "ultra"}, "fidelity"),
            ("prototypes", {"links": ["ftp://example.com"]}, "links.0"),
            ("tests", {"title": ["a"]}, "title"),
            ("empathyMaps", {"says": [1]}, "says.0"),
        ],
    )
    async def test_bad_values_are_refused_without_coercion(
        self,
        api: ApiClient,
        alice: RegisteredUser,
        project: UUID,
        collection: str,
        patch: dict[str, Any],
        field: str,
    ) -> None:
        """Wrong types, values over a limit and bad colours get a 422 naming the field;
        nothing is created and nothing changes."""
        kind = KINDS[collection]
        existing = await create_artifact(api, alice, project, collection)
        refs = refs_of(kind, existing)
        body = {**create_body(collection, refs), **patch}
        assert error_fields(await api.call("POST", list_path(kind, project), alice, json=body)) == [
            field
        ]
        path = item_path(kind, existing["id"])
        assert error_fields(await api.call("PATCH", path, alice, json=patch)) == [field]
        assert (await api.call("GET", path, alice)).body == existing
        assert await listed_ids(api, alice, kind, project) == [existing["id"]]

    @pytest.mark.parametrize(
        ("collection", "field", "value"),
        [
            ("empathyMaps", "personaId", "no-such-persona"),
            ("hmwQuestions", "povId", "no-such-pov"),
            ("prototypes", "linkedIdeaIds", ["no-such-idea"]),
            ("tests", "prototypeId", "no-such-prototype"),
            ("testResults", "testId", "no-such-test"),
        ],
    )
    async def test_a_reference_to_a_missing_artifact_is_refused(
        self,
        api: ApiClient,
        alice: RegisteredUser,
        project: UUID,
        collection: str,
        field: str,
        value: Any,
    ) -> None:
        """Creates and updates may only point at artifacts that exist: 422 naming the field."""
        kind = KINDS[collection]
        existing = await create_artifact(api, alice, project, collection)
        refs = refs_of(kind, existing)
        body = {**create_body(collection, refs), field: value}
        assert error_fields(await api.call("POST", list_path(kind, project), alice, json=body)) == [
            field
        ]
        path = item_path(kind, existing["id"])
        assert error_fields(await api.call("PATCH", path, alice, json={field: value})) == [field]
        assert (await api.call("GET", path, alice)).body == existing
        assert await listed_ids(api, alice, kind, project) == [existing["id"]]

    async def test_a_reference_into_another_project_is_refused(
        self, api: ApiClient, alice: RegisteredUser, project: UUID
    ) -> None:
        """A persona of another project does not exist for this project's empathy maps."""
        elsewhere = await api.create_project(alice, "Elsewhere")
        persona = await create_artifact(api, alice, elsewhere, "personas")
        body = create_body("empathyMaps", {"personas": persona["id"]})
        reply = await api.call("POST", list_path(KINDS["empathyMaps"], project), alice, json=body)
        assert error_fields(reply) == ["personaId"]

    @ALL_KINDS
    async def test_a_malformed_or_unknown_item_id_is_not_found(
        self, api: ApiClient, alice: RegisteredUser, project: UUID, collection: str
    ) -> None:
        """An id that cannot exist, or does not, is a problem+json 404 (never 400 or 500)."""
        kind = KINDS[collection]
        await create_artifact(api, alice, project, collection)
        got = {}
        for item_id in ("not.an.id", "x" * 65, "caf%C3%A9", "no-such-item"):
            for method in ("GET", "PATCH", "PUT", "DELETE"):
                body = update_body(collection) if method in ("PATCH", "PUT") else None
                reply = await api.call(method, item_path(kind, item_id), alice, json=body)
                got[f"{method} {item_id}"] = (reply.status, reply.body["type"].rsplit("/")[-1])
        assert set(got.values()) == {(404, "not-found")}, got
        assert len(await listed_ids(api, alice, kind, project)) == 1

    @pytest.mark.parametrize("project_id", ["not-a-uuid", str(uuid4())])
    async def test_a_malformed_or_unknown_project_id_is_not_found(
        self, api: ApiClient, alice: RegisteredUser, project_id: str
    ) -> None:
        """Listing, creating and exporting in a project that cannot exist, or does not, is 404."""
        got = []
        for collection, kind in KINDS.items():
            path = f"/v1/projects/{project_id}/{kind.segment}"
            body = create_body(collection, dict.fromkeys(KINDS, "some-id"))
            got += [
                (await api.call("GET", path, alice)).status,
                (await api.call("POST", path, alice, json=body)).status,
            ]
        got.append((await api.call("GET", f"/v1/projects/{project_id}/document", alice)).status)
        assert set(got) == {404}

    async def test_a_non_json_body_is_refused(
        self, server: RunningServer, api: ApiClient, alice: RegisteredUser, project: UUID
    ) -> None:
        """A body that is not application/json is 415; malformed JSON is 400."""
        url = server.http_url + list_path(KINDS["ideas"], project)
        async with api.http.post(url, data="text=hi", headers=alice.headers) as response:
            assert response.status == 415
        headers = {**alice.headers, "Content-Type": "application/json"}
        async with api.http.post(url, data="{", headers=headers) as response:
            assert response.status == 400
        assert await listed_ids(api, alice, KINDS["ideas"], project) == []


class TestResultsOfATest:
    async def test_a_result_posted_under_a_test_takes_its_test_from_the_path(
        self, api: ApiClient, alice: RegisteredUser, project: UUID
    ) -> None:
        """POST /v1/tests/{id}/results without testId creates a result of that test."""
        test = await create_artifact(api, alice, project, "tests")
        reply = await api.call(
            "POST",
            f"/v1/tests/{test['id']}/results",
            alice,
            json={"participant": "P2", "outcome": "success", "rating": 5},
        )
        assert reply.status == 201, reply.body
        assert reply.body["testId"] == test["id"]
        assert reply.headers["Location"] == item_path(KINDS["testResults"], reply.body["id"])
        got = await api.call("GET", reply.headers["Location"], alice)
        assert got.body == reply.body
        assert got.headers["ETag"] == reply.headers["ETag"]

    async def test_the_results_of_a_test_are_only_its_own(
        self, api: ApiClient, alice: RegisteredUser, project: UUID
    ) -> None:
        """GET /v1/tests/{id}/results lists that test's results, oldest first, not the others'."""
        first = await create_artifact(api, alice, project, "tests")
        second = await create_artifact(api, alice, project, "tests")
        mine = []
        for outcome in ("success", "failure"):
            reply = await api.call(
                "POST", f"/v1/tests/{first['id']}/results", alice, json={"outcome": outcome}
            )
            assert reply.status == 201, reply.body
            mine.append(reply.body)
        theirs = await api.call(
            "POST", f"/v1/tests/{second['id']}/results", alice, json={"outcome": "partial"}
        )
        assert theirs.status == 201
        listing = await api.call("GET", f"/v1/tests/{first['id']}/results", alice)
        assert listing.status == 200
        assert listing.body == {"items": mine, "next_cursor": None}
        other = await api.call("GET", f"/v1/tests/{second['id']}/results", alice)
        assert other.body == {"items": [theirs.body], "next_cursor": None}

    async def test_a_test_id_in_the_body_is_refused(
        self, api: ApiClient, alice: RegisteredUser, project: UUID
    ) -> None:
        """The path names the test: a body that names one too is 422 on testId."""
        test = await create_artifact(api, alice, project, "tests")
        reply = await api.call(
            "POST",
            f"/v1/tests/{test['id']}/results",
            alice,
            json={"testId": test["id"], "outcome": "success"},
        )
        assert error_fields(reply) == ["testId"]

    @pytest.mark.parametrize("test_id", ["no-such-test", "not.an.id"])
    async def test_results_of_a_missing_test_are_not_found(
        self, api: ApiClient, alice: RegisteredUser, project: UUID, test_id: str
    ) -> None:
        """Listing or adding results of a test that does not exist is 404."""
        await create_artifact(api, alice, project, "tests")
        path = f"/v1/tests/{test_id}/results"
        assert (await api.call("GET", path, alice)).status == 404
        reply = await api.call("POST", path, alice, json={"outcome": "success"})
        assert reply.status == 404
        assert await listed_ids(api, alice, KINDS["testResults"], project) == []

    async def test_results_of_a_deleted_test_are_not_found(
        self, api: ApiClient, alice: RegisteredUser, project: UUID
    ) -> None:
        """Once its test is deleted, its results route is 404 and no result is left."""
        result = await create_artifact(api, alice, project, "testResults")
        assert (
            await api.call("DELETE", item_path(KINDS["tests"], result["testId"]), alice)
        ).status == 204
        assert (await api.call("GET", f"/v1/tests/{result['testId']}/results", alice)).status == 404


class TestLiveArtifacts:
    @pytest.mark.parametrize("who", ["owner", "viewer", "admin"])
    async def test_an_artifact_created_live_is_found_by_its_item_route(
        self, server: RunningServer, api: ApiClient, alice: RegisteredUser, project: UUID, who: str
    ) -> None:
        """An idea a browser wrote into the document (never seen by REST) answers GET."""
        ideas, live_id, now = KINDS["ideas"], uuid4().hex, datetime.now(UTC)
        await server.app[ROOMS].transact(
            str(project),
            lambda doc: write_item(
                doc, ideas, ideas.create(text="live"), author_id=None, now=now, item_id=live_id
            ),
        )
        caller = alice
        if who == "viewer":
            caller = await api.register("Vera")
            await api.add_member(alice, project, caller, "viewer")
        if who == "admin":
            caller = await api.register("Admin")
            await make_admin(server.app[DB], caller)
        reply = await api.call("GET", item_path(ideas, live_id), caller)
        assert reply.status == 200, reply.body
        assert (reply.body["id"], reply.body["text"]) == (live_id, "live")


class TestPages:
    """Artifact lists are pages ordered by (createdAt, id) with opaque cursors."""

    async def _page(
        self, api: ApiClient, alice: RegisteredUser, project: UUID, **params: str | int
    ) -> dict[str, Any]:
        path = list_path(KINDS["ideas"], project)
        reply = await api.call("GET", path, alice, params=params)
        assert reply.status == 200, reply.body
        body: dict[str, Any] = reply.body
        return body

    async def test_pages_hold_every_artifact_once_in_creation_order(
        self, api: ApiClient, alice: RegisteredUser, project: UUID
    ) -> None:
        created = [
            (await create_artifact(api, alice, project, "ideas", text=f"idea {i}"))["id"]
            for i in range(5)
        ]
        whole = await self._page(api, alice, project)
        assert [item["id"] for item in whole["items"]] == created
        assert whole["next_cursor"] is None
        seen, sizes, cursor = [], [], None
        while True:
            params: dict[str, str | int] = {"limit": 2}
            if cursor is not None:
                params["cursor"] = cursor
            page = await self._page(api, alice, project, **params)
            seen += [item["id"] for item in page["items"]]
            sizes.append(len(page["items"]))
            cursor = page["next_cursor"]
            if cursor is None:
                break
        assert seen == created
        assert sizes == [2, 2, 1]

    async def test_a_cursor_outlives_the_artifact_it_was_taken_after(
        self, api: ApiClient, alice: RegisteredUser, project: UUID
    ) -> None:
        """Keyset, not offset: deleting what the first page showed skips nothing after it."""
        created = [(await create_artifact(api, alice, project, "ideas"))["id"] for _ in range(4)]
        first = await self._page(api, alice, project, limit=2)
        for item in first["items"]:
            path = item_path(KINDS["ideas"], item["id"])
            assert (await api.call("DELETE", path, alice)).status == 204
        rest = await self._page(api, alice, project, limit=2, cursor=first["next_cursor"])
        assert [item["id"] for item in rest["items"]] == created[2:]
        assert rest["next_cursor"] is None

    async def test_bad_page_parameters_are_refused(
        self, api: ApiClient, alice: RegisteredUser, project: UUID
    ) -> None:
        path = list_path(KINDS["ideas"], project)
        for params, status, problem in (
            ({"cursor": "not-ours"}, 400, "invalid-request"),
            ({"limit": 0}, 422, "validation-error"),
            ({"limit": 101}, 422, "validation-error"),
            ({"limt": 5}, 422, "validation-error"),
        ):
            reply = await api.call("GET", path, alice, params=params)
            assert (reply.status, reply.body["type"].rsplit("/")[-1]) == (status, problem), params

    async def test_results_of_a_test_are_paged_too(
        self, api: ApiClient, alice: RegisteredUser, project: UUID
    ) -> None:
        test = await create_artifact(api, alice, project, "tests")
        path = f"/v1/tests/{test['id']}/results"
        made = []
        for outcome in ("success", "partial", "failure"):
            reply = await api.call("POST", path, alice, json={"outcome": outcome})
            assert reply.status == 201
            made.append(reply.body["id"])
        first = await api.call("GET", path, alice, params={"limit": 2})
        second = await api.call(
            "GET", path, alice, params={"limit": 2, "cursor": first.body["next_cursor"]}
        )
        assert [r["id"] for r in first.body["items"] + second.body["items"]] == made
        assert second.body["next_cursor"] is None


async def test_deprecated_put_changes_only_the_fields_sent_like_patch(
    api: ApiClient, alice: RegisteredUser, project: UUID
) -> None:
    """Artifact PUT stays partial for existing clients (docs/api.md, "PATCH and PUT")."""
    created = await create_artifact(api, alice, project, "ideas", text="kept", x=5)
    path = item_path(KINDS["ideas"], created["id"])
    reply = await api.call("PUT", path, alice, json={"x": 7})
    assert reply.status == 200, reply.body
    assert (reply.body["text"], reply.body["x"]) == ("kept", 7)


class TestConditionalReads:
    """Lists, items and /document carry an ETag of their content; If-None-Match gives 304."""

    async def test_each_read_answers_304_until_its_content_changes(
        self, server: RunningServer, api: ApiClient, alice: RegisteredUser, project: UUID
    ) -> None:
        ideas = KINDS["ideas"]
        made = await create_artifact(api, alice, project, "ideas", text="first")
        paths = [
            list_path(ideas, project),
            item_path(ideas, made["id"]),
            f"/v1/projects/{project}/document",
        ]
        tags = {}
        for path in paths:
            reply = await api.call("GET", path, alice)
            assert reply.status == 200
            tags[path] = reply.headers["ETag"]
            again = await api.call("GET", path, alice, headers={"If-None-Match": tags[path]})
            assert (again.status, again.body) == (304, None), path
            assert again.headers["ETag"] == tags[path]
            other = await api.call("GET", path, alice, headers={"If-None-Match": '"stale"'})
            assert other.status == 200
        # A live edit (a browser's, not REST's) changes every one of them.
        now = datetime.now(UTC)
        await server.app[ROOMS].transact(
            str(project),
            lambda doc: update_item(doc, ideas, made["id"], ideas.update(text="second"), now=now),
        )
        for path in paths:
            reply = await api.call("GET", path, alice, headers={"If-None-Match": tags[path]})
            assert reply.status == 200, path
            assert reply.headers["ETag"] != tags[path]
        assert (await api.call("GET", paths[1], alice)).body["text"] == "second"

    async def test_a_list_etag_changes_with_the_page_not_with_other_pages(
        self, api: ApiClient, alice: RegisteredUser, project: UUID
    ) -> None:
        for n in range(3):
            await create_artifact(api, alice, project, "ideas", text=f"n{n}")
        path = list_path(KINDS["ideas"], project)
        first = await api.call("GET", path, alice, params={"limit": 2})
        await create_artifact(api, alice, project, "ideas", text="later")  # on page 2
        again = await api.call(
            "GET",
            path,
            alice,
            params={"limit": 2},
            headers={"If-None-Match": first.headers["ETag"]},
        )
        assert again.status == 304
