"""SQL Server cannot run here: its T-SQL and connection handling are checked without a server."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlglot.dialects.tsql import TSQL

from rehearse.database.engines.base import Credentials
from rehearse.database.engines.sqlserver import (
    SqlServer,
    choose_driver,
    connection_string,
    progress,
)
from rehearse.database.mssql_tsql import BackupFile, filelist_sql, parse_filelist, restore_sql
from rehearse.errors import EnvironmentNotReadyError
from rehearse.sandbox.service import Endpoint

GOLDEN = Path(__file__).parents[1] / "fixtures" / "sqlserver"
# RESTORE FILELISTONLY's columns (learn.microsoft.com "RESTORE Statements - FILELISTONLY"): Type
# D data, L log, F full-text catalog, S FILESTREAM / memory-optimized container; FileId 1 is the
# primary data file.
COLUMNS = ["LogicalName", "PhysicalName", "Type", "FileGroupName", "Size", "FileId"]
FILELISTS = {
    "one_file": ("/backup/store.bak", [("nopCommerce", r"C:\SQL\nop.mdf", "D", "PRIMARY", 1, 1)]),
    "two_files": ("/backup/store.bak", [
        ("nopCommerce", r"C:\SQL\nop.mdf", "D", "PRIMARY", 1, 1),
        ("nopCommerce_log", r"C:\SQL\nop_log.ldf", "L", None, 1, 2)]),
    "many_files": ("/backup/O'Brien store.bak", [
        ("nop_data", r"D:\data\nop.mdf", "D", "PRIMARY", 1, 1),
        ("nop_data2", r"D:\data\nop2.ndf", "D", "SECONDARY", 1, 3),
        ("nop_log", r"E:\log\nop.ldf", "L", None, 1, 2),
        ("nop fulltext", r"D:\ft\nop", "F", None, 1, 4),
    ]),
    # More than two data files, over two filegroups, and a second log file.
    "filegroups": ("/backup/store.bak", [
        ("nop", r"D:\data\nop.mdf", "D", "PRIMARY", 1, 1),
        ("nop_log", r"E:\log\nop_log.ldf", "L", None, 1, 2),
        ("nop_2", r"D:\data\nop_2.ndf", "D", "PRIMARY", 1, 3),
        ("nop_orders_2019", r"F:\archive\orders2019.ndf", "D", "ARCHIVE", 1, 4),
        ("nop_orders_2020", r"F:\archive\orders2020.ndf", "D", "ARCHIVE", 1, 5),
        ("nop_log2", r"E:\log\nop_log2.ldf", "L", None, 1, 6),
    ]),
    # A FILESTREAM filegroup's container is a folder (Type S).
    "filestream": ("/backup/store.bak", [
        ("nop", r"D:\data\nop.mdf", "D", "PRIMARY", 1, 1),
        ("nop_log", r"E:\log\nop_log.ldf", "L", None, 1, 2),
        ("nop_pictures", r"D:\filestream\pictures", "S", "PictureStream", 0, 65537),
    ]),
    # A full-text catalog of a SQL Server 2005 database, upgraded (Type F, a folder).
    "fulltext_catalog": ("/backup/store.bak", [
        ("nop", r"D:\data\nop.mdf", "D", "PRIMARY", 1, 1),
        ("nop_log", r"E:\log\nop_log.ldf", "L", None, 1, 2),
        ("sysft_nopCommerceFullTextCatalog", r"D:\FTData\nopCommerceFullTextCatalog", "F",
         "PRIMARY", 0, 3),
    ]),
    # The primary file not listed first; names that sanitise alike must not collide.
    "names_that_collide": ("/backup/store.bak", [
        ("nop data", r"D:\data\nop_data.ndf", "D", "PRIMARY", 1, 3),
        ("nop_data", r"D:\data\nop.mdf", "D", "PRIMARY", 1, 1),
        ("nop/data", r"D:\data\nop3.ndf", "D", "PRIMARY", 1, 4),
        ("nop_log", r"E:\log\nop_log.ldf", "L", None, 1, 2),
    ]),
}


@pytest.mark.parametrize("name", list(FILELISTS))
def test_restore_sql_matches_the_golden_file(name: str) -> None:
    path, rows = FILELISTS[name]
    files = parse_filelist(COLUMNS, rows)
    assert restore_sql("nopcommerce", path, files) + "\n" == (
        GOLDEN / f"restore_{name}.sql").read_text()


def _tsql_tokens(sql: str) -> list[tuple[str, str]]:
    return [(t.token_type.name, t.text) for t in TSQL().tokenize(sql)]


@pytest.mark.parametrize("name", list(FILELISTS))
def test_generated_tsql_lexes_back_to_the_same_names_and_paths(name: str) -> None:
    # sqlglot's T-SQL grammar has no RESTORE statement, but its T-SQL lexer proves that every
    # literal and bracketed name is closed and reads back as the value that was meant.
    path, rows = FILELISTS[name]
    files = parse_filelist(COLUMNS, rows)
    tokens = _tsql_tokens(restore_sql("nopcommerce", path, files))
    strings = [text for kind, text in tokens if kind == "NATIONAL_STRING"]
    assert strings[0] == path
    assert strings[1::2] == [f.logical_name for f in files]
    assert all(target.startswith("/var/opt/mssql/data/") for target in strings[2::2])
    assert ("IDENTIFIER", "nopcommerce") in tokens
    assert ("NATIONAL_STRING", path) in _tsql_tokens(filelist_sql(path))


def test_hostile_names_stay_one_token() -> None:
    sql = restore_sql("shop]; DROP DATABASE x; --", "/backup/x.bak", [BackupFile("a'b", "p", "D")])
    tokens = _tsql_tokens(sql)
    assert ("IDENTIFIER", "shop]; DROP DATABASE x; --") in tokens
    assert ("NATIONAL_STRING", "a'b") in tokens
    assert not any(kind == "DROP" for kind, _ in tokens)


def test_names_and_literals_are_escaped() -> None:
    sql = restore_sql("shop]; DROP DATABASE x; --", "/backup/it's.bak",
                      [BackupFile("a'b", "x", "D")])
    assert "[shop]]; DROP DATABASE x; --]" in sql
    assert "N'/backup/it''s.bak'" in sql and "MOVE N'a''b'" in sql


def test_filelist_columns_are_found_in_any_case() -> None:
    files = parse_filelist(["logicalname", "PHYSICALNAME", "type"], [("n", "p", "l ")])
    assert files == [BackupFile("n", "p", "L")]


@pytest.mark.parametrize("name", list(FILELISTS))
def test_every_file_gets_its_own_move_target(name: str) -> None:
    from rehearse.database.mssql_tsql import move_targets

    _, rows = FILELISTS[name]
    files = parse_filelist(COLUMNS, rows)
    targets = dict(move_targets("nopcommerce", files))
    assert list(targets) == [f.logical_name for f in files]
    assert len({t.lower() for t in targets.values()}) == len(files)  # no two alike
    by_kind = {f.logical_name: f.kind for f in files}
    mdf = [n for n, t in targets.items() if t.endswith(".mdf")]
    assert mdf == [next(f.logical_name for f in files if f.file_id == 1)]
    for logical, target in targets.items():
        folder = by_kind[logical] in ("S", "F")  # FILESTREAM and full-text: folders
        assert target.endswith((".mdf", ".ndf", ".ldf")) != folder


@pytest.mark.parametrize(
    ("available", "override", "expected"),
    [
        (["FreeTDS", "ODBC Driver 18 for SQL Server"], None, "ODBC Driver 18 for SQL Server"),
        (["ODBC Driver 17 for SQL Server", "FreeTDS"], None, "ODBC Driver 17 for SQL Server"),
        (["FreeTDS"], None, "FreeTDS"),
        (["FreeTDS"], "/opt/mssql/libmsodbcsql-18.so", "/opt/mssql/libmsodbcsql-18.so"),
    ],
)
def test_driver_choice(available: list[str], override: str | None, expected: str) -> None:
    assert choose_driver(available, override) == expected


def test_no_driver_is_an_environment_error() -> None:
    with pytest.raises(EnvironmentNotReadyError, match="no ODBC driver"):
        choose_driver(["PostgreSQL Unicode"])


CREDENTIALS = Credentials("sa", "Aa1_p;w}d", "nopcommerce")


def test_microsoft_driver_trusts_the_containers_self_signed_certificate() -> None:
    text = connection_string("ODBC Driver 18 for SQL Server", Endpoint("127.0.0.1", 41433),
                             CREDENTIALS, "master")
    assert text.startswith("DRIVER={ODBC Driver 18 for SQL Server};SERVER=127.0.0.1,41433;")
    assert "PWD={Aa1_p;w}}d}" in text  # braces keep ; and } in a password
    assert "TrustServerCertificate=yes" in text and "DATABASE=master" in text


def test_freetds_gets_a_tds_version_instead() -> None:
    text = connection_string("FreeTDS", Endpoint("127.0.0.1", 1), CREDENTIALS, "nopcommerce")
    assert "TDS_Version=7.4" in text and "TrustServerCertificate" not in text


def test_restore_progress_from_stats_messages() -> None:
    messages = ["[Microsoft][ODBC Driver 18]10 percent processed.", "55 percent processed.",
                "Processed 1234 pages for database 'nopcommerce'"]
    assert progress(messages) == 55
    assert progress([]) is None


def test_service_spec_follows_the_official_image_contract() -> None:
    spec = SqlServer().service_spec(SqlServer.default_image, CREDENTIALS, "4g")
    assert spec.env["ACCEPT_EULA"] == "Y" and spec.env["MSSQL_PID"] == "Developer"
    assert spec.env["MSSQL_SA_PASSWORD"] == CREDENTIALS.password
    assert spec.image == "mcr.microsoft.com/mssql/server:2022-latest"
    assert "ready for client connections" in spec.ready_log


class FakeCursor:
    """Result sets as pyodbc shows them: messages of the current set, nextset() to move on."""

    def __init__(self, sets: list[list[str]]) -> None:
        self._sets = sets
        self.messages = [("[01000]", m) for m in sets[0]]
        self.position = 0

    def nextset(self) -> bool:
        self.position += 1
        if self.position >= len(self._sets):
            return False
        self.messages = [("[01000]", m) for m in self._sets[self.position]]
        return True


def test_every_result_set_is_read_and_stats_stream_as_percentages() -> None:
    from rehearse.database.engines.sqlserver import _drain, progress_reporter

    cursor = FakeCursor([["10 percent processed."], ["20 percent processed."], [],
                         ["100 percent processed.", "RESTORE DATABASE successfully processed"]])
    seen: list[int] = []
    report = progress_reporter(seen.append)
    emitted: list[str] = []

    def emit(message: str) -> None:
        emitted.append(message)
        report(message)

    _drain(cursor, emit)
    assert cursor.position == 4  # walked to the end: the RESTORE was not abandoned
    assert seen == [10, 20, 100]
    assert emitted[-1] == "RESTORE DATABASE successfully processed"
