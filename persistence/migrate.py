"""Versioned SQL migrations, applied exactly once, safe when several nodes start together."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from importlib import resources

import structlog

from persistence.conn import Conn
from persistence.errors import MigrationError

__all__ = ["Migration", "available_migrations", "migrate", "pending_migrations"]

_log = structlog.get_logger(__name__)
# pg_advisory_lock key: every node serialises on it, so only one applies a given migration.
_LOCK_KEY = 0x44545431  # "DTT1"
_NAME = re.compile(r"^(\d{4})_([a-z0-9_]+)\.sql$")


@dataclass(frozen=True, slots=True)
class Migration:
    """One SQL file in persistence/migrations."""

    version: int
    name: str
    sql: str

    @property
    def checksum(self) -> str:
        """Digest of the SQL text, to detect an edited migration that was already applied."""
        return hashlib.sha256(self.sql.encode()).hexdigest()


def available_migrations() -> list[Migration]:
    """Return the bundled migrations, ordered by version."""
    found = []
    for entry in resources.files("persistence.migrations").iterdir():
        match = _NAME.match(entry.name)
        if match:
            found.append(Migration(int(match[1]), match[2], entry.read_text(encoding="utf-8")))
    found.sort(key=lambda m: m.version)
    versions = [m.version for m in found]
    if len(set(versions)) != len(versions):
        raise MigrationError(f"duplicate migration versions in {versions}")
    return found


async def _applied(conn: Conn) -> dict[int, str]:
    await conn.execute(
        """CREATE TABLE IF NOT EXISTS schema_migrations (
               version     integer     PRIMARY KEY,
               name        text        NOT NULL,
               checksum    text        NOT NULL,
               applied_at  timestamptz NOT NULL DEFAULT now())"""
    )
    rows = await conn.fetch("SELECT version, checksum FROM schema_migrations")
    return {row["version"]: row["checksum"] for row in rows}


async def pending_migrations(conn: Conn) -> list[Migration]:
    """Return migrations not yet applied (read-only apart from creating the ledger table)."""
    applied = await _applied(conn)
    return [m for m in available_migrations() if m.version not in applied]


async def migrate(conn: Conn) -> list[Migration]:
    """Apply every pending migration, each in its own transaction; return those applied.

    Raises:
        MigrationError: an applied migration's SQL has changed since, or one failed.
    """
    await conn.execute("SELECT pg_advisory_lock($1)", _LOCK_KEY)
    try:
        applied = await _applied(conn)
        done = []
        for migration in available_migrations():
            known = applied.get(migration.version)
            if known is not None:
                if known != migration.checksum:
                    raise MigrationError(
                        f"migration {migration.version} ({migration.name}) was edited after "
                        "it was applied"
                    )
                continue
            try:
                async with conn.transaction():
                    await conn.execute(migration.sql)
                    await conn.execute(
                        "INSERT INTO schema_migrations (version, name, checksum) "
                        "VALUES ($1, $2, $3)",
                        migration.version,
                        migration.name,
                        migration.checksum,
                    )
            except Exception as exc:
                raise MigrationError(
                    f"migration {migration.version} ({migration.name}) failed: {type(exc).__name__}"
                ) from exc
            _log.info("migration_applied", version=migration.version, name=migration.name)
            done.append(migration)
        return done
    finally:
        await conn.execute("SELECT pg_advisory_unlock($1)", _LOCK_KEY)
