"""`rehearse inspect` end to end: a generated backup restored, recognised and left untouched."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from rehearse.catalog import Provider
from rehearse.cli import app
from rehearse.database.backup import sha256
from rehearse.errors import ExitCode
from rehearse.version import Version
from tests import images
from tests.storegen import StoreShape, make_backup

pytestmark = pytest.mark.docker


@pytest.fixture(scope="module")
def backup(tmp_path_factory: pytest.TempPathFactory) -> Path:
    shape = StoreShape(Version(4, 70), Provider.POSTGRESQL, lower_case_tables=True)
    return make_backup(shape, tmp_path_factory.mktemp("inspect"))


def invoke(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(app, ["inspect", *args])
    return result.exit_code, result.stdout, result.stderr


def test_inspect_reports_version_and_counts_as_json(backup: Path) -> None:
    before = sha256(backup)
    code, out, _ = invoke(str(backup), "--image", images.POSTGRES, "--memory", "1g",
                          "--version", "4.7", "--provider", "postgresql", "--json")
    assert code == ExitCode.PASSED
    found = json.loads(out)
    assert found["version"] == "4.70" and found["provider"] == "postgresql"
    assert found["counts"]["Product"] == 100 and found["missing_tables"] == []
    assert found["backup"]["sha256"] == before == sha256(backup)
    assert found["sandbox"]["image"] == images.POSTGRES
    assert found["sandbox"]["production"].startswith("PostgreSQL 17")  # read from the dump


@pytest.mark.parametrize(
    ("args", "error"),
    [
        (["--version", "4.50"], "error: the backup holds a nopCommerce 4.70 store, not 4.50"),
        (["--provider", "mysql"], "error: backup store.dump is a PostgreSQL backup, but the "
                                  "store is declared as MySQL"),
    ],
)
def test_mismatches_exit_2_and_leave_nothing(backup: Path, args: list[str], error: str) -> None:
    code, out, err = invoke(str(backup), "--image", images.POSTGRES, "--memory", "1g", *args)
    assert code == ExitCode.BAD_INPUT
    assert out == ""
    assert error in err and "hint:" in err  # the autouse guard checks nothing was left


@pytest.mark.parametrize("relative", ["./store.dump", "store.dump"])
def test_inspect_from_the_backups_own_folder(backup: Path, relative: str,
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    # Issue 10 §4: the folder was mounted unresolved and Docker made a named volume of it.
    from rehearse.sandbox import host

    monkeypatch.chdir(backup.parent)
    volumes_before = {v.name for v in host.client().volumes.list()}
    code, out, err = invoke(relative, "--image", images.POSTGRES, "--memory", "1g", "--json")
    assert code == ExitCode.PASSED, err
    assert json.loads(out)["version"] == "4.70"
    new = {v.name for v in host.client().volumes.list()} - volumes_before
    assert not {".", "store.dump", str(backup.parent)} & new


def test_a_workbench_dump_project_folder_is_inspected(tmp_path: Path) -> None:
    # Issue 10 §4: one .sql per table, restored in an order that works, mounted read-only.
    from rehearse.database.backupset import file_digests, inspect_backup_set
    from tests.storegen import make_dump_project

    shape = StoreShape(Version(4, 50), Provider.MYSQL)
    folder = make_dump_project(shape, tmp_path)
    digests = file_digests(inspect_backup_set(folder))
    assert len(digests) > 10 and "nop_Product.sql" in digests
    code, out, err = invoke(str(folder), "--image", images.MARIADB, "--memory", "1g",
                            "--provider", "mysql", "--json")
    assert code == ExitCode.PASSED, err
    found = json.loads(out)
    assert found["version"] == "4.50" and found["counts"]["Product"] == 100
    assert file_digests(inspect_backup_set(folder)) == digests  # untouched


def test_a_damaged_sql_gz_fails_with_a_short_line_and_the_whole_output_logged(
        tmp_path: Path) -> None:
    import gzip

    dump = make_backup(StoreShape(Version(4, 50), Provider.MYSQL), tmp_path / "src")
    packed = gzip.compress(dump.read_bytes())
    damaged = tmp_path / "store.sql.gz"
    damaged.write_bytes(packed[: len(packed) * 2 // 3])  # cut off mid-stream
    code, _, err = invoke(str(damaged), "--image", images.MARIADB, "--memory", "1g",
                            "--provider", "mysql")
    assert code == ExitCode.BAD_INPUT, err
    error_line = next(line for line in err.splitlines() if line.startswith("error:"))
    assert "restoring store.sql.gz failed" in error_line and len(error_line) < 700
    assert "gzip" in error_line or "ERROR" in error_line


def test_a_store_without_setting_shows_its_version_and_what_is_missing(
        tmp_path: Path) -> None:
    shape = StoreShape(Version(4, 50), Provider.POSTGRESQL, omit_tables=("Setting",))
    partial = make_backup(shape, tmp_path)
    code, out, _ = invoke(str(partial), "--image", images.POSTGRES, "--memory", "1g", "--json")
    assert code == ExitCode.PASSED
    found = json.loads(out)
    assert found["version"] == "4.50" and found["missing_core_tables"] == ["Setting"]
    code, out, _ = invoke(str(partial), "--image", images.POSTGRES, "--memory", "1g")
    assert code == ExitCode.PASSED
    assert "missing tables of nopCommerce 4.50" in out and "Setting" in out
