"""Settings resolution (flag > environment > default) and the CLI surface."""

from __future__ import annotations

import asyncio
import subprocess
import sys
from dataclasses import fields
from pathlib import Path
from typing import Any

import asyncpg
import pytest

from http_api.cli import build_parser, main
from http_api.settings import OPTIONS, Settings, settings_from


class TestSettings:
    def test_defaults(self) -> None:
        """With no flags and no environment, defaults apply (port 8000, embedded database)."""
        settings = settings_from(None, {})
        assert settings.port == 8000
        assert settings.database_url is None
        assert settings.data_dir == Path("data")

    def test_every_option_is_a_setting_with_the_same_default(self) -> None:
        """The option table and the Settings dataclass describe the same fields."""
        by_name = {f.name: f for f in fields(Settings)}
        assert {o.name for o in OPTIONS} == set(by_name)
        for option in OPTIONS:
            assert option.default == by_name[option.name].default, option.name

    def test_environment_then_flag(self) -> None:
        """An environment variable overrides the default; a flag overrides both."""
        parser = build_parser()
        env = {"DTTOOLS_PORT": "9001", "DATABASE_URL": "postgresql://x/y"}
        assert settings_from(parser.parse_args(["serve"]), env).port == 9001
        args = parser.parse_args(["serve", "--port", "9002"])
        settings = settings_from(args, env)
        assert settings.port == 9002
        assert settings.database_url == "postgresql://x/y"

    def test_bad_environment_value_is_reported(self) -> None:
        """A malformed environment value names the variable."""
        with pytest.raises(ValueError, match="DTTOOLS_MAX_FRAME_BYTES"):
            settings_from(None, {"DTTOOLS_MAX_FRAME_BYTES": "lots"})

    def test_the_loop_probe_ticks_between_1_ms_and_a_second(self) -> None:
        assert settings_from(None, {"DTTOOLS_LOOP_PROBE_MS": "1"}).loop_probe_ms == 1.0
        for bad in ("0", "0.5", "1001", "nan"):
            with pytest.raises(ValueError, match="DTTOOLS_LOOP_PROBE_MS"):
                settings_from(None, {"DTTOOLS_LOOP_PROBE_MS": bad})

    def test_limits_follow_settings(self) -> None:
        """Limits passed to sessions come from the settings."""
        settings = settings_from(None, {"DTTOOLS_MAX_FRAME_BYTES": "1234"})
        assert settings.limits.max_frame_bytes == 1234
        assert settings.room_settings.idle_timeout_s == settings.idle_timeout_s


class TestCli:
    def test_help_lists_every_flag_and_variable(self) -> None:
        """`dttools serve --help` shows each flag with its environment variable."""
        result = subprocess.run(
            [sys.executable, "-m", "http_api.cli", "serve", "--help"],
            capture_output=True,
            text=True,
            check=True,
            env={"COLUMNS": "200", "PATH": ""},
        )
        for option in OPTIONS:
            assert option.flag in result.stdout
            assert option.env in result.stdout

    def test_invalid_log_format_is_a_usage_error(self) -> None:
        """A bad --log-format exits with argparse's usage error."""
        with pytest.raises(SystemExit) as exc:
            main(["serve", "--log-format", "xml"])
        assert exc.value.code == 2

    def test_admin_command_grants_and_withdraws_the_admin_role(
        self, empty_database_url: str
    ) -> None:
        """`dttools admin grant|revoke EMAIL` flips is_admin, audits it, and fails for no one."""

        def run(*args: str) -> subprocess.CompletedProcess[str]:
            return subprocess.run(
                [sys.executable, "-m", "http_api.cli", *args, "--log-format", "json"],
                capture_output=True,
                text=True,
                check=False,
                env={"DATABASE_URL": empty_database_url, "PATH": ""},
            )

        assert run("migrate").returncode == 0

        async def query(sql: str) -> Any:
            conn = await asyncpg.connect(empty_database_url)
            try:
                return await conn.fetchval(sql)
            finally:
                await conn.close()

        asyncio.run(
            query(
                "INSERT INTO users (id, email, name, password_hash) VALUES "
                "(gen_random_uuid(), 'Chief@Example.com', 'Chief', 'x') RETURNING id"
            )
        )
        granted = run("admin", "grant", "chief@example.com")
        assert granted.returncode == 0, granted.stderr
        assert asyncio.run(query("SELECT is_admin FROM users")) is True
        assert run("admin", "revoke", "CHIEF@example.com").returncode == 0
        assert asyncio.run(query("SELECT is_admin FROM users")) is False
        missing = run("admin", "grant", "nobody@example.com")
        assert missing.returncode == 1
        assert "admin_no_such_account" in missing.stderr
        actions = asyncio.run(query("SELECT string_agg(action, ',' ORDER BY id) FROM audit_log"))
        assert actions == "admin.granted,admin.revoked"
        # Withdrawing (not granting) stores a revocation: admin sockets close on every node.
        revoked = asyncio.run(
            query(
                "SELECT string_agg(r.reason, ',') FROM revocations r "
                "JOIN users u ON r.user_id = u.id::text"
            )
        )
        assert revoked == "admin role withdrawn: reconnect"

    def test_migrate_command(self, empty_database_url: str) -> None:
        """`dttools migrate` applies migrations to DATABASE_URL and exits 0."""
        result = subprocess.run(
            [sys.executable, "-m", "http_api.cli", "migrate", "--log-format", "json"],
            capture_output=True,
            text=True,
            check=False,
            env={"DATABASE_URL": empty_database_url, "PATH": ""},
        )
        assert result.returncode == 0, result.stderr
        assert "migrations_done" in result.stderr
