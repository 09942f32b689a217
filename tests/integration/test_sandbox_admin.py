"""The throwaway administrator on PostgreSQL and MariaDB: one customer, a clear-text password,
the Administrators and Registered roles, whatever else the version's tables require."""

from __future__ import annotations

import pytest

from rehearse.catalog import Provider
from rehearse.database.sandbox_admin import CLEAR_TEXT, create_admin
from rehearse.version import Version
from tests.sitegen import customer_tables
from tests.storegen import LOCAL_IMAGES, StoreShape, store_database

pytestmark = pytest.mark.docker


def extra_sql(provider: Provider) -> tuple[str, ...]:
    q = '"' if provider is Provider.POSTGRESQL else "`"
    # a required column rehearse does not know: it gets a neutral value
    return (*customer_tables(provider),
            f"ALTER TABLE {q}Customer{q} ADD {q}VendorId{q} integer NOT NULL DEFAULT 7",
            f"ALTER TABLE {q}Customer{q} ALTER COLUMN {q}VendorId{q} DROP DEFAULT")


@pytest.mark.parametrize("provider", list(LOCAL_IMAGES), ids=str)
def test_a_throwaway_admin_with_a_clear_text_password(provider: Provider) -> None:
    shape = StoreShape(Version(4, 60), provider, extra_sql=extra_sql(provider))
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
    shape = StoreShape(Version(4, 60), Provider.POSTGRESQL, omit_tables=("CustomerPassword",))
    with store_database(shape) as (_, db, _):
        assert create_admin(db) is None
