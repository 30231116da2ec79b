"""Deleting an account (DELETE /v1/auth/me, DELETE /v1/admin/users/{id}): the identity leaves
every copy the server keeps, the content stays for the team under a pseudonym."""

from __future__ import annotations

import asyncio
import uuid
from pathlib import Path
from typing import Any
from uuid import UUID

import asyncpg
import pytest
from pycrdt import Map

from collab.brainstorm import private_room
from http_api.export_snapshot import take_snapshot
from http_api.keys import DB, ERASER, FILES, PERSONAL_EXPORTS, ROOMS, SETTINGS
from persistence import erasure
from persistence.blobs import export_key, personal_export_key
from tests.conftest import RunningServer, StartServer
from tests.http_api.v1.test_brainstorm import add_note
from tests.http_api.v1.test_exports import export, finished
from tests.support.api import RegisteredUser, create_api_key, make_admin, register, unique_email
from tests.support.projects import ApiClient
from tests.support.s3 import MotoS3, bucket_settings, moto_s3_fixture
from tests.support.yclient import YClient

moto_s3 = moto_s3_fixture()

_TEXTUAL = ("text", "character varying", "jsonb", "json", "uuid", "ARRAY", "inet")


async def _rows_naming(db: Any, needles: list[str]) -> list[str]:
    """Every ``table.column`` of the database holding one of ``needles`` (as text, or as
    UTF-8 bytes in a bytea column: documents and their history)."""
    columns = await db.fetch(
        "SELECT table_name, column_name, data_type FROM information_schema.columns "
        "WHERE table_schema = 'public' AND (data_type = ANY($1) OR data_type = 'bytea')",
        list(_TEXTUAL),
    )
    found = []
    for column in columns:
        table, name = column["table_name"], column["column_name"]
        for needle in needles:
            value: str | bytes
            if column["data_type"] == "bytea":
                where, value = f'position($1 in "{name}") > 0', needle.encode()
            else:
                where, value = f'position(lower($1) in lower("{name}"::text)) > 0', needle
            hits = await db.fetchval(f'SELECT count(*) FROM "{table}" WHERE {where}', value)
            if hits:
                found.append(f"{table}.{name} has {needle!r}")
    return found


def _files_naming(folder: Path, needles: list[str]) -> list[str]:
    found = []
    for path in folder.rglob("*"):
        for needle in needles:
            if needle in str(path) or (path.is_file() and needle.encode() in path.read_bytes()):
                found.append(f"{path} has {needle!r}")
    return found


async def _delete_me(api: ApiClient, user: RegisteredUser, **body: Any) -> Any:
    return await api.call("DELETE", "/v1/auth/me", user, json=body)


def _pseudonym(reply_or_value: str) -> int:
    prefix = "removed-participant-"
    assert reply_or_value.startswith(prefix), reply_or_value
    return int(reply_or_value[len(prefix) :])


async def test_a_deleted_account_leaves_its_content_and_no_trace_of_the_person(
    start_server: StartServer,
) -> None:
    server = await start_server(open_rooms=False)
    db = server.app[DB]
    tag = uuid.uuid4().hex[:10]
    async with ApiClient.open(server) as api:
        zed = await register(
            api.http, server, name=f"Zéfiro Quintal {tag}", email=unique_email(f"zed{tag}")
        )
        olga = await api.register("Olga")
        shared = await api.create_project(olga, "Shared board")
        await api.add_member(olga, shared, zed, "member")
        idea = await api.call(
            "POST", f"/v1/projects/{shared}/ideas", zed, json={"text": "queue by SMS"}
        )
        assert idea.status == 201
        persona = await api.call(
            "POST", f"/v1/projects/{shared}/personas", zed, json={"name": "Dona Rita"}
        )
        assert persona.status == 201
        own = await api.create_project(zed, f"Zed's own {tag}")

        # A sole owner is refused, and nothing changes.
        refused = await _delete_me(api, zed, password=zed.password)
        assert refused.status == 409, refused.body
        assert f"Zed's own {tag}" in refused.body["detail"]
        assert (await api.call("GET", "/v1/auth/me", zed)).status == 200
        await api.add_member(zed, own, olga, "owner")

        # A brainstorm: Zed's hidden note is revealed with his name in the results.
        started = await api.call(
            "POST", f"/v1/projects/{shared}/brainstorm", olga, json={"prompt": "Shorter queues?"}
        )
        assert started.status == 201, started.body
        session = UUID(started.body["id"])
        private = await YClient.connect(
            server.ws_url, private_room(shared, session, zed.id), token=zed.access_token
        )
        await private.wait_synced()
        await private.edit(add_note("zed-note", "a kiosk at the door"))
        await private.wait_durable()
        await private.close()
        ended = await api.call("POST", f"/v1/projects/{shared}/brainstorm/{session}/end", olga)
        assert ended.status == 200, ended.body
        revealed = {i["text"]: i for i in ended.body["results"]["ideas"]}
        assert revealed["a kiosk at the door"]["author_name"] == zed.name

        # Idempotency records, a failed sign-in, an export, a personal export: all name him.
        again = await api.call(
            "POST", f"/v1/projects/{shared}/ideas", zed, json={"text": "second idea"},
            headers={"Idempotency-Key": f"zed-{tag}"},
        )  # fmt: skip
        assert again.status == 201
        wrong = await api.call(
            "POST", "/v1/auth/login", None,
            json={"email": zed.email, "password": "not it", "client": "token"},
        )  # fmt: skip
        assert wrong.status == 401
        await finished(api, olga, await export(api, olga, shared, format="csv"))
        mine = await api.call("POST", "/v1/auth/me/export", zed)
        assert mine.status in (201, 202)
        _key_id, key = await create_api_key(api.http, server.http_url, zed, "laptop")

        needles = [str(zed.id), zed.email, zed.name]
        assert await _rows_naming(db, needles)  # the scan finds him before

        # Olga watches the board live; Zed has a socket open too.
        board = await YClient.connect(server.ws_url, str(shared), token=olga.access_token)
        zeds = await YClient.connect(server.ws_url, str(shared), token=zed.access_token)
        await board.wait_synced()
        await zeds.wait_synced()
        try:
            deleted = await _delete_me(api, zed, password=zed.password)
            assert deleted.status == 204, deleted.body
            await zeds.wait_closed()
            assert zeds.close_code in (4401, 4403)

            ideas = (await api.call("GET", f"/v1/projects/{shared}/ideas", olga)).body["items"]
            by_text = {item["text"]: item for item in ideas}
            ref = by_text["queue by SMS"]["createdBy"]
            number = _pseudonym(ref)
            assert by_text["queue by SMS"]["authorId"] == ref
            assert by_text["a kiosk at the door"]["createdBy"] == ref  # from his private room
            # The same pseudonym for the same person everywhere; the live board got it too.
            people = await api.call("GET", f"/v1/projects/{shared}/personas", olga)
            assert people.body["items"][0]["createdBy"] == ref
            await board.wait_for(
                lambda: board.doc.get("ideas", type=Map)[idea.body["id"]].get("createdBy") == ref
            )
            results = await api.call("GET", f"/v1/projects/{shared}/brainstorm/{session}", olga)
            result = {i["text"]: i for i in results.body["results"]["ideas"]}
            assert (result["a kiosk at the door"]["author_id"],
                    result["a kiosk at the door"]["author_name"]) == (
                ref, f"Removed participant {number}",
            )  # fmt: skip
        finally:
            await board.close()
            await zeds.close()

        # Every way in is gone.
        assert (await api.call("GET", "/v1/auth/me", zed)).status == 401
        assert (
            await api.call("GET", "/v1/auth/me", None, headers={"Authorization": f"Bearer {key}"})
        ).status == 401
        # Not one table, document history or file still names him.
        assert await _rows_naming(db, needles) == []
        files = server.app[SETTINGS].files_folder
        assert _files_naming(files, needles) == []
        actions = await db.fetch("SELECT action, details FROM audit_log WHERE target = $1", ref)
        assert "account.deleted" in {row["action"] for row in actions}
        # Signing in fails like for any unknown address (and is recorded as such, anew).
        login = await api.call(
            "POST", "/v1/auth/login", None,
            json={"email": zed.email, "password": zed.password, "client": "token"},
        )  # fmt: skip
        assert login.status == 401


@pytest.fixture
async def server_and_api(
    start_server: StartServer,
) -> Any:
    server = await start_server(open_rooms=False)
    async with ApiClient.open(server) as api:
        yield server, api


async def test_deleting_needs_the_password_or_a_recent_sign_in_and_never_a_key(
    server_and_api: tuple[RunningServer, ApiClient],
) -> None:
    server, api = server_and_api
    ana = await api.register("Ana")
    _key_id, key = await create_api_key(api.http, server.http_url, ana, "ci")
    with_key = await api.call(
        "DELETE", "/v1/auth/me", None, json={}, headers={"Authorization": f"Bearer {key}"}
    )
    assert with_key.status == 403, with_key.body
    wrong = await _delete_me(api, ana, password="not the password")
    assert wrong.status == 403
    assert "password" in wrong.body["detail"]
    # An hour after signing in, the password is asked for.
    await server.app[DB].execute(
        "UPDATE auth_sessions SET created_at = now() - interval '1 hour' WHERE user_id = $1",
        ana.id,
    )
    stale = await _delete_me(api, ana)
    assert stale.status == 403
    assert (await api.call("GET", "/v1/auth/me", ana)).status == 200
    await server.app[DB].execute(
        "UPDATE auth_sessions SET created_at = now() WHERE user_id = $1", ana.id
    )
    fresh = await _delete_me(api, ana)  # just signed in: no password needed
    assert fresh.status == 204, fresh.body
    assert (await api.call("GET", "/v1/auth/me", ana)).status == 401
    junk = await api.call("DELETE", "/v1/auth/me", ana, json={"password": 7})
    assert junk.status == 401  # the account is gone: nothing to validate against


async def test_admins_delete_accounts_and_nobody_else_does(
    server_and_api: tuple[RunningServer, ApiClient],
) -> None:
    server, api = server_and_api
    admin, bea, carl = await asyncio.gather(*(api.register(n) for n in ("Admin", "Bea", "Carl")))
    await make_admin(server.app[DB], admin)
    project = await api.create_project(bea, "Bea's")
    await api.add_member(bea, project, carl, "member")
    denied = await api.call("DELETE", f"/v1/admin/users/{bea.id}", carl)
    assert denied.status == 403
    assert (await api.call("DELETE", f"/v1/admin/users/{uuid.uuid4()}", admin)).status == 404
    sole = await api.call("DELETE", f"/v1/admin/users/{bea.id}", admin)
    assert sole.status == 409
    done = await api.call("DELETE", f"/v1/admin/users/{carl.id}", admin)
    assert done.status == 204, done.body
    assert (await api.call("GET", "/v1/auth/me", carl)).status == 401
    team = await api.call("GET", f"/v1/projects/{project}/members", bea)
    assert [m["user_id"] for m in team.body["items"]] == [str(bea.id)]
    audit = await server.app[DB].fetchrow(
        "SELECT actor_id, target FROM audit_log WHERE action = 'account.deleted' AND actor_id = $1",
        admin.id,
    )
    assert audit is not None
    _pseudonym(audit["target"])


async def test_an_erasure_a_stopped_node_left_half_way_is_finished(
    server_and_api: tuple[RunningServer, ApiClient],
) -> None:
    """Step one committed (the record, sessions gone), then the node stopped: the next pass
    finishes it."""
    server, api = server_and_api
    dan, eva = await asyncio.gather(api.register("Dan"), api.register("Eva"))
    project = await api.create_project(eva, "Eva's")
    await api.add_member(eva, project, dan, "member")
    made = await api.call("POST", f"/v1/projects/{project}/ideas", dan, json={"text": "mine"})
    assert made.status == 201
    db: asyncpg.Pool = server.app[DB]
    async with db.acquire() as conn, conn.transaction():
        left, _ended = await erasure.start(conn, dan.id)
    eraser = server.app[ERASER]
    assert await eraser.resume() == 0  # the node that started it may still be at it
    await db.execute(  # ... until its claim runs out
        "UPDATE account_erasures SET claimed_until = now() - interval '1 second' "
        "WHERE user_id = $1",
        dan.id,
    )
    assert await eraser.resume() == 1
    assert await db.fetchval("SELECT count(*) FROM users WHERE id = $1", dan.id) == 0
    assert await db.fetchval("SELECT count(*) FROM account_erasures") == 0
    listed = await api.call("GET", f"/v1/projects/{project}/ideas", eva)
    assert [i["createdBy"] for i in listed.body["items"]] == [left.identity.ref]


async def test_exports_name_the_pseudonym_in_the_project_language(
    server_and_api: tuple[RunningServer, ApiClient],
) -> None:
    server, api = server_and_api
    fay, gil = await asyncio.gather(api.register("Fay"), api.register("Gil"))
    project = await api.create_project(gil, "Oficina", language="pt-BR")
    await api.add_member(gil, project, fay, "member")
    made = await api.call("POST", f"/v1/projects/{project}/ideas", fay, json={"text": "fila"})
    assert made.status == 201
    ref = await server.app[ERASER].erase(fay.id, by=None)
    taken = await take_snapshot(server.app[DB], server.app[ROOMS], server.app[FILES].store, project)
    number = ref.rsplit("-", 1)[1]
    assert taken.source.authors[ref] == f"Participante removido {number}"
    assert fay.name not in taken.source.authors.values()


async def test_in_a_bucket_their_export_zips_and_the_project_exports_go(
    start_server: StartServer, moto_s3: MotoS3
) -> None:
    server = await start_server(open_rooms=False, **await bucket_settings(moto_s3))
    store = server.app[FILES].store
    async with ApiClient.open(server) as api:
        hal, ivy = await asyncio.gather(api.register("Hal"), api.register("Ivy"))
        project = await api.create_project(ivy, "In a bucket")
        await api.add_member(ivy, project, hal, "member")
        made_idea = await api.call("POST", f"/v1/projects/{project}/ideas", hal, json={"text": "x"})
        assert made_idea.status == 201
        team_export = await finished(api, ivy, await export(api, ivy, project, format="csv"))
        mine = await api.call("POST", "/v1/auth/me/export", hal)
        await server.app[PERSONAL_EXPORTS].wait(UUID(mine.body["id"]), 30.0)
        keys = [
            export_key(project, UUID(team_export["id"])),
            personal_export_key(hal.id, UUID(mine.body["id"])),
        ]
        assert [await store.size(key) is not None for key in keys] == [True, True]
        deleted = await _delete_me(api, hal, password=hal.password)
        assert deleted.status == 204, deleted.body
        assert [await store.size(key) for key in keys] == [None, None]
