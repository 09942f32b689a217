"""What every database engine offers the rehearsal: a container, a way in, a restore."""

from __future__ import annotations

import contextlib
import importlib
import logging
import re
import secrets
import string
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass
from typing import Any, Protocol

from rehearse.catalog import Provider
from rehearse.database.backup import Backup
from rehearse.database.rowhash import Hashing
from rehearse.database.storedb import QueryError
from rehearse.errors import BadInputError, EnvironmentNotReadyError
from rehearse.sandbox.service import Endpoint, Mount, Service, ServiceSpec

BACKUP_DIR = "/backup"
_LOG = logging.getLogger("rehearse")
LINE_LIMIT = 240  # a server line quoting a damaged dump can run to hundreds of kilobytes
# The lines that say what went wrong: a client's or server's ERROR/FATAL, gzip's own complaint.
_MEANINGFUL = re.compile(r"\b(ERROR|FATAL|error|Msg \d+)\b|^gzip:|unexpected end of file")


def meaningful_lines(output: str, count: int = 2) -> str:
    """The first lines of server output that say what failed (else the last ones), each cut to
    LINE_LIMIT characters; the whole output goes to the run log."""
    lines = [line.strip() for line in output.strip().splitlines() if line.strip()]
    chosen = [line for line in lines if _MEANINGFUL.search(line)][:count] or lines[-count:]
    return " | ".join(_cut(line) for line in chosen)


def _cut(line: str) -> str:
    return line if len(line) <= LINE_LIMIT else f"{line[:LINE_LIMIT]}… ({len(line)} characters)"


@dataclass(frozen=True)
class Credentials:
    user: str
    password: str
    database: str

    def __repr__(self) -> str:  # never let a password reach a log through repr()
        return f"Credentials(user={self.user!r}, password='***', database={self.database!r})"


def new_password(length: int = 24) -> str:
    """Random, and always meets SQL Server's policy (upper, lower, digit and symbol)."""
    alphabet = string.ascii_letters + string.digits
    body = "".join(secrets.choice(alphabet) for _ in range(length - 4))
    return "Aa1_" + body


class Engine(Protocol):
    provider: Provider
    default_image: str
    port: int

    def credentials(self, password: str) -> Credentials:
        ...

    def service_spec(self, image: str, credentials: Credentials, memory: str | None,
                     backup: Backup | None = None) -> ServiceSpec:
        ...

    def open(self, endpoint: Endpoint, credentials: Credentials) -> SqlDatabase:
        ...

    def check_client(self) -> None:
        """Fail with the install command when this machine lacks the driver; before any
        container starts."""
        ...

    def restore(self, service: Service, backup: Backup, credentials: Credentials,
                on_progress: Callable[[int], None] | None = None) -> None:
        """Restore into the sandbox; engines that can tell report percentages as they go."""
        ...

    # A bulk load (bulkload.py): server settings read, set for the restore, put back.
    def settings(self, db: SqlDatabase, names: Sequence[str]) -> dict[str, str]:
        ...

    def tune(self, db: SqlDatabase, settings: Mapping[str, str]) -> tuple[str, ...]:
        ...

    def untune(self, db: SqlDatabase, before: Mapping[str, str]) -> None:
        ...


# Reads what a batch left on its cursor (every result set, every message) and emits each message.
Drain = Callable[[Any, Callable[[str], None]], None]
# A cursor that hands a query's rows over as the server sends them (SqlDatabase.stream).
Streaming = Callable[[Any], AbstractContextManager[Any]]
STREAM_ROWS = 10_000  # rows per fetch of a stream: ~1 MiB of two-number rows


def plain_cursor(connection: Any) -> AbstractContextManager[Any]:
    """A driver whose cursor fetches from the server as it is read (pyodbc's)."""
    return contextlib.closing(connection.cursor())


@dataclass(frozen=True)
class Dialect:
    quote_open: str
    quote_close: str
    tables_sql: str
    false: str = "0"  # PostgreSQL columns are boolean; bit and tinyint compare with 0


class SqlDatabase:
    """A DB-API connection seen as rehearse's `storedb.Database`."""

    def __init__(self, connection: Any, dialect: Dialect, errors: tuple[type[Exception], ...],
                 drain: Drain, hashing: Hashing | None = None,
                 streaming: Streaming = plain_cursor,
                 reopen: Callable[[], SqlDatabase] | None = None) -> None:
        self._connection = connection
        self._dialect = dialect
        self._errors = errors
        self._drain = drain
        self._hashing = hashing
        self._streaming = streaming
        self._reopen = reopen  # a new connection like this one, for a session beside it

    def quote(self, identifier: str) -> str:
        close = self._dialect.quote_close
        return self._dialect.quote_open + identifier.replace(close, close * 2) + close

    @property
    def false(self) -> str:
        return self._dialect.false

    @property
    def hashing(self) -> Hashing | None:
        return self._hashing

    def table_names(self) -> list[str]:
        _, rows = self.query(self._dialect.tables_sql)
        return [str(row[0]) for row in rows]

    def query(self, sql: str) -> tuple[list[str], list[tuple[Any, ...]]]:
        cursor = self._cursor(sql)
        columns = [str(column[0]) for column in cursor.description or ()]
        return columns, [tuple(row) for row in cursor.fetchall()]

    def stream(self, sql: str) -> Iterator[Sequence[Sequence[Any]]]:
        """The query's rows a fetch at a time, as the server sends them: never all in memory."""
        with self._streaming(self._connection) as cursor:
            try:
                cursor.execute(sql)
                while rows := cursor.fetchmany(STREAM_ROWS):
                    yield rows
            except self._errors as error:
                raise QueryError(str(error)) from error

    def execute(self, sql: str, on_message: Callable[[str], None] | None = None) -> list[str]:
        """Run one batch; its messages are returned, and passed to `on_message` as they come."""
        cursor = self._cursor(sql)
        messages: list[str] = []

        def emit(message: str) -> None:
            messages.append(message)
            if on_message is not None:
                on_message(message)

        try:
            self._drain(cursor, emit)
        except self._errors as error:
            raise QueryError(str(error)) from error
        return messages

    @property
    def sessions(self) -> bool:
        return self._reopen is not None

    @contextlib.contextmanager
    def session(self) -> Iterator[SqlDatabase]:
        if self._reopen is None:
            raise RuntimeError("this connection opens no other session: check `sessions` first")
        other = self._reopen()
        try:
            yield other
        finally:
            other.close()

    def close(self) -> None:
        self._connection.close()

    def _cursor(self, sql: str) -> Any:
        cursor = self._connection.cursor()
        try:
            cursor.execute(sql)
        except self._errors as error:
            raise QueryError(str(error)) from error
        return cursor


def require_module(module: str, install: str) -> None:
    try:
        importlib.import_module(module)
    except ImportError as error:
        raise EnvironmentNotReadyError(f"the database driver {module} cannot be loaded ({error})",
                                       hint=f"install it: {install}") from error


def database_spec(image: str, port: int, env: dict[str, str], memory: str | None,
                  backup: Backup | None, ready_log: str, **wait: Any) -> ServiceSpec:
    """A database container; the backup's folder is mounted read-only, never copied."""
    mounts = (backup_mount(backup),) if backup else ()
    return ServiceSpec(image=image, port=port, role="database", env=env, ready_log=ready_log,
                       memory=memory, mounts=mounts, **wait)


def backup_mount(backup: Backup) -> Mount:
    """The backup's folder (or the backup folder itself: a dump project), read-only."""
    folder = backup.path if backup.path.is_dir() else backup.path.parent
    only = () if backup.path.is_dir() else (backup.path.name,)  # what a copy needs of it
    return Mount(str(folder.resolve()), BACKUP_DIR, only=only)


def restore_failed(backup: Backup, output: str) -> BadInputError:
    _LOG.info("restoring %s failed; the server's whole output:\n%s", backup.path.name, output)
    return BadInputError(
        f"restoring {backup.path.name} failed: {meaningful_lines(output) or 'no output'}",
        hint="check the backup is complete and from this kind of database (a truncated or "
             "corrupt file fails here)")
