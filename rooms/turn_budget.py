"""How much REST work one turn of the event loop may do before the sockets get their turn.

Every room, socket and request of a node shares one event loop. A relayed update is read and
written inside the loop's I/O phase (http_api/ws_direct.py), so it waits for whatever the
loop runs before that phase: every callback that was ready when the turn began. REST work
comes in bursts: after any pause (a garbage collection, the kernel running PostgreSQL) the
requests that arrived meanwhile all become ready together, and a backlog of ten requests of
about a millisecond each held the loop for ten milliseconds in one turn, during which no
update of any room was relayed (docs/benchmarks.md, "REST under load").

:class:`TurnBudget` counts the time REST work has used since the first of it in the current
turn. Work that finds the budget spent waits for the next turn (``asyncio.sleep(0)``): the
loop polls its sockets in between, so a relayed update waits for at most about one budget of
REST work plus the piece of work that overran it. Waiters keep their order (the loop runs
ready callbacks first in, first out) and at least one piece of work runs in every turn, so
nothing starves; the total of work is the same, only spread over more turns.

A turn ends, for the count, when a callback the first piece of work scheduled with
``call_soon`` runs: the loop runs it in its next turn, after polling.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Generator
from typing import Final, TypeVar

__all__ = ["DEFAULT_TURN_BUDGET_S", "TurnBudget"]

_T = TypeVar("_T")

#: REST work per turn of the event loop before the sockets are served (about one request).
DEFAULT_TURN_BUDGET_S: Final = 0.001


class TurnBudget:
    """The time REST work may take in one turn of the event loop (see the module doc)."""

    __slots__ = ("budget_s", "_clock", "_started", "deferred")

    def __init__(
        self, budget_s: float = DEFAULT_TURN_BUDGET_S, clock: Callable[[], float] | None = None
    ) -> None:
        self.budget_s = budget_s
        self._clock = clock if clock is not None else time.perf_counter
        #: when the first work of the current turn began; None: no work counted this turn
        self._started: float | None = None
        #: how many times work waited for a later turn (for tests and benchmarks)
        self.deferred = 0

    def spend(self) -> bool:
        """Whether work may run now, in this turn (the first work of a turn always may)."""
        now = self._clock()
        if self._started is None:
            self._started = now
            asyncio.get_running_loop().call_soon(self._turn_ended)
            return True
        return now - self._started < self.budget_s

    async def wait(self) -> None:
        """Return in a turn whose budget is not spent yet (at once when this one's is not)."""
        while not self.spend():
            self.deferred += 1
            await asyncio.sleep(0)

    async def run(self, steps: Generator[None, None, _T]) -> _T:
        """Run ``steps`` (work in pieces: each ``next`` one piece) to its end, waiting for
        the next turn whenever this one's budget is spent; return the generator's value."""
        while True:
            await self.wait()
            try:
                next(steps)
            except StopIteration as done:
                return done.value  # type: ignore[no-any-return]

    def _turn_ended(self) -> None:
        self._started = None
