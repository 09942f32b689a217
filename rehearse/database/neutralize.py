"""Before any app starts, cut the restored store off from its customers and the world:
mail accounts pointed at nothing, queued mail held back, scheduled tasks off, and, if asked,
customers' personal data replaced. Returns what it changed, for the report."""

from __future__ import annotations

from rehearse.database.fulltext import turn_off_full_text
from rehearse.database.storedb import Database, Tables

NOWHERE_HOST = "127.0.0.1"  # inside the store's container nothing listens there
NOWHERE_PORT = 9
HELD_BACK_TRIES = 99  # nopCommerce sends a queued mail only while SentTries < 3

# Per table, the personal columns and their replacement ({id}: the row's Id); a store's
# version has some of them (4.60 moved names from GenericAttribute into Customer).
PERSONAL: dict[str, dict[str, str]] = {
    "Customer": {"Email": "CONCAT('customer', {id}, '@example.invalid')",
                 "Username": "CONCAT('customer', {id}, '@example.invalid')",
                 "FirstName": "'Anonymous'", "LastName": "CONCAT('Customer ', {id})",
                 "Phone": "NULL"},
    "Address": {"FirstName": "'Anonymous'", "LastName": "CONCAT('Customer ', {id})",
                "Email": "CONCAT('address', {id}, '@example.invalid')",
                "Address1": "'1 Example Street'", "PhoneNumber": "NULL"},
    "NewsLetterSubscription": {"Email": "CONCAT('subscriber', {id}, '@example.invalid')"},
}


def neutralize(db: Database, anonymize: bool = False) -> tuple[str, ...]:
    tables = Tables(db.table_names())
    changes = [_mail_accounts(db, tables), _queued_mail(db, tables), _scheduled_tasks(db, tables),
               turn_off_full_text(db)]
    if anonymize:
        changes.append(_personal_data(db, tables))
    return tuple(change for change in changes if change)


def _columns(db: Database, table: str) -> set[str]:
    columns, _ = db.query(f"SELECT * FROM {db.quote(table)} WHERE 1 = 0")
    return set(columns)


def _update(db: Database, table: str, assignments: dict[str, str], where: str = "") -> int:
    """UPDATE only the columns this store's version has; returns the rows touched."""
    present = {c.lower(): c for c in _columns(db, table)}
    sets = [f"{db.quote(present[name.lower()])} = {value}"
            for name, value in assignments.items() if name.lower() in present]
    if not sets:
        return 0
    condition = f" WHERE {where}" if where else ""
    _, rows = db.query(f"SELECT COUNT(*) FROM {db.quote(table)}{condition}")
    db.execute(f"UPDATE {db.quote(table)} SET {', '.join(sets)}{condition}")
    return int(rows[0][0])


def _mail_accounts(db: Database, tables: Tables) -> str:
    table = tables.find("EmailAccount")
    if table is None:
        return ""
    touched = _update(db, table, {"Host": f"'{NOWHERE_HOST}'", "Port": str(NOWHERE_PORT),
                                  "Username": "''", "Password": "''", "EnableSsl": db.false})
    return f"{touched} email accounts pointed at {NOWHERE_HOST}:{NOWHERE_PORT} (nowhere)"


def _queued_mail(db: Database, tables: Tables) -> str:
    table = tables.find("QueuedEmail")
    if table is None:
        return ""
    unsent = f"{db.quote(_column(db, table, 'SentOnUtc'))} IS NULL" \
        if "sentonutc" in {c.lower() for c in _columns(db, table)} else ""
    touched = _update(db, table, {"SentTries": str(HELD_BACK_TRIES)}, unsent)
    return f"{touched} queued emails held back (SentTries = {HELD_BACK_TRIES})"


def _scheduled_tasks(db: Database, tables: Tables) -> str:
    table = tables.find("ScheduleTask")
    if table is None:
        return ""
    touched = _update(db, table, {"Enabled": db.false})
    return f"{touched} scheduled tasks disabled"


def _personal_data(db: Database, tables: Tables) -> str:
    touched: dict[str, int] = {}
    for table_name, columns in PERSONAL.items():
        table = tables.find(table_name)
        if table is None:
            continue
        row_id = db.quote(_column(db, table, "Id"))
        count = _update(db, table, {c: e.format(id=row_id) for c, e in columns.items()})
        if count:
            touched[table_name] = count
    if not touched:
        return ""
    rows = ", ".join(f"{count} {name}" for name, count in touched.items())
    return f"personal data anonymized ({rows} rows: emails, names, addresses, phones)"


def _column(db: Database, table: str, name: str) -> str:
    for column in _columns(db, table):
        if column.lower() == name.lower():
            return column
    return name


def after_app_start(db: Database) -> tuple[str, ...]:
    """Migrations insert enabled tasks (4.60's ResetLicenseCheckTask, nopcommerce.md §11) and a
    started app may queue mail: both made safe again before the checks and the next step."""
    tables = Tables(db.table_names())
    changes = []
    tasks = tables.find("ScheduleTask")
    if tasks is not None:
        enabled = f"{db.quote(_column(db, tasks, 'Enabled'))} <> {db.false}"
        _, rows = db.query(f"SELECT {db.quote(_column(db, tasks, 'Name'))} "
                           f"FROM {db.quote(tasks)} WHERE {enabled}")
        if rows:
            _update(db, tasks, {"Enabled": db.false}, enabled)
            changes += [f"scheduled task {row[0]!r}: enabled → disabled" for row in rows]
    mail = tables.find("QueuedEmail")
    if mail is not None and "sentonutc" in {c.lower() for c in _columns(db, mail)}:
        unsent = (f"{db.quote(_column(db, mail, 'SentOnUtc'))} IS NULL AND "
                  f"{db.quote(_column(db, mail, 'SentTries'))} < {HELD_BACK_TRIES}")
        touched = _update(db, mail, {"SentTries": str(HELD_BACK_TRIES)}, unsent)
        if touched:
            changes.append(f"{touched} newly queued emails held back (SentTries = "
                           f"{HELD_BACK_TRIES})")
    return tuple(changes)
