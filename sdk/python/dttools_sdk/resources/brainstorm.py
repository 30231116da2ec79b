"""Facilitated brainstorm sessions: start, steer, vote (docs/brainstorm.md)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence

from dttools_sdk.models import (
    BrainstormPhase,
    BrainstormResults,
    BrainstormSession,
    BrainstormTimeUp,
    Page,
    Votes,
)
from dttools_sdk.resources._base import follow, page_params, read, segment
from dttools_sdk.transport import Transport

__all__ = ["Brainstorms"]


class Brainstorms:
    """Brainstorm sessions on a project's idea board."""

    def __init__(self, transport: Transport) -> None:
        self._http = transport

    async def start(
        self,
        project_id: str,
        prompt: str,
        *,
        duration_s: int = 300,
        votes_per_person: int = 3,
        allow_stacking: bool = False,
        anonymous: bool = False,
        phase: BrainstormPhase = "silent",
        facilitators: Sequence[str] = (),
        on_time_up: BrainstormTimeUp = "nothing",
    ) -> BrainstormSession:
        """Start a session (owners and admins).

        Raises:
            Conflict: a session is already running on this project.
        """
        body = {
            "prompt": prompt,
            "duration_s": duration_s,
            "votes_per_person": votes_per_person,
            "allow_stacking": allow_stacking,
            "anonymous": anonymous,
            "phase": phase,
            "facilitators": list(facilitators),
            "on_time_up": on_time_up,
        }
        path = f"/v1/projects/{segment(project_id)}/brainstorm"
        return read(BrainstormSession, await self._http.request("POST", path, json_body=body))

    async def list(
        self, project_id: str, *, limit: int | None = None, cursor: str | None = None
    ) -> Page[BrainstormSession]:
        """One page of the project's sessions, newest first."""
        path = f"/v1/projects/{segment(project_id)}/brainstorm"
        response = await self._http.request("GET", path, params=page_params(limit, cursor))
        return Page[BrainstormSession].model_validate(response.json())

    def iter(
        self, project_id: str, *, page_size: int | None = None
    ) -> AsyncIterator[BrainstormSession]:
        """Every session of the project, newest first."""
        return follow(lambda cursor: self.list(project_id, limit=page_size, cursor=cursor))

    async def get(self, project_id: str, session_id: str) -> BrainstormSession:
        """A session: phase, timer, tallies (when shown) and results."""
        return read(
            BrainstormSession, await self._http.request("GET", self._one(project_id, session_id))
        )

    async def change_phase(
        self,
        project_id: str,
        session_id: str,
        phase: BrainstormPhase,
        *,
        duration_s: int | None = None,
    ) -> BrainstormSession:
        """Move the session to ``phase`` (forward only), with a new timer if given."""
        body: dict[str, object] = {"phase": phase}
        if duration_s is not None:
            body["duration_s"] = duration_s
        return await self._steer(project_id, session_id, "phase", body)

    async def pause(self, project_id: str, session_id: str) -> BrainstormSession:
        """Pause the timer."""
        return await self._steer(project_id, session_id, "pause", None)

    async def resume(self, project_id: str, session_id: str) -> BrainstormSession:
        """Resume the timer."""
        return await self._steer(project_id, session_id, "resume", None)

    async def extend(self, project_id: str, session_id: str, seconds: int) -> BrainstormSession:
        """Give the current phase ``seconds`` more."""
        return await self._steer(project_id, session_id, "extend", {"seconds": seconds})

    async def reveal_tallies(self, project_id: str, session_id: str) -> BrainstormSession:
        """Show the vote counts to everyone."""
        return await self._steer(project_id, session_id, "reveal-tallies", None)

    async def change_rules(
        self, project_id: str, session_id: str, on_time_up: BrainstormTimeUp
    ) -> BrainstormSession:
        """Choose what happens when the timer reaches zero: nothing, lock or advance."""
        return await self._steer(project_id, session_id, "rules", {"on_time_up": on_time_up})

    async def lock_board(self, project_id: str, session_id: str) -> BrainstormSession:
        """Lock the board: only facilitators edit it until unlocked or the session ends."""
        return await self._steer(project_id, session_id, "lock", None)

    async def unlock_board(self, project_id: str, session_id: str) -> BrainstormSession:
        """Let everyone edit the board again."""
        return await self._steer(project_id, session_id, "unlock", None)

    async def lock_notes(
        self, project_id: str, session_id: str, idea_ids: Sequence[str]
    ) -> BrainstormSession:
        """Lock some notes of the board: only facilitators change them until unlocked or the
        session ends (everyone else's changes to them are refused, live and over REST)."""
        return await self._steer(project_id, session_id, "notes/lock", {"idea_ids": list(idea_ids)})

    async def unlock_notes(
        self, project_id: str, session_id: str, idea_ids: Sequence[str]
    ) -> BrainstormSession:
        """Let everyone change these notes again."""
        return await self._steer(
            project_id, session_id, "notes/unlock", {"idea_ids": list(idea_ids)}
        )

    async def end(self, project_id: str, session_id: str) -> BrainstormSession:
        """End the session and freeze its results."""
        return await self._steer(project_id, session_id, "end", None)

    async def summon(
        self, project_id: str, session_id: str, x: float, y: float, zoom: float
    ) -> BrainstormSession:
        """Bring everyone's view of the board to ``(x, y)`` at ``zoom``."""
        return await self._steer(project_id, session_id, "summon", {"x": x, "y": y, "zoom": zoom})

    async def add_facilitator(
        self, project_id: str, session_id: str, user_id: str
    ) -> BrainstormSession:
        """Let a member steer the session too (owners and admins)."""
        return await self._steer(project_id, session_id, "facilitators", {"user_id": user_id})

    async def remove_facilitator(self, project_id: str, session_id: str, user_id: str) -> None:
        """Withdraw a member's facilitation."""
        path = f"{self._one(project_id, session_id)}/facilitators/{segment(user_id)}"
        await self._http.request("DELETE", path)

    async def vote(self, project_id: str, session_id: str, idea_id: str) -> Votes:
        """Put one of your dots on an idea (voting phase only)."""
        path = f"{self._one(project_id, session_id)}/votes"
        return read(Votes, await self._http.request("POST", path, json_body={"idea_id": idea_id}))

    async def retract_vote(self, project_id: str, session_id: str, idea_id: str) -> Votes:
        """Take back one of your dots on an idea."""
        path = f"{self._one(project_id, session_id)}/votes/{segment(idea_id)}"
        return read(Votes, await self._http.request("DELETE", path))

    async def votes(self, project_id: str, session_id: str) -> Votes:
        """Your dots in the session."""
        path = f"{self._one(project_id, session_id)}/votes"
        return read(Votes, await self._http.request("GET", path))

    async def results(self, project_id: str, session_id: str) -> BrainstormResults:
        """The session's ranked results (409 before its ``results`` phase)."""
        path = f"{self._one(project_id, session_id)}/results"
        return read(BrainstormResults, await self._http.request("GET", path))

    async def results_csv(self, project_id: str, session_id: str) -> bytes:
        """The session's results as CSV bytes (UTF-8 with a BOM, formula-safe cells)."""
        path = f"{self._one(project_id, session_id)}/results"
        reply = await self._http.request("GET", path, params={"format": "csv"})
        return reply.body

    async def _steer(
        self, project_id: str, session_id: str, action: str, body: dict[str, object] | None
    ) -> BrainstormSession:
        path = f"{self._one(project_id, session_id)}/{action}"
        return read(BrainstormSession, await self._http.request("POST", path, json_body=body))

    @staticmethod
    def _one(project_id: str, session_id: str) -> str:
        return f"/v1/projects/{segment(project_id)}/brainstorm/{segment(session_id)}"
