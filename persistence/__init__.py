"""Storage: PostgreSQL pool, migrations, update log, group commit, compaction."""

from persistence.errors import CorruptHistory, MigrationError, StorageError

__all__ = ["CorruptHistory", "MigrationError", "StorageError"]
