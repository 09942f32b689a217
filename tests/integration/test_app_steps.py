"""App steps against PostgreSQL and MariaDB sandboxes, with nopsim standing in for nopCommerce."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from rehearse.catalog import Mechanism, Provider
from rehearse.database.backup import inspect_backup
from rehearse.database.engines import ENGINES
from rehearse.database.restore import SandboxDatabase, restored
from rehearse.database.storedb import applied_updates, baseline
from rehearse.planner import make_plan
from rehearse.sandbox.labels import new_run_id
from rehearse.sandbox.network import private_network
from rehearse.store.app import AppSpec, AppStartFailedError, running_app
from rehearse.store.appdata import Files, read_plugins, read_settings
from rehearse.store.step import AppStepResult, DatabaseAddress, run_app_step
from rehearse.version import Version
from tests import images
from tests.storegen import LOCAL_IMAGES, StoreShape, make_backup

pytestmark = pytest.mark.docker

V = Version.parse
PROD = "Server=prod-db.internal;Database=shop;User Id=shop;Password=prod-secret;"


def sim(version: Version) -> str:
    return f"{images.SIM}:{version.line}"


def store_app_data(provider: Provider) -> Files:
    """What a 4.40 store's App_Data holds: dataSettings.json and a 4.30+ plugins.json."""
    return {
        "dataSettings.json": json.dumps({
            "DataProvider": provider.value, "DataConnectionString": PROD,
            "RawDataSettings": {}, "SQLCommandTimeout": None}).encode(),
        "plugins.json": json.dumps({"InstalledPlugins": [
            {"SystemName": "Payments.CheckMoneyOrder", "Version": "1.73"},
            {"SystemName": "Widgets.NivoSlider", "Version": "1.52"}]}).encode(),
        "DataProtectionKeys/key-1.xml": b"<key id='1'/>",
    }


@pytest.fixture(scope="module")
def backups(tmp_path_factory: pytest.TempPathFactory) -> dict[Provider, Path]:
    return {p: make_backup(StoreShape(V("4.40"), p, lower_case_tables=p is Provider.MYSQL),
                           tmp_path_factory.mktemp(p.value)) for p in LOCAL_IMAGES}


@contextmanager
def sandbox(backup: Path, provider: Provider) -> Iterator[tuple[str, str, SandboxDatabase]]:
    run_id = new_run_id()
    with private_network(run_id) as network, restored(
            inspect_backup(backup), LOCAL_IMAGES[provider], run_id, "1g", network) as db:
        yield run_id, network, db


def address(db: SandboxDatabase, provider: Provider) -> DatabaseAddress:
    return DatabaseAddress(provider, db.service.name, ENGINES[provider].port, db.credentials)


def rehearse_app_steps(backup: Path, provider: Provider, target: str, stepwise: bool,
                       env: dict[str, str] | None = None) -> list[AppStepResult]:
    plan = make_plan(V("4.40"), V(target), provider, stepwise)
    results: list[AppStepResult] = []
    with sandbox(backup, provider) as (run_id, network, db):
        files, files_version = store_app_data(provider), plan.source
        for step in plan.steps:
            assert step.kind is Mechanism.APP_MIGRATION
            spec = AppSpec(step.target, sim(step.target), files, network, memory="512m",
                           timeout=120, env=env or {})
            result = run_app_step(spec, files_version, address(db, provider), db.db, run_id)
            results.append(result)
            files, files_version = result.app_data, step.target
        assert applied_updates(db.db) >= {V("4.50"), V("4.60"), V(target)}
        assert baseline(db.db).counts["Product"] == 100
    return results


@pytest.mark.parametrize("provider", list(LOCAL_IMAGES), ids=str)
def test_4_40_to_4_70_in_one_app_start(backups: dict[Provider, Path], provider: Provider) -> None:
    (result,) = rehearse_app_steps(backups[provider], provider, "4.70", stepwise=False)
    names = [m.name for m in result.start.migrations]
    assert any("UpgradeTo450" in n for n in names) and any("UpgradeTo470" in n for n in names)
    assert all(m.seconds is not None for m in result.start.migrations)
    assert "Now listening on" in result.start.log
    # The legacy dataSettings.json was converted for 4.50+ and the secrets of production are gone.
    assert "dataSettings.json" not in result.app_data
    settings = read_settings(result.app_data)
    assert settings.source == "appsettings.json" and "prod-db" not in settings.connection_string
    assert "settings: dataSettings.json → appsettings.json, the format 4.70 reads" in result.changes
    assert [p.system_name for p in read_plugins(result.app_data)] == [
        "Payments.CheckMoneyOrder", "Widgets.NivoSlider"]
    assert result.app_data["DataProtectionKeys/key-1.xml"] == b"<key id='1'/>"


@pytest.mark.parametrize("provider", list(LOCAL_IMAGES), ids=str)
def test_stepwise_starts_each_version(backups: dict[Provider, Path], provider: Provider) -> None:
    results = rehearse_app_steps(backups[provider], provider, "4.70", stepwise=True)
    assert [str(r.start.version) for r in results] == ["4.50", "4.60", "4.70"]
    assert all(str(r.start.version).replace(".", "") in r.start.migrations[-1].name
               for r in results)


def test_a_failing_migration_fails_the_step_with_its_name_and_log(
        backups: dict[Provider, Path]) -> None:
    with pytest.raises(AppStartFailedError) as caught:
        rehearse_app_steps(backups[Provider.POSTGRESQL], Provider.POSTGRESQL, "4.70",
                           stepwise=False, env={"NOP_SIM_FAIL_MIGRATION": "4.60"})
    error = caught.value
    assert "nopCommerce 4.70 failed to start while running " \
           "Nop.Web.Framework.Migrations.UpgradeTo460.DataMigration" in error.message
    assert "Unhandled exception. System.AggregateException" in error.message
    assert "Rolling back transaction" in error.log
    assert "transaction" in error.hint


def test_lost_settings_show_as_the_install_redirect(backups: dict[Provider, Path]) -> None:
    with sandbox(backups[Provider.POSTGRESQL], Provider.POSTGRESQL) as (run_id, network, _):
        spec = AppSpec(V("4.50"), sim(V("4.50")), {"plugins.json": b"{}"}, network,
                       memory="512m", timeout=60)
        with pytest.raises(AppStartFailedError, match="redirects every page to /install"), \
                running_app(spec, run_id):
            pass


def test_a_hung_migration_times_out_naming_it(backups: dict[Provider, Path]) -> None:
    with sandbox(backups[Provider.POSTGRESQL], Provider.POSTGRESQL) as (run_id, network, db):
        files = prepared_for(db, Provider.POSTGRESQL, V("4.50"))
        spec = AppSpec(V("4.50"), sim(V("4.50")), files, network, memory="512m", timeout=3,
                       env={"NOP_SIM_SLOW_SECONDS": "60"})
        with pytest.raises(AppStartFailedError) as caught, running_app(spec, run_id):
            pass
    assert "not listening after 3 s" in caught.value.message
    assert "UpgradeTo450.DataMigration" in caught.value.message
    assert "timeout" in caught.value.hint


def prepared_for(db: SandboxDatabase, provider: Provider, target: Version) -> Files:
    from rehearse.store.appdata import prepare, sandbox_connection_string

    where = address(db, provider)
    connection = sandbox_connection_string(provider, where.host, where.port,
                                           db.credentials.database, db.credentials.user,
                                           db.credentials.password, target)
    return prepare(store_app_data(provider), V("4.40"), target, connection).files


def test_store_pages_and_misbehaviour_of_the_stand_in(backups: dict[Provider, Path]) -> None:
    import httpx

    env = {"NOP_SIM_LOSE_ROWS": "Product:5", "NOP_SIM_LOG_ERRORS": "2",
           "NOP_SIM_DROP_PLUGIN": "Widgets.NivoSlider"}
    with sandbox(backups[Provider.MYSQL], Provider.MYSQL) as (run_id, network, db):
        files = prepared_for(db, Provider.MYSQL, V("4.60"))
        spec = AppSpec(V("4.60"), sim(V("4.60")), files, network, memory="512m", timeout=60,
                       env=env, pictures={"thumbs/0000001_0_100.jpeg": b"\xff\xd8jpeg"})
        with running_app(spec, run_id) as (service, _):
            end = service.endpoint
            with httpx.Client(base_url=f"http://{end.host}:{end.port}") as web:
                assert '<meta name="generator" content="nopCommerce"' in web.get("/").text
                assert "Name 3" in web.get("/search", params={"q": "name 3"}).text
                admin = web.get("/admin")
                assert (admin.status_code, admin.headers["location"]) == (
                    302, "/login?ReturnUrl=%2Fadmin")
                assert web.get("/login").status_code == 200
                assert "<urlset>" in web.get("/sitemap.xml").text
                assert "Name 7" in web.get("/product-7").text
                assert web.get("/no-such-page").status_code == 404
            code, _ = service.exec(["test", "-f", "/app/wwwroot/images/thumbs/0000001_0_100.jpeg"])
            assert code == 0
            after = service.read_folder("/app/App_Data")
        counts = baseline(db.db).counts
        assert counts["Product"] == 95
        log_table = db.db.quote("log")
        errors = db.db.query(f"SELECT COUNT(*) FROM {log_table} WHERE LogLevelId >= 40")[1]
        assert errors[0][0] >= 2
    assert [p.system_name for p in read_plugins(after)] == ["Payments.CheckMoneyOrder"]


def test_versions_that_cannot_run_on_linux_are_refused_before_anything_starts() -> None:
    from rehearse.errors import BadInputError

    spec = AppSpec(V("4.10"), "nopcommerceteam/nopcommerce:4.10", {})
    with pytest.raises(BadInputError, match="cannot run in a Linux container"), \
            running_app(spec, new_run_id()):
        pass
