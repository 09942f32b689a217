"""Ordinary bad input is `error:` + `hint:` and exit 2 (3 for the machine), never exit 4,
and is caught before anything starts (these tests need no Docker)."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from typer.testing import CliRunner

from rehearse.cli import app
from rehearse.errors import ExitCode

SCENARIO = """\
store: {version: "4.50", provider: postgresql, backup: b.dump, app_data: App_Data}
target: "4.70"
"""


def run(tmp_path: Path, text: str = SCENARIO, *args: str) -> tuple[int, str]:
    path = tmp_path / "s.yaml"
    path.write_text(text)
    # Not root in some CI: the guard's refusal is another test's business.
    result = CliRunner().invoke(app, ["run", str(path), "--allow-host-access", *args])
    return result.exit_code, result.stderr


def assert_one_error_and_hint(stderr: str) -> None:
    lines = [line for line in stderr.splitlines() if line.startswith(("error:", "hint:"))]
    assert [line.split(":")[0] for line in lines] == ["error", "hint"], stderr
    assert "internal error" not in stderr


@pytest.mark.parametrize(
    ("output", "code", "message"),
    [("a-file", ExitCode.BAD_INPUT, "a file is in the way"),
     ("a-file/reports", ExitCode.BAD_INPUT, "a file is in the way"),
     ("/sys/rehearse-cannot-write-here", ExitCode.ENVIRONMENT, "cannot write reports in")],
)
def test_an_output_folder_that_cannot_be_one(tmp_path: Path, output: str, code: int,
                                             message: str) -> None:
    (tmp_path / "a-file").write_text("")
    found, stderr = run(tmp_path, SCENARIO, "--output", str(tmp_path / output))
    assert found == code, stderr
    assert message in stderr
    assert_one_error_and_hint(stderr)


def test_an_immutable_output_folder_is_exit_3(tmp_path: Path) -> None:
    folder = tmp_path / "frozen"
    folder.mkdir()
    if subprocess.run(["chattr", "+i", str(folder)], capture_output=True,
                      check=False).returncode != 0:
        pytest.skip("chattr +i is not allowed here")
    try:
        found, stderr = run(tmp_path, SCENARIO, "--output", str(folder))
    finally:
        subprocess.run(["chattr", "-i", str(folder)], check=True)
    assert found == ExitCode.ENVIRONMENT, stderr
    assert f"cannot write reports in {folder}" in stderr
    assert_one_error_and_hint(stderr)


@pytest.mark.parametrize(
    ("extra", "message"),
    [("limits: {database_memory: two gigs}", "'two gigs' is not a memory size"),
     ("limits: {store_memory: 1k}", "1k is too little memory: give at least 128m"),
     ("limits: {store_memory: '512'}", "a number without a unit is bytes"),
     ("timeouts: {database_start: .inf}", "timeouts.database_start"),
     ("timeouts: {app_start: 0}", "timeouts.app_start"),
     ("images: {database: 'Postgres 16!'}", "is not an image name"),
     ("checks: {pages: ['http://example.com/']}", "is not a path of the store"),
     ("app_environment: {'A=B': x}", "an environment variable is NAME: value"),
     ("scripts: \"a\\0b\"", "a path cannot contain a NUL character")],
)
def test_bad_values_are_exit_2_naming_the_key(tmp_path: Path, extra: str, message: str) -> None:
    found, stderr = run(tmp_path, SCENARIO + extra + "\n")
    assert found == ExitCode.BAD_INPUT, stderr
    assert message in stderr
    assert_one_error_and_hint(stderr)


def test_inspect_memory_is_checked_before_anything_starts(tmp_path: Path) -> None:
    (tmp_path / "b.dump").write_bytes(b"PGDMP")
    result = CliRunner().invoke(app, ["inspect", str(tmp_path / "b.dump"), "--memory", "lots"])
    assert result.exit_code == ExitCode.BAD_INPUT, result.stderr
    assert "--memory: 'lots' is not a memory size" in result.stderr
    assert_one_error_and_hint(result.stderr)
