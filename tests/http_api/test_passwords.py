"""Password hashing with argon2id, off the event loop."""

from __future__ import annotations

import importlib.util

import pytest
from argon2 import PasswordHasher, extract_parameters

from http_api import passwords
from http_api.passwords import hash_password, needs_rehash, verify_password
from tests.conftest import CHEAP_PASSWORD_HASHING

PASSWORD = "correct horse battery staple"


class TestPasswords:
    async def test_hash_is_salted_argon2id(self) -> None:
        """The hash is an argon2id PHC string, salted: the same password hashes differently."""
        first = await hash_password(PASSWORD)
        assert first.startswith("$argon2id$")
        assert PASSWORD not in first
        assert await hash_password(PASSWORD) != first

    async def test_only_the_right_password_verifies(self) -> None:
        """The password verifies against its hash; another, or a case change, does not."""
        stored = await hash_password(PASSWORD)
        assert await verify_password(stored, PASSWORD)
        assert not await verify_password(stored, PASSWORD.upper())
        assert not await verify_password(stored, PASSWORD + " ")
        assert not await verify_password(stored, "")

    async def test_unknown_account_never_verifies(self) -> None:
        """No stored hash (no such account) fails, even for the dummy hash's own password."""
        assert not await verify_password(None, PASSWORD)
        assert not await verify_password(
            None, "not a real password: equalises timing for unknown accounts"
        )

    async def test_corrupt_hash_fails_closed(self) -> None:
        """A stored value that is not an argon2 hash fails verification instead of raising."""
        assert not await verify_password("plaintext-password", "plaintext-password")
        assert not await verify_password("$argon2id$v=19$garbage", PASSWORD)

    @pytest.mark.usefixtures("production_password_hashing")
    async def test_weaker_hashes_need_rehashing(self) -> None:
        """A hash made with weaker parameters than today's is flagged; a fresh one is not."""
        assert not needs_rehash(await hash_password(PASSWORD))
        weak = PasswordHasher(time_cost=1, memory_cost=8 * 1024, parallelism=1).hash(PASSWORD)
        assert needs_rehash(weak)
        assert await verify_password(weak, PASSWORD)


class TestParameters:
    async def test_servers_hash_with_the_strong_parameters(self) -> None:
        """Imported afresh, as a server process imports it, the module hashes with argon2id,
        64 MiB, t=3, p=4: only the test suite's own copy was switched to cheap parameters."""
        assert passwords.__file__ is not None
        spec = importlib.util.spec_from_file_location("fresh_passwords", passwords.__file__)
        assert spec is not None
        assert spec.loader is not None
        fresh = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(fresh)
        stored = await fresh.hash_password(PASSWORD)
        assert stored.startswith("$argon2id$v=19$m=65536,t=3,p=4$")
        assert extract_parameters(stored) == fresh.STRONG == passwords.STRONG
        assert not fresh.needs_rehash(stored)
        assert await fresh.verify_password(stored, PASSWORD)
        # The suite's own copy hashes cheaply (tests/conftest.py); a server would rehash that.
        cheap = await hash_password(PASSWORD)
        assert extract_parameters(cheap) == CHEAP_PASSWORD_HASHING
        assert fresh.needs_rehash(cheap)
