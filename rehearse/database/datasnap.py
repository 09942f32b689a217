"""The store's data that must survive an upgrade, read the same way before and after on every
engine: the catalogue and URL slugs (a 64-bit hash per row, kept in compact arrays so a catalogue
of 700,000 products costs about 11 MB), each role's permissions, every locale resource and every
setting (nopcommerce.md §11, "Data changes with equal row counts")."""

from __future__ import annotations

import hashlib
from array import array
from collections.abc import Iterator
from dataclasses import dataclass, field
from decimal import Decimal

from rehearse.database import reshash, spill
from rehearse.database.reshash import ResourceHashes, Resources
from rehearse.database.storedb import Database, Tables

# Rows per query: Id ranges, the one paging all three dialects share. A batch's row objects are
# most of a snapshot's memory: 10,000 products ~7 MiB, where 20,000 took ~15 (tracemalloc).
BATCH = 10_000
CATALOGUE = ("Name", "Sku", "Price", "OldPrice", "Published", "Deleted", "StockQuantity")
SLUG = ("EntityName", "EntityId", "LanguageId", "IsActive", "Slug")


@dataclass(frozen=True)
class RowHashes:
    """Row ids in ascending order and a hash of each row's values."""

    columns: tuple[str, ...] = ()
    ids: array[int] = field(default_factory=lambda: array("q"))
    hashes: array[int] = field(default_factory=lambda: array("q"))

    def __len__(self) -> int:
        return len(self.ids)

    def add(self, row_id: int, hashed: int) -> None:
        self.ids.append(row_id)
        self.hashes.append(hashed)

    def pairs(self) -> Iterator[tuple[int, int]]:
        return zip(self.ids, self.hashes, strict=True)

    def close(self) -> None:
        """Nothing to release: the arrays go with the object."""


@dataclass(frozen=True)
class SpilledRows(spill.Spilled):
    """RowHashes kept in a temporary file, in id order."""

    columns: tuple[str, ...] = ()

    def add(self, row_id: int, hashed: int) -> None:
        self.stored.add(row_id, hashed)


Rows = RowHashes | SpilledRows


@dataclass(frozen=True)
class DataSnapshot:
    catalogue: Rows
    slugs: Rows
    permissions: dict[str, frozenset[str]]  # role → permission system names
    resources: Resources  # (resource name, language code) → hash of the value
    settings: dict[str, str]  # "name/store" → value

    def close(self) -> None:
        """Remove the temporary files of a spilled snapshot."""
        for part in (self.catalogue, self.slugs, self.resources):
            part.close()


def digest(values: tuple[object, ...]) -> int:
    text = "\x1f".join(_plain(v) for v in values)
    return int.from_bytes(hashlib.blake2b(text.encode(), digest_size=8).digest(), "big",
                          signed=True)


def _plain(value: object) -> str:
    if value is None:
        return "\x00"
    if isinstance(value, Decimal | float):
        return str(Decimal(str(value)).normalize())  # 18.9900 and 18.99 are one price
    if isinstance(value, bool):
        return str(int(value))  # boolean on PostgreSQL, bit or tinyint elsewhere
    return str(value)


def _present(db: Database, table: str, wanted: tuple[str, ...]) -> tuple[str, ...]:
    columns, _ = db.query(f"SELECT * FROM {db.quote(table)} WHERE 1 = 0")
    by_lower = {c.lower(): c for c in columns}
    return tuple(by_lower[w.lower()] for w in wanted if w.lower() in by_lower)


def id_ranges(db: Database, table: str) -> Iterator[tuple[int, int]]:
    """(first, last) Id of each batch, from the table's lowest to its highest Id. A gap in the
    Ids (deleted rows, SQL Server's identity jumps, slugs numbered from 10,000,000) is stepped
    over with one indexed MIN, never walked empty batch by empty batch."""
    q = db.quote
    _, bounds = db.query(f"SELECT MIN({q('Id')}), MAX({q('Id')}) FROM {q(table)}")
    low, high = bounds[0]
    if low is None:
        return
    start, last = int(low), int(high)
    while True:
        yield start, start + BATCH - 1
        if start + BATCH > last:
            return
        _, found = db.query(f"SELECT MIN({q('Id')}) FROM {q(table)} "
                            f"WHERE {q('Id')} >= {start + BATCH}")
        if found[0][0] is None:
            return
        start = int(found[0][0])


def batches(db: Database, table: str,
            columns: tuple[str, ...]) -> Iterator[tuple[object, ...]]:
    """Id and `columns` of every row, BATCH rows per query: never the whole table at once."""
    q = db.quote
    selected = ", ".join(q(c) for c in ("Id", *columns))
    for low, high in id_ranges(db, table):
        _, rows = db.query(f"SELECT {selected} FROM {q(table)} WHERE {q('Id')} BETWEEN "
                           f"{low} AND {high} ORDER BY {q('Id')}")
        yield from rows


def row_hashes(db: Database, tables: Tables, name: str, wanted: tuple[str, ...],
               spilled: bool = False) -> Rows:
    table = tables.find(name)
    columns = () if table is None else _present(db, table, wanted)
    found = SpilledRows(spill.Pairs(), columns) if spilled else RowHashes(columns)
    for row in batches(db, table, columns) if table is not None else ():
        found.add(int(row[0]), digest(row[1:]))  # type: ignore[call-overload]
    return found


def permissions(db: Database, tables: Tables) -> dict[str, frozenset[str]]:
    names = [tables.find(t) for t in ("PermissionRecord", "PermissionRecord_Role_Mapping",
                                      "CustomerRole")]
    if None in names:
        return {}
    record, mapping, role = (db.quote(str(n)) for n in names)
    q = db.quote
    _, rows = db.query(
        f"SELECT r.{q('SystemName')}, p.{q('SystemName')} FROM {mapping} m "
        f"JOIN {record} p ON p.{q('Id')} = m.{q('PermissionRecord_Id')} "
        f"JOIN {role} r ON r.{q('Id')} = m.{q('CustomerRole_Id')}")
    found: dict[str, set[str]] = {}
    for role_name, permission in rows:
        found.setdefault(str(role_name), set()).add(str(permission))
    return {k: frozenset(v) for k, v in found.items()}


def resources(db: Database, tables: Tables, spilled: bool = False) -> Resources:
    """Read in Id ranges, each kept as two 64-bit hashes (reshash.py): a store's resources are
    many (every language's), and the checks compare values, never show them."""
    table, languages = tables.find("LocaleStringResource"), tables.find("Language")
    if table is None or languages is None:
        return reshash.spilled((), ()) if spilled else ResourceHashes()
    q = db.quote
    _, rows = db.query(f"SELECT {q('Id')}, {q('UniqueSeoCode')} FROM {q(languages)}")
    codes = {int(row[0]): str(row[1]) for row in rows}
    index = {language: n for n, language in enumerate(codes)}
    found = ((index[int(str(language))], str(name), digest((value or "",)))
             for _, language, name, value in batches(
                 db, table, ("LanguageId", "ResourceName", "ResourceValue"))
             if int(str(language)) in codes)  # else a deleted language's: shown to no one
    return (reshash.spilled if spilled else reshash.build)(codes.values(), found)


def resource_names(db: Database) -> Iterator[str]:
    """Every resource name, BATCH rows per query: to name the few a report shows."""
    table = Tables(db.table_names()).find("LocaleStringResource")
    for row in batches(db, table, ("ResourceName",)) if table is not None else ():
        yield str(row[1])


def settings(db: Database, tables: Tables) -> dict[str, str]:
    table = tables.find("Setting")
    if table is None:
        return {}
    q = db.quote
    _, rows = db.query(f"SELECT {q('Name')}, {q('StoreId')}, {q('Value')} FROM {q(table)}")
    return {f"{str(name).lower()}/{store}": str(value or "") for name, store, value in rows}


def take(db: Database, spilled: bool = False) -> DataSnapshot:
    """In memory, or `spilled` to temporary files (a rehearsal's, closed with DataSnapshot.close)
    that keep a 1 GB store's ~45 MiB of hashes out of memory."""
    tables = Tables(db.table_names())
    return DataSnapshot(row_hashes(db, tables, "Product", CATALOGUE, spilled),
                        row_hashes(db, tables, "UrlRecord", SLUG, spilled),
                        permissions(db, tables), resources(db, tables, spilled),
                        settings(db, tables))
