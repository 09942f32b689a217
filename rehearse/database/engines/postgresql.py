"""PostgreSQL, for stores on nopCommerce 4.40 and later; psycopg 3 lives only here."""

from __future__ import annotations

import shlex
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import replace
from typing import Any

from rehearse.catalog import Provider
from rehearse.database.backup import Backup, BackupFormat
from rehearse.database.bulkload import MAX_JOBS, RESTART
from rehearse.database.engines.base import (
    BACKUP_DIR,
    Credentials,
    Dialect,
    SqlDatabase,
    database_spec,
    require_module,
    restore_failed,
)
from rehearse.database.restoreprogress import ItemProgress, archive_items, without_progress
from rehearse.database.rowhash import Hashing
from rehearse.database.storedb import QueryError
from rehearse.sandbox.service import Endpoint, Service, ServiceSpec

DIALECT = Dialect('"', '"', "SELECT table_name FROM information_schema.tables "
                  "WHERE table_schema = current_schema() AND table_type = 'BASE TABLE'",
                  false="false")
# nopCommerce's PostgreSQL provider needs these (#5304; 4.90 PostgreSqlDataProvider).
EXTENSIONS = ("citext", "pgcrypto")
# A row's hash (rowhash.py): hashtextextended is PostgreSQL 11's; older servers take md5's first
# 64 bits. numeric(38,10) gives every scale the same text; a boolean reads as 0 or 1.
HASHING = Hashing(text="{}::text", number="{}::numeric(38,10)::text", integer="{}::int8::text",
                  boolean="{}::int4::text",
                  present="coalesce('v' || {}, 'n')", separator=" || chr(31) || ", joined="{}",
                  digest="hashtextextended({}, 0)", lower="lower({})", bigint="{}::int8")
HASHING_BEFORE_11 = replace(HASHING, digest="('x' || left(md5({}), 16))::bit(64)::int8")
RELOAD_SECONDS = 10.0  # pg_reload_conf() only signals: sessions take the values a moment later
RELOAD_POLL_SECONDS = 0.005  # a SHOW per poll; the values come some milliseconds after the signal


class PostgreSQL:
    provider = Provider.POSTGRESQL
    default_image = "postgres:16"
    port = 5432

    def credentials(self, password: str) -> Credentials:
        return Credentials("nopcommerce", password, "nopcommerce")

    def service_spec(self, image: str, credentials: Credentials, memory: str | None,
                     backup: Backup | None = None) -> ServiceSpec:
        return database_spec(
            image, self.port,
            {"POSTGRES_USER": credentials.user, "POSTGRES_PASSWORD": credentials.password,
             "POSTGRES_DB": credentials.database},
            memory, backup,
            ready_log=r"database system is ready to accept connections",
            # The official image's init server listens on the socket only: TCP means the real one.
            ready_command=("pg_isready", "-h", "127.0.0.1", "-U", credentials.user,
                           "-d", credentials.database),
        )

    def check_client(self) -> None:
        require_module("psycopg", "pip install rehearse (psycopg[binary] is a dependency)")

    def open(self, endpoint: Endpoint, credentials: Credentials) -> SqlDatabase:
        import psycopg

        connection = psycopg.connect(
            host=endpoint.host, port=endpoint.port, user=credentials.user,
            password=credentials.password, dbname=credentials.database, autocommit=True,
            connect_timeout=10)
        notices: list[str] = []
        connection.add_notice_handler(lambda notice: notices.append(str(notice.message_primary)))

        def drain(_cursor: Any, emit: Callable[[str], None]) -> None:
            for notice in notices:
                emit(notice)
            notices.clear()

        hashing = HASHING if connection.info.server_version >= 110000 else HASHING_BEFORE_11
        return SqlDatabase(connection, DIALECT, (psycopg.Error,), drain, hashing,
                           _server_cursor, lambda: self.open(endpoint, credentials))

    def restore(self, service: Service, backup: Backup, credentials: Credentials,
                on_progress: Callable[[int], None] | None = None) -> None:
        login = f"-U {shlex.quote(credentials.user)} -d {shlex.quote(credentials.database)}"
        create = "; ".join(f"CREATE EXTENSION IF NOT EXISTS {name}" for name in EXTENSIONS)
        _run(service, backup, f"psql -v ON_ERROR_STOP=1 -q {login} -c {shlex.quote(create)}")
        if on_progress is None or backup.format is not BackupFormat.PG_CUSTOM:
            _run(service, backup, _restore_command(backup, login))
            return
        _restore_with_progress(service, backup, login, on_progress)


    def settings(self, db: SqlDatabase, names: Sequence[str]) -> dict[str, str]:
        return {name: str(db.query(f"SHOW {name}")[1][0][0]) for name in names}

    def tune(self, db: SqlDatabase, settings: Mapping[str, str]) -> tuple[str, ...]:
        """ALTER SYSTEM, not `-c` at start: a command-line value outranks the configuration
        files, so no reload could put durability back. A setting that takes a restart applies at
        the next start (bulkload.RESTART), and only where the server can start with it."""
        taken = []
        restartable = bool(RESTART.keys() & settings.keys()) and _may_restart_minimal(db)
        for name, value in settings.items():
            if name in RESTART and not restartable:
                continue
            try:
                db.execute(f"ALTER SYSTEM SET {name} = {_literal(value)}")
            except QueryError:
                continue  # an older server without this setting restores without it
            taken.append(name)
        _reload(self, db, {name: settings[name] for name in taken if name not in RESTART})
        return tuple(taken)

    def untune(self, db: SqlDatabase, before: Mapping[str, str]) -> None:
        for name in before:
            db.execute(f"ALTER SYSTEM RESET {name}")
        _reload(self, db, {name: value for name, value in before.items() if name not in RESTART})


def _may_restart_minimal(db: SqlDatabase) -> bool:
    """A server refuses to start with wal_level=minimal beside WAL archiving, WAL summaries
    (17) or WAL senders fixed where ALTER SYSTEM cannot outrank them (the command line): an
    image set up so restores at full durability rather than risk a server that will not start."""
    _, rows = db.query(
        "SELECT count(*) FROM pg_settings WHERE (name IN ('archive_mode', 'summarize_wal') "
        "AND setting <> 'off') OR (name IN ('wal_level', 'max_wal_senders') "
        "AND source NOT IN ('default', 'configuration file'))")
    return int(rows[0][0]) == 0


def _literal(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def _reload(engine: PostgreSQL, db: SqlDatabase, expected: Mapping[str, str]) -> None:
    if not expected:  # nothing set (a user without the right to): nothing to reload
        return
    db.execute("SELECT pg_reload_conf()")
    deadline = time.monotonic() + RELOAD_SECONDS
    while engine.settings(db, tuple(expected)) != expected and time.monotonic() < deadline:
        time.sleep(RELOAD_POLL_SECONDS)


def _restore_with_progress(service: Service, backup: Backup, login: str,
                           on_progress: Callable[[int], None]) -> None:
    """pg_restore --verbose, its items counted against the archive's listing."""
    source = shlex.quote(f"{BACKUP_DIR}/{backup.path.name}")
    _, listing = service.exec(["pg_restore", "-l", f"{BACKUP_DIR}/{backup.path.name}"])
    progress = ItemProgress(archive_items(listing), on_progress)
    command = _restore_command(backup, login).replace(source, f"--verbose {source}")
    code, output = service.exec_lines(["bash", "-c", f"set -o pipefail; {command}"],
                                      progress.feed)
    if code != 0:
        raise restore_failed(backup, without_progress(output))
    progress.finished()


def _restore_command(backup: Backup, login: str) -> str:
    source = shlex.quote(f"{BACKUP_DIR}/{backup.path.name}")
    if backup.format is BackupFormat.PG_CUSTOM:
        # The engine's processors (nproc in the container: a remote engine is another machine).
        jobs = f"$(( $(nproc) < {MAX_JOBS} ? $(nproc) : {MAX_JOBS} ))"
        return (f"pg_restore --no-owner --no-privileges --exit-on-error --jobs {jobs} "
                f"{login} {source}")
    reader = f"gzip -dc {source}" if backup.compressed else f"cat {source}"
    return f"{reader} | psql -v ON_ERROR_STOP=1 -q {login} >/dev/null"


def _run(service: Service, backup: Backup, command: str) -> None:
    code, output = service.exec(["bash", "-c", f"set -o pipefail; {command}"])
    if code != 0:
        raise restore_failed(backup, output)


@contextmanager
def _server_cursor(connection: Any) -> Iterator[Any]:
    """A named cursor: the server keeps the result and sends each fetch (in a transaction, as
    the session runs in autocommit)."""
    with connection.transaction(), connection.cursor(name="rehearse_stream") as cursor:
        yield cursor
