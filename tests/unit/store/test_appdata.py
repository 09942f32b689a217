from __future__ import annotations

import json
from pathlib import Path

import pytest

from rehearse.catalog import Provider
from rehearse.errors import BadInputError
from rehearse.store.appdata import (
    Plugin,
    prepare,
    read_folder,
    read_plugins,
    read_settings,
    sandbox_connection_string,
)
from rehearse.version import Version

V = Version.parse
OLD = "Data Source=prod-sql;Initial Catalog=shop;User ID=nop;Password=prod-secret"
NEW = "Server=rehearse-ab12-database;Port=5432;Database=nopcommerce;User Id=u;Password=p;"

SETTINGS_TXT = {"Settings.txt": f"DataProvider: sqlserver\r\nDataConnectionString: {OLD}\r\n"
                .encode("utf-8-sig")}
DATA_SETTINGS = {"dataSettings.json": json.dumps(
    {"DataProvider": "postgresql", "DataConnectionString": OLD, "RawDataSettings": {}}).encode()}
APPSETTINGS = {"appsettings.json": json.dumps(
    {"ConnectionStrings": {"ConnectionString": OLD, "DataProvider": "MySql",
                           "WithNoLock": True},
     "CommonConfig": {"DisplayFullErrorStack": False}}).encode()}


@pytest.mark.parametrize(
    ("files", "provider", "source"),
    [(SETTINGS_TXT, Provider.SQLSERVER, "Settings.txt"),
     (DATA_SETTINGS, Provider.POSTGRESQL, "dataSettings.json"),
     (APPSETTINGS, Provider.MYSQL, "appsettings.json")],
)
def test_settings_are_read_from_every_format(files: dict[str, bytes], provider: Provider,
                                             source: str) -> None:
    found = read_settings(files)
    assert (found.provider, found.connection_string, found.source) == (provider, OLD, source)


def test_an_empty_data_settings_json_falls_back_to_settings_txt() -> None:
    files = {"dataSettings.json": b"", **SETTINGS_TXT}
    assert read_settings(files).source == "Settings.txt"


def test_no_settings_at_all_is_bad_input() -> None:
    with pytest.raises(BadInputError, match="holds no database settings"):
        read_settings({"plugins.json": b"{}"})


def test_an_unknown_provider_is_bad_input() -> None:
    files = {"dataSettings.json": b'{"DataProvider": "sqlce", "DataConnectionString": "x"}'}
    with pytest.raises(BadInputError, match="data provider 'sqlce'"):
        read_settings(files)


@pytest.mark.parametrize(
    ("target", "path"),
    [("3.90", "Settings.txt"), ("4.20", "dataSettings.json"), ("4.40", "dataSettings.json"),
     ("4.50", "appsettings.json"), ("4.90", "appsettings.json")],
)
def test_prepare_writes_only_the_format_the_target_reads(target: str, path: str) -> None:
    prepared = prepare({**SETTINGS_TXT, **DATA_SETTINGS}, V("3.80"), V(target), NEW)
    settings_files = {"Settings.txt", "dataSettings.json", "appsettings.json"}
    assert settings_files & prepared.files.keys() == {path}
    again = read_settings(prepared.files)
    assert again.connection_string == NEW and again.source == path
    assert OLD not in b"".join(prepared.files.values()).decode()


def test_4_40_data_settings_carry_the_command_timeout_key() -> None:
    data = json.loads(prepare(DATA_SETTINGS, V("4.30"), V("4.40"), NEW).files["dataSettings.json"])
    assert data == {"DataProvider": "postgresql", "DataConnectionString": NEW,
                    "RawDataSettings": {}, "SQLCommandTimeout": None}


def test_appsettings_keeps_the_stores_other_sections_and_keys() -> None:
    prepared = prepare(APPSETTINGS, V("4.60"), V("4.70"), NEW)
    data = json.loads(prepared.files["appsettings.json"])
    assert list(data) == ["ConnectionStrings", "CommonConfig"]
    assert data["ConnectionStrings"] == {"ConnectionString": NEW, "DataProvider": "mysql",
                                         "SQLCommandTimeout": None, "WithNoLock": True}


def test_legacy_files_are_removed_and_the_change_is_recorded() -> None:
    prepared = prepare({**DATA_SETTINGS, "DataProtectionKeys/key-1.xml": b"<key/>"},
                       V("4.40"), V("4.50"), NEW)
    assert "dataSettings.json" not in prepared.files
    assert prepared.files["DataProtectionKeys/key-1.xml"] == b"<key/>"
    assert "settings: dataSettings.json → appsettings.json, the format 4.50 reads" in (
        prepared.changes)


PLUGIN_FILES = {
    "txt": {"InstalledPlugins.txt": b"Shipping.FixedRate\r\nPayments.CheckMoneyOrder\r\n"},
    "json-array": {"installedPlugins.json": b'["Shipping.FixedRate", "Payments.CheckMoneyOrder"]'},
    "4.20": {"plugins.json": json.dumps({"InstalledPluginNames": [
        "Shipping.FixedRate", "Payments.CheckMoneyOrder"], "PluginNamesToInstall": []}).encode()},
    "4.30": {"plugins.json": json.dumps({"InstalledPlugins": [
        {"SystemName": "Shipping.FixedRate", "Version": "1.0"},
        {"SystemName": "Payments.CheckMoneyOrder", "Version": "1.2"}],
        "InstalledPluginNames": ["Obsolete field, using only for compatibility"]}).encode()},
}


@pytest.mark.parametrize("form", list(PLUGIN_FILES))
def test_plugins_are_read_from_every_format(form: str) -> None:
    names = [p.system_name for p in read_plugins(PLUGIN_FILES[form])]
    assert names == ["Shipping.FixedRate", "Payments.CheckMoneyOrder"]


def test_two_plugins_merged_by_a_readme_become_one() -> None:
    files = {**SETTINGS_TXT, "InstalledPlugins.txt": b"Shipping.FixedRate\nShipping.ByWeight\n"}
    prepared = prepare(files, V("3.80"), V("3.90"), NEW)
    assert [p.system_name for p in read_plugins(prepared.files)] == ["Shipping.FixedOrByWeight"]


def test_plugin_versions_survive_when_the_format_has_them() -> None:
    assert read_plugins(PLUGIN_FILES["4.30"])[1] == Plugin("Payments.CheckMoneyOrder", "1.2")


@pytest.mark.parametrize(
    ("target", "expected_file"),
    [("3.90", "InstalledPlugins.txt"), ("4.10", "installedPlugins.json"),
     ("4.20", "plugins.json"), ("4.70", "plugins.json")],
)
def test_plugin_lists_are_converted_and_readme_renames_applied(target: str,
                                                               expected_file: str) -> None:
    files = {**SETTINGS_TXT, **PLUGIN_FILES["txt"]}
    prepared = prepare(files, V("3.80"), V(target), NEW)
    plugin_files = {"InstalledPlugins.txt", "installedPlugins.json", "plugins.json"}
    assert plugin_files & prepared.files.keys() == {expected_file}
    names = [p.system_name for p in read_plugins(prepared.files)]
    # 3.80 -> 3.90 renames Shipping.FixedRate; 4.00 -> 4.10 renames it again.
    expected = "Shipping.FixedOrByWeight" if target == "3.90" else "Shipping.FixedByWeightByTotal"
    assert names == [expected, "Payments.CheckMoneyOrder"]
    assert any("renamed" in change for change in prepared.changes)


def test_a_4_20_names_list_becomes_4_30_installed_plugins() -> None:
    prepared = prepare({**DATA_SETTINGS, **PLUGIN_FILES["4.20"]}, V("4.20"), V("4.40"), NEW)
    data = json.loads(prepared.files["plugins.json"])
    assert [p["SystemName"] for p in data["InstalledPlugins"]] == [
        "Shipping.FixedRate", "Payments.CheckMoneyOrder"]
    assert data["InstalledPluginNames"] == ["Obsolete field, using only for compatibility"]


@pytest.mark.parametrize(
    ("provider", "target", "expected"),
    [
        (Provider.SQLSERVER, "4.40", "Data Source=db,1433;Initial Catalog=nop;"
         "Integrated Security=False;User ID=sa;Password=pw;"),
        (Provider.SQLSERVER, "4.50", "Data Source=db,1433;Initial Catalog=nop;"
         "Integrated Security=False;User ID=sa;Password=pw;TrustServerCertificate=True;"),
        (Provider.POSTGRESQL, "4.50", "Server=db;Port=1433;Database=nop;User Id=sa;Password=pw;"),
        (Provider.MYSQL, "4.50",
         "Server=db;Port=1433;Database=nop;Uid=sa;Pwd=pw;AllowUserVariables=True;"),
    ],
)
def test_sandbox_connection_strings(provider: Provider, target: str, expected: str) -> None:
    assert sandbox_connection_string(provider, "db", 1433, "nop", "sa", "pw", V(target)) == expected


def test_read_folder_reads_nested_files_and_never_writes(tmp_path: Path) -> None:
    (tmp_path / "DataProtectionKeys").mkdir()
    (tmp_path / "DataProtectionKeys" / "k.xml").write_bytes(b"<k/>")
    (tmp_path / "dataSettings.json").write_bytes(DATA_SETTINGS["dataSettings.json"])
    before = sorted(p.stat().st_mtime_ns for p in tmp_path.rglob("*"))
    files = read_folder(tmp_path)
    prepare(files, V("4.40"), V("4.50"), NEW)
    assert set(files) == {"DataProtectionKeys/k.xml", "dataSettings.json"}
    assert sorted(p.stat().st_mtime_ns for p in tmp_path.rglob("*")) == before


def test_missing_folder(tmp_path: Path) -> None:
    with pytest.raises(BadInputError, match="does not exist"):
        read_folder(tmp_path / "App_Data")
