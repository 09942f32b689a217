"""What a start of nopCommerce may change, taken before and after a second start of the same
version: applied migrations, rows per key table, every setting and every locale resource (by
hash). nopCommerce has shipped migrations that toggle on each start (nopcommerce.md §11)."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from rehearse.database.datasnap import batches
from rehearse.database.storedb import Database, Tables, baseline

SHOWN = 5


@dataclass(frozen=True)
class Fingerprint:
    counts: dict[str, int]
    settings: dict[str, int]
    resources: dict[str, int]


def _digest(*values: object) -> int:
    text = "\x1f".join("" if v is None else str(v) for v in values)
    return int.from_bytes(hashlib.blake2b(text.encode(), digest_size=8).digest(), "big")


def _hashed(db: Database, tables: Tables, table: str, key: tuple[str, ...],
            value: str) -> dict[str, int]:
    actual = tables.find(table)
    if actual is None:
        return {}
    return {"/".join(str(part) for part in row[1:-1]): _digest(row[-1])
            for row in batches(db, actual, (*key, value))}


def take(db: Database) -> Fingerprint:
    tables = Tables(db.table_names())
    return Fingerprint(baseline(db).counts,  # the rows per key table the rows check counts
                       _hashed(db, tables, "Setting", ("Name", "StoreId"), "Value"),
                       _hashed(db, tables, "LocaleStringResource",
                               ("LanguageId", "ResourceName"), "ResourceValue"))


def _keyed(kind: str, before: dict[str, int], after: dict[str, int]) -> list[str]:
    new = sorted(after.keys() - before.keys())
    gone = sorted(before.keys() - after.keys())
    changed = sorted(k for k in before.keys() & after.keys() if before[k] != after[k])
    found = []
    for label, keys in (("added", new), ("removed", gone), ("changed", changed)):
        if keys:
            more = f" … and {len(keys) - SHOWN} more" if len(keys) > SHOWN else ""
            found.append(f"{kind} {label} ({len(keys)}): {', '.join(keys[:SHOWN])}{more}")
    return found


def changes(before: Fingerprint, after: Fingerprint) -> list[str]:
    """What differs, one line per kind of change, for the report."""
    found = [f"{table}: {count} → {after.counts.get(table, 0)} rows"
             for table, count in before.counts.items() if after.counts.get(table, 0) != count]
    found += _keyed("settings", before.settings, after.settings)
    return found + _keyed("resources", before.resources, after.resources)
