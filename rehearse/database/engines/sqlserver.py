"""SQL Server, every nopCommerce version's database; pyodbc lives only here.

No SQL Server image runs on the build machines: the T-SQL this module writes is covered by golden
tests, and live tests run it wherever the image is present (docker-offline.md, ODBC).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

from rehearse.catalog import Provider
from rehearse.database.backup import Backup
from rehearse.database.engines.base import (
    BACKUP_DIR,
    Credentials,
    Dialect,
    SqlDatabase,
    backup_mount,
    database_spec,
    require_module,
    restore_failed,
)
from rehearse.database.mssql_diagnose import (
    SERVER_GID,
    SERVER_UID,
    check_architecture,
    check_memory,
    check_readable,
    explain,
    memory_bytes,
)
from rehearse.database.mssql_header import check_restorable, image_for, image_year, read_version
from rehearse.database.mssql_restore import restore_database
from rehearse.database.mssql_tsql import CERT_DIR, Certificate, transfer_for
from rehearse.database.rowhash import Hashing
from rehearse.database.storedb import QueryError
from rehearse.errors import BadInputError, EnvironmentNotReadyError
from rehearse.sandbox.copyin import Copy
from rehearse.sandbox.host import EngineFacts
from rehearse.sandbox.service import Endpoint, Mount, Service, ServiceSpec

PREFERRED_DRIVERS = ("ODBC Driver 18 for SQL Server", "ODBC Driver 17 for SQL Server", "FreeTDS")
DIALECT = Dialect("[", "]", "SELECT TABLE_NAME FROM INFORMATION_SCHEMA.TABLES "
                  "WHERE TABLE_TYPE = 'BASE TABLE'")
# A row's hash (rowhash.py): MD5's first 64 bits. HASHBYTES takes more than 8,000 bytes only
# from SQL Server 2016 (13.x); older servers get no hashing, the values are read and hashed in
# rehearse. decimal(38,10) gives every scale the same text; bit reads as 0 or 1.
HASHING = Hashing(text="CAST({} AS nvarchar(max))",
                  number="CAST(CAST({} AS decimal(38,10)) AS nvarchar(60))",
                  integer="CAST(CAST({} AS bigint) AS nvarchar(30))",
                  boolean="CAST(CAST({} AS int) AS nvarchar(30))",
                  present="COALESCE(N'v' + {}, N'n')", separator=" + NCHAR(31) + ", joined="{}",
                  digest="CAST(SUBSTRING(HASHBYTES('MD5', {}), 1, 8) AS bigint)",
                  lower="LOWER({})", bigint="CAST({} AS bigint)")
HASHING_FROM = 13
_STATS = re.compile(r"(\d+) percent processed")


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
        """The official image's contract (ACCEPT_EULA, a policy-proof MSSQL_SA_PASSWORD), with
        every failure that can be foreseen checked before anything is pulled or started."""
        check_memory(memory, None)
        if backup is not None:
            image = _image_for(backup, image, self.default_image)
            if not backup.copy_in:
                _check_readable(backup)
        env = {"ACCEPT_EULA": "Y", "MSSQL_SA_PASSWORD": credentials.password,
               "MSSQL_PID": "Developer"}
        spec = database_spec(image, self.port, env, memory, backup,
                             ready_log=r"SQL Server is now ready for client connections",
                             ready_timeout=180.0)
        return replace(spec, mounts=_mounts(backup), copies=_copies(backup),
                       files=_certificate_files(backup), pre_start=_engine_check, explain=explain)

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
        db = SqlDatabase(connection, DIALECT, (pyodbc.Error,), _drain)
        _, rows = db.query("SELECT CAST(SERVERPROPERTY('ProductVersion') AS nvarchar(128))")
        major = int(str(rows[0][0]).split(".")[0])
        return SqlDatabase(connection, DIALECT, (pyodbc.Error,), _drain,
                           HASHING if major >= HASHING_FROM else None,
                           reopen=lambda: self.open(endpoint, credentials, database))

    def restore(self, service: Service, backup: Backup, credentials: Credentials,
                on_progress: Callable[[int], None] | None = None) -> None:
        master = self.open(service.endpoint, credentials, database="master")
        memory = service.spec.memory
        try:
            restore_database(master, credentials.database, device_paths(backup),
                             _certificates(backup), credentials.password,
                             on_message=progress_reporter(on_progress),
                             transfer=transfer_for(memory_bytes(memory) if memory else None))
        except QueryError as error:
            raise explain(str(error)) or restore_failed(backup, str(error)) from error
        finally:
            master.close()

    # A bulk load has nothing to set on the server: RESTORE's own options size its I/O.
    def settings(self, db: SqlDatabase, names: Sequence[str]) -> dict[str, str]:
        return {}

    def tune(self, db: SqlDatabase, settings: Mapping[str, str]) -> tuple[str, ...]:
        return ()

    def untune(self, db: SqlDatabase, before: Mapping[str, str]) -> None:
        return None


def device_paths(backup: Backup) -> list[str]:
    """Where each file of the backup is inside the container."""
    if not backup.parts or backup.path.is_dir():
        return [f"{BACKUP_DIR}/{part.name}" for part in backup.files]
    return [f"{BACKUP_DIR}/{n}/{part.name}" for n, part in enumerate(backup.parts, start=1)]


def _mounts(backup: Backup | None) -> tuple[Mount, ...]:
    """A listed chain may span folders: each file is mounted on its own, read-only."""
    if backup is None or backup.copy_in:
        return ()
    if not backup.parts or backup.path.is_dir():
        return (backup_mount(backup),)
    return tuple(Mount(str(part), target)
                 for part, target in zip(backup.parts, device_paths(backup), strict=True))


def _copies(backup: Backup | None) -> tuple[Copy, ...]:
    """store.copy_backup: each file copied in, read-only for the server's uid 10001."""
    if backup is None or not backup.copy_in:
        return ()
    return tuple(Copy(str(part), target, SERVER_UID, SERVER_GID)
                 for part, target in zip(backup.files, device_paths(backup), strict=True))


def _image_for(backup: Backup, image: str, default: str) -> str:
    """The default image, or a newer one for a newer backup; a user's too-old image refused."""
    versions = [v for v in map(read_version, backup.files) if v is not None]
    if not versions:
        return image  # not readable here: RESTORE HEADERONLY checks it in the container
    year = max(v.year for v in versions)
    running = image_year(image)
    if image == default and running is not None and running < year:
        return image_for(year)
    check_restorable(year, image, backup.path.name)
    return image


def _check_readable(backup: Backup) -> None:
    folder = None if backup.parts and not backup.path.is_dir() else (
        backup.path if backup.path.is_dir() else backup.path.parent)
    for part in backup.files:
        check_readable(str(part), part.stat(), folder.stat() if folder else None)


def _engine_check(facts: EngineFacts) -> None:
    check_architecture(facts.architecture)
    check_memory(None, facts.memory or None)


def _certificates(backup: Backup) -> list[Certificate]:
    return [Certificate(f"rehearse_certificate_{n}", f"{CERT_DIR}/{n}.cer", f"{CERT_DIR}/{n}.pvk",
                        files.password)
            for n, files in enumerate(backup.certificates, start=1)]


def _certificate_files(backup: Backup | None) -> tuple[tuple[str, bytes], ...]:
    """The user's certificate files, copied into the container (never changed, never shown)."""
    if backup is None:
        return ()
    copies: list[tuple[str, bytes]] = []
    for n, files in enumerate(backup.certificates, start=1):
        copies += [(f"{CERT_DIR}/{n}.cer", _read(files.certificate)),
                   (f"{CERT_DIR}/{n}.pvk", _read(files.private_key))]
    return tuple(copies)


def _read(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError as error:
        raise BadInputError(f"certificate file {path} cannot be read ({error.strerror})",
                            hint="check store.certificates in the scenario") from error


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
