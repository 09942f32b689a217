"""The store's App_Data, rewritten for the version about to start (nopcommerce.md §3).

Works on an in-memory copy ({relative path: bytes}); the user's folder is only ever read. Each
version reads one settings format and one plugin-list format; a legacy file left beside the new
one wins once and is deleted by the app (an empty one wipes good settings), so every other format
is removed from the copy rather than left for the app to find.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from rehearse import catalog
from rehearse.catalog import (
    APPSETTINGS_JSON,
    DATA_SETTINGS_JSON,
    INSTALLED_PLUGINS_JSON,
    INSTALLED_PLUGINS_TXT,
    PLUGINS_JSON,
    PLUGINS_JSON_NAMES,
    SETTINGS_TXT,
    FileFormat,
    Provider,
)
from rehearse.errors import BadInputError
from rehearse.store import intake
from rehearse.store.intake import find_key
from rehearse.store.outside import keep_inside
from rehearse.version import Version

Files = dict[str, bytes]
SETTINGS_FILES = ("Settings.txt", "dataSettings.json")
PLUGIN_FILES = ("InstalledPlugins.txt", "installedPlugins.json", "plugins.json")
OBSOLETE_NAMES = ["Obsolete field, using only for compatibility"]


@dataclass(frozen=True)
class DataSettings:
    provider: Provider
    connection_string: str
    source: str
    command_timeout: int | None = None  # SQLCommandTimeout, carried through every format


@dataclass(frozen=True)
class Plugin:
    system_name: str
    version: str | None = None


@dataclass(frozen=True)
class Prepared:
    files: Files
    changes: tuple[str, ...]
    made_safe: tuple[str, ...] = ()  # outside services turned off, old → new


def read_folder(folder: Path) -> Files:
    if not folder.is_dir():
        raise BadInputError(f"App_Data folder {folder} does not exist",
                            hint="point store.app_data at a copy of the store's App_Data folder")
    return {str(p.relative_to(folder)): p.read_bytes()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def read_settings(files: Files) -> DataSettings:
    """The store's database settings, from whichever file its version wrote."""
    for reader in (_from_appsettings, _from_data_settings, _from_settings_txt):
        found = reader(files)
        if found is not None:
            return found
    raise BadInputError(
        "the App_Data copy holds no database settings (no appsettings.json ConnectionStrings, "
        "dataSettings.json or Settings.txt with a connection string)",
        hint="copy the store's whole App_Data folder; without it the app redirects to /install")


def read_plugins(files: Files) -> list[Plugin]:
    if "plugins.json" in files:
        data = _json(files, "plugins.json")
        if isinstance(data.get("InstalledPlugins"), list):
            return [_installed(entry, n) for n, entry in enumerate(data["InstalledPlugins"])]
        return [Plugin(str(n)) for n in data.get("InstalledPluginNames") or []
                if n not in OBSOLETE_NAMES]
    if "installedPlugins.json" in files:
        return [Plugin(str(n)) for n in _name_list(files)]
    if "InstalledPlugins.txt" in files:
        lines = files["InstalledPlugins.txt"].decode("utf-8-sig").splitlines()
        return [Plugin(line.strip()) for line in lines if line.strip()]
    return []


def prepare(files: Files, source: Version, target: Version, connection_string: str) -> Prepared:
    """The App_Data `target` will read: sandbox connection string, its formats, readme renames,
    outside services off; nothing of the production database address left in any file."""
    intake.check_names(files)
    settings = read_settings(files)
    release = catalog.release(target)
    out = {k: v for k, v in files.items() if k not in SETTINGS_FILES + PLUGIN_FILES}
    changes = [f"connection string now points at the sandbox database (was in {settings.source})"]
    written = _write_settings(out, release.settings, settings, connection_string, target)
    if written != settings.source:
        changes.append(f"settings: {settings.source} → {written}, the format {target} reads")
    made_safe = _appsettings_inside(out, target)
    changes += made_safe
    plugins, renamed = renamed_plugins(read_plugins(files), source, target)
    changes += renamed
    _write_plugins(out, release.plugin_list, plugins, files)
    intake.check_no_production_address(out, settings.connection_string, settings.provider,
                                       connection_string)
    return Prepared(out, tuple(changes), tuple(made_safe))


def _appsettings_inside(out: Files, target: Version) -> list[str]:
    """appsettings.json and appsettings.{Environment}.json (which win over it, §3): outside
    services off, and no connection string but the one rehearse wrote."""
    changes: list[str] = []
    for name in sorted(out):
        if not re.fullmatch(r"appsettings(\.[^/]+)?\.json", name, re.IGNORECASE):
            continue
        data = _json(out, name)
        found = keep_inside(data, target)
        if name != "appsettings.json" and find_key(data, "ConnectionStrings"):
            del data[str(find_key(data, "ConnectionStrings"))]
            found.append(f"{name}: its ConnectionStrings section removed (it would win over "
                         "the sandbox's)")
        if found:
            out[name] = _dump(data)
            changes += found
    return changes


def sandbox_connection_string(provider: Provider, host: str, port: int, database: str,
                              user: str, password: str, target: Version) -> str:
    if provider is Provider.POSTGRESQL:
        return (f"Server={host};Port={port};Database={database};User Id={user};"
                f"Password={password};")
    if provider is Provider.MYSQL:
        # As nopCommerce's installer writes it: migrations use user variables (#4888, #6356).
        return (f"Server={host};Port={port};Database={database};Uid={user};Pwd={password};"
                "AllowUserVariables=True;")
    text = (f"Data Source={host},{port};Initial Catalog={database};Integrated Security=False;"
            f"User ID={user};Password={password};")
    if catalog.release(target).requires_trusted_tls:
        # Microsoft.Data.SqlClient 4.0 (4.50+) encrypts by default and the container's
        # certificate is self-signed (nopcommerce.md §9). Unspaced: 4.40's client rejects spaces.
        text += "TrustServerCertificate=True;"
    return text


def _json(files: Files, name: str) -> dict[str, Any]:
    data = intake.parse_json(files, name)
    if isinstance(data, list) and name == "plugins.json":
        raise BadInputError(
            "App_Data/plugins.json is a bare list of names: that is 4.00-4.10's "
            "installedPlugins.json; 4.20+ plugins.json is an object",
            hint="rename it to installedPlugins.json, or copy plugins.json again from the store")
    if not isinstance(data, dict):
        raise BadInputError(f"App_Data/{name} holds a JSON {type(data).__name__}, where "
                            "nopCommerce expects an object", hint=intake.COPY_AGAIN)
    return data


def _name_list(files: Files) -> list[Any]:
    data = intake.parse_json(files, "installedPlugins.json")
    if not isinstance(data, list):
        raise BadInputError(
            "App_Data/installedPlugins.json holds an object, but 4.00-4.10 write a list of "
            "plugin names; an object is 4.20+'s plugins.json (its keys are not plugin names)",
            hint="rename it to plugins.json, or copy installedPlugins.json again from the store")
    return data


def _installed(entry: Any, index: int) -> Plugin:
    name = find_key(entry, "SystemName") if isinstance(entry, dict) else None
    if name is None or not entry[name]:
        raise BadInputError(
            f"App_Data/plugins.json InstalledPlugins[{index}] has no SystemName: nopCommerce "
            "cannot tell which plugin it is", hint="add its SystemName, or remove the entry")
    version = find_key(entry, "Version")
    return Plugin(str(entry[name]), entry[version] if version else None)


def _provider(value: object, source: str) -> Provider:
    try:
        return Provider(str(value).lower())
    except ValueError:
        raise BadInputError(f"{source} names data provider {value!r}, which rehearse cannot run",
                            hint="rehearse runs sqlserver, mysql and postgresql stores") from None


def _from_appsettings(files: Files) -> DataSettings | None:
    if "appsettings.json" not in files:
        return None
    data = _json(files, "appsettings.json")
    found = find_key(data, "ConnectionStrings")
    section = {k.lower(): v for k, v in (data[found] if found else {}).items()}
    if not section.get("connectionstring"):
        return None
    return DataSettings(_provider(section.get("dataprovider", "sqlserver"), "appsettings.json"),
                        str(section["connectionstring"]), "appsettings.json",
                        section.get("sqlcommandtimeout"))


def _from_data_settings(files: Files) -> DataSettings | None:
    if "dataSettings.json" not in files:
        return None
    data = _json(files, "dataSettings.json")
    intake.check_data_settings(data)
    if not data.get("DataConnectionString"):
        return None
    return DataSettings(_provider(data.get("DataProvider", "sqlserver"), "dataSettings.json"),
                        str(data["DataConnectionString"]), "dataSettings.json",
                        data.get("SQLCommandTimeout"))


def _from_settings_txt(files: Files) -> DataSettings | None:
    if "Settings.txt" not in files:
        return None
    pairs = {}
    text = files["Settings.txt"].decode("utf-8-sig")
    intake.check_settings_txt(text)
    for line in text.splitlines():
        key, sep, value = line.partition(":")
        if sep:
            pairs[key.strip()] = value.strip()
    if not pairs.get("DataConnectionString"):
        return None
    return DataSettings(_provider(pairs.get("DataProvider", "sqlserver"), "Settings.txt"),
                        pairs["DataConnectionString"], "Settings.txt")


def _write_settings(out: Files, form: FileFormat, settings: DataSettings, connection: str,
                    target: Version) -> str:
    provider = settings.provider
    if form is SETTINGS_TXT:
        out["Settings.txt"] = (f"DataProvider: {provider.value}\r\n"
                               f"DataConnectionString: {connection}\r\n").encode()
    elif form is DATA_SETTINGS_JSON:
        data: dict[str, Any] = {"DataProvider": provider.value,
                                "DataConnectionString": connection, "RawDataSettings": {}}
        if target.line >= Version(4, 40):
            data["SQLCommandTimeout"] = settings.command_timeout
        out["dataSettings.json"] = _dump(data)
    elif form is APPSETTINGS_JSON:
        existing = _json(out, "appsettings.json") if "appsettings.json" in out else {}
        found = find_key(existing, "ConnectionStrings")
        ours = {"ConnectionString": connection, "DataProvider": provider.value}
        kept = {k: v for k, v in (existing.pop(found) if found else {}).items()
                if k.lower() not in {"connectionstring", "dataprovider", "sqlcommandtimeout"}}
        section = {**ours, "SQLCommandTimeout": settings.command_timeout, **kept}
        out["appsettings.json"] = _dump({"ConnectionStrings": section, **existing})
    return form.path


def renamed_plugins(plugins: list[Plugin], source: Version,
             target: Version) -> tuple[list[Plugin], list[str]]:
    """Apply each crossed readme's renames in release order, so renames chain (3.90, 4.10)."""
    changes = []
    for passed in catalog.lines_after(source, target):
        renames = dict(passed.plugin_renames)
        for n, plugin in enumerate(plugins):
            new = renames.get(plugin.system_name)
            if new is not None:
                changes.append(f"plugin {plugin.system_name} renamed {new} ({passed.line} readme)")
                plugins[n] = Plugin(new, None)
    unique: list[Plugin] = []
    for plugin in plugins:  # two old plugins may merge into one new one (3.90 readme)
        if all(kept.system_name != plugin.system_name for kept in unique):
            unique.append(plugin)
    return unique, changes


def _write_plugins(out: Files, form: FileFormat, plugins: list[Plugin], original: Files) -> None:
    names = [p.system_name for p in plugins]
    if form is INSTALLED_PLUGINS_TXT:
        out["InstalledPlugins.txt"] = ("\r\n".join(names) + "\r\n").encode()
    elif form is INSTALLED_PLUGINS_JSON:
        out["installedPlugins.json"] = _dump(names)
    else:
        before = _json(original, "plugins.json") if "plugins.json" in original else {}
        data = {key: before.get(key) or [] for key in
                ("PluginNamesToUninstall", "PluginNamesToDelete")}
        data["PluginNamesToInstall"] = [_to_install(e) for e in
                                        before.get("PluginNamesToInstall") or []]
        if form is PLUGINS_JSON_NAMES:
            data["InstalledPluginNames"] = names
        elif form is PLUGINS_JSON:
            data["InstalledPlugins"] = [{"SystemName": p.system_name, "Version": p.version}
                                        for p in plugins]
            data["InstalledPluginNames"] = OBSOLETE_NAMES
        out["plugins.json"] = _dump(data)


def _to_install(entry: Any) -> dict[str, Any]:
    """4.20+ keep pending installs as value tuples, which Json.NET writes as Item1/Item2
    (name, customer GUID) in every version since (PluginsInfo.PluginNamesToInstall)."""
    if isinstance(entry, dict):
        name = find_key(entry, "Item1") or find_key(entry, "SystemName")
        guid = find_key(entry, "Item2") or find_key(entry, "CustomerGuid")
        return {"Item1": entry[name] if name else None, "Item2": entry[guid] if guid else None}
    return {"Item1": str(entry), "Item2": None}


def _dump(data: object) -> bytes:
    return (json.dumps(data, indent=2) + "\n").encode()
