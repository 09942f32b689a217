"""Which pages to compare before and after: a seeded, deterministic sample of the store's
products, categories and topics (by their URL slugs) and a few words from the catalogue, drawn
without fetching a whole catalogue (the 1 GB bench store has 696,300 products)."""

from __future__ import annotations

import random
from dataclasses import dataclass

from rehearse.database.storedb import Database, Tables

ROUNDS = 6  # random ids fall into holes left by deleted rows: draw again, a few times
MIN_WORD = 3


@dataclass(frozen=True)
class Sample:
    products: tuple[str, ...] = ()
    categories: tuple[str, ...] = ()
    topics: tuple[str, ...] = ()
    words: tuple[str, ...] = ()

    @property
    def size(self) -> int:
        return len(self.products) + len(self.categories) + len(self.topics) + len(self.words)


def draw(db: Database, size: int, seed: int = 1) -> Sample:
    tables = Tables(db.table_names())
    urls = tables.find("UrlRecord")
    if urls is None or size <= 0:
        return Sample()
    chooser = random.Random(seed)
    products = _slugs(db, urls, "Product", size, chooser)
    return Sample(products, _slugs(db, urls, "Category", max(3, size // 10), chooser),
                  _slugs(db, urls, "Topic", max(3, size // 10), chooser),
                  _words(db, tables, chooser))


def _slugs(db: Database, table: str, entity: str, want: int,
           chooser: random.Random) -> tuple[str, ...]:
    q = db.quote
    where = (f"{q('EntityName')} = '{entity}' AND {q('IsActive')} <> {db.false}")
    _, bounds = db.query(f"SELECT MIN({q('Id')}), MAX({q('Id')}), COUNT(*) FROM {q(table)} "
                         f"WHERE {where}")
    low, high, count = bounds[0]
    if not count:
        return ()
    found: dict[int, str] = {}
    for _ in range(ROUNDS):
        if len(found) >= min(want, int(count)):
            break
        ids = _candidates(int(low), int(high), want - len(found), int(count), chooser)
        _, rows = db.query(f"SELECT {q('Id')}, {q('Slug')} FROM {q(table)} WHERE {where} AND "
                           f"{q('Id')} IN ({', '.join(map(str, ids))})")
        found.update((int(row[0]), str(row[1])) for row in rows)
    return tuple(found[key] for key in sorted(found)[:want])


def _candidates(low: int, high: int, want: int, count: int,
                chooser: random.Random) -> list[int]:
    span = high - low + 1
    if span <= want * 2 or count <= want:
        return list(range(low, high + 1))
    return sorted(chooser.sample(range(low, high + 1), min(span, want * 2)))


def _words(db: Database, tables: Tables, chooser: random.Random) -> tuple[str, ...]:
    products = tables.find("Product")
    if products is None:
        return ()
    q = db.quote
    _, bounds = db.query(f"SELECT MIN({q('Id')}), MAX({q('Id')}) FROM {q(products)}")
    low, high = bounds[0]
    if low is None:
        return ()
    ids = _candidates(int(low), int(high), 10, int(high) - int(low) + 1, chooser)
    _, rows = db.query(f"SELECT {q('Name')} FROM {q(products)} WHERE {q('Deleted')} = "
                       f"{db.false} AND {q('Id')} IN ({', '.join(map(str, ids))})")
    words = sorted({w for (name,) in rows for w in str(name).split()[:1]
                    if len(w) >= MIN_WORD and w.isalnum()})
    return tuple(words[:3])
