"""What production runs, read from the backup itself: the server and its version, and whether
the tables were made on a case-insensitive server (Windows)."""

from __future__ import annotations

import gzip
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from rehearse.database.backup import Backup, BackupFormat
from rehearse.database.mssql_header import MAJOR_YEARS, image_for, read_version

HEAD_BYTES = 64 * 1024
# mysqldump writes `-- Server version	8.0.36` (or `10.11.6-MariaDB-log`) in its header.
_MYSQLDUMP = re.compile(r"^-- Server version\s+(\d+\.\d+(?:\.\d+)?)(\S*)", re.MULTILINE)
# pg_dump writes `-- Dumped from database version 15.4 (Debian …)` in plain dumps.
_PG_PLAIN = re.compile(r"^-- Dumped from database version (\d+(?:\.\d+)*)", re.MULTILINE)
# A custom-format archive's header holds the server's version as a length-prefixed string
# right after the database name (PostgreSQL pg_backup_archiver.c, WriteHead).
_PG_CUSTOM = re.compile(rb"(\d{1,2}\.\d{1,2}(?:\.\d+)?)(?: \([ -~]*\))?")
_CREATE = re.compile(r"^CREATE TABLE (?:IF NOT EXISTS )?`([^`]+)`", re.MULTILINE)
# SQL Server majors and the official image of each year (learn.microsoft.com, "SQL Server
# versions"; mcr.microsoft.com/mssql/server tags).


@dataclass(frozen=True)
class Server:
    """A database server: `mysql`, `mariadb`, `postgres` or `sqlserver`, and its version."""

    engine: str
    version: str

    @property
    def major(self) -> str:
        """The part of the version that names an image: 8.0, 10.11, 15 (9.6 before 10), 15."""
        parts = self.version.split(".")
        if (self.engine == "postgres" and int(parts[0]) >= 10) or self.engine == "sqlserver":
            return parts[0]
        return ".".join(parts[:2])

    def describe(self) -> str:
        names = {"mysql": "MySQL", "mariadb": "MariaDB", "postgres": "PostgreSQL",
                 "sqlserver": "SQL Server"}
        return f"{names.get(self.engine, self.engine)} {self.version}"


def official_image(server: Server) -> str:
    """The official image of the same major, the sandbox's default for this backup."""
    if server.engine == "sqlserver":  # that release's image, or the oldest newer one
        return image_for(MAJOR_YEARS.get(int(server.major), max(MAJOR_YEARS.values())))
    return f"{server.engine}:{server.major}"


def same_major(production: Server, sandbox: Server) -> bool:
    return (production.engine, production.major) == (sandbox.engine, sandbox.major)


def parse_server(text: str, engine: str) -> Server | None:
    """A server's own version string (`SELECT VERSION()`, `SHOW server_version`); MariaDB
    answers MySQL's protocol and names itself in the version."""
    match = re.match(r"\s*(\d+\.\d+(?:\.\d+)?)", text)
    if match is None:
        return None
    if engine == "mysql" and "mariadb" in text.lower():
        engine = "mariadb"
    return Server(engine, match.group(1))


def production_server(backup: Backup) -> Server | None:
    """The server that made the backup, when the backup says; None when it does not."""
    if not backup.path.is_file():
        return None
    return _READERS[backup.format](backup)


def _mysqldump(backup: Backup) -> Server | None:
    match = _MYSQLDUMP.search(_text_head(backup))
    if match is None:
        return None
    engine = "mariadb" if "mariadb" in match.group(2).lower() else "mysql"
    return Server(engine, match.group(1))


def _pg_plain(backup: Backup) -> Server | None:
    match = _PG_PLAIN.search(_text_head(backup))
    return Server("postgres", match.group(1)) if match else None


def _pg_custom(backup: Backup) -> Server | None:
    with backup.path.open("rb") as stream:
        head = stream.read(HEAD_BYTES)
    match = _PG_CUSTOM.search(head)
    return Server("postgres", match.group(1).decode()) if match else None


def sqlserver_bak(backup: Backup) -> Server | None:
    """The release that wrote the `.bak`, from its own MSCI header (mssql_header)."""
    found = read_version(backup.path) if backup.path.is_file() else None
    majors = {year: major for major, year in MAJOR_YEARS.items()}
    if found is None or found.year not in majors:
        return None
    return Server("sqlserver", f"{majors[found.year]}.0")


_READERS: dict[BackupFormat, Callable[[Backup], Server | None]] = {
    BackupFormat.MYSQL_SQL: _mysqldump,
    BackupFormat.PG_SQL: _pg_plain,
    BackupFormat.PG_CUSTOM: _pg_custom,
    BackupFormat.SQLSERVER_BAK: lambda backup: sqlserver_bak(backup),
}


def lower_case_store(backup: Backup, core_tables: frozenset[str]) -> bool:
    """True when the dump creates nopCommerce's tables in lower case (made on Windows, where
    MySQL runs with lower_case_table_names=1 — nopcommerce.md, real store databases)."""
    if backup.format is not BackupFormat.MYSQL_SQL or not backup.path.is_file():
        return False
    wanted = {name.lower(): name for name in core_tables}
    for table in _created_tables(backup):
        exact = wanted.get(table.lower())
        if exact is not None and exact != table.lower():
            return table == table.lower()
    return False


def _created_tables(backup: Backup) -> Iterator[str]:
    with _open_text(backup.path, backup.compressed) as stream:
        for line in stream:
            if line.startswith("CREATE TABLE"):
                match = _CREATE.match(line)
                if match:
                    yield match.group(1)


def _text_head(backup: Backup) -> str:
    with _open_text(backup.path, backup.compressed) as stream:
        return stream.read(HEAD_BYTES)


def _open_text(path: Path, compressed: bool) -> IO[str]:
    if compressed:
        return gzip.open(path, "rt", encoding="utf-8", errors="replace")
    return path.open(encoding="utf-8", errors="replace")
