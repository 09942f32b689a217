"""4.60 moves customer fields out of GenericAttribute into Customer columns, for non-deleted
Registered customers only, values cut to 1000 characters, a DateOfBirth not written yyyy-MM-dd and
an unknown currency or language becoming NULL (Nop.Data/Migrations/UpgradeTo460/DataMigration.cs,
nopcommerce.md §11). What each such customer had is kept as a hash per customer and key
(compact arrays), then compared with the columns after the upgrade."""

from __future__ import annotations

import re
from array import array
from dataclasses import dataclass, field
from datetime import date

from rehearse.catalog import CUSTOMER_ATTRIBUTES_460
from rehearse.database.datasnap import digest, id_ranges
from rehearse.database.storedb import Database, Tables

KEYS = CUSTOMER_ATTRIBUTES_460.keys
COLUMN = {"CustomCustomerAttributes": "CustomCustomerAttributesXML"}  # #6789
INT_KEYS = frozenset({"CountryId", "StateProvinceId", "VatNumberStatusId", "CurrencyId",
                      "LanguageId", "TaxDisplayTypeId"})
MAY_BECOME_NULL = frozenset({"CurrencyId", "LanguageId"})  # unknown ones are not kept
MAX_TEXT = 1000
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
SHOWN = 10


@dataclass(frozen=True)
class Moved:
    """(customer id * 64 + key index) ascending, and the hash of the value 4.60 must keep."""

    slots: array[int] = field(default_factory=lambda: array("q"))
    hashes: array[int] = field(default_factory=lambda: array("q"))


def expected(key: str, value: object) -> str | None:
    text = ("" if value is None else str(value))[:MAX_TEXT]
    if key in INT_KEYS:
        return str(int(text)) if re.fullmatch(r"-?\d+", text.strip()) else None
    if key == "DateOfBirth":
        return text if _DATE.fullmatch(text) else None
    return text


def shown(key: str, value: object) -> str | None:
    """A Customer column's value as the GenericAttribute would have held it."""
    if value is None:
        return None
    if isinstance(value, date):
        return value.isoformat()[:10]
    return expected(key, value)


def _registered(db: Database, tables: Tables) -> str | None:
    names = [tables.find(t) for t in ("GenericAttribute", "Customer",
                                      "Customer_CustomerRole_Mapping", "CustomerRole")]
    if None in names:
        return None
    ga, customer, mapping, role = (db.quote(str(n)) for n in names)
    q = db.quote
    return (f"FROM {ga} ga JOIN {customer} c ON c.{q('Id')} = ga.{q('EntityId')} "
            f"WHERE ga.{q('KeyGroup')} = 'Customer' AND c.{q('Deleted')} = {db.false} "
            f"AND ga.{q('Key')} IN ({', '.join(repr(k) for k in KEYS)}) "
            f"AND c.{q('Id')} IN (SELECT m.{q('Customer_Id')} FROM {mapping} m JOIN {role} r "
            f"ON r.{q('Id')} = m.{q('CustomerRole_Id')} WHERE r.{q('SystemName')} = 'Registered')")


def before(db: Database) -> Moved | None:
    tables = Tables(db.table_names())
    source = _registered(db, tables)
    if source is None:
        return None
    q = db.quote
    found: dict[int, int] = {}
    for low, high in id_ranges(db, str(tables.find("GenericAttribute"))):
        _, rows = db.query(f"SELECT ga.{q('EntityId')}, ga.{q('Key')}, ga.{q('Value')} "
                           f"{source} AND ga.{q('Id')} BETWEEN {low} AND {high}")
        for customer, key, value in rows:
            found[int(customer) * 64 + KEYS.index(str(key))] = digest((expected(str(key),
                                                                                value),))
    slots = sorted(found)
    return Moved(array("q", slots), array("q", (found[s] for s in slots)))


def problems(db: Database, moved: Moved) -> list[str]:
    """What 4.60 did not carry into the Customer columns, and what it left behind."""
    tables = Tables(db.table_names())
    customer = tables.find("Customer")
    if customer is None:
        return ["the Customer table is gone"]
    columns, _ = db.query(f"SELECT * FROM {db.quote(customer)} WHERE 1 = 0")
    present = {c.lower(): c for c in columns}
    missing = sorted({COLUMN.get(k, k) for k in KEYS if COLUMN.get(k, k).lower() not in present})
    found = [f"Customer has no {name} column" for name in missing]
    return found + _differences(db, customer, present, moved) + _left_behind(db, tables)


def _differences(db: Database, customer: str, present: dict[str, str],
                 moved: Moved) -> list[str]:
    keys = [k for k in KEYS if COLUMN.get(k, k).lower() in present]
    q = db.quote
    selected = ", ".join(q(present[COLUMN.get(k, k).lower()]) for k in keys)
    wanted = dict(zip(moved.slots, moved.hashes, strict=True))
    found: list[str] = []
    wrong = 0
    for low, high in id_ranges(db, customer):
        _, rows = db.query(f"SELECT {q('Id')}, {selected} FROM {q(customer)} "
                           f"WHERE {q('Id')} BETWEEN {low} AND {high}")
        for row in rows:
            for key, value in zip(keys, row[1:], strict=True):
                slot = int(row[0]) * 64 + KEYS.index(key)
                if slot not in wanted:
                    continue
                if value is None and key in MAY_BECOME_NULL:
                    continue
                if digest((shown(key, value),)) != wanted[slot]:
                    wrong += 1
                    if wrong <= SHOWN:
                        found.append(f"customer {row[0]}: {key} is not what GenericAttribute "
                                     "held")
    if wrong > SHOWN:
        found.append(f"… and {wrong - SHOWN} more values not carried")
    return found


def _left_behind(db: Database, tables: Tables) -> list[str]:
    source = _registered(db, tables)
    if source is None:
        return []
    _, rows = db.query(f"SELECT COUNT(*) {source}")
    count = int(rows[0][0])
    return [f"{count} customer attributes left behind in GenericAttribute"] if count else []
