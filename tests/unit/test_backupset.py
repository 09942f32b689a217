"""Backups of several files: a MySQL Workbench dump project folder, SQL Server chains."""

from __future__ import annotations

import gzip
from pathlib import Path

import pytest

from rehearse.database.backup import BackupFormat, sha256
from rehearse.database.backupset import file_digests, inspect_backup_set, restore_order
from rehearse.database.engines.base import backup_mount, meaningful_lines
from rehearse.database.engines.sqlserver import _mounts, device_paths
from rehearse.errors import BadInputError

# What MySQL Workbench's "Export to Dump Project Folder" writes: one mysqldump file per table
# (each switching foreign-key checks off itself), views in their own files, and the routines.
HEAD = ("-- MySQL dump 10.13  Distrib 8.0.36, for Win64 (x86_64)\n--\n-- Host: 127.0.0.1"
        "    Database: nop\n/*!40014 SET @OLD_FOREIGN_KEY_CHECKS=@@FOREIGN_KEY_CHECKS, "
        "FOREIGN_KEY_CHECKS=0 */;\n")


def workbench_folder(tmp_path: Path) -> Path:
    folder = tmp_path / "Dump20240101"
    folder.mkdir()
    for table in ("nop_product", "nop_category", "nop_product_category_mapping"):
        (folder / f"{table}.sql").write_text(HEAD + f"CREATE TABLE `{table[4:]}` (Id int);\n")
    (folder / "nop_productview.sql").write_text(
        HEAD + "--\n-- Final view structure for view `productview`\n--\nCREATE VIEW x AS "
               "SELECT 1;\n")
    (folder / "nop_routines.sql").write_text(HEAD + "CREATE PROCEDURE p() SELECT 1;\n")
    (folder / ".DS_Store").write_bytes(b"\0")
    return folder


def test_a_workbench_dump_project_folder_is_a_mysql_backup(tmp_path: Path) -> None:
    folder = workbench_folder(tmp_path)
    backup = inspect_backup_set(folder)
    assert backup.format is BackupFormat.MYSQL_SQL and backup.path == folder
    assert [p.name for p in backup.files] == [
        "nop_category.sql", "nop_product.sql", "nop_product_category_mapping.sql",
        "nop_productview.sql", "nop_routines.sql"]  # tables, then views, then routines
    assert backup_mount(backup).source == str(folder) and backup_mount(backup).read_only


def test_every_file_of_a_folder_has_its_sha256_and_the_folder_changes_with_any(
        tmp_path: Path) -> None:
    folder = workbench_folder(tmp_path)
    backup = inspect_backup_set(folder)
    digests = file_digests(backup)
    assert digests["nop_product.sql"] == sha256(folder / "nop_product.sql")
    before = sha256(folder)
    (folder / "nop_product.sql").write_text(HEAD + "CHANGED\n")
    assert sha256(folder) != before


def test_restore_order_puts_views_after_tables(tmp_path: Path) -> None:
    folder = workbench_folder(tmp_path)
    shuffled = sorted(folder.glob("*.sql"), reverse=True)
    assert [p.name for p in restore_order(shuffled)][-2:] == ["nop_productview.sql",
                                                             "nop_routines.sql"]


def test_a_folder_mixing_kinds_of_backup_is_refused(tmp_path: Path) -> None:
    folder = workbench_folder(tmp_path)
    (folder / "extra.sql").write_text("--\n-- PostgreSQL database dump\n--\n")
    with pytest.raises(BadInputError, match=r"extra.sql is a pg-sql backup, unlike the other"):
        inspect_backup_set(folder)


def test_an_empty_folder_says_what_it_should_hold(tmp_path: Path) -> None:
    with pytest.raises(BadInputError, match="holds no backup files"):
        inspect_backup_set(tmp_path)


def test_a_folder_of_bak_and_trn_files_is_one_sql_server_backup(tmp_path: Path) -> None:
    for name in ("full.bak", "diff.bak", "log1.trn"):
        (tmp_path / name).write_bytes(b"TAPE" + bytes(600))
    backup = inspect_backup_set(tmp_path)
    assert backup.format is BackupFormat.SQLSERVER_BAK
    assert device_paths(backup) == ["/backup/diff.bak", "/backup/full.bak", "/backup/log1.trn"]


def test_a_list_of_files_in_several_folders_mounts_each_file(tmp_path: Path) -> None:
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    full, log = tmp_path / "a" / "full.bak", tmp_path / "b" / "log.trn"
    full.write_bytes(b"TAPE" + bytes(600))
    log.write_bytes(b"TAPE" + bytes(600))
    backup = inspect_backup_set(full, [log])
    assert device_paths(backup) == ["/backup/1/full.bak", "/backup/2/log.trn"]
    assert [(m.source, m.target, m.read_only) for m in _mounts(backup)] == [
        (str(full), "/backup/1/full.bak", True), (str(log), "/backup/2/log.trn", True)]


def test_a_list_mixing_engines_is_refused(tmp_path: Path) -> None:
    full, dump = tmp_path / "full.bak", tmp_path / "x.sql"
    full.write_bytes(b"TAPE" + bytes(600))
    dump.write_text(HEAD)
    with pytest.raises(BadInputError, match=r"x.sql is a mysql-sql backup"):
        inspect_backup_set(full, [dump])


DAMAGED = ("gzip: /backup/store.sql.gz: invalid compressed data--format violated\n"
           "ERROR 1064 (42000) at line 3841: You have an error in your SQL syntax; check the "
           "manual that corresponds to your MySQL server version for the right syntax to use "
           "near '" + "\x8b\x1f\x00garbage" * 40000 + "' at line 1\n")


def test_a_damaged_dump_gives_the_first_meaningful_lines_cut_short() -> None:
    line = meaningful_lines(DAMAGED)
    assert line.startswith("gzip: /backup/store.sql.gz: invalid compressed data--format "
                           "violated | ERROR 1064 (42000) at line 3841")
    assert len(line) < 600 and "characters)" in line


def test_restore_failures_log_the_whole_output(caplog: pytest.LogCaptureFixture) -> None:
    from rehearse.database.backup import Backup
    from rehearse.database.engines.base import restore_failed

    with caplog.at_level("INFO", logger="rehearse"):
        error = restore_failed(Backup(Path("/x/store.sql.gz"), BackupFormat.MYSQL_SQL, True),
                               DAMAGED)
    assert len(error.message) < 700
    assert DAMAGED in caplog.text


def test_gzip_parts_of_a_folder_are_recognised(tmp_path: Path) -> None:
    with gzip.open(tmp_path / "nop_product.sql.gz", "wt") as stream:
        stream.write(HEAD)
    backup = inspect_backup_set(tmp_path)
    assert backup.compressed and backup.format is BackupFormat.MYSQL_SQL
