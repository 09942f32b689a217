"""An in-memory SQLite database behind rehearse's Database protocol, for reads that need SQL."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from typing import Any


class SqliteStore:
    false = "0"
    hashing = None  # the values are read and hashed by rehearse
    sessions = False  # one connection: reads run one after another

    def __init__(self) -> None:
        self.connection = sqlite3.connect(":memory:")

    def quote(self, identifier: str) -> str:
        return '"' + identifier.replace('"', '""') + '"'

    def table_names(self) -> list[str]:
        _, rows = self.query("SELECT name FROM sqlite_master WHERE type = 'table'")
        return [str(row[0]) for row in rows]

    def query(self, sql: str) -> tuple[list[str], list[tuple[Any, ...]]]:
        cursor = self.connection.execute(sql)
        return [c[0] for c in cursor.description or ()], cursor.fetchall()

    def execute(self, sql: str, on_message: Callable[[str], None] | None = None) -> list[str]:
        self.connection.execute(sql)
        return []

    def table(self, name: str, columns: str, rows: list[tuple[Any, ...]]) -> None:
        self.connection.execute(f'CREATE TABLE "{name}" ({columns})')
        marks = ", ".join("?" * len(rows[0])) if rows else ""
        self.connection.executemany(f'INSERT INTO "{name}" VALUES ({marks})', rows)
