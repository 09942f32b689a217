from __future__ import annotations

import gzip
from pathlib import Path

import pytest

from rehearse.catalog import Provider
from rehearse.database.backup import BackupFormat, inspect_backup, require_provider, sha256
from rehearse.errors import BadInputError

HEADS = {
    "store.bak": (b"TAPE\x00\x00" + b"\x00" * 100, BackupFormat.SQLSERVER_BAK),
    "store.dump": (b"PGDMP\x01\x0e\x00", BackupFormat.PG_CUSTOM),
    "plain.sql": (b"--\n-- PostgreSQL database dump\n--\n", BackupFormat.PG_SQL),
    "mysql.sql": (b"-- MySQL dump 10.13  Distrib 8.0.36\n", BackupFormat.MYSQL_SQL),
    "maria.sql": (b"/*M!999999\\- enable the sandbox mode */\n-- MariaDB dump 10.19\n",
                  BackupFormat.MYSQL_SQL),
}


@pytest.mark.parametrize("name", list(HEADS))
def test_formats_are_recognised_by_content(tmp_path: Path, name: str) -> None:
    content, expected = HEADS[name]
    path = tmp_path / name
    path.write_bytes(content)
    assert inspect_backup(path).format is expected


def test_gzipped_sql_is_recognised_inside(tmp_path: Path) -> None:
    path = tmp_path / "store.sql.gz"
    path.write_bytes(gzip.compress(b"-- MySQL dump 10.13\nCREATE TABLE x (id int);\n"))
    backup = inspect_backup(path)
    assert (backup.format, backup.compressed, backup.provider) == (
        BackupFormat.MYSQL_SQL, True, Provider.MYSQL)


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "is empty"),
        (b"hello, this is a spreadsheet", "is not a backup rehearse can read"),
        (gzip.compress(b"-- MySQL dump\n" * 1000)[:40], "is a damaged gzip file"),
    ],
)
def test_bad_backups_get_one_clear_line(tmp_path: Path, content: bytes, message: str) -> None:
    path = tmp_path / "store.sql.gz"
    path.write_bytes(content)
    with pytest.raises(BadInputError, match=message) as caught:
        inspect_backup(path)
    assert caught.value.hint
    assert path.read_bytes() == content


def test_missing_backup(tmp_path: Path) -> None:
    with pytest.raises(BadInputError, match="does not exist"):
        inspect_backup(tmp_path / "nope.bak")


def test_wrong_engine(tmp_path: Path) -> None:
    path = tmp_path / "store.bak"
    path.write_bytes(b"TAPE" + b"\x00" * 10)
    with pytest.raises(BadInputError, match="is a SQL Server backup, but the store is declared "
                                            "as PostgreSQL"):
        require_provider(inspect_backup(path), Provider.POSTGRESQL)


def test_sha256_of_a_file(tmp_path: Path) -> None:
    path = tmp_path / "f"
    path.write_bytes(b"abc")
    assert sha256(path) == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"


@pytest.mark.parametrize("relative", ["./store.sql", "store.sql", "sub/../store.sql"])
def test_relative_backup_paths_are_resolved(tmp_path: Path, relative: str,
                                            monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "sub").mkdir()
    (tmp_path / "store.sql").write_bytes(b"-- MySQL dump 10.13\n")
    monkeypatch.chdir(tmp_path)
    backup = inspect_backup(Path(relative))
    assert backup.path == tmp_path / "store.sql" and backup.path.is_absolute()


def test_a_relative_mount_source_is_refused_before_docker_sees_it() -> None:
    from rehearse.sandbox.service import Mount

    with pytest.raises(ValueError, match="not an absolute path"):
        Mount(".", "/backup")
    assert Mount("/srv/backups", "/backup").read_only
