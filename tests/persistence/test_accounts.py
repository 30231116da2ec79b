"""Account storage: what a change of name or language reports as changed."""

from __future__ import annotations

import uuid
from typing import Any

from persistence import accounts


async def _user(pool: Any, name: str = "Ana") -> uuid.UUID:
    email = f"{name.lower()}-{uuid.uuid4().hex[:10]}@example.com"
    return (await accounts.create_user(pool, uuid.uuid4(), email, name, "not-a-hash")).id


class TestUpdateAccount:
    async def test_reports_only_the_fields_that_changed(self, pool: Any) -> None:
        user_id = await _user(pool)
        updated = await accounts.update_account(pool, user_id, name="Ana", locale="pt-BR")
        assert updated is not None
        assert updated.changed == ("locale",)  # the name sent is the stored one
        assert (updated.user.name, updated.user.locale) == ("Ana", "pt-BR")
        again = await accounts.update_account(pool, user_id, name="Ana Maria")
        assert again is not None
        assert again.changed == ("name",)
        assert again.user.locale == "pt-BR"  # not sent: unchanged

    async def test_judges_against_the_stored_row_not_an_earlier_read(self, pool: Any) -> None:
        """A rename made elsewhere (another node) since the caller last read the account:
        sending that same name again changes nothing, and says so."""
        user_id = await _user(pool)
        await pool.execute("UPDATE users SET name = 'Renamed' WHERE id = $1", user_id)
        updated = await accounts.update_account(pool, user_id, name="Renamed")
        assert updated is not None
        assert updated.changed == ()
        assert updated.user.name == "Renamed"

    async def test_a_missing_account_is_none(self, pool: Any) -> None:
        assert await accounts.update_account(pool, uuid.uuid4(), name="Nobody") is None
