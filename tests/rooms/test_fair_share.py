"""Fair share of a node: per-account and per-address tallies, and room loads per account."""

from __future__ import annotations

import asyncio

import pytest
from prometheus_client import REGISTRY

from collab.limits import Limits
from persistence.group_commit import GroupCommitter
from persistence.update_log import UpdateLog
from rooms.fair_share import ACTING_USER, FairShare, FairShareExceeded, Share, Tally
from rooms.manager import RoomManager, RoomSettings
from tests.support.postgres import until_lock_waiters


def refusals(share: Share) -> float:
    """How many refusals ``dttools_fair_share_refusals_total`` counted for ``share``."""
    value = REGISTRY.get_sample_value("dttools_fair_share_refusals_total", {"limit": share.value})
    return value or 0.0


class TestTally:
    def test_a_key_is_refused_at_its_cap_and_others_are_not(self) -> None:
        """Each key has its own count; the cap refuses only the key that reached it."""
        tally = Tally(Share.SOCKETS_PER_USER, 2)
        before = refusals(Share.SOCKETS_PER_USER)
        assert tally.take("alice")
        assert tally.take("alice")
        assert not tally.take("alice")
        assert tally.take("bob")
        assert (tally.held("alice"), tally.held("bob")) == (2, 1)
        assert refusals(Share.SOCKETS_PER_USER) == before + 1

    def test_giving_back_frees_a_slot_and_forgets_empty_keys(self) -> None:
        """A slot given back can be taken again; a key holding nothing is dropped."""
        tally = Tally(Share.LOADS_PER_USER, 1)
        assert tally.take("alice")
        tally.give_back("alice")
        assert tally.held("alice") == 0
        assert tally.take("alice")
        tally.give_back("alice")
        tally.give_back("alice")  # more than taken: never negative
        assert tally.held("alice") == 0


class TestSockets:
    def test_an_account_over_its_cap_is_refused_with_its_share(self) -> None:
        """The third socket of an account with a cap of two is refused; another account is not."""
        shares = FairShare(Limits(max_sockets_per_user=2))
        shares.admit_socket("alice", "10.0.0.1")
        shares.admit_socket("alice", "10.0.0.2")
        with pytest.raises(FairShareExceeded) as refused:
            shares.admit_socket("alice", "10.0.0.3")
        assert refused.value.share is Share.SOCKETS_PER_USER
        assert refused.value.retry_after_s is not None
        shares.admit_socket("bob", "10.0.0.1")
        assert shares.sockets_per_address.held("10.0.0.3") == 0  # nothing counted for it

    def test_an_address_over_its_cap_gives_the_account_slot_back(self) -> None:
        """Refused by address, the account's slot taken for that socket is returned."""
        shares = FairShare(Limits(max_sockets_per_address=1))
        shares.admit_socket(None, "192.0.2.1")  # anonymous: counted by address only
        with pytest.raises(FairShareExceeded) as refused:
            shares.admit_socket("alice", "192.0.2.1")
        assert refused.value.share is Share.SOCKETS_PER_ADDRESS
        assert shares.sockets_per_user.held("alice") == 0
        shares.release_socket(None, "192.0.2.1")
        shares.admit_socket("alice", "192.0.2.1")
        shares.release_socket("alice", "192.0.2.1")
        assert shares.sockets_per_user.held("alice") == 0
        assert shares.sockets_per_address.held("192.0.2.1") == 0

    def test_defaults_let_a_workshop_share_one_address(self) -> None:
        """50 people behind one NAT, each with a few tabs, fit the default address cap."""
        limits = Limits()
        assert limits.max_sockets_per_address >= 50 * 3
        assert limits.max_sockets_per_user >= 3


class TestLoads:
    def test_the_server_itself_is_never_refused(self) -> None:
        """Without an acting account (mirroring, resyncs) loads are not counted."""
        shares = FairShare(Limits(max_loads_per_user=1))
        assert ACTING_USER.get() is None
        loaders = [shares.start_load() for _ in range(3)]
        assert loaders == [None, None, None]
        for loader in loaders:
            shares.end_load(loader)

    def test_an_account_loading_at_its_cap_is_refused(self) -> None:
        """The acting account may load ``max_loads_per_user`` rooms at once, no more."""
        shares = FairShare(Limits(max_loads_per_user=1))
        token = ACTING_USER.set("alice")
        try:
            loader = shares.start_load()
            with pytest.raises(FairShareExceeded) as refused:
                shares.start_load()
            assert refused.value.share is Share.LOADS_PER_USER
            shares.end_load(loader)
            shares.end_load(shares.start_load())
        finally:
            ACTING_USER.reset(token)


@pytest.fixture
async def manager(update_log: UpdateLog, committer: GroupCommitter) -> RoomManager:
    """A room manager whose accounts may load two rooms at once."""
    return RoomManager(update_log, committer, Limits(max_loads_per_user=2), RoomSettings())


class TestManagerLoads:
    async def test_loads_beyond_the_cap_are_refused_while_others_load(
        self, manager: RoomManager, update_log: UpdateLog, room: str
    ) -> None:
        """With two loads of Alice's stuck in PostgreSQL, her third is refused at once; Bob's
        load and a second opener of a room already loading are not."""

        async def open_as(user: str, name: str) -> str:
            ACTING_USER.set(user)  # in this task's own context
            return (await manager.open(name)).name

        # The fixture's pool has four connections: this one and one per load below.
        async with update_log.pool.acquire() as blocker, blocker.transaction():
            await blocker.execute("LOCK TABLE room_snapshots IN ACCESS EXCLUSIVE MODE")
            first = asyncio.create_task(open_as("alice", f"{room}-1"))
            second = asyncio.create_task(open_as("alice", f"{room}-2"))
            # Opened in the same loop iteration: both rooms are read by one query.
            await until_lock_waiters(blocker, 1)
            with pytest.raises(FairShareExceeded):
                await asyncio.create_task(open_as("alice", f"{room}-3"))
            shared = asyncio.create_task(open_as("alice", f"{room}-1"))  # joins the first load
            bobs = asyncio.create_task(open_as("bob", f"{room}-4"))
            await until_lock_waiters(blocker, 2)  # Bob's room: a second query, not held up
            assert not any(task.done() for task in (first, second, shared, bobs))
        opened = list(await asyncio.gather(first, second, shared, bobs))
        assert opened == [f"{room}-1", f"{room}-2", f"{room}-1", f"{room}-4"]
        assert manager.fair_share.loads_per_user.held("alice") == 0
        assert f"{room}-3" not in manager.rooms
