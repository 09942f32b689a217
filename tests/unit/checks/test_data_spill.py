"""Snapshots spilled to temporary files judge exactly as snapshots in memory do."""

from __future__ import annotations

import tempfile
from pathlib import Path

import pytest

from rehearse.checks import data_diff
from rehearse.checks.context import CheckContext
from rehearse.database import datasnap, fingerprint, spill
from rehearse.database.storedb import Baseline
from rehearse.version import Version
from tests.unit.checks.sqlite_store import SqliteStore

PRODUCTS = spill.PAIRS + 2 * datasnap.BATCH  # more than one batch read back from the file


def _store() -> SqliteStore:
    db = SqliteStore()
    db.table("Product", '"Id" INTEGER PRIMARY KEY, "Name" text, "Price" text',
             [(n, f"P{n}", "1.50") for n in range(1, PRODUCTS + 1)])
    db.table("Language", '"Id" int, "UniqueSeoCode" text', [(1, "en"), (2, "de")])
    db.table("LocaleStringResource", '"Id" INTEGER PRIMARY KEY, "LanguageId" int, '
             '"ResourceName" text, "ResourceValue" text',
             [(n, 1 + n % 2, f"Name.{n // 2}", f"Value {n}") for n in range(2, 3002)])
    return db


def _context(before: datasnap.DataSnapshot, after: datasnap.DataSnapshot,
             db: SqliteStore) -> CheckContext:
    empty = Baseline({}, (), ())
    return CheckContext(None, db, Version(4, 70), Version(4, 80), empty, empty, 0, (), (),
                        data_before=before, data_after=after)


def _judged(db: SqliteStore, before: datasnap.DataSnapshot,
            spilled: bool) -> list[data_diff.Outcome]:
    after = datasnap.take(db, spilled)
    context = _context(before, after, db)
    try:
        return [data_diff.catalogue(context), data_diff.localization(context)]
    finally:
        after.close()


@pytest.fixture
def temp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    return tmp_path


def test_a_change_in_the_last_batch_is_found_as_in_memory(temp: Path) -> None:
    db = _store()
    spilled, kept = datasnap.take(db, spilled=True), datasnap.take(db)
    db.execute(f'UPDATE "Product" SET "Price" = \'1.55\' WHERE "Id" = {PRODUCTS}')
    db.execute('DELETE FROM "Product" WHERE "Id" = 3')
    db.execute('UPDATE "LocaleStringResource" SET "ResourceValue" = \'Value 3000\' '
               'WHERE "Id" = 3001')  # de, overwritten with the English value
    found = _judged(db, spilled, spilled=True)
    assert found == _judged(db, kept, spilled=False)
    assert found[0][2][1:] == [f"changed (1): ids {PRODUCTS}", "gone (1): ids 3"]
    assert found[1][1] == "1 translations overwritten with English"
    spilled.close()
    assert spilled.catalogue.stored.closed  # type: ignore[union-attr]
    assert list(temp.iterdir()) == []


def test_the_restart_fingerprint_finds_a_resource_changed_in_its_last_batch(temp: Path) -> None:
    db = _store()
    before = fingerprint.take(db)
    db.execute('UPDATE "LocaleStringResource" SET "ResourceValue" = \'x\' WHERE "Id" = 3001')
    after = fingerprint.take(db)
    assert fingerprint.changes(before, after, db) == ["resources changed (1): 2/Name.1500"]
    before.close()
    after.close()
    assert list(temp.iterdir()) == []
