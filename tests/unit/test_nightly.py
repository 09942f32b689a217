"""After a rehearsal: history checks by the scenario's policy, the window, the record kept."""

from __future__ import annotations

import os
from dataclasses import replace
from datetime import datetime
from pathlib import Path

import pytest

from rehearse.console import Terminal
from rehearse.errors import ExitCode
from rehearse.history.database import history_url, opened
from rehearse.nightly import remember, review
from rehearse.phases import Run
from rehearse.results import PhaseResult, Rehearsal, Status, StepResult, Verdict
from rehearse.scenario import load
from tests.nights import night

TONIGHT = Rehearsal(
    "tonight", "shop.yaml", "4.50", "4.60", "postgresql", False, "2026-11-30T02:00:00+00:00",
    300.0, Verdict.PASS,
    (PhaseResult("restore", Status.PASS, 60.0), PhaseResult("upgrade", Status.PASS, 200.0),
     PhaseResult("smoke checks", Status.PASS, 30.0)),
    (StepResult("4.50", "4.60", "app-migration", Status.PASS, 200.0),))


def run_of(tmp_path: Path, history: str = "") -> Run:
    path = tmp_path / "shop.yaml"
    path.write_text(f"""store: {{version: "4.50", provider: postgresql, backup: b.dump,
  app_data: App_Data}}
target: "4.60"
images: {{database: "no-such-image:1"}}
{history}""")
    return Run(load(path), path, "tonight", tmp_path / "out", Terminal())


@pytest.fixture(autouse=True)
def _slow_nights() -> None:
    with opened(history_url()) as history:
        for n in (1, 2, 3):
            history.record(night(n, step=60.0))


def test_a_regression_warns_by_default_and_the_verdict_stands(tmp_path: Path) -> None:
    result, code, _ = review(TONIGHT, ExitCode.PASSED, run_of(tmp_path), tmp_path / "out")
    assert (result.verdict, code) == (Verdict.PASS, ExitCode.PASSED)
    (check,) = [c for c in result.checks if c.id == "history.slower"]
    assert check.status is Status.WARN
    assert "took 200.0 s, the median of the last 3 passing runs is 60.0 s" in check.summary


def test_a_regression_fails_the_run_when_the_scenario_says_so(tmp_path: Path) -> None:
    run = run_of(tmp_path, "history: {regressions: fail}\n")
    result, code, _ = review(TONIGHT, ExitCode.PASSED, run, tmp_path / "out")
    assert (result.verdict, code) == (Verdict.FAIL, ExitCode.FAILED)
    assert result.error == "tonight regressed against the run history: history.slower"


def test_the_window_uses_the_90th_percentile_of_tonight_and_the_history(tmp_path: Path) -> None:
    result, _, _ = review(TONIGHT, ExitCode.PASSED, run_of(tmp_path), tmp_path / "out")
    # upgrade: 60, 60, 60, 200 -> 158 s; checks 3, 3, 3, 30 -> 21.9 s; restore -> 45.6
    assert result.window.startswith("book 6 min: upgrade 3 min, checks 22 s, "
                                    "rollback reserve 46 s")
    assert result.window.endswith("(the 90th percentile of 4 runs)")
    assert [(t.started_at[:10], t.seconds) for t in result.trend] == [
        ("2026-11-01", 80.0), ("2026-11-02", 80.0), ("2026-11-03", 80.0),
        ("2026-11-30", 300.0)]
    assert result.trend[-1].steps == (("4.50 → 4.60", 200.0),)


def test_tonight_is_remembered_under_the_scenarios_name(tmp_path: Path) -> None:
    _, _, tonight = review(TONIGHT, ExitCode.PASSED, run_of(tmp_path), tmp_path / "out")
    remember(tonight, Terminal())
    with opened(history_url()) as history:
        (newest,) = history.runs("shop", last=1)
    assert newest.run_id == "tonight" and newest.report_folder == str(tmp_path / "out")
    assert newest.images == {"database": "no-such-image:1", "nopcommerce 4.60":
                             "nopcommerceteam/nopcommerce:4.60.6"}


def test_history_off_records_nothing_and_still_estimates(tmp_path: Path) -> None:
    run = run_of(tmp_path, "history: {enabled: false}\n")
    result, _, tonight = review(TONIGHT, ExitCode.PASSED, run, tmp_path / "out")
    assert not [c for c in result.checks if c.id.startswith("history")]
    assert result.window.startswith("book 8 min:")  # (200 + 30 + 60) s, times 1.5
    remember(tonight, Terminal())
    with opened(history_url()) as history:
        assert [r.run_id for r in history.runs("shop")] == ["shop-run3", "shop-run2", "shop-run1"]


def test_a_backup_gone_since_the_rehearsal_still_leaves_a_record(tmp_path: Path) -> None:
    gone = replace(TONIGHT, backup={"path": str(tmp_path / "rotated.dump"), "sha256_before": "ab"})
    _, _, tonight = review(gone, ExitCode.PASSED, run_of(tmp_path), tmp_path / "out")
    assert tonight.record.backup is None and tonight.record.run_id == "tonight"


def test_the_backups_facts_are_kept_with_its_age(tmp_path: Path) -> None:
    dump = tmp_path / "shop.dump"
    dump.write_bytes(b"PGDMP")
    os.utime(dump, (0, datetime.fromisoformat(TONIGHT.started_at).timestamp() - 7200))
    facts = replace(TONIGHT, backup={"path": str(dump), "sha256_before": "ab"})
    _, _, tonight = review(facts, ExitCode.PASSED, run_of(tmp_path), tmp_path / "out")
    assert tonight.record.backup is not None
    assert (tonight.record.backup.name, tonight.record.backup.size) == ("shop.dump", 5)
    assert (tonight.record.backup.age_seconds, tonight.record.backup.sha256) == (7200.0, "ab")
