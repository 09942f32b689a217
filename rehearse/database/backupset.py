"""Backups that are more than one file: a MySQL Workbench dump project folder (one .sql per
table), and SQL Server media sets and chains (stripes, differential and log backups)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path

from rehearse.database.backup import (
    Backup,
    BackupFormat,
    CertificateFiles,
    inspect_backup,
    sha256,
)
from rehearse.errors import BadInputError

_SQLSERVER_SUFFIXES = (".bak", ".trn", ".dif", ".diff", ".log")
_VIEW_MARK = "view structure for view"  # mysqldump's comment before a view's definition
_HEAD = 1 << 16


def inspect_backup_set(path: Path, more: Sequence[Path] = (),
                       certificates: Sequence[CertificateFiles] = (),
                       copy_in: bool = False) -> Backup:
    """One backup from a file, a folder, or a list of files; every file read, none written."""
    path = path.expanduser().resolve()
    if path.is_dir():
        found = _folder(path)
    elif more:
        found = _listed(path, [p.expanduser().resolve() for p in more])
    else:
        found = inspect_backup(path)
    return replace(found, certificates=tuple(certificates), copy_in=copy_in)


def _folder(folder: Path) -> Backup:
    files = sorted(p for p in folder.iterdir() if p.is_file() and not p.name.startswith("."))
    bak = [p for p in files if p.suffix.lower() in _SQLSERVER_SUFFIXES]
    sql = [p for p in files if p.name.lower().endswith((".sql", ".sql.gz"))]
    if bak:
        _same_format([inspect_backup(p) for p in bak], BackupFormat.SQLSERVER_BAK)
        return Backup(folder, BackupFormat.SQLSERVER_BAK, False, tuple(bak))
    if sql:
        parts = [inspect_backup(p) for p in sql]
        _same_format(parts, BackupFormat.MYSQL_SQL)
        return Backup(folder, BackupFormat.MYSQL_SQL, parts[0].compressed,
                      tuple(restore_order([p.path for p in parts])))
    raise BadInputError(
        f"backup folder {folder} holds no backup files",
        hint="give a folder of .bak/.trn files (SQL Server) or a MySQL Workbench dump project "
             "folder (one .sql per table)")


def _listed(first: Path, more: list[Path]) -> Backup:
    parts = [inspect_backup(p) for p in (first, *more)]
    _same_format(parts, BackupFormat.SQLSERVER_BAK)
    names = [p.path.name for p in parts]
    if len(set(names)) != len(names):
        raise BadInputError("two backup files share a name",
                            hint="rename one: SQL Server sees each by its name")
    return Backup(first, BackupFormat.SQLSERVER_BAK, False, tuple(p.path for p in parts))


def _same_format(parts: list[Backup], wanted: BackupFormat) -> None:
    odd = [p for p in parts if p.format is not wanted or p.compressed != parts[0].compressed]
    if odd:
        raise BadInputError(
            f"{odd[0].path.name} is a {odd[0].format.value} backup"
            f"{' (gzip)' if odd[0].compressed else ''}, unlike the other files "
            f"({wanted.value})", hint="give only the files of one backup")


def restore_order(files: Sequence[Path]) -> list[Path]:
    """Tables first, then views, then routines: every Workbench file switches foreign-key checks
    off itself (mysqldump's /*!40014 SET FOREIGN_KEY_CHECKS=0 */), so tables go in any order,
    but a view needs its tables and the routines file (<schema>_routines.sql) may use both."""
    def rank(path: Path) -> tuple[int, str]:
        if path.name.lower().endswith(("_routines.sql", "_routines.sql.gz")):
            return 2, path.name
        return (1 if _VIEW_MARK in _head_text(path).lower() else 0), path.name

    return sorted(files, key=rank)


def _head_text(path: Path) -> str:
    if path.name.lower().endswith(".gz"):
        return ""  # a view's file is not worth decompressing for; Workbench writes plain .sql
    with path.open("rb") as stream:
        return stream.read(_HEAD).decode("utf-8", errors="replace")


def file_digests(backup: Backup) -> dict[str, str]:
    """SHA-256 of every file of the backup, by name."""
    return {part.name: sha256(part) for part in backup.files}
