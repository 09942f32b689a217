"""A store shaped like production (SSL, www, two stores, closed, captcha, MFA, Redis, Azure Blob,
tasks on) rehearses cleanly because rehearse makes its copy safe; with any one change switched
off, the stand-in fails the way nopCommerce fails (nopcommerce.md §11)."""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from rehearse.catalog import Provider
from rehearse.cli import app
from rehearse.database import storesafe
from rehearse.errors import ExitCode
from rehearse.store import appdata, outside
from rehearse.version import Version
from tests import images
from tests.integration.test_run import scenario
from tests.prodstore import PRODUCTION_HOST, SECRETS, production_app_data
from tests.storegen import StoreShape, make_backup

pytestmark = pytest.mark.docker
ADMIN = "checks:\n  admin: {email: admin@yourstore.com, password: admin}\n"


@pytest.fixture(scope="module")
def production(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("production")
    make_backup(StoreShape(Version(4, 50), Provider.POSTGRESQL, production=True), folder)
    (folder / "App_Data").mkdir()
    for name, content in production_app_data("postgresql").items():
        (folder / "App_Data" / name).write_bytes(content)
    return folder


def received_files(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, bytes]]:
    """Every file and environment value handed to a store container, recorded on the way."""
    import rehearse.store.app as store_app

    received: list[tuple[str, bytes]] = []
    real = store_app.run_service

    def recording(spec: Any, run_id: str) -> Any:
        received.extend(spec.files)
        received.extend((f"env {k}", v.encode()) for k, v in spec.env.items())
        return real(spec, run_id)

    monkeypatch.setattr(store_app, "run_service", recording)
    return received


def rehearse(path: Path, *args: str) -> tuple[int, str, dict[str, Any]]:
    result = CliRunner().invoke(app, ["run", str(path), *args])
    folders = sorted((path.parent / "out").glob("*"))
    assert folders, result.stderr
    folder = folders[-1]
    return result.exit_code, result.stderr, json.loads((folder / "report.json").read_text())


def direct(path: Path) -> Path:
    path.write_text(path.read_text().replace("stepwise: true", "stepwise: false"))
    return path


@pytest.mark.parametrize("stepwise", [True, False], ids=["stepwise", "direct"])
def test_a_production_store_rehearses_cleanly_with_every_change_listed(
        production: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        stepwise: bool) -> None:
    received = received_files(monkeypatch)
    path = scenario(production, tmp_path, extra=ADMIN)
    code, err, report = rehearse(path if stepwise else direct(path))
    assert code == ExitCode.PASSED, err
    safety = report["safety"]
    assert any(s.startswith("store 1: SslEnabled true, Url https://www.shop.example/")
               for s in safety)
    assert any(s.startswith("store 2: SslEnabled true") for s in safety)
    for setting in ("seosettings.wwwrequirement", "storeinformationsettings.storeclosed",
                    "captchasettings.showonloginpage",
                    "securitysettings.adminareaallowedipaddresses",
                    "multifactorauthenticationsettings.forcemultifactorauthentication"):
        assert any(s.startswith(f"setting {setting}") for s in safety), setting
    assert "CustomerRole.EnablePasswordLifetime: on for 1 roles → off" in safety
    first_app = "4.60" if stepwise else "4.70"
    assert (f"after {first_app} started: scheduled task 'ResetLicenseCheckTask': enabled → "
            "disabled") in safety
    cache = "appsettings DistributedCacheConfig.DistributedCacheType: redis → memory"
    assert cache in [c for step in report["steps"] for c in step["changes"]]
    assert f"{first_app} App_Data: {cache}" in safety
    assert (f"{first_app} App_Data: appsettings AzureBlobConfig.ConnectionString: (set) → "
            "(empty)") in safety
    (folder,) = (tmp_path / "out").glob("*")
    for name in ("report.md", "report.html", "junit.xml"):  # the list in every format
        text = (folder / name).read_text()
        assert "store 2: SslEnabled true" in text and "ResetLicenseCheckTask" in text, name
    assert received and any(name.endswith("appsettings.json") for name, _ in received)
    for name, content in received:
        for secret in (*SECRETS, PRODUCTION_HOST):
            assert secret.encode() not in content, (name, secret)


def test_as_is_keeps_ssl_and_the_report_says_so(production: Path, tmp_path: Path) -> None:
    code, _, report = rehearse(direct(scenario(production, tmp_path)), "--as-is")
    assert code == ExitCode.FAILED  # SSL on, closed, www: the stand-in redirects like nop does
    assert storesafe.AS_IS_NOTE in report["safety"]
    assert not any(s.startswith("store 1:") for s in report["safety"])
    checks = {c["id"]: c for c in report["checks"]}
    assert checks["page.home"]["summary"] == "/ answered 301"


def _without(table: dict[str, Any], key: str) -> dict[str, Any]:
    return {k: v for k, v in table.items() if k != key}


def _settings_without(name: str) -> Callable[[pytest.MonkeyPatch], None]:
    def switch_off(monkeypatch: pytest.MonkeyPatch) -> None:
        for constant in ("HOST_SETTINGS", "LOGIN_SETTINGS"):
            kept = tuple(s for s in getattr(storesafe, constant) if s[0] != name)
            monkeypatch.setattr(storesafe, constant, kept)
    return switch_off


def _change_without(table: str, key: str) -> Callable[[pytest.MonkeyPatch], None]:
    def switch_off(monkeypatch: pytest.MonkeyPatch) -> None:
        monkeypatch.setattr(storesafe, table, _without(getattr(storesafe, table), key))
    return switch_off


def _section_without(name: str) -> Callable[[pytest.MonkeyPatch], None]:
    def switch_off(monkeypatch: pytest.MonkeyPatch) -> None:
        monkeypatch.setattr(outside, "SECTIONS", _without(outside.SECTIONS, name))
    return switch_off


# (rehearse's change switched off, the check that fails, what nopCommerce does instead)
SWITCHED_OFF = {
    "ssl": (_change_without("HOST_CHANGES", "store urls"), "page.home", "/ answered 301"),
    "www": (_settings_without("seosettings.wwwrequirement"), "page.home", "/ answered 301"),
    "closed": (_settings_without("storeinformationsettings.storeclosed"), "page.home",
               "/ answered 302"),
    "captcha": (_settings_without("captchasettings.showonloginpage"), "page.admin-login",
                "did not open /admin"),
    "admin-ip": (_settings_without("securitysettings.adminareaallowedipaddresses"),
                 "page.admin-redirect", "/admin does not redirect to /login"),
    "forced-mfa": (_settings_without(
        "multifactorauthenticationsettings.forcemultifactorauthentication"),
        "page.admin-login", "did not open /admin"),
    "password-lifetime": (_change_without("LOGIN_CHANGES", "password lifetime"),
                          "page.admin-login", "did not open /admin"),
}


@pytest.mark.parametrize("case", list(SWITCHED_OFF))
def test_with_one_change_switched_off_the_stand_in_fails_as_nopcommerce_does(
        production: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, case: str) -> None:
    switch_off, check_id, summary = SWITCHED_OFF[case]
    switch_off(monkeypatch)
    code, err, report = rehearse(direct(scenario(production, tmp_path, extra=ADMIN)))
    assert code == ExitCode.FAILED, err
    check = {c["id"]: c for c in report["checks"]}[check_id]
    assert check["status"] == "fail" and summary in check["summary"], check


def test_unreachable_redis_fails_the_start_when_left_on(
        production: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _section_without("DistributedCacheConfig")(monkeypatch)
    code, _, report = rehearse(direct(scenario(production, tmp_path)))
    assert code == ExitCode.FAILED
    assert "RedisConnectionException" in str(report["error"])


@pytest.mark.parametrize("leftover", ["Settings.txt", "dataSettings.json"])
def test_a_leftover_legacy_settings_file_never_reaches_the_app(
        production: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, leftover: str) -> None:
    """4.50+ convert a leftover legacy file once and delete it: an empty Settings.txt wipes the
    connection string, an empty dataSettings.json crashes (nopcommerce.md §3)."""
    store = tmp_path / "store"
    shutil.copytree(production, store)
    (store / "App_Data" / leftover).write_bytes(b"")
    code, err, _ = rehearse(direct(scenario(store, tmp_path)))
    assert code == ExitCode.PASSED, err
    monkeypatch.setattr(appdata, "SETTINGS_FILES", ())  # rehearse's removal switched off
    code, _, report = rehearse(direct(scenario(store, tmp_path)))
    assert code == ExitCode.FAILED
    expected = {"Settings.txt": "redirects every page to /install",
                "dataSettings.json": "NullReferenceException"}[leftover]
    assert expected in str(report["error"])


def test_a_production_mysql_store_with_lower_case_tables(tmp_path: Path) -> None:
    make_backup(StoreShape(Version(4, 50), Provider.MYSQL, production=True,
                           lower_case_tables=True), tmp_path)
    (tmp_path / "App_Data").mkdir()
    for name, content in production_app_data("mysql").items():
        (tmp_path / "App_Data" / name).write_bytes(content)
    path = direct(scenario(tmp_path, tmp_path, extra=ADMIN))
    path.write_text(path.read_text().replace("provider: postgresql", "provider: mysql")
                    .replace("store.dump", "store.sql").replace(images.POSTGRES, images.MARIADB))
    code, err, report = rehearse(path)
    assert code == ExitCode.PASSED, err
    assert any(s.startswith("store 1: SslEnabled true") for s in report["safety"])


PG_APPSETTINGS = json.dumps({"ConnectionStrings": {
    "ConnectionString": "Server=db.prod;Database=shop;User Id=u;Password=pw1234",
    "DataProvider": "postgresql"}})


@pytest.mark.parametrize(
    ("provider", "plugins", "message"),
    [("sqlserver", "{}", "App_Data (appsettings.json) says postgresql, the scenario says "
                         "sqlserver, the backup is sqlserver"),
     ("sqlserver", '["Payments.CheckMoneyOrder"]', "plugins.json is a bare list"),
     ("sqlserver", '{"InstalledPlugins": [{"Version": "1.0"}]}', "has no SystemName")],
    ids=["providers", "bare-list", "no-systemname"],
)
def test_bad_app_data_is_exit_2_before_any_container(tmp_path: Path, provider: str, plugins: str,
                                                     message: str) -> None:
    (tmp_path / "shop.bak").write_bytes(b"TAPE" + b"\0" * 64)
    (tmp_path / "App_Data").mkdir()
    settings = PG_APPSETTINGS if plugins == "{}" else PG_APPSETTINGS.replace(
        "postgresql", "sqlserver")
    (tmp_path / "App_Data" / "appsettings.json").write_text(settings)
    (tmp_path / "App_Data" / "plugins.json").write_text(plugins)
    path = tmp_path / "s.yaml"
    path.write_text(f"store: {{version: '4.50', provider: {provider}, backup: shop.bak, "
                    "app_data: App_Data}\ntarget: '4.70'\n")
    result = CliRunner().invoke(app, ["run", str(path), "--output", str(tmp_path / "out")])
    assert result.exit_code == ExitCode.BAD_INPUT, result.stderr
    assert message in result.stderr
    report = json.loads(next((tmp_path / "out").glob("*/report.json")).read_text())
    assert [p["name"] for p in report["phases"]] == ["check inputs", "teardown"]  # no sandbox
