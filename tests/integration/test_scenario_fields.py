"""Every scenario field changes what a rehearsal does; tests/unit/test_scenario.py keeps the
list of which test shows each one."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from rehearse.cli import app
from rehearse.errors import ExitCode
from rehearse.sandbox import cleanup, host
from rehearse.sandbox.labels import ROLE, selector
from tests.integration.test_run import scenario, store  # noqa: F401 - the module fixture

pytestmark = pytest.mark.docker
PICTURE = "thumbs/0000001_0_100.jpeg"


def fields_scenario(store: Path, tmp_path: Path, checks: str) -> Path:  # noqa: F811
    (tmp_path / "images" / "thumbs").mkdir(parents=True)
    (tmp_path / "images" / PICTURE).write_bytes(b"\xff\xd8jpeg")
    path = scenario(store, tmp_path, {"NOP_SIM_LOSE_ROWS": "Product:5"}, extra=f"""\
checks:
  search: Name
  pages: [/sitemap.xml]
  store_diff: {{enabled: false}}  # the lost products' pages differ, rightly
  {checks}
""")
    text = path.read_text().replace("stepwise: true", "stepwise: false").replace(
        "limits: {database_memory: 1g, store_memory: 512m}",
        "limits: {database_memory: 640m, store_memory: 0.375g}").replace(
        "report:\n", "report:\n  formats: [json, markdown]\n").replace(
        "  app_data:", f"  pictures: {tmp_path / 'images'}\n  app_data:")
    path.write_text(text.replace("images:\n", "images:\n  pull: false\n"))
    return path


def test_the_scenarios_settings_reach_the_sandbox_checks_and_reports(
        store: Path, tmp_path: Path) -> None:  # noqa: F811
    result = CliRunner().invoke(app, ["run", "--keep", str(fields_scenario(
        store, tmp_path, "max_row_loss_percent: 10"))])
    (folder,) = (tmp_path / "out").glob("*")
    report = json.loads((folder / "report.json").read_text())
    run_id = report["run_id"]
    try:
        containers = {c.labels[ROLE]: c for c in host.client().containers.list(
            filters=selector(run_id))}
        memory = {role: c.attrs["HostConfig"]["Memory"] for role, c in containers.items()}
        picture = containers["store-4.70"].exec_run(
            ["test", "-f", f"/app/wwwroot/images/{PICTURE}"]).exit_code
    finally:
        cleanup.remove_all(run_id)
    # checks.max_row_loss_percent: 5 % lost is within 10 % (the default 0 fails it).
    assert result.exit_code == ExitCode.PASSED, result.stderr
    assert [(s["from"], s["to"]) for s in report["steps"]] == [("4.50", "4.70")]  # stepwise
    assert memory["database"] == 640 * 1024**2 and memory["store-4.70"] == 384 * 1024**2  # limits
    assert picture == 0  # store.pictures
    checks = {c["id"]: c for c in report["checks"]}
    assert "/search?q=Name finds products" in checks["page.search"]["summary"]  # checks.search
    assert checks["page.extra"]["evidence"] == ["GET /sitemap.xml → 200"]  # checks.pages
    written = {p.name for p in folder.iterdir()}
    assert written == {"report.json", "report.md", "rehearse.log", "logs"}  # report.formats


def test_ignored_tables_do_not_count_lost_rows(store: Path, tmp_path: Path) -> None:  # noqa: F811
    result = CliRunner().invoke(app, ["run", str(fields_scenario(
        store, tmp_path, "ignore_tables: [Product]"))])
    assert result.exit_code == ExitCode.PASSED, result.stderr


def test_the_app_start_timeout_is_the_scenarios(store: Path, tmp_path: Path) -> None:  # noqa: F811
    path = scenario(store, tmp_path, {"NOP_SIM_SLOW_SECONDS": "60"})
    path.write_text(path.read_text().replace("timeouts: {app_start: 120}",
                                             "timeouts: {app_start: 4}"))
    result = CliRunner().invoke(app, ["run", str(path)])
    (folder,) = (tmp_path / "out").glob("*")
    report = json.loads((folder / "report.json").read_text())
    assert result.exit_code != ExitCode.PASSED, result.stderr
    upgrade = next(p for p in report["phases"] if p["name"] == "upgrade")
    assert upgrade["seconds"] < 40, upgrade  # one slow migration alone takes 60 s
    assert "after 4 s" in report["error"], report["error"]
