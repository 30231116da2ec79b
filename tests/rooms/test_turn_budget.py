"""REST work takes turns with the sockets: rooms/turn_budget.py, on a real event loop."""

from __future__ import annotations

import asyncio
import socket

from rooms.turn_budget import TurnBudget


class FakeClock:
    """A clock that moves only when work says it spent time."""

    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


class TestSpend:
    async def test_work_runs_until_the_budget_is_spent_then_in_the_next_turn(self) -> None:
        clock = FakeClock()
        budget = TurnBudget(0.002, clock=clock)
        assert budget.spend()  # the first work of a turn always may
        clock.now += 0.0015
        assert budget.spend()
        clock.now += 0.0006
        assert not budget.spend()  # 2.1 ms since the turn's first work
        await asyncio.sleep(0)  # the next turn
        assert budget.spend()

    async def test_the_first_work_of_a_turn_runs_even_with_no_budget(self) -> None:
        budget = TurnBudget(0.0, clock=FakeClock())
        for _turn in range(3):
            assert budget.spend()
            assert not budget.spend()
            await asyncio.sleep(0)


class TestWait:
    async def test_a_socket_is_served_between_pieces_of_a_backlog(self) -> None:
        """Ten pieces of work of 1 ms become ready together while a socket has bytes
        waiting: with a budget of 2 ms the socket's callback runs after two or three of
        them, not after all ten; the pieces run in the order they came."""
        clock = FakeClock()
        budget = TurnBudget(0.002, clock=clock)
        loop = asyncio.get_running_loop()
        ours, theirs = socket.socketpair()
        ours.setblocking(False)
        done: list[int] = []
        served_after: list[int] = []

        def readable() -> None:
            ours.recv(16)
            served_after.append(len(done))
            loop.remove_reader(ours.fileno())

        async def piece(n: int) -> None:
            await budget.wait()
            clock.now += 0.001  # a millisecond of work
            done.append(n)

        try:
            loop.add_reader(ours.fileno(), readable)
            theirs.send(b"update")
            await asyncio.gather(*(piece(n) for n in range(10)))
        finally:
            loop.remove_reader(ours.fileno())
            ours.close()
            theirs.close()
        assert done == list(range(10))
        assert served_after, "the socket was never served"
        assert served_after[0] <= 3, served_after
        assert budget.deferred > 0

    async def test_without_a_backlog_work_does_not_wait(self) -> None:
        budget = TurnBudget(0.002, clock=FakeClock())
        for _ in range(5):
            await budget.wait()
            await asyncio.sleep(0)
        assert budget.deferred == 0
