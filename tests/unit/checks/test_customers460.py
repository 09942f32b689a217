"""4.60's customer move, checked against what each registered customer had (on SQLite)."""

from __future__ import annotations

from rehearse.database import customers460
from tests.unit.checks.sqlite_store import SqliteStore


def _store() -> SqliteStore:
    db = SqliteStore()
    db.table("Customer", '"Id" int, "Deleted" int', [(1, 0), (2, 0), (3, 1), (4, 0)])
    db.table("CustomerRole", '"Id" int, "SystemName" text', [(3, "Registered"), (4, "Guests")])
    db.table("Customer_CustomerRole_Mapping", '"Customer_Id" int, "CustomerRole_Id" int',
             [(1, 3), (2, 3), (3, 3), (4, 4)])
    db.table("GenericAttribute", '"Id" int, "EntityId" int, "KeyGroup" text, "Key" text, '
             '"Value" text', [
                 (1, 1, "Customer", "City", "Paris"), (2, 1, "Customer", "CountryId", "7"),
                 (3, 1, "Customer", "DateOfBirth", "1990-05-01"),
                 (4, 2, "Customer", "City", "Köln"), (5, 2, "Customer", "DateOfBirth", "5/1/90"),
                 (6, 3, "Customer", "City", "deleted customer"),
                 (7, 4, "Customer", "City", "a guest"),
                 (8, 1, "Customer", "LastVisitedPage", "/cart")])
    return db


def _migrate(db: SqliteStore, city_of_2: str = "Köln") -> None:
    """What 4.60's DataMigration does to this store."""
    for column in ("City", "CountryId", "DateOfBirth"):
        db.execute(f'ALTER TABLE "Customer" ADD "{column}" text')
    db.execute('UPDATE "Customer" SET "City" = \'Paris\', "CountryId" = 7, '
               '"DateOfBirth" = \'1990-05-01\' WHERE "Id" = 1')
    db.execute(f'UPDATE "Customer" SET "City" = \'{city_of_2}\' WHERE "Id" = 2')  # bad DOB: NULL
    db.execute('DELETE FROM "GenericAttribute" WHERE "Id" IN (1, 2, 3, 4, 5)')


def test_only_registered_live_customers_listed_keys_are_expected() -> None:
    moved = customers460.before(_store())
    assert moved is not None and len(moved.slots) == 5  # not the deleted one, the guest, or
    # LastVisitedPage, which 4.60 keeps in GenericAttribute


def test_a_faithful_move_has_no_problems() -> None:
    db = _store()
    moved = customers460.before(db)
    assert moved is not None
    _migrate(db)
    assert customers460.problems(db, moved) == [
        "Customer has no Company column", "Customer has no County column",
        "Customer has no CurrencyId column", "Customer has no CustomCustomerAttributesXML column",
        "Customer has no Fax column", "Customer has no FirstName column",
        "Customer has no Gender column", "Customer has no LanguageId column",
        "Customer has no LastName column", "Customer has no Phone column",
        "Customer has no StateProvinceId column", "Customer has no StreetAddress column",
        "Customer has no StreetAddress2 column", "Customer has no TaxDisplayTypeId column",
        "Customer has no TimeZoneId column", "Customer has no VatNumber column",
        "Customer has no VatNumberStatusId column", "Customer has no ZipPostalCode column"]


def test_a_value_not_carried_and_attributes_left_behind_are_named() -> None:
    db = _store()
    moved = customers460.before(db)
    assert moved is not None
    _migrate(db, city_of_2="Koeln")
    db.execute("INSERT INTO \"GenericAttribute\" VALUES (9, 2, 'Customer', 'City', 'Köln')")
    found = [p for p in customers460.problems(db, moved) if "column" not in p]
    assert found == ["customer 2: City is not what GenericAttribute held",
                     "1 customer attributes left behind in GenericAttribute"]
