"""/collab access checks remembered per credential and project, and voided by revocations.

GrantCache is pure (time is an argument). The end-to-end tests drive a real server with real
sockets: a remembered grant is shown by changing the team behind the server's back (a direct
SQL delete, which stores no revocation) and seeing the same token still admitted, while every
change made through the API (which stores a revocation) takes effect on the next connect.
"""

from __future__ import annotations

import math
import time
import uuid
from uuid import UUID

import pytest
from pycrdt import Array

from collab.board_lock import BoardLock
from collab.close import CloseCode
from collab.codec import decode
from collab.messages import AuthPermissionDenied, ServerNotice
from collab.permissions import Role
from http_api.keys import DB, ROOMS, SOCKET_GRANTS
from http_api.socket_grants import Grant, GrantCache
from http_api.write_locks import LOCK_READS, TTL_S, LockReads
from tests.conftest import RunningServer, StartServer
from tests.support.api import RegisteredUser, login
from tests.support.projects import ApiClient
from tests.support.yclient import YClient, append_item

PROJECT = UUID(int=1)
OTHER_PROJECT = UUID(int=2)


def grant(checked_at: float = 100.0, valid_until: float = 130.0) -> Grant:
    return Grant(uuid.uuid4(), uuid.uuid4(), Role.MEMBER, checked_at, valid_until)


class TestGrantCache:
    def test_a_grant_is_served_until_valid_until(self) -> None:
        """Before ``valid_until`` the same grant comes back; at it, none, and it is dropped."""
        cache = GrantCache(30)
        remembered = grant(100.0, 130.0)
        cache.put("token", PROJECT, remembered)
        assert cache.get("token", PROJECT, 100.0) is remembered
        assert cache.get("token", PROJECT, 129.999) is remembered
        assert len(cache) == 1
        assert cache.get("token", PROJECT, 130.0) is None
        assert len(cache) == 0
        assert cache.get("token", PROJECT, 100.0) is None  # gone, not merely hidden

    def test_grants_are_per_credential_and_project(self) -> None:
        """Another token (even of the same session) or another project finds nothing."""
        cache = GrantCache(30)
        cache.put("token", PROJECT, grant())
        assert cache.get("other token", PROJECT, 100.0) is None
        assert cache.get("token", OTHER_PROJECT, 100.0) is None

    def test_forget_drops_one_entry(self) -> None:
        """A revocation's forget() removes that entry only; forgetting twice is harmless."""
        cache = GrantCache(30)
        kept = grant()
        cache.put("a", PROJECT, grant())
        cache.put("a", OTHER_PROJECT, kept)
        cache.forget("a", PROJECT)
        cache.forget("a", PROJECT)
        assert cache.get("a", PROJECT, 100.0) is None
        assert cache.get("a", OTHER_PROJECT, 100.0) is kept

    def test_a_full_cache_evicts_the_oldest_entry(self) -> None:
        """At max_entries a new entry pushes out the one stored first; a re-stored entry
        counts as new, so the next eviction takes the one after it."""
        cache = GrantCache(30, max_entries=3)
        grants = {name: grant() for name in "abcde"}
        for name in "abc":
            cache.put(name, PROJECT, grants[name])
        cache.put("d", PROJECT, grants["d"])
        assert len(cache) == 3
        assert cache.get("a", PROJECT, 100.0) is None
        cache.put("b", PROJECT, grants["b"])  # b is now the newest
        assert len(cache) == 3
        cache.put("e", PROJECT, grants["e"])
        assert {name for name in "abcde" if cache.get(name, PROJECT, 100.0) is not None} == {
            "b",
            "d",
            "e",
        }

    def test_replacing_an_entry_keeps_the_newer_grant(self) -> None:
        """Storing again under the same key replaces the grant without growing the cache."""
        cache = GrantCache(30)
        old, new = grant(100.0, 130.0), grant(110.0, 140.0)
        cache.put("t", PROJECT, old)
        cache.put("t", PROJECT, new)
        assert len(cache) == 1
        assert cache.get("t", PROJECT, 135.0) is new

    def test_a_lifetime_of_zero_remembers_nothing(self) -> None:
        """ttl 0 turns the cache off: put() stores nothing, whatever the grant says."""
        cache = GrantCache(0)
        cache.put("t", PROJECT, grant(100.0, 130.0))
        assert len(cache) == 0
        assert cache.get("t", PROJECT, 100.0) is None

    @pytest.mark.parametrize("valid_until", [100.0, 99.0])
    def test_a_grant_without_a_future_is_not_stored(self, valid_until: float) -> None:
        """A grant already void when read (its session expired) is not remembered."""
        cache = GrantCache(30)
        cache.put("t", PROJECT, grant(100.0, valid_until))
        assert len(cache) == 0

    @pytest.mark.parametrize("ttl", [-0.001, -1.0, 300.001, 3600.0, math.nan, math.inf])
    def test_a_lifetime_outside_0_to_300_s_is_refused(self, ttl: float) -> None:
        """Revocations are remembered 300 s: a grant reused longer could miss one."""
        with pytest.raises(ValueError, match=r"0\.\.300 s"):
            GrantCache(ttl)

    @pytest.mark.parametrize("ttl", [0.0, 0.5, 300.0])
    def test_the_bounds_are_allowed(self, ttl: float) -> None:
        GrantCache(ttl)

    @pytest.mark.parametrize(
        ("expires_in", "until"),
        [(None, 130.0), (3600.0, 130.0), (30.0, 130.0), (5.0, 105.0), (0.0, 100.0), (-2.0, 98.0)],
    )
    def test_lifetime_is_capped_by_the_session(
        self, expires_in: float | None, until: float
    ) -> None:
        """checked_at + ttl, or the session's expiry if it comes first (API keys: no cap)."""
        assert GrantCache(30).lifetime(100.0, expires_in) == until

    def test_a_grant_capped_by_an_ending_session_ends_with_it(self) -> None:
        """lifetime() and put()/get() together: a session ending in 5 s is served for 5 s."""
        cache = GrantCache(30)
        remembered = grant(100.0, cache.lifetime(100.0, 5.0))
        cache.put("t", PROJECT, remembered)
        assert cache.get("t", PROJECT, 104.9) is remembered
        assert cache.get("t", PROJECT, 105.0) is None


# --- end to end: a real server, real sockets -------------------------------------------------


@pytest.fixture
async def server(start_server: StartServer) -> RunningServer:
    """A server that checks room access (the product's default), grants kept 30 s."""
    return await start_server(open_rooms=False)


async def open_socket(server: RunningServer, project: UUID, token: str | None) -> YClient:
    """A y-websocket client of the project's room with ``token`` (SAVED acknowledgements on)."""
    assert token is not None
    return await YClient.connect(server.ws_url, str(project), token=token)


async def admitted(server: RunningServer, project: UUID, token: str | None) -> YClient:
    """Connect and wait for the room's sync: the socket was let in."""
    client = await open_socket(server, project, token)
    await client.wait_for(lambda: client.synced.is_set() or client.closed.is_set())
    if not client.synced.is_set():
        await client.close()
        raise AssertionError(f"refused: {client.close_code} {client.close_reason!r}")
    return client


async def refused(
    server: RunningServer, project: UUID, token: str | None
) -> tuple[int | None, str]:
    """Connect, wait for the server to close the socket; the close code and reason."""
    async with await open_socket(server, project, token) as client:
        await client.wait_for(lambda: client.synced.is_set() or client.closed.is_set())
        assert not client.synced.is_set(), "admitted"
        await client.wait_closed()
        return client.close_code, client.close_reason


def refusals(client: YClient) -> list[object]:
    """What the server said about the client's writes being refused (read-only access)."""
    return [
        m
        for m in map(decode, client.frames)
        if isinstance(m, AuthPermissionDenied)
        or (isinstance(m, ServerNotice) and m.code == "read-only")
    ]


async def team_of_two(api: ApiClient, role: str) -> tuple[RegisteredUser, RegisteredUser, UUID]:
    """An owner, a second user with ``role`` on the owner's new project, and the project."""
    owner, guest = await api.register("Owner"), await api.register("Guest")
    project = await api.create_project(owner, "Workshop")
    await api.add_member(owner, project, guest, role)
    return owner, guest, project


async def remove_behind_the_servers_back(server: RunningServer, project: UUID, user: UUID) -> None:
    """Delete a membership with SQL: no revocation is stored or announced."""
    status = await server.app[DB].execute(
        "DELETE FROM project_members WHERE project_id = $1 AND user_id = $2", project, user
    )
    assert status == "DELETE 1"


class TestRememberedGrants:
    async def test_a_reconnect_with_the_same_token_is_served_from_the_grant(
        self, server: RunningServer, api: ApiClient
    ) -> None:
        """After a first connect, the membership is deleted behind the server's back. The same
        token is still admitted (its grant was remembered, no database read); a fresh token
        of the same account (another sign-in) is read afresh and refused with 4403."""
        _owner, guest, project = await team_of_two(api, "member")
        async with await admitted(server, project, guest.access_token):
            pass
        assert len(server.app[SOCKET_GRANTS].cache) == 2  # the team was read: both sessions
        await remove_behind_the_servers_back(server, project, guest.id)
        async with await admitted(server, project, guest.access_token) as again:
            await again.edit(append_item("still a member, as far as the grant knows"))
            await again.wait_durable()
        fresh = await login(api.http, server.http_url, guest)
        assert fresh.access_token != guest.access_token
        code, reason = await refused(server, project, fresh.access_token)
        assert (code, reason) == (CloseCode.FORBIDDEN, f"no such project: {project}")

    async def test_a_member_removed_through_the_api_is_refused(
        self, server: RunningServer, api: ApiClient
    ) -> None:
        """The removal stores a revocation: the remembered grant is void, the reconnect with
        the same token is read afresh and refused with 4403 by the membership check itself
        (not admitted on the old grant and caught by the revocation just before joining)."""
        owner, guest, project = await team_of_two(api, "member")
        async with await admitted(server, project, guest.access_token) as before:
            reply = await api.call("DELETE", f"/v1/projects/{project}/members/{guest.id}", owner)
            assert reply.status == 204
            await before.wait_closed()
            assert before.close_code == CloseCode.FORBIDDEN
            assert before.close_reason == "you were removed from the project"
        code, reason = await refused(server, project, guest.access_token)
        assert (code, reason) == (CloseCode.FORBIDDEN, f"no such project: {project}")

    async def test_a_promoted_viewer_reconnects_as_an_editor(
        self, server: RunningServer, api: ApiClient
    ) -> None:
        """A viewer's grant is remembered read-only; after the role change through the API
        the same token reconnects with the new role and its edit is stored."""
        owner, guest, project = await team_of_two(api, "viewer")
        async with await admitted(server, project, guest.access_token) as viewer:
            await viewer.edit(append_item("forged"))
            # Read-only (the grant now remembered says viewer): the edit is refused.
            await viewer.wait_for(
                lambda: any(isinstance(m, ServerNotice) for m in refusals(viewer))
            )
            assert any(isinstance(m, AuthPermissionDenied) for m in refusals(viewer))
            path = f"/v1/projects/{project}/members/{guest.id}"
            reply = await api.call("PUT", path, owner, json={"role": "member"})
            assert reply.status == 200
            await viewer.wait_closed()
            assert viewer.close_code == CloseCode.FORBIDDEN
        async with await admitted(server, project, guest.access_token) as editor:
            await editor.edit(append_item("written"))
            await editor.wait_durable()
            assert refusals(editor) == []
            live = server.app[ROOMS].rooms[str(project)].doc
            assert list(live.get("items", type=Array)) == ["written"]
        stored = await server.app[DB].fetchval(
            "SELECT count(*) FROM room_updates WHERE room = $1", str(project)
        )
        assert stored == 1  # the editor's update; the viewer's was never stored

    async def test_a_logged_out_token_is_refused(
        self, server: RunningServer, api: ApiClient
    ) -> None:
        """Logout stores a revocation of the session: the same token reconnecting is read
        afresh and refused with 4401 (the session ended)."""
        _owner, guest, project = await team_of_two(api, "member")
        async with await admitted(server, project, guest.access_token) as before:
            reply = await api.call("POST", "/v1/auth/logout", guest)
            assert reply.status == 204
            await before.wait_closed()
        code, reason = await refused(server, project, guest.access_token)
        assert (code, reason) == (CloseCode.UNAUTHORIZED, "session ended: sign in again")

    async def test_with_the_cache_off_every_connect_reads_the_database(
        self, start_server: StartServer
    ) -> None:
        """DTTOOLS_SOCKET_GRANT_CACHE_S=0: the reconnect of the first test is refused."""
        server = await start_server(open_rooms=False, socket_grant_cache_s=0.0)
        async with ApiClient.open(server) as api:
            _owner, guest, project = await team_of_two(api, "member")
            async with await admitted(server, project, guest.access_token):
                pass
            assert len(server.app[SOCKET_GRANTS].cache) == 0
            await remove_behind_the_servers_back(server, project, guest.id)
            code, reason = await refused(server, project, guest.access_token)
            assert (code, reason) == (CloseCode.FORBIDDEN, f"no such project: {project}")


class TestTeams:
    async def test_a_teammate_is_admitted_on_the_team_read_by_the_first_socket(
        self, server: RunningServer, api: ApiClient
    ) -> None:
        """The owner's socket reads the whole team; the guest, removed behind the server's back
        afterwards, is still admitted on it (no read of its own). A session the guest opens
        after the team was read is not in it: checked on its own, and refused."""
        owner, guest, project = await team_of_two(api, "member")
        async with await admitted(server, project, owner.access_token):
            pass
        await remove_behind_the_servers_back(server, project, guest.id)
        async with await admitted(server, project, guest.access_token):
            pass
        fresh = await login(api.http, server.http_url, guest)
        code, reason = await refused(server, project, fresh.access_token)
        assert (code, reason) == (CloseCode.FORBIDDEN, f"no such project: {project}")

    async def test_a_revocation_after_the_team_read_voids_the_teammates_grant(
        self, server: RunningServer, api: ApiClient
    ) -> None:
        """The guest is removed through the API after the owner's socket read the team: the
        guest's first connect is read afresh and refused, not admitted on the team's grant."""
        owner, guest, project = await team_of_two(api, "member")
        async with await admitted(server, project, owner.access_token):
            reply = await api.call("DELETE", f"/v1/projects/{project}/members/{guest.id}", owner)
            assert reply.status == 204
            code, reason = await refused(server, project, guest.access_token)
        assert (code, reason) == (CloseCode.FORBIDDEN, f"no such project: {project}")

    async def test_a_viewer_on_the_team_opens_read_only(
        self, server: RunningServer, api: ApiClient
    ) -> None:
        """The team read carries each member's role: a viewer admitted on it cannot write."""
        owner, guest, project = await team_of_two(api, "viewer")
        async with (
            await admitted(server, project, owner.access_token),
            await admitted(server, project, guest.access_token) as viewer,
        ):
            await viewer.edit(append_item("forged"))
            await viewer.wait_for(lambda: bool(refusals(viewer)))
        live = server.app[ROOMS].rooms[str(project)].doc
        assert list(live.get("items", type=Array)) == []

    async def test_the_team_read_tells_the_board_lock_check_no_lock_holds(
        self, server: RunningServer, api: ApiClient
    ) -> None:
        """An owner's socket reads no lock itself (owners are never held), yet afterwards the
        project's lock is known to be none: the team read said so, and teammates arriving
        next check the board lock without a query."""
        owner, _guest, project = await team_of_two(api, "member")
        assert server.app[LOCK_READS].get(project, time.monotonic()) == (False, None)
        async with await admitted(server, project, owner.access_token):
            pass
        assert server.app[LOCK_READS].get(project, time.monotonic()) == (True, None)

    async def test_a_token_of_another_account_is_not_served_from_the_team(
        self, server: RunningServer, api: ApiClient
    ) -> None:
        """An outsider is not on the team: checked on its own and refused with 4403."""
        owner, _guest, project = await team_of_two(api, "member")
        outsider = await api.register("Outsider")
        async with await admitted(server, project, owner.access_token):
            code, reason = await refused(server, project, outsider.access_token)
        assert (code, reason) == (CloseCode.FORBIDDEN, f"no such project: {project}")


def test_a_team_read_does_not_replace_a_newer_lock_read() -> None:
    """The team read's "no lock" is remembered from when it began, unless a read that began
    later is remembered already."""
    reads = LockReads()
    reads.none_held(PROJECT, 10.0)
    assert reads.get(PROJECT, 10.0 + TTL_S - 0.1) == (True, None)
    assert reads.get(PROJECT, 10.0 + TTL_S) == (False, None)
    lock = BoardLock(str(OTHER_PROJECT), True, frozenset(), frozenset())
    reads.put(OTHER_PROJECT, lock, 20.0)
    reads.none_held(OTHER_PROJECT, 19.0)
    assert reads.get(OTHER_PROJECT, 20.0) == (True, lock)
    reads.none_held(OTHER_PROJECT, 21.0)
    assert reads.get(OTHER_PROJECT, 21.0) == (True, None)


def test_expired_grants_are_dropped_as_new_ones_come() -> None:
    """Grants of sockets that stayed connected do not outlive their use in memory."""
    cache = GrantCache(30.0)
    project = uuid.uuid4()
    for n in range(10):
        cache.put(
            f"s{n}", project, Grant(uuid.uuid4(), uuid.uuid4(), Role.MEMBER, float(n), n + 30.0)
        )
    assert len(cache) == 10
    # 100 s later: each new grant drops a few expired ones from the front.
    for n in range(3):
        cache.put(f"late{n}", project, Grant(uuid.uuid4(), uuid.uuid4(), Role.MEMBER, 100.0, 130.0))
    assert len(cache) == 3
