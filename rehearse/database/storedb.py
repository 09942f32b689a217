"""A restored store's database, seen through a small protocol: tables, version, baseline.

Real stores have lower-case tables from Windows dumps, extra tables and missing ones
(nopcommerce.md, "What real store databases look like"): every lookup here is case-insensitive
and a missing table is reported, never a crash.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass, field, replace
from typing import Any, Protocol

from rehearse.catalog import RELEASES, ExpectedShrink, release
from rehearse.catalog_tables import all_core_tables, core_tables
from rehearse.database.rowhash import Hashing
from rehearse.errors import BadInputError
from rehearse.version import Version

KEY_TABLES = (
    "Product", "Category", "Manufacturer", "Customer", "Order", "OrderItem", "Picture",
    "UrlRecord", "Setting", "LocaleStringResource", "GenericAttribute", "Log", "ActivityLog",
    "NewsLetterSubscription", "EmailAccount", "QueuedEmail", "ScheduleTask",
    "MigrationVersionInfo",
)
VERSION_TABLE = "MigrationVersionInfo"
_UPDATE_ROW = re.compile(r"nopCommerce version (\d+\.\d+(?:\.\d+)?)\. Update", re.IGNORECASE)
NEWEST_MIGRATIONS = 5


class QueryError(Exception):
    """A statement failed on the server; engines turn their driver's errors into this."""


class Database(Protocol):
    """What the domain needs of a database connection; each engine provides one."""

    def quote(self, identifier: str) -> str:
        ...

    @property
    def false(self) -> str:
        """The SQL literal a false boolean column compares with."""
        ...

    @property
    def hashing(self) -> Hashing | None:
        """How the engine hashes a row itself; None: the values are read and hashed here."""
        ...

    def table_names(self) -> list[str]:
        ...

    def query(self, sql: str) -> tuple[list[str], list[tuple[Any, ...]]]:
        """Column names and rows."""
        ...

    def execute(self, sql: str, on_message: Callable[[str], None] | None = None) -> list[str]:
        """Run one batch; return the server's informational messages."""
        ...

    def stream(self, sql: str) -> Iterator[Sequence[Sequence[Any]]]:
        """The query's rows in fetches, as the server sends them: for results too big to hold."""
        ...

    @property
    def sessions(self) -> bool:
        """Whether `session` opens another session; False: reads run one after another."""
        ...

    def session(self) -> AbstractContextManager[Database]:
        """Another session on the same database for the length of a block, to read beside this
        one (database/beside.py)."""
        ...


class Tables:
    """The store's tables, found whatever their case."""

    def __init__(self, names: Sequence[str]) -> None:
        self._by_lower = {name.lower(): name for name in names}

    def find(self, name: str) -> str | None:
        return self._by_lower.get(name.lower())

    def has(self, name: str) -> bool:
        return self.find(name) is not None


@dataclass(frozen=True)
class Detection:
    """The version a database holds: exact from 4.30 on, a bound before (no version table)."""

    version: Version | None
    at_most: Version | None
    evidence: str
    missing: tuple[str, ...] = ()  # core tables of that version the store lacks


    def matches(self, declared: Version) -> bool:
        if self.version is not None:
            return self.version.line == declared.line
        return self.at_most is not None and declared.line <= self.at_most

    def describe(self) -> str:
        return str(self.version) if self.version else f"{self.at_most} or older"


@dataclass(frozen=True)
class Baseline:
    counts: dict[str, int]
    missing: tuple[str, ...]
    newest_migrations: tuple[str, ...]
    # Rows per key of every catalogued expected shrink: "GenericAttribute.Customer.FirstName".
    keyed: dict[str, int] = field(default_factory=dict)


def detect_version(db: Database) -> Detection:
    """The version first, then the core tables of that version the store lacks."""
    tables = Tables(db.table_names())
    if not any(tables.has(name) for name in all_core_tables()):
        raise BadInputError(
            "the restored database is not a nopCommerce store (none of nopCommerce's tables)",
            hint="check that store.backup is the store's database backup")
    detection = _detect(db, tables)
    listed = core_tables(detection.version) if detection.version else None
    missing = tuple(name for name in listed or () if not tables.has(name))
    return replace(detection, missing=missing)


def require_whole(detection: Detection) -> None:
    """A store without tables its version's app maps cannot be upgraded: say which."""
    if detection.missing:
        raise BadInputError(
            f"the store lacks tables nopCommerce {detection.describe()} needs: "
            f"{', '.join(detection.missing)}",
            hint="restore a complete backup of the store's database (`rehearse inspect` lists "
                 "what is missing)")


def _detect(db: Database, tables: Tables) -> Detection:
    version_table = tables.find(VERSION_TABLE)
    if version_table is None:
        return _fingerprint(db, tables)
    labels = [_update_version(description) for _, description in _migrations(db, version_table)]
    found = [v for v in labels if v is not None]
    if not found:
        return Detection(Version(4, 30), None, "MigrationVersionInfo has no update rows")
    newest = max(found)
    return Detection(newest.line, None, f"newest row: nopCommerce version {newest}. Update …")


def applied_updates(db: Database) -> set[Version]:
    """Release lines whose `nopCommerce version X. Update …` rows are recorded."""
    table = Tables(db.table_names()).find(VERSION_TABLE)
    if table is None:
        return set()
    found = (_update_version(description) for _, description in _migrations(db, table))
    return {v.line for v in found if v is not None}


# Before 4.30 no table records the version: what each upgrade script added tells it instead.
FINGERPRINTS: tuple[tuple[Version, str, str], ...] = (
    # upgradescripts/4.10-4.20/upgrade.sql inserts this setting; the 4.20 installer has it too.
    (Version(4, 20), "setting", "sitemapxmlsettings.sitemapxmlenabled"),
    # upgradescripts/4.00-4.10/upgrade.sql creates this table.
    (Version(4, 10), "table", "VendorAttribute"),
)


def _fingerprint(db: Database, tables: Tables) -> Detection:
    for version, kind, name in FINGERPRINTS:
        if kind == "table" and tables.has(name):
            return Detection(version, None, f"no MigrationVersionInfo, but table {name}")
        if kind == "setting" and _has_setting(db, tables, name):
            return Detection(version, None, f"no MigrationVersionInfo, but setting {name}")
    oldest = min(version for version, _, _ in FINGERPRINTS)
    below = [r.line for r in RELEASES if r.line < oldest][-1]
    return Detection(None, below, f"no MigrationVersionInfo and none of {oldest}'s marks")


def _has_setting(db: Database, tables: Tables, name: str) -> bool:
    table = tables.find("Setting")
    if table is None:
        return False
    _, rows = db.query(f"SELECT COUNT(*) FROM {db.quote(table)} "
                       f"WHERE LOWER({db.quote('Name')}) = '{name}'")
    return int(rows[0][0]) > 0


NOISE = ("Error 404.", "Error 400.")  # logged by default, not failures (nopcommerce.md §8)


def newest_log_id(db: Database) -> int:
    table = Tables(db.table_names()).find("Log")
    if table is None:
        return 0
    _, rows = db.query(f"SELECT MAX({db.quote('Id')}) FROM {db.quote(table)}")
    return int(rows[0][0] or 0)


def errors_logged_since(db: Database, last_id: int) -> list[str]:
    """Short messages of Error/Fatal rows (LogLevelId >= 40) written after `last_id`, noise out."""
    table = Tables(db.table_names()).find("Log")
    if table is None:
        return []
    _, rows = db.query(
        f"SELECT {db.quote('ShortMessage')} FROM {db.quote(table)} WHERE "
        f"{db.quote('LogLevelId')} >= 40 AND {db.quote('Id')} > {int(last_id)} "
        f"ORDER BY {db.quote('Id')}")
    messages = [str(row[0] or "") for row in rows]
    return [m for m in messages if not m.startswith(NOISE)]


def first_product(db: Database) -> tuple[str, str | None] | None:
    """A published product's name and its URL slug, for the page checks."""
    tables = Tables(db.table_names())
    products, urls = tables.find("Product"), tables.find("UrlRecord")
    if products is None:
        return None
    q = db.quote
    # MIN, not ORDER BY: no LIMIT/TOP that all three dialects share, and a big catalogue must
    # not be fetched whole (the 1 GB bench store has 696,300 products).
    _, first = db.query(f"SELECT MIN({q('Id')}) FROM {q(products)} "
                        f"WHERE {q('Deleted')} = {db.false}")
    if first[0][0] is None:
        return None
    product_id = int(first[0][0])
    _, rows = db.query(f"SELECT {q('Name')} FROM {q(products)} WHERE {q('Id')} = {product_id}")
    name = rows[0][0]
    slug = None
    if urls is not None:
        _, found = db.query(f"SELECT {q('Slug')} FROM {q(urls)} WHERE {q('EntityName')} = "
                            f"'Product' AND {q('EntityId')} = {int(product_id)}")
        slug = str(found[0][0]) if found else None
    return str(name), slug


def check_declared(detection: Detection, declared: Version) -> None:
    if not detection.matches(declared):
        raise BadInputError(
            f"the backup holds a nopCommerce {detection.describe()} store, not {declared} as "
            f"declared ({detection.evidence})",
            hint="declare the version the store really runs (store.version in a scenario, "
                 "--version on the command line)")


def baseline(db: Database) -> Baseline:
    tables = Tables(db.table_names())
    present = {name: actual for name in KEY_TABLES if (actual := tables.find(name)) is not None}
    missing = [name for name in KEY_TABLES if name not in present]
    found = count_rows(db, present)
    counts = {name: found[name] for name in KEY_TABLES if name in found}
    keyed = {label: count for shrink in _SHRINKS for label, count in
             _keyed_counts(db, tables, shrink).items()}
    return Baseline(counts, tuple(missing), _newest_migrations(db, tables), keyed)


def count_rows(db: Database, tables: Mapping[str, str]) -> dict[str, int]:
    """Rows of each table ({label: the table's real name}) in one statement, one round trip
    instead of one per table; UNION ALL reads the same on all three engines."""
    if not tables:
        return {}
    q = db.quote
    parts = [f"SELECT {_literal(label)} AS {q('label')}, COUNT(*) AS {q('n')} FROM {q(actual)}"
             for label, actual in tables.items()]
    _, rows = db.query(" UNION ALL ".join(parts))
    return {str(label): int(count) for label, count in rows}


def _literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


_SHRINKS = tuple(shrink for r in RELEASES for shrink in r.expected_shrinks)


def _keyed_counts(db: Database, tables: Tables, shrink: ExpectedShrink) -> dict[str, int]:
    """Rows per key of `shrink` (a `Key` column within a `KeyGroup`), zero for absent keys."""
    table = tables.find(shrink.table)
    if table is None:
        return {}
    q = db.quote
    group = shrink.key_group.replace("'", "''")
    _, rows = db.query(f"SELECT {q('Key')}, COUNT(*) FROM {q(table)} WHERE {q('KeyGroup')} = "
                       f"'{group}' GROUP BY {q('Key')}")
    found = {str(key): int(count) for key, count in rows}
    return {label: found.get(key, 0) for key, label in zip(shrink.keys, shrink.labels(),
                                                           strict=True)}


def _migrations(db: Database, table: str) -> list[tuple[int, str]]:
    """(Version, Description) of every `MigrationVersionInfo` row, whatever the columns' case."""
    columns, rows = db.query(f"SELECT * FROM {db.quote(table)}")
    description, version = _column(columns, "Description"), _column(columns, "Version")
    return [(int(row[version]), str(row[description])) for row in rows
            if row[description] is not None]


def _newest_migrations(db: Database, tables: Tables) -> tuple[str, ...]:
    table = tables.find(VERSION_TABLE)
    if table is None:
        return ()
    newest = sorted(_migrations(db, table), reverse=True)[:NEWEST_MIGRATIONS]
    return tuple(description for _, description in newest)


def _column(columns: list[str], name: str) -> int:
    lowered = [c.lower() for c in columns]
    if name.lower() not in lowered:
        raise BadInputError(
            f"the store's {VERSION_TABLE} table has no {name} column (columns: "
            f"{', '.join(columns)})",
            hint="the database was changed by hand or by a tool: restore an untouched backup")
    return lowered.index(name.lower())


def _update_version(description: str) -> Version | None:
    match = _UPDATE_ROW.search(description)
    if match is None:
        return None
    version = Version.parse(match.group(1))
    try:
        release(version)
    except BadInputError:
        return None  # a label from a release this catalogue does not know yet
    return version
