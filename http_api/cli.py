"""The ``dttools`` command: ``serve`` runs a node, ``migrate`` applies database migrations,
``admin`` grants the admin role, ``import`` recreates a project from an archive."""

from __future__ import annotations

import argparse
import asyncio
import signal
import sys
from collections.abc import Awaitable, Callable, Sequence
from pathlib import Path

import structlog
from aiohttp import web

from collab.errors import DTToolsError
from collab.export_archive import InvalidArchive
from http_api import fast_paths
from http_api.app import create_app
from http_api.heap import HeapKeeper, settle
from http_api.keys import DB, FILES, ROOMS
from http_api.logging import configure_logging
from http_api.project_import import import_project
from http_api.settings import Settings, add_arguments, settings_from
from http_api.slow_clients import GuardedSite, PendingGuard, raise_descriptor_limit
from persistence import audit, revocations
from persistence import backup as backup_files
from persistence.accounts import find_user_by_email, set_admin
from persistence.conn import Conn
from persistence.db import create_pool
from persistence.embedded import EmbeddedPostgres
from persistence.errors import StorageError
from persistence.migrate import migrate

__all__ = ["main", "build_parser"]

_log = structlog.get_logger("dttools")


def build_parser() -> argparse.ArgumentParser:
    """The argument parser (its help text is embedded in docs/configuration.md)."""
    parser = argparse.ArgumentParser(
        prog="dttools",
        description="DTTools real-time collaboration server for design-thinking workshops.",
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    serve = commands.add_parser(
        "serve",
        help="run a server node",
        description="Run a server node: Yjs rooms at /collab/{room}, /healthz, /readyz, "
        "/metrics. Without DATABASE_URL an embedded PostgreSQL is started in the data folder.",
    )
    add_arguments(serve)
    mig = commands.add_parser(
        "migrate",
        help="apply database migrations and exit",
        description="Apply pending migrations (safe to run from several nodes at once).",
    )
    add_arguments(mig)
    admin = commands.add_parser(
        "admin",
        help="grant or withdraw the global admin role",
        description="Grant or withdraw the global admin role of an existing account (the API "
        "cannot: only someone with access to the server and its database can).",
    )
    admin.add_argument("action", choices=("grant", "revoke"), help="what to do")
    admin.add_argument("email", help="the account's e-mail address")
    add_arguments(admin)
    imp = commands.add_parser(
        "import",
        help="recreate a project from an exported archive",
        description="Recreate a project from an archive made by an export (format "
        "archive): a new project with fresh ids, owned by --owner, with its files. The "
        "archive is checked whole first; on any error nothing is created.",
    )
    imp.add_argument("file", type=Path, help="the archive (.dttools.zip)")
    imp.add_argument("--owner", required=True, help="e-mail address of the new project's owner")
    add_arguments(imp)
    back = commands.add_parser(
        "backup",
        help="back up the database and the local files into a folder",
        description="Write a consistent backup (while the server runs, too) of the database "
        "(DATABASE_URL, or the embedded one in the data folder) and of the local files into "
        "DEST, a new or empty folder, with a manifest of checksums (docs/operations.md).",
    )
    back.add_argument("dest", type=Path, help="the folder to write the backup into")
    add_arguments(back)
    rest = commands.add_parser(
        "restore",
        help="restore a backup into an empty database and files folder",
        description="Check every checksum of the backup in SRC, then restore it into the "
        "database (DATABASE_URL, or a new embedded one in the data folder), which must hold "
        "no DTTools tables, and into the files folder, which must be empty.",
    )
    rest.add_argument("src", type=Path, help="the backup folder")
    add_arguments(rest)
    return parser


async def _serve(settings: Settings) -> None:
    descriptors = raise_descriptor_limit()
    guard = PendingGuard.from_settings(settings, descriptors)
    fast_paths.apply(fast_paths.parse(settings.fast_paths))
    app = create_app(settings)
    runner = web.AppRunner(
        app,
        handle_signals=False,
        shutdown_timeout=settings.shutdown_timeout_s,
        access_log=None,
        # Also the deadline for each later request's headers on a kept-alive connection
        # (http_api/slow_clients.py covers the first).
        keepalive_timeout=settings.header_timeout_s,
        # Connections inherit SO_KEEPALIVE from GuardedSite's listening socket.
        tcp_keepalive=False,
    )
    await runner.setup()
    try:
        site = GuardedSite(runner, settings.host, settings.port, guard)
        await site.start()
        _log.info(
            "connection_limits",
            descriptors=descriptors,
            header_timeout_s=guard.header_timeout_s,
            max_pending=guard.max_total,
            max_pending_per_address=guard.max_per_address,
        )
        # Start-up objects never die, and full collections wait for a quiet moment
        # (http_api/heap.py: in a connection storm they were the whole latency tail).
        settle()
        keeper = HeapKeeper(settings.full_gc_interval_s, lambda: app[ROOMS].joining == 0)
        keeping = asyncio.create_task(keeper.run(), name="heap-keeper")
        host, port = runner.addresses[0][:2]
        # The handlers before the line that says the node is up: a SIGTERM sent on reading it
        # (a supervisor, a test) must flush and stop, not kill the process.
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for signum in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(signum, stop.set)
        _log.info("server_started", url=f"http://{host}:{port}", host=host, port=port)
        await stop.wait()
        _log.info("server_stopping")
        keeping.cancel()
    finally:
        await runner.cleanup()
    _log.info("server_stopped")


async def _with_database(settings: Settings, work: Callable[[Conn], Awaitable[int]]) -> int:
    """Run ``work`` on one connection (starting the embedded PostgreSQL if needed)."""
    embedded = None
    dsn = settings.database_url
    if dsn is None:
        embedded = EmbeddedPostgres(settings.data_dir)
        dsn = await asyncio.to_thread(embedded.start)
    try:
        pool = await create_pool(dsn, min_size=1, max_size=1)
        try:
            async with pool.acquire() as conn:
                return await work(conn)
        finally:
            await pool.close()
    finally:
        if embedded is not None:
            await asyncio.to_thread(embedded.stop)


async def _migrate(conn: Conn) -> int:
    applied = await migrate(conn)
    _log.info("migrations_done", applied=[m.version for m in applied])
    return 0


async def _admin(conn: Conn, action: str, email: str) -> int:
    await migrate(conn)
    granted = action == "grant"
    async with conn.transaction():
        user = await find_user_by_email(conn, email)
        if user is None or not await set_admin(conn, email, granted):
            _log.error("admin_no_such_account", email=email)
            return 1
        if not granted:
            # Sockets opened as admin (to projects the user is not on) must close on every
            # node, and no node may reuse a remembered admin grant (http_api/socket_grants.py).
            await revocations.record(
                conn, reason="admin role withdrawn: reconnect", user_id=str(user.id)
            )
        await audit.record(
            conn, f"admin.{'granted' if granted else 'revoked'}", actor_id=None,
            target=email, details={"via": "cli"},
        )  # fmt: skip
    _log.info("admin_role_changed", email=email, is_admin=granted)
    return 0


async def _import(settings: Settings, archive: Path, owner_email: str) -> int:
    """Start the node's parts without listening, import, stop (flushing the new room)."""
    app = create_app(settings)
    runner = web.AppRunner(app, handle_signals=False, access_log=None)
    await runner.setup()
    try:
        owner = await find_user_by_email(app[DB], owner_email)
        if owner is None:
            _log.error("import_no_such_account", email=owner_email)
            return 1
        _log.info("import_started", file=str(archive), owner=owner_email)
        imported = await import_project(
            pool=app[DB], rooms=app[ROOMS], service=app[FILES], settings=settings,
            archive_path=archive, owner_id=owner.id, max_owned=None,
        )  # fmt: skip
    except (InvalidArchive, DTToolsError, OSError) as exc:
        _log.error("import_failed", error=str(exc))
        return 1
    finally:
        await runner.cleanup()
    _log.info(
        "import_done", project_id=str(imported.project.id), name=imported.project.name,
        artifacts=imported.artifacts, files=imported.files,
    )  # fmt: skip
    print(imported.project.id)
    return 0


def _progress(stage: str, done: int, total: int) -> None:
    _log.info("backup_progress", stage=stage, done=done, total=total)


async def _backup(settings: Settings, dest: Path, restoring: bool) -> int:
    """Back up into ``dest``, or restore from it (starting the embedded PostgreSQL if needed)."""
    embedded = None
    dsn = settings.database_url
    if dsn is None:
        embedded = EmbeddedPostgres(settings.data_dir)
        dsn = await asyncio.to_thread(embedded.start)
    files = None if settings.s3_bucket else settings.files_folder
    try:
        if restoring:
            await backup_files.restore(dsn, files, dest, _progress)
            _log.info("restore_done", src=str(dest))
        else:
            manifest = await backup_files.backup(dsn, files, dest, _progress)
            _log.info(
                "backup_done", dest=str(dest), database_bytes=manifest["database"]["bytes"],
                files=len(manifest["files"]["entries"]),
            )  # fmt: skip
    except backup_files.BackupError as exc:
        _log.error("restore_failed" if restoring else "backup_failed", error=str(exc))
        return 1
    finally:
        if embedded is not None:
            await asyncio.to_thread(embedded.stop)
    return 0


def _new_loop() -> asyncio.AbstractEventLoop:
    try:
        import uvloop
    except ImportError:  # pragma: no cover - uvloop is a dependency except on Windows
        return asyncio.new_event_loop()
    return uvloop.new_event_loop()


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``dttools`` console script."""
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        settings = settings_from(args)
        configure_logging(settings.log_level, settings.log_format)
    except ValueError as exc:
        parser.error(str(exc))
    runner = asyncio.Runner(loop_factory=_new_loop)
    try:
        with runner:
            if args.command == "serve":
                runner.run(_serve(settings))
                return 0
            if args.command == "import":
                return runner.run(_import(settings, args.file, args.owner))
            if args.command in ("backup", "restore"):
                folder = args.dest if args.command == "backup" else args.src
                return runner.run(_backup(settings, folder, args.command == "restore"))
            if args.command == "admin":
                return runner.run(
                    _with_database(settings, lambda conn: _admin(conn, args.action, args.email))
                )
            return runner.run(_with_database(settings, _migrate))
    except StorageError as exc:
        _log.error("storage_error", error=str(exc))
        return 1


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
