"""The whole store travels: `rehearse run` (stepwise and direct) agrees with `rehearse check`'s
survival table, nopsim playing nopCommerce's plugin and theme loaders (nopcommerce.md §11)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from rehearse import whole
from rehearse.catalog import Provider
from rehearse.cli import app
from rehearse.errors import ExitCode
from rehearse.version import Version
from tests import images
from tests.sitegen import (
    BROKEN_DESCRIPTOR,
    PluginBuild,
    SiteShape,
    customer_tables,
    theme,
    write_builds,
    write_site,
)
from tests.storegen import StoreShape, make_backup

pytestmark = pytest.mark.docker

STORE = SiteShape(
    installed=("Payments.CheckMoneyOrder", "Payments.Acme", "Payments.Bolt",
               "Payments.CyberSource"),
    plugins=(PluginBuild("Payments.Acme", ("4.50",)), PluginBuild("Payments.Bolt", ("4.50",)),
             PluginBuild("Payments.CyberSource", ("4.50", "4.60"))),
    themes=("DefaultClean", "Avenue", "Brightly"), pictures=2)
NEW_BUILDS = (PluginBuild("Payments.Acme", ("4.60", "4.70")),)


@pytest.fixture(scope="module")
def backup(tmp_path_factory: pytest.TempPathFactory) -> Path:
    tables = customer_tables(Provider.POSTGRESQL, theme="Avenue")
    shape = StoreShape(Version(4, 50), Provider.POSTGRESQL, extra_sql=tables)
    return make_backup(shape, tmp_path_factory.mktemp("whole"))


def scenario(backup: Path, tmp_path: Path, shape: SiteShape = STORE, stepwise: bool = True,
             new_theme: bool = True, new_builds: tuple[PluginBuild, ...] = NEW_BUILDS) -> Path:
    write_site(shape, tmp_path / "site")
    write_builds(new_builds, tmp_path / "builds")
    theme(tmp_path / "theme-4.70", "Avenue")
    path = tmp_path / "scenario.yaml"
    path.write_text(f"""\
store: {{version: "4.50", provider: postgresql, backup: {backup}, site: site, theme: Avenue}}
target: "4.70"
stepwise: {str(stepwise).lower()}
upgrade: {{plugins: [builds]{', theme: theme-4.70/Avenue' if new_theme else ''}}}
images: {{database: {images.POSTGRES}, nopcommerce: "{images.SIM}:{{version}}"}}
limits: {{database_memory: 1g, store_memory: 512m}}
timeouts: {{app_start: 120}}
report: {{output: out}}
""")
    return path


def check(path: Path) -> tuple[int, dict[str, object]]:
    result = CliRunner().invoke(app, ["check", str(path), "--format", "json"])
    return result.exit_code, json.loads(result.stdout)


def run(path: Path) -> tuple[int, dict[str, object], Path]:
    result = CliRunner().invoke(app, ["run", str(path)])
    folder = sorted((path.parent / "out").glob("*"))[-1]
    return result.exit_code, json.loads((folder / "report.json").read_text()), folder


def _checks(report: dict[str, object]) -> dict[str, dict[str, object]]:
    return {c["id"]: c for c in report["checks"]}  # type: ignore[attr-defined,index]


@pytest.mark.parametrize("stepwise", [True, False], ids=["stepwise", "direct"])
def test_the_run_agrees_with_the_check(backup: Path, tmp_path: Path, stepwise: bool) -> None:
    path = scenario(backup, tmp_path, stepwise=stepwise)
    check_code, table = check(path)
    code, report, folder = run(path)
    assert (check_code, code) == (ExitCode.PASSED, ExitCode.PASSED), report.get("error")
    survival = report["survival"]
    assert isinstance(survival, dict)
    assert survival["plugins"] == table["plugins"]
    final = {p["system_name"]: p["steps"]["4.70"]["verdict"] for p in survival["plugins"]}
    assert final == {"Payments.CheckMoneyOrder": "bundled", "Payments.Acme": "loads",
                     "Payments.Bolt": "incompatible", "Payments.CyberSource": "removed"}
    checks = _checks(report)
    plugins = checks["plugins 4.70"]
    assert plugins["status"] == "warn"  # not loaded, as predicted: a warning with the fix
    assert "Payments.Bolt" in str(plugins["evidence"]) and "Payments.Acme" not in \
        str(plugins["evidence"]).split("lists:")[1].split("'")[0]
    assert checks["rendered-theme 4.70"]["status"] == "pass"
    # no admin in the scenario: the throwaway one signs in (and opens the admin area)
    assert checks["page.admin-login"]["status"] == "pass"
    assert "throwaway administrator" in " ".join(report["safety"])  # type: ignore[arg-type]
    for name in ("report.md", "report.html"):
        text = (folder / name).read_text()
        assert "Plugin and theme survival" in text and "Payments.Bolt" in text
    assert "Payments.Bolt" in (folder / "junit.xml").read_text()


def test_a_plugin_the_table_promised_but_nopcommerce_did_not_load_fails(
        backup: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(whole, "DEPLOY_NEW_BUILDS", False)  # the new Acme build never arrives
    code, report, _ = run(scenario(backup, tmp_path, stepwise=False))
    assert code == ExitCode.FAILED
    plugins = _checks(report)["plugins 4.70"]
    assert plugins["status"] == "fail" and "Payments.Acme" in str(plugins["evidence"])


def test_a_broken_new_build_stops_the_start_as_predicted(backup: Path, tmp_path: Path) -> None:
    # the operator's new build of Widgets.Broken: a string where the version list belongs
    broken = PluginBuild("Widgets.Broken", ("4.70",), descriptor=BROKEN_DESCRIPTOR)
    path = scenario(backup, tmp_path, SiteShape((*STORE.installed, "Widgets.Broken"),
                                                STORE.plugins, STORE.themes),
                    stepwise=False, new_builds=(*NEW_BUILDS, broken))
    check_code, table = check(path)
    code, report, _ = run(path)
    assert check_code == code == ExitCode.FAILED
    assert [c["status"] for c in table["checks"] if c["id"] == "startup 4.70"] == ["fail"]  # type: ignore[attr-defined,index]
    step = report["steps"][-1]  # type: ignore[index]
    assert step["to"] == "4.70" and step["status"] == "fail"
    assert "JsonSerializationException" in step["detail"]


def test_a_leftover_plugin_copy_stops_4_60_as_predicted(backup: Path, tmp_path: Path) -> None:
    # a copy of the 4.40 build kept beside the 4.50 one: harmless until 4.60 (Dictionary.Add)
    old = PluginBuild("Payments.Bolt", ("4.40",))
    path = scenario(backup, tmp_path, stepwise=True)
    old.write(tmp_path / "copies")
    (tmp_path / "copies" / "Payments.Bolt").rename(tmp_path / "site/Plugins/Payments.Bolt.old")
    check_code, table = check(path)
    code, report, _ = run(path)
    assert check_code == code == ExitCode.FAILED
    bolt = next(p for p in table["plugins"] if p["system_name"] == "Payments.Bolt")  # type: ignore[attr-defined]
    assert bolt["steps"]["4.60"]["verdict"] == "breaks-startup"
    step = report["steps"][-1]  # type: ignore[index]
    assert step["to"] == "4.60" and step["status"] == "fail"
    assert "An item with the same key has already been added" in step["detail"]


def test_a_stale_theme_view_fails_with_its_path_and_compiler_line(
        backup: Path, tmp_path: Path) -> None:
    shape = SiteShape(STORE.installed, STORE.plugins, STORE.themes, broken_view_themes=("Avenue",))
    path = scenario(backup, tmp_path, shape, stepwise=False, new_theme=False)
    _, table = check(path)
    assert table["theme"]["steps"]["4.70"]["verdict"] == "stale"  # type: ignore[index]
    code, report, _ = run(path)
    assert code == ExitCode.FAILED
    rendered = _checks(report)["rendered-theme 4.70"]
    assert rendered["status"] == "fail"
    assert "/Themes/Avenue/Views" in str(rendered["summary"]) and "CS1061" in str(
        rendered["summary"])


def test_a_missing_theme_falls_back_as_predicted(backup: Path, tmp_path: Path) -> None:
    shape = SiteShape(STORE.installed, STORE.plugins, ("DefaultClean", "Brightly"))
    path = scenario(backup, tmp_path, shape, stepwise=False, new_theme=False)
    check_code, table = check(path)
    assert check_code == ExitCode.FAILED
    judgement = table["theme"]["steps"]["4.70"]  # type: ignore[index]
    assert judgement["verdict"] == "falls-back" and "Brightly" in judgement["reason"]
    code, report, _ = run(path)
    assert code == ExitCode.FAILED
    rendered = _checks(report)["rendered-theme 4.70"]
    assert rendered["summary"] == "pages render with Brightly, not the configured Avenue"
