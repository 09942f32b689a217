"""SQL Server, every nopCommerce version's database; pyodbc lives only here.

No SQL Server image runs on the build machines: the T-SQL this module writes is covered by golden
tests, and live tests run it wherever the image is present (docker-offline.md, ODBC).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from rehearse.catalog import Provider
from rehearse.database.backup import Backup
from rehearse.database.engines.base import (
    BACKUP_DIR,
    Credentials,
    Dialect,
    SqlDatabase,
    database_spec,
    require_module,
    restore_failed,
)
from rehearse.database.storedb import QueryError
from rehearse.errors import EnvironmentNotReadyError
from rehearse.sandbox.service import Endpoint, Service, ServiceSpec

DATA_DIR = "/var/opt/mssql/data"
PREFERRED_DRIVERS = ("ODBC Driver 18 for SQL Server", "ODBC Driver 17 for SQL Server", "FreeTDS")
DIALECT = Dialect("[", "]", "SELECT TABLE_NAME FROM INFORMATION_SCHEMA.TABLES "
                  "WHERE TABLE_TYPE = 'BASE TABLE'")
_EXTENSIONS = {"D": ".mdf", "L": ".ldf", "S": "", "F": ""}
_STATS = re.compile(r"(\d+) percent processed")


@dataclass(frozen=True)
class BackupFile:
    """One row of RESTORE FILELISTONLY: a logical file and its type (D data, L log, S/F other)."""

    logical_name: str
    physical_name: str
    kind: str


def quote_name(name: str) -> str:
    return "[" + name.replace("]", "]]") + "]"


def literal(text: str) -> str:
    return "N'" + text.replace("'", "''") + "'"


def filelist_sql(backup_path: str) -> str:
    return f"RESTORE FILELISTONLY FROM DISK = {literal(backup_path)}"


def restore_sql(database: str, backup_path: str, files: Sequence[BackupFile],
                stats: int = 5) -> str:
    """RESTORE … WITH MOVE for every file into the container's data folder, REPLACE, STATS."""
    moves = [f"MOVE {literal(f.logical_name)} TO {literal(_target(database, f, n))}"
             for n, f in enumerate(files)]
    options = ",\n    ".join([*moves, "REPLACE", f"STATS = {stats}"])
    return (f"RESTORE DATABASE {quote_name(database)}\n"
            f"FROM DISK = {literal(backup_path)}\n"
            f"WITH {options}")


def _target(database: str, file: BackupFile, index: int) -> str:
    extension = _EXTENSIONS.get(file.kind, "")
    if file.kind == "D" and index > 0:
        extension = ".ndf"  # secondary data files
    safe = re.sub(r"[^A-Za-z0-9_.-]", "_", f"{database}_{file.logical_name}")
    return f"{DATA_DIR}/{safe}{extension}"


def choose_driver(available: Sequence[str], override: str | None = None) -> str:
    """An explicit driver (name or .so path) wins; else the newest Microsoft one, else FreeTDS."""
    if override:
        return override
    for name in PREFERRED_DRIVERS:
        if name in available:
            return name
    raise EnvironmentNotReadyError(
        "no ODBC driver for SQL Server is installed",
        hint="install one: apt-get install unixodbc tdsodbc (FreeTDS), or Microsoft's ODBC "
             "Driver 18")


def connection_string(driver: str, endpoint: Endpoint, credentials: Credentials,
                      database: str) -> str:
    parts = {
        "DRIVER": "{" + driver.replace("}", "}}") + "}",
        "SERVER": f"{endpoint.host},{endpoint.port}",
        "UID": credentials.user,
        "PWD": "{" + credentials.password.replace("}", "}}") + "}",
        "DATABASE": database,
    }
    if "FreeTDS" in driver:
        parts["TDS_Version"] = "7.4"
    else:
        # The container's certificate is self-signed (nopcommerce.md §9).
        parts["Encrypt"] = "yes"
        parts["TrustServerCertificate"] = "yes"
    return ";".join(f"{key}={value}" for key, value in parts.items())


def parse_filelist(columns: Sequence[str], rows: Sequence[Sequence[Any]]) -> list[BackupFile]:
    index = {name.lower(): n for n, name in enumerate(columns)}
    return [BackupFile(str(row[index["logicalname"]]), str(row[index["physicalname"]]),
                       str(row[index["type"]]).strip().upper()) for row in rows]


def progress(messages: Sequence[str]) -> int | None:
    """The last percentage a RESTORE … STATS reported."""
    found = [int(m.group(1)) for m in map(_STATS.search, messages) if m]
    return found[-1] if found else None


class SqlServer:
    provider = Provider.SQLSERVER
    default_image = "mcr.microsoft.com/mssql/server:2022-latest"
    port = 1433

    def __init__(self, driver: str | None = None) -> None:
        self._driver = driver

    def credentials(self, password: str) -> Credentials:
        return Credentials("sa", password, "nopcommerce")

    def service_spec(self, image: str, credentials: Credentials, memory: str | None,
                     backup: Backup | None = None) -> ServiceSpec:
        env = {"ACCEPT_EULA": "Y", "MSSQL_SA_PASSWORD": credentials.password,
               "MSSQL_PID": "Developer"}
        return database_spec(image, self.port, env, memory, backup,
                             ready_log=r"SQL Server is now ready for client connections",
                             ready_timeout=180.0)

    def check_client(self) -> None:
        # pyodbc is optional (it needs unixODBC): only SQL Server stores need it.
        require_module("pyodbc", "apt-get install unixodbc tdsodbc && "
                                 "pip install 'rehearse[sqlserver]'")
        import pyodbc

        choose_driver(pyodbc.drivers(), self._driver)

    def open(self, endpoint: Endpoint, credentials: Credentials,
             database: str | None = None) -> SqlDatabase:
        import pyodbc

        driver = choose_driver(pyodbc.drivers(), self._driver)
        text = connection_string(driver, endpoint, credentials, database or credentials.database)
        connection = pyodbc.connect(text, autocommit=True, timeout=15)
        return SqlDatabase(connection, DIALECT, (pyodbc.Error,), _drain)

    def restore(self, service: Service, backup: Backup, credentials: Credentials,
                on_progress: Callable[[int], None] | None = None) -> None:
        path = f"{BACKUP_DIR}/{backup.path.name}"
        master = self.open(service.endpoint, credentials, database="master")
        try:
            files = parse_filelist(*master.query(filelist_sql(path)))
            master.execute(restore_sql(credentials.database, path, files),
                           on_message=progress_reporter(on_progress))
        except QueryError as error:
            raise restore_failed(backup, str(error)) from error
        finally:
            master.close()


def progress_reporter(on_progress: Callable[[int], None] | None) -> Callable[[str], None]:
    """Turn RESTORE's STATS messages into percentages for `on_progress`."""
    def report(message: str) -> None:
        percent = progress([message])
        if percent is not None and on_progress is not None:
            on_progress(percent)

    return report


def _drain(cursor: Any, emit: Callable[[str], None]) -> None:
    """pyodbc leaves each result's messages (PRINT, STATS) on the cursor. Walking every result
    set is also what makes a RESTORE or BACKUP finish: execute() returns at the first message
    and the server abandons the rest if the client stops reading (pyodbc #471, #795)."""
    while True:
        for _, text in cursor.messages or ():
            emit(str(text))
        if not cursor.nextset():
            return
