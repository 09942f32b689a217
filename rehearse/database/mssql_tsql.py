"""The T-SQL of a SQL Server restore: FILELISTONLY, MOVE targets, chains, stripes, certificates.

Sources (learn.microsoft.com): "RESTORE Statements - Arguments" (MOVE, FILE, NORECOVERY, REPLACE,
STATS, BUFFERCOUNT, MAXTRANSFERSIZE), "RESTORE FILELISTONLY" (Type D data, L log, F full-text
catalog, S FILESTREAM or memory-optimized container), "Move a TDE protected database to another
SQL Server" (CREATE MASTER KEY, CREATE CERTIFICATE … FROM FILE … WITH PRIVATE KEY).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from rehearse.database.mssql_media import FULL, LOG, BackupSet

DATA_DIR = "/var/opt/mssql/data"
CERT_DIR = "/var/opt/mssql/rehearse-certificates"
# Data files keep SQL Server's own extensions; F and S are folders, so they get none.
_EXTENSIONS = {"D": ".ndf", "L": ".ldf", "S": "", "F": ""}
MAX_TRANSFER = 4 << 20  # MAXTRANSFERSIZE's largest value (a multiple of 64 KB)
BUFFERS = (8, 64)  # fewest, most: BUFFERCOUNT x MAXTRANSFERSIZE is memory outside the pool


@dataclass(frozen=True)
class Transfer:
    """RESTORE's I/O buffers; none given leaves SQL Server's own (small) choice."""

    buffers: int = 0
    max_transfer: int = MAX_TRANSFER

    def options(self) -> list[str]:
        if not self.buffers:
            return []
        return [f"BUFFERCOUNT = {self.buffers}", f"MAXTRANSFERSIZE = {self.max_transfer}"]


def transfer_for(memory: int | None) -> Transfer:
    """A sixteenth of the container's memory limit in 4 MB buffers, 8 to 64 of them (a 4 GB
    limit: 64 buffers, 256 MB), so a large RESTORE reads and writes in big sequential chunks
    without starving the server (Msg 701 when the buffers do not fit)."""
    fewest, most = BUFFERS
    if memory is None:
        return Transfer(fewest * 4)
    return Transfer(max(fewest, min(most, memory // 16 // MAX_TRANSFER)))


SERVER_CHOICE = Transfer()


@dataclass(frozen=True)
class BackupFile:
    """One row of RESTORE FILELISTONLY: a logical file, its type and its file id."""

    logical_name: str
    physical_name: str
    kind: str
    file_id: int = 0
    filegroup: str = ""


@dataclass(frozen=True)
class Certificate:
    """A TDE or backup-encryption certificate, as files inside the container."""

    name: str
    certificate: str
    private_key: str
    password: str


def quote_name(name: str) -> str:
    return "[" + name.replace("]", "]]") + "]"


def literal(text: str) -> str:
    return "N'" + text.replace("'", "''") + "'"


def filelist_sql(backup_path: str | Sequence[str], position: int = 1) -> str:
    return f"RESTORE FILELISTONLY FROM {_devices(backup_path)} WITH FILE = {position}"


def headeronly_sql(backup_path: str | Sequence[str]) -> str:
    return f"RESTORE HEADERONLY FROM {_devices(backup_path)}"


def labelonly_sql(backup_path: str) -> str:
    return f"RESTORE LABELONLY FROM DISK = {literal(backup_path)}"


def parse_filelist(columns: Sequence[str], rows: Sequence[Sequence[Any]]) -> list[BackupFile]:
    index = {name.lower(): n for n, name in enumerate(columns)}

    def cell(row: Sequence[Any], name: str) -> str:
        return "" if name not in index or row[index[name]] is None else str(row[index[name]])

    return [BackupFile(cell(row, "logicalname"), cell(row, "physicalname"),
                       cell(row, "type").strip().upper(), int(cell(row, "fileid") or 0),
                       cell(row, "filegroupname")) for row in rows]


def move_targets(database: str, files: Sequence[BackupFile]) -> list[tuple[str, str]]:
    """(logical name, path in the container) for every file: the primary data file .mdf, other
    data files .ndf, logs .ldf, FILESTREAM and full-text folders; never two alike."""
    primary = _primary(files)
    taken: set[str] = set()
    targets = []
    for file in files:
        extension = ".mdf" if file is primary else _EXTENSIONS.get(file.kind, "")
        base = re.sub(r"[^A-Za-z0-9_.-]", "_", f"{database}_{file.logical_name}")
        name, n = base, 1
        while (name + extension).lower() in taken:  # "a b" and "a_b" must not collide
            n += 1
            name = f"{base}_{n}"
        taken.add((name + extension).lower())
        targets.append((file.logical_name, f"{DATA_DIR}/{name}{extension}"))
    return targets


def _primary(files: Sequence[BackupFile]) -> BackupFile | None:
    data = [f for f in files if f.kind == "D"]
    return next((f for f in data if f.file_id == 1), data[0] if data else None)


def restore_sql(database: str, backup_path: str | Sequence[str], files: Sequence[BackupFile],
                stats: int = 5, position: int = 1, recovery: bool = True,
                transfer: Transfer = SERVER_CHOICE) -> str:
    """RESTORE DATABASE … WITH MOVE for every file into the container's data folder, REPLACE."""
    moves = [f"MOVE {literal(logical)} TO {literal(target)}"
             for logical, target in move_targets(database, files)]
    options = [*([f"FILE = {position}"] if position != 1 else []), *moves, "REPLACE",
               "RECOVERY" if recovery else "NORECOVERY", f"STATS = {stats}", *transfer.options()]
    return _restore("DATABASE", database, backup_path, options)


def chain_sql(database: str, chain: Sequence[BackupSet], files: Sequence[BackupFile],
              stats: int = 5, transfer: Transfer = SERVER_CHOICE) -> list[str]:
    """The full backup with MOVE, then differential and logs, NORECOVERY until the last."""
    statements = []
    for n, step in enumerate(chain):
        last = n == len(chain) - 1
        if step.kind == FULL:
            statements.append(restore_sql(database, step.media.files, files, stats,
                                          step.position, recovery=last, transfer=transfer))
            continue
        options = [f"FILE = {step.position}", "RECOVERY" if last else "NORECOVERY",
                   f"STATS = {stats}", *transfer.options()]
        statements.append(_restore("LOG" if step.kind == LOG else "DATABASE", database,
                                   step.media.files, options))
    return statements


def certificate_sql(certificates: Sequence[Certificate], master_key_password: str) -> list[str]:
    """The master key, then each certificate from the user's files: before FILELISTONLY, which
    needs them for an encrypted backup (Msg 33111 otherwise)."""
    if not certificates:
        return []
    statements = ["IF NOT EXISTS (SELECT 1 FROM sys.symmetric_keys WHERE name = "
                  "'##MS_DatabaseMasterKey##')\n    CREATE MASTER KEY ENCRYPTION BY PASSWORD = "
                  f"{literal(master_key_password)}"]
    for cert in certificates:
        statements.append(
            f"CREATE CERTIFICATE {quote_name(cert.name)}\n"
            f"FROM FILE = {literal(cert.certificate)}\n"
            f"WITH PRIVATE KEY (FILE = {literal(cert.private_key)},\n"
            f"    DECRYPTION BY PASSWORD = {literal(cert.password)})")
    return statements


def _restore(what: str, database: str, devices: str | Sequence[str],
             options: Sequence[str]) -> str:
    joined = ",\n    ".join(options)
    return (f"RESTORE {what} {quote_name(database)}\n"
            f"FROM {_devices(devices)}\n"
            f"WITH {joined}")


def _devices(paths: str | Sequence[str]) -> str:
    paths = [paths] if isinstance(paths, str) else list(paths)
    return ", ".join(f"DISK = {literal(p)}" for p in paths)
