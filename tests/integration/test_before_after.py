"""The store compared with itself: what customers see before and after the upgrade, and a second
start of the target that must change nothing — each failing when the stand-in misbehaves."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from rehearse.catalog import Provider
from rehearse.errors import ExitCode
from rehearse.version import Version
from tests.integration.test_run import rehearse_run, scenario, store  # noqa: F401 - the fixture
from tests.storegen import StoreShape, make_backup

pytestmark = pytest.mark.docker


def _checks(report: dict[str, object]) -> dict[str, dict[str, object]]:
    return {c["id"]: c for c in report["checks"]}  # type: ignore[index,union-attr,attr-defined]


def test_a_price_the_migration_changed_is_named_with_both_prices(store: Path,  # noqa: F811
                                                                  tmp_path: Path) -> None:
    code, err, report, folder = rehearse_run(scenario(store, tmp_path,
                                                      {"NOP_SIM_CHANGE_PRICE": "8"}))
    assert code == ExitCode.FAILED, err
    diff = _checks(report)["store.diff"]
    assert diff["status"] == "fail", diff
    # Stepwise: the 4.60 and the 4.70 start each migrate, and each adds 10.00.
    assert "/product-8 price: $8.99 → $28.99" in diff["evidence"]  # type: ignore[operator]
    assert folder is not None
    catalogue = _checks(report)["data.catalogue"]
    assert catalogue["status"] == "fail"
    assert "changed (1): ids 8" in catalogue["evidence"]  # type: ignore[operator]
    saved = json.loads((folder / "logs" / "store-diff.json").read_text())
    assert saved["differences"] == [{"path": "/product-8", "field": "price",
                                     "before": "$8.99", "after": "$28.99"}]
    assert "store-4.50-before.log" in {p.name for p in (folder / "logs").iterdir()}


def test_an_allowed_difference_passes_and_is_counted(store: Path,  # noqa: F811
                                                     tmp_path: Path) -> None:
    extra = "checks:\n  store_diff: {sample: 30, allow: ['/product-8 price']}\n"
    code, err, report, _ = rehearse_run(scenario(store, tmp_path,
                                                 {"NOP_SIM_CHANGE_PRICE": "8"}, extra))
    assert _checks(report)["store.diff"]["status"] == "pass"
    assert "1 allowed difference" in _checks(report)["store.diff"]["summary"]  # type: ignore
    # The page may be allowed to differ; the database still says the price changed.
    assert code == ExitCode.FAILED, err
    assert _checks(report)["data.catalogue"]["status"] == "fail"


def test_a_migration_that_toggles_on_every_start_fails_the_second_start(
        store: Path, tmp_path: Path) -> None:  # noqa: F811
    extra = "checks:\n  store_diff: {enabled: false}\n"
    code, err, report, _ = rehearse_run(scenario(store, tmp_path, {
        "NOP_SIM_TOGGLE_RESOURCE": "Admin.Toggled"}, extra))
    assert code == ExitCode.FAILED, err
    restart = _checks(report)["restart.changes-nothing"]
    assert restart["status"] == "fail"
    # Starts of 4.60 (in) and 4.70 (out); the second start puts it back.
    assert "resources added (1): 1/Admin.Toggled" in restart["evidence"]  # type: ignore
    assert _checks(report)["store.diff"]["status"] == "skip"
    assert "a second start of 4.70 changed the store" in err


def test_a_translation_overwritten_with_english_is_named(store: Path,  # noqa: F811
                                                        tmp_path: Path) -> None:
    extra = "checks:\n  store_diff: {enabled: false}\n  second_start: false\n"
    code, err, report, _ = rehearse_run(scenario(store, tmp_path, {
        "NOP_SIM_OVERWRITE_RESOURCE": "Nop.Resource.3"}, extra))
    assert code == ExitCode.FAILED, err
    checks = _checks(report)
    assert checks["data.localization"]["status"] == "fail"
    assert "overwritten with English: de: nop.resource.3" in checks[  # type: ignore[operator]
        "data.localization"]["evidence"]
    assert checks["data.catalogue"]["status"] == checks["data.slugs"]["status"] == "pass"
    assert checks["data.permissions"]["status"] == "pass"
    assert "restart.changes-nothing" not in checks  # second_start: false


def test_guests_granted_prices_by_480s_permission_migration_fail_the_run(
        tmp_path: Path) -> None:
    folder = tmp_path / "store480"
    make_backup(StoreShape(Version(4, 70), Provider.POSTGRESQL, guests_see_prices=False), folder)
    app_data = folder / "App_Data"
    app_data.mkdir()
    (app_data / "appsettings.json").write_text(json.dumps({"ConnectionStrings": {
        "ConnectionString": "Server=db;Database=shop;User Id=shop;Password=x",
        "DataProvider": "postgresql"}}))
    path = scenario(folder, tmp_path, extra="checks:\n  store_diff: {sample: 20}\n")
    path.write_text(path.read_text().replace('version: "4.50"', 'version: "4.70"')
                    .replace('target: "4.70"', 'target: "4.80"'))
    code, err, report, _ = rehearse_run(path)
    assert code == ExitCode.FAILED, err
    permissions = _checks(report)["data.permissions"]
    assert permissions["status"] == "fail", permissions
    assert permissions["evidence"] == ["Guests were granted PublicStore.DisplayPrices"]
    assert "4.80's renames mapped" in permissions["summary"]  # type: ignore[operator]


def test_customer_attributes_the_460_move_leaves_behind_are_named(store: Path,  # noqa: F811
                                                                  tmp_path: Path) -> None:
    extra = "checks:\n  store_diff: {enabled: false}\n  second_start: false\n"
    code, err, report, _ = rehearse_run(scenario(store, tmp_path, {
        "NOP_SIM_LEAVE_KEY": "City"}, extra))
    assert code == ExitCode.FAILED, err
    moved = _checks(report)["data.customers-460"]
    assert moved["status"] == "fail", moved
    evidence = moved["evidence"]
    assert any(e.endswith("City is not what GenericAttribute held")  # type: ignore[union-attr]
               for e in evidence)  # type: ignore[union-attr]
    assert any(e.endswith("left behind in GenericAttribute")  # type: ignore[union-attr]
               for e in evidence)  # type: ignore[union-attr]
