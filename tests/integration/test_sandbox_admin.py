"""The throwaway administrator on PostgreSQL and MariaDB: one customer, a clear-text password,
the Administrators and Registered roles, whatever else the version's tables require."""

from __future__ import annotations

import pytest

from rehearse.catalog import Provider
from rehearse.database.sandbox_admin import CLEAR_TEXT, create_admin
from rehearse.version import Version
from tests.storegen import LOCAL_IMAGES, StoreShape, store_database

pytestmark = pytest.mark.docker


def customer_tables(provider: Provider) -> tuple[str, ...]:
    q = '"' if provider is Provider.POSTGRESQL else "`"
    serial = "serial" if provider is Provider.POSTGRESQL else "integer AUTO_INCREMENT"
    boolean = "boolean" if provider is Provider.POSTGRESQL else "tinyint(1)"
    true = "true" if provider is Provider.POSTGRESQL else "1"
    return (
        f"CREATE TABLE {q}CustomerPassword{q} ({q}Id{q} {serial} PRIMARY KEY, "
        f"{q}CustomerId{q} integer NOT NULL, {q}Password{q} text, "
        f"{q}PasswordFormatId{q} integer NOT NULL, {q}PasswordSalt{q} text, "
        f"{q}CreatedOnUtc{q} timestamp NOT NULL)",
        f"CREATE TABLE {q}CustomerRole{q} ({q}Id{q} integer PRIMARY KEY, {q}Name{q} "
        f"varchar(255) NOT NULL, {q}SystemName{q} varchar(255), {q}Active{q} {boolean} NOT NULL)",
        f"INSERT INTO {q}CustomerRole{q} VALUES (1, 'Administrators', 'Administrators', {true}),"
        f" (2, 'Forum Moderators', 'ForumModerators', {true}), (3, 'Registered', 'Registered',"
        f" {true})",
        f"CREATE TABLE {q}Customer_CustomerRole_Mapping{q} ({q}Customer_Id{q} integer NOT NULL, "
        f"{q}CustomerRole_Id{q} integer NOT NULL)",
        # a required column rehearse does not know: it gets a neutral value
        f"ALTER TABLE {q}Customer{q} ADD {q}VendorId{q} integer NOT NULL DEFAULT 7",
        f"ALTER TABLE {q}Customer{q} ALTER COLUMN {q}VendorId{q} DROP DEFAULT",
    )


@pytest.mark.parametrize("provider", list(LOCAL_IMAGES), ids=str)
def test_a_throwaway_admin_with_a_clear_text_password(provider: Provider) -> None:
    shape = StoreShape(Version(4, 60), provider, extra_sql=customer_tables(provider))
    with store_database(shape) as (_, db, _):
        admin = create_admin(db)
        assert admin is not None and admin.email.endswith("@example.invalid")
        q = db.quote
        _, customers = db.query(f"SELECT {q('Id')}, {q('Active')}, {q('Deleted')}, "
                                f"{q('VendorId')} FROM {q('Customer')} "
                                f"WHERE {q('Email')} = '{admin.email}'")
        assert len(customers) == 1 and customers[0][0] == 51  # after the 50 generated ones
        assert bool(customers[0][1]) and not bool(customers[0][2]) and customers[0][3] == 0
        _, passwords = db.query(f"SELECT {q('Password')}, {q('PasswordFormatId')} FROM "
                                f"{q('CustomerPassword')} WHERE {q('CustomerId')} = 51")
        assert [tuple(p) for p in passwords] == [(admin.password, CLEAR_TEXT)]
        _, roles = db.query(f"SELECT {q('CustomerRole_Id')} FROM "
                            f"{q('Customer_CustomerRole_Mapping')} WHERE {q('Customer_Id')} = 51 "
                            f"ORDER BY 1")
        assert [r[0] for r in roles] == [1, 3]


def test_a_store_without_customer_tables_gets_none() -> None:
    with store_database(StoreShape(Version(4, 60), Provider.POSTGRESQL)) as (_, db, _):
        assert create_admin(db) is None
