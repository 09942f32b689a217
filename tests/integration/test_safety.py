"""Rehearsals that are stopped, run side by side, or handed broken input leave nothing behind."""

from __future__ import annotations

import io
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
from rehearse.sandbox.labels import SESSION
from tests import images
from tests.integration.test_run import scenario, store  # noqa: F401 - the module fixture

pytestmark = pytest.mark.docker


def labelled() -> set[str]:
    """This test session's objects (other sessions share the engine), from list replies only."""
    docker = host.client()
    mine = {"label": [f"{SESSION}={os.environ['REHEARSE_SESSION']}"]}
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
    # Slow pages make the smoke checks long enough to stop in; the page comparison would
    # fetch every sampled page slowly twice, so it stays off here.
    process = start(scenario(store, tmp_path, slow,
                             extra="checks:\n  store_diff: {enabled: false}\n"))
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
    assert "hint: the sandbox was removed and the backup left as it was" in rest
    assert labelled() - before == set()
    (folder,) = (tmp_path / "out").glob("*")
    report = json.loads((folder / "report.json").read_text())
    assert report["verdict"] == "error"
    assert report["phases"][-1]["name"] == "teardown"


@pytest.mark.parametrize("round_", [1, 2])
def test_rehearsals_side_by_side_never_fail_each_other(store: Path,  # noqa: F811
                                                       tmp_path: Path, round_: int) -> None:
    """Staggered starts, and staggered teardowns (some runs are slower): each run's orphan
    sweep lists while others create and remove their objects. Twice: races are rare."""
    runs: list[subprocess.Popen[str]] = []
    folders = []
    for number, slow in enumerate(["0", "1", "0", "2"]):
        folder = tmp_path / f"{round_}-{number}"
        folder.mkdir()
        path = scenario(store, folder, {"NOP_SIM_SLOW_SECONDS": slow})
        path.write_text(path.read_text().replace('target: "4.70"', 'target: "4.60"'))
        runs.append(start(path))
        folders.append(folder)
        time.sleep(2.5)
    results = [run.communicate(timeout=300) for run in runs]
    assert [run.returncode for run in runs] == [0] * len(runs), results
    assert not any("internal error" in err for _, err in results)
    ids = {json.loads(next((f / "out").glob("*/report.json")).read_text())["run_id"]
           for f in folders}
    assert len(ids) == len(runs)


def test_the_orphan_sweep_ignores_objects_that_vanish_under_it() -> None:
    import threading

    from rehearse.sandbox import cleanup
    from rehearse.sandbox.labels import labels, new_run_id

    docker, stop = host.client(), threading.Event()
    churned: list[int] = []

    def churn() -> None:  # another rehearsal creating and removing its objects all the time
        while not stop.is_set():
            run_id = new_run_id()
            docker.containers.create(f"{images.SIM}:base", ["true"], labels=labels(
                run_id, "churn"), name=f"rehearse-{run_id}-churn").remove(force=True)
            churned.append(1)

    worker = threading.Thread(target=churn, daemon=True)
    worker.start()
    try:
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline and len(churned) < 60:
            cleanup.orphaned_runs()
            cleanup.leftover_containers()
    finally:
        stop.set()
        worker.join(timeout=30)
    assert len(churned) >= 10


def test_a_kept_sandbox_is_never_swept_by_another_users_run(store: Path,  # noqa: F811
                                                             tmp_path: Path) -> None:
    from rehearse.sandbox import cleanup, firewall

    def env(state: str) -> dict[str, str]:
        (tmp_path / state).mkdir()  # another user: another HOME, another state folder
        return {**os.environ, "HOME": str(tmp_path / state),
                "REHEARSE_STATE_DIR": str(tmp_path / state),
                "PATH": "/usr/bin:/bin"}  # like cron and CI runners: no sbin

    first, second = tmp_path / "first", tmp_path / "second"
    first.mkdir()
    second.mkdir()
    kept = subprocess.run([sys.executable, "-m", "rehearse", "run", str(scenario(store, first)),
                           "--keep"], capture_output=True, text=True, env=env("a"), timeout=300,
                          check=False)
    run_id = json.loads(next((first / "out").glob("*/report.json")).read_text())["run_id"]
    try:
        assert kept.returncode == ExitCode.PASSED, kept.stderr
        left = set(cleanup.leftover_containers(run_id))
        assert left, "--keep left nothing running"
        # The egress guard was found without sbin on PATH, and stays with the kept sandbox.
        rules = subprocess.run([str(firewall.find("iptables")), "-S", "INPUT"],
                               capture_output=True, text=True, check=True).stdout
        assert f"rehearse-{run_id}" in rules
        # Its process is gone now: only the label tells the next run to leave it alone.
        other = subprocess.run([sys.executable, "-m", "rehearse", "run",
                                str(scenario(store, second))], capture_output=True, text=True,
                               env=env("b"), timeout=300, check=False)
        assert other.returncode == ExitCode.PASSED, other.stderr
        assert f"rehearsal {run_id}" not in other.stderr
        assert set(cleanup.leftover_containers(run_id)) == left
    finally:
        cleanup.remove_all(run_id)
    assert cleanup.leftover_containers(run_id) == []


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
    assert "image rehearse/not-built-4.50:1 is not on this machine" in done.stderr


# A scenario secret with every character an encoding changes: & < > " ' \\ and a non-ASCII letter.
HOSTILE = "Zq9x&<>\"' \\é-pw"


def encodings(secret: str) -> dict[str, str]:
    """The forms in which a report, log or terminal could carry the secret."""
    import html
    import urllib.parse
    from xml.sax.saxutils import quoteattr

    return {"raw": secret, "html": html.escape(secret), "html-text": html.escape(secret, False),
            "json": json.dumps(secret)[1:-1],
            "json-utf8": json.dumps(secret, ensure_ascii=False)[1:-1],
            "xml-attr": quoteattr(secret)[1:-1], "url": urllib.parse.quote(secret, safe=""),
            "url-form": urllib.parse.quote_plus(secret),
            "url-path": urllib.parse.quote(secret, safe="/&'"),
            "backslash": secret.encode("unicode_escape").decode(), "repr": repr(secret)[1:-1],
            "ascii": ascii(secret)[1:-1]}


@pytest.mark.parametrize("env", [{}, {"NOP_SIM_FAIL_MIGRATION": "4.70"}], ids=["pass", "fail"])
def test_no_secret_reaches_any_output_in_any_encoding(
        store: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,  # noqa: F811
        env: dict[str, str]) -> None:
    from typer.testing import CliRunner

    from rehearse.cli import app

    generated = "Aa1_Generated_Sandbox_Pw_42"
    monkeypatch.setattr("rehearse.phases.new_password", lambda: generated)
    monkeypatch.setenv("SHOP_SECRET", HOSTILE)
    # The secret goes where outputs quote it: a page's URL, the search word, the admin login.
    extra = ("checks:\n  admin: {email: a@b.c, password: '${SHOP_SECRET}'}\n"
             "  search: '${SHOP_SECRET}'\n  pages: ['/probe?token=${SHOP_SECRET}']\n")
    result = CliRunner().invoke(app, ["run", str(scenario(store, tmp_path, env or None, extra))])
    assert result.exit_code in (ExitCode.PASSED, ExitCode.FAILED), result.stderr
    outputs = {"stdout": result.stdout, "stderr": result.stderr}
    outputs |= {str(p): p.read_text(errors="replace")
                for p in (tmp_path / "out").rglob("*") if p.is_file()}
    assert any(p.endswith("rehearse.log") for p in outputs) and len(outputs) > 6
    for name, text in outputs.items():
        assert generated not in text, name
        # Letters and digits survive every encoding: none of the secret may be left.
        assert "Zq9x" not in text, name
        for form, encoded in encodings(HOSTILE).items():
            assert encoded not in text, (name, form)
    if not env:  # the pages check quoted the secret's URL, redacted
        assert "/probe?token=********" in outputs[str(next((tmp_path / "out").glob("*/report.md")))]


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


def test_without_the_egress_guard_a_run_is_refused_unless_host_access_is_allowed(
        store: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:  # noqa: F811
    from typer.testing import CliRunner

    from rehearse.cli import app
    from rehearse.sandbox import firewall

    # A machine with neither iptables nor nft anywhere.
    monkeypatch.setenv("PATH", str(tmp_path))
    monkeypatch.setattr(firewall, "SBIN", ())
    before, path = labelled(), scenario(store, tmp_path)
    refused = CliRunner().invoke(app, ["run", str(path)])
    assert refused.exit_code == ExitCode.ENVIRONMENT, refused.stderr
    assert "error: cannot block the sandbox from this host's own services: neither iptables " \
           "nor nft is installed" in refused.stderr
    assert "--allow-host-access" in refused.stderr.splitlines()[-1]
    assert labelled() == before and not (tmp_path / "out").exists()
    allowed = CliRunner().invoke(app, ["run", str(path), "--allow-host-access"])
    assert allowed.exit_code == ExitCode.PASSED, allowed.stderr
    (folder,) = (tmp_path / "out").glob("*")
    report = json.loads((folder / "report.json").read_text())
    assert report["exposure"].startswith("host access allowed (--allow-host-access)")
    verdict_block = (folder / "report.md").read_text().split("## Steps")[0]
    assert "**Warning:** host access allowed" in verdict_block
    assert "Warning: host access allowed" in (folder / "report.html").read_text()


def test_a_backup_of_another_provider_is_exit_2_not_a_changed_backup(
        tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from rehearse.cli import app

    (tmp_path / "shop.sql").write_text("-- MySQL dump 10.13  Distrib 8.0.36\n")
    (tmp_path / "App_Data").mkdir()
    (tmp_path / "App_Data" / "appsettings.json").write_text("{}")
    path = tmp_path / "s.yaml"
    path.write_text("store: {version: '4.60', provider: postgresql, backup: shop.sql, "
                    "app_data: App_Data}\ntarget: '4.70'\n")
    result = CliRunner().invoke(app, ["run", str(path), "--output", str(tmp_path / "out")])
    assert result.exit_code == ExitCode.BAD_INPUT, result.stderr
    assert "error: backup shop.sql is a MySQL" in result.stderr
    assert "declared as PostgreSQL" in result.stderr
    (folder,) = (tmp_path / "out").glob("*")
    for name in ("report.md", "report.json", "report.html"):
        assert "changed" not in (folder / name).read_text().lower(), name
    assert json.loads((folder / "report.json").read_text())["backup"] == {}


@pytest.mark.parametrize("missing", ["pyodbc", "odbc driver"])
def test_a_missing_sql_server_driver_is_exit_3_with_the_install_command_before_any_container(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, missing: str) -> None:
    import types

    from typer.testing import CliRunner

    from rehearse.cli import app

    fake = None if missing == "pyodbc" else types.SimpleNamespace(drivers=lambda: [])
    monkeypatch.setitem(sys.modules, "pyodbc", fake)
    (tmp_path / "shop.bak").write_bytes(b"TAPE" + b"\0" * 64)
    (tmp_path / "App_Data").mkdir()
    (tmp_path / "App_Data" / "appsettings.json").write_text(json.dumps({"ConnectionStrings": {
        "ConnectionString": "Data Source=prod;Initial Catalog=shop", "DataProvider": "sqlserver"}}))
    path = tmp_path / "s.yaml"
    path.write_text("store: {version: '4.60', provider: sqlserver, backup: shop.bak, "
                    "app_data: App_Data}\ntarget: '4.70'\n")
    before = labelled()
    result = CliRunner().invoke(app, ["run", str(path), "--output", str(tmp_path / "out")])
    assert result.exit_code == ExitCode.ENVIRONMENT, result.stderr
    expected = "pip install 'rehearse[sqlserver]'" if fake is None else "apt-get install unixodbc"
    assert expected in result.stderr, result.stderr
    assert labelled() == before


# The test database image, silent for a minute before it starts: a server that is not ready
# after a second on any machine (the plain image can be ready within one on a quiet one).
_SLOW_DATABASE = f"""FROM {images.POSTGRES}
ENTRYPOINT ["sh", "-c", "sleep 60; exec docker-entrypoint.sh \\"$@\\"", "--"]
CMD ["postgres"]
"""


def test_the_database_start_timeout_is_the_scenarios(store: Path,  # noqa: F811
                                                      tmp_path: Path) -> None:
    slow = f"{images.POSTGRES}-slow-start"
    host.client().images.build(fileobj=io.BytesIO(_SLOW_DATABASE.encode()), tag=slow, rm=True,
                               labels={"io.rehearse": slow})
    path = scenario(store, tmp_path)
    path.write_text(path.read_text()
                    .replace("timeouts: {app_start: 120}",
                             "timeouts: {app_start: 120, database_start: 1}")
                    .replace(f"database: {images.POSTGRES}", f"database: {slow}"))
    started = time.monotonic()
    done = subprocess.run([sys.executable, "-m", "rehearse", "run", str(path)],
                          capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == ExitCode.ENVIRONMENT, done.stderr
    assert "database container" in done.stderr and "did not become ready" in done.stderr
    report = json.loads(next((tmp_path / "out").glob("*/report.json")).read_text())
    restore = next(p for p in report["phases"] if p["name"] == "restore")
    assert restore["seconds"] < 10, restore  # the default would wait 180 s
    assert time.monotonic() - started < 60
