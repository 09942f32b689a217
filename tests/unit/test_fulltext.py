"""Full-text search (≤ 4.30) turned off in the sandbox copy, on a real SQL database (SQLite)."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from typing import Any

import pytest

from rehearse.database.fulltext import SETTING, turn_off_full_text, uses_full_text
from rehearse.database.mssql_diagnose import explain
from rehearse.database.neutralize import neutralize


class Sqlite:
    false = "0"
    hashing = None  # the values are read and hashed by rehearse

    def __init__(self, setting_value: str | None) -> None:
        self.connection = sqlite3.connect(":memory:")
        self.connection.execute('CREATE TABLE "Setting" ("Id" int, "Name" text, "Value" text)')
        self.connection.execute("""INSERT INTO "Setting" VALUES (1, 'seosettings.x', 'True')""")
        if setting_value is not None:
            self.connection.execute('INSERT INTO "Setting" VALUES (2, ?, ?)',
                                    ("CommonSettings.UseFullTextSearch", setting_value))

    def quote(self, identifier: str) -> str:
        return '"' + identifier.replace('"', '""') + '"'

    def table_names(self) -> list[str]:
        rows = self.connection.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
        return [str(r[0]) for r in rows]

    def query(self, sql: str) -> tuple[list[str], list[tuple[Any, ...]]]:
        cursor = self.connection.execute(sql)
        return [d[0] for d in cursor.description or ()], cursor.fetchall()

    def execute(self, sql: str, on_message: Callable[[str], None] | None = None) -> list[str]:
        self.connection.execute(sql)
        return []

    def value(self, name: str) -> str:
        rows = self.connection.execute('SELECT "Value" FROM "Setting" WHERE "Name" = ?', (name,))
        return str(rows.fetchone()[0])


@pytest.mark.parametrize(("value", "on"), [("True", True), ("true", True), ("False", False),
                                           (None, False)])
def test_full_text_is_seen_whatever_the_case_of_the_settings_name(value: str | None,
                                                                   on: bool) -> None:
    assert uses_full_text(Sqlite(value)) is on  # type: ignore[arg-type]


def test_the_copy_gets_full_text_off_as_a_made_safe_entry() -> None:
    db = Sqlite("True")
    changes = neutralize(db)  # type: ignore[arg-type]
    assert any(SETTING in change and "Msg 7609" in change for change in changes)
    assert db.value("CommonSettings.UseFullTextSearch") == "False"
    assert db.value("seosettings.x") == "True"  # nothing else touched
    assert turn_off_full_text(db) == ""  # type: ignore[arg-type]


def test_a_search_failure_from_full_text_is_explained_in_those_words() -> None:
    error = explain("Msg 7609, Level 17: Full-Text Search is not installed, or a full-text "
                    "component cannot be loaded.")
    assert error is not None and "full-text search" in error.message
    assert SETTING in error.hint
