"""What a session does when its timer reaches zero, and what a facilitator's change undoes.

Pure: ``now`` is the database's clock, passed in. The server (http_api/brainstorm_live.py)
wakes at a session's end time on every node and applies :func:`time_up` under the session's
row lock; whichever node comes first changes the row, and the others, reading it after, find
that countdown handled (:func:`run_key`) and do nothing: the action happens once.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

from collab.brainstorm import PHASES, Phase, Session, Timer, TimeUp

__all__ = ["run_key", "next_phase", "moved", "due", "time_up", "settle"]


def run_key(timer: Timer) -> str:
    """Names one countdown: the same until the timer restarts (a phase with a duration) or
    gets more time (extend). Pausing and resuming keep it, so a timer paused and resumed at
    zero does not act twice."""
    return f"{timer.started_at.isoformat()}+{timer.duration_s}"


def next_phase(phase: Phase) -> Phase | None:
    """The phase after ``phase``, or None after the last one."""
    index = PHASES.index(phase) + 1
    return PHASES[index] if index < len(PHASES) else None


def moved(session: Session, target: Phase, timer: Timer) -> Session:
    """``session`` in phase ``target`` (checked by the caller) with ``timer``: entering the
    results shows the tallies, and a lock of the phase left behind ends."""
    shown = session.tallies_visible or target is Phase.RESULTS
    return replace(session, phase=target, timer=timer, tallies_visible=shown, writing_locked=False)


def due(session: Session, now: datetime) -> bool:
    """Whether the session's time-up rule should act at ``now``: it has one, it runs, its
    countdown reached zero while running, and nobody acted on this countdown yet."""
    return (
        not session.ended
        and session.on_time_up is not TimeUp.NOTHING
        and session.timer.running
        and session.timer.remaining_s(now) <= 0
        and session.time_up_handled != run_key(session.timer)
    )


def time_up(session: Session, now: datetime) -> Session | None:
    """The session after its time-up rule acted at ``now``, or None if it has nothing to do.

    ``lock`` sets ``writing_locked``; ``advance`` moves to the next phase as a facilitator's
    phase change would (the caller reveals the notes when it leaves ``silent``); in the last
    phase ``advance`` only marks the countdown handled.
    """
    if not due(session, now):
        return None
    handled = replace(session, time_up_handled=run_key(session.timer))
    if session.on_time_up is TimeUp.LOCK:
        return replace(handled, writing_locked=True)
    target = next_phase(session.phase)
    if target is None:
        return handled
    return moved(handled, target, session.timer)


def settle(session: Session, now: datetime) -> Session:
    """After a facilitator's change: time left again (extend, a phase with a new duration)
    ends a lock the time-up rule set; a countdown at zero keeps it."""
    if session.writing_locked and session.timer.remaining_s(now) > 0:
        return replace(session, writing_locked=False)
    return session
