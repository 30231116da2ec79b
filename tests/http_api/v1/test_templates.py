"""/v1/templates and POST /v1/projects with ``template``: start from a method, an example, or
a project of one's own saved as a template."""

from __future__ import annotations

from typing import Any
from uuid import UUID

import pytest

from collab.templates import BUILT_IN, content_of
from tests.support.api import RegisteredUser
from tests.support.projects import ApiClient

pytestmark = pytest.mark.shared_server


@pytest.fixture
async def ana(api: ApiClient) -> RegisteredUser:
    return await api.register("Ana")


async def from_template(
    api: ApiClient, user: RegisteredUser, template: str, **fields: Any
) -> dict[str, Any]:
    reply = await api.call(
        "POST",
        "/v1/projects",
        user,
        json={"name": f"From {template}", "template": template, **fields},
    )
    assert reply.status == 201, reply.body
    return dict(reply.body)


async def document(api: ApiClient, user: RegisteredUser, project: str) -> dict[str, Any]:
    reply = await api.call("GET", f"/v1/projects/{project}/document", user)
    assert reply.status == 200, reply.body
    return dict(reply.body)


class TestBuiltIn:
    async def test_the_list_names_every_template_in_the_readers_language(
        self, api: ApiClient, ana: RegisteredUser
    ) -> None:
        english = await api.call("GET", "/v1/templates", ana)
        assert [t["id"] for t in english.body["items"]] == list(BUILT_IN)
        assert english.body["next_cursor"] is None
        crazy = next(t for t in english.body["items"] if t["id"] == "crazy-8s")
        assert crazy["kind"] == "method"
        assert crazy["phase"] == "ideate"
        assert crazy["artifacts"] == 9
        portuguese = await api.call(
            "GET", "/v1/templates", ana, headers={"Accept-Language": "pt-BR"}
        )
        names = {t["id"]: t["name"] for t in portuguese.body["items"]}
        assert names["retrospective"] == "Retrospectiva"
        assert portuguese.headers["Content-Language"] == "pt-BR"
        page = await api.call("GET", "/v1/templates", ana, params={"limit": 2})
        assert len(page.body["items"]) == 2
        assert page.body["next_cursor"] is not None

    @pytest.mark.parametrize("template", sorted(BUILT_IN))
    async def test_a_project_starts_with_the_templates_content(
        self, api: ApiClient, ana: RegisteredUser, template: str
    ) -> None:
        project = await from_template(api, ana, template)
        assert project["phase"] == BUILT_IN[template].phase.value
        typed = await document(api, ana, project["id"])
        counts = sum(len(v) for v in typed.values() if isinstance(v, list))
        assert counts == content_of(BUILT_IN[template], "en").artifacts

    async def test_content_comes_in_the_projects_language_and_a_phase_given_wins(
        self, api: ApiClient, ana: RegisteredUser
    ) -> None:
        project = await from_template(api, ana, "retrospective", language="pt-BR", phase="test")
        assert project["phase"] == "test"
        ideas = (await document(api, ana, project["id"]))["ideas"]
        assert any("Uma coisa que vamos tentar" in idea["text"] for idea in ideas)

    async def test_an_unknown_template_is_refused_and_no_project_is_made(
        self, api: ApiClient, ana: RegisteredUser
    ) -> None:
        before = await api.call("GET", "/v1/projects", ana)
        reply = await api.call(
            "POST", "/v1/projects", ana, json={"name": "x", "template": "no-such-method"}
        )
        assert reply.status == 422
        assert reply.body["errors"][0]["field"] == "template"
        after = await api.call("GET", "/v1/projects", ana)
        assert len(after.body["items"]) == len(before.body["items"])

    async def test_built_in_templates_cannot_be_deleted(
        self, api: ApiClient, ana: RegisteredUser
    ) -> None:
        assert (await api.call("DELETE", "/v1/templates/example", ana)).status == 403
        one = await api.call("GET", "/v1/templates/example", ana)
        assert one.status == 200
        assert one.body["kind"] == "example"


class TestSaved:
    async def test_a_project_saved_as_a_template_starts_new_projects_without_test_data(
        self, api: ApiClient, ana: RegisteredUser
    ) -> None:
        source = await from_template(api, ana, "example")
        original = await document(api, ana, source["id"])
        assert original["testResults"]
        body = {"project_id": source["id"], "name": "Our library kit", "description": "v1"}
        saved = await api.call("POST", "/v1/templates", ana, json=body)
        assert saved.status == 201, saved.body
        assert saved.headers["Location"] == f"/v1/templates/{saved.body['id']}"
        assert saved.body["kind"] == "saved"
        assert saved.body["language"] == "en"
        listed = await api.call("GET", "/v1/templates", ana)
        assert listed.body["items"][-1]["id"] == saved.body["id"]

        copy = await from_template(api, ana, saved.body["id"])
        typed = await document(api, ana, copy["id"])
        assert typed["testResults"] == []
        assert [p["name"] for p in typed["personas"]] == ["Ana"]
        assert typed["personas"][0]["id"] != original["personas"][0]["id"]
        assert all(item["createdBy"] is None for item in typed["ideas"])

    async def test_a_saved_template_is_its_owners_alone(
        self, api: ApiClient, ana: RegisteredUser
    ) -> None:
        source = await from_template(api, ana, "crazy-8s")
        saved = await api.call(
            "POST", "/v1/templates", ana, json={"project_id": source["id"], "name": "Mine"}
        )
        bob = await api.register("Bob")
        template_id = saved.body["id"]
        assert (await api.call("GET", f"/v1/templates/{template_id}", bob)).status == 404
        assert (await api.call("DELETE", f"/v1/templates/{template_id}", bob)).status == 404
        use = await api.call(
            "POST", "/v1/projects", bob, json={"name": "x", "template": template_id}
        )
        assert use.status == 422
        listed = await api.call("GET", "/v1/templates", bob)
        assert template_id not in [t["id"] for t in listed.body["items"]]
        assert (await api.call("DELETE", f"/v1/templates/{template_id}", ana)).status == 204
        assert (await api.call("GET", f"/v1/templates/{template_id}", ana)).status == 404

    async def test_saving_needs_the_right_to_export_the_project(
        self, api: ApiClient, ana: RegisteredUser
    ) -> None:
        source = await from_template(api, ana, "personas")
        stranger = await api.register("Stan")
        body = {"project_id": source["id"], "name": "Not mine"}
        assert (await api.call("POST", "/v1/templates", stranger, json=body)).status == 404
        viewer = await api.register("Vera")
        await api.add_member(ana, UUID(source["id"]), viewer, "viewer")
        await api.call(
            "PATCH", f"/v1/projects/{source['id']}", ana, json={"viewers_can_export": False}
        )
        assert (await api.call("POST", "/v1/templates", viewer, json=body)).status == 403

    async def test_text_with_a_nul_character_is_kept(
        self, api: ApiClient, ana: RegisteredUser
    ) -> None:
        """Any Unicode text a project holds survives the template (jsonb would refuse NUL)."""
        project = await api.call("POST", "/v1/projects", ana, json={"name": "Odd text"})
        idea = await api.call(
            "POST", f"/v1/projects/{project.body['id']}/ideas", ana, json={"text": "a\u0000b"}
        )
        assert idea.status == 201, idea.body
        body = {"project_id": project.body["id"], "name": "Odd"}
        saved = await api.call("POST", "/v1/templates", ana, json=body)
        assert saved.status == 201, saved.body
        copy = await from_template(api, ana, saved.body["id"])
        ideas = (await document(api, ana, copy["id"]))["ideas"]
        assert [i["text"] for i in ideas] == [idea.body["text"]]
