"""What a backup file is, read from its name and first bytes; never written to."""

from __future__ import annotations

import gzip
import hashlib
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path

from rehearse.catalog import Provider
from rehearse.errors import BadInputError

CHUNK = 1 << 20


class BackupFormat(StrEnum):
    SQLSERVER_BAK = "sqlserver-bak"
    PG_CUSTOM = "pg-custom"
    PG_SQL = "pg-sql"
    MYSQL_SQL = "mysql-sql"


_PROVIDERS = {
    BackupFormat.SQLSERVER_BAK: Provider.SQLSERVER,
    BackupFormat.PG_CUSTOM: Provider.POSTGRESQL,
    BackupFormat.PG_SQL: Provider.POSTGRESQL,
    BackupFormat.MYSQL_SQL: Provider.MYSQL,
}


@dataclass(frozen=True)
class CertificateFiles:
    """A certificate and its private key, exported with BACKUP CERTIFICATE, for a TDE or
    encrypted backup; the password never shows in a repr."""

    certificate: Path
    private_key: Path
    password: str

    def __repr__(self) -> str:
        return f"CertificateFiles({self.certificate.name!r}, {self.private_key.name!r}, '***')"


@dataclass(frozen=True)
class Backup:
    path: Path
    format: BackupFormat
    compressed: bool
    # Every file of a backup given as several (stripes and chains of .bak/.trn, a folder of
    # .sql files); empty for a single file.
    parts: tuple[Path, ...] = ()
    certificates: tuple[CertificateFiles, ...] = ()
    copy_in: bool = False  # copied into the container (read-only, server's owner), not mounted

    @property
    def files(self) -> tuple[Path, ...]:
        return self.parts or (self.path,)

    @property
    def provider(self) -> Provider:
        return _PROVIDERS[self.format]


def inspect_backup(path: Path) -> Backup:
    """Recognise a backup by its content, or say why it is not one rehearse can restore."""
    path = path.expanduser().resolve()  # `./x.dump` and `x.dump` name a host file, not a volume
    if not path.is_file():
        raise BadInputError(f"backup {path} does not exist",
                            hint="check store.backup in the scenario (relative paths are relative "
                                 "to the scenario file)")
    head = _head(path)
    if not head:
        raise BadInputError(f"backup {path} is empty", hint="take the backup again")
    compressed = head[:2] == b"\x1f\x8b"
    if compressed:
        head = _gunzipped_head(path)
    found = _format_of(head)
    if found is None:
        raise BadInputError(
            f"backup {path} is not a backup rehearse can read",
            hint="use a SQL Server .bak, a pg_dump file (-Fc or plain .sql), or a mysqldump .sql "
                 "(.gz allowed for SQL text)")
    return Backup(path, found, compressed)


def require_provider(backup: Backup, provider: Provider) -> None:
    if backup.provider is not provider:
        raise BadInputError(
            f"backup {backup.path.name} is a {backup.provider.label} backup, but the store is "
            f"declared as {provider.label}",
            hint=f"set store.provider to {backup.provider.value}, or point store.backup at the "
                 f"{provider.label} backup")


def sha256(path: Path, of_file: Callable[[Path], str] | None = None) -> str:
    """A file's SHA-256; a folder's is that of its files' names and SHA-256s, so a change to
    any file of a dump project changes it. `of_file` hashes each file (to remember them)."""
    of_file = of_file or file_sha256
    if path.is_dir():
        lines = "".join(f"{p.name}  {of_file(p)}\n" for p in folder_files(path))
        return hashlib.sha256(lines.encode()).hexdigest()
    return of_file(path)


def folder_files(folder: Path) -> list[Path]:
    """The files a folder's SHA-256 covers: every one but hidden ones, by name."""
    return [p for p in sorted(folder.iterdir()) if p.is_file() and not p.name.startswith(".")]


def file_sha256(path: Path, stop: Callable[[], bool] = lambda: False) -> str:
    """hashlib lets other threads run while it hashes each chunk (it drops the GIL)."""
    digest = hashlib.sha256()
    with path.open("rb") as stream:
        while (chunk := stream.read(CHUNK)) and not stop():
            digest.update(chunk)
    return digest.hexdigest()


def _head(path: Path, size: int = 4096) -> bytes:
    with path.open("rb") as stream:
        return stream.read(size)


def _gunzipped_head(path: Path) -> bytes:
    try:
        with gzip.open(path, "rb") as stream:
            return stream.read(4096)
    except (OSError, EOFError, zlib.error) as error:
        raise BadInputError(f"backup {path} is a damaged gzip file ({error})",
                            hint="copy or take the backup again") from error


def _format_of(head: bytes) -> BackupFormat | None:
    if head.startswith(b"TAPE"):  # Microsoft Tape Format header of every .bak
        return BackupFormat.SQLSERVER_BAK
    if head.startswith(b"PGDMP"):
        return BackupFormat.PG_CUSTOM
    text = head.decode("utf-8", errors="replace").lstrip("\ufeff")
    if "PostgreSQL database dump" in text:
        return BackupFormat.PG_SQL
    if "MySQL dump" in text or "MariaDB dump" in text or "/*!40101 SET" in text:
        return BackupFormat.MYSQL_SQL
    return None
