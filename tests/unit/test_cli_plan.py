from __future__ import annotations

import json
import subprocess
import sys

import pytest
from typer.testing import CliRunner

from rehearse.cli import app
from rehearse.errors import ExitCode

runner = CliRunner()


def run(*args: str) -> tuple[int, str, str]:
    result = runner.invoke(app, list(args))
    return result.exit_code, result.stdout, result.stderr


def test_json_plan_has_the_documented_shape() -> None:
    code, out, _ = run("plan", "--from", "3.9", "--to", "4.7", "--format", "json")
    assert code == ExitCode.PASSED
    data = json.loads(out)
    assert {"from", "to", "provider", "stepwise", "steps"} <= data.keys()
    assert (data["from"], data["to"], data["provider"], data["stepwise"]) == (
        "3.90", "4.70", "sqlserver", False)
    first, last = data["steps"][0], data["steps"][-1]
    assert first["kind"] == "sql-script" and first["script"] == "3.90-4.00/upgrade.sql"
    assert "image" not in first
    assert last["kind"] == "app-migration" and last["image"].endswith(":4.70.6")
    assert "script" not in last
    assert all(isinstance(step["notes"], list) for step in data["steps"])


def test_table_names_every_step_and_the_summary() -> None:
    code, out, _ = run("plan", "--from", "4.40", "--to", "4.70", "--stepwise",
                       "--provider", "postgresql")
    assert code == ExitCode.PASSED
    for step in ("4.40 → 4.50", "4.50 → 4.60", "4.60 → 4.70"):
        assert step in out
    assert "3 steps: 3 app starts (stepwise)" in out


def test_markdown_is_a_table() -> None:
    code, out, _ = run("plan", "--from", "4.30", "--to", "4.50", "--format", "markdown")
    assert code == ExitCode.PASSED
    assert out.startswith("# Upgrade plan: nopCommerce 4.30 → 4.50 on SQL Server")
    assert "| 1 | 4.30 → 4.50 | app start `nopcommerceteam/nopcommerce:4.50.4` |" in out


@pytest.mark.parametrize(
    ("args", "error"),
    [
        (["--from", "4.35", "--to", "4.70"], "error: unknown nopCommerce version 4.35"),
        (["--from", "4.70", "--to", "4.50"], "error: downgrade from 4.70 to 4.50"),
        (["--from", "4.30", "--to", "4.70", "--provider", "postgresql"],
         "error: nopCommerce 4.30 cannot run on PostgreSQL"),
        (["--from", "banana", "--to", "4.70"], "error: not a nopCommerce version: 'banana'"),
    ],
)
def test_bad_requests_exit_2_with_one_error_and_one_hint(args: list[str], error: str) -> None:
    code, out, err = run("plan", *args)
    assert code == ExitCode.BAD_INPUT
    assert out == ""
    lines = err.strip().splitlines()
    assert len(lines) == 2
    assert lines[0].startswith(error)
    assert lines[1].startswith("hint: ")


def test_same_version_is_nothing_to_do_and_exit_0() -> None:
    code, _, err = run("plan", "--from", "4.50", "--to", "4.5")
    assert code == ExitCode.PASSED
    assert "nothing to do" in err


def test_unknown_provider_is_a_usage_error() -> None:
    code, _, _ = run("plan", "--from", "4.50", "--to", "4.70", "--provider", "oracle")
    assert code == ExitCode.BAD_INPUT


def test_python_dash_m_runs_the_cli() -> None:
    done = subprocess.run([sys.executable, "-m", "rehearse", "plan", "--from", "4.4", "--to",
                           "4.5", "--format", "json"], capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["to"] == "4.50"


def test_run_refuses_an_unknown_report_format_before_anything(tmp_path: object) -> None:
    result = runner.invoke(app, ["run", "scenarios/demo.yaml", "--format", "pdf"])
    assert result.exit_code == ExitCode.BAD_INPUT
    assert "unknown report format pdf" in result.stderr
    assert "json, markdown, html, junit" in result.stderr


def test_options_are_converted_and_refused_as_typer_would() -> None:
    """The CLI converts option values itself (pydantic stays unloaded): a wrong value is still
    a usage error naming the option, and a right one arrives typed."""
    code, _, err = run("history", "--last", "many")
    assert code == ExitCode.BAD_INPUT and "Invalid value for '--last'" in err
    code, _, err = run("plan", "--from", "4.50", "--to", "4.70", "--format", "yaml")
    assert code == ExitCode.BAD_INPUT and "'yaml' is not one of 'table', 'json'" in err
    code, out, _ = run("plan", "--from", "4.50", "--to", "4.70", "--provider", "mysql",
                       "--format", "json")
    assert code == ExitCode.PASSED and json.loads(out)["provider"] == "mysql"
