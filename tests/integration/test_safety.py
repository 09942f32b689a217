"""Rehearsals that are stopped, run side by side, or handed broken input leave nothing behind."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from rehearse.errors import ExitCode
from rehearse.sandbox import host
from rehearse.sandbox.labels import APP, SESSION
from tests import images
from tests.integration.test_run import scenario, store  # noqa: F401 - the module fixture

pytestmark = pytest.mark.docker


def labelled() -> set[str]:
    """This test session's labelled objects: other sessions on the same engine come and go."""
    docker = host.client()
    mine: dict[str, str | list[str] | bool] = {
        "label": [APP, f"{SESSION}={os.environ['REHEARSE_SESSION']}"]}
    return ({str(c.id) for c in docker.containers.list(all=True, filters=mine, sparse=True)}
            | {str(n.id) for n in docker.networks.list(filters=mine)})


def start(path: Path, *args: str) -> subprocess.Popen[str]:
    return subprocess.Popen([sys.executable, "-m", "rehearse", "run", str(path), *args],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


@pytest.mark.parametrize(
    ("phase", "sig", "code"),
    [("restore", signal.SIGINT, ExitCode.INTERRUPTED),
     ("baseline", signal.SIGINT, ExitCode.INTERRUPTED),
     ("upgrade", signal.SIGINT, ExitCode.INTERRUPTED),
     ("upgrade", signal.SIGTERM, ExitCode.TERMINATED),
     ("smoke checks", signal.SIGTERM, ExitCode.TERMINATED)],
)
def test_stopping_a_run_in_any_phase_tears_it_all_down(store: Path, tmp_path: Path,  # noqa: F811
                                                       phase: str, sig: int, code: int) -> None:
    before = labelled()
    slow = {"NOP_SIM_SLOW_SECONDS": "1", "NOP_SIM_SLOW_PAGES": "1"}
    process = start(scenario(store, tmp_path, slow))
    assert process.stderr is not None
    seen = []
    for line in process.stderr:
        seen.append(line)
        if line.startswith(f"▶ {phase}"):
            time.sleep(0.3)
            process.send_signal(sig)
            break
    _, rest = process.communicate(timeout=120)
    assert process.returncode == code, "".join(seen) + rest
    assert labelled() - before == set()
    (folder,) = (tmp_path / "out").glob("*")
    report = json.loads((folder / "report.json").read_text())
    assert report["verdict"] == "error"
    assert report["phases"][-1]["name"] == "teardown"


def test_two_rehearsals_side_by_side_do_not_collide(store: Path,  # noqa: F811
                                                     tmp_path: Path) -> None:
    first, second = tmp_path / "a", tmp_path / "b"
    first.mkdir()
    second.mkdir()
    runs = [start(scenario(store, folder)) for folder in (first, second)]
    results = [run.communicate(timeout=300) for run in runs]
    assert [run.returncode for run in runs] == [0, 0], results
    ids = {json.loads(next((f / "out").glob("*/report.json")).read_text())["run_id"]
           for f in (first, second)}
    assert len(ids) == 2


def test_no_docker_is_exit_3_with_a_hint(store: Path, tmp_path: Path,  # noqa: F811
                                         monkeypatch: pytest.MonkeyPatch) -> None:
    env = {"DOCKER_HOST": f"unix://{tmp_path / 'no-docker.sock'}", "PATH": "/usr/bin:/bin"}
    done = subprocess.run([sys.executable, "-m", "rehearse", "run",
                           str(scenario(store, tmp_path))],
                          capture_output=True, text=True, env=env, timeout=120, check=False)
    assert done.returncode == ExitCode.ENVIRONMENT, done.stderr
    assert "error: no Docker engine answers" in done.stderr
    assert "hint: start Docker" in done.stderr


def test_an_image_that_is_not_there_is_exit_3_naming_it(store: Path,  # noqa: F811
                                                         tmp_path: Path) -> None:
    path = scenario(store, tmp_path)
    path.write_text(path.read_text().replace("images:\n", "images:\n  pull: false\n").replace(
        f'"{images.SIM}:{{version}}"', '"rehearse/not-built-{version}:1"'))
    done = subprocess.run([sys.executable, "-m", "rehearse", "run", str(path)],
                          capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == ExitCode.ENVIRONMENT, done.stderr
    assert "image rehearse/not-built-4.60:1 is not on this machine" in done.stderr


@pytest.mark.parametrize("env", [{}, {"NOP_SIM_FAIL_MIGRATION": "4.70"}], ids=["pass", "fail"])
def test_no_secret_reaches_any_output(store: Path, tmp_path: Path,  # noqa: F811
                                      monkeypatch: pytest.MonkeyPatch,
                                      env: dict[str, str]) -> None:
    from typer.testing import CliRunner

    from rehearse.cli import app

    generated, from_env = "Aa1_Generated_Sandbox_Pw_42", "scenario-secret-from-env-17"
    monkeypatch.setattr("rehearse.phases.new_password", lambda: generated)
    monkeypatch.setenv("SHOP_ADMIN_PASSWORD", from_env)
    path = scenario(store, tmp_path, env or None,
                    extra="checks:\n  admin: {email: a@b.c, password: '${SHOP_ADMIN_PASSWORD}'}\n")
    result = CliRunner().invoke(app, ["run", str(path)])
    assert result.exit_code in (ExitCode.PASSED, ExitCode.FAILED), result.stderr
    outputs = {"stdout": result.stdout, "stderr": result.stderr}
    outputs |= {str(p): p.read_text(errors="replace")
                for p in (tmp_path / "out").rglob("*") if p.is_file()}
    assert len(outputs) > 6
    for name, text in outputs.items():
        assert generated not in text, name
        assert from_env not in text, name


def test_after_kill_9_the_next_run_sweeps_the_orphans(store: Path,  # noqa: F811
                                                      tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from rehearse.cli import app

    before = labelled()
    first = tmp_path / "killed"
    first.mkdir()
    killed = start(scenario(store, first, {"NOP_SIM_SLOW_SECONDS": "2"}))
    assert killed.stderr is not None
    for line in killed.stderr:
        if line.startswith("▶ upgrade"):
            time.sleep(1.0)
            killed.kill()  # SIGKILL: no teardown at all
            break
    killed.wait(timeout=60)
    orphans = labelled() - before
    assert orphans, "the killed run should have left its sandbox behind"
    result = CliRunner().invoke(app, ["run", str(scenario(store, tmp_path))])
    assert result.exit_code == ExitCode.PASSED, result.stderr
    assert "warning: removed" in result.stderr and "whose process is gone" in result.stderr
    assert labelled() - before == set()


@pytest.mark.parametrize(
    ("scripts", "message"),
    [(None, "names no scripts folder"),
     ("empty", "upgrade script"),])
def test_a_missing_upgrade_script_is_exit_2_before_any_container(
        tmp_path: Path, scripts: str | None, message: str) -> None:
    from typer.testing import CliRunner

    from rehearse.cli import app

    (tmp_path / "shop.bak").write_bytes(b"TAPE" + b"\0" * 64)
    (tmp_path / "App_Data").mkdir()
    (tmp_path / "App_Data" / "Settings.txt").write_text(
        "DataProvider: sqlserver\nDataConnectionString: Data Source=prod;Initial Catalog=shop\n")
    (tmp_path / "empty").mkdir()
    path = tmp_path / "s.yaml"
    path.write_text("store: {version: '3.90', provider: sqlserver, backup: shop.bak, "
                    "app_data: App_Data}\ntarget: '4.70'\n"
                    + (f"scripts: {scripts}\n" if scripts else ""))
    before = labelled()
    result = CliRunner().invoke(app, ["run", str(path), "--output", str(tmp_path / "out")])
    assert result.exit_code == ExitCode.BAD_INPUT
    assert message in result.stderr
    if scripts:
        assert "3.90-4.00/upgrade.sql is missing" in result.stderr
    assert labelled() == before
