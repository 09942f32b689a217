"""`rehearse run` end to end on generated stores, with nopsim standing in for nopCommerce."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest
from typer.testing import CliRunner

from rehearse.catalog import Provider
from rehearse.cli import app
from rehearse.errors import ExitCode
from rehearse.version import Version
from tests import images
from tests.storegen import StoreShape, make_backup
from tests.unit.integrations.fake_service import fake_service

pytestmark = pytest.mark.docker

PRODUCTION_SECRET = "production-secret-Zq9"
APP_SETTINGS = {"ConnectionStrings": {
    "ConnectionString": f"Server=db.prod;Database=shop;User Id=shop;Password={PRODUCTION_SECRET}",
    "DataProvider": "postgresql"}}
PLUGINS = {"InstalledPlugins": [{"SystemName": "Payments.CheckMoneyOrder", "Version": "1.7"},
                                {"SystemName": "Widgets.NivoSlider", "Version": "1.5"}]}


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("store")
    make_backup(StoreShape(Version(4, 50), Provider.POSTGRESQL, tricky_names=True), folder)
    app_data = folder / "App_Data"
    app_data.mkdir()
    (app_data / "appsettings.json").write_text(json.dumps(APP_SETTINGS))
    (app_data / "plugins.json").write_text(json.dumps(PLUGINS))
    return folder


def scenario(store: Path, tmp_path: Path, env: dict[str, str] | None = None,
             extra: str = "", attach: str = "") -> Path:
    environment = "".join(f"\n  {k}: \"{v}\"" for k, v in (env or {}).items())
    text = f"""\
store:
  version: "4.50"
  provider: postgresql
  backup: {store / 'store.dump'}
  app_data: {store / 'App_Data'}
target: "4.70"
stepwise: true
images:
  database: {images.POSTGRES}
  nopcommerce: "{images.SIM}:{{version}}"
limits: {{database_memory: 1g, store_memory: 512m}}
timeouts: {{app_start: 120}}
report:
  output: {tmp_path / 'out'}
{'  attach: [' + attach + ']' if attach else ''}
{'app_environment:' + environment if env else ''}
{extra}"""
    path = tmp_path / "scenario.yaml"
    path.write_text(text)
    return path


def rehearse_run(path: Path) -> tuple[int, str, dict[str, object], Path | None]:
    result = CliRunner().invoke(app, ["run", str(path)])
    folders = sorted((path.parent / "out").glob("*")) if (path.parent / "out").exists() else []
    report = json.loads((folders[-1] / "report.json").read_text()) if folders else {}
    return result.exit_code, result.stderr, report, folders[-1] if folders else None


def test_a_clean_upgrade_passes_with_every_report(store: Path, tmp_path: Path) -> None:
    before = (store / "store.dump").read_bytes()
    code, err, report, folder = rehearse_run(scenario(store, tmp_path))
    assert code == ExitCode.PASSED, err
    assert report["verdict"] == "pass" and report["from"] == "4.50" and report["to"] == "4.70"
    assert [s["to"] for s in report["steps"]] == ["4.60", "4.70"]  # type: ignore[index]
    statuses = {c["id"]: c["status"] for c in report["checks"]}  # type: ignore[index,union-attr]
    assert statuses["page.home"] == statuses["data.plugins"] == "pass"
    assert statuses["data.rows"] == "warn"  # GenericAttribute shrinks on purpose in 4.60
    assert folder is not None
    names = {p.name for p in folder.rglob("*") if p.is_file()}
    assert {"report.json", "report.md", "report.html", "junit.xml", "store-4.70.log",
            "database.log"} <= names
    for path in folder.rglob("*"):
        if path.is_file():
            assert PRODUCTION_SECRET not in path.read_text(errors="replace"), path
    assert (store / "store.dump").read_bytes() == before
    assert "PASS: nopCommerce 4.50 → 4.70" in err and "(stand-in, not nopCommerce)" in err
    assert_images_named(report, folder)


def assert_images_named(report: dict[str, object], folder: Path) -> None:
    """Every format names the database image and server, the app image and its digest, and
    says the stand-in is one (by its label: images/sim/Dockerfile)."""
    assert report["stand_in"] is True
    database = report["database"]
    assert database["database_image"] == images.POSTGRES  # type: ignore[index]
    assert database["database_server"].startswith("PostgreSQL 17")  # type: ignore[index]
    for step in report["steps"]:  # type: ignore[attr-defined]
        assert step["images"]["app_image"] == f"{images.SIM}:{step['to']}"
        assert step["images"]["app_digest"].startswith("sha256:")
        assert step["images"]["database_image"] == images.POSTGRES
    markdown = (folder / "report.md").read_text()
    assert "(stand-in, not nopCommerce)**" in markdown
    assert f"nopCommerce image {images.SIM}:4.70@sha256:" in markdown
    assert "baseline (" in markdown and f"database {images.POSTGRES} (PostgreSQL 17" in markdown
    html = (folder / "report.html").read_text()
    assert "stand-in, not nopCommerce" in html and f"{images.SIM}:4.60@sha256:" in html
    junit = (folder / "junit.xml").read_text()
    assert 'name="nopcommerce.digest" value="sha256:' in junit
    assert 'name="database.server" value="PostgreSQL 17' in junit
    # The expected GenericAttribute shrink is a warning: visible, not a plain pass.
    assert '<property name="warning" value="' in junit and "<system-out>warning:" in junit


def test_generic_attribute_rows_beyond_the_4_60_keys_fail_the_rows_check(
        store: Path, tmp_path: Path) -> None:
    # The stand-in deletes every KeyGroup='Customer' row, not only the keys of §11: rows
    # nopCommerce keeps (LastVisitedPage, SelectedPaymentMethod) are lost.
    code, _, report, _ = rehearse_run(scenario(
        store, tmp_path, {"NOP_SIM_MOVE_ALL_CUSTOMER_ROWS": "1"}))
    assert code == ExitCode.FAILED
    checks = {c["id"]: c for c in report["checks"]}  # type: ignore[union-attr]
    assert checks["data.rows"]["status"] == "fail"
    assert "beyond the expected moves" in checks["data.rows"]["summary"]


def test_a_store_missing_core_tables_is_refused_by_name(tmp_path: Path) -> None:
    folder = tmp_path / "partial"
    make_backup(StoreShape(Version(4, 50), Provider.POSTGRESQL,
                           omit_tables=("ShippingMethod", "Setting")), folder)
    app_data = folder / "App_Data"
    app_data.mkdir()
    (app_data / "appsettings.json").write_text(json.dumps(APP_SETTINGS))
    code, err, report, _ = rehearse_run(scenario(folder, tmp_path))
    assert code == ExitCode.BAD_INPUT
    assert "lacks tables nopCommerce 4.50 needs: ShippingMethod, Setting" in err
    assert report["steps"] == []


def test_a_failing_migration_fails_the_rehearsal_and_posts_to_the_ticket(
        store: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GITHUB_TOKEN", "ghp_t0ken")
    with fake_service() as ticket:
        comments = "/api/v3/repos/acme/shop/issues/42/comments"
        ticket.reply("POST", comments, 201, {"id": 1, "html_url": "https://ghe.example/c1"})
        code, err, report, folder = rehearse_run(scenario(
            store, tmp_path, {"NOP_SIM_FAIL_MIGRATION": "4.60"},
            attach=f"{{to: 'github:acme/shop#42', on: failure, update: false, "
                   f"base_url: '{ticket.url}'}}"))
    assert code == ExitCode.FAILED
    assert [(seen.method, seen.path) for seen in ticket.seen] == [("POST", comments)]
    assert "scenario: FAIL" in ticket.seen[0].body["body"]
    assert "UpgradeTo460.DataMigration" in ticket.seen[0].body["body"]
    assert "posted the summary to github:acme/shop#42" in err and "ghp_t0ken" not in err
    assert report["verdict"] == "fail"
    step = report["steps"][0]  # type: ignore[index]
    assert step["status"] == "fail" and "UpgradeTo460.DataMigration" in step["detail"]
    assert folder is not None
    assert "Rolling back transaction" in (folder / "logs" / "store-4.60.log").read_text()


def test_lost_rows_and_new_errors_fail_their_checks(store: Path, tmp_path: Path) -> None:
    code, _, report, _ = rehearse_run(scenario(
        store, tmp_path, {"NOP_SIM_LOSE_ROWS": "Product:5", "NOP_SIM_LOG_ERRORS": "2"}))
    assert code == ExitCode.FAILED
    checks = {c["id"]: c for c in report["checks"]}  # type: ignore[union-attr]
    assert checks["data.rows"]["status"] == "fail"
    # Both app starts (4.60, then 4.70) lose 5 rows.
    assert "Product lost 10 of 100 rows" in checks["data.rows"]["summary"]
    assert checks["data.log-errors"]["status"] == "fail"


def test_lost_settings_show_as_the_install_page(store: Path, tmp_path: Path) -> None:
    code, _, report, _ = rehearse_run(scenario(store, tmp_path, {"NOP_SIM_LOSE_SETTINGS": "1"}))
    assert code == ExitCode.FAILED
    assert "redirects every page to /install" in str(report["error"])


@pytest.mark.parametrize(
    ("extra", "message"),
    [("target: \"4.30\"\n", "downgrade from 4.50 to 4.30"),
     ("surprise: true\n", "surprise: unknown key")],
)
def test_bad_scenarios_exit_2_before_anything_starts(store: Path, tmp_path: Path, extra: str,
                                                     message: str) -> None:
    path = scenario(store, tmp_path)
    text = path.read_text().replace('target: "4.70"\n', "") if "target" in extra else \
        path.read_text()
    path.write_text(text + extra)
    result = CliRunner().invoke(app, ["run", str(path)])
    assert result.exit_code == ExitCode.BAD_INPUT
    assert message in result.stderr


def test_a_corrupt_backup_is_exit_2_with_a_report(store: Path, tmp_path: Path) -> None:
    broken = tmp_path / "broken"
    shutil.copytree(store, broken)
    dump = broken / "store.dump"
    dump.write_bytes(dump.read_bytes()[:2000])
    code, err, report, _ = rehearse_run(scenario(broken, tmp_path))
    assert code == ExitCode.BAD_INPUT
    assert report["verdict"] == "error" and "restoring store.dump failed" in str(report["error"])
    assert "error: restoring store.dump failed" in err


@pytest.mark.skipif(shutil.which("chromium") is None, reason="chromium is not installed")
def test_the_html_report_renders_in_a_browser(store: Path, tmp_path: Path) -> None:
    _, _, _, folder = rehearse_run(scenario(store, tmp_path, {"NOP_SIM_LOG_ERRORS": "1"}))
    assert folder is not None
    shot = tmp_path / "report.png"
    subprocess.run(
        ["chromium", "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
         "--no-first-run", "--disable-background-networking", "--disable-component-update",
         "--disable-sync", f"--user-data-dir={tmp_path / 'chromium'}",
         "--window-size=1200,1600", f"--screenshot={shot}",
         (folder / "report.html").as_uri()], check=True, capture_output=True, timeout=120)
    assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert shot.stat().st_size > 20_000  # a rendered page, not a blank one
    keep = Path(__file__).parents[2] / "rehearsal-output" / "report-screenshot.png"
    keep.parent.mkdir(exist_ok=True)
    shutil.copy(shot, keep)


def test_keep_leaves_the_store_up_until_clean(store: Path, tmp_path: Path) -> None:
    import httpx

    from rehearse.sandbox import cleanup

    result = CliRunner().invoke(app, ["run", str(scenario(store, tmp_path)), "--keep"])
    assert result.exit_code == ExitCode.PASSED, result.stderr
    (folder,) = (tmp_path / "out").glob("*")
    run_id = json.loads((folder / "report.json").read_text())["run_id"]
    try:
        url = next(line.split("store: ", 1)[1] for line in result.stderr.splitlines()
                   if "store: http" in line)
        assert httpx.get(url).status_code == 200
        assert "docker exec -it rehearse-" in result.stderr
    finally:
        cleaned = CliRunner().invoke(app, ["clean", "--run", run_id])
    assert cleaned.exit_code == 0
    assert cleanup.leftover_containers(run_id) == []


def test_running_out_of_memory_is_an_environment_error(store: Path, tmp_path: Path) -> None:
    path = scenario(store, tmp_path, {"NOP_SIM_EAT_MB": "400"})
    path.write_text(path.read_text().replace("store_memory: 512m", "store_memory: 128m"))
    code, _, report, _ = rehearse_run(path)
    assert code == ExitCode.ENVIRONMENT
    assert "ran out of memory (limit 128m)" in str(report["error"])
    assert "limits.store_memory" in str(report["hint"])


def test_admin_login_opens_the_admin_area_of_the_right_version(store: Path,
                                                              tmp_path: Path) -> None:
    extra = "checks:\n  admin: {email: owner@shop.example, password: letmein}\n"
    env = {"NOP_SIM_ADMIN": "owner@shop.example:letmein"}
    code, err, report, _ = rehearse_run(scenario(store, tmp_path, env, extra=extra))
    assert code == ExitCode.PASSED, err
    check = {c["id"]: c for c in report["checks"]}["page.admin-login"]  # type: ignore[union-attr]
    assert check["summary"] == "the admin area opens and shows version 4.70.0"


def test_a_wrong_admin_password_fails_the_check(store: Path, tmp_path: Path) -> None:
    extra = "checks:\n  admin: {email: admin@yourstore.com, password: wrong}\n"
    code, _, report, _ = rehearse_run(scenario(store, tmp_path, extra=extra))
    assert code == ExitCode.FAILED
    check = {c["id"]: c for c in report["checks"]}["page.admin-login"]  # type: ignore[union-attr]
    assert check["status"] == "fail"


def test_a_windows_mysql_dump_runs_with_lower_case_table_names_and_says_so(
        tmp_path: Path) -> None:
    folder = tmp_path / "windows"
    make_backup(StoreShape(Version(4, 50), Provider.MYSQL, lower_case_tables=True), folder)
    app_data = folder / "App_Data"
    app_data.mkdir()
    settings = {"ConnectionStrings": {"ConnectionString": "Server=db.prod;Database=shop;"
                                      "Uid=shop;Pwd=x;", "DataProvider": "mysql"}}
    (app_data / "appsettings.json").write_text(json.dumps(settings))
    path = scenario(folder, tmp_path)
    path.write_text(path.read_text().replace("provider: postgresql", "provider: mysql")
                    .replace("store.dump", "store.sql").replace('target: "4.70"',
                                                                'target: "4.60"')
                    .replace(images.POSTGRES, images.MARIADB))
    code, err, report, found = rehearse_run(path)
    assert code == ExitCode.PASSED, err
    notes = report["warnings"]
    assert any("lower_case_table_names=1" in note for note in notes)  # type: ignore[union-attr]
    assert found is not None and "lower_case_table_names=1" in (found / "report.md").read_text()
    assert "lower_case_table_names=1" in err
