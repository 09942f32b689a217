from __future__ import annotations

import pytest

from rehearse import catalog
from rehearse.catalog import Mechanism, Provider, release, resolve
from rehearse.errors import BadInputError
from rehearse.version import Version

LINES = [r.line for r in catalog.RELEASES]


def test_every_line_from_3_70_to_4_90_is_known_in_order() -> None:
    assert [str(v) for v in LINES] == [
        "3.70", "3.80", "3.90", "4.00", "4.10", "4.20", "4.30",
        "4.40", "4.50", "4.60", "4.70", "4.80", "4.90",
    ]


@pytest.mark.parametrize(
    ("version", "settings", "plugins"),
    [
        ("3.90", "Settings.txt", "InstalledPlugins.txt"),
        ("4.00", "dataSettings.json", "installedPlugins.json"),
        ("4.10", "dataSettings.json", "installedPlugins.json"),
        ("4.20", "dataSettings.json", "plugins.json"),
        ("4.40", "dataSettings.json", "plugins.json"),
        ("4.50", "appsettings.json", "plugins.json"),
        ("4.90", "appsettings.json", "plugins.json"),
    ],
)
def test_app_data_files_per_version(version: str, settings: str, plugins: str) -> None:
    found = release(Version.parse(version))
    assert (found.settings.path, found.plugin_list.path) == (settings, plugins)


def test_plugins_json_shape_changes_at_4_30() -> None:
    assert release(Version(4, 20)).plugin_list is catalog.PLUGINS_JSON_NAMES
    assert release(Version(4, 30)).plugin_list is catalog.PLUGINS_JSON


@pytest.mark.parametrize(
    ("provider", "first"),
    [(Provider.SQLSERVER, "3.70"), (Provider.MYSQL, "4.30"), (Provider.POSTGRESQL, "4.40")],
)
def test_providers_once_supported_stay_supported(provider: Provider, first: str) -> None:
    supported = [provider in r.providers for r in catalog.RELEASES]
    start = LINES.index(Version.parse(first))
    assert supported == [False] * start + [True] * (len(LINES) - start)


def test_upgrade_mechanism_is_scripts_up_to_4_30_then_migrations() -> None:
    mechanisms = [r.upgrade for r in catalog.RELEASES]
    split = LINES.index(Version(4, 40))
    assert set(mechanisms[:split]) == {Mechanism.SQL_SCRIPT}
    assert set(mechanisms[split:]) == {Mechanism.APP_MIGRATION}


def test_linux_containers_from_4_20_only() -> None:
    runnable = [str(r.line) for r in catalog.RELEASES if r.linux_container]
    assert runnable[0] == "4.20"
    assert len(runnable) == len(LINES) - LINES.index(Version(4, 20))


def test_trusted_tls_required_from_4_50() -> None:
    required = [str(r.line) for r in catalog.RELEASES if r.requires_trusted_tls]
    assert required[0] == "4.50" and required[-1] == "4.90"


def test_readme_plugin_renames() -> None:
    renames_390 = release(Version(3, 90)).plugin_renames
    assert ("Shipping.FixedRate", "Shipping.FixedOrByWeight") in renames_390
    assert release(Version(4, 10)).plugin_renames == (
        ("Shipping.FixedOrByWeight", "Shipping.FixedByWeightByTotal"),
    )


def test_migration_labels_follow_the_description_pattern() -> None:
    labels = {str(r.line): r.migration_label for r in catalog.RELEASES if r.migration_label}
    assert labels == {"4.40": "4.40.0", "4.50": "4.50.0", "4.60": "4.60", "4.70": "4.70",
                      "4.80": "4.80", "4.90": "4.90"}


@pytest.mark.parametrize(
    ("version", "image"),
    [
        ("4.70", "nopcommerceteam/nopcommerce:4.70.6"),
        ("4.70.2", "nopcommerceteam/nopcommerce:4.70.2"),
        ("4.40", "nopcommerceteam/nopcommerce:4.40.4"),
        ("4.30", "nopcommerceteam/nopcommerce:4.30"),
    ],
)
def test_image_for(version: str, image: str) -> None:
    assert catalog.image_for(resolve(version)) == image


@pytest.mark.parametrize(
    ("text", "hint"),
    [
        ("4.35", "the nearest known releases are 4.30 and 4.40"),
        ("5.00", "the newest release rehearse knows is 4.90"),
        ("2.80", "rehearse knows 3.70 and later"),
        ("4.70.9", "4.70 has patch releases 4.70.0 to 4.70.6"),
        ("4.30.1", "4.30 has no patch releases: write 4.30"),
    ],
)
def test_resolve_refuses_unknown_versions_naming_the_nearest(text: str, hint: str) -> None:
    with pytest.raises(BadInputError) as caught:
        resolve(text)
    assert caught.value.message == f"unknown nopCommerce version {Version.parse(text)}"
    assert caught.value.hint == hint


def test_a_new_release_is_one_row_of_data() -> None:
    newest = catalog.RELEASES[-1]
    assert catalog.lines_after(Version(4, 80), newest.line) == (newest,)


@pytest.mark.parametrize(
    ("version", "image"),
    [("4.20", "mcr.microsoft.com/dotnet/core/aspnet:2.2"),
     ("4.30", "mcr.microsoft.com/dotnet/core/aspnet:3.1"),
     ("4.40.4", "mcr.microsoft.com/dotnet/aspnet:5.0"),
     ("4.70.5", "mcr.microsoft.com/dotnet/aspnet:8.0"),
     ("4.90", "mcr.microsoft.com/dotnet/aspnet:9.0")],
)
def test_every_linux_release_has_a_runtime_image(version: str, image: str) -> None:
    assert catalog.aspnet_image(resolve(version)) == image


def test_no_runtime_image_for_windows_only_releases() -> None:
    for r in catalog.RELEASES:
        if r.linux_container:
            assert catalog.aspnet_image(r.line).startswith("mcr.microsoft.com/dotnet/")
        else:
            with pytest.raises(BadInputError, match="cannot run in a Linux container"):
                catalog.aspnet_image(r.line)
