"""App_Data carried without loss: each point of nopcommerce.md §3, per version, as a table."""

from __future__ import annotations

import json
from typing import Any

import pytest

from rehearse.catalog import Provider
from rehearse.errors import BadInputError
from rehearse.store.appdata import prepare, read_plugins, read_settings
from rehearse.store.intake import check_environment
from rehearse.store.outside import keep_inside
from rehearse.store.preflight import check_app_data
from rehearse.version import Version

V = Version.parse
PROD = "Server=db.prod.example;Database=shop;User Id=shop;Password=Prod-Secret-77"
NEW = "Server=sandbox;Port=5432;Database=nopcommerce;User Id=u;Password=p;"


def appsettings(**sections: Any) -> dict[str, bytes]:
    data = {"ConnectionStrings": {"ConnectionString": PROD, "DataProvider": "postgresql"},
            **sections}
    return {"appsettings.json": json.dumps(data).encode()}


def data_settings(**extra: Any) -> dict[str, bytes]:
    data = {"DataProvider": "postgresql", "DataConnectionString": PROD, **extra}
    return {"dataSettings.json": json.dumps(data).encode()}


def test_the_three_providers_must_agree_and_the_error_names_all_three() -> None:
    with pytest.raises(BadInputError) as error:
        check_app_data(appsettings(), V("4.50"), [V("4.60")], Provider.MYSQL,
                       Provider.POSTGRESQL, {})
    assert ("App_Data (appsettings.json) says postgresql, the scenario says mysql, the backup "
            "is postgresql") in error.value.message


@pytest.mark.parametrize(
    ("files", "message"),
    [({"installedPlugins.json": b'{"InstalledPlugins": []}'},
      "installedPlugins.json holds an object"),
     ({"plugins.json": b'["Payments.CheckMoneyOrder"]'}, "plugins.json is a bare list"),
     ({"plugins.json": b'{"InstalledPlugins": [{"Version": "1.0"}]}'},
      "InstalledPlugins[0] has no SystemName"),
     ({"plugins.json": b'{"InstalledPlugins": [], "installedplugins": []}'},
      "holds the key 'InstalledPlugins'/'installedplugins' twice")],
    ids=["4.10-object", "4.20-bare-list", "no-systemname", "duplicate-by-case"],
)
def test_plugin_lists_in_the_wrong_shape_are_named(files: dict[str, bytes], message: str) -> None:
    with pytest.raises(BadInputError, match=message.replace("[", r"\[").replace("]", r"\]")):
        read_plugins(files)


@pytest.mark.parametrize("target", ["4.20", "4.30", "4.50", "4.90"])
def test_pending_installs_become_item_tuples_and_none_is_dropped(target: str) -> None:
    plugins = {"InstalledPluginNames": ["Payments.CheckMoneyOrder"], "PluginNamesToInstall": [
        "Widgets.NivoSlider", {"Item1": "Tax.FixedOrByCountryStateZip", "Item2": "5f0c"},
        {"SystemName": "Misc.Brevo", "CustomerGuid": None}]}
    files = {**data_settings(), "plugins.json": json.dumps(plugins).encode()}
    out = json.loads(prepare(files, V("4.20"), V(target), NEW).files["plugins.json"])
    assert out["PluginNamesToInstall"] == [
        {"Item1": "Widgets.NivoSlider", "Item2": None},
        {"Item1": "Tax.FixedOrByCountryStateZip", "Item2": "5f0c"},
        {"Item1": "Misc.Brevo", "Item2": None}]


@pytest.mark.parametrize("section", ["ConnectionStrings", "connectionStrings", "connectionstrings"])
def test_the_connection_strings_section_is_found_in_any_case(section: str) -> None:
    files = {"appsettings.json": json.dumps(
        {section: {"connectionString": PROD, "dataProvider": "postgresql"}}).encode()}
    assert read_settings(files).connection_string == PROD
    data = json.loads(prepare(files, V("4.50"), V("4.60"), NEW).files["appsettings.json"])
    assert list(data) == ["ConnectionStrings"]  # one section, not a second in other case
    assert data["ConnectionStrings"]["ConnectionString"] == NEW


def test_sections_differing_only_in_case_are_one_clear_error() -> None:
    text = ('{"ConnectionStrings": {"ConnectionString": "a"}, '
            '"connectionStrings": {"ConnectionString": "b"}}')
    with pytest.raises(BadInputError, match="twice, in different case"):
        read_settings({"appsettings.json": text.encode()})


@pytest.mark.parametrize(
    ("files", "source", "target"),
    [(data_settings(SQLCommandTimeout=600), "4.40", "4.40"),
     (data_settings(SQLCommandTimeout=600), "4.40", "4.50"),
     (appsettings(ConnectionStrings={"ConnectionString": PROD, "DataProvider": "postgresql",
                                     "SQLCommandTimeout": 600}), "4.50", "4.90")],
    ids=["4.40", "4.40-to-4.50", "4.50-to-4.90"],
)
def test_the_command_timeout_survives_every_conversion(files: dict[str, bytes], source: str,
                                                       target: str) -> None:
    prepared = prepare(files, V(source), V(target), NEW)
    assert read_settings(prepared.files).command_timeout == 600


@pytest.mark.parametrize("target", ["4.40", "4.50", "4.70", "4.90"])
def test_no_production_address_in_any_file_the_sandbox_receives(target: str) -> None:
    files = {**data_settings(RawDataSettings={"note": "x"}),
             "Settings.txt": f"DataProvider: postgresql\nDataConnectionString: {PROD}\n".encode(),
             "appsettings.Production.json": json.dumps(
                 {"ConnectionStrings": {"ConnectionString": PROD}}).encode(),
             "DataProtectionKeys/key-1.xml": b"<key/>"}
    prepared = prepare(files, V("4.40"), V(target), NEW)
    for name, content in prepared.files.items():
        for secret in ("Prod-Secret-77", "db.prod.example"):
            assert secret.encode() not in content, name


def test_a_production_address_elsewhere_is_an_error_naming_the_file() -> None:
    files = {**appsettings(), "appsettings.json.bak": PROD.encode()}
    with pytest.raises(BadInputError, match=r"appsettings\.json\.bak still holds the production"):
        prepare(files, V("4.50"), V("4.60"), NEW)


@pytest.mark.parametrize(
    ("files", "message"),
    [({"Settings.txt": f"dataprovider: sqlserver\ndataconnectionstring: {PROD}\n".encode()},
      "Settings.txt has the key 'dataprovider'"),
     ({"dataSettings.json": json.dumps({"DataProvider": "sqlserver",
                                        "ConnectionString": PROD}).encode()},
      "has 'ConnectionString', but 4.00-4.40 read 'DataConnectionString'"),
     ({"AppSettings.json": json.dumps({"ConnectionStrings": {"ConnectionString": PROD}}).encode(),
       **data_settings()}, "AppSettings.json is not found on Linux")],
    ids=["settings-txt-case", "4.40-connectionstring", "appsettings-case"],
)
def test_each_mistake_is_named_exactly(files: dict[str, bytes], message: str) -> None:
    with pytest.raises(BadInputError, match=message):
        prepare(files, V("4.40"), V("4.50"), NEW)


@pytest.mark.parametrize(
    ("env", "versions", "ok"),
    [({"dataSettings__DataProvider": '"postgresql"'}, ["4.40"], True),
     ({"dataSettings__DataProvider": "2"}, ["4.40"], True),
     ({"dataSettings__DataProvider": "postgresql"}, ["4.40"], False),
     ({"dataSettings__DataProvider": "postgresql"}, ["4.50"], True),  # 4.50 ignores it
     ({"ConnectionStrings__ConnectionString": PROD}, ["4.60"], False),
     ({"ASPNETCORE_ENVIRONMENT": "Staging"}, ["4.40", "4.50"], True)],
)
def test_app_environment_is_validated_per_version(env: dict[str, str], versions: list[str],
                                                  ok: bool) -> None:
    if ok:
        check_environment(env, [V(v) for v in versions])
    else:
        with pytest.raises(BadInputError, match="app_environment"):
            check_environment(env, [V(v) for v in versions])


def test_outside_services_are_turned_off_and_the_rest_kept() -> None:
    settings = {"distributedCacheConfig": {"Enabled": True, "DistributedCacheType": "redis",
                                           "ConnectionString": "redis:6379,password=s3"},
                "AzureBlobConfig": {"ConnectionString": "AccountKey=k", "ContainerName": "c"},
                "WebOptimizer": {"CdnUrl": "https://cdn.example", "EnableCssBundling": True},
                "ProxySettings": {"Enabled": True, "Address": "10.0.0.1"},
                "CommonConfig": {"DisplayFullErrorStack": False}}
    changes = keep_inside(settings, V("4.70"))
    assert settings["distributedCacheConfig"] == {
        "Enabled": True, "DistributedCacheType": "memory", "ConnectionString": ""}
    assert settings["AzureBlobConfig"] == {"ConnectionString": "", "ContainerName": "c"}
    assert settings["WebOptimizer"] == {"CdnUrl": "", "EnableCssBundling": True}
    assert settings["ProxySettings"]["Enabled"] is False
    assert settings["CommonConfig"] == {"DisplayFullErrorStack": False}
    assert changes[0] == "appsettings DistributedCacheConfig.DistributedCacheType: redis → memory"
    assert not any("s3" in c or "AccountKey" in c for c in changes)  # secrets never shown
    assert keep_inside(settings, V("4.70")) == []
