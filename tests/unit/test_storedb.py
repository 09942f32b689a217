"""Version detection and baselines against in-memory databases shaped like real stores."""

from __future__ import annotations

from typing import Any

import pytest

from rehearse.catalog_tables import core_tables
from rehearse.database.storedb import (
    baseline,
    check_declared,
    count_rows,
    detect_version,
    require_whole,
)
from rehearse.errors import BadInputError
from rehearse.version import Version

STORE = ["Product", "Customer", "Setting", "Order"]


class FakeDatabase:
    """Tables as lists of rows; answers the few queries storedb sends."""

    def __init__(self, tables: dict[str, list[tuple[Any, ...]]]) -> None:
        self.tables = tables
        self.sent: list[str] = []

    false = "0"

    hashing = None  # the values are read and hashed by rehearse

    def quote(self, identifier: str) -> str:
        return f"[{identifier}]"

    def table_names(self) -> list[str]:
        return list(self.tables)

    def query(self, sql: str) -> tuple[list[str], list[tuple[Any, ...]]]:
        self.sent.append(sql)
        if " UNION ALL " in sql or sql.startswith("SELECT '"):  # count_rows: label, count
            parts = [(part.split("'")[1], part.rsplit("[", 1)[1].rstrip("]"))
                     for part in sql.split(" UNION ALL ")]
            return ["label", "n"], [(label, len(self.tables[table])) for label, table in parts]
        if " WHERE LOWER([Name]) = " in sql:
            wanted = sql.rsplit("'", 2)[1]
            table = sql.split("FROM [", 1)[1].split("]", 1)[0]
            return ["n"], [(sum(row[0] == wanted for row in self.tables[table]),)]
        name = sql.rsplit("[", 1)[1].rstrip("]")
        rows = self.tables[name]
        if sql.startswith("SELECT COUNT(*)"):
            return ["n"], [(len(rows),)]
        return ["Version", "AppliedOn", "Description"], rows

    def execute(self, sql: str) -> list[str]:
        return []


def store(rows: list[str] | None, lower: bool = False) -> FakeDatabase:
    tables: dict[str, list[tuple[Any, ...]]] = {name: [(1,)] for name in STORE}
    if rows is not None:
        tables["MigrationVersionInfo"] = [(n, None, d) for n, d in enumerate(rows)]
    if lower:
        tables = {name.lower(): value for name, value in tables.items()}
    return FakeDatabase(tables)


@pytest.mark.parametrize(
    ("rows", "lower", "expected"),
    [
        # A real 4.30 store: only base-schema rows.
        (["Nop.Data base schema", "Nop.Data base indexes"], False, Version(4, 30)),
        # Installed fresh at 4.50: both the 4.40.0 and 4.50.0 rows; take the highest.
        (["Nop.Data base schema", "nopCommerce version 4.40.0. Update Data",
          "nopCommerce version 4.50.0. Update Settings"], False, Version(4, 50)),
        # A Windows dump: every table in lower case; the store's own rows tolerated.
        (["New tables and columns added for Widgets.Foo",
          "nopCommerce version 4.70. Update Localization"], True, Version(4, 70)),
        # A label from a release not in the catalog is ignored, not a crash.
        (["nopCommerce version 4.60. Update Data", "nopCommerce version 9.90. Update Data"],
         False, Version(4, 60)),
    ],
)
def test_detect_version(rows: list[str], lower: bool, expected: Version) -> None:
    assert detect_version(store(rows, lower)).version == expected


def test_no_version_table_and_no_marks_means_4_00_or_older() -> None:
    detection = detect_version(store(None))
    assert (detection.version, detection.at_most) == (None, Version(4, 0))
    check_declared(detection, Version(3, 90))
    with pytest.raises(BadInputError, match=r"4\.00 or older store, not 4\.20 as declared"):
        check_declared(detection, Version(4, 20))


def test_4_20_is_told_by_its_sitemap_setting_in_any_case() -> None:
    db = store(None)
    db.tables["Setting"] = [("sitemapxmlsettings.sitemapxmlenabled",)]
    detection = detect_version(db)
    assert detection.version == Version(4, 20)
    assert "sitemapxmlsettings.sitemapxmlenabled" in detection.evidence


def test_4_10_is_told_by_its_vendor_attribute_table() -> None:
    db = store(None, lower=True)
    db.tables["vendorattribute"] = []
    assert detect_version(db).version == Version(4, 10)


def test_declared_patch_matches_its_line() -> None:
    check_declared(detect_version(store(["nopCommerce version 4.70. Update Data"])),
                   Version(4, 70, 3))


def test_not_a_store_only_without_any_nopcommerce_table() -> None:
    with pytest.raises(BadInputError, match=r"not a nopCommerce store \(none of nopCommerce"):
        detect_version(FakeDatabase({"Invoices": [], "Employees": []}))


def whole(version: Version, without: tuple[str, ...] = ()) -> FakeDatabase:
    tables: dict[str, list[tuple[Any, ...]]] = {
        name.lower(): [] for name in core_tables(version) or () if name not in without}
    tables["migrationversioninfo"] = [(1, None, f"nopCommerce version {version}. Update Data")]
    return FakeDatabase(tables)


def test_a_store_without_setting_is_told_by_its_version_and_refused_by_name() -> None:
    detection = detect_version(whole(Version(4, 50), without=("Setting", "Picture")))
    assert detection.version == Version(4, 50)
    assert detection.missing == ("Picture", "Setting")
    with pytest.raises(BadInputError, match=r"lacks tables nopCommerce 4\.50 needs: "
                                            r"Picture, Setting"):
        require_whole(detection)


@pytest.mark.parametrize("version", [Version(4, 30), Version(4, 60), Version(4, 90)])
def test_a_whole_store_of_each_version_misses_nothing(version: Version) -> None:
    detection = detect_version(whole(version))
    assert detection.missing == ()
    require_whole(detection)


def test_a_4_60_store_lacks_the_4_70_tables_only_when_it_claims_4_70() -> None:
    db = whole(Version(4, 60))
    db.tables["migrationversioninfo"].append((2, None, "nopCommerce version 4.70. Update Data"))
    assert set(detect_version(db).missing) == {"ProductAttributeCombinationPicture",
                                               "ProductAttributeValuePicture"}


def test_baseline_counts_present_tables_and_lists_missing_ones() -> None:
    found = baseline(store(["nopCommerce version 4.50.0. Update Data"], lower=True))
    assert found.counts["Product"] == 1 and found.counts["Order"] == 1
    assert "Category" in found.missing and "Product" not in found.missing
    assert found.newest_migrations == ("nopCommerce version 4.50.0. Update Data",)


def test_the_key_tables_are_counted_in_one_statement() -> None:
    db = store(["nopCommerce version 4.50.0. Update Data"], lower=True)
    db.tables["order"] = [(1,), (2,), (3,)]
    found = baseline(db)
    counts = [sql for sql in db.sent if "COUNT(*)" in sql and "GROUP BY" not in sql]
    assert len(counts) == 1 and counts[0].count(" UNION ALL ") == len(STORE)  # + the version
    assert found.counts == {"Product": 1, "Customer": 1, "Order": 3, "Setting": 1,
                            "MigrationVersionInfo": 1}


def test_counting_rows_runs_on_a_real_sql_engine() -> None:
    from tests.unit.checks.sqlite_store import SqliteStore

    db = SqliteStore()
    db.table("order", "Id INTEGER", [(1,), (2,)])  # a Windows dump's lower-case name
    db.execute('CREATE TABLE "Product" (Id INTEGER)')
    assert count_rows(db, {"Order": "order", "Product": "Product"}) == {"Order": 2, "Product": 0}
    assert count_rows(db, {}) == {}


def test_a_version_table_without_its_columns_is_reported_not_a_crash() -> None:
    class Odd(FakeDatabase):
        def query(self, sql: str) -> tuple[list[str], list[tuple[Any, ...]]]:
            return ["Id"], [(1,)]

    tables: dict[str, list[tuple[Any, ...]]] = {n: [] for n in [*STORE, "MigrationVersionInfo"]}
    with pytest.raises(BadInputError, match="has no Description column"):
        detect_version(Odd(tables))
