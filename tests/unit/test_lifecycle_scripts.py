"""The upgrade phase's script steps, with a recording database instead of SQL Server."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest

from rehearse.appsteps import upgrade
from rehearse.console import terminal
from rehearse.database.scriptrun import run_script
from rehearse.database.storedb import QueryError
from rehearse.errors import BadInputError, RehearsalFailedError
from rehearse.phases import Run
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
    assert ("4.00-4.10/upgrade.sql failed at batch 2/2 (line 3: 'UPDATE [StorePickupPoint] SET "
            "[Id] = 1'; lines 3-3)") in caught.value.message
    assert run.steps[-1].status is Status.FAIL and run.steps[0].status is Status.PASS


def test_the_failing_batch_is_named_by_its_sent_number_and_first_sql_line(tmp_path: Path) -> None:
    # Issue 13 §7: the message quoted a comment line; issue 10 §1: numbers counted empty batches.
    script = tmp_path / "upgrade.sql"
    script.write_text("GO\n\nGO\nSELECT 1\nGO\n\n-- fix the pickup points\n/* see #2656 */\n"
                      "UPDATE [StorePickupPoint] SET [Id] = 1\nGO\n", encoding="utf-8")
    seen: list[str] = []
    with pytest.raises(RehearsalFailedError) as caught:
        run_script(RecordingDatabase(fail_on="StorePickupPoint"), script, "x/upgrade.sql",  # type: ignore[arg-type]
                   on_batch=lambda b, total: seen.append(f"{b.number}/{total}"))
    assert seen == ["1/2"]
    assert "at batch 2/2 (line 9: 'UPDATE [StorePickupPoint] SET [Id] = 1'" in caught.value.message


def test_a_go_sqlcmd_rejects_is_bad_input_naming_file_and_line(tmp_path: Path) -> None:
    script = tmp_path / "upgrade.sql"
    script.write_text("SELECT 1\nGO\nSELECT 2\nGO 2 3\n", encoding="utf-8")
    db = RecordingDatabase()
    with pytest.raises(BadInputError, match=rf"upgrade script {script}:4: 'GO 2 3' is not a GO"):
        run_script(db, script, "x/upgrade.sql")  # type: ignore[arg-type]
    assert db.sent == []  # nothing ran
