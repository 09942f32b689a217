"""Nightly rehearsals end to end: each run recorded, compared with the ones before, windowed."""

from __future__ import annotations

import json
import os
import time
from dataclasses import replace
from pathlib import Path

import pytest
from typer.testing import CliRunner

from rehearse.catalog import Provider
from rehearse.cli import app
from rehearse.history.database import history_url, opened
from rehearse.history.records import CHECK, STEP, Item
from rehearse.version import Version
from tests.integration.test_run import APP_SETTINGS, PLUGINS, rehearse_run, scenario
from tests.nights import night
from tests.storegen import StoreShape, make_backup

pytestmark = pytest.mark.docker


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("store")
    make_backup(StoreShape(Version(4, 50), Provider.POSTGRESQL), folder)
    (folder / "App_Data").mkdir()
    (folder / "App_Data" / "appsettings.json").write_text(json.dumps(APP_SETTINGS))
    (folder / "App_Data" / "plugins.json").write_text(json.dumps(PLUGINS))
    return folder


def test_two_nights_make_a_history_and_a_window(store: Path, tmp_path: Path) -> None:
    path = scenario(store, tmp_path, extra="rollback: false\n")
    first = rehearse_run(path)
    assert first[0] == 0, first[1]
    assert first[2]["rollback"] == "not rehearsed (rollback: false)"
    path.write_text(path.read_text().replace("rollback: false", ""))
    code, err, report, folder = rehearse_run(path)
    assert code == 0, err
    assert str(report["rollback"]).startswith(
        "the backup restored into a fresh database and nopCommerce 4.50 answered")
    checks = {c["id"]: c["status"] for c in report["checks"]}  # type: ignore[union-attr]
    assert checks["rollback.home"] == checks["rollback.admin"] == "pass"
    assert "✓ rollback.home: / answers 200" in err
    assert str(report["window"]).startswith("book ")
    assert "(the 90th percentile of 2 runs)" in str(report["window"])
    assert "maintenance window: book " in err
    assert "compared with 1 earlier run of store 'scenario'" in str(report["history"])
    assert folder is not None and "**Maintenance window: book " in (
        folder / "report.md").read_text()
    result = CliRunner().invoke(app, ["history", "--store", "scenario", "--format", "json"])
    runs = json.loads(result.stdout)
    assert [r["run_id"] for r in runs] == [report["run_id"], first[2]["run_id"]]
    newest = runs[0]
    assert newest["report_folder"] == str(folder) and newest["verdict"] == "pass"
    assert newest["backup"]["name"] == "store.dump" and newest["backup"]["size"] > 0
    assert newest["backup"]["sha256"] == report["backup"]["sha256_before"]  # type: ignore[index]
    assert newest["row_counts"]["Product"] == 100
    assert "sha256:" in newest["images"]["database"]
    kinds = {i["kind"] for i in newest["items"]}
    assert kinds == {"phase", "step", "migration", "check"}


def test_a_slow_night_and_a_newly_failing_check_are_flagged(store: Path,
                                                            tmp_path: Path) -> None:
    with opened(history_url()) as history:  # fast nights whose log had no errors
        for n in (1, 2, 3):
            fast = night(n, store="scenario")
            steps = (Item(STEP, "4.50 → 4.60", "pass", 0.01), Item(STEP, "4.60 → 4.70", "pass",
                                                                   0.01))
            history.record(replace(fast, items=(*steps,
                                                Item(CHECK, "data.log-errors", "pass", 0.1))))
    path = scenario(store, tmp_path, {"NOP_SIM_LOG_ERRORS": "2"},
                    extra="history: {slower_min_seconds: 0.5, regressions: fail}\n")
    code, _, report, folder = rehearse_run(path)
    assert code == 1
    checks = {c["id"]: c for c in report["checks"]}  # type: ignore[union-attr]
    slower = checks["history.slower"]
    assert slower["status"] == "fail"
    assert "step 4.50 → 4.60 took" in slower["summary"]
    assert "the median of the last 3 passing runs is 0.0 s" in slower["summary"]
    newly = checks["history.newly-failing"]
    assert newly["status"] == "fail"
    assert newly["summary"].startswith("newly failing: check data.log-errors fails now, it "
                                       "passed in the previous run (scenario-run3")
    assert folder is not None and "history.newly-failing" in (folder / "report.md").read_text()


def nightly_backups(store: Path, tmp_path: Path, hours_old: float) -> Path:
    """Three nights of backups: the newest one half-copied, the one before it the real one."""
    backups = tmp_path / "backups"
    backups.mkdir()
    now = time.time()
    for name, hours, content in (("shop-1.dump", hours_old + 24, b"PGDMP old"),
                                 ("shop-2.dump", hours_old, (store / "store.dump").read_bytes()),
                                 ("shop-3.dump", hours_old - 1, b"still copying")):
        (backups / name).write_bytes(content)
        os.utime(backups / name, (now - hours * 3600, now - hours * 3600))
    path = scenario(store, tmp_path)
    path.write_text(path.read_text().replace(str(store / "store.dump"),
                                             str(backups / "shop-*.dump")))
    return path


def test_the_newest_readable_backup_is_found_and_its_age_reported(store: Path,
                                                                  tmp_path: Path) -> None:
    code, err, report, folder = rehearse_run(nightly_backups(store, tmp_path, hours_old=5))
    assert code == 0, err
    backup = report["backup"]
    assert isinstance(backup, dict) and backup["path"].endswith("shop-2.dump")
    assert (backup["age"], backup["matches"]) == ("5 h 0 min", "3")
    assert "shop-3.dump (is not a backup rehearse can read)" in backup["unreadable"]
    assert "warning: skipped " in err
    assert folder is not None
    assert "Backup age: 5 h 0 min, the newest of 3 matching" in (folder / "report.md").read_text()


def test_a_stale_backup_fails_before_anything_starts(store: Path, tmp_path: Path) -> None:
    path = nightly_backups(store, tmp_path, hours_old=30)
    path.write_text(path.read_text() + "checks: {max_backup_age: 26h}\n")
    code, err, report, _ = rehearse_run(path)
    assert code == 1
    assert "shop-2.dump is 1 d 6 h old, older than checks.max_backup_age (26h)" in err
    assert [p["name"] for p in report["phases"]] == ["check inputs", "teardown"]  # type: ignore[index]
