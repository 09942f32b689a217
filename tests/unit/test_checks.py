from __future__ import annotations

from typing import Any

from rehearse.catalog import CUSTOMER_ATTRIBUTES_460
from rehearse.checks import data
from rehearse.checks.context import CheckContext, CheckSettings
from rehearse.database.storedb import Baseline
from rehearse.results import Status
from rehearse.version import Version


class NoDatabase:
    false = "0"
    hashing = None  # the values are read and hashed by rehearse

    def quote(self, identifier: str) -> str:
        return identifier

    def table_names(self) -> list[str]:
        return []

    def query(self, sql: str) -> tuple[list[str], list[tuple[Any, ...]]]:
        raise AssertionError("not expected")

    def execute(self, sql: str, on_message: Any = None) -> list[str]:
        return []


def context(before: dict[str, int], after: dict[str, int], limit: float = 0.0,
            plugins: tuple[tuple[str, ...], tuple[str, ...]] = ((), ()),
            keyed: tuple[dict[str, int], dict[str, int]] = ({}, {})) -> CheckContext:
    return CheckContext(None, NoDatabase(), Version(4, 50), Version(4, 70),
                        Baseline(before, (), (), keyed[0]), Baseline(after, (), (), keyed[1]), 0,
                        plugins[0], plugins[1], (CUSTOMER_ATTRIBUTES_460,),
                        CheckSettings(max_row_loss_percent=limit, ignore_tables=("Log",)))


GA = "GenericAttribute.Customer."


def test_rows_lost_fail_and_name_the_table() -> None:
    status, summary, evidence = data.rows(context({"Product": 100}, {"Product": 95}))
    assert status is Status.FAIL and "Product lost 5 of 100 rows (5.0%)" in summary
    assert evidence == ["Product: 100 → 95"]


def test_rows_within_the_threshold_pass() -> None:
    status, _, _ = data.rows(context({"Product": 100}, {"Product": 95}, limit=5))
    assert status is Status.PASS


def test_the_4_60_customer_keys_may_move_key_by_key_and_cite_their_migration() -> None:
    # 10 rows: 4 FirstName, 2 City (both moved entirely or partly), 4 other keys kept.
    status, summary, _ = data.rows(context(
        {"GenericAttribute": 10, "Log": 50}, {"GenericAttribute": 5, "Log": 0},
        keyed=({GA + "FirstName": 4, GA + "City": 2}, {GA + "City": 1})))
    assert status is Status.WARN and "expected for this upgrade" in summary
    assert "FirstName -4, City -1" in summary
    assert "UpgradeTo460/DataMigration.cs" in summary


def test_other_generic_attribute_rows_lost_fail_even_when_the_keys_moved() -> None:
    # The listed keys (6 rows) moved, and 2 of the 4 other rows were lost too.
    status, summary, _ = data.rows(context(
        {"GenericAttribute": 10}, {"GenericAttribute": 2},
        keyed=({GA + "FirstName": 6}, {})))
    assert status is Status.FAIL
    assert "GenericAttribute lost 2 of 4 rows (50.0%) beyond the expected moves" in summary


def test_a_whole_table_never_passes_as_expected() -> None:
    # No listed key at baseline: every lost row is an unexpected loss.
    status, summary, _ = data.rows(context({"GenericAttribute": 10}, {"GenericAttribute": 4}))
    assert status is Status.FAIL and "GenericAttribute lost 6 of 10 rows" in summary


def test_a_vanished_table_fails() -> None:
    status, summary, _ = data.rows(context({"Product": 1, "Picture": 3}, {"Product": 1}))
    assert status is Status.FAIL and "Picture is gone" in summary


def test_plugins_missing_after_the_upgrade_fail() -> None:
    status, summary, _ = data.plugins(context({}, {}, plugins=(("A", "B"), ("A",))))
    assert status is Status.FAIL and summary == "no longer installed: B"
    assert data.plugins(context({}, {}, plugins=(("A",), ("A", "C"))))[0] is Status.PASS
