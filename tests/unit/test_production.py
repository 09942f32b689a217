"""What production runs, read from backups' own headers; and the image the sandbox starts."""

from __future__ import annotations

import gzip
import struct
from pathlib import Path

import pytest

from rehearse.catalog_tables import all_core_tables
from rehearse.database.backup import inspect_backup
from rehearse.database.production import (
    Server,
    lower_case_store,
    official_image,
    parse_server,
    production_server,
    same_major,
)
from rehearse.database.restore import sandbox_image, server_options

MYSQLDUMP = ("-- MySQL dump 10.13  Distrib 8.0.36, for Win64 (x86_64)\n--\n"
             "-- Host: localhost    Database: nop\n"
             "-- ------------------------------------------------------\n"
             "-- Server version\t{version}\n\n/*!40101 SET NAMES utf8mb4 */;\n"
             "CREATE TABLE `{table}` (`Id` int NOT NULL);\n")
PG_PLAIN = ("--\n-- PostgreSQL database dump\n--\n\n"
            "-- Dumped from database version 15.4 (Debian 15.4-1.pgdg120+1)\n"
            "-- Dumped by pg_dump version 17.2\n")


def write(tmp_path: Path, name: str, text: str, packed: bool = False) -> Path:
    path = tmp_path / name
    if packed:
        path.write_bytes(gzip.compress(text.encode()))
    else:
        path.write_text(text, encoding="utf-8")
    return path


def pg_custom_header(server: str, pg_dump: str) -> bytes:
    """The head of a pg_dump -Fc archive: magic, format version, sizes, then length-prefixed
    strings (database name, server version, pg_dump version) — pg_backup_archiver.c."""
    def text(value: str) -> bytes:
        return b"\x00" + struct.pack("<i", len(value)) + value.encode()

    head = b"PGDMP" + bytes([1, 15, 0, 4, 8, 1]) + b"\x00" + bytes(30)
    return head + text("nopcommerce") + text(server) + text(pg_dump) + bytes(64)


@pytest.mark.parametrize(("version", "expected", "image"), [
    ("8.0.36", Server("mysql", "8.0.36"), "mysql:8.0"),
    ("5.7.44-log", Server("mysql", "5.7.44"), "mysql:5.7"),
    ("10.11.6-MariaDB-0+deb12u1", Server("mariadb", "10.11.6"), "mariadb:10.11"),
])
def test_mysqldump_names_its_server(tmp_path: Path, version: str, expected: Server,
                                    image: str) -> None:
    backup = inspect_backup(write(tmp_path, "s.sql", MYSQLDUMP.format(version=version,
                                                                      table="Product")))
    assert production_server(backup) == expected
    assert official_image(expected) == image
    assert sandbox_image(backup, None) == image
    assert sandbox_image(backup, "my/own:1") == "my/own:1"  # a user-set image wins


def test_plain_and_gzipped_pg_dumps_name_their_server(tmp_path: Path) -> None:
    for packed in (False, True):
        backup = inspect_backup(write(tmp_path, f"p{packed}.sql", PG_PLAIN, packed))
        assert production_server(backup) == Server("postgres", "15.4")
        assert sandbox_image(backup, None) == "postgres:15"


def test_a_custom_format_pg_dump_names_its_server(tmp_path: Path) -> None:
    path = tmp_path / "store.dump"
    path.write_bytes(pg_custom_header("16.3 (Debian 16.3-1)", "17.2"))
    assert production_server(inspect_backup(path)) == Server("postgres", "16.3")


def test_a_dump_without_a_version_falls_back_to_the_engine_default(tmp_path: Path) -> None:
    backup = inspect_backup(write(tmp_path, "s.sql", "/*!40101 SET NAMES utf8mb4 */;\n"))
    assert production_server(backup) is None
    assert sandbox_image(backup, None) == "mysql:8.4"


@pytest.mark.parametrize(("server", "major"), [
    (Server("postgres", "9.6.24"), "9.6"), (Server("postgres", "17.2"), "17"),
    (Server("sqlserver", "15.0.4375.4"), "15"), (Server("mariadb", "11.8.3"), "11.8")])
def test_majors(server: Server, major: str) -> None:
    assert server.major == major


def test_sql_server_majors_name_their_year() -> None:
    assert official_image(Server("sqlserver", "15.0.4375.4")) == (
        "mcr.microsoft.com/mssql/server:2019-latest")


def test_running_servers_parse_and_compare() -> None:
    maria = parse_server("11.8.3-MariaDB-0+deb13u1 from Debian", "mysql")
    assert maria == Server("mariadb", "11.8.3")
    assert parse_server("17.2 (Debian 17.2-1.pgdg130+1)", "postgres") == Server("postgres", "17.2")
    assert not same_major(Server("mysql", "8.0.36"), maria)
    assert same_major(Server("postgres", "15.4"), Server("postgres", "15.10"))


@pytest.mark.parametrize(("table", "lower"), [("product", True), ("Product", False),
                                              ("my_custom_table", False)])
def test_lower_case_nopcommerce_tables_ask_for_lower_case_table_names(
        tmp_path: Path, table: str, lower: bool) -> None:
    backup = inspect_backup(write(tmp_path, "s.sql.gz", MYSQLDUMP.format(
        version="8.0.36", table=table), packed=True))
    assert lower_case_store(backup, all_core_tables()) is lower
    assert server_options(backup) == (("--lower-case-table-names=1",) if lower else ())


def test_a_bak_names_its_release_and_the_sandbox_runs_that_year(tmp_path: Path) -> None:
    from tests.unit.test_mssql_diagnose import mtf_head

    path = tmp_path / "store.bak"
    path.write_bytes(mtf_head(904))  # written by SQL Server 2019
    backup = inspect_backup(path)
    assert production_server(backup) == Server("sqlserver", "15.0")
    assert sandbox_image(backup, None) == "mcr.microsoft.com/mssql/server:2019-latest"
    path.write_bytes(b"TAPE" + bytes(4092))  # no readable header: the engine's default
    assert production_server(inspect_backup(path)) is None
    assert sandbox_image(inspect_backup(path), None) == (
        "mcr.microsoft.com/mssql/server:2022-latest")
