"""The same neutralising on SQL Server, checked as the T-SQL it sends."""

from __future__ import annotations

from typing import Any

from sqlglot import exp, parse_one

from rehearse.database.neutralize import neutralize

COLUMNS = {
    "EmailAccount": ["Id", "Email", "Host", "Port", "Username", "Password", "EnableSsl"],
    "QueuedEmail": ["Id", "SentTries", "SentOnUtc"],
    "ScheduleTask": ["Id", "Name", "Enabled"],
    "Customer": ["Id", "Email", "Username"],  # before 4.60 names live in GenericAttribute
}


class RecordingSqlServer:
    false = "0"
    hashing = None  # the values are read and hashed by rehearse

    def __init__(self) -> None:
        self.sent: list[str] = []

    def quote(self, identifier: str) -> str:
        return "[" + identifier.replace("]", "]]") + "]"

    def table_names(self) -> list[str]:
        return list(COLUMNS)

    def query(self, sql: str) -> tuple[list[str], list[tuple[Any, ...]]]:
        table = sql.split("FROM [", 1)[1].split("]", 1)[0]
        if sql.startswith("SELECT COUNT(*)"):
            return ["n"], [(3,)]
        return COLUMNS[table], []

    def execute(self, sql: str, on_message: Any = None) -> list[str]:
        self.sent.append(sql)
        return []


def test_tsql_updates_only_existing_columns_and_parses() -> None:
    db = RecordingSqlServer()
    changes = neutralize(db, anonymize=True)
    for sql in db.sent:
        assert isinstance(parse_one(sql, read="tsql"), exp.Update), sql
    mail, queue, tasks, customers = db.sent
    assert mail == ("UPDATE [EmailAccount] SET [Host] = '127.0.0.1', [Port] = 9, "
                    "[Username] = '', [Password] = '', [EnableSsl] = 0")
    assert queue == "UPDATE [QueuedEmail] SET [SentTries] = 99 WHERE [SentOnUtc] IS NULL"
    assert tasks == "UPDATE [ScheduleTask] SET [Enabled] = 0"
    assert customers.startswith("UPDATE [Customer] SET [Email] = CONCAT('customer', [Id]")
    assert len(changes) == 4


def test_without_anonymize_personal_data_is_left_alone() -> None:
    db = RecordingSqlServer()
    neutralize(db)
    assert not any("[Customer]" in sql for sql in db.sent)
