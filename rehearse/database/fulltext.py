"""Full-text search in stores up to 4.30: on SQL Server, `commonsettings.usefulltextsearch` makes
the product search use CONTAINS on the catalog nopCommerceFullTextCatalog (4.30
SqlServer.StoredProcedures.sql, ProductLoadAllPaged), and the Linux mssql/server image has no
full-text component (microsoft/mssql-docker#681): search fails with Msg 7609 (nopcommerce.md §11).
4.40 deletes the setting (UpgradeTo440/SettingMigration.cs)."""

from __future__ import annotations

from rehearse.database.storedb import Database, Tables

SETTING = "commonsettings.usefulltextsearch"
WARNING = (f"the store uses full-text search ({SETTING} = true); the SQL Server image has no "
           "full-text component (Msg 7609), so the sandbox copy searches without it")


def uses_full_text(db: Database) -> bool:
    table = Tables(db.table_names()).find("Setting")
    if table is None:
        return False
    _, rows = db.query(f"SELECT {db.quote('Value')} FROM {db.quote(table)} "
                       f"WHERE LOWER({db.quote('Name')}) = '{SETTING}'")
    return any(str(row[0]).strip().lower() == "true" for row in rows)


def turn_off_full_text(db: Database) -> str:
    """In the sandbox copy only: the setting off, as a "made safe" entry; "" when it was off."""
    if not uses_full_text(db):
        return ""
    table = Tables(db.table_names()).find("Setting")
    assert table is not None
    db.execute(f"UPDATE {db.quote(table)} SET {db.quote('Value')} = 'False' "
               f"WHERE LOWER({db.quote('Name')}) = '{SETTING}'")
    return f"full-text search turned off ({SETTING}: the Linux SQL Server image lacks it, Msg 7609)"
