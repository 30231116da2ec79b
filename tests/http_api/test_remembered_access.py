"""What a node remembers of REST callers and their teams, and what voids it.

Pure tests (time is an argument, revocations a RecentRevocations); the rule that every change
of access reaches a node that remembers it, Redis or not, is tested end to end in
tests/integration/test_revocation_without_redis.py, and the server's use below.
"""

from __future__ import annotations

from datetime import UTC, datetime
from uuid import UUID, uuid4

import pytest

from collab.envelope import Revocation
from collab.permissions import Role
from http_api.keys import AUTH, DB
from http_api.principal import Principal
from http_api.remembered_access import Remembered, RememberedAccess
from persistence.accounts import User
from rooms.access import RecentRevocations
from tests.conftest import StartServer
from tests.support.projects import ApiClient


def principal(user_id: UUID | None = None) -> Principal:
    user = User(
        uuid4() if user_id is None else user_id,
        "a@example.com",
        "Ana",
        "x",
        False,
        datetime.now(UTC),
        None,
    )
    return Principal(user, "bearer", uuid4())


class Clock:
    """Revocations learned at given times, asked as the node asks them."""

    def __init__(self) -> None:
        self.revocations = RecentRevocations()
        self.now = 1000.0

    def revoke(self, **selectors: str | None) -> None:
        self.now += 1
        self.revocations.record(Revocation(**selectors), self.now)  # type: ignore[arg-type]

    def revoked_since(
        self, started: float, room: str, user_id: str | None, session_id: str | None
    ) -> Revocation | None:
        return self.revocations.since(started, self.now, room, user_id, session_id)


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def remembered(clock: Clock) -> RememberedAccess:
    return RememberedAccess(30.0, clock.revoked_since)


class TestRemembered:
    def test_a_value_lives_until_its_deadline(self) -> None:
        cache: Remembered[str, int] = Remembered()
        cache.put("k", 1, checked_at=10.0, valid_until=40.0)
        assert cache.get("k", 39.9) == (1, 10.0)
        assert cache.get("k", 40.0) is None
        assert len(cache) == 0

    def test_a_full_cache_drops_its_oldest_and_storing_drops_expired_ones(self) -> None:
        cache: Remembered[str, int] = Remembered(max_entries=2)
        cache.put("a", 1, 0.0, 10.0)
        cache.put("b", 2, 1.0, 11.0)
        cache.put("c", 3, 2.0, 12.0)
        assert (cache.get("a", 3.0), cache.get("c", 3.0)) == (None, (3, 2.0))
        cache.put("d", 4, 11.5, 20.0)  # "b" expired by then
        assert cache.get("b", 5.0) is None
        assert len(cache) == 2

    def test_nothing_is_kept_that_would_expire_at_once(self) -> None:
        cache: Remembered[str, int] = Remembered()
        cache.put("a", 1, 5.0, 5.0)
        assert len(cache) == 0

    def test_a_cache_holds_at_least_one_entry(self) -> None:
        with pytest.raises(ValueError, match="at least one"):
            Remembered(max_entries=0)


class TestCallers:
    def test_a_caller_is_remembered_for_the_lifetime(
        self, remembered: RememberedAccess, clock: Clock
    ) -> None:
        ana = principal()
        remembered.keep_caller("s1", ana, clock.now)
        assert remembered.caller("s1", clock.now + 29) is ana
        assert remembered.caller("s1", clock.now + 30) is None

    @pytest.mark.parametrize("selects", ["session", "account"])
    def test_signing_out_or_a_disabled_account_voids_it(
        self, remembered: RememberedAccess, clock: Clock, selects: str
    ) -> None:
        ana = principal()
        remembered.keep_caller("s1", ana, clock.now)
        if selects == "session":
            clock.revoke(session_id=str(ana.credential_id), reason="signed out")
        else:
            clock.revoke(user_id=str(ana.user_id), reason="account deleted")
        assert remembered.caller("s1", clock.now) is None

    def test_losing_one_project_or_another_session_leaves_the_caller(
        self, remembered: RememberedAccess, clock: Clock
    ) -> None:
        ana = principal()
        remembered.keep_caller("s1", ana, clock.now)
        clock.revoke(user_id=str(ana.user_id), room=str(uuid4()), reason="removed")
        clock.revoke(session_id=str(uuid4()), reason="someone else signed out")
        assert remembered.caller("s1", clock.now) is ana

    def test_a_revocation_read_before_it_was_remembered_does_not_void_it(
        self, remembered: RememberedAccess, clock: Clock
    ) -> None:
        ana = principal()
        clock.revoke(session_id=str(ana.credential_id), reason="an older session ended")
        remembered.keep_caller("s1", ana, clock.now + 1)
        assert remembered.caller("s1", clock.now + 2) is ana

    def test_a_change_of_account_here_forgets_only_that_account(
        self, remembered: RememberedAccess, clock: Clock
    ) -> None:
        ana, ben = principal(), principal()
        remembered.keep_caller("s1", ana, clock.now)
        remembered.keep_caller("s2", ben, clock.now)
        assert remembered.forget_account(ana.user_id) == 1
        assert (remembered.caller("s1", clock.now), remembered.caller("s2", clock.now)) == (
            None,
            ben,
        )


class TestMemberships:
    @pytest.mark.parametrize(
        "selectors",
        [
            {"user": True, "room": True},  # removed, or the role changed
            {"room": True},  # the project deleted
            {"session": True},  # the session behind the request ended
        ],
    )
    def test_a_change_of_the_team_voids_the_role(
        self, remembered: RememberedAccess, clock: Clock, selectors: dict[str, bool]
    ) -> None:
        ana, project = principal(), uuid4()
        remembered.keep_membership(ana, project, Role.MEMBER, clock.now)
        assert remembered.membership(ana, project, clock.now) is Role.MEMBER
        clock.revoke(
            user_id=str(ana.user_id) if selectors.get("user") else None,
            room=str(project) if selectors.get("room") else None,
            session_id=str(ana.credential_id) if selectors.get("session") else None,
        )
        assert remembered.membership(ana, project, clock.now) is None

    def test_another_project_or_person_leaves_the_role(
        self, remembered: RememberedAccess, clock: Clock
    ) -> None:
        ana, project = principal(), uuid4()
        remembered.keep_membership(ana, project, Role.VIEWER, clock.now)
        clock.revoke(user_id=str(ana.user_id), room=str(uuid4()))
        clock.revoke(user_id=str(uuid4()), room=str(project))
        assert remembered.membership(ana, project, clock.now) is Role.VIEWER

    def test_another_session_of_the_same_account_shares_the_role(
        self, remembered: RememberedAccess, clock: Clock
    ) -> None:
        ana, project = principal(), uuid4()
        remembered.keep_membership(ana, project, Role.OWNER, clock.now)
        other_session = Principal(ana.user, "cookie", uuid4())
        assert remembered.membership(other_session, project, clock.now) is Role.OWNER
        clock.revoke(session_id=str(ana.credential_id))
        assert remembered.membership(other_session, project, clock.now) is Role.OWNER


class TestOnTheServer:
    async def test_a_remembered_caller_skips_the_database_and_zero_turns_it_off(
        self, start_server: StartServer
    ) -> None:
        """A session ended in the database behind the server's back (no revocation, which
        every real change stores) is still honoured while remembered: proof that the second
        request did not read it. With the cache off, the next request reads and refuses."""
        for seconds, second_status in ((30.0, 200), (0.0, 401)):
            server = await start_server(rest_access_cache_s=seconds)
            assert (server.app[AUTH].remembered is not None) == (seconds > 0)
            async with ApiClient.open(server) as api:
                ana = await api.register("Ana")
                assert (await api.call("GET", "/v1/projects", ana)).status == 200
                await server.app[DB].execute(
                    "UPDATE auth_sessions SET revoked_at = now() WHERE user_id = $1", ana.id
                )
                assert (await api.call("GET", "/v1/projects", ana)).status == second_status

    async def test_a_new_member_is_let_in_at_once_and_a_name_change_shows_at_once(
        self, start_server: StartServer
    ) -> None:
        """Only answers that grant access are remembered: someone refused a moment ago is let
        in as soon as they are added. The account as shown is read afresh."""
        server = await start_server()
        async with ApiClient.open(server) as api:
            ana, ben = await api.register("Ana"), await api.register("Ben")
            project = await api.create_project(ana, "Kiosk")
            path = f"/v1/projects/{project}/ideas"
            assert (await api.call("GET", path, ben)).status == 404
            await api.add_member(ana, project, ben, "member")
            assert (await api.call("GET", path, ben)).status == 200
            renamed = await api.call("PATCH", "/v1/auth/me", ben, json={"name": "Benedita"})
            assert renamed.status == 200, renamed.body
            me = await api.call("GET", "/v1/auth/me", ben)
            assert me.body["name"] == "Benedita"
