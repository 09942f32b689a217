"""`rehearse history`: newest first, a trend per step, as a table, JSON or CSV."""

from __future__ import annotations

import csv
import io
import json

import pytest
from typer.testing import CliRunner

from rehearse.cli import app
from rehearse.history.database import history_url, opened
from tests.nights import STEP_NAME, night


@pytest.fixture(autouse=True)
def _three_nights() -> None:
    with opened(history_url()) as history:  # the test's own XDG data folder (conftest)
        for n, seconds in ((1, 30.0), (2, 60.0), (3, 61.0)):
            history.record(night(n, step=seconds))
        history.record(night(4, step=5.0, store="other"))


def invoke(*args: str) -> str:
    result = CliRunner().invoke(app, ["history", *args])
    assert result.exit_code == 0, result.stderr
    return result.stdout


def test_csv_lists_newest_first_with_each_steps_time_and_trend() -> None:
    rows = list(csv.DictReader(io.StringIO(invoke("--store", "shop", "--format", "csv"))))
    assert [r["run_id"] for r in rows] == ["shop-run3", "shop-run2", "shop-run1"]
    assert [r[STEP_NAME] for r in rows] == ["61.0", "60.0", "30.0"]
    assert [r[f"{STEP_NAME} trend"] for r in rows] == ["→", "↑", ""]
    assert rows[0]["backup"] == "shop-3.dump" and rows[0]["backup_age_hours"] == "1.5"


def test_json_keeps_every_recorded_fact() -> None:
    runs = json.loads(invoke("--format", "json", "--last", "2"))
    assert [r["run_id"] for r in runs] == ["other-run4", "shop-run3"]
    assert runs[1]["backup"]["sha256"] == "cafe" * 16
    assert {i["kind"] for i in runs[1]["items"]} == {"phase", "step", "migration", "check"}
    assert runs[1]["row_counts"] == {"Product": 100, "Order": 50}


def test_the_table_shows_the_trend_arrows() -> None:
    text = invoke("--store", "shop")
    assert "3 rehearsals, newest first" in text
    assert "61.0 s →" in text and "60.0 s ↑" in text


def test_an_empty_history_says_so() -> None:
    result = CliRunner().invoke(app, ["history", "--store", "nobody"])
    assert result.exit_code == 0
    assert "no rehearsals recorded for store 'nobody'" in result.stderr


def test_last_must_be_positive() -> None:
    result = CliRunner().invoke(app, ["history", "--last", "0"])
    assert result.exit_code == 2
    assert "error: --last 0" in result.stderr and "hint:" in result.stderr
