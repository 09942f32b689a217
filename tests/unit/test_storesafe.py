"""The store made to answer the sandbox, checked on an in-memory SQLite copy of its tables."""

from __future__ import annotations

import sqlite3
from typing import Any, ClassVar

import pytest

from rehearse.database.storesafe import AS_IS_NOTE, make_store_safe


class SqliteStore:
    """Just enough of the Database protocol, over SQLite (a test double with real SQL)."""

    false = "0"

    hashing = None  # the values are read and hashed by rehearse

    def __init__(self, lower_case: bool = False) -> None:
        self.conn = sqlite3.connect(":memory:")
        name = str.lower if lower_case else str
        for sql in (
            f"CREATE TABLE {name('Store')} (Id int, Name text, Url text, SslEnabled int, "
            "Hosts text, DisplayOrder int)",
            f"INSERT INTO {name('Store')} VALUES (1, 'Shop', 'https://www.shop.example/', 1, "
            "'shop.example,www.shop.example', 1), (2, 'Outlet', 'https://outlet.example/', 1, "
            "'outlet.example', 2)",
            f"CREATE TABLE {name('Setting')} (Id int, Name text, Value text, StoreId int)",
            f"INSERT INTO {name('Setting')} VALUES "
            "(1, 'seosettings.wwwrequirement', 'WithWww', 0), "
            "(2, 'storeinformationsettings.storeclosed', 'True', 0), "
            "(3, 'captchasettings.showonloginpage', 'True', 0), "
            "(4, 'captchasettings.showonregistrationpage', 'True', 2), "
            "(5, 'multifactorauthenticationsettings.forcemultifactorauthentication', 'True', 0), "
            "(6, 'securitysettings.adminareaallowedipaddresses', '203.0.113.7', 0), "
            "(7, 'seosettings.pagetitle', 'Shop', 0)",
            f"CREATE TABLE {name('CustomerRole')} (Id int, SystemName text, "
            "EnablePasswordLifetime int)",
            f"INSERT INTO {name('CustomerRole')} VALUES (1, 'Administrators', 1), "
            "(2, 'Registered', 0)",
            f"CREATE TABLE {name('GenericAttribute')} (Id int, EntityId int, KeyGroup text, "
            "Key text, Value text)",
            f"INSERT INTO {name('GenericAttribute')} VALUES (1, 1, 'Customer', "
            "'SelectedMultiFactorAuthProvider', 'GoogleAuthenticator')",
        ):
            self.conn.execute(sql)

    def quote(self, identifier: str) -> str:
        return f'"{identifier}"'

    def table_names(self) -> list[str]:
        return [r[0] for r in self.conn.execute("SELECT name FROM sqlite_master")]

    def query(self, sql: str) -> tuple[list[str], list[tuple[Any, ...]]]:
        cursor = self.conn.execute(sql)
        return [d[0] for d in cursor.description or ()], cursor.fetchall()

    def execute(self, sql: str, on_message: Any = None) -> list[str]:
        self.conn.execute(sql)
        return []

    def value(self, sql: str) -> Any:
        return self.conn.execute(sql).fetchall()


@pytest.mark.parametrize("lower_case", [False, True], ids=["exact-case", "lower-case"])
def test_every_store_and_blocker_is_made_safe_with_old_and_new_values(lower_case: bool) -> None:
    db = SqliteStore(lower_case)
    changes = make_store_safe(db)
    assert db.value("SELECT Url, SslEnabled, Hosts FROM Store") == [
        ("http://localhost/", 0, "localhost")] * 2
    settings = dict(db.value("SELECT Name, Value FROM Setting"))
    assert settings["seosettings.wwwrequirement"] == "NoMatter"
    assert settings["storeinformationsettings.storeclosed"] == "False"
    assert settings["captchasettings.showonregistrationpage"] == "False"
    assert settings["securitysettings.adminareaallowedipaddresses"] == ""
    assert settings["seosettings.pagetitle"] == "Shop"  # everything else kept
    assert db.value("SELECT EnablePasswordLifetime FROM CustomerRole") == [(0,), (0,)]
    assert db.value("SELECT COUNT(*) FROM GenericAttribute") == [(0,)]
    assert changes[0] == ("store 1: SslEnabled true, Url https://www.shop.example/, Hosts "
                          "shop.example,www.shop.example → SslEnabled off, Url "
                          "http://localhost/, Hosts localhost")
    assert "setting seosettings.wwwrequirement (store 0): WithWww → NoMatter" in changes
    assert "setting captchasettings.showonregistrationpage (store 2): True → False" in changes
    assert ("setting securitysettings.adminareaallowedipaddresses (store 0): 203.0.113.7 → "
            "(empty)") in changes
    assert "CustomerRole.EnablePasswordLifetime: on for 1 roles → off" in changes
    assert len(changes) == 10


def test_as_is_keeps_ssl_hosts_www_and_closed_and_says_so() -> None:
    db = SqliteStore()
    changes = make_store_safe(db, as_is=True)
    assert changes[0] == AS_IS_NOTE
    assert db.value("SELECT DISTINCT SslEnabled FROM Store") == [(1,)]
    settings = dict(db.value("SELECT Name, Value FROM Setting"))
    assert settings["storeinformationsettings.storeclosed"] == "True"
    assert settings["captchasettings.showonloginpage"] == "False"  # login blockers still off


def test_a_safe_store_needs_no_change_the_second_time() -> None:
    db = SqliteStore()
    make_store_safe(db)
    again = make_store_safe(db)
    assert [c for c in again if not c.startswith("store ")] == []


def test_a_fresh_install_without_those_tables_is_left_alone() -> None:
    db = SqliteStore()
    for table in ("Store", "Setting", "CustomerRole", "GenericAttribute"):
        db.conn.execute(f"DROP TABLE {table}")
    assert make_store_safe(db) == ()


class RecordingSqlServer:
    """Answers like a SQL Server store with every blocker on; records the T-SQL sent."""

    false = "0"

    hashing = None  # the values are read and hashed by rehearse
    COLUMNS: ClassVar[dict[str, list[str]]] = {
        "Store": ["Id", "Name", "Url", "SslEnabled", "Hosts", "SecureUrl"],
        "Setting": ["Id", "Name", "Value", "StoreId"],
        "CustomerRole": ["Id", "SystemName", "EnablePasswordLifetime"],
        "Customer": ["Id", "Email", "MustChangePassword"],
        "GenericAttribute": ["Id", "KeyGroup", "Key", "Value"]}

    def __init__(self) -> None:
        self.sent: list[str] = []

    def quote(self, identifier: str) -> str:
        return "[" + identifier.replace("]", "]]") + "]"

    def table_names(self) -> list[str]:
        return list(self.COLUMNS)

    def query(self, sql: str) -> tuple[list[str], list[tuple[Any, ...]]]:
        self.sent.append(sql)
        table = sql.split("FROM [", 1)[1].split("]", 1)[0]
        if "WHERE 1 = 0" in sql:
            return self.COLUMNS[table], []
        if sql.startswith("SELECT COUNT(*)"):
            return ["n"], [(2,)]
        if table == "Store":
            return [], [(1, True, "https://www.shop.example/", "www.shop.example", "")]
        return [], [(0, "On")]

    def execute(self, sql: str, on_message: Any = None) -> list[str]:
        self.sent.append(sql)
        return []


def test_the_tsql_it_sends_parses_as_sql_server_statements() -> None:
    from sqlglot import parse_one

    db = RecordingSqlServer()
    changes = make_store_safe(db)
    for sql in db.sent:
        parse_one(sql, read="tsql")
    updates = [sql for sql in db.sent if sql.startswith("UPDATE [Store]")]
    assert updates == ["UPDATE [Store] SET [SslEnabled] = 0, [Url] = 'http://localhost/', "
                       "[Hosts] = 'localhost', [SecureUrl] = ''"]
    assert "Customer.MustChangePassword: on for 2 customers → off" in changes
    assert any(sql.startswith("DELETE FROM [GenericAttribute] WHERE [Key] = ") for sql in db.sent)
