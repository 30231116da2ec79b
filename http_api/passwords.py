"""Password hashing with argon2id, off the event loop.

Hashing costs tens of milliseconds on purpose; running it inline would stall every socket of
the node, so it runs in a worker thread. Verifying against an unknown account still spends
the same time on a dummy hash, so response times do not reveal which e-mails exist.
"""

from __future__ import annotations

import asyncio

from argon2 import Parameters, PasswordHasher, profiles
from argon2.exceptions import InvalidHashError, VerificationError

__all__ = ["STRONG", "hash_password", "verify_password", "needs_rehash", "use_parameters"]

#: The parameters every server hashes with: RFC 9106's second recommended option (argon2id,
#: 64 MiB, t=3, p=4), which are also argon2-cffi's defaults.
STRONG: Parameters = profiles.RFC_9106_LOW_MEMORY


class _Hashing:
    """A hasher and a dummy hash made with the same parameters (so it costs the same)."""

    __slots__ = ("parameters", "hasher", "dummy")

    def __init__(self, parameters: Parameters) -> None:
        self.parameters = parameters
        self.hasher = PasswordHasher.from_parameters(parameters)
        self.dummy = self.hasher.hash("not a real password: equalises timing for unknown accounts")


_hashing = _Hashing(STRONG)


def use_parameters(parameters: Parameters) -> Parameters:
    """Hash with ``parameters`` from now on (in this process); return the ones used so far.

    Nothing in the server calls this and no setting reaches it, so a server always hashes
    with :data:`STRONG`. The test suite calls it with cheap parameters (tests/conftest.py).
    """
    global _hashing
    previous = _hashing.parameters
    if parameters != previous:
        _hashing = _Hashing(parameters)
    return previous


async def hash_password(password: str) -> str:
    """The argon2id hash of ``password`` (PHC string with salt and parameters)."""
    return await asyncio.to_thread(_hashing.hasher.hash, password)


async def verify_password(password_hash: str | None, password: str) -> bool:
    """Whether ``password`` matches; ``None`` (no such account) takes as long and fails."""
    hashing = _hashing

    def check() -> bool:
        try:
            hashing.hasher.verify(password_hash or hashing.dummy, password)
        except (VerificationError, InvalidHashError):
            return False
        return password_hash is not None

    return await asyncio.to_thread(check)


def needs_rehash(password_hash: str) -> bool:
    """Whether a stored hash uses weaker parameters than today's (rehash at next login)."""
    return _hashing.hasher.check_needs_rehash(password_hash)
