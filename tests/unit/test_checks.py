from __future__ import annotations

from typing import Any

from rehearse.checks import data
from rehearse.checks.context import CheckContext, CheckSettings
from rehearse.database.storedb import Baseline
from rehearse.results import Status
from rehearse.version import Version


class NoDatabase:
    false = "0"

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
            shrinking: frozenset[str] = frozenset()) -> CheckContext:
    return CheckContext(None, NoDatabase(), Version(4, 50), Version(4, 70),
                        Baseline(before, (), ()), Baseline(after, (), ()), 0,
                        plugins[0], plugins[1], shrinking,
                        CheckSettings(max_row_loss_percent=limit, ignore_tables=("Log",)))


def test_rows_lost_fail_and_name_the_table() -> None:
    status, summary, evidence = data.rows(context({"Product": 100}, {"Product": 95}))
    assert status is Status.FAIL and "Product lost 5 of 100 rows (5.0%)" in summary
    assert evidence == ["Product: 100 → 95"]


def test_rows_within_the_threshold_pass() -> None:
    status, _, _ = data.rows(context({"Product": 100}, {"Product": 95}, limit=5))
    assert status is Status.PASS


def test_expected_drops_warn_and_ignored_tables_do_not_count() -> None:
    status, summary, _ = data.rows(context({"GenericAttribute": 10, "Log": 50},
                                           {"GenericAttribute": 4, "Log": 0},
                                           shrinking=frozenset({"GenericAttribute"})))
    assert status is Status.WARN and "expected for this upgrade" in summary


def test_a_vanished_table_fails() -> None:
    status, summary, _ = data.rows(context({"Product": 1, "Picture": 3}, {"Product": 1}))
    assert status is Status.FAIL and "Picture is gone" in summary


def test_plugins_missing_after_the_upgrade_fail() -> None:
    status, summary, _ = data.plugins(context({}, {}, plugins=(("A", "B"), ("A",))))
    assert status is Status.FAIL and summary == "no longer installed: B"
    assert data.plugins(context({}, {}, plugins=(("A",), ("A", "C"))))[0] is Status.PASS
