"""Build nopCommerce-shaped site folders (Plugins/, Themes/, App_Data, pictures) and folders of
new plugin builds, so tests can rehearse a whole store. Test tooling only."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

from rehearse.catalog import Provider

BROKEN_DESCRIPTOR = '{"SystemName": "Widgets.Broken", "SupportedVersions": "4.60"}'


@dataclass(frozen=True)
class PluginBuild:
    system_name: str
    supported: tuple[str, ...]
    descriptor: str | None = None  # raw plugin.json text, for broken ones
    main_file: bool = True

    @property
    def dll(self) -> str:
        return f"Nop.Plugin.{self.system_name}.dll"

    def write(self, folder: Path) -> Path:
        target = folder / self.system_name
        target.mkdir(parents=True, exist_ok=True)
        text = self.descriptor or json.dumps({
            "Group": "Payment methods", "FriendlyName": self.system_name,
            "SystemName": self.system_name, "Version": "1.00",
            "SupportedVersions": list(self.supported), "Author": "tests",
            "DisplayOrder": 1, "FileName": self.dll}, indent=2)
        (target / "plugin.json").write_text(text, encoding="utf-8")
        if self.main_file:
            (target / self.dll).write_bytes(b"MZ fake assembly of " + self.system_name.encode())
        return target


@dataclass(frozen=True)
class SiteShape:
    """A 4.x store's site folder: what it has installed, its plugin folders and themes."""

    installed: tuple[str, ...]
    plugins: tuple[PluginBuild, ...]
    themes: tuple[str, ...] = ("DefaultClean",)
    broken_view_themes: tuple[str, ...] = ()
    pictures: int = 0
    settings: dict[str, object] = field(default_factory=dict)


def theme(folder: Path, name: str, broken_view: bool = False) -> Path:
    target = folder / name
    (target / "Content/css").mkdir(parents=True, exist_ok=True)
    (target / "theme.json").write_text(json.dumps({"SystemName": name, "FriendlyName": name,
                                                   "SupportRTL": False}), encoding="utf-8")
    (target / "Content/css/styles.css").write_text(f"/* {name} */\n", encoding="utf-8")
    if broken_view:  # the stand-in fails this theme's views (images/sim/sim_plugins.py)
        (target / "Views").mkdir(exist_ok=True)
        (target / "Views/nopsim-stale-view").write_text("CS1061", encoding="utf-8")
    return target


def write_site(shape: SiteShape, site: Path) -> Path:
    app_data = site / "App_Data"
    app_data.mkdir(parents=True, exist_ok=True)
    (app_data / "appsettings.json").write_text(json.dumps({"ConnectionStrings": {
        "ConnectionString": "Server=production;Database=nop;", "DataProvider": "postgresql",
        **shape.settings}}), encoding="utf-8")
    (app_data / "plugins.json").write_text(json.dumps({
        "InstalledPlugins": [{"SystemName": n, "Version": "1.00"} for n in shape.installed],
        "InstalledPluginNames": ["Obsolete field, using only for compatibility"]}),
        encoding="utf-8")
    for build in shape.plugins:
        build.write(site / "Plugins")
    for name in shape.themes:
        theme(site / "Themes", name, name in shape.broken_view_themes)
    pictures = site / "wwwroot/images"
    pictures.mkdir(parents=True, exist_ok=True)
    for n in range(shape.pictures):
        (pictures / f"{n + 1:07d}_0.jpeg").write_bytes(b"\xff\xd8 picture")
    return site


def write_builds(builds: tuple[PluginBuild, ...], folder: Path) -> Path:
    for build in builds:
        build.write(folder)
    return folder


def customer_tables(provider: Provider, theme: str | None = None) -> tuple[str, ...]:
    """The theme setting of the store (StoreShape.extra_sql); storegen makes the customer tables
    nopCommerce signs people in with (Customer, CustomerPassword, CustomerRole and its mapping)."""
    if theme is None:
        return ()
    q = '"' if provider is Provider.POSTGRESQL else "`"
    return (f"INSERT INTO {q}Setting{q} ({q}Id{q}, {q}Name{q}, {q}Value{q}, {q}StoreId{q}) "
            f"VALUES (200000, 'storeinformationsettings.defaultstoretheme', '{theme}', 0)",)
