"""`rehearse check`: the survival table of a generated store, without starting anything."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

from typer.testing import CliRunner

from rehearse.cli import app
from rehearse.errors import ExitCode
from tests.sitegen import BROKEN_DESCRIPTOR, PluginBuild, SiteShape, theme, write_builds, write_site

runner = CliRunner()
STORE = SiteShape(
    installed=("Payments.CheckMoneyOrder", "Payments.Acme", "Payments.Bolt",
               "Payments.CyberSource", "Widgets.Gone"),
    plugins=(PluginBuild("Payments.Acme", ("4.60",)), PluginBuild("Payments.Bolt", ("4.60",)),
             PluginBuild("Payments.CyberSource", ("4.60",)),
             PluginBuild("Payments.CheckMoneyOrder", ("4.60",))),
    themes=("DefaultClean", "Avenue", "Brightly"), pictures=3)


def scenario(tmp_path: Path, shape: SiteShape = STORE, theme_name: str = "Avenue",
             target: str = "4.70") -> Path:
    write_site(shape, tmp_path / "site")
    write_builds((PluginBuild("Payments.Acme", ("4.70", "4.80")),), tmp_path / "builds-4.70")
    theme(tmp_path / "theme-4.70", "Avenue")
    (tmp_path / "store.sql").write_text("-- PostgreSQL database dump\n", encoding="utf-8")
    path = tmp_path / "scenario.yaml"
    path.write_text(f"""
store: {{version: "4.60", provider: postgresql, backup: store.sql, site: site,
        theme: {theme_name}}}
target: "{target}"
upgrade: {{plugins: [builds-4.70], theme: theme-4.70/Avenue}}
images: {{nopcommerce: "no-such-image/nop:{{version}}"}}
report: {{output: out}}
""", encoding="utf-8")
    return path


def check(path: Path, form: str = "json") -> tuple[int, dict[str, object] | str]:
    result = runner.invoke(app, ["check", str(path), "--format", form])
    return result.exit_code, json.loads(result.stdout) if form == "json" else result.stdout


def _verdicts(data: dict[str, object], step: str) -> dict[str, str]:
    plugins = data["plugins"]
    assert isinstance(plugins, list)
    return {p["system_name"]: p["steps"][step]["verdict"] for p in plugins}


def test_the_table_gives_each_plugin_its_fate(tmp_path: Path) -> None:
    code, data = check(scenario(tmp_path))
    assert isinstance(data, dict)
    assert code == ExitCode.PASSED and data["verdict"] == "pass"
    assert _verdicts(data, "4.70") == {
        "Payments.CheckMoneyOrder": "bundled", "Payments.Acme": "loads",
        "Payments.Bolt": "incompatible", "Payments.CyberSource": "removed",
        "Widgets.Gone": "missing"}
    acme = next(p for p in data["plugins"] if p["system_name"] == "Payments.Acme")  # type: ignore[attr-defined]
    assert acme["steps"]["4.70"]["build"] == "builds-4.70/Payments.Acme"
    assert data["theme"] == {"configured": "Avenue", "steps": {"4.70": {
        "verdict": "loads", "reason": "theme-4.70/Avenue is the new build"}}}


def test_a_theme_without_a_new_build_is_tried_as_is(tmp_path: Path) -> None:
    _, data = check(scenario(tmp_path, theme_name="Brightly"))
    assert isinstance(data, dict)
    assert data["theme"]["steps"]["4.70"]["verdict"] == "stale"  # type: ignore[index]


def test_a_broken_descriptor_fails_the_check(tmp_path: Path) -> None:
    broken = PluginBuild("Widgets.Broken", ("4.60",), descriptor=BROKEN_DESCRIPTOR)
    shape = SiteShape((*STORE.installed, "Widgets.Broken"), (*STORE.plugins, broken),
                      STORE.themes)
    code, data = check(scenario(tmp_path, shape))
    assert isinstance(data, dict)
    assert code == ExitCode.FAILED and data["verdict"] == "fail"
    assert _verdicts(data, "4.70")["Widgets.Broken"] == "breaks-startup"
    failed = [c["id"] for c in data["checks"] if c["status"] == "fail"]  # type: ignore[attr-defined]
    assert failed == ["startup 4.70"]


def test_stepwise_judges_every_app_step(tmp_path: Path) -> None:
    path = scenario(tmp_path, target="4.80")
    path.write_text(path.read_text().replace('target: "4.80"', 'target: "4.80"\nstepwise: true'))
    _, data = check(path)
    assert isinstance(data, dict)
    assert _verdicts(data, "4.70")["Payments.Bolt"] == "incompatible"
    assert _verdicts(data, "4.80")["Payments.Acme"] == "loads"


def test_table_and_markdown_show_the_fates(tmp_path: Path) -> None:
    path = scenario(tmp_path)
    _, table = check(path, "table")
    _, markdown = check(path, "markdown")
    for text in (table, markdown):
        assert isinstance(text, str)
        assert "Payments.Bolt" in text and "incompatible" in text and "removed" in text


def test_the_site_is_only_read(tmp_path: Path) -> None:
    path = scenario(tmp_path)
    before = _hashes(tmp_path / "site")
    check(path)
    assert _hashes(tmp_path / "site") == before


def test_bad_input_exits_2(tmp_path: Path) -> None:
    path = scenario(tmp_path)
    good = path.read_text()
    for bad in (good.replace("site: site", "site: nowhere"),
                good.replace("backup: store.sql", "backup: missing.sql"),
                good.replace("provider: postgresql", "provider: mysql")):
        path.write_text(bad)
        result = runner.invoke(app, ["check", str(path)])
        assert result.exit_code == ExitCode.BAD_INPUT, bad
        assert "error:" in result.stderr and "hint:" in result.stderr


def _hashes(folder: Path) -> dict[str, str]:
    return {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}
