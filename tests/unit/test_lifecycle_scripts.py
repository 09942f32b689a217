"""The upgrade phase's script steps, with a recording database instead of SQL Server."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest

from rehearse.console import terminal
from rehearse.database.storedb import QueryError
from rehearse.errors import RehearsalFailedError
from rehearse.phases import Run, upgrade
from rehearse.planner import make_plan
from rehearse.results import Status
from rehearse.scenario import load


class RecordingDatabase:
    def __init__(self, fail_on: str = "") -> None:
        self.sent: list[str] = []
        self.fail_on = fail_on

    def execute(self, sql: str, on_message: Any = None) -> list[str]:
        if self.fail_on and self.fail_on in sql:
            raise QueryError(f"Invalid object name '{self.fail_on}'.")
        self.sent.append(sql.strip())
        return []


def prepared_run(tmp_path: Path, db: RecordingDatabase) -> Run:
    scripts = tmp_path / "upgradescripts"
    for step, body in (("3.90-4.00", "UPDATE [Setting] SET [Value] = 1\nGO\n"),
                       ("4.00-4.10", "CREATE TABLE [VendorAttribute] ([Id] int)\nGO\n"
                                     "UPDATE [StorePickupPoint] SET [Id] = 1\nGO\n")):
        (scripts / step).mkdir(parents=True)
        (scripts / step / "upgrade.sql").write_text("\ufeff" + body, encoding="utf-8")
    path = tmp_path / "s.yaml"
    path.write_text("store: {version: '3.90', provider: sqlserver, backup: b.bak, "
                    "app_data: App_Data}\ntarget: '4.10'\nscripts: upgradescripts\n")
    scenario = load(path)
    run = Run(scenario, path, "run1", tmp_path / "out", terminal())
    run.plan = make_plan(scenario.source_version, scenario.target_version,
                         scenario.store.provider, False)
    run.sandbox = SimpleNamespace(db=db)  # type: ignore[assignment]
    return run


def test_script_steps_run_in_order_and_4_10_is_not_started(tmp_path: Path) -> None:
    db = RecordingDatabase()
    run = prepared_run(tmp_path, db)
    upgrade(run)
    assert db.sent == ["UPDATE [Setting] SET [Value] = 1",
                       "CREATE TABLE [VendorAttribute] ([Id] int)",
                       "UPDATE [StorePickupPoint] SET [Id] = 1"]
    assert [(s.source, s.target, s.kind, s.status) for s in run.steps] == [
        ("3.90", "4.00", "sql-script", Status.PASS), ("4.00", "4.10", "sql-script", Status.PASS)]
    assert run.store_url is None  # 4.10 cannot run on Linux: nothing was started


def test_a_failing_batch_fails_its_step_and_stops(tmp_path: Path) -> None:
    run = prepared_run(tmp_path, RecordingDatabase(fail_on="StorePickupPoint"))
    with pytest.raises(RehearsalFailedError) as caught:
        upgrade(run)
    assert "4.00-4.10/upgrade.sql failed at batch 2 (lines 3-3" in caught.value.message
    assert run.steps[-1].status is Status.FAIL and run.steps[0].status is Status.PASS
