"""The store's data that must survive an upgrade, read the same way before and after on every
engine: the catalogue and URL slugs (a 64-bit hash per row, kept in compact arrays so a catalogue
of 700,000 products costs about 11 MB), each role's permissions, every locale resource and every
setting (nopcommerce.md §11, "Data changes with equal row counts"). The engine hashes the rows
itself where it can (rowhash.py); the values are read and hashed here otherwise."""

from __future__ import annotations

import hashlib
from array import array
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from rehearse.database import reshash, spill
from rehearse.database.beside import side_by_side
from rehearse.database.reshash import ResourceHashes, Resources
from rehearse.database.rowhash import Column, Kind
from rehearse.database.storedb import Database, Tables
from rehearse.runlog import timed

# Rows per query where rehearse hashes the values itself: Id ranges, the one paging all three
# dialects share (the engine's hashes are streamed instead). A batch's row objects are most of a
# snapshot's memory: 10,000 products ~7 MiB, where 20,000 took ~15 (tracemalloc).
BATCH = 10_000
CATALOGUE: tuple[Column, ...] = (
    ("Name", Kind.TEXT), ("Sku", Kind.TEXT), ("Price", Kind.NUMBER), ("OldPrice", Kind.NUMBER),
    ("Published", Kind.BOOLEAN), ("Deleted", Kind.BOOLEAN), ("StockQuantity", Kind.INTEGER))
SLUG: tuple[Column, ...] = (
    ("EntityName", Kind.TEXT), ("EntityId", Kind.INTEGER), ("LanguageId", Kind.INTEGER),
    ("IsActive", Kind.BOOLEAN), ("Slug", Kind.TEXT))
RESOURCE = ("LanguageId", "ResourceName", "ResourceValue")


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

    def extend(self, rows: Sequence[Sequence[int]]) -> None:
        """(id, hash) rows, as an engine's stream hands them over."""
        self.ids.extend(row[0] for row in rows)
        self.hashes.extend(row[1] for row in rows)

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

    def extend(self, rows: Sequence[Sequence[int]]) -> None:
        self.stored.extend_rows(rows)


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


def _present(db: Database, table: str, wanted: tuple[Column, ...]) -> tuple[Column, ...]:
    columns, _ = db.query(f"SELECT * FROM {db.quote(table)} WHERE 1 = 0")
    by_lower = {c.lower(): c for c in columns}
    return tuple((by_lower[w.lower()], kind) for w, kind in wanted if w.lower() in by_lower)


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
    chosen = ", ".join(q(c) for c in ("Id", *columns))
    for low, high in id_ranges(db, table):
        _, rows = db.query(f"SELECT {chosen} FROM {q(table)} WHERE {q('Id')} BETWEEN "
                           f"{low} AND {high} ORDER BY {q('Id')}")
        yield from rows


def row_hashes(db: Database, tables: Tables, name: str, wanted: tuple[Column, ...],
               spilled: bool = False) -> Rows:
    """Each row's Id and the hash of the `wanted` columns it has, in Id order: the engine hashes
    and streams them where it can, else the values are read in batches and hashed here."""
    table = tables.find(name)
    columns = () if table is None else _present(db, table, wanted)
    names = tuple(column for column, _ in columns)
    found = SpilledRows(spill.Pairs(), names) if spilled else RowHashes(names)
    if table is None:
        return found
    with timed(f"{table}: each row's hash read"):
        _hashes_into(found, db, table, columns)
    return found


def _hashes_into(found: Rows, db: Database, table: str, columns: tuple[Column, ...]) -> None:
    hashing, q = db.hashing, db.quote
    if hashing is None or not columns:
        for row in batches(db, table, found.columns):
            found.add(int(str(row[0])), digest(row[1:]))
        return
    row_sql = hashing.row([(q(column), kind) for column, kind in columns])
    for rows in db.stream(f"SELECT {q('Id')}, {row_sql} FROM {q(table)} ORDER BY {q('Id')}"):
        found.extend(rows)


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
    """Each kept as two 64-bit hashes (reshash.py): a store's resources are many (every
    language's), and the checks compare values, never show them. A deleted language's resources
    are shown to no one: left out."""
    table, languages = tables.find("LocaleStringResource"), tables.find("Language")
    if table is None or languages is None:
        return reshash.spilled((), ()) if spilled else ResourceHashes()
    q = db.quote
    _, rows = db.query(f"SELECT {q('Id')}, {q('UniqueSeoCode')} FROM {q(languages)}")
    codes = {int(row[0]): str(row[1]) for row in rows}
    return keyed_resources(db, table, codes, spilled)


def keyed_resources(db: Database, table: str, languages: Mapping[int, str],
                    spilled: bool) -> Resources:
    """The resources of `languages` (LanguageId → the label a report uses) keyed by name and
    language: the engine hashes, keys and sorts them where it can, else they are read in
    batches and hashed and sorted here."""
    with timed(f"{table}: {len(languages)} languages' hashes read"):
        return _keyed_resources(db, table, languages, spilled)


def _keyed_resources(db: Database, table: str, languages: Mapping[int, str],
                     spilled: bool) -> Resources:
    builder = reshash.spilled if spilled else reshash.build
    hashing, q = db.hashing, db.quote
    if hashing is None or not languages:
        index = {str(language): n for n, language in enumerate(languages)}
        found = ((index[str(language)], reshash.name_hash(str(name)), digest((value,)))
                 for _, language, name, value in batches(db, table, RESOURCE)
                 if str(language) in index)
        return builder(languages.values(), found)
    position = " ".join(f"WHEN {language} THEN {n}" for n, language in enumerate(languages))
    key = hashing.key(hashing.name(q("ResourceName")), reshash.NAME_MASK, reshash.LANGUAGE_BITS,
                      f"CASE {q('LanguageId')} {position} END")
    value = hashing.row([(q("ResourceValue"), Kind.TEXT)])
    ids = ", ".join(str(language) for language in languages)
    return (reshash.spilled_sorted if spilled else reshash.build_sorted)(
        languages.values(), db.stream(f"SELECT {key}, {value} FROM {q(table)} "
                                      f"WHERE {q('LanguageId')} IN ({ids}) ORDER BY 1, 2"))


def resource_names(db: Database, wanted: set[int]) -> Iterator[tuple[int, str]]:
    """(name hash, name) of the resources whose name hashes (as keyed_resources makes them,
    masked to reshash.NAME_MASK) are `wanted`: the engine picks them out where it hashes, else
    every name is read, BATCH rows per query. To name the few a report shows."""
    table = Tables(db.table_names()).find("LocaleStringResource")
    if table is None or not wanted:
        return
    hashing, q = db.hashing, db.quote
    if hashing is None:
        for _, name in batches(db, table, ("ResourceName",)):
            yield reshash.name_hash(str(name)), str(name)
        return
    hashed = hashing.name(q("ResourceName"))
    chosen = ", ".join(str(h) for h in sorted(wanted))
    for rows in db.stream(f"SELECT {hashed}, {q('ResourceName')} FROM {q(table)} "
                          f"WHERE {hashing.masked(hashed, reshash.NAME_MASK)} IN ({chosen})"):
        for hashed_name, name in rows:
            yield int(hashed_name), str(name)


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
    with timed("data snapshot"), side_by_side(db) as beside:
        catalogue = beside(row_hashes, tables, "Product", CATALOGUE, spilled)
        slugs = beside(row_hashes, tables, "UrlRecord", SLUG, spilled)
        found = beside(resources, tables, spilled)
        roles, values = permissions(db, tables), settings(db, tables)
    return DataSnapshot(catalogue.result(), slugs.result(), roles, found.result(), values)
