"""Tonight against the history: slower steps, newly failing checks, tables that shrank."""

from __future__ import annotations

from dataclasses import replace

from rehearse.history.compare import NEWLY_FAILING, ROWS_FELL, SLOWER, Thresholds, compare
from tests.nights import STEP_NAME, night

HISTORY = [night(n, step=30.0 + n % 3) for n in range(9, 0, -1)]  # newest first


def test_an_ordinary_night_has_no_findings() -> None:
    assert compare(night(10, step=32.0), HISTORY) == ()


def test_a_slow_night_and_a_newly_failing_check_are_both_flagged() -> None:
    findings = compare(night(10, step=95.0, verdict="fail", check="fail"), HISTORY)
    assert [f.kind for f in findings] == [SLOWER, NEWLY_FAILING]
    assert findings[0].text == (f"step {STEP_NAME} took 95.0 s, the median of the last 9 "
                                "passing runs is 31.0 s (+206%)")
    assert "check page.home fails now, it passed in the previous run (shop-run9" in findings[1].text


def test_only_the_last_n_passing_runs_make_the_median() -> None:
    slow_then_fast = [night(9, step=10.0), night(8, verdict="fail", step=10.0),
                      *[night(n, step=100.0) for n in range(7, 0, -1)]]
    findings = compare(night(10, step=40.0), slow_then_fast, Thresholds(last=1))
    assert [f.text.split(",")[1] for f in findings] == [
        " the median of the last 1 passing runs is 10.0 s (+300%)"]


def test_small_or_tiny_slowdowns_are_not_regressions() -> None:
    assert compare(night(10, step=45.0), HISTORY, Thresholds(slower_percent=50)) == ()
    tiny = [night(n, migration=0.2) for n in range(5, 0, -1)]
    assert compare(night(6, migration=0.9), tiny, Thresholds(slower_min_seconds=1.0)) == ()
    assert [f.kind for f in compare(night(6, migration=1.5), tiny)] == [SLOWER]


def test_a_migration_slower_than_usual_is_named() -> None:
    (finding,) = compare(night(10, migration=9.0), HISTORY)
    assert finding.text.startswith("migration UpgradeTo460.DataMigration took 9.0 s")


def test_a_table_that_shrank_since_the_previous_backup_is_flagged_with_numbers() -> None:
    (finding,) = compare(night(10, products=88), HISTORY)
    assert finding.kind == ROWS_FELL
    assert finding.text == "table Product has 88 rows, 100 in the previous run's backup (-12)"


def test_a_check_failing_again_is_not_newly_failing() -> None:
    previous = replace(night(9, check="fail"), verdict="fail")
    assert compare(night(10, check="fail", verdict="fail"), [previous, *HISTORY[1:]]) == ()


def test_no_history_no_findings() -> None:
    assert compare(night(1, step=500.0, check="fail"), []) == ()
