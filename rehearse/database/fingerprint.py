"""What a start of nopCommerce may change, taken before and after a second start of the same
version: applied migrations, rows per key table, every setting and every locale resource (by
hash). nopCommerce has shipped migrations that toggle on each start (nopcommerce.md §11)."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from functools import partial

from rehearse.database import datasnap, reshash
from rehearse.database.beside import side_by_side
from rehearse.database.datasnap import batches
from rehearse.database.reshash import ResourceHashes, Resources
from rehearse.database.storedb import Database, Tables, baseline
from rehearse.runlog import timed

SHOWN = 5


@dataclass(frozen=True)
class Fingerprint:
    counts: dict[str, int]
    settings: dict[str, int]
    resources: Resources  # languages by LanguageId, in a temporary file

    def close(self) -> None:
        self.resources.close()


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


def _resources(db: Database, tables: Tables) -> Resources:
    table = tables.find("LocaleStringResource")
    if table is None:
        return ResourceHashes()
    q = db.quote
    _, rows = db.query(f"SELECT DISTINCT {q('LanguageId')} FROM {q(table)}")
    languages = sorted(int(str(row[0])) for row in rows)  # every one, a deleted language's too
    return datasnap.keyed_resources(db, table, {n: str(n) for n in languages}, spilled=True)


def take(db: Database) -> Fingerprint:
    tables = Tables(db.table_names())
    with timed("fingerprint"), side_by_side(db) as beside:
        found = beside(_resources, tables)
        counts = baseline(db).counts  # the rows per key table the rows check counts
        settings = _hashed(db, tables, "Setting", ("Name", "StoreId"), "Value")
    return Fingerprint(counts, settings, found.result())


def _line(kind: str, label: str, count: int, shown: list[str]) -> str:
    more = f" … and {count - SHOWN} more" if count > SHOWN else ""
    return f"{kind} {label} ({count}): {', '.join(shown[:SHOWN])}{more}"


def _keyed(kind: str, before: dict[str, int], after: dict[str, int]) -> list[str]:
    new = sorted(after.keys() - before.keys())
    gone = sorted(before.keys() - after.keys())
    changed = sorted(k for k in before.keys() & after.keys() if before[k] != after[k])
    return [_line(kind, label, len(keys), keys)
            for label, keys in (("added", new), ("removed", gone), ("changed", changed)) if keys]


def _resource_changes(before: Resources, after: Resources,
                      db: Database) -> list[str]:
    """Like _keyed, by a merge over the hashes; the names shown are read again from `db`."""
    if reshash.unchanged(before, after):
        return []
    found: dict[str, list[tuple[str, int]]] = {"added": [], "removed": [], "changed": []}
    for name, had, has in reshash.paired(before, after):
        found["added"] += [(language, name) for language in has.keys() - had.keys()]
        found["removed"] += [(language, name) for language in had.keys() - has.keys()]
        found["changed"] += [(language, name) for language in had.keys() & has.keys()
                             if had[language] != has[language]]
    return [_line("resources", label, len(keys), reshash.named(
                partial(datasnap.resource_names, db), keys, SHOWN, sep="/"))
            for label, keys in found.items() if keys]


def changes(before: Fingerprint, after: Fingerprint, db: Database) -> list[str]:
    """What differs, one line per kind of change, for the report; `db` names the resources."""
    with timed("fingerprints compared"):
        return _changes(before, after, db)


def _changes(before: Fingerprint, after: Fingerprint, db: Database) -> list[str]:
    found = [f"{table}: {count} → {after.counts.get(table, 0)} rows"
             for table, count in before.counts.items() if after.counts.get(table, 0) != count]
    found += _keyed("settings", before.settings, after.settings)
    return found + _resource_changes(before.resources, after.resources, db)
