"""nopsim's database side, as strict as nopCommerce: exact table names, the 4.60 customer move.

Table names: nopCommerce's data layer (linq2db, FluentMigrator) names every table exactly as its
entity (`Setting`, `Product`, `Order`) and never folds case; MySQL/MariaDB on Linux compare table
names case-sensitively unless the server runs with lower_case_table_names=1 (MySQL 8.0 manual,
"Identifier Case Sensitivity"; nopcommerce.md "What real store databases look like";
docker-offline.md: `SELECT … FROM Setting` fails on a dump whose tables are `setting`).
"""

import os
import re

# 4.60 `Nop.Data/Migrations/UpgradeTo460/DataMigration` moves exactly these GenericAttribute keys
# (KeyGroup 'Customer') into same-named Customer columns (nopcommerce.md §11).
CUSTOMER_KEYS = (
    "FirstName", "LastName", "Gender", "Company", "StreetAddress", "StreetAddress2",
    "ZipPostalCode", "City", "County", "Phone", "Fax", "VatNumber", "TimeZoneId", "CountryId",
    "StateProvinceId", "VatNumberStatusId", "CurrencyId", "LanguageId", "TaxDisplayTypeId",
    "DateOfBirth",
)
# CustomCustomerAttributes lands in CustomCustomerAttributesXML (#6789).
RENAMED_KEYS = {"CustomCustomerAttributes": "CustomCustomerAttributesXML"}
INT_COLUMNS = {"CountryId", "StateProvinceId", "VatNumberStatusId", "CurrencyId", "LanguageId",
               "TaxDisplayTypeId"}
MAX_TEXT = 1000  # the migration cuts values to 1000 characters (§11)


def quoted(store, name):
    """A table exactly as nopCommerce names it: no lookup, no case folding."""
    return f"{store.q}{name}{store.q}"


def exists(store, name):
    """Whether the server finds the table by its exact name (its own case rules decide)."""
    try:
        store.rows(f"SELECT 1 FROM {quoted(store, name)} WHERE 1 = 0")
    except Exception:  # the driver's "table doesn't exist"; autocommit keeps the session usable
        return False
    return True


def read_settings(store, crash):
    """nopCommerce loads its settings from `Setting` as it starts (SettingService)."""
    try:
        store.rows(f"SELECT COUNT(*) FROM {quoted(store, 'Setting')}")
    except Exception as error:
        kind = "MySqlConnector.MySqlException" if store.provider == "mysql" \
            else "Npgsql.PostgresException"
        crash(kind, str(error))


def move_customer_attributes(store):
    """4.60 DataMigration: the listed keys of non-deleted Registered customers move into
    Customer columns (cut to 1000 characters) and their GenericAttribute rows are deleted;
    every other row stays (nopcommerce.md §11)."""
    if os.environ.get("NOP_SIM_MOVE_ALL_CUSTOMER_ROWS"):  # misbehave: the old, too-wide move
        store.rows(f"DELETE FROM {quoted(store, 'GenericAttribute')} "
                   f"WHERE {store.c('KeyGroup')} = %s", ("Customer",))
        return
    _add_columns(store)
    registered = _registered_customers(store)
    known = {table: _ids(store, table) for table in ("Currency", "Language")}
    for row_id, customer, key, value in _customer_rows(store):
        column = RENAMED_KEYS.get(key, key)
        if customer not in registered or (key not in CUSTOMER_KEYS and key not in RENAMED_KEYS):
            continue
        if key == os.environ.get("NOP_SIM_LEAVE_KEY"):  # misbehave: a key the move misses,
            continue  # as custom attributes were left behind (#6789)
        store.rows(f"UPDATE {quoted(store, 'Customer')} SET {store.c(column)} = %s "
                   f"WHERE {store.c('Id')} = %s", (_converted(column, value, known), customer))
        store.rows(f"DELETE FROM {quoted(store, 'GenericAttribute')} WHERE {store.c('Id')} = %s",
                   (row_id,))


def _add_columns(store):
    """UpgradeTo460/SchemaMigration adds the columns the data migration fills."""
    for column in (*CUSTOMER_KEYS, *RENAMED_KEYS.values()):
        kind = "integer" if column in INT_COLUMNS else "date" if column == "DateOfBirth" else "text"
        if not _has_column(store, column):
            store.rows(f"ALTER TABLE {quoted(store, 'Customer')} ADD {store.c(column)} {kind} NULL")


def _has_column(store, column):
    try:
        store.rows(f"SELECT {store.c(column)} FROM {quoted(store, 'Customer')} WHERE 1 = 0")
    except Exception:
        return False
    return True


def _registered_customers(store):
    roles = store.rows(f"SELECT {store.c('Id')} FROM {quoted(store, 'CustomerRole')} "
                       f"WHERE {store.c('SystemName')} = %s", ("Registered",))
    if not roles:
        return set()
    mapping = quoted(store, "Customer_CustomerRole_Mapping")
    rows = store.rows(
        f"SELECT m.{store.c('Customer_Id')} FROM {mapping} m JOIN {quoted(store, 'Customer')} c "
        f"ON c.{store.c('Id')} = m.{store.c('Customer_Id')} "
        f"WHERE m.{store.c('CustomerRole_Id')} = %s AND c.{store.c('Deleted')} = %s",
        (roles[0][0], False))
    return {row[0] for row in rows}


def _customer_rows(store):
    return store.rows(
        f"SELECT {store.c('Id')}, {store.c('EntityId')}, {store.c('Key')}, {store.c('Value')} "
        f"FROM {quoted(store, 'GenericAttribute')} WHERE {store.c('KeyGroup')} = %s",
        ("Customer",))


def _ids(store, table):
    return {row[0] for row in store.rows(f"SELECT {store.c('Id')} FROM {quoted(store, table)}")}


def _converted(column, value, known):
    """Bad DateOfBirth (not yyyy-MM-dd) and unknown currency or language become NULL (§11)."""
    text = None if value is None else str(value).strip()
    if column == "DateOfBirth":
        return text if text and re.fullmatch(r"\d{4}-\d{2}-\d{2}", text) else None
    if column in INT_COLUMNS:
        number = int(text) if text and text.lstrip("-").isdigit() else None
        table = {"CurrencyId": "Currency", "LanguageId": "Language"}.get(column)
        return None if table and number not in known[table] else number
    return None if text is None else str(value)[:MAX_TEXT]
