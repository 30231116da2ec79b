"""Password hashing with argon2id, off the event loop.

Hashing costs tens of milliseconds on purpose; running it inline would stall every socket of
the node, so it runs in a worker thread. Verifying against an unknown account still spends
the same time on a dummy hash, so response times do not reveal which e-mails exist.
"""

from __future__ import annotations

import asyncio

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

__all__ = ["hash_password", "verify_password", "needs_rehash"]

# argon2-cffi's defaults follow RFC 9106's second recommended option (argon2id, 64 MiB, t=3).
_HASHER = PasswordHasher()
_DUMMY_HASH = _HASHER.hash("not a real password: equalises timing for unknown accounts")


async def hash_password(password: str) -> str:
    """The argon2id hash of ``password`` (PHC string with salt and parameters)."""
    return await asyncio.to_thread(_HASHER.hash, password)


async def verify_password(password_hash: str | None, password: str) -> bool:
    """Whether ``password`` matches; ``None`` (no such account) takes as long and fails."""

    def check() -> bool:
        try:
            _HASHER.verify(password_hash or _DUMMY_HASH, password)
        except (VerificationError, InvalidHashError):
            return False
        return password_hash is not None

    return await asyncio.to_thread(check)


def needs_rehash(password_hash: str) -> bool:
    """Whether a stored hash uses weaker parameters than today's (rehash at next login)."""
    return _HASHER.check_needs_rehash(password_hash)
